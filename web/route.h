/* SPDX-License-Identifier: MIT */
/*
 * route: what the HTTP server (web/server.c) shares with its routes
 * (web/route_*.c).  Not for other layers.
 *
 * Every URL the server answers is one row of sr_web_routes[] (web/route.c):
 * method, path, auth, limits and the functions that answer it.  The
 * server looks the row up when a request's headers are complete, applies
 * the request's Host, Origin and, for a row that changes state, its
 * Content-Type (web/guard.h), then the row's limits, checks the token
 * when the row needs one, answers 405
 * for a method no row of that path takes (exact rows only), 404 when no
 * row has the path, and otherwise calls the row's handler.  Adding a route
 * is one file (or a handler in a topic's web/route_<topic>.c) defining
 * its row, `const struct sr_web_route sr_web_route_NAME`, beside its
 * static handler, and one X(NAME) line in web/route.c.
 *
 * Threads: handlers run on MHD's threads, publish hooks on the main loop
 * (in sr_web_publish()), open and close hooks in sr_web_open() and
 * sr_web_close().
 */
#ifndef SR_WEB_ROUTE_H
#define SR_WEB_ROUTE_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "web/args.h"
#include "web/frame.h"
#include "web/server.h"

/* Shared answers a row may build per tick (overview: plain, history). */
#define SR_WEB_VARIANTS 3

enum sr_web_match {
	SR_WEB_EXACT, /* the path is the URL */
	SR_WEB_PREFIX /* the URL starts with the path ("" = every URL) */
};

enum sr_web_route_flags {
	SR_WEB_AUTH = 1 << 0,	 /* needs the bearer token, when one is set */
	SR_WEB_IF_CORS = 1 << 1, /* the row exists only with a CORS origin */
	/* the row's method is allowed only with accept_events (its handler
	 * says why otherwise) */
	SR_WEB_IF_POSTING = 1 << 2,
	/* the row is on only with accept_otlp (its handler says why
	 * otherwise) */
	SR_WEB_IF_OTLP = 1 << 3,
	/* the row is answered on the OTLP listener too (otlp_listen), which
	 * answers no other */
	SR_WEB_OTLP_PORT = 1 << 4
};

/* A row's limits; 0 = the server's (struct sr_web_cfg). */
struct sr_web_limits {
	size_t max_body;	   /* body bytes kept; over it: 413 */
	unsigned max_conns_per_ip; /* open connections; over it: 429 */
};

struct sr_web_route;

/* One request, as its handler sees it (valid for the handler's call). */
struct sr_web_req {
	struct sr_web *w;
	struct MHD_Connection *c;
	/* the server's, defaults filled in; listen, chart_js NULL */
	const struct sr_web_cfg *cfg;
	const struct sr_web_route *route;
	size_t route_index; /* its place in sr_web_routes[] */
	const char *method;
	const char *url;
	const struct sr_buf *body; /* at most the row's max_body bytes */
	int body_too_large;	   /* more was sent (and dropped) */
	void *state;		   /* what the row's open hook returned */
	void *conn;		   /* the server's, for sr_web_post_later() */
};

struct sr_web_route {
	const char *method; /* "GET" (HEAD too), "POST", "OPTIONS" */
	const char *path;
	enum sr_web_match match;
	unsigned flags; /* enum sr_web_route_flags */
	struct sr_web_limits limits;
	enum MHD_Result (*handler)(const struct sr_web_req *rq);
	/*
	 * Optional, main loop: build this row's shared answers for frame f
	 * into out[0..SR_WEB_VARIANTS-1] (all NULL on entry; NULL = none);
	 * the handler queues them with sr_web_shared().
	 */
	void (*publish)(struct sr_web *w, const struct sr_web_frame *f,
	    struct MHD_Response **out);
	/* Optional: state for rq->state, made in sr_web_open(). */
	void *(*open)(struct sr_web *w, const struct sr_web_route *rt,
	    const struct sr_web_cfg *cfg);
	void (*close)(void *state); /* frees what open made; NULL ok */
	/*
	 * The body's media types a row that changes state takes (comma
	 * list: "application/json"); any other Content-Type gets 415 before
	 * the body is read.  Required for a method other than GET and
	 * OPTIONS (so a cross-site form or text/plain fetch cannot reach
	 * it); NULL for those.
	 */
	const char *body_types;
};

