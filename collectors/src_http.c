/* SPDX-License-Identifier: MIT */
/*
 * src_http: poll a JSON endpoint, or follow another `sitrep serve`, with
 * libcurl's multi interface driven by curl_multi_socket_action(): the
 * sockets curl wants (CURLMOPT_SOCKETFUNCTION) are this source's fds and
 * curl's timer (CURLMOPT_TIMERFUNCTION) its timeout, so nothing blocks.
 *
 *   http(s)://URL[#every=5s&timeout=10s&max-backoff=5m&cacert=PATH&
 *                 token-file=PATH&netrc=PATH]
 *     The fragment holds sitrep's options and is never sent.  The answer
 *     is a JSON array of events, or an object {"events":[...],"cursor":C};
 *     a cursor is sent back as since=C on the next poll.  An array carries
 *     no cursor: its events are told apart by time (those at or before the
 *     newest time seen are old, unless their event_id is new at that very
 *     millisecond).  ETag / If-None-Match are honoured.
 *   sitrep(s)://HOST[:PORT][?token-file=PATH&every=1s&timeout=10s]
 *     GET /api/events?since=CURSOR&limit=1000 of another sitrep serve
 *     (port 8081 by default); its events are labelled host=HOST unless
 *     they already name one.  Without token-file=, $SITREP_TOKEN is sent.
 *   prom:http(s)://URL[#every=5s&timeout=10s&job=NAME&series=N&...]
 *     scrape a Prometheus /metrics (text 0.0.4 or OpenMetrics): no events,
 *     only samples, which core/promscrape.c makes of each exposition
 *     (prom.<job>.*, llm.<job>.<model>.*, host.<job>.*).  An answer that is not
 *     Prometheus text (by its Content-Type) is a failure, like a refused
 *     connection; each failure hands prom.<job>.up = 0.
 *
 * TLS is verified (cacert= names another CA bundle).  A failure (refused,
 * timeout, TLS, HTTP status other than 200/304, invalid JSON) makes the
 * source retry with exponential backoff and jitter, from `every` up to
 * max-backoff.  All events of one answer reach the sink in one read, then
 * the cursor ("c:REMOTE" or, for arrays, "t:{...}").
 */
#include "collectors/src_common.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/dl_curl.h"
#include "core/promscrape.h"
#include "core/timeutil.h"

/*
 * What one answer may cost, whatever the server sends: its body (decoded,
 * so a gzip bomb stops here too) at most 8 MiB, at most 200,000 JSON
 * values (each becomes a cJSON node, about 100 bytes, and is handed to
 * the parser: a huge array of tiny values would cost memory and stall
 * the loop), nested at most CJSON_NESTING_LIMIT (1000) deep.  A buffer
 * grown past HTTP_BODY_KEEP is given back after the answer.
 */
#define HTTP_BODY_MAX (8 * 1024 * 1024)
#define HTTP_BODY_KEEP (1024 * 1024)
#define HTTP_VALUES_MAX 200000
#define HTTP_SOCKS SR_SOURCE_FDS_MAX
#define HTTP_IDS_MAX 64 /* ids kept at the newest time (arrays) */
#define SITREP_LIMIT 1000
#define SITREP_KPI_MS 5000 /* KPI poll of a sitrep, at most this often */

struct http_sock {
	curl_socket_t fd;
	int what; /* CURL_POLL_IN/OUT/INOUT */
};

struct http_src {
	struct src_common c;
	int sitrep;
	char *url;     /* without fragment */
	char *label;   /* sitrep: HOST */
	char *kpi_url; /* sitrep: its overview */
	int kpi_req;   /* the transfer is a KPI poll */
	int64_t kpi_next_mono;
	char *token;
	char *cacert;
	char *netrc; /* netrc=PATH: curl reads the login from it */
	int64_t every_ms, timeout_ms, max_backoff_ms;
	CURLM *multi;
	CURL *easy;
	int active;
	struct curl_slist *hdrs;
	char *req_url;
	char *req_shown; /* req_url for messages: sr_redact()ed */
	struct sr_buf body;
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
	char *etag, *etag_url, *new_etag;
	struct http_sock socks[HTTP_SOCKS];
	int nsocks;
	int64_t timer_mono; /* 0: none */
	int64_t next_mono;
	/* cursors */
	char *remote; /* remote cursor or NULL */
	int have_t;   /* array mode */
	int64_t t_max;
	char *t_ids[HTTP_IDS_MAX];
	int t_nids;
	uint64_t polls, not_modified;
	/* prom: */
	int prom;
	int series_set; /* series= given: the config does not change it */
	struct sr_prom_target *target;
	char *ctype;	       /* the answer's Content-Type */
	int64_t last_fetch_ms; /* how long the last scrape took */
	size_t last_bytes;
};

static const char *const http_keys[] = { "every", "timeout", "max-backoff",
	"cacert", "token-file", "netrc", NULL };
