/* SPDX-License-Identifier: MIT */
/*
 * series: ring buffers of (time, value) points.  Times are kept as
 * 32-bit milliseconds relative to the ring's base time, rebased when
 * they would overflow, so a point costs 8 bytes.
 */
#include "core/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct sr_series {
	size_t cap;   /* most points ever held */
	size_t alloc; /* points allocated so far (<= cap) */
	size_t head;  /* index of the oldest point */
	size_t len;
	int64_t base_ms;
	uint32_t *dt; /* ts - base_ms */
	float *val;
};

struct sr_series *
sr_series_new(size_t cap)
{
	struct sr_series *s;

	if (cap == 0)
		SR_BUG("series of capacity 0");
	s = sr_xcalloc(1, sizeof(*s));
	s->cap = cap;
	return s;
}

void
sr_series_free(struct sr_series *s)
{
	if (s == NULL)
		return;
	free(s->dt);
	free(s->val);
	free(s);
}

/* Grow the arrays (only while not yet at cap; the ring is linear then). */
static void
series_grow(struct sr_series *s)
{
	size_t n = s->alloc == 0 ? 64 : s->alloc * 2;

	/*
	 * Within twice of the cap, straight to it: an hour's ring (3600
	 * points) then reaches its size after 17 minutes at 1 s, not 34,
	 * and a console's memory is flat from there (one realloc less).
	 */
	if (n > s->cap || n * 2 > s->cap)
		n = s->cap;
	s->dt = sr_xrealloc(s->dt, n * sizeof(*s->dt));
	s->val = sr_xrealloc(s->val, n * sizeof(*s->val));
	s->alloc = n;
}

static size_t
series_idx(const struct sr_series *s, size_t i)
{
	return (s->head + i) % s->alloc;
}

/* Move base_ms forward so that ts fits in 32 bits. */
static void
series_rebase(struct sr_series *s, int64_t ts_ms)
{
	int64_t oldest = s->len ? s->base_ms + s->dt[s->head] : ts_ms;
	int64_t shift = oldest - s->base_ms;

	for (size_t i = 0; i < s->len; i++)
		s->dt[series_idx(s, i)] -= (uint32_t)shift;
	s->base_ms = oldest;
	if (ts_ms - s->base_ms > (int64_t)UINT32_MAX) {
		/* the whole ring is older than 49 days: start over */
		s->len = 0;
		s->head = 0;
		s->base_ms = ts_ms;
	}
}

void
sr_series_push(struct sr_series *s, int64_t ts_ms, double value)
{
	size_t at;

	if (s->len == 0 && s->alloc == 0)
		s->base_ms = ts_ms;
	if (s->len > 0 && ts_ms < sr_series_ts_at(s, 0))
		return;
	if (ts_ms < s->base_ms) {
		s->len = 0;
		s->head = 0;
		s->base_ms = ts_ms;
	}
	if (ts_ms - s->base_ms > (int64_t)UINT32_MAX)
		series_rebase(s, ts_ms);
	if (s->len == s->alloc && s->alloc < s->cap) {
		/* linearise before growing so head stays 0 */
		if (s->head != 0)
			SR_BUG("series ring wrapped before full");
		series_grow(s);
	}
	if (s->len < s->alloc) {
		at = series_idx(s, s->len);
		s->len++;
	} else {
		at = s->head;
		s->head = (s->head + 1) % s->alloc;
	}
	s->dt[at] = (uint32_t)(ts_ms - s->base_ms);
	s->val[at] = (float)value;
}

size_t
sr_series_len(const struct sr_series *s)
{
	return s ? s->len : 0;
}

double
sr_series_at(const struct sr_series *s, size_t age)
{
	if (s == NULL || age >= s->len)
		return NAN;
	return s->val[series_idx(s, s->len - 1 - age)];
}

int64_t
sr_series_ts_at(const struct sr_series *s, size_t age)
{
	if (s == NULL || age >= s->len)
		return 0;
	return s->base_ms + s->dt[series_idx(s, s->len - 1 - age)];
}

