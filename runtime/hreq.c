/* SPDX-License-Identifier: MIT */
/*
 * hreq: see hreq.h.  A slot keeps what it wants (a key and the end of
 * the range) and what it got (the key and end of the last answer); an
 * answer is shown while its key matches, and asked again when the end
 * moved past the slot's max age.  An event page is keyed by the number
 * of the call that asked for it, so each call is answered once.
 */
#include "runtime/hreq.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/query.h"
#include "core/store.h"
#include "core/summary.h"
#include "core/util.h"

enum hreq_kind {
	HREQ_NONE,
	HREQ_SERIES,
	HREQ_SUMMARY,
	HREQ_EVENTS,
	HREQ_COUNTS
};

/* What identifies an answer (the range's end aside). */
struct hreq_key {
	enum hreq_kind kind;
	char name[128]; /* metric, or host ("" = all) */
	int64_t len_ms, step_ms;
	int n, top_n;
	uint64_t seq; /* events: the call that asked; counts: the query */
};

struct sr_hreq_slot {
	struct sr_hreq_slot *next;
	const struct sr_hreq *h;
	struct hreq_key want;
	int64_t want_to_ms, max_age_ms;
	struct hreq_key got;
	int64_t got_to_ms;
	int have; /* got holds an answer */
	uint64_t answers;
	int failed;
	double *pts;
	int npts, cap;
	struct sr_summary *sum;
	/* events: what is wanted (its query owned), and the page got */
	struct sr_hreq_evq evq;
	struct sr_query query;
	uint64_t calls;
	struct sr_hreq_page page;
	size_t page_cap;
	struct sr_hreq_counts counts;
	char err[256];
};

struct sr_hreq {
	struct sr_store *st;
	struct sr_hreq_slot *slots;
};

void
sr_hreq_event_release(struct sr_hreq_event *e)
{
	sr_event_release(&e->ev);
}

/* Keep a copy of a stored event (the store's strings live for the call). */
static void
hreq_event_copy(struct sr_hreq_event *e, int64_t id, const struct sr_event *ev)
{
	e->id = id;
	sr_event_copy(&e->ev, ev);
}

static void
hreq_page_clear(struct sr_hreq_slot *s)
{
	for (size_t i = 0; i < s->page.n; i++)
		sr_hreq_event_release(&s->page.ev[i]);
	s->page.n = 0;
	s->page.end = 0;
	s->page.older = -1;
}

struct sr_hreq *
sr_hreq_new(struct sr_store *st)
{
	struct sr_hreq *h = sr_xcalloc(1, sizeof(*h));

	h->st = st;
	return h;
}

void
sr_hreq_free(struct sr_hreq *h)
{
	struct sr_hreq_slot *s, *next;

	if (h == NULL)
		return;
	for (s = h->slots; s != NULL; s = next) {
		next = s->next;
		free(s->pts);
		sr_summary_free(s->sum);
		hreq_page_clear(s);
		free(s->page.ev);
		sr_query_release(&s->query);
		free(s);
	}
	free(h);
}

int
sr_hreq_available(const struct sr_hreq *h)
{
	return h != NULL && h->st != NULL;
}

struct sr_hreq_slot *
sr_hreq_slot_new(struct sr_hreq *h)
{
	struct sr_hreq_slot *s = sr_xcalloc(1, sizeof(*s));

	s->h = h;
	s->page.older = -1;
	s->next = h->slots;
	h->slots = s;
	return s;
}

static int
hreq_key_eq(const struct hreq_key *a, const struct hreq_key *b)
{
	return a->kind == b->kind && strcmp(a->name, b->name) == 0 &&
	    a->len_ms == b->len_ms && a->step_ms == b->step_ms &&
	    a->n == b->n && a->top_n == b->top_n && a->seq == b->seq;
}

void
sr_hreq_want_series(struct sr_hreq_slot *s, const char *name, int64_t to_ms,
    int64_t step_ms, int n, int64_t max_age_ms)
{
	memset(&s->want, 0, sizeof(s->want));
	s->want.kind = n > 0 && step_ms > 0 ? HREQ_SERIES : HREQ_NONE;
	snprintf(s->want.name, sizeof(s->want.name), "%s", name);
	s->want.step_ms = step_ms;
	s->want.n = n;
	s->want.len_ms = step_ms * n;
	s->want_to_ms = to_ms;
	s->max_age_ms = max_age_ms;
}

void
sr_hreq_want_summary(struct sr_hreq_slot *s, int64_t from_ms, int64_t to_ms,
    const char *host, int top_n, int64_t max_age_ms)
{
	memset(&s->want, 0, sizeof(s->want));
	s->want.kind = to_ms > from_ms && to_ms > 0 ? HREQ_SUMMARY : HREQ_NONE;
	snprintf(s->want.name, sizeof(s->want.name), "%s",
	    host != NULL ? host : "");
	s->want.len_ms = to_ms - from_ms;
	s->want.top_n = top_n;
	s->want_to_ms = to_ms;
	s->max_age_ms = max_age_ms;
}

