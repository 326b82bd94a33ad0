/* SPDX-License-Identifier: MIT */
/*
 * series: ring buffers of (time, value) points, kept in blocks of
 * SERIES_BLOCK points.  The newest block is open, plain arrays; a full
 * block is sealed into a compact form that keeps random access:
 *
 * - times as t0 + i * step + a residual of as many bits as the block
 *   needs (ticks at 1 s with a few ms of jitter cost 2 or 3 bits);
 * - values as one constant, or 1, 2 or 4-bit indices into a palette of
 *   at most 16 floats, or plain floats.
 *
 * A constant series of an hour costs a few KiB where plain (time,
 * value) pairs cost 28 KiB; every reader gets the same points back
 * (values compare by their bits, so NAN and -0 stay as pushed).
 */
#include "core/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define SERIES_BLOCK 64

struct series_blk {
	uint64_t t0;   /* time of point 0, less the smallest residual */
	uint64_t step; /* ms between points, before the residuals */
	float v0;      /* the value when vbits is 0 */
	uint8_t tbits; /* residual bits a point: 0..56, or 64 */
	uint8_t vbits; /* 0 constant, 1..4 palette index, 32 plain float */
	uint8_t npal;  /* palette size */
	/*
	 * residuals (tbits each, bit-packed), then indices (vbits each) or
	 * floats, then the palette, then 8 bytes of slack for the reads
	 */
	unsigned char data[];
};

struct sr_series {
	size_t cap;	/* most points ever held */
	uint64_t first; /* sequence number of the oldest point */
	uint64_t next;	/* sequence number of the next point */
	int64_t last_ts;
	struct series_blk **blk; /* sealed block k at blk[k % nblk] */
	size_t nblk;
	int64_t open_ts[SERIES_BLOCK]; /* block next / SERIES_BLOCK */
	float open_v[SERIES_BLOCK];
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

static void
series_free_blk(struct sr_series *s, uint64_t k)
{
	free(s->blk[k % s->nblk]);
	s->blk[k % s->nblk] = NULL;
}

void
sr_series_free(struct sr_series *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nblk; i++)
		free(s->blk[i]);
	free(s->blk);
	free(s);
}

static uint32_t
f_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Bits that hold every value up to max. */
static uint8_t
bits_for(uint64_t max)
{
	uint8_t b = 0;

	while (b < 64 && (max >> b) != 0)
		b++;
	return b > 56 ? 64 : b;
}

/* Bytes of n fields of w bits. */
static size_t
bits_bytes(size_t n, uint8_t w)
{
	return (n * w + 7) / 8;
}

/* Field i of w bits (w <= 56 or 64; 8 bytes of slack after p). */
static uint64_t
bits_get(const unsigned char *p, size_t i, uint8_t w)
{
	uint64_t x;

	if (w == 0)
		return 0;
	if (w == 64) {
		memcpy(&x, p + i * 8, 8);
		return x;
	}
	memcpy(&x, p + i * w / 8, 8);
	return (x >> (i * w % 8)) & ((UINT64_C(1) << w) - 1);
}

static void
bits_put(unsigned char *p, size_t i, uint8_t w, uint64_t v)
{
	if (w == 64) {
		memcpy(p + i * 8, &v, 8);
		return;
	}
	for (uint8_t j = 0; j < w; j++)
		if ((v >> j) & 1)
			p[(i * w + j) / 8] |=
			    (unsigned char)(1u << ((i * w + j) % 8));
}

/* Seal the open block (full) into block k. */
static void
series_seal(struct sr_series *s, uint64_t k)
{
	const size_t n = SERIES_BLOCK;
	uint64_t res[SERIES_BLOCK], rmin = 0, rmax = 0;
	uint32_t pal[16] = { 0 };
	unsigned char idx[SERIES_BLOCK];
	size_t npal = 0, vbytes, tbytes, slot;
	uint64_t t0 = (uint64_t)s->open_ts[0], step;
	uint8_t tbits, vbits;
	struct series_blk *b;

	/*
	 * times: a regular step from the first to the last, and residuals
	 * (signed, as two's complement) above the smallest of them
	 */
	step = ((uint64_t)s->open_ts[n - 1] - t0 + (n - 1) / 2) / (n - 1);
	for (size_t i = 0; i < n; i++) {
		res[i] = (uint64_t)s->open_ts[i] - t0 - i * step;
		if ((int64_t)res[i] < (int64_t)rmin)
			rmin = res[i];
		if ((int64_t)res[i] > (int64_t)rmax)
			rmax = res[i];
	}
	tbits = bits_for(rmax - rmin);
	/* values: the palette, while it holds at most 16 */
	for (size_t i = 0; i < n && npal <= 16; i++) {
		uint32_t u = f_bits(s->open_v[i]);
		size_t j = 0;

		while (j < npal && pal[j] != u)
			j++;
		if (j == npal && npal < 16)
			pal[npal] = u;
		if (j == npal)
			npal++;
		idx[i] = (unsigned char)j;
	}
	if (npal > 16) {
		vbits = 32;
		npal = 0;
	} else {
		vbits = bits_for(npal - 1);
		if (vbits == 3)
			vbits = 4; /* 1, 2 or 4: no field straddles a byte */
	}
	vbytes = vbits == 32
	    ? n * sizeof(float)
	    : bits_bytes(n, vbits) + (vbits ? npal * sizeof(float) : 0);
	tbytes = bits_bytes(n, tbits);
	b = sr_xcalloc(1, sizeof(*b) + tbytes + vbytes + 8);
	b->t0 = t0 + rmin;
	b->step = step;
	b->tbits = tbits;
	b->vbits = vbits;
	b->npal = (uint8_t)npal;
	b->v0 = s->open_v[0];
	if (tbits)
		for (size_t i = 0; i < n; i++)
			bits_put(b->data, i, tbits, res[i] - rmin);
	if (vbits == 32) {
		memcpy(b->data + tbytes, s->open_v, n * sizeof(float));
	} else if (vbits) {
		unsigned char *p = b->data + tbytes;

		for (size_t i = 0; i < n; i++)
			bits_put(p, i, vbits, idx[i]);
		memcpy(p + bits_bytes(n, vbits), pal, npal * sizeof(float));
	}
	/* room for block k: at most cap / n + 2 sealed blocks live */
	if (s->nblk == 0 || k - s->first / n >= s->nblk) {
		size_t nb = s->nblk ? s->nblk * 2 : 2;
		struct series_blk **nv;

		if (nb > s->cap / n + 2)
			nb = s->cap / n + 2;
		if (nb <= s->nblk || k - s->first / n >= nb)
			SR_BUG("series block ring too small");
		nv = sr_xcalloc(nb, sizeof(*nv));
		for (uint64_t j = s->first / n; j < k; j++)
			nv[j % nb] = s->blk[j % s->nblk];
		free(s->blk);
		s->blk = nv;
		s->nblk = nb;
	}
	slot = (size_t)(k % s->nblk);
	free(s->blk[slot]);
	s->blk[slot] = b;
}

