/* SPDX-License-Identifier: MIT */
/*
 * history: the HTTP routes that read the store rather than the current
 * frame.  Each call opens its own read-only handle on the database file
 * (SQLite in WAL mode lets it read beside the writer) and closes it before
 * returning, so any HTTP thread may call these at any time.  A ":memory:"
 * database has no file another connection could read: callers answer 503
 * for these routes then (see sr_web_hist_available()).
 *
 * Output is appended to out as one JSON object.  On failure, *status says
 * which HTTP status fits (400 bad argument, 503 store unavailable).
 */
#ifndef SR_WEB_HISTORY_H
#define SR_WEB_HISTORY_H

#include <stdint.h>

#include "core/query.h"
#include "core/limits.h"
#include "core/util.h"

#define SR_WEB_MAX_POINTS 500 /* per series */

/*
 * A filter over events, shared by the live and the stored answers: ?q=
 * and ?status= are parsed into one query (core/query.h).
 */
struct sr_web_evq {
	int limit;	       /* 1..1000 */
	const char *service;   /* exact; NULL = any */
	struct sr_query query; /* q= terms and status= (a status list) */
	int64_t from_ms;       /* INT64_MIN = open */
	int64_t to_ms;	       /* INT64_MAX = open */
	int64_t after_row;     /* stored events with id > this */
	int newest;	       /* no cursor: the newest `limit`
					   (still oldest first) */
};

/* 1 if db_path names a file history can be read from. */
int sr_web_hist_available(const char *db_path);

/*
 * {"events":[...],"cursor":"<id>","truncated":false} from the store, in
 * id order.  Following with after_row = the cursor returns every stored
 * row exactly once, however the pages fall (see history.c).
 */
int sr_web_hist_events(const char *db_path, const struct sr_web_evq *q,
    struct sr_buf *out, int *status, struct sr_err *err);

/* {"name":..,"from":..,"to":..,"step_s":..,"points":[[ts,min,avg,max],..]} */
int sr_web_hist_series(const char *db_path, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms, struct sr_buf *out, int *status,
    struct sr_err *err);

/* CPU, memory, disk and network series over the last hours. */
int sr_web_hist_performance(const char *db_path, int64_t now_ms, double hours,
    struct sr_buf *out, int *status, struct sr_err *err);

/* The same JSON as `sitrep report --json` over [from, to). */
int sr_web_hist_summary(const char *db_path, const struct sr_limits *limits,
    int64_t from_ms, int64_t to_ms, struct sr_buf *out, int *status,
    struct sr_err *err);

#endif
