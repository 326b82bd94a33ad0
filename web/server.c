/* SPDX-License-Identifier: MIT */
/*
 * server: the HTTP server (libmicrohttpd) behind `sitrep serve`.
 *
 * Layout: one MHD daemon per listen address (internal polling thread plus
 * a thread pool, suspend/resume allowed).  The main loop publishes one
 * frame per tick; publish builds the shared MHD responses for the
 * per-tick bodies once, swaps them in under w->lock and resumes every SSE
 * stream waiting for the tick.  Request threads queue those shared
 * responses (MHD counts their references), take a frame reference for the
 * routes that filter events, and open their own read-only store handle
 * for history routes.
 *
 * Lock order: w->lock and w->ip_lock are leaves; MHD calls are made with
 * neither held, except MHD_queue_response() under w->lock, which takes
 * only the response's own mutex.
 */
#include "web/server.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/parse.h"
#include "core/timeutil.h"
#include "web/assets.h"
#include "web/history.h"

#define WEB_MAX_ADDRS 16
#define WEB_SSE_BLOCK (16 * 1024)
/*
 * Idle timeout while a connection waits for a request's headers (its
 * first request, or the next one on a kept-alive connection): a peer
 * that sends part of a request, or garbage without a line end, and goes
 * quiet or half-closes frees its slot after this.  The configured
 * timeout applies from the headers to the end of the answer.
 */
#define WEB_HEADER_TIMEOUT_S 5

/* Per-address connection counts, for the per-IP limit (429). */
struct web_ip {
	char addr[INET6_ADDRSTRLEN];
	unsigned n;
};

/* The responses built once per publish and shared by every request. */
struct web_pub {
	struct sr_web_frame *frame;
	struct MHD_Response *health;
	struct MHD_Response *overview;
	struct MHD_Response *overview_hist; /* ?history=1 */
	struct MHD_Response *services;
	struct MHD_Response *metrics;
	struct MHD_Response *insights[3]; /* all, firing, resolved */
};

struct web_sse;

struct sr_web {
	struct sr_web_cfg cfg;
	char *token;
	char *cors;
	char *db_path;
	struct MHD_Daemon *daemons[WEB_MAX_ADDRS];
	unsigned ports[WEB_MAX_ADDRS];
	size_t n_daemons;
	int64_t started_ms;

	pthread_mutex_t lock; /* pub, waiting, stopping, stats */
	struct web_pub pub;
	struct web_sse *waiting; /* SSE streams suspended */
	int stopping;
	struct sr_web_stats stats;

	pthread_mutex_t ip_lock;
	struct web_ip *ips;
	size_t n_ips;

	struct MHD_Response *assets[16]; /* by index in sr_web_assets */
	struct MHD_Response *chart;	 /* NULL when the file is absent */
};

/* One request's state, from the first call of the handler to completion. */
struct web_req {
	struct sr_buf body;
	int too_large;
	int answered;
};

/* One SSE stream. */
struct web_sse {
	struct sr_web *w;
	struct MHD_Connection *c;
	struct web_sse *next; /* in w->waiting */
	int waiting;
	uint64_t last_tick;
	uint64_t last_seq;
	int seq_known;		   /* last_seq came from the client */
	struct sr_web_frame *seen; /* last frame sent */
	struct sr_buf out;
	size_t off;
};

static void web_log(const struct sr_web *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on stderr: "sitrep serve: ...". */
static void
web_log(const struct sr_web *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)w;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sitrep serve: %s\n", line);
}

/* Add the headers every answer carries. */
static void
web_headers(const struct sr_web *w, struct MHD_Response *r, const char *type)
{
	if (type != NULL)
		(void)MHD_add_response_header(r, "Content-Type", type);
	(void)MHD_add_response_header(r, "Cache-Control", "no-store");
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (w->cors != NULL) {
		(void)MHD_add_response_header(r, "Access-Control-Allow-Origin",
		    w->cors);
		(void)MHD_add_response_header(r, "Vary", "Origin");
	}
}

/* A response that copies text. */
static struct MHD_Response *
web_text(const struct sr_web *w, const char *text, size_t len, const char *type)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		SR_BUG("cannot create a response");
	web_headers(w, r, type);
	return r;
}

/* Queue r and drop our reference to it. */
static enum MHD_Result
web_queue(struct sr_web *w, struct MHD_Connection *c, unsigned status,
    struct MHD_Response *r)
{
	enum MHD_Result ret = MHD_queue_response(c, status, r);

	MHD_destroy_response(r);
	pthread_mutex_lock(&w->lock);
	w->stats.requests++;
	if (status >= 400)
		w->stats.errors++;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

static enum MHD_Result
web_json(struct sr_web *w, struct MHD_Connection *c, unsigned status,
    const struct sr_buf *b)
{
	return web_queue(w, c, status,
	    web_text(w, b->data, b->len, "application/json"));
}

/* The client address of c as text, or "?". */
static void
web_peer(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, outlen, "?");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		(void)inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    out, (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		(void)inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)outlen);
}

/* Answer {"error": msg, "status": N}, logging one line. */
static enum MHD_Result
web_error(struct sr_web *w, struct MHD_Connection *c, unsigned status,
    const char *method, const char *url, const char *msg)
{
	struct sr_buf b;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char peer[INET6_ADDRSTRLEN];

	if (!w->cfg.quiet) {
		web_peer(c, peer, sizeof(peer));
		web_log(w, "%u %s %.200s from %s: %s", status,
		    method ? method : "?", url ? url : "?", peer, msg);
	}
	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"error\":");
	sr_buf_add_json_str(&b, msg);
	sr_buf_addf(&b, ",\"status\":%u}", status);
	r = web_text(w, b.data, b.len, "application/json");
	sr_buf_release(&b);
	if (status == 401)
		(void)MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"sitrep\"");
	if (status == 405)
		(void)MHD_add_response_header(r, "Allow",
		    "GET, HEAD, POST, OPTIONS");
	if (status == 429 || status == 413 || status == 431)
		(void)MHD_add_response_header(r, "Connection", "close");
	if (status == 503)
		(void)MHD_add_response_header(r, "Retry-After", "1");
	ret = web_queue(w, c, status, r);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Per-IP connection counting (MHD_OPTION_NOTIFY_CONNECTION). */

