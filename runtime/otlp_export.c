/* SPDX-License-Identifier: MIT */
/*
 * otlp_export: bounded queues of log records and gauge points, sent in
 * batches by the webhook carrier on the app's loop (see otlp_export.h).
 *
 * Each signal's queue is a ring; its first `inflight` items are those of
 * the request out now, and they leave the ring only when the collector
 * accepted (or refused for good) that request.  A zero-delay loop timer
 * (the kick) starts a request once per loop iteration after items
 * arrived, so the events one wake-up folds go out together.
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
#include "runtime/loop.h"

#define OTLP_HEADERS_MAX 16
#define OTLP_BACKOFF_MS 1000 /* the first retry's wait */

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
	void **ring;
	size_t cap, head, n;
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

static void
otlp_item_free(const struct otlp_sig *g, void *item)
{
	if (g->id == SR_SNAP_OTLP_LOGS)
		sr_event_release(item);
	free(item);
}

/* Add an item (taken); past queue_max it is freed and counted. */
static void
otlp_push(struct sr_otlp_export *x, struct otlp_sig *g, void *item)
{
	if (g->n >= x->queue_max) {
		g->n_.dropped_queue_full++;
		otlp_item_free(g, item);
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
		otlp_item_free(g, g->ring[g->head]);
		g->head = (g->head + 1) % g->cap;
		g->n--;
	}
}

/* ---- sending ---- */

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

/* The request body of the first k items. */
static void
otlp_body(struct otlp_sig *g, size_t k, struct sr_buf *b)
{
	if (g->id == SR_SNAP_OTLP_LOGS) {
		const struct sr_event **evs = sr_xcalloc(k, sizeof(*evs));

		for (size_t i = 0; i < k; i++)
			evs[i] = otlp_at(g, i);
		sr_otlp_enc_logs_json(b, evs, k, g->x->hostname);
		free(evs);
	} else {
		struct sr_otlp_enc_point *pts = sr_xcalloc(k, sizeof(*pts));

		for (size_t i = 0; i < k; i++)
			pts[i] = ((struct otlp_pt *)otlp_at(g, i))->p;
		sr_otlp_enc_metrics_json(b, pts, k, g->x->hostname);
		free(pts);
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
	size_t k;

	if (g->sending || g->retry_timer != 0 || g->n == 0)
		return;
	k = g->n < x->batch_max ? g->n : x->batch_max;
	sr_buf_init(&b);
	otlp_body(g, k, &b);
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
		otlp_pop(g, k);
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
		otlp_pop(g, k);
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

struct sr_otlp_export *
sr_otlp_export_new(const struct sr_config_otlp *c, struct sr_loop *l,
    const char *hostname, struct sr_err *err)
{
	struct sr_otlp_export *x = sr_xcalloc(1, sizeof(*x));
	struct sr_webhook_watch w = { .ctx = x,
		.fd = otlp_watch_fd,
		.timer = otlp_watch_timer };
	const char *env = getenv("SITREP_OTLP_TOKEN");
	char *token = NULL;
	size_t ulen = strlen(c->export_url);

	x->loop = l;
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
	if ((x->hook = sr_webhook_new_watched(&w, err)) == NULL)
		goto fail;
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
sr_otlp_export_event(struct sr_otlp_export *x, const struct sr_event *ev)
{
	struct sr_event *copy = sr_xmalloc(sizeof(*copy));

	sr_event_copy(copy, ev);
	otlp_push(x, &x->sig[SR_SNAP_OTLP_LOGS], copy);
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
	int64_t now = sr_mono_ms();

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