static const char *const prom_keys[] = { "every", "timeout", "max-backoff",
	"cacert", "token-file", "netrc", "job", "series", NULL };
static const char *const sitrep_keys[] = { "every", "timeout", "max-backoff",
	"cacert", "token-file", "from", "host", NULL };

static void
http_ids_clear(struct http_src *s)
{
	for (int i = 0; i < s->t_nids; i++)
		free(s->t_ids[i]);
	s->t_nids = 0;
}

static void
http_free(struct http_src *s)
{
	if (s == NULL)
		return;
	if (s->easy != NULL) {
		if (s->active)
			curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s->kpi_url);
	sr_buf_release(&s->body);
	http_ids_clear(s);
	free(s->url);
	free(s->label);
	free(s->token);
	free(s->cacert);
	free(s->netrc);
	free(s->req_url);
	free(s->req_shown);
	free(s->etag);
	free(s->etag_url);
	free(s->new_etag);
	free(s->remote);
	free(s->ctype);
	sr_prom_target_free(s->target);
	src_common_release(&s->c);
	free(s);
}

/* Options shared by both forms; 0 or -1. */
static int
http_apply_opts(struct http_src *s, const struct src_opts *o,
    struct sr_err *err)
{
	const char *v;

	if ((v = src_opts_get(o, "every")) != NULL &&
	    (sr_duration_parse(v, &s->every_ms, NULL) < 0 || s->every_ms <= 0))
		return sr_err_set(err, "every: bad duration '%s'", v);
	if ((v = src_opts_get(o, "timeout")) != NULL &&
	    (sr_duration_parse(v, &s->timeout_ms, NULL) < 0 ||
		s->timeout_ms <= 0))
		return sr_err_set(err, "timeout: bad duration '%s'", v);
	if ((v = src_opts_get(o, "max-backoff")) != NULL &&
	    (sr_duration_parse(v, &s->max_backoff_ms, NULL) < 0 ||
		s->max_backoff_ms <= 0))
		return sr_err_set(err, "max-backoff: bad duration '%s'", v);
	if ((v = src_opts_get(o, "cacert")) != NULL)
		s->cacert = sr_xstrdup(v);
	if ((v = src_opts_get(o, "token-file")) != NULL &&
	    (s->token = sr_token_read(v, err)) == NULL)
		return -1;
	/* A sitrep follows another sitrep: $SITREP_TOKEN is the token the
	 * nodes share.  An http:// endpoint never gets it unasked. */
	if (s->token == NULL && s->sitrep && (v = getenv("SITREP_TOKEN")) &&
	    *v != '\0')
		s->token = sr_xstrdup(v);
	if ((v = src_opts_get(o, "netrc")) != NULL) {
		if (access(v, R_OK) != 0)
			return sr_err_set(err,
			    "cannot read netrc file '%s': %s", v,
			    strerror(errno));
		s->netrc = sr_xstrdup(v);
	}
	return 0;
}

/* sitrep(s)://HOST[:PORT][/][?opts] into an /api/events URL. */
static int
http_parse_sitrep(struct http_src *s, const char *spec, struct src_opts *o,
    struct sr_err *err)
{
	int tls = strncmp(spec, "sitreps://", 10) == 0;
	const char *h = spec + (tls ? 10 : 9), *end, *q, *port = NULL;
	size_t hlen;

	q = strchr(h, '?');
	end = q ? q : h + strlen(h);
	if (end > h && end[-1] == '/')
		end--;
	if (h[0] == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return sr_err_set(err, "unclosed '[' in host");
		hlen = (size_t)(rb + 1 - h);
		if (rb + 1 < end && rb[1] == ':')
			port = rb + 2;
		else if (rb + 1 != end)
			return sr_err_set(err, "bad host");
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		hlen = colon ? (size_t)(colon - h) : (size_t)(end - h);
		port = colon ? colon + 1 : NULL;
	}
	if (memchr(h, '@', (size_t)(end - h)) != NULL)
		return sr_err_set(err,
		    "no user@ in sitrep://: give the token "
		    "with token-file= or SITREP_TOKEN");
	if (hlen == 0 || memchr(h, '/', (size_t)(end - h)) != NULL)
		return sr_err_set(err, "want sitrep://HOST[:PORT]");
	if (port != NULL) {
		char *pe;
		long p = strtol(port, &pe, 10);

		if (pe != end || p < 1 || p > 65535)
			return sr_err_set(err, "bad port '%.*s'",
			    (int)(end - port), port);
	}
	if (src_opts_parse(o, q ? q + 1 : "", q ? strlen(q + 1) : 0,
		sitrep_keys, err) < 0)
		return -1;
	/* HOST, or HOST:PORT when a port is given, or host=NAME */
	if (src_opts_get(o, "host") != NULL && *src_opts_get(o, "host"))
		s->label = sr_xstrdup(src_opts_get(o, "host"));
	else
		s->label = sr_xstrndup(h, port ? (size_t)(end - h) : hlen);
	/* from=start (default): the remote's stored events from the
	 * first, then new ones as they are stored; from=now: live only */
	if (src_opts_get(o, "from") == NULL ||
	    strcmp(src_opts_get(o, "from"), "start") == 0)
		s->remote = sr_xstrdup("h0");
	else if (strcmp(src_opts_get(o, "from"), "now") != 0)
		return sr_err_set(err, "from: want start or now, not '%s'",
		    src_opts_get(o, "from"));
	s->url = sr_xasprintf("%s://%.*s:%.*s/api/events",
	    tls ? "https" : "http", (int)hlen, h, port ? (int)(end - port) : 4,
	    port ? port : "8081");
	s->kpi_url = sr_xasprintf("%s://%.*s:%.*s/api/metrics/overview",
	    tls ? "https" : "http", (int)hlen, h, port ? (int)(end - port) : 4,
	    port ? port : "8081");
	s->every_ms = 1000;
	return 0;
}

