/* SPDX-License-Identifier: MIT */
/*
 * otlp_export: log records read from the store after a cursor, and a
 * bounded queue of gauge points, sent in batches by the webhook carrier
 * on the app's loop (see otlp_export.h).
 *
 * Logs: the events after the cursor (the id of the last event the
 * collector acknowledged) up to the committed watermark `hi` are the
 * backlog; a request carries the first batch_max of them, read from the
 * store when it starts, and the cursor moves (and is stored, in the
 * cursors table) only when the collector answered.  Before each read the
 * backlog is counted, and what lies beyond queue_max is skipped (the
 * oldest go) and counted, in steps of at most OTLP_SKIP_MAX rows.
 * Metrics: a ring; its first `inflight` items are those of the request
 * out now, and they leave the ring only when the collector accepted (or
 * refused for good) that request.  A zero-delay loop timer (the kick)
 * starts a request once per loop iteration after items arrived, so the
 * events of one commit go out together.
 */
#include "runtime/otlp_export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/webhook.h"
#include "core/config.h"
#include "core/otlp_enc.h"
#include "core/store.h"
#include "runtime/loop.h"

#define OTLP_HEADERS_MAX 16
#define OTLP_BACKOFF_MS 1000 /* the first retry's wait */
/* The logs cursor's key in the store's cursors table (no source spec). */
#define OTLP_CURSOR "otlp-export:logs"
/* Backlog rows skipped per call at most: each call stays milliseconds. */
#define OTLP_SKIP_MAX 50000

/* One gauge point, its strings in one allocation with it. */
struct otlp_pt {
	struct sr_otlp_enc_point p;
	char mem[];
};

/* A signal's queue: events (logs) or points (metrics). */
struct otlp_sig {
	enum sr_snap_otlp_signal id;
	char *url;   /* base + "/v1/logs" or "/v1/metrics" */
	char *shown; /* url for messages: sr_redact()ed */
	void **ring; /* metrics only */
	size_t cap, head;
	size_t n;	 /* items waiting (logs: the backlog counted) */
	int64_t cursor;	 /* logs: the last event id done with */
	int64_t hi;	 /* logs: the newest event id committed */
	int64_t last_id; /* logs: the last event id of the request out */
	size_t inflight; /* items of the request out now; 0: none */
	int sending;
	int failures_row;    /* failed attempts since the last success */
	int64_t retry_timer; /* 0: no retry waiting */
	int64_t retry_at_ms; /* UTC ms of that retry */
	struct sr_snap_otlp_counts n_;
	struct sr_otlp_export *x;
};

struct sr_otlp_export {
	struct sr_loop *loop;
	struct sr_store *st; /* the app's: read and the cursor written */
	struct sr_webhook *hook;
	char *url_shown;
	char *hostname;
	char *headers[OTLP_HEADERS_MAX + 2]; /* NULL-ended */
	size_t queue_max, batch_max;
	int64_t interval_ms, timeout_ms, max_backoff_ms;
	int64_t next_collect_mono; /* 0: at the first snapshot */
	int64_t kick_timer;	   /* 0: none armed */
	int64_t curl_timer;	   /* 0: none armed */
	struct otlp_sig sig[SR_SNAP_OTLP__SIGNALS];
	char last_error[256];
	int draining;
};

/* ---- the carrier's hooks into the loop ---- */

static void
otlp_on_fd(struct sr_loop *l, int fd, unsigned revents, void *ctx)
{
	struct sr_otlp_export *x = ctx;

	(void)l;
	sr_webhook_on_fd(x->hook, fd, (revents & SR_LOOP_READ) != 0,
	    (revents & SR_LOOP_WRITE) != 0, (revents & SR_LOOP_ERROR) != 0);
}

