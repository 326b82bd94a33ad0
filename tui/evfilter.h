/* SPDX-License-Identifier: MIT */
/*
 * evfilter: the event log's filter (`/` in the console).  A filter is
 * space-separated terms, all of which must match:
 *
 *   text              the text appears (any case) in any string field
 *   field=value       equal (any case; * and ? glob); status=5xx: 500-599
 *   field!=value      not equal
 *   field~text        contains (any case)
 *   field>=N  >N  <=N  <N   numeric (status, latency, tokens_in/out, ttft)
 *
 * Fields: service, endpoint, status, latency (ms), user, session, type,
 * model, message, host, id, tokens_in, tokens_out, ttft.  A drill-down
 * may also bound event time (from_ms, to_ms).  Pure; no curses.
 */
#ifndef SR_TUI_EVFILTER_H
#define SR_TUI_EVFILTER_H

#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

#define SR_EVF_TERMS_MAX 8

struct sr_evf_term {
	int field; /* -1: free text */
	int op;
	char *text;
	double num;
};

struct sr_evfilter {
	struct sr_evf_term t[SR_EVF_TERMS_MAX];
	int n;
	int64_t from_ms; /* 0: unbounded */
	int64_t to_ms;	 /* 0: unbounded */
	char *src;	 /* the text parsed, or NULL */
};

/* An empty filter (matches everything). */
void sr_evfilter_init(struct sr_evfilter *f);
void sr_evfilter_release(struct sr_evfilter *f);

/*
 * Parse s into f (released and replaced; on failure f is left empty).
 * Returns 0, or -1 with "unknown field 'x'", "'status' needs a number",
 * "too many terms" in err.
 */
int sr_evfilter_parse(struct sr_evfilter *f, const char *s, struct sr_err *err);

/* 1 when ev passes every term and the time bounds. */
int sr_evfilter_match(const struct sr_evfilter *f, const struct sr_event *ev);

/* 1 when the filter has no term and no time bound. */
int sr_evfilter_empty(const struct sr_evfilter *f);

/* A value sr_evfilter_sql() bound to one `?` of its condition. */
struct sr_evf_bind {
	int is_text;
	const char *text; /* borrowed from the filter */
	double num;
};

/* Binds sr_evfilter_sql() may need, at most. */
#define SR_EVF_BINDS_MAX (SR_EVF_TERMS_MAX * 9 + 2)

/*
 * The filter as an SQL condition over the store's events table (see
 * core/store.h), for paging stored history: appends to where a
 * condition ("1" when nothing translates) with a `?` for every value,
 * and sets b[0..*nb) to those values in order (no value is ever
 * spliced into the text).  The condition selects a superset of what
 * sr_evfilter_match() accepts: rows it returns are still matched in C.
 * Returns 1 when the condition is exact (the C match drops nothing),
 * 0 when some term (a glob with a backslash, != with a glob) was left
 * to C.
 */
int sr_evfilter_sql(const struct sr_evfilter *f, struct sr_buf *where,
    struct sr_evf_bind *b, int *nb);

#endif