/*
 * The default job: the URL's host:port, or host alone ("example.com" for
 * https://example.com/metrics); NULL when curl cannot tell.
 */
static char *
http_prom_job(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *job = NULL;

	if (u == NULL)
		SR_BUG("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			job = sr_xasprintf("%s:%s", host, port);
		else
			job = sr_xstrdup(host);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return job;
}

/* prom: job= and series=; 0 or -1. */
static int
http_prom_opts(struct http_src *s, const struct src_opts *o, struct sr_err *err)
{
	const char *v = src_opts_get(o, "series");
	char *job, *end;
	unsigned long long n = 0;

	if (v != NULL) {
		n = strtoull(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < 1 || n > 10000000)
			return sr_err_set(err,
			    "series: want a count from 1 to 10000000, not "
			    "'%s'",
			    v);
		s->series_set = 1;
	}
	if ((v = src_opts_get(o, "job")) != NULL && *v != '\0')
		job = sr_xstrdup(v);
	else if ((job = http_prom_job(s->url)) == NULL)
		job = sr_xstrdup("prom");
	s->target = sr_prom_target_new(job, (size_t)n);
	free(job);
	return 0;
}

static void *
http_open(const char *spec, struct sr_err *err)
{
	struct http_src *s = sr_xcalloc(1, sizeof(*s));
	struct src_opts o = { 0 };
	CURLU *u;

	src_common_init(&s->c, spec, "http", SR_FMT_JSON);
	sr_buf_init(&s->body);
	s->timeout_ms = 10000;
	s->max_backoff_ms = 300000;
	if (strncmp(spec, "sitrep", 6) == 0) {
		s->sitrep = 1;
		s->c.kind = "sitrep";
		if (http_parse_sitrep(s, spec, &o, err) < 0)
			goto fail;
		s->c.host = s->label;
	} else {
		const char *hash;

		if (strncmp(spec, "prom:", 5) == 0) {
			s->prom = 1;
			s->c.kind = "prom";
			spec += 5;
			if (strncmp(spec, "http://", 7) != 0 &&
			    strncmp(spec, "https://", 8) != 0) {
				sr_err_set(err, "want prom:http(s)://URL");
				goto fail;
			}
		}
		hash = strchr(spec, '#');
		s->url = hash ? sr_xstrndup(spec, (size_t)(hash - spec))
			      : sr_xstrdup(spec);
		s->every_ms = 5000;
		if (src_opts_parse(&o, hash ? hash + 1 : "",
			hash ? strlen(hash + 1) : 0,
			s->prom ? prom_keys : http_keys, err) < 0)
			goto fail;
	}
	if (http_apply_opts(s, &o, err) < 0 ||
	    (s->prom && http_prom_opts(s, &o, err) < 0))
		goto fail;
	src_opts_release(&o);
	if (sr_curl_load(err) < 0)
		goto fail;
	/* Let curl judge the URL now, so a bad one is a usage error. */
	u = curl_url();
	if (u == NULL)
		SR_BUG("curl_url: out of memory");
	{
		CURLUcode uc = curl_url_set(u, CURLUPART_URL, s->url, 0);

		curl_url_cleanup(u);
		if (uc != CURLUE_OK) {
			char *shown = sr_redact(s->url);

			sr_err_set(err, "bad URL '%s': %s", shown,
			    curl_url_strerror(uc));
			free(shown);
			goto fail;
		}
	}
	if ((s->multi = curl_multi_init()) == NULL ||
	    (s->easy = curl_easy_init()) == NULL) {
		sr_err_set(err, "cannot start libcurl");
		goto fail;
	}
	return s;
fail:
	src_opts_release(&o);
	http_free(s);
	return NULL;
}

static int
http_set_cursor(void *self, const char *cursor, struct sr_err *err)
{
	struct http_src *s = self;
	cJSON *j, *ts, *ids, *id;

	if (strncmp(cursor, "c:", 2) == 0) {
		free(s->remote);
		s->remote = sr_xstrdup(cursor + 2);
		return 0;
	}
	if (strncmp(cursor, "t:", 2) != 0 ||
	    (j = cJSON_Parse(cursor + 2)) == NULL)
		return sr_err_set(err, "cursor '%s' is not one of this source",
		    cursor);
	ts = cJSON_GetObjectItemCaseSensitive(j, "ts");
	ids = cJSON_GetObjectItemCaseSensitive(j, "ids");
	if (!cJSON_IsNumber(ts) || !cJSON_IsArray(ids)) {
		cJSON_Delete(j);
		return sr_err_set(err, "cursor '%s' is not one of this source",
		    cursor);
	}
	http_ids_clear(s);
	s->have_t = 1;
	s->t_max = (int64_t)ts->valuedouble;
	cJSON_ArrayForEach(id,
	    ids) if (cJSON_IsString(id) && s->t_nids < HTTP_IDS_MAX)
	    s->t_ids[s->t_nids++] = sr_xstrdup(id->valuestring);
	cJSON_Delete(j);
	return 0;
}

/* --- curl callbacks --- */

static int
http_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct http_src *s = userp;
	int i;

	(void)e;
	(void)sockp;
	for (i = 0; i < s->nsocks && s->socks[i].fd != fd; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < s->nsocks)
			s->socks[i] = s->socks[--s->nsocks];
		return 0;
	}
	if (i == s->nsocks) {
		if (s->nsocks == HTTP_SOCKS)
			return -1; /* curl fails the transfer */
		s->nsocks++;
	}
	s->socks[i].fd = fd;
	s->socks[i].what = what;
	return 0;
}