static void
otlp_watch_fd(void *ctx, int fd, int in, int out)
{
	struct sr_otlp_export *x = ctx;

	if (!in && !out) {
		sr_loop_del_fd(x->loop, fd);
		return;
	}
	/* a negative fd is curl's bug: its transfer then times out */
	(void)sr_loop_add_fd(x->loop, fd,
	    (in ? SR_LOOP_READ : 0) | (out ? SR_LOOP_WRITE : 0), otlp_on_fd, x,
	    NULL);
}

static int64_t
otlp_curl_due(struct sr_loop *l, int64_t id, void *ctx)
{
	struct sr_otlp_export *x = ctx;

	(void)l;
	if (x->curl_timer == id)
		x->curl_timer = 0;
	sr_webhook_on_timer(x->hook); /* may arm the next one */
	return SR_TIMER_STOP;
}

static void
otlp_watch_timer(void *ctx, int64_t ms)
{
	struct sr_otlp_export *x = ctx;

	if (x->curl_timer != 0)
		sr_loop_del_timer(x->loop, x->curl_timer);
	x->curl_timer =
	    ms < 0 ? 0 : sr_loop_add_timer(x->loop, ms, otlp_curl_due, x);
}

/* ---- queues ---- */

static void *
otlp_at(const struct otlp_sig *g, size_t i)
{
	return g->ring[(g->head + i) % g->cap];
}

/* Add an item (taken); past queue_max it is freed and counted. */
static void
otlp_push(struct sr_otlp_export *x, struct otlp_sig *g, void *item)
{
	if (g->n >= x->queue_max) {
		g->n_.dropped_queue_full++;
		free(item);
		return;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		void **r;

		if (cap > x->queue_max)
			cap = x->queue_max;
		r = sr_xcalloc(cap, sizeof(*r));
		for (size_t i = 0; i < g->n; i++)
			r[i] = otlp_at(g, i);
		free(g->ring);
		g->ring = r;
		g->cap = cap;
		g->head = 0;
	}
	g->ring[(g->head + g->n++) % g->cap] = item;
}

/* Take the first k items out of the queue. */
static void
otlp_pop(struct otlp_sig *g, size_t k)
{
	for (size_t i = 0; i < k && g->n > 0; i++) {
		free(g->ring[g->head]);
		g->head = (g->head + 1) % g->cap;
		g->n--;
	}
}

/* ---- the logs backlog, in the store ---- */

static void
otlp_store_error(struct sr_otlp_export *x, const struct sr_err *err)
{
	(void)snprintf(x->last_error, sizeof(x->last_error), "logs: %.240s",
	    err->msg);
}

/*
 * Done with the events up to id (sent, rejected or skipped): move the
 * cursor and store it in the open batch, so it is committed within the
 * store's flush interval (in hold mode a failing store holds it).
 */
static void
otlp_logs_store(struct otlp_sig *g, int64_t id)
{
	struct sr_err err;
	char v[32];

	g->cursor = id;
	(void)snprintf(v, sizeof(v), "%" PRId64, id);
	if (sr_store_set_cursor(g->x->st, OTLP_CURSOR, v, &err) < 0)
		otlp_store_error(g->x, &err);
}

static void
otlp_logs_advance(struct otlp_sig *g, int64_t id)
{
	if (id > g->cursor)
		otlp_logs_store(g, id);
}

/*
 * Count the backlog (cursor, hi] and skip its oldest events beyond
 * queue_max, counted as dropped; at most OTLP_SKIP_MAX of them a call.
 * Returns 0 when the backlog (g->n) is within the bound, 1 when more is
 * to be skipped first (the next call goes on), -1 when the store could
 * not be read (last_error says why).
 */
static int
otlp_logs_trim(struct otlp_sig *g)
{
	struct sr_otlp_export *x = g->x;
	int64_t lim = (int64_t)x->queue_max + OTLP_SKIP_MAX, n, k, last;
	struct sr_err err;
	int more;

	if (sr_store_event_span(x->st, g->cursor, g->hi, lim, &n, &last, &err) <
	    0) {
		otlp_store_error(x, &err);
		return -1;
	}
	more = n == lim; /* counted up to the limit: there may be more */
	if (n > (int64_t)x->queue_max) {
		if (sr_store_event_span(x->st, g->cursor, g->hi,
			n - (int64_t)x->queue_max, &k, &last, &err) < 0) {
			otlp_store_error(x, &err);
			return -1;
		}
		g->n_.dropped_queue_full += (uint64_t)k;
		otlp_logs_advance(g, last);
		n -= k;
	}
	g->n = (size_t)n;
	return more;
}

