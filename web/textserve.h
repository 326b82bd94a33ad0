/* SPDX-License-Identifier: MIT */
/*
 * textserve: a tiny single-threaded HTTP responder (libmicrohttpd, no
 * thread of its own) answering GET on one path with text a callback
 * writes at that moment; `sitrep demo --llm-metrics` serves its synthetic
 * vLLM /metrics with it.  The owner calls sr_web_text_run() from its own
 * loop (it never blocks), so the callback runs on the owner's thread and
 * needs no lock.  Other paths get 404, other methods 405.
 */
#ifndef SR_WEB_TEXTSERVE_H
#define SR_WEB_TEXTSERVE_H

#include "core/util.h"

/* Append the body to out (empty on entry). */
typedef void sr_web_text_fn(void *ctx, struct sr_buf *out);

struct sr_web_text;

/*
 * Listen on addr ("ADDR:PORT", "[V6]:PORT"; port 0 picks one) and answer
 * GET path with fn's text as content_type.  NULL with the reason in err.
 */
struct sr_web_text *
sr_web_text_open(const char *addr, const char *path, const char *content_type,
    sr_web_text_fn *fn, void *ctx, struct sr_err *err);
/* The port listened on. */
unsigned sr_web_text_port(const struct sr_web_text *t);
/* Serve what is ready now, without blocking. */
void sr_web_text_run(struct sr_web_text *t);
void sr_web_text_close(struct sr_web_text *t);

#endif