static int
http_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct http_src *s = userp;

	(void)m;
	s->timer_mono = timeout_ms < 0 ? 0 : sr_mono_ms() + timeout_ms;
	return 0;
}

static size_t
http_write_cb(char *p, size_t size, size_t nmemb, void *userp)
{
	struct http_src *s = userp;
	size_t n = size * nmemb;

	if (s->body.len + n > HTTP_BODY_MAX) {
		s->too_big = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	sr_buf_add(&s->body, p, n);
	return n;
}

/*
 * The value of header line p (n bytes) when it is `name:` (any case),
 * blanks trimmed, into *out (replaced; NULL when empty).
 */
static void
http_header_take(const char *p, size_t n, const char *name, char **out)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(p, name, k) != 0 || p[k] != ':')
		return;
	k++;
	while (k < n && (p[k] == ' ' || p[k] == '\t'))
		k++;
	while (
	    n > k && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	free(*out);
	*out = n > k ? sr_xstrndup(p + k, n - k) : NULL;
}

static size_t
http_header_cb(char *p, size_t size, size_t nmemb, void *userp)
{
	struct http_src *s = userp;

	http_header_take(p, size * nmemb, "etag", &s->new_etag);
	http_header_take(p, size * nmemb, "content-type", &s->ctype);
	return size * nmemb;
}

/* --- one poll --- */

static char *
http_request_url(struct http_src *s)
{
	struct sr_buf b;
	char *esc;
	int q = strchr(s->url, '?') != NULL;

	if (s->kpi_req)
		return sr_xstrdup(s->kpi_url);
	sr_buf_init(&b);
	sr_buf_adds(&b, s->url);
	if (s->sitrep) {
		sr_buf_addf(&b, "%climit=%d", q ? '&' : '?', SITREP_LIMIT);
		q = 1;
	}
	if (s->remote != NULL) {
		esc = curl_easy_escape(s->easy, s->remote, 0);
		if (esc == NULL)
			SR_BUG("curl_easy_escape: out of memory");
		sr_buf_addf(&b, "%csince=%s", q ? '&' : '?', esc);
		curl_free(esc);
	}
	return sr_buf_detach(&b, NULL);
}