static void otlp_send(struct otlp_sig *g);

static int64_t
otlp_kick_due(struct sr_loop *l, int64_t id, void *ctx)
{
	struct sr_otlp_export *x = ctx;

	(void)l;
	(void)id;
	x->kick_timer = 0;
	for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++)
		otlp_send(&x->sig[s]);
	return SR_TIMER_STOP;
}

/* Start the idle signals' requests on the next loop iteration. */
static void
otlp_kick(struct sr_otlp_export *x)
{
	if (x->kick_timer == 0)
		x->kick_timer = sr_loop_add_timer(x->loop, 0, otlp_kick_due, x);
}

static int64_t
otlp_retry_due(struct sr_loop *l, int64_t id, void *ctx)
{
	struct otlp_sig *g = ctx;

	(void)l;
	(void)id;
	g->retry_timer = 0;
	g->retry_at_ms = 0;
	otlp_send(g);
	return SR_TIMER_STOP;
}

static void otlp_done(void *ctx, const struct sr_webhook_result *r);

/* Events read from the store for one request. */
struct otlp_read {
	struct sr_event *evs;
	size_t n;
	int64_t last; /* the id of the last one */
};

static int
otlp_read_ev(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct otlp_read *r = ctx;

	sr_event_copy(&r->evs[r->n++], ev);
	r->last = id;
	return 0;
}

/*
 * The body of the next logs request: the backlog's first batch_max
 * events, read from the store after the cursor.  Returns how many (0:
 * none, more to skip first, or the store could not be read).
 */
static size_t
otlp_logs_body(struct otlp_sig *g, struct sr_buf *b)
{
	struct sr_otlp_export *x = g->x;
	struct otlp_read r = { 0 };
	const struct sr_event **p;
	struct sr_store_evq q;
	struct sr_err err;
	size_t k;
	int rc;

	if (otlp_logs_trim(g) != 0 || g->n == 0)
		return 0;
	k = g->n < x->batch_max ? g->n : x->batch_max;
	sr_store_evq_init(&q);
	q.after_id = g->cursor;
	q.before_id = g->hi + 1; /* committed rows only */
	q.limit = k < INT32_MAX ? (int)k : INT32_MAX;
	q.order = SR_STORE_BY_ID;
	r.evs = sr_xcalloc(k, sizeof(*r.evs));
	if ((rc = (int)sr_store_events(x->st, &q, otlp_read_ev, &r, &err)) < 0)
		otlp_store_error(x, &err);
	p = sr_xcalloc(r.n + 1, sizeof(*p));
	for (size_t i = 0; i < r.n; i++)
		p[i] = &r.evs[i];
	if (rc >= 0 && r.n > 0) {
		sr_otlp_enc_logs_json(b, p, r.n, x->hostname);
		g->last_id = r.last;
	}
	for (size_t i = 0; i < r.n; i++)
		sr_event_release(&r.evs[i]);
	free(p);
	free(r.evs);
	return rc < 0 ? 0 : r.n;
}

/* The body of the metrics queue's first k points. */
static void
otlp_metrics_body(struct otlp_sig *g, size_t k, struct sr_buf *b)
{
	struct sr_otlp_enc_point *pts = sr_xcalloc(k, sizeof(*pts));

	for (size_t i = 0; i < k; i++)
		pts[i] = ((struct otlp_pt *)otlp_at(g, i))->p;
	sr_otlp_enc_metrics_json(b, pts, k, g->x->hostname);
	free(pts);
}

