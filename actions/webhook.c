/* SPDX-License-Identifier: MIT */
/*
 * webhook: POSTs with libcurl's multi interface (see webhook.h), never
 * curl_easy_perform, never a blocking wait.  Polled, curl_multi_perform()
 * runs from the tick; watched, curl's socket and timer callbacks are
 * forwarded to the caller's loop and curl_multi_socket_action() runs
 * when a socket is ready.  A failed POST is retried up to `retries` times
 * after 1 s, 2 s, 4 s ...; the request's done callback hears how it
 * ended, after curl's own loop over finished transfers (so it may start
 * another POST).
 */
#include "actions/webhook.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dl_curl.h"
#include "core/timeutil.h"

struct hook_req {
	CURL *easy; /* NULL while waiting for a retry */
	char *url;
	char *body;
	size_t len;
	struct curl_slist *headers;
	int64_t timeout_ms;
	int retries_left;
	int attempt;
	int64_t retry_at_ms; /* monotonic */
	sr_webhook_done_fn *done;
	void *ctx;
	struct sr_buf answer; /* at most SR_WEBHOOK_BODY_MAX bytes */
	int64_t retry_after_ms;
	char errbuf[CURL_ERROR_SIZE];
};

struct sr_webhook {
	CURLM *multi;
	int watched;
	struct sr_webhook_watch watch;
	struct hook_req **reqs;
	size_t n;
	uint64_t ok, failed;
};

/* curl's socket callback: what to watch on fd, to the caller's loop. */
static int
hook_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct sr_webhook *w = userp;

	(void)e;
	(void)sockp;
	w->watch.fd(w->watch.ctx, (int)fd,
	    what == CURL_POLL_IN || what == CURL_POLL_INOUT,
	    what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
	return 0;
}

static int
hook_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct sr_webhook *w = userp;

	(void)m;
	w->watch.timer(w->watch.ctx, timeout_ms < 0 ? -1 : (int64_t)timeout_ms);
	return 0;
}

static struct sr_webhook *
hook_new(const struct sr_webhook_watch *watch, struct sr_err *err)
{
	struct sr_webhook *w;

	if (sr_curl_load(err) < 0)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sr_err_set(err, "cannot initialise libcurl");
		return NULL;
	}
	w = sr_xcalloc(1, sizeof(*w));
	w->multi = curl_multi_init();
	if (w->multi == NULL) {
		free(w);
		curl_global_cleanup();
		sr_err_set(err, "cannot create a curl multi handle");
		return NULL;
	}
	if (watch != NULL) {
		w->watched = 1;
		w->watch = *watch;
		if (curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION,
			hook_sock_cb) != CURLM_OK ||
		    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w) !=
			CURLM_OK ||
		    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION,
			hook_timer_cb) != CURLM_OK ||
		    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w) !=
			CURLM_OK)
			SR_BUG("curl_multi_setopt");
	}
	return w;
}

struct sr_webhook *
sr_webhook_new(struct sr_err *err)
{
	return hook_new(NULL, err);
}

struct sr_webhook *
sr_webhook_new_watched(const struct sr_webhook_watch *watch, struct sr_err *err)
{
	return hook_new(watch, err);
}

static size_t
hook_write_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct hook_req *r = ctx;
	size_t len = size * n, room = SR_WEBHOOK_BODY_MAX - r->answer.len;

	/* keep the head of the answer, read (and drop) the rest */
	sr_buf_add(&r->answer, p, len < room ? len : room);
	return len;
}

static size_t
hook_header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct hook_req *r = ctx;
	size_t len = size * n;

	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		char num[24];
		size_t k = 12, m = 0;

		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		while (k < len && m + 1 < sizeof(num) && p[k] >= '0' &&
		    p[k] <= '9')
			num[m++] = p[k++];
		num[m] = '\0';
		/* seconds; an HTTP-date is left to the caller's backoff */
		if (m > 0 && m < 10)
			r->retry_after_ms = strtoll(num, NULL, 10) * 1000;
	}
	return len;
}

static int
hook_start(struct sr_webhook *w, struct hook_req *r)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		return -1;
	sr_buf_reset(&r->answer);
	r->retry_after_ms = -1;
	r->errbuf[0] = '\0';
	(void)curl_easy_setopt(e, CURLOPT_URL, r->url);
	(void)curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	(void)curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)r->len);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)r->timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, hook_write_cb);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, hook_header_cb);
	(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	(void)curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	(void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_USERAGENT, "sitrep/" SR_VERSION);
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return -1;
	}
	r->easy = e;
	r->attempt++;
	return 0;
}

/* Take r out of the list and free it. */
static void
hook_drop(struct sr_webhook *w, struct hook_req *r)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->reqs[i] == r) {
			w->reqs[i] = w->reqs[--w->n];
			break;
		}
	if (r->easy != NULL) {
		(void)curl_multi_remove_handle(w->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->headers);
	sr_buf_release(&r->answer);
	free(r->url);
	free(r->body);
	free(r);
}

int
sr_webhook_send(struct sr_webhook *w, const struct sr_webhook_req *rq,
    struct sr_err *err)
{
	struct hook_req *r = sr_xcalloc(1, sizeof(*r));
	char *ct = sr_xasprintf("Content-Type: %s",
	    rq->content_type ? rq->content_type : "application/json");