#define HTTP_SETOPT(s, opt, val)                                           \
	do {                                                               \
		if (curl_easy_setopt((s)->easy, (opt), (val)) != CURLE_OK) \
			SR_BUG("curl_easy_setopt " #opt);                  \
	} while (0)

static void
http_start(struct http_src *s)
{
	char *h;
	int running;

	curl_easy_reset(s->easy);
	free(s->req_url);
	free(s->req_shown);
	s->req_url = http_request_url(s);
	s->req_shown = sr_redact(s->req_url);
	curl_slist_free_all(s->hdrs);
	/* prom: the text format first, as Prometheus asks */
	s->hdrs = curl_slist_append(NULL,
	    s->prom ? "Accept: text/plain;version=0.0.4;q=0.9,"
		      "application/openmetrics-text;version=1.0.0;q=0.5,"
		      "*/*;q=0.1"
		    : "Accept: application/json");
	free(s->ctype);
	s->ctype = NULL;
	if (!s->prom && s->etag != NULL && s->etag_url != NULL &&
	    strcmp(s->etag_url, s->req_url) == 0) {
		h = sr_xasprintf("If-None-Match: %s", s->etag);
		s->hdrs = curl_slist_append(s->hdrs, h);
		free(h);
	}
	if (s->token != NULL) {
		h = sr_xasprintf("Authorization: Bearer %s", s->token);
		s->hdrs = curl_slist_append(s->hdrs, h);
		free(h);
	}
	if (s->hdrs == NULL)
		SR_BUG("curl_slist_append: out of memory");
	sr_buf_reset(&s->body);
	s->too_big = 0;
	s->errbuf[0] = '\0';
	free(s->new_etag);
	s->new_etag = NULL;
	HTTP_SETOPT(s, CURLOPT_URL, s->req_url);
	HTTP_SETOPT(s, CURLOPT_HTTPHEADER, s->hdrs);
	HTTP_SETOPT(s, CURLOPT_WRITEFUNCTION, http_write_cb);
	HTTP_SETOPT(s, CURLOPT_WRITEDATA, s);
	HTTP_SETOPT(s, CURLOPT_HEADERFUNCTION, http_header_cb);
	HTTP_SETOPT(s, CURLOPT_HEADERDATA, s);
	HTTP_SETOPT(s, CURLOPT_ERRORBUFFER, s->errbuf);
	HTTP_SETOPT(s, CURLOPT_NOSIGNAL, 1L);
	HTTP_SETOPT(s, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
	HTTP_SETOPT(s, CURLOPT_CONNECTTIMEOUT_MS, (long)s->timeout_ms);
	HTTP_SETOPT(s, CURLOPT_USERAGENT, "sitrep/" SR_VERSION);
	HTTP_SETOPT(s, CURLOPT_ACCEPT_ENCODING, "");
	HTTP_SETOPT(s, CURLOPT_FOLLOWLOCATION, 1L);
	HTTP_SETOPT(s, CURLOPT_MAXREDIRS, 5L);
	HTTP_SETOPT(s, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_BODY_MAX);
	HTTP_SETOPT(s, CURLOPT_PROTOCOLS_STR, "http,https");
	HTTP_SETOPT(s, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	HTTP_SETOPT(s, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SETOPT(s, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert != NULL)
		HTTP_SETOPT(s, CURLOPT_CAINFO, s->cacert);
	if (s->netrc != NULL) {
		HTTP_SETOPT(s, CURLOPT_NETRC_FILE, s->netrc);
		HTTP_SETOPT(s, CURLOPT_NETRC, (long)CURL_NETRC_REQUIRED);
	}
	if (curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION,
		http_sock_cb) != CURLM_OK ||
	    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s) != CURLM_OK ||
	    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION,
		http_timer_cb) != CURLM_OK ||
	    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s) != CURLM_OK)
		SR_BUG("curl_multi_setopt");
	if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
		SR_BUG("curl_multi_add_handle");
	s->active = 1;
	s->polls++;
	(void)curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running); /* errors surface through the transfer's result */
}

/* Is this array event new after the newest time seen? */
static int
http_t_is_new(const struct http_src *s, const struct sr_event *ev)
{
	if (!s->have_t || ev->ts_ms > s->t_max)
		return 1;
	if (ev->ts_ms < s->t_max)
		return 0;
	for (int i = 0; i < s->t_nids; i++)
		if (strcmp(s->t_ids[i], ev->event_id) == 0)
			return 0;
	return 1;
}

static void
http_t_note(struct http_src *s, const struct sr_event *ev)
{
	if (!s->have_t || ev->ts_ms > s->t_max) {
		http_ids_clear(s);
		s->have_t = 1;
		s->t_max = ev->ts_ms;
	}
	if (ev->ts_ms == s->t_max && s->t_nids < HTTP_IDS_MAX)
		s->t_ids[s->t_nids++] = sr_xstrdup(ev->event_id);
}

static char *
http_t_cursor(const struct http_src *s)
{
	cJSON *j = cJSON_CreateObject(), *ids = cJSON_CreateArray();
	char *txt, *out;

	cJSON_AddNumberToObject(j, "ts", (double)s->t_max);
	for (int i = 0; i < s->t_nids; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(s->t_ids[i]));
	cJSON_AddItemToObject(j, "ids", ids);
	txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (txt == NULL)
		SR_BUG("cJSON_PrintUnformatted: out of memory");
	out = sr_xasprintf("t:%s", txt);
	cJSON_free(txt);
	return out;
}

/*
 * More than max JSON values in p[0..n)?  Counts the places a value starts
 * a new node ('[', '{', ','), outside strings; stops at max.
 */