/* Done with the first k items: sent, or refused for good. */
static void
otlp_finish(struct otlp_sig *g, size_t k)
{
	if (g->id == SR_SNAP_OTLP_LOGS) {
		otlp_logs_advance(g, g->last_id);
		g->n = g->n > k ? g->n - k : 0;
	} else {
		otlp_pop(g, k);
	}
}

/* Send the next batch when the signal is idle and has items. */
static void
otlp_send(struct otlp_sig *g)
{
	struct sr_otlp_export *x = g->x;
	struct sr_webhook_req rq;
	struct sr_err err;
	struct sr_buf b;
	size_t k = 0;

	if (g->sending || g->retry_timer != 0)
		return;
	sr_buf_init(&b);
	if (g->id == SR_SNAP_OTLP_LOGS) {
		k = otlp_logs_body(g, &b);
	} else if (g->n > 0) {
		k = g->n < x->batch_max ? g->n : x->batch_max;
		otlp_metrics_body(g, k, &b);
	}
	if (k == 0) {
		sr_buf_release(&b);
		return;
	}
	rq = (struct sr_webhook_req){ .url = g->url,
		.body = b.data,
		.len = b.len,
		.headers = (const char *const *)x->headers,
		.timeout_ms = x->timeout_ms,
		.done = otlp_done,
		.ctx = g };
	g->inflight = k;
	g->sending = 1;
	if (sr_webhook_send(x->hook, &rq, &err) < 0) {
		struct sr_webhook_result r = { .error = err.msg,
			.body = "",
			.retry_after_ms = -1 };

		otlp_done(g, &r); /* a failure like any other */
	}
	sr_buf_release(&b);
}

/* Statuses the OTLP specification says to retry (and no answer at all). */
static int
otlp_retryable(const struct sr_webhook_result *r)
{
	return r->status == 0 || r->status == 429 || r->status == 502 ||
	    r->status == 503 || r->status == 504;
}

static void
otlp_done(void *ctx, const struct sr_webhook_result *r)
{
	struct otlp_sig *g = ctx;
	struct sr_otlp_export *x = g->x;
	const char *name = sr_snap_otlp_signal_name(g->id);
	size_t k = g->inflight;
	int64_t wait;

	g->sending = 0;
	g->inflight = 0;
	if (r->ok) {
		uint64_t rejected = 0;
		char msg[200];

		if (sr_otlp_enc_partial(r->body, r->body_len, &rejected, msg,
			sizeof(msg))) {
			if (rejected > k)
				rejected = k;
			g->n_.dropped_rejected += rejected;
			(void)snprintf(x->last_error, sizeof(x->last_error),
			    "%s: the collector rejected %" PRIu64 " of %zu: %s",
			    name, rejected, k, msg);
		}
		g->n_.sent += k - rejected;
		g->failures_row = 0;
		otlp_finish(g, k);
		otlp_kick(x);
		return;
	}
	g->n_.failures++;
	if (r->error != NULL)
		(void)snprintf(x->last_error, sizeof(x->last_error),
		    "%s: POST %s: %s", name, g->shown, r->error);
	else
		(void)snprintf(x->last_error, sizeof(x->last_error),
		    "%s: POST %s: HTTP %ld%s%.100s", name, g->shown, r->status,
		    r->body_len > 0 ? ": " : "", r->body);
	if (!otlp_retryable(r)) {
		/* the collector will not take these: retrying cannot help */
		g->failures_row = 0; /* nothing waits for a retry */
		g->n_.dropped_rejected += k;
		otlp_finish(g, k);
		otlp_kick(x);
		return;
	}
	if (x->draining) /* the drain stops at a failure */
		return;
	g->failures_row++;
	wait = (int64_t)OTLP_BACKOFF_MS
	    << (g->failures_row - 1 < 16 ? g->failures_row - 1 : 16);
	if (r->retry_after_ms > wait)
		wait = r->retry_after_ms;
	if (wait > x->max_backoff_ms)
		wait = x->max_backoff_ms;
	g->retry_at_ms = sr_now_ms() + wait;
	g->retry_timer = sr_loop_add_timer(x->loop, wait, otlp_retry_due, g);
}