void
sr_hreq_want_events(struct sr_hreq_slot *s, const struct sr_hreq_evq *q)
{
	memset(&s->want, 0, sizeof(s->want));
	s->want.kind = q->limit > 0 ? HREQ_EVENTS : HREQ_NONE;
	s->want.seq = ++s->calls;
	s->want.n = q->limit;
	s->want_to_ms = 0;
	s->max_age_ms = INT64_MAX;
	sr_query_release(&s->query);
	if (q->query != NULL)
		sr_query_copy(&s->query, q->query);
	s->evq = *q;
	s->evq.query = q->query != NULL ? &s->query : NULL;
}

void
sr_hreq_want_counts(struct sr_hreq_slot *s, const struct sr_query *q, int field,
    int64_t now_ms, int64_t max_age_ms)
{
	char *k = sr_xasprintf("%s|%" PRId64 "|%" PRId64, q->src ? q->src : "",
	    q->from_ms, q->to_ms);
	uint64_t seq = sr_hash(k);

	free(k);
	if (s->want.kind != HREQ_COUNTS || s->want.seq != seq ||
	    s->want.n != field) {
		memset(&s->want, 0, sizeof(s->want));
		s->want.kind = HREQ_COUNTS;
		s->want.seq = seq;
		s->want.n = field;
		sr_query_release(&s->query);
		sr_query_copy(&s->query, q);
	}
	s->want_to_ms = now_ms;
	s->max_age_ms = max_age_ms;
}

void
sr_hreq_drop(struct sr_hreq_slot *s)
{
	memset(&s->want, 0, sizeof(s->want));
}

uint64_t
sr_hreq_answers(const struct sr_hreq_slot *s)
{
	return s->answers;
}

enum sr_hreq_state
sr_hreq_state(const struct sr_hreq_slot *s)
{
	if (s->want.kind == HREQ_NONE || s->h->st == NULL)
		return SR_HREQ_NONE;
	if (!s->have || !hreq_key_eq(&s->want, &s->got))
		return SR_HREQ_PENDING;
	return s->failed ? SR_HREQ_FAILED : SR_HREQ_OK;
}

const double *
sr_hreq_points(const struct sr_hreq_slot *s, int *n)
{
	if (sr_hreq_state(s) != SR_HREQ_OK || s->got.kind != HREQ_SERIES) {
		*n = 0;
		return NULL;
	}
	*n = s->npts;
	return s->pts;
}

const struct sr_summary *
sr_hreq_summary(const struct sr_hreq_slot *s)
{
	if (sr_hreq_state(s) != SR_HREQ_OK || s->got.kind != HREQ_SUMMARY)
		return NULL;
	return s->sum;
}

const struct sr_hreq_page *
sr_hreq_page(const struct sr_hreq_slot *s)
{
	if (sr_hreq_state(s) != SR_HREQ_OK || s->got.kind != HREQ_EVENTS)
		return NULL;
	return &s->page;
}

const struct sr_hreq_counts *
sr_hreq_counts(const struct sr_hreq_slot *s)
{
	if (sr_hreq_state(s) != SR_HREQ_OK || s->got.kind != HREQ_COUNTS)
		return NULL;
	return &s->counts;
}

struct sr_hreq_event *
sr_hreq_take_events(struct sr_hreq_slot *s, size_t *n)
{
	struct sr_hreq_event *ev;

	*n = 0;
	if (sr_hreq_page(s) == NULL || s->page.n == 0)
		return NULL;
	ev = s->page.ev;
	*n = s->page.n;
	s->page.ev = NULL;
	s->page.n = 0;
	s->page_cap = 0;
	return ev;
}

const char *
sr_hreq_error(const struct sr_hreq_slot *s)
{
	return sr_hreq_state(s) == SR_HREQ_FAILED ? s->err : "";
}

/* Does slot s need a query now? */
static int
hreq_due(const struct sr_hreq *h, const struct sr_hreq_slot *s)
{
	if (h->st == NULL || s->want.kind == HREQ_NONE)
		return 0;
	if (!s->have || !hreq_key_eq(&s->want, &s->got))
		return 1;
	return s->want.kind != HREQ_EVENTS &&
	    (s->want_to_ms < s->got_to_ms ||
		s->want_to_ms - s->got_to_ms >= s->max_age_ms);
}

int
sr_hreq_pending(const struct sr_hreq *h)
{
	for (const struct sr_hreq_slot *s = h->slots; s != NULL; s = s->next)
		if (hreq_due(h, s))
			return 1;
	return 0;
}

struct hreq_fill {
	struct sr_hreq_slot *s;
	int64_t from_ms, step_ms;
};

static void
hreq_point(void *ctx, const struct sr_series_point *pt)
{
	struct hreq_fill *f = ctx;
	int64_t i = (pt->ts_ms - f->from_ms) / f->step_ms;

	if (i >= 0 && i < f->s->npts)
		f->s->pts[i] = pt->avg;
}

static int
hreq_add_event(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct sr_hreq_slot *s = ctx;

	if (s->page.n == s->page_cap) {
		s->page_cap = s->page_cap ? s->page_cap * 2 : 64;
		s->page.ev =
		    sr_xrealloc(s->page.ev, s->page_cap * sizeof(*s->page.ev));
	}
	hreq_event_copy(&s->page.ev[s->page.n++], id, ev);
	return 0;
}