/* The table (web/route.c), in the order rows are tried, NULL-ended. */
extern const struct sr_web_route *const sr_web_routes[];

/* ---- what the server offers its routes (web/server.c) ---- */

/* One line on stderr: "sitrep serve: ...". */
void sr_web_log(const struct sr_web *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Add the headers every answer carries (Content-Type when type is set). */
void sr_web_headers(const struct sr_web *w, struct MHD_Response *r,
    const char *type);
/* A new response holding a copy of text, with sr_web_headers(). */
struct MHD_Response *sr_web_text(const struct sr_web *w, const char *text,
    size_t len, const char *type);
/* Queue r with status, count it, and drop the caller's reference. */
enum MHD_Result sr_web_reply(const struct sr_web_req *rq, unsigned status,
    struct MHD_Response *r);
/* Queue b as application/json. */
enum MHD_Result sr_web_json(const struct sr_web_req *rq, unsigned status,
    const struct sr_buf *b);
/* Answer {"error": msg, "status": N} (and log it unless quiet). */
enum MHD_Result
sr_web_error(const struct sr_web_req *rq, unsigned status, const char *msg);
/*
 * Queue the shared answer the row's publish hook built for variant, or
 * 503 before the first tick.  sr_web_shared_try() answers nothing and
 * returns 0 when there is none, else 1 with *ret set.
 */
enum MHD_Result sr_web_shared(const struct sr_web_req *rq, int variant);
int sr_web_shared_try(const struct sr_web_req *rq, int variant,
    enum MHD_Result *ret);
/* The same with another status than 200 (a failing health: 503). */
int sr_web_shared_try_status(const struct sr_web_req *rq, int variant,
    unsigned status, enum MHD_Result *ret);
/* The current frame with a reference the caller drops; NULL before any. */
struct sr_web_frame *sr_web_frame_current(struct sr_web *w);
/* When the server started (wall clock, ms). */
int64_t sr_web_started_ms(const struct sr_web *w);
/* Count events accepted and refused for a full queue (sr_web_stats()). */
void sr_web_count_posted(struct sr_web *w, uint64_t ok, uint64_t full);

/*
 * Called once a post's commit succeeded (committed 1) or failed (0), on
 * an MHD thread, to queue the answer to rq; ctx is then freed (free()).
 */
typedef enum MHD_Result
sr_web_later_fn(const struct sr_web_req *rq, void *ctx, int committed);

/*
 * Hand n events to the main loop (cfg->post) and answer rq only once the
 * commit holding them succeeded or failed: the connection is suspended
 * until sr_web_post_done(), then done(rq, ctx, committed) queues the
 * answer, then free_ctx(ctx).  The handler returns MHD_YES after a 0.  Returns -1 with err
 * set when the loop refused the events (queue full, store failing) or the
 * server is stopping: nothing was queued, ctx is still the caller's and
 * the handler answers (503) itself.
 */
int sr_web_post_later(const struct sr_web_req *rq, const struct sr_event *evs,
    size_t n, sr_web_later_fn *done, void (*free_ctx)(void *ctx), void *ctx,
    struct sr_err *err);

/* A query argument, or NULL. */
const char *sr_web_arg(const struct sr_web_req *rq, const char *name);

/* rq's arguments for web/args.h: { sr_web_req_arg, rq }. */
static inline const char *
sr_web_req_arg(const void *rq, const char *name)
{
	return sr_web_arg(rq, name);
}

#endif