size_t
sr_series_last(const struct sr_series *s, size_t n, float *vals, int64_t *ts)
{
	size_t start;

	if (s == NULL)
		return 0;
	if (n > s->len)
		n = s->len;
	start = s->len - n;
	for (size_t i = 0; i < n; i++) {
		size_t k = series_idx(s, start + i);

		vals[i] = s->val[k];
		if (ts != NULL)
			ts[i] = s->base_ms + s->dt[k];
	}
	return n;
}

size_t
sr_series_trend(const struct sr_series *s, int64_t now_ms, int64_t window_ms,
    double *slope_per_s, double *value_now)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, d, slope, icpt;
	size_t used = 0;

	*slope_per_s = NAN;
	*value_now = NAN;
	if (s == NULL)
		return 0;
	for (size_t age = 0; age < s->len; age++) {
		int64_t ts = sr_series_ts_at(s, age);
		double x, y = sr_series_at(s, age);

		if (ts < now_ms - window_ms)
			break;
		if (isnan(y))
			continue;
		x = (double)(ts - now_ms) / 1000.0; /* <= 0 seconds */
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n += 1;
		used++;
	}
	if (used < 2)
		return used;
	d = n * sxx - sx * sx;
	if (d <= 0)
		return used;
	slope = (n * sxy - sx * sy) / d;
	icpt = (sy - slope * sx) / n;
	*slope_per_s = slope;
	*value_now = icpt;
	return used;
}

/* ---- named sets ---- */

struct series_entry {
	char *name;
	char *unit;
	struct sr_series *s;
};

struct sr_series_set {
	size_t cap;
	struct series_entry *v; /* sorted by name */
	size_t n, alloc;
};

struct sr_series_set *
sr_series_set_new(size_t cap)
{
	struct sr_series_set *set = sr_xcalloc(1, sizeof(*set));

	set->cap = cap;
	return set;
}

void
sr_series_set_free(struct sr_series_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].unit);
		sr_series_free(set->v[i].s);
	}
	free(set->v);
	free(set);
}

/* Index of name, or -(insertion point) - 1. */
static long
set_find(const struct sr_series_set *set, const char *name)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->v[mid].name, name);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

void
sr_series_set_push(struct sr_series_set *set, const char *name,
    const char *unit, int64_t ts_ms, double value)
{
	long i = set_find(set, name);

	if (i < 0) {
		size_t at = (size_t)(-i - 1);

		if (set->n == set->alloc) {
			set->alloc = set->alloc ? set->alloc * 2 : 32;
			set->v =
			    sr_xrealloc(set->v, set->alloc * sizeof(*set->v));
		}
		memmove(&set->v[at + 1], &set->v[at],
		    (set->n - at) * sizeof(*set->v));
		set->v[at].name = sr_xstrdup(name);
		set->v[at].unit = sr_xstrdup(unit ? unit : "");
		set->v[at].s = sr_series_new(set->cap);
		set->n++;
		i = (long)at;
	} else if (unit != NULL && strcmp(set->v[i].unit, unit) != 0) {
		free(set->v[i].unit);
		set->v[i].unit = sr_xstrdup(unit);
	}
	sr_series_push(set->v[i].s, ts_ms, value);
}

const struct sr_series *
sr_series_set_get(const struct sr_series_set *set, const char *name)
{
	long i = set_find(set, name);

	return i < 0 ? NULL : set->v[i].s;
}

const char *
sr_series_set_unit(const struct sr_series_set *set, const char *name)
{
	long i = set_find(set, name);

	return i < 0 ? NULL : set->v[i].unit;
}

size_t
sr_series_set_count(const struct sr_series_set *set)
{
	return set->n;
}

const char *
sr_series_set_name(const struct sr_series_set *set, size_t i)
{
	return set->v[i].name;
}

const struct sr_series *
sr_series_set_at(const struct sr_series_set *set, size_t i)
{
	return set->v[i].s;
}