/* A store query for the slot's page, keyed at (ts, id) in order. */
static void
hreq_evq(const struct sr_hreq_slot *s, struct sr_store_evq *q,
    enum sr_store_order order, int has_key, int64_t ts, int64_t id)
{
	sr_store_evq_init(q);
	q->query = s->evq.query;
	q->order = order;
	q->has_key = has_key;
	q->key_ts = ts;
	q->key_id = id;
}

/* Read the page the slot wants; 0 or -1 with detail in err. */
static int
hreq_run_events(struct sr_store *st, struct sr_hreq_slot *s, struct sr_err *err)
{
	const struct sr_hreq_evq *w = &s->evq;
	struct sr_store_evq q;
	int64_t got;
	int has_key = w->has_key;
	int64_t ts = w->key_ts, id = w->key_id;

	hreq_page_clear(s);
	hreq_evq(s, &q, w->older ? SR_STORE_BY_TS_DESC : SR_STORE_BY_TS,
	    w->has_key, w->key_ts, w->key_id);
	q.limit = w->limit;
	got = sr_store_events(st, &q, hreq_add_event, s, err);
	if (got < 0)
		return -1;
	s->page.end = got < w->limit;
	if (!w->count)
		return 0;
	if (w->older && s->page.n > 0) {
		has_key = 1;
		ts = s->page.ev[s->page.n - 1].ev.ts_ms;
		id = s->page.ev[s->page.n - 1].id;
	}
	/* nothing older than a page that ran out, or than no position */
	if ((w->older && s->page.end) || !has_key) {
		s->page.older = 0;
		return 0;
	}
	hreq_evq(s, &q, SR_STORE_BY_TS_DESC, 1, ts, id);
	return sr_store_count_events(st, &q, &s->page.older, err);
}

static int
hreq_add_group(void *ctx, const char *value, int64_t n, int64_t errors)
{
	struct sr_hreq_counts *c = ctx;

	c->total += n;
	c->errors += errors;
	if (c->n < SR_HREQ_GROUPS) {
		struct sr_hreq_group *g = &c->g[c->n++];

		snprintf(g->value, sizeof(g->value), "%s", value);
		g->n = n;
		g->errors = errors;
	} else {
		c->more++;
	}
	return 0;
}

/* Count the stored events of the slot's query by its field. */
static int
hreq_run_counts(struct sr_store *st, struct sr_hreq_slot *s, struct sr_err *err)
{
	struct sr_store_evq q;

	memset(&s->counts, 0, sizeof(s->counts));
	sr_store_evq_init(&q);
	q.query = &s->query;
	return sr_store_count_by(st, &q, s->want.n, hreq_add_group, &s->counts,
	    err);
}

static void
hreq_run(struct sr_hreq *h, struct sr_hreq_slot *s)
{
	const struct hreq_key *k = &s->want;

	s->err[0] = '\0';
	if (k->kind == HREQ_EVENTS || k->kind == HREQ_COUNTS) {
		struct sr_err err;

		err.msg[0] = '\0';
		s->failed = (k->kind == HREQ_EVENTS
				    ? hreq_run_events(h->st, s, &err)
				    : hreq_run_counts(h->st, s, &err)) == -1;
		if (s->failed) {
			snprintf(s->err, sizeof(s->err), "%s", err.msg);
			hreq_page_clear(s);
		}
	} else if (k->kind == HREQ_SERIES) {
		struct hreq_fill f = { .s = s,
			.from_ms = s->want_to_ms - k->step_ms * k->n,
			.step_ms = k->step_ms };

		if (k->n > s->cap) {
			s->cap = k->n;
			s->pts =
			    sr_xrealloc(s->pts, (size_t)k->n * sizeof(*s->pts));
		}
		s->npts = k->n;
		for (int i = 0; i < k->n; i++)
			s->pts[i] = NAN;
		s->failed =
		    sr_store_series(h->st, k->name, f.from_ms, s->want_to_ms,
			k->step_ms, hreq_point, &f, NULL) == -1;
	} else {
		struct sr_summary_opts o = { .from_ms =
						 s->want_to_ms - k->len_ms,
			.to_ms = s->want_to_ms,
			.host = k->name[0] != '\0' ? k->name : NULL,
			.top_n = k->top_n };
		struct sr_summary *sum = NULL;

		sr_summary_free(s->sum);
		s->sum = NULL;
		s->failed = sr_summary_query(h->st, &o, &sum, NULL) == -1;
		s->sum = s->failed ? NULL : sum;
	}
	s->got = *k;
	s->got_to_ms = s->want_to_ms;
	s->have = 1;
	s->answers++;
}

int
sr_hreq_answer(struct sr_hreq *h)
{
	int n = 0;

	for (struct sr_hreq_slot *s = h->slots; s != NULL; s = s->next)
		if (hreq_due(h, s)) {
			hreq_run(h, s);
			n++;
		}
	return n;
}