static int
http_too_many_values(const char *p, size_t n, size_t max)
{
	size_t values = 1;
	int in_str = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = p[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if ((ch == '[' || ch == '{' || ch == ',') &&
		    ++values > max) {
			return 1;
		}
	}
	return 0;
}

/*
 * A 200 answer: hand its events to the sink, then the cursor.  Returns the
 * number of events, -1 for an answer that is not events (state set), or
 * -2 when the sink refused.
 */
static int
http_take(struct http_src *s, const struct sr_sink *sink, int64_t now_ms)
{
	cJSON *root, *events, *cur = NULL, *item;
	char *cursor = NULL;
	int n = 0, array, rc = 0;

	if (http_too_many_values(s->body.data, s->body.len, HTTP_VALUES_MAX)) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "answer from '%s' has more than %d JSON values",
		    s->req_shown, HTTP_VALUES_MAX);
		return -1;
	}
	root = cJSON_ParseWithLength(s->body.data, s->body.len);
	if (root == NULL) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "invalid JSON from '%s'", s->req_shown);
		return -1;
	}
	array = cJSON_IsArray(root);
	events =
	    array ? root : cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!array)
		cur = cJSON_GetObjectItemCaseSensitive(root, "cursor");
	if (!cJSON_IsArray(events)) {
		cJSON_Delete(root);
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "answer from '%s' is neither an array of events nor an "
		    "object with an events array",
		    s->req_shown);
		return -1;
	}
	cJSON_ArrayForEach(item, events)
	{
		struct sr_event ev;
		char *line;

		if (s->sitrep && cJSON_IsObject(item)) {
			cJSON *err =
			    cJSON_GetObjectItemCaseSensitive(item, "error");

			/* the remote's row id and duplicate time are its
			 * own, not the event's: keep them out of metadata */
			cJSON_DeleteItemFromObjectCaseSensitive(item, "id");
			cJSON_DeleteItemFromObjectCaseSensitive(item, "ts_ms");
			if (cJSON_IsFalse(err))
				cJSON_DeleteItemFromObjectCaseSensitive(item,
				    "error");
		}
		line = cJSON_PrintUnformatted(item);

		if (line == NULL)
			SR_BUG("cJSON_PrintUnformatted: out of memory");
		rc = src_parse_line(&s->c, line, strlen(line), now_ms, &ev);
		cJSON_free(line);
		if (rc <= 0)
			continue;
		if (array || (cur == NULL && !s->sitrep)) {
			if (!http_t_is_new(s, &ev))
				continue;
			http_t_note(s, &ev);
		}
		if (src_deliver(&s->c, sink, &ev) < 0) {
			rc = -2;
			break;
		}
		n++;
	}
	if (rc != -2) {
		if (cJSON_IsString(cur))
			cursor = sr_xasprintf("c:%s", cur->valuestring);
		else if (cJSON_IsNumber(cur))
			cursor = sr_xasprintf("c:%.17g", cur->valuedouble);
		else if (s->have_t)
			cursor = http_t_cursor(s);
		if (cursor != NULL) {
			if (cursor[0] == 'c') {
				free(s->remote);
				s->remote = sr_xstrdup(cursor + 2);
			}
			if (sink->cursor(sink->ctx, s->c.name, cursor) < 0)
				rc = -2;
			free(cursor);
		}
	}
	/* A full page from a sitrep: there is more right away. */
	if (s->sitrep && cJSON_GetArraySize(events) >= SITREP_LIMIT)
		s->next_mono = sr_mono_ms();
	cJSON_Delete(root);
	return rc == -2 ? -2 : n;
}

/*
 * A finished KPI poll of another sitrep: each KPI tile of its overview
 * becomes the sample host.<LABEL>.<id>.  Failures are not the source's
 * state (the events poll says how the remote is); the next try is later.
 */
static void
http_kpis_done(struct http_src *s, CURLcode res, const struct sr_sink *sink,
    int64_t now_ms)
{
	cJSON *root, *kpis, *k;
	long code = 0;
	char name[256];

	s->kpi_req = 0;
	s->kpi_next_mono = sr_mono_ms() + SITREP_KPI_MS;
	s->next_mono = sr_mono_ms(); /* the events poll it replaced */
	(void)curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res != CURLE_OK || code != 200 || sink->sample == NULL)
		return;
	root = cJSON_ParseWithLength(s->body.data, s->body.len);
	kpis = cJSON_GetObjectItemCaseSensitive(root, "kpis");
	cJSON_ArrayForEach(k, kpis)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(k, "id");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, "value");

		if (!cJSON_IsString(id) || !cJSON_IsNumber(v))
			continue;
		snprintf(name, sizeof(name), "host.%s.%s", s->label,
		    id->valuestring);
		(void)sink->sample(sink->ctx, name, now_ms, v->valuedouble);
	}
	cJSON_Delete(root);
}