/* ---- set-up ---- */

/*
 * One "name=value" (what: where it came from, for messages) into a
 * "name: value" header line; blank items are skipped.  0 or -1.
 */
static int
otlp_header(struct sr_otlp_export *x, char *item, const char *what,
    struct sr_err *err)
{
	char *k = item, *v, *e, *eq = strchr(item, '=');
	size_t nh = 0;

	while (x->headers[nh] != NULL)
		nh++;
	if (item[strspn(item, " \t\r\n")] == '\0')
		return 0;
	if (eq == NULL) /* the value may be a secret: not repeated */
		return sr_err_set(err, "%s: want name=value", what);
	v = eq + 1;
	*eq = '\0';
	while (*k == ' ' || *k == '\t')
		k++;
	for (e = k + strlen(k); e > k && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v + strlen(v); e > v && strchr(" \t\r\n", e[-1]) != NULL;)
		*--e = '\0';
	if (*k == '\0' || strpbrk(k, ": \t\r\n") != NULL ||
	    strpbrk(v, "\r\n") != NULL)
		return sr_err_set(err, "%s: bad header name '%s'", what, k);
	if (nh == OTLP_HEADERS_MAX)
		return sr_err_set(err, "%s: more than %d headers", what,
		    OTLP_HEADERS_MAX);
	x->headers[nh] = sr_xasprintf("%s: %s", k, v);
	return 0;
}

/* export_headers: "name=value,name=value"; 0 or -1. */
static int
otlp_headers(struct sr_otlp_export *x, const char *list, struct sr_err *err)
{
	char *copy = sr_xstrdup(list ? list : ""), *save = NULL, *item;
	int rc = 0;

	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	     item = strtok_r(NULL, ",", &save))
		rc = otlp_header(x, item, "export_headers", err);
	free(copy);
	return rc;
}

/* export_headers_file: one name=value a line, '#' comments; 0 or -1. */
static int
otlp_headers_file(struct sr_otlp_export *x, const char *path,
    struct sr_err *err)
{
	FILE *f;
	char line[4096], what[64];
	int n = 0, rc = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "r")) == NULL)
		return sr_err_set(err, "cannot read headers file '%s': %s",
		    path, strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		n++;
		if (line[strspn(line, " \t")] == '#')
			continue;
		(void)snprintf(what, sizeof(what),
		    "export_headers_file line %d", n);
		rc = otlp_header(x, line, what, err);
	}
	(void)fclose(f); /* read-only */
	return rc;
}

/*
 * The logs cursor stored by an earlier run, or, on the first, the newest
 * event stored now (what was stored before the export was turned on is
 * not sent), stored at once.  0 or -1.
 */
static int
otlp_logs_resume(struct sr_otlp_export *x, struct sr_err *err)
{
	struct otlp_sig *g = &x->sig[SR_SNAP_OTLP_LOGS];
	char *v = NULL, *end = NULL;
	long long id;

	if (sr_store_max_event_id(x->st, &g->hi, err) < 0 ||
	    sr_store_get_cursor(x->st, OTLP_CURSOR, &v, err) < 0)
		return -1;
	if (v == NULL) {
		otlp_logs_store(g, g->hi);
		return 0;
	}
	errno = 0;
	id = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || id < 0 || id > g->hi)
		id = g->hi; /* not ours, or the newest rows went: from now */
	free(v);
	g->cursor = id;
	return 0;
}

struct sr_otlp_export *
sr_otlp_export_new(const struct sr_config_otlp *c, struct sr_loop *l,
    struct sr_store *st, const char *hostname, struct sr_err *err)
{
	struct sr_otlp_export *x = sr_xcalloc(1, sizeof(*x));
	struct sr_webhook_watch w = { .ctx = x,
		.fd = otlp_watch_fd,
		.timer = otlp_watch_timer };
	const char *env = getenv("SITREP_OTLP_TOKEN");
	char *token = NULL;
	size_t ulen = strlen(c->export_url);

