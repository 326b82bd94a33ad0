/* SPDX-License-Identifier: MIT */
/*
 * hreq: history reads a front end asks for, answered off its draw path.
 * A panel holds a standing request (a series of a stored metric, a
 * summary of stored events, a page of stored events, stored events
 * counted by a field) in a slot: while drawing it says what it
 * wants (no I/O) and shows the last answer to that request.  The front
 * end calls sr_hreq_answer() between draws (after a tick's publish, or
 * right after a draw that asked for something new), which runs the
 * queries that are new, or older than the slot allows, on a read-only
 * store handle.
 *
 * Threads: a set and its slots belong to one thread (the main loop).
 */
#ifndef SR_RUNTIME_HREQ_H
#define SR_RUNTIME_HREQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct sr_hreq;
struct sr_hreq_slot;
struct sr_query;
struct sr_store;
struct sr_summary;

/* The state of a slot's answer to what it wants now. */
enum sr_hreq_state {
	SR_HREQ_NONE,	 /* nothing wanted, or no store to ask */
	SR_HREQ_PENDING, /* asked, not answered yet */
	SR_HREQ_OK,	 /* answered (it may be refreshed later) */
	SR_HREQ_FAILED,	 /* the query failed */
};

/*
 * A set of requests read from st (borrowed, read-only; NULL: no stored
 * history, every slot stays SR_HREQ_NONE).  Never fails.
 */
struct sr_hreq *sr_hreq_new(struct sr_store *st);

/* Free the set and its slots; NULL does nothing. */
void sr_hreq_free(struct sr_hreq *h);

/* 1 when there is a store to ask. */
int sr_hreq_available(const struct sr_hreq *h);

/* A new empty slot, freed with its set. */
struct sr_hreq_slot *sr_hreq_slot_new(struct sr_hreq *h);

/*
 * Want the average of metric name in n buckets of step_ms ending at
 * to_ms.  The same name, step and n keep the answer, asked again once
 * to_ms moved max_age_ms past (or before) the answer's end.
 */
void sr_hreq_want_series(struct sr_hreq_slot *s, const char *name,
    int64_t to_ms, int64_t step_ms, int n, int64_t max_age_ms);

/*
 * Want the summary (core/summary.h) of events in [from_ms, to_ms) of
 * host (NULL or "": all), top_n endpoints per service; refreshed as a
 * series is, the key being the length, host and top_n.
 */
void sr_hreq_want_summary(struct sr_hreq_slot *s, int64_t from_ms,
    int64_t to_ms, const char *host, int top_n, int64_t max_age_ms);

/* A page of stored events to read (core/store.h's event query). */
struct sr_hreq_evq {
	const struct sr_query *query; /* copied; NULL: every event */
	/* 1: rows before the key, newest first; 0: after it, oldest first */
	int older;
	int has_key; /* 0: from the newest (older) or the oldest row */
	int64_t key_ts, key_id;
	int limit; /* rows at most, > 0 */
	int count; /* also count the matching rows older than the page */
};

/* One stored event of a page; the event's strings are owned. */
struct sr_hreq_event {
	int64_t id; /* the store's row id */
	struct sr_event ev;
};

/* The answer to an event request. */
struct sr_hreq_page {
	struct sr_hreq_event *ev; /* n rows, nearest the key first */
	size_t n;
	int end; /* fewer than limit: no more rows that way */
	/*
	 * with count: the matching rows older than the page's oldest row
	 * (than the key when the page is empty or newer); else -1
	 */
	int64_t older;
};

/*
 * Want the page q selects.  Each call asks anew (a page is read once,
 * never refreshed), replacing what the slot wanted.
 */
void sr_hreq_want_events(struct sr_hreq_slot *s, const struct sr_hreq_evq *q);

/* Groups a counts answer keeps, most events first. */
#define SR_HREQ_GROUPS 8

/* The answer to a counts request (core/store.h's sr_store_count_by()). */
struct sr_hreq_counts {
	struct sr_hreq_group {
		char value[96]; /* "" for events without one */
		int64_t n, errors;
	} g[SR_HREQ_GROUPS];
	size_t n;	       /* groups in g */
	size_t more;	       /* groups past g */
	int64_t total, errors; /* over every group */
};

/*
 * Want the stored events q selects (copied) counted by the value of the
 * text field `field` (core/field.h), the drill-downs' figures.  The
 * same query (its text and time bounds) and field keep the answer,
 * asked again once now_ms moved max_age_ms past it.
 */
void sr_hreq_want_counts(struct sr_hreq_slot *s, const struct sr_query *q,
    int field, int64_t now_ms, int64_t max_age_ms);

/* Want nothing (the panel shows something else); keeps no query due. */
void sr_hreq_drop(struct sr_hreq_slot *s);

/* State of the answer to what the slot wants now. */
enum sr_hreq_state sr_hreq_state(const struct sr_hreq_slot *s);

/*
 * The answer: a series' points (*n of them, NAN where a bucket had no
 * sample), or the summary; NULL unless the state is SR_HREQ_OK.
 * Borrowed until the next sr_hreq_answer().
 */
const double *sr_hreq_points(const struct sr_hreq_slot *s, int *n);
const struct sr_summary *sr_hreq_summary(const struct sr_hreq_slot *s);
const struct sr_hreq_page *sr_hreq_page(const struct sr_hreq_slot *s);
const struct sr_hreq_counts *sr_hreq_counts(const struct sr_hreq_slot *s);

/*
 * Take the page's events (NULL and *n 0 unless the state is SR_HREQ_OK
 * and the page has rows): the caller releases each with
 * sr_hreq_event_release() and frees the array; the slot's page is left
 * empty.
 */
struct sr_hreq_event *sr_hreq_take_events(struct sr_hreq_slot *s, size_t *n);

/* Free the strings of a taken event. */
void sr_hreq_event_release(struct sr_hreq_event *e);

/* Why the query failed ("" unless the state is SR_HREQ_FAILED). */
const char *sr_hreq_error(const struct sr_hreq_slot *s);

/* Answers the slot got so far: changes whenever the answer does. */
uint64_t sr_hreq_answers(const struct sr_hreq_slot *s);

/* 1 when a slot wants something not answered, or due for a refresh. */
int sr_hreq_pending(const struct sr_hreq *h);

/* Run every pending query; returns how many ran. */
int sr_hreq_answer(struct sr_hreq *h);

#endif
