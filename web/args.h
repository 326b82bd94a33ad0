/* SPDX-License-Identifier: MIT */
/*
 * args: the query-string arguments of the HTTP routes (?from= ?to= ?q=
 * ?status= ?limit= ?since= ?step= ?hours= ...), read and checked without
 * libmicrohttpd, so that the fuzz harness (tests/fuzz/fuzz_webargs.c) and
 * tests can call what the routes call.  A route hands its request's
 * arguments over as a struct sr_web_args whose get() looks a decoded
 * argument up by name (web/route.h, sr_web_req_arg); the harness hands a
 * table it decoded itself.
 */
#ifndef SR_WEB_ARGS_H
#define SR_WEB_ARGS_H

#include <stdint.h>

#include "core/util.h"
#include "web/history.h"

/* Where arguments come from: get(ctx, name) is the value, or NULL. */
struct sr_web_args {
	const char *(*get)(const void *ctx, const char *name);
	const void *ctx;
};

/* A whole decimal integer in [lo, hi]; 0 or -1. */
int sr_web_parse_int(const char *s, long long lo, long long hi, long long *out);
/* A number in [lo, hi] (fractions allowed); 0 or -1. */
int sr_web_parse_num(const char *s, double lo, double hi, double *out);
/* An instant, ISO-8601 or epoch seconds; 0 or -1. */
int sr_web_parse_time(const char *s, int64_t *ms);

/*
 * The event filters of GET /api/events (limit, service, q, status, from,
 * to) into q; 0, or -1 with the reason in why (q->query is then empty).
 * q->service borrows from the arguments.  The caller releases q->query.
 */
int sr_web_args_events(const struct sr_web_args *a, struct sr_web_evq *q,
    struct sr_err *why);

/*
 * ?since=, the cursor of GET /api/events: a row id, or (stored, from
 * older servers) "h<id>"; 0 with *row set, or -1.
 */
int sr_web_args_cursor(const char *since, int stored, int64_t *row);

/*
 * ?from= and ?to= over *from and *to (which hold the defaults); NULL, or
 * why the range is bad.
 */
const char *
sr_web_args_range(const struct sr_web_args *a, int64_t *from, int64_t *to);

/*
 * ?step= for a series over [from, to): at least a step that gives
 * SR_WEB_MAX_POINTS points, and at least a second; NULL, or why.
 */
const char *sr_web_args_step(const struct sr_web_args *a, int64_t from,
    int64_t to, int64_t *step);

/* ?hours=N (default dflt, 0.001 to a year); NULL, or why. */
const char *
sr_web_args_hours(const struct sr_web_args *a, double dflt, double *hours);

#endif