	x->loop = l;
	x->st = st;
	x->url_shown = sr_redact(c->export_url);
	x->hostname = sr_xstrdup(hostname ? hostname : "");
	x->queue_max = c->export_queue > 0 ? (size_t)c->export_queue : 1;
	x->batch_max = c->export_batch > 0 ? (size_t)c->export_batch : 1;
	x->interval_ms =
	    c->export_interval_ms > 0 ? c->export_interval_ms : 10000;
	x->timeout_ms = c->export_timeout_ms > 0 ? c->export_timeout_ms : 10000;
	x->max_backoff_ms = c->export_max_backoff_ms >= OTLP_BACKOFF_MS
	    ? c->export_max_backoff_ms
	    : OTLP_BACKOFF_MS;
	while (ulen > 0 && c->export_url[ulen - 1] == '/')
		ulen--;
	for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++) {
		x->sig[s].id = (enum sr_snap_otlp_signal)s;
		x->sig[s].x = x;
		x->sig[s].url = sr_xasprintf("%.*s/v1/%s", (int)ulen,
		    c->export_url, s == SR_SNAP_OTLP_LOGS ? "logs" : "metrics");
		x->sig[s].shown = sr_redact(x->sig[s].url);
	}
	if (c->export_token_file != NULL && *c->export_token_file != '\0') {
		if ((token = sr_token_read(c->export_token_file, err)) == NULL)
			goto fail;
	} else if (env != NULL && *env != '\0') {
		token = sr_xstrdup(env);
	}
	if (token != NULL) {
		x->headers[0] = sr_xasprintf("Authorization: Bearer %s", token);
		free(token);
	}
	if (otlp_headers(x, c->export_headers, err) < 0 ||
	    otlp_headers_file(x, c->export_headers_file, err) < 0)
		goto fail;
	if (otlp_logs_resume(x, err) < 0)
		goto fail;
	if ((x->hook = sr_webhook_new_watched(&w, err)) == NULL)
		goto fail;
	otlp_kick(x); /* a backlog from the last run */
	return x;
fail:
	sr_err_prefix(err, "[otlp] export to '%s'", x->url_shown);
	sr_otlp_export_free(x);
	return NULL;
}

void
sr_otlp_export_free(struct sr_otlp_export *x)
{
	if (x == NULL)
		return;
	/* first: curl gives its sockets and timer back through the hooks */
	sr_webhook_free(x->hook);
	if (x->curl_timer != 0)
		sr_loop_del_timer(x->loop, x->curl_timer);
	if (x->kick_timer != 0)
		sr_loop_del_timer(x->loop, x->kick_timer);
	for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++) {
		struct otlp_sig *g = &x->sig[s];

		if (g->retry_timer != 0)
			sr_loop_del_timer(x->loop, g->retry_timer);
		if (g->id == SR_SNAP_OTLP_METRICS)
			otlp_pop(g, g->n);
		free(g->ring);
		free(g->url);
		free(g->shown);
	}
	for (size_t i = 0; x->headers[i] != NULL; i++)
		free(x->headers[i]);
	free(x->url_shown);
	free(x->hostname);
	free(x);
}

/* ---- what the app hands over ---- */

void
sr_otlp_export_committed(struct sr_otlp_export *x)
{
	struct otlp_sig *g = &x->sig[SR_SNAP_OTLP_LOGS];
	struct sr_err err;
	int64_t hi;

	/* an open batch may hold rows that a failed commit takes back */
	if (sr_store_flush_due_ms(x->st) >= 0 ||
	    sr_store_state(x->st) != SR_STORE_OK)
		return;
	if (sr_store_max_event_id(x->st, &hi, &err) < 0) {
		otlp_store_error(x, &err);
		return;
	}
	if (hi == g->hi)
		return;
	/*
	 * Fewer than before: the newest rows were deleted (max_events), so
	 * the ids after hi will be given again to new events.
	 */
	if (hi < g->cursor)
		otlp_logs_store(g, hi);
	g->hi = hi;
	if (!g->sending) /* the count pending() and a drain at stop see */
		(void)otlp_logs_trim(g);
	otlp_kick(x);
}