	r->url = sr_xstrdup(rq->url);
	r->body = sr_xmalloc(rq->len + 1);
	memcpy(r->body, rq->body, rq->len);
	r->body[rq->len] = '\0';
	r->len = rq->len;
	r->timeout_ms = rq->timeout_ms > 0 ? rq->timeout_ms : 5000;
	r->retries_left = rq->retries;
	r->done = rq->done;
	r->ctx = rq->ctx;
	sr_buf_init(&r->answer);
	r->headers = curl_slist_append(NULL, ct);
	free(ct);
	for (size_t i = 0; rq->headers != NULL && rq->headers[i] != NULL; i++)
		r->headers = curl_slist_append(r->headers, rq->headers[i]);
	w->reqs = sr_xrealloc(w->reqs, (w->n + 1) * sizeof(*w->reqs));
	w->reqs[w->n++] = r;
	if (r->headers == NULL || hook_start(w, r) < 0) {
		char *shown = sr_redact(rq->url); /* it may hold a token */

		sr_err_set(err, "cannot start a POST to '%s'", shown);
		free(shown);
		hook_drop(w, r);
		return -1;
	}
	return 0;
}

int
sr_webhook_post(struct sr_webhook *w, const char *url, int64_t timeout_ms,
    int retries, const char *json, struct sr_err *err)
{
	struct sr_webhook_req rq = { .url = url,
		.body = json,
		.len = strlen(json),
		.timeout_ms = timeout_ms,
		.retries = retries };

	return sr_webhook_send(w, &rq, err);
}

/* A POST ended for good: tell its caller, count it, free it. */
static void
hook_end(struct sr_webhook *w, struct hook_req *r, int ok, long code,
    const char *error)
{
	if (ok)
		w->ok++;
	else
		w->failed++;
	if (r->done != NULL) {
		struct sr_webhook_result res = { .ok = ok,
			.status = code,
			.error = error,
			.body = r->answer.data ? r->answer.data : "",
			.body_len = r->answer.len,
			.retry_after_ms = r->retry_after_ms };

		r->done(r->ctx, &res);
	}
	hook_drop(w, r);
}

/*
 * Collect the finished transfers, then end or reschedule each: done
 * callbacks run after curl's list is read, so they may send again.
 */
static void
hook_finished(struct sr_webhook *w)
{
	struct hook_req **fin = NULL;
	size_t nfin = 0;
	int left;
	CURLMsg *m;

	while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
		struct hook_req *r = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&r);
		if (m->data.result != CURLE_OK && r->errbuf[0] == '\0')
			(void)snprintf(r->errbuf, sizeof(r->errbuf), "%s",
			    curl_easy_strerror(m->data.result));
		fin = sr_xrealloc(fin, (nfin + 1) * sizeof(*fin));
		fin[nfin++] = r;
	}
	for (size_t i = 0; i < nfin; i++) {
		struct hook_req *r = fin[i];
		long code = 0;
		int ok;

		(void)curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
		ok = r->errbuf[0] == '\0' && code >= 200 && code < 300;
		(void)curl_multi_remove_handle(w->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		if (ok || r->retries_left-- <= 0) {
			hook_end(w, r, ok, code,
			    r->errbuf[0] ? r->errbuf : NULL);
			continue;
		}
		/* exponential backoff: 1 s, 2 s, 4 s ... */
		r->retry_at_ms = sr_mono_ms() +
		    (1000LL << (r->attempt - 1 < 10 ? r->attempt - 1 : 10));
	}
	free(fin);
}

size_t
sr_webhook_poll(struct sr_webhook *w, int64_t now)
{
	int running = 0;

	/* due retries first */
	for (size_t i = 0; i < w->n; i++) {
		struct hook_req *r = w->reqs[i];

		if (r->easy == NULL && now >= r->retry_at_ms &&
		    hook_start(w, r) < 0) {
			hook_end(w, r, 0, 0, "cannot start the transfer");
			i--;
		}
	}
	if (!w->watched)
		(void)curl_multi_perform(w->multi, &running);
	hook_finished(w);
	return w->n;
}

void
sr_webhook_on_fd(struct sr_webhook *w, int fd, int in, int out, int error)
{
	int running = 0;
	int ev = (in ? CURL_CSELECT_IN : 0) | (out ? CURL_CSELECT_OUT : 0) |
	    (error ? CURL_CSELECT_ERR : 0);

	/* errors surface through the transfer's result */
	(void)curl_multi_socket_action(w->multi, (curl_socket_t)fd, ev,
	    &running);
	hook_finished(w);
}

void
sr_webhook_on_timer(struct sr_webhook *w)
{
	int running = 0;

	(void)curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	hook_finished(w);
}

void
sr_webhook_free(struct sr_webhook *w)
{
	if (w == NULL)
		return;
	while (w->n > 0)
		hook_drop(w, w->reqs[0]);
	free(w->reqs);
	(void)curl_multi_cleanup(w->multi);
	free(w);
	curl_global_cleanup();
}

uint64_t
sr_webhook_ok(const struct sr_webhook *w)
{
	return w->ok;
}

uint64_t
sr_webhook_failed(const struct sr_webhook *w)
{
	return w->failed;
}