void
sr_series_push(struct sr_series *s, int64_t ts_ms, double value)
{
	uint64_t k;

	if (s->next > s->first && ts_ms < s->last_ts)
		return;
	s->open_ts[s->next % SERIES_BLOCK] = ts_ms;
	s->open_v[s->next % SERIES_BLOCK] = (float)value;
	s->last_ts = ts_ms;
	s->next++;
	if (s->next % SERIES_BLOCK == 0)
		series_seal(s, s->next / SERIES_BLOCK - 1);
	if (s->next - s->first > s->cap) {
		k = s->first / SERIES_BLOCK;
		s->first++;
		if (s->first / SERIES_BLOCK != k)
			series_free_blk(s, k);
	}
}

size_t
sr_series_len(const struct sr_series *s)
{
	return s ? (size_t)(s->next - s->first) : 0;
}

/* Point of sequence number q (first <= q < next). */
static void
series_get(const struct sr_series *s, uint64_t q, int64_t *ts, float *v)
{
	uint64_t k = q / SERIES_BLOCK;
	size_t i = (size_t)(q % SERIES_BLOCK);
	const struct series_blk *b;
	const unsigned char *p;

	if (k == s->next / SERIES_BLOCK) {
		*ts = s->open_ts[i];
		*v = s->open_v[i];
		return;
	}
	b = s->blk[k % s->nblk];
	*ts = (int64_t)(b->t0 + i * b->step + bits_get(b->data, i, b->tbits));
	p = b->data + bits_bytes(SERIES_BLOCK, b->tbits);
	if (b->vbits == 0) {
		*v = b->v0;
	} else if (b->vbits == 32) {
		memcpy(v, p + i * sizeof(float), sizeof(float));
	} else {
		size_t j = (size_t)bits_get(p, i, b->vbits);

		memcpy(v,
		    p + bits_bytes(SERIES_BLOCK, b->vbits) + j * sizeof(float),
		    sizeof(float));
	}
}

double
sr_series_at(const struct sr_series *s, size_t age)
{
	int64_t ts;
	float v;

	if (s == NULL || age >= sr_series_len(s))
		return NAN;
	series_get(s, s->next - 1 - age, &ts, &v);
	return v;
}

int64_t
sr_series_ts_at(const struct sr_series *s, size_t age)
{
	int64_t ts;
	float v;

	if (s == NULL || age >= sr_series_len(s))
		return 0;
	series_get(s, s->next - 1 - age, &ts, &v);
	return ts;
}

size_t
sr_series_bytes(const struct sr_series *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = sizeof(*s) + s->nblk * sizeof(*s->blk);
	for (size_t i = 0; i < s->nblk; i++) {
		const struct series_blk *b = s->blk[i];

		if (b == NULL)
			continue;
		n += sizeof(*b) + bits_bytes(SERIES_BLOCK, b->tbits) + 8 +
		    (b->vbits == 32 ? SERIES_BLOCK * sizeof(float)
				    : bits_bytes(SERIES_BLOCK, b->vbits) +
				(b->vbits ? b->npal * sizeof(float) : 0));
	}
	return n;
}

size_t
sr_series_last(const struct sr_series *s, size_t n, float *vals, int64_t *ts)
{
	uint64_t start;

	if (s == NULL)
		return 0;
	if (n > sr_series_len(s))
		n = sr_series_len(s);
	start = s->next - n;
	for (size_t i = 0; i < n; i++) {
		int64_t t;

		series_get(s, start + i, &t, &vals[i]);
		if (ts != NULL)
			ts[i] = t;
	}
	return n;
}

size_t
sr_series_trend(const struct sr_series *s, int64_t now_ms, int64_t window_ms,
    double *slope_per_s, double *value_now)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, d, slope, icpt;
	size_t used = 0, len = sr_series_len(s);

	*slope_per_s = NAN;
	*value_now = NAN;
	if (s == NULL)
		return 0;
	for (size_t age = 0; age < len; age++) {
		int64_t ts;
		float v;
		double x, y;

		series_get(s, s->next - 1 - age, &ts, &v);
		y = v;
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