static void
otlp_add_point(void *ctx, const struct sr_otlp_enc_point *p)
{
	struct sr_otlp_export *x = ctx;
	size_t ln = strlen(p->name) + 1, lu = strlen(p->unit) + 1;
	size_t lk = p->key ? strlen(p->key) + 1 : 0;
	size_t lv = p->key ? strlen(p->val) + 1 : 0;
	struct otlp_pt *pt = sr_xmalloc(sizeof(*pt) + ln + lu + lk + lv);
	char *m = pt->mem;

	pt->p = *p;
	pt->p.name = memcpy(m, p->name, ln);
	pt->p.unit = memcpy(m += ln, p->unit, lu);
	if (p->key != NULL) {
		pt->p.key = memcpy(m += lu, p->key, lk);
		pt->p.val = memcpy(m + lk, p->val, lv);
	}
	otlp_push(x, &x->sig[SR_SNAP_OTLP_METRICS], pt);
}

void
sr_otlp_export_snapshot(struct sr_otlp_export *x, const struct sr_snapshot *s)
{
	struct otlp_sig *g = &x->sig[SR_SNAP_OTLP_LOGS];
	int64_t now = sr_mono_ms();

	/*
	 * Every tick: the logs backlog's count and bound while a retry
	 * waits (drops show while the collector is away), a request (which
	 * trims first) when idle: a skip left over goes on.
	 */
	if (g->retry_timer != 0)
		(void)otlp_logs_trim(g);
	else if (!g->sending)
		otlp_kick(x);
	if (x->next_collect_mono != 0 && now < x->next_collect_mono)
		return;
	x->next_collect_mono = now + x->interval_ms;
	(void)sr_otlp_enc_snapshot_points(s, otlp_add_point, x);
	otlp_kick(x);
}

void
sr_otlp_export_status(const struct sr_otlp_export *x, struct sr_snap_otlp *out)
{
	memset(out, 0, sizeof(*out));
	out->on = 1;
	out->url = x->url_shown;
	for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++) {
		const struct otlp_sig *g = &x->sig[s];

		out->sig[s] = g->n_;
		out->sig[s].queued = g->n;
		if (g->failures_row > 0) {
			out->retrying = 1;
			if (out->next_attempt_ms == 0 ||
			    (g->retry_at_ms != 0 &&
				g->retry_at_ms < out->next_attempt_ms))
				out->next_attempt_ms = g->retry_at_ms;
		}
	}
	out->last_error = x->last_error[0] ? x->last_error : NULL;
}

size_t
sr_otlp_export_pending(const struct sr_otlp_export *x)
{
	return x->sig[SR_SNAP_OTLP_LOGS].n + x->sig[SR_SNAP_OTLP_METRICS].n;
}

size_t
sr_otlp_export_drain(struct sr_otlp_export *x, int64_t timeout_ms)
{
	int64_t end = sr_mono_ms() + timeout_ms;

	x->draining = 1;
	for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++) {
		struct otlp_sig *g = &x->sig[s];

		if (g->retry_timer != 0) { /* no waiting out a backoff now */
			sr_loop_del_timer(x->loop, g->retry_timer);
			g->retry_timer = 0;
		}
	}
	otlp_kick(x);
	while (sr_otlp_export_pending(x) > 0 && sr_mono_ms() < end) {
		int busy = 0;

		for (int s = 0; s < SR_SNAP_OTLP__SIGNALS; s++)
			busy |= x->sig[s].sending;
		if (!busy && x->kick_timer == 0)
			break; /* a request failed: stop here */
		if (sr_loop_run_once(x->loop, (int)(end - sr_mono_ms()), NULL) <
		    0)
			break;
	}
	return sr_otlp_export_pending(x);
}
