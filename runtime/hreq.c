/* SPDX-License-Identifier: MIT */
/*
 * hreq: see hreq.h.  A slot keeps what it wants (a key and the end of
 * the range) and what it got (the key and end of the last answer); an
 * answer is shown while its key matches, and asked again when the end
 * moved past the slot's max age.
 */
#include "runtime/hreq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/summary.h"
#include "core/util.h"

enum hreq_kind {
	HREQ_NONE,
	HREQ_SERIES,
	HREQ_SUMMARY
};

/* What identifies an answer (the range's end aside). */
struct hreq_key {
	enum hreq_kind kind;
	char name[128]; /* metric, or host ("" = all) */
	int64_t len_ms, step_ms;
	int n, top_n;
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
};

struct sr_hreq {
	struct sr_store *st;
	struct sr_hreq_slot *slots;
};

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
	s->next = h->slots;
	h->slots = s;
	return s;
}

static int
hreq_key_eq(const struct hreq_key *a, const struct hreq_key *b)
{
	return a->kind == b->kind && strcmp(a->name, b->name) == 0 &&
	    a->len_ms == b->len_ms && a->step_ms == b->step_ms &&
	    a->n == b->n && a->top_n == b->top_n;
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

/* Does slot s need a query now? */
static int
hreq_due(const struct sr_hreq *h, const struct sr_hreq_slot *s)
{
	if (h->st == NULL || s->want.kind == HREQ_NONE)
		return 0;
	return !s->have || !hreq_key_eq(&s->want, &s->got) ||
	    s->want_to_ms < s->got_to_ms ||
	    s->want_to_ms - s->got_to_ms >= s->max_age_ms;
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

static void
hreq_run(struct sr_hreq *h, struct sr_hreq_slot *s)
{
	const struct hreq_key *k = &s->want;

	if (k->kind == HREQ_SERIES) {
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