static void
web_notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct sr_web *w = cls;
	char peer[INET6_ADDRSTRLEN];
	struct web_ip *slot = NULL;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		web_peer(c, peer, sizeof(peer));
		pthread_mutex_lock(&w->ip_lock);
		for (size_t i = 0; i < w->n_ips; i++) {
			if (w->ips[i].n > 0 &&
			    strcmp(w->ips[i].addr, peer) == 0) {
				slot = &w->ips[i];
				break;
			}
			if (w->ips[i].n == 0 && slot == NULL)
				slot = &w->ips[i];
		}
		if (slot != NULL && slot->n == 0) {
			/* a free slot; make sure no later one holds peer */
			for (size_t i = (size_t)(slot - w->ips) + 1;
			     i < w->n_ips; i++)
				if (w->ips[i].n > 0 &&
				    strcmp(w->ips[i].addr, peer) == 0) {
					slot = &w->ips[i];
					break;
				}
		}
		if (slot == NULL) {
			w->ips = sr_xrealloc(w->ips,
			    (w->n_ips + 1) * sizeof(*w->ips));
			slot = &w->ips[w->n_ips++];
			slot->n = 0;
		}
		if (slot->n == 0)
			snprintf(slot->addr, sizeof(slot->addr), "%s", peer);
		slot->n++;
		/* an index, not a pointer: w->ips may move */
		*socket_context = (void *)(uintptr_t)(slot - w->ips + 1);
		pthread_mutex_unlock(&w->ip_lock);
		if (w->cfg.timeout_s > WEB_HEADER_TIMEOUT_S)
			(void)MHD_set_connection_option(c,
			    MHD_CONNECTION_OPTION_TIMEOUT,
			    (unsigned)WEB_HEADER_TIMEOUT_S);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED &&
	    *socket_context != NULL) {
		size_t i = (size_t)(uintptr_t)*socket_context - 1;

		pthread_mutex_lock(&w->ip_lock);
		if (i < w->n_ips && w->ips[i].n > 0)
			w->ips[i].n--;
		pthread_mutex_unlock(&w->ip_lock);
		*socket_context = NULL;
	}
}

/* Open connections from c's address, c included. */
static unsigned
web_conns_from(struct sr_web *w, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	unsigned n = 0;
	size_t i;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || ci->socket_context == NULL)
		return 0;
	i = (size_t)(uintptr_t)ci->socket_context - 1;
	pthread_mutex_lock(&w->ip_lock);
	if (i < w->n_ips)
		n = w->ips[i].n;
	pthread_mutex_unlock(&w->ip_lock);
	return n;
}

/* ---------------------------------------------------------------------- */
/* Small helpers for the routes. */

/* Constant-time comparison of the bearer token. */
static int
web_token_ok(const struct sr_web *w, struct MHD_Connection *c)
{
	const char *h;
	size_t hl, tl;
	unsigned char diff;

	if (w->token == NULL)
		return 1;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	hl = strlen(h);
	tl = strlen(w->token);
	diff = hl != tl;
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(w->token[i] ^ (i < hl ? h[i] : 0));
	return diff == 0;
}

static const char *
web_arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* Parse a whole decimal integer in [lo, hi]; 0 or -1. */
static int
web_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Parse a positive number (hours may be fractional); 0 or -1. */
static int
web_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* Parse an instant (ISO-8601 or epoch) from a query argument; 0 or -1. */
static int
web_time(const char *s, int64_t *ms)
{
	struct sr_err err;

	return sr_time_parse(s, strlen(s), ms, &err);
}

/* The current frame, with a reference the caller drops; NULL before any. */
static struct sr_web_frame *
web_frame(struct sr_web *w)
{
	struct sr_web_frame *f = NULL;

	pthread_mutex_lock(&w->lock);
	if (w->pub.frame != NULL)
		f = sr_web_frame_ref(w->pub.frame);
	pthread_mutex_unlock(&w->lock);
	return f;
}

/* Queue the shared response at *slot (under the lock), or 503 before any. */
static enum MHD_Result
web_shared(struct sr_web *w, struct MHD_Connection *c,
    struct MHD_Response *const *slot, const char *method, const char *url)
{
	enum MHD_Result ret;

