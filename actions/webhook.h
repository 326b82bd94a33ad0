/* SPDX-License-Identifier: MIT */
/*
 * webhook: sitrep's one carrier of HTTP POSTs (libcurl's multi
 * interface; actions/webhook.c is, with the HTTP source, the only code
 * that includes curl).  Insight actions POST their JSON through it, and
 * the OTLP exporter (runtime/otlp_export.c) its batches.  Nothing here
 * blocks: transfers advance when their sockets are ready.
 *
 * Two ways to drive it:
 *   - polled (sr_webhook_new()): sr_webhook_poll() from a tick runs
 *     curl_multi_perform() and the retries that are due;
 *   - watched (sr_webhook_new_watched()): curl's sockets and timer are
 *     handed to the caller's loop through struct sr_webhook_watch, which
 *     calls sr_webhook_on_fd() when one is ready and
 *     sr_webhook_on_timer() when the timer is due; a finished POST is
 *     reported at once.
 *
 * A POST succeeds on a 2xx answer.  A failed one (transport error,
 * timeout, another status) is tried again up to `retries` times after
 * 1 s, 2 s, 4 s ... (retries are run by sr_webhook_poll()); a request
 * that sets `done` hears once how it ended.  Redirects are not followed;
 * only http and https are spoken; TLS is verified.
 */
#ifndef SR_ACTIONS_WEBHOOK_H
#define SR_ACTIONS_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define SR_WEBHOOK_BODY_MAX 65536 /* answer bytes kept for done */

/* How one POST ended, borrowed for the done call. */
struct sr_webhook_result {
	int ok;		   /* a 2xx answer */
	long status;	   /* HTTP status, 0 when no answer came */
	const char *error; /* why no answer came ("Connection refused",
			       timeout ...), or NULL */
	const char *body;  /* the answer's first SR_WEBHOOK_BODY_MAX
			       bytes, NUL-terminated ("" when none) */
	size_t body_len;
	int64_t retry_after_ms; /* the answer's Retry-After, -1 absent */
};

typedef void sr_webhook_done_fn(void *ctx, const struct sr_webhook_result *r);

/* One POST. */
struct sr_webhook_req {
	const char *url;
	const char *body; /* copied */
	size_t len;
	const char *content_type;   /* NULL: application/json */
	const char *const *headers; /* more "Name: value" lines, NULL-ended,
				       copied; or NULL */
	int64_t timeout_ms;	    /* <= 0: 5 s */
	int retries;		    /* tries after the first */
	sr_webhook_done_fn *done;   /* or NULL */
	void *ctx;
};

/*
 * A watched carrier's hooks into a poll loop: fd() asks to watch fd for
 * reading and/or writing (in = out = 0: stop watching it); timer() asks
 * for sr_webhook_on_timer() after ms milliseconds (-1: cancel).  They
 * are called from inside the carrier's functions.
 */
struct sr_webhook_watch {
	void *ctx;
	void (*fd)(void *ctx, int fd, int in, int out);
	void (*timer)(void *ctx, int64_t ms);
};

struct sr_webhook;

/* A polled carrier; NULL with err set when curl cannot start. */
struct sr_webhook *sr_webhook_new(struct sr_err *err);
/* A watched carrier (w is copied); NULL with err set. */
struct sr_webhook *
sr_webhook_new_watched(const struct sr_webhook_watch *w, struct sr_err *err);

/*
 * Start a POST.  0, or -1 with err set when it cannot be started (then
 * done is not called).
 */
int sr_webhook_send(struct sr_webhook *w, const struct sr_webhook_req *rq,
    struct sr_err *err);
/* A JSON POST with retries and no done: what an action sends. */
int sr_webhook_post(struct sr_webhook *w, const char *url, int64_t timeout_ms,
    int retries, const char *json, struct sr_err *err);

/* Polled: drive transfers and due retries.  Returns POSTs not ended. */
size_t sr_webhook_poll(struct sr_webhook *w, int64_t now_mono_ms);
/* Watched: fd is ready (in, out, error as poll() said). */
void sr_webhook_on_fd(struct sr_webhook *w, int fd, int in, int out, int error);
/* Watched: the timer is due. */
void sr_webhook_on_timer(struct sr_webhook *w);

/* Abort what is left (done is not called); NULL does nothing. */
void sr_webhook_free(struct sr_webhook *w);
/* POSTs that succeeded / failed for good so far. */
uint64_t sr_webhook_ok(const struct sr_webhook *w);
uint64_t sr_webhook_failed(const struct sr_webhook *w);

#endif