/*
 * Did the transfer fail (too big, refused, timed out, TLS)?  -1 with the
 * state set and the next attempt backed off, else 0 with the HTTP status
 * in *code.
 */
static int
http_failed(struct http_src *s, CURLcode res, long *code)
{
	*code = 0;
	if (s->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "answer from '%s' is larger than %d MiB", s->req_shown,
		    HTTP_BODY_MAX / (1024 * 1024));
		return -1;
	}
	if (res != CURLE_OK) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "cannot fetch '%s': %s", s->req_shown,
		    s->errbuf[0] ? s->errbuf : curl_easy_strerror(res));
		return -1;
	}
	(void)curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, code);
	return 0;
}

/* Is this Content-Type Prometheus text?  None given counts as text. */
static int
http_prom_ctype_ok(const char *ct)
{
	return ct == NULL || *ct == '\0' ||
	    strncasecmp(ct, "text/plain", 10) == 0 ||
	    strncasecmp(ct, "application/openmetrics-text", 28) == 0;
}

/* A sample the target computed, to the sink. */
static void
http_prom_emit(void *ctx, const char *name, int64_t ts_ms, double value)
{
	const struct sr_sink *sink = ctx;

	(void)sink->sample(sink->ctx, name, ts_ms, value);
}

static int
http_prom_none(void *ctx, const struct sr_prom_sample *smp)
{
	(void)ctx;
	(void)smp;
	return 0;
}

/* A finished scrape: its samples to the sink, or up = 0 on failure. */
static void
http_prom_done(struct http_src *s, CURLcode res, const struct sr_sink *sink,
    int64_t now_ms)
{
	struct sr_prom_stats pst;
	long code;
	unsigned flags = 0;
	int64_t t0 = sr_mono_ms();

	s->next_mono = sr_mono_ms() + s->every_ms;
	s->c.caught_up = 1;
	if (http_failed(s, res, &code) < 0)
		goto down;
	if (code != 200) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "HTTP %ld from '%s'", code, s->req_shown);
		goto down;
	}
	if (!http_prom_ctype_ok(s->ctype)) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "answer from '%s' is '%s', not Prometheus text "
		    "(text/plain or application/openmetrics-text)",
		    s->req_shown, s->ctype);
		goto down;
	}
	if (s->ctype != NULL &&
	    strncasecmp(s->ctype, "application/openmetrics-text", 28) == 0)
		flags |= SR_PROM_OPENMETRICS;
	s->last_bytes = s->body.len;
	if (sink->sample != NULL)
		(void)sr_prom_target_scrape(s->target, s->body.data,
		    s->body.len, flags, now_ms, http_prom_emit, (void *)sink,
		    &pst);
	else /* nobody wants samples (sitrep ingest): parse to check */
		(void)sr_prom_parse(s->body.data, s->body.len, flags,
		    http_prom_none, NULL, &pst);
	s->last_fetch_ms = sr_mono_ms() - t0;
	if (pst.samples == 0 && s->body.len > 0) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "answer from '%s' holds no Prometheus sample%s%s",
		    s->req_shown, pst.bad ? ": " : "",
		    pst.bad ? pst.first_bad : "");
		goto down;
	}
	src_ok(&s->c);
	s->c.caught_up = 1;
	if (sink->sample != NULL) {
		struct sr_prom_target_stats ps;

		sr_prom_target_stats(s->target, &ps);
		if (ps.truncated_last) /* ok, but say what was left out */
			src_set_state(&s->c, SR_SRC_OK,
			    "answer from '%s' has more than %zu samples: the "
			    "rest is not read (the series cap, [limits] "
			    "prom_series or series=, sets how many)",
			    s->req_shown, ps.samples_max);
	}
	return;
down:
	if (sink->sample != NULL)
		sr_prom_target_down(s->target, now_ms, http_prom_emit,
		    (void *)sink);
}

/* The finished transfer; events to the sink.  n events, or -2 refused. */
static int
http_done(struct http_src *s, CURLcode res, const struct sr_sink *sink,
    int64_t now_ms)
{
	long code = 0;
	int n = 0;

	curl_multi_remove_handle(s->multi, s->easy);
	s->active = 0;
	if (s->kpi_req) {
		http_kpis_done(s, res, sink, now_ms);
		return 0;
	}
	if (s->prom) {
		http_prom_done(s, res, sink, now_ms);
		return 0;
	}
	s->next_mono = sr_mono_ms() + s->every_ms;
	if (http_failed(s, res, &code) < 0)
		return 0;
	if (code == 304) {
		s->not_modified++;
		src_ok(&s->c);
		s->c.caught_up = 1;
		return 0;
	}
	if (code != 200) {
		s->next_mono = src_fail(&s->c, s->every_ms, s->max_backoff_ms,
		    "HTTP %ld from '%s'", code, s->req_shown);
		return 0;
	}
	n = http_take(s, sink, now_ms);
	if (n == -1)
		return 0;
	if (n >= 0) {
		src_ok(&s->c);
		s->c.caught_up = n == 0;
		free(s->etag);
		free(s->etag_url);
		s->etag = s->new_etag;
		s->new_etag = NULL;
		s->etag_url = s->etag ? sr_xstrdup(s->req_url) : NULL;
	}
	return n;
}