	pthread_mutex_lock(&w->lock);
	if (*slot == NULL) {
		pthread_mutex_unlock(&w->lock);
		return web_error(w, c, 503, method, url,
		    "no data yet: the first tick has not been published");
	}
	ret = MHD_queue_response(c, 200, *slot);
	w->stats.requests++;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Routes. */

static enum MHD_Result
route_health(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	struct sr_buf b;
	enum MHD_Result ret;

	pthread_mutex_lock(&w->lock);
	if (w->pub.health != NULL) {
		ret = MHD_queue_response(c, 200, w->pub.health);
		w->stats.requests++;
		pthread_mutex_unlock(&w->lock);
		return ret;
	}
	pthread_mutex_unlock(&w->lock);
	(void)method;
	(void)url;
	sr_buf_init(&b);
	sr_buf_addf(&b,
	    "{\"status\":\"starting\",\"version\":\"%s\","
	    "\"uptime_s\":%.3f,\"sources\":[],\"store\":null}",
	    SR_VERSION, (double)(sr_now_ms() - w->started_ms) / 1000.0);
	ret = web_json(w, c, 200, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
route_insights(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	const char *state = web_arg(c, "state");
	int i;

	if (state == NULL || strcmp(state, "all") == 0)
		i = 0;
	else if (strcmp(state, "firing") == 0)
		i = 1;
	else if (strcmp(state, "resolved") == 0)
		i = 2;
	else
		return web_error(w, c, 400, method, url,
		    "state must be firing, resolved or all");
	return web_shared(w, c, &w->pub.insights[i], method, url);
}

/*
 * Read the event filters shared by live and stored answers; 0, or -1
 * with the reason in why (q->query is then empty).  The caller releases
 * q->query.
 */
static int
web_evq(struct MHD_Connection *c, struct sr_web_evq *q, struct sr_err *why)
{
	struct sr_err e;
	const char *s;
	long long v;

	memset(q, 0, sizeof(*q));
	sr_query_init(&q->query);
	q->limit = 100;
	q->from_ms = INT64_MIN;
	q->to_ms = INT64_MAX;
	if ((s = web_arg(c, "limit")) != NULL) {
		if (web_int(s, 1, 1000, &v) < 0)
			return sr_err_set(why,
			    "limit must be an integer from 1 to 1000");
		q->limit = (int)v;
	}
	if ((s = web_arg(c, "service")) != NULL && *s != '\0')
		q->service = s;
	if ((s = web_arg(c, "q")) != NULL && *s != '\0' &&
	    sr_query_parse(&q->query, s, &e) < 0)
		return sr_err_set(why, "q: %s", e.msg);
	if ((s = web_arg(c, "status")) != NULL && *s != '\0') {
		char *t = sr_xasprintf("status=%s", s);
		int bad = strchr(s, ' ') != NULL ||
		    sr_query_add(&q->query, t, &e) < 0;

		free(t);
		if (bad) {
			sr_query_release(&q->query);
			return sr_err_set(why,
			    "status must be a list of 2xx..5xx, error or "
			    "codes");
		}
	}
	if ((s = web_arg(c, "from")) != NULL && web_time(s, &q->from_ms) < 0)
		sr_err_set(why,
		    "from is not an ISO-8601 instant or epoch seconds");
	else if ((s = web_arg(c, "to")) != NULL && web_time(s, &q->to_ms) < 0)
		sr_err_set(why,
		    "to is not an ISO-8601 instant or epoch seconds");
	else if (q->from_ms > q->to_ms)
		sr_err_set(why, "from is after to");
	else
		return 0;
	sr_query_release(&q->query);
	return -1;
}

/* 1 if a frame event passes the filter (the same query as the store's). */
static int
web_event_match(const struct sr_web_evq *q, const struct sr_web_event *e)
{
	if (q->service != NULL &&
	    (e->ev.service == NULL || strcmp(q->service, e->ev.service) != 0))
		return 0;
	if (!sr_query_match(&q->query, &e->ev))
		return 0;
	return e->ev.ts_ms >= q->from_ms && e->ev.ts_ms < q->to_ms;
}

static enum MHD_Result
events_answer(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url, struct sr_web_evq *qp)
{
	struct sr_web_evq q = *qp;
	const char *since = web_arg(c, "since"), *live;
	struct sr_web_frame *f;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	uint64_t after = 0, cursor;
	size_t start, n = 0;
	int status = 500, stored = 0;
	long long v;

	/*
	 * One opaque cursor per server: with a database file every answer
	 * comes from the store and the cursor is a row id ("h<id>" from
	 * older servers is accepted too); ?live=1, or a ":memory:" store,
	 * reads the in-memory recent events, whose cursor is the stream's
	 * event seq (the SSE id).
	 */
	live = web_arg(c, "live");
	if (live != NULL && strcmp(live, "0") != 0 && strcmp(live, "1") != 0)
		return web_error(w, c, 400, method, url, "live must be 0 or 1");
	stored = sr_web_hist_available(w->db_path) &&
	    !(live != NULL && strcmp(live, "1") == 0);
	if (since != NULL) {
		const char *num = since;

		if (stored && since[0] == 'h')
			num++;
		if (web_int(num, 0, INT64_MAX, &v) < 0)
			return web_error(w, c, 400, method, url,
			    "since is not a cursor this server gave");
		q.after_row = v;
		after = (uint64_t)v;
	} else if (q.from_ms == INT64_MIN && q.to_ms == INT64_MAX) {
		q.newest = 1; /* else: a range is read from its start */
	}
	if (!stored && (q.from_ms != INT64_MIN || q.to_ms != INT64_MAX))
		return web_error(w, c, 503, method, url,
		    "history needs a database file (not :memory:)");
	sr_buf_init(&b);
	if (stored) {
		if (sr_web_hist_events(w->db_path, &q, &b, &status, &err) < 0)
			ret = web_error(w, c, (unsigned)status, method, url,
			    err.msg);
		else
			ret = web_json(w, c, 200, &b);
		sr_buf_release(&b);
		return ret;
	}
	if ((f = web_frame(w)) == NULL) {
		sr_buf_release(&b);
		return web_error(w, c, 503, method, url,
		    "no data yet: the first tick has not been published");
	}
	/* The matching events after the cursor: the oldest `limit` when
	 * following (since given), else the newest `limit`. */
	start = 0;
	while (start < f->n_events && f->events[start].seq <= after)
		start++;
	if (since == NULL) {
		size_t i = f->n_events, m = 0;

		while (i > start && m < (size_t)q.limit) {
			i--;
			if (web_event_match(&q, &f->events[i]))
				m++;
		}
		start = i;
	}
	cursor = since == NULL ? f->events_seq : after;
	sr_buf_adds(&b, "{\"events\":[");
	for (size_t i = start; i < f->n_events && n < (size_t)q.limit; i++) {
		if (!web_event_match(&q, &f->events[i]))
			continue;
		if (n++ > 0)
			sr_buf_addc(&b, ',');
		sr_buf_adds(&b, f->events[i].json);
		cursor = f->events[i].seq;
	}
	if (n < (size_t)q.limit || since == NULL)
		cursor = f->events_seq > cursor ? f->events_seq : cursor;
	sr_buf_addf(&b, "],\"cursor\":\"%" PRIu64 "\",\"truncated\":%s}",
	    cursor,
	    (f->n_events > 0 && after + 1 < f->events[0].seq && since != NULL)
		? "true"
		: "false");
	sr_web_frame_unref(f);
	ret = web_json(w, c, 200, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
route_events(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	struct sr_web_evq q;
	struct sr_err why;
	enum MHD_Result ret;

	if (web_evq(c, &q, &why) < 0)
		return web_error(w, c, 400, method, url, why.msg);
	ret = events_answer(w, c, method, url, &q);
	sr_query_release(&q.query);
	return ret;
}

static enum MHD_Result
route_post_events(struct sr_web *w, struct MHD_Connection *c,
    struct web_req *rq, const char *method, const char *url)
{
	struct sr_parser *p;
	cJSON *root, *item;
	struct sr_buf b;
	struct sr_event ev;
	enum sr_reject why;
	struct sr_err err;
	enum MHD_Result ret;
	size_t n = 0, ok = 0, full = 0;
	int64_t now = sr_now_ms();
	unsigned status;

	if (!w->cfg.accept_events || w->cfg.post == NULL)
		return web_error(w, c, 405, method, url,
		    "posting events needs --accept-events");
	if (rq->too_large)
		return web_error(w, c, 413, method, url,
		    "request body too large");
	root = cJSON_ParseWithLength(rq->body.data, rq->body.len);
	if (root == NULL || !(cJSON_IsObject(root) || cJSON_IsArray(root))) {
		cJSON_Delete(root);
		return web_error(w, c, 400, method, url,
		    "body must be a JSON event object or an array of them");
	}
	p = sr_parser_new(SR_FMT_JSON);
	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"results\":[");
	for (item = cJSON_IsArray(root) ? root->child : root; item != NULL;
	     item = cJSON_IsArray(root) ? item->next : NULL) {
		char *text;
		int r;

		if (n++ > 0)
			sr_buf_addc(&b, ',');
		if (!cJSON_IsObject(item)) {
			sr_buf_adds(&b,
			    "{\"ok\":false,\"reason\":"
			    "\"not_object\",\"error\":\"not a JSON object\"}");
			continue;
		}
		text = cJSON_PrintUnformatted(item);
		if (text == NULL)
			SR_BUG("cannot print a JSON object");
		r = sr_parser_line(p, text, strlen(text), now, &ev, &why, &err);
		if (r < 0) {
			sr_buf_addf(&b,
			    "{\"ok\":false,\"reason\":\"%s\","
			    "\"error\":",
			    sr_reject_name(why));
			sr_buf_add_json_str(&b, err.msg);
			sr_buf_addc(&b, '}');
			free(text);
			continue;
		}
		if (w->cfg.post(w->cfg.post_ctx, &ev, &err) < 0) {
			full++;
			sr_buf_adds(&b,
			    "{\"ok\":false,\"reason\":"
			    "\"queue_full\",\"error\":");
			sr_buf_add_json_str(&b, err.msg);
			sr_buf_addc(&b, '}');
			free(text);
			continue;
		}
		ok++;
		sr_buf_adds(&b, "{\"ok\":true,\"event_id\":");
		sr_buf_add_json_str(&b, ev.event_id);
		sr_buf_addc(&b, '}');
		free(text);
	}
	sr_parser_free(p);
	cJSON_Delete(root);
	sr_buf_addf(&b, "],\"accepted\":%zu,\"rejected\":%zu", ok, n - ok);
	pthread_mutex_lock(&w->lock);
	w->stats.posted += ok;
	w->stats.queue_full += full;
	pthread_mutex_unlock(&w->lock);
	status = full > 0 ? 503 : (ok == 0 ? 400 : 202);
	if (status != 202)
		sr_buf_addf(&b, ",\"error\":\"%s\",\"status\":%u",
		    full > 0 ? "event queue full, retry later"
			     : "no event accepted",
		    status);
	sr_buf_addc(&b, '}');
	if (status != 202 && !w->cfg.quiet)
		web_log(w, "%u POST %s: %zu of %zu events refused", status, url,
		    n - ok, n);
	ret = web_json(w, c, status, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
route_series(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	const char *name = web_arg(c, "name"), *s;
	int64_t now = sr_now_ms(), from = now - 3600 * 1000LL, to = now, step;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int status = 500;

	if (name == NULL || *name == '\0' || strlen(name) > 200)
		return web_error(w, c, 400, method, url, "name is required");
	if ((s = web_arg(c, "from")) != NULL && web_time(s, &from) < 0)
		return web_error(w, c, 400, method, url,
		    "from is not an ISO-8601 instant or epoch seconds");
	if ((s = web_arg(c, "to")) != NULL && web_time(s, &to) < 0)
		return web_error(w, c, 400, method, url,
		    "to is not an ISO-8601 instant or epoch seconds");
	if (from >= to)
		return web_error(w, c, 400, method, url,
		    "from is not before to");
	step = (to - from + SR_WEB_MAX_POINTS - 1) / SR_WEB_MAX_POINTS;
	if ((s = web_arg(c, "step")) != NULL) {
		int64_t st;

		if (sr_duration_parse(s, &st, &err) < 0 || st <= 0)
			return web_error(w, c, 400, method, url,
			    "step is not a duration (30s, 5m, 1h)");
		if (st > step)
			step = st;
	}
	if (step < 1000)
		step = 1000;
	if (!sr_web_hist_available(w->db_path))
		return web_error(w, c, 503, method, url,
		    "history needs a database file (not :memory:)");
	sr_buf_init(&b);
	if (sr_web_hist_series(w->db_path, name, from, to, step, &b, &status,
		&err) < 0)
		ret = web_error(w, c, (unsigned)status, method, url, err.msg);
	else
		ret = web_json(w, c, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/* ?hours=N (default dflt, at most a year); 0 or -1. */
static int
web_hours(struct MHD_Connection *c, double dflt, double *hours)
{
	const char *s = web_arg(c, "hours");

	*hours = dflt;
	return s == NULL ? 0 : web_num(s, 0.001, 24.0 * 366, hours);
}

static enum MHD_Result
route_performance(struct sr_web *w, struct MHD_Connection *c,
    const char *method, const char *url)
{
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	double hours;
	int status = 500;

	if (web_hours(c, 1, &hours) < 0)
		return web_error(w, c, 400, method, url,
		    "hours must be a number from 0.001 to 8784");
	if (!sr_web_hist_available(w->db_path))
		return web_error(w, c, 503, method, url,
		    "history needs a database file (not :memory:)");
	sr_buf_init(&b);
	if (sr_web_hist_performance(w->db_path, sr_now_ms(), hours, &b, &status,
		&err) < 0)
		ret = web_error(w, c, (unsigned)status, method, url, err.msg);
	else
		ret = web_json(w, c, 200, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
route_summary(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int64_t now = sr_now_ms(), from, to = now;
	const char *s;
	double hours;
	int status = 500;

	if (web_hours(c, 24, &hours) < 0)
		return web_error(w, c, 400, method, url,
		    "hours must be a number from 0.001 to 8784");
	from = now - (int64_t)(hours * 3600.0 * 1000.0);
	if ((s = web_arg(c, "from")) != NULL && web_time(s, &from) < 0)
		return web_error(w, c, 400, method, url,
		    "from is not an ISO-8601 instant or epoch seconds");
	if ((s = web_arg(c, "to")) != NULL && web_time(s, &to) < 0)
		return web_error(w, c, 400, method, url,
		    "to is not an ISO-8601 instant or epoch seconds");
	if (from >= to)
		return web_error(w, c, 400, method, url,
		    "from is not before to");
	if (!sr_web_hist_available(w->db_path))
		return web_error(w, c, 503, method, url,
		    "history needs a database file (not :memory:)");
	sr_buf_init(&b);
	if (sr_web_hist_summary(w->db_path, from, to, &b, &status, &err) < 0)
		ret = web_error(w, c, (unsigned)status, method, url, err.msg);
	else
		ret = web_json(w, c, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Server-Sent Events. */

/* Append the SSE lines for frame f that s has not seen yet. */
static void
sse_render(struct web_sse *s, const struct sr_web_frame *f)
{
	struct sr_buf *o = &s->out;
	size_t i = 0;

	if (!s->seq_known) {
		/* a fresh stream starts from now */
		s->last_seq = f->events_seq;
		s->seq_known = 1;
	}
	while (i < f->n_events && f->events[i].seq <= s->last_seq)
		i++;
	for (; i < f->n_events; i++) {
		sr_buf_addf(o, "id: %" PRIu64 "\nevent: event\ndata: %s\n\n",
		    f->events[i].seq, f->events[i].json);
		s->last_seq = f->events[i].seq;
	}
	for (i = 0; i < f->n_insights; i++) {
		const struct sr_web_insight *in = &f->insights[i];
		int changed = 1;

		if (s->seen == NULL) {
			changed = in->state == 1; /* first: what fires */
		} else {
			for (size_t j = 0; j < s->seen->n_insights; j++)
				if (strcmp(s->seen->insights[j].id, in->id) ==
				    0) {
					changed =
					    strcmp(s->seen->insights[j].key,
						in->key) != 0;
					break;
				}
		}
		if (changed)
			sr_buf_addf(o,
			    "id: %" PRIu64 "\nevent: insight\n"
			    "data: %s\n\n",
			    s->last_seq, in->json);
	}
	if (f->overview != NULL)
		sr_buf_addf(o, "id: %" PRIu64 "\nevent: overview\ndata: %s\n\n",
		    s->last_seq, f->overview);
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_sse *s = cls;
	struct sr_web *w = s->w;
	struct sr_web_frame *f = NULL;
	size_t n;

	(void)pos;
	if (s->off >= s->out.len) {
		sr_buf_reset(&s->out);
		s->off = 0;
		pthread_mutex_lock(&w->lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (w->pub.frame != NULL && w->pub.frame->tick > s->last_tick)
			f = sr_web_frame_ref(w->pub.frame);
		else if (!s->waiting) {
			s->waiting = 1;
			s->next = w->waiting;
			w->waiting = s;
		}
		pthread_mutex_unlock(&w->lock);
		if (f == NULL) {
			/* publish resumes us; a resume that comes first
			 * cancels this suspend (MHD keeps a flag) */
			MHD_suspend_connection(s->c);
			return 0;
		}
		sse_render(s, f);
		s->last_tick = f->tick;
		sr_web_frame_unref(s->seen);
		s->seen = f;
	}
	n = s->out.len - s->off;
	if (n > max)
		n = max;
	memcpy(buf, s->out.data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void
sse_free(void *cls)
{
	struct web_sse *s = cls;
	struct sr_web *w = s->w;

	pthread_mutex_lock(&w->lock);
	for (struct web_sse **pp = &w->waiting; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	w->stats.sse_clients--;
	pthread_mutex_unlock(&w->lock);
	sr_web_frame_unref(s->seen);
	sr_buf_release(&s->out);
	free(s);
}

static enum MHD_Result
route_stream(struct sr_web *w, struct MHD_Connection *c, const char *method,
    const char *url)
{
	struct web_sse *s;
	struct MHD_Response *r;
	const char *last;
	long long v;

	last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	if (last == NULL)
		last = web_arg(c, "last_event_id");
	if (last != NULL && web_int(last, 0, INT64_MAX, &v) < 0)
		return web_error(w, c, 400, method, url,
		    "Last-Event-ID is not an id this server gave");
	s = sr_xcalloc(1, sizeof(*s));
	s->w = w;
	s->c = c;
	sr_buf_init(&s->out);
	sr_buf_adds(&s->out, "retry: 1000\n\n");
	if (last != NULL) {
		s->last_seq = (uint64_t)v;
		s->seq_known = 1;
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_SSE_BLOCK,
	    sse_read, s, sse_free);
	if (r == NULL)
		SR_BUG("cannot create a response");
	web_headers(w, r, "text/event-stream");
	(void)MHD_add_response_header(r, "X-Accel-Buffering", "no");
	pthread_mutex_lock(&w->lock);
	w->stats.sse_clients++;
	pthread_mutex_unlock(&w->lock);
	return web_queue(w, c, 200, r);
}

/* ---------------------------------------------------------------------- */
/* Dispatch. */

enum web_kind {
	WEB_GET,
	WEB_POST
};

struct web_route {
	const char *path;
	int auth;
	enum MHD_Result (*get)(struct sr_web *, struct MHD_Connection *,
	    const char *, const char *);
};

static const struct web_route web_routes[] = { { "/api/health", 0,
						   route_health },
	{ "/api/metrics/overview", 1, NULL },
	{ "/api/metrics/performance", 1, route_performance },
	{ "/api/metrics/series", 1, route_series },
	{ "/api/services", 1, NULL }, { "/api/events", 1, route_events },
	{ "/api/insights", 1, route_insights },
	{ "/api/summary", 1, route_summary },
	{ "/api/stream", 1, route_stream }, { "/metrics", 1, NULL },
	{ NULL, 0, NULL } };

/* The embedded asset for path, or -1; "/" is index.html. */
static int
web_asset(const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (int i = 0; sr_web_assets[i].path != NULL; i++)
		if (strcmp(sr_web_assets[i].path, path) == 0)
			return i;
	return -1;
}

static enum MHD_Result
web_preflight(struct sr_web *w, struct MHD_Connection *c)
{
	struct MHD_Response *r = web_text(w, "", 0, NULL);

	(void)MHD_add_response_header(r, "Access-Control-Allow-Methods",
	    "GET, HEAD, POST, OPTIONS");
	(void)MHD_add_response_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, Last-Event-ID");
	(void)MHD_add_response_header(r, "Access-Control-Max-Age", "600");
	return web_queue(w, c, 204, r);
}

/* Sum of the request's header sizes (MHD_KeyValueIterator). */
static enum MHD_Result
web_count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static enum MHD_Result
web_dispatch(struct sr_web *w, struct MHD_Connection *c, struct web_req *rq,
    const char *url, const char *method)
{
	const struct web_route *rt;
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int a;

	if (strcmp(method, "OPTIONS") == 0 && w->cors != NULL)
		return web_preflight(w, c);
	for (rt = web_routes; rt->path != NULL; rt++)
		if (strcmp(rt->path, url) == 0)
			break;
	if (rt->path == NULL) {
		if ((a = web_asset(url)) >= 0 ||
		    strcmp(url, "/chart.js") == 0) {
			if (!get)
				return web_error(w, c, 405, method, url,
				    "method not allowed");
			if (a < 0 && w->chart == NULL)
				return web_error(w, c, 404, method, url,
				    "chart.js is not installed "
				    "(Debian: libjs-chart.js)");
			return MHD_queue_response(c, 200,
			    a >= 0 ? w->assets[a] : w->chart);
		}
		return web_error(w, c, 404, method, url, "no such route");
	}
	if (rt->auth && !web_token_ok(w, c))
		return web_error(w, c, 401, method, url,
		    "missing or wrong bearer token");
	if (strcmp(method, "POST") == 0 && strcmp(url, "/api/events") == 0)
		return route_post_events(w, c, rq, method, url);
	if (!get)
		return web_error(w, c, 405, method, url, "method not allowed");
	if (rt->get != NULL)
		return rt->get(w, c, method, url);
	if (strcmp(url, "/api/metrics/overview") == 0) {
		const char *h = web_arg(c, "history");

		if (h != NULL && strcmp(h, "0") != 0 && strcmp(h, "1") != 0)
			return web_error(w, c, 400, method, url,
			    "history must be 0 or 1");
		return web_shared(w, c,
		    h != NULL && h[0] == '1' ? &w->pub.overview_hist
					     : &w->pub.overview,
		    method, url);
	}
	if (strcmp(url, "/api/services") == 0)
		return web_shared(w, c, &w->pub.services, method, url);
	return web_shared(w, c, &w->pub.metrics, method, url);
}

static enum MHD_Result
web_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct sr_web *w = cls;
	struct web_req *rq = *req_cls;

	(void)version;
	if (rq == NULL) {
		const char *cl;
		size_t hdr = 0, qlen = 0;
		long long v;

		rq = sr_xcalloc(1, sizeof(*rq));
		sr_buf_init(&rq->body);
		*req_cls = rq;
		/* headers complete: the normal idle timeout from now on */
		(void)MHD_set_connection_option(c,
		    MHD_CONNECTION_OPTION_TIMEOUT, w->cfg.timeout_s);
		if (w->cfg.max_conns_per_ip > 0 &&
		    web_conns_from(w, c) > w->cfg.max_conns_per_ip) {
			rq->answered = 1;
			return web_error(w, c, 429, method, url,
			    "too many connections from this address");
		}
		(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
		    web_count_header, &qlen);
		if (strlen(url) + qlen > w->cfg.max_url) {
			rq->answered = 1;
			return web_error(w, c, 414, method, "(long)",
			    "URL too long");
		}
		(void)MHD_get_connection_values(c, MHD_HEADER_KIND,
		    web_count_header, &hdr);
		if (hdr > w->cfg.max_header) {
			rq->answered = 1;
			return web_error(w, c, 431, method, url,
			    "request headers too large");
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL &&
		    (web_int(cl, 0, INT64_MAX, &v) < 0 ||
			(unsigned long long)v > w->cfg.max_body)) {
			rq->answered = 1;
			return web_error(w, c, 413, method, url,
			    "request body too large");
		}
		/*
		 * Answer on the next call, once MHD knows the request has no
		 * more body: a response queued in this first call makes MHD
		 * close the connection after it (no keep-alive).
		 */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!rq->too_large &&
		    rq->body.len + *upload_size <= w->cfg.max_body)
			sr_buf_add(&rq->body, upload, *upload_size);
		else
			rq->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	rq->answered = 1;
	return web_dispatch(w, c, rq, url, method);
}

static void
web_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sr_web *w = cls;
	struct web_req *rq = *req_cls;

	/* between requests on a kept-alive connection: the short timeout
	 * (not on a connection being closed) */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    w->cfg.timeout_s > WEB_HEADER_TIMEOUT_S)
		(void)MHD_set_connection_option(c,
		    MHD_CONNECTION_OPTION_TIMEOUT,
		    (unsigned)WEB_HEADER_TIMEOUT_S);
	if (rq == NULL)
		return;
	sr_buf_release(&rq->body);
	free(rq);
	*req_cls = NULL;
}

static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	fprintf(stderr, "sitrep serve: libmicrohttpd: %s\n", line);
}

/* ---------------------------------------------------------------------- */
/* Setup. */

/* Parse "ADDR:PORT" or "[ADDR]:PORT" into ss; 0 or -1. */
static int
web_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    int *loopback, struct sr_err *err)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints, *res = NULL;
	long long p;
	int rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return sr_err_set(err,
			    "bad listen address '%s': "
			    "want [ADDR]:PORT",
			    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1),
		    spec + 1);
		port = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || strchr(spec, ':') != colon)
			return sr_err_set(err,
			    "bad listen address '%s': "
			    "want ADDR:PORT",
			    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	if (web_int(port, 0, 65535, &p) < 0)
		return sr_err_set(err, "bad listen address '%s': bad port",
		    spec);
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return sr_err_set(err, "bad listen address '%s': %s", spec,
		    gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

/* Read a whole small file into a new string; NULL when it cannot. */
static char *
web_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct sr_buf b;
	char chunk[16384];
	size_t n;

	if (fp == NULL)
		return NULL;
	sr_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sr_buf_add(&b, chunk, n);
	fclose(fp);
	return sr_buf_detach(&b, len);
}

static int
web_start(struct sr_web *w, const char *spec, struct sr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int loopback = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	struct MHD_OptionItem tls[3];
	int n_tls = 0;

	if (w->n_daemons == WEB_MAX_ADDRS)
		return sr_err_set(err, "too many listen addresses (max %d)",
		    WEB_MAX_ADDRS);
	if (web_parse_addr(spec, &ss, &sl, &loopback, err) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (w->cfg.tls_cert_pem != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return sr_err_set(err,
			    "this libmicrohttpd was built "
			    "without TLS support");
		flags |= MHD_USE_TLS;
		tls[n_tls++] =
		    (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
			    (void *)(uintptr_t)w->cfg.tls_cert_pem };
		tls[n_tls++] =
		    (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
			    (void *)(uintptr_t)w->cfg.tls_key_pem };
	}
	tls[n_tls] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	d = MHD_start_daemon(flags, 0, NULL, NULL, web_handle, w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, w->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, w->cfg.max_conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, w->cfg.max_conns_per_ip * 2 + 8,
	    MHD_OPTION_CONNECTION_TIMEOUT, w->cfg.timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(w->cfg.max_header + w->cfg.max_url + 32 * 1024),
	    MHD_OPTION_NOTIFY_CONNECTION, web_notify_conn, w,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, w, MHD_OPTION_ARRAY,
	    tls, MHD_OPTION_END);
	if (d == NULL)
		return sr_err_set(err, "cannot listen on '%s'%s", spec,
		    w->cfg.tls_cert_pem
			? " (check the TLS certificate and "
			  "key, and that the port is free)"
			: " (address in use or not available?)");
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	w->ports[w->n_daemons] = di ? di->port : 0;
	w->daemons[w->n_daemons++] = d;
	web_log(w, "listening on %s (port %u)%s", spec,
	    w->ports[w->n_daemons - 1], w->cfg.tls_cert_pem ? ", HTTPS" : "");
	if (!loopback && w->token == NULL)
		web_log(w,
		    "warning: %s is reachable off this machine and no "
		    "--token-file is set: anyone who can connect reads the "
		    "data",
		    spec);
	return 0;
}

struct sr_web *
sr_web_open(const struct sr_web_cfg *cfg, struct sr_err *err)
{
	struct sr_web *w = sr_xcalloc(1, sizeof(*w));
	const char *chart;
	char *text;
	size_t len;

	w->cfg = *cfg;
	if (w->cfg.max_conns == 0)
		w->cfg.max_conns = 512;
	if (w->cfg.max_conns_per_ip == 0)
		w->cfg.max_conns_per_ip = 32;
	if (w->cfg.timeout_s == 0)
		w->cfg.timeout_s = 30;
	if (w->cfg.threads == 0)
		w->cfg.threads = 2;
	if (w->cfg.max_body == 0)
		w->cfg.max_body = 1024 * 1024;
	if (w->cfg.max_url == 0)
		w->cfg.max_url = 4096;
	if (w->cfg.max_header == 0)
		w->cfg.max_header = 16 * 1024;
	w->token = cfg->token && *cfg->token ? sr_xstrdup(cfg->token) : NULL;
	w->cors = cfg->cors_origin ? sr_xstrdup(cfg->cors_origin) : NULL;
	w->db_path = cfg->db_path ? sr_xstrdup(cfg->db_path) : NULL;
	w->cfg.token = w->cfg.cors_origin = w->cfg.db_path = NULL;
	w->cfg.listen = NULL;
	w->started_ms = sr_now_ms();
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->ip_lock, NULL);
	for (int i = 0; i < 16 && sr_web_assets[i].path != NULL; i++) {
		w->assets[i] =
		    MHD_create_response_from_buffer(sr_web_assets[i].len,
			(void *)(uintptr_t)sr_web_assets[i].data,
			MHD_RESPMEM_PERSISTENT);
		web_headers(w, w->assets[i], sr_web_assets[i].type);
		(void)MHD_add_response_header(w->assets[i],
		    "Content-Security-Policy",
		    "default-src 'self'; "
		    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
		    "connect-src 'self'; frame-ancestors 'none'");
	}
	chart = cfg->chart_js ? cfg->chart_js : SR_WEB_CHART_JS;
	if ((text = web_slurp(chart, &len)) != NULL) {
		w->chart = MHD_create_response_from_buffer(len, text,
		    MHD_RESPMEM_MUST_FREE);
		web_headers(w, w->chart, "text/javascript; charset=utf-8");
	} else {
		web_log(w,
		    "warning: no chart.js at %s: the page shows no "
		    "charts",
		    chart);
	}
	if (cfg->n_listen == 0) {
		if (web_start(w, SR_WEB_DEFAULT_LISTEN, err) < 0) {
			sr_web_close(w);
			return NULL;
		}
	}
	for (size_t i = 0; i < cfg->n_listen; i++)
		if (web_start(w, cfg->listen[i], err) < 0) {
			sr_web_close(w);
			return NULL;
		}
	return w;
}

/* Drop the shared responses of p (the frame reference too). */
static void
web_pub_release(struct web_pub *p)
{
	struct MHD_Response *rs[] = { p->health, p->overview, p->overview_hist,
		p->services, p->metrics, p->insights[0], p->insights[1],
		p->insights[2] };

	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
		if (rs[i] != NULL)
			MHD_destroy_response(rs[i]);
	sr_web_frame_unref(p->frame);
	memset(p, 0, sizeof(*p));
}

/* Resume every waiting SSE stream (taken off the list under the lock). */
static void
web_resume(struct web_sse *list)
{
	while (list != NULL) {
		struct web_sse *next = list->next;

		/* suspended (or about to be): cannot be freed meanwhile */
		MHD_resume_connection(list->c);
		list = next;
	}
}

/* Take the waiting list; caller holds w->lock. */
static struct web_sse *
web_take_waiting(struct sr_web *w)
{
	struct web_sse *list = w->waiting;

	for (struct web_sse *s = list; s != NULL; s = s->next)
		s->waiting = 0;
	w->waiting = NULL;
	return list;
}

/* The insights list filtered by state, as {"insights":[...]}. */
static struct MHD_Response *
web_insights(const struct sr_web *w, const struct sr_web_frame *f, int which)
{
	struct sr_buf b;
	struct MHD_Response *r;
	size_t n = 0;

	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"insights\":[");
	for (size_t i = 0; i < f->n_insights; i++) {
		if (which != 0 && f->insights[i].state != which)
			continue;
		if (n++ > 0)
			sr_buf_addc(&b, ',');
		sr_buf_adds(&b, f->insights[i].json);
	}
	sr_buf_adds(&b, "]}");
	r = web_text(w, b.data, b.len, "application/json");
	sr_buf_release(&b);
	return r;
}

void
sr_web_publish(struct sr_web *w, struct sr_web_frame *f)
{
	struct web_pub np, old;
	struct web_sse *list;
	static const char json[] = "application/json";

	memset(&np, 0, sizeof(np));
	np.frame = f;
	if (f->health)
		np.health = web_text(w, f->health, strlen(f->health), json);
	if (f->overview)
		np.overview =
		    web_text(w, f->overview, strlen(f->overview), json);
	if (f->overview_hist)
		np.overview_hist = web_text(w, f->overview_hist,
		    strlen(f->overview_hist), json);
	if (f->services)
		np.services =
		    web_text(w, f->services, strlen(f->services), json);
	if (f->metrics)
		np.metrics = web_text(w, f->metrics, strlen(f->metrics),
		    "text/plain; version=0.0.4; charset=utf-8");
	for (int i = 0; i < 3; i++)
		np.insights[i] = web_insights(w, f, i);
	pthread_mutex_lock(&w->lock);
	old = w->pub;
	w->pub = np;
	list = web_take_waiting(w);
	pthread_mutex_unlock(&w->lock);
	web_resume(list);
	web_pub_release(&old);
}

void
sr_web_close(struct sr_web *w)
{
	struct web_sse *list;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	list = web_take_waiting(w);
	pthread_mutex_unlock(&w->lock);
	web_resume(list);
	for (size_t i = 0; i < w->n_daemons; i++) {
		MHD_stop_daemon(w->daemons[i]);
		web_log(w, "stopped listening on port %u", w->ports[i]);
	}
	web_pub_release(&w->pub);
	for (int i = 0; i < 16; i++)
		if (w->assets[i] != NULL)
			MHD_destroy_response(w->assets[i]);
	if (w->chart != NULL)
		MHD_destroy_response(w->chart);
	free(w->ips);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->ip_lock);
	free(w->token);
	free(w->cors);
	free(w->db_path);
	free(w);
}

unsigned
sr_web_port(const struct sr_web *w, size_t i)
{
	return i < w->n_daemons ? w->ports[i] : 0;
}

void
sr_web_stats(struct sr_web *w, struct sr_web_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}