static int
http_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct http_src *s = self;
	int running, n = 0, left, rc;
	CURLMsg *msg;

	if (s->active) {
		struct pollfd pf[HTTP_SOCKS];
		int k = s->nsocks;

		for (int i = 0; i < k; i++)
			pf[i] = (struct pollfd){ .fd = s->socks[i].fd,
				.events =
				    (short)(((s->socks[i].what & CURL_POLL_IN)
						    ? POLLIN
						    : 0) |
					((s->socks[i].what & CURL_POLL_OUT)
						? POLLOUT
						: 0)) };
		if (k > 0 && poll(pf, (nfds_t)k, 0) > 0) {
			for (int i = 0; i < k; i++) {
				int ev = 0;

				if (pf[i].revents == 0)
					continue;
				if (pf[i].revents & (POLLIN | POLLHUP))
					ev |= CURL_CSELECT_IN;
				if (pf[i].revents & POLLOUT)
					ev |= CURL_CSELECT_OUT;
				if (pf[i].revents & (POLLERR | POLLNVAL))
					ev |= CURL_CSELECT_ERR;
				(void)curl_multi_socket_action(s->multi,
				    pf[i].fd, ev, &running);
			}
		}
		if (s->timer_mono > 0 && sr_mono_ms() >= s->timer_mono) {
			s->timer_mono = 0;
			(void)curl_multi_socket_action(s->multi,
			    CURL_SOCKET_TIMEOUT, 0, &running);
		}
	} else if (sr_mono_ms() >= s->next_mono) {
		/* now and then, a sitrep's KPIs instead of its events */
		s->kpi_req = s->sitrep && sink->sample != NULL &&
		    s->c.state == SR_SRC_OK && sr_mono_ms() >= s->kpi_next_mono;
		http_start(s);
	}
	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = http_done(s, msg->data.result, sink, now_ms);
		if (s->body.cap > HTTP_BODY_KEEP) /* a big answer: give back */
			sr_buf_release(&s->body);
		if (rc == -2)
			return sr_err_set(err, "sink refused an event");
		n += rc;
	}
	return n;
}

static int
http_fds(void *self, struct pollfd *out, int max)
{
	struct http_src *s = self;
	int k = 0;

	for (int i = 0; i < s->nsocks && k < max; i++)
		out[k++] = (struct pollfd){ .fd = s->socks[i].fd,
			.events =
			    (short)(((s->socks[i].what & CURL_POLL_IN) ? POLLIN
								       : 0) |
				((s->socks[i].what & CURL_POLL_OUT) ? POLLOUT
								    : 0)) };
	return k;
}

static int
http_timeout_ms(void *self)
{
	struct http_src *s = self;

	if (s->active)
		return s->timer_mono > 0 ? src_ms_until(s->timer_mono) : -1;
	return src_ms_until(s->next_mono > 0 ? s->next_mono : 1);
}

static void
http_status(const void *self, struct sr_source_status *st)
{
	const struct http_src *s = self;

	src_common_status(&s->c, st);
	if (s->prom) {
		struct sr_prom_target_stats ps;

		sr_prom_target_stats(s->target, &ps);
		st->series = ps.series;
		st->series_max = ps.series_max;
		st->series_dropped = ps.dropped_last;
	}
	if (s->c.state == SR_SRC_RETRYING && s->next_mono > 0)
		st->next_attempt_ms =
		    sr_now_ms() + (s->next_mono - sr_mono_ms());
}

static void
http_close(void *self)
{
	http_free(self);
}

static void
http_set_series_max(void *self, size_t n)
{
	struct http_src *s = self;

	if (s->prom && !s->series_set)
		sr_prom_target_set_max(s->target, n);
}

const struct sr_collector_ops sr_src_http_ops = {
	.kind = "http",
	.open = http_open,
	.fds = http_fds,
	.timeout_ms = http_timeout_ms,
	.read = http_read,
	.status = http_status,
	.set_cursor = http_set_cursor,
	.close = http_close,
	.set_series_max = http_set_series_max,
};

char *
sr_http_lib_version(void)
{
	struct sr_err e;

	if (sr_curl_load(&e) < 0)
		return sr_xasprintf("libcurl (built with %s): %s",
		    LIBCURL_VERSION, e.msg);
	return sr_lib_version("libcurl",
	    curl_version_info(CURLVERSION_NOW)->version, LIBCURL_VERSION);
}
