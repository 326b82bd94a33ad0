/* SPDX-License-Identifier: MIT */
/*
 * agg: bucket rings per entity, bounded string maps, user and session
 * tables with HyperLogLog fallback, error templates and baselines.
 * See agg.h for the model; this file keeps every structure bounded.
 */
#include "core/agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/template.h"
#include "core/util.h"

#define HLL_P 12
#define HLL_M (1u << HLL_P)

/* ---- small helpers ---- */

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

double
sr_baseline_z(const struct sr_baseline *b, double x)
{
	double spread = 1.4826 * b->dev;

	/* a perfectly flat baseline still has a floor of 1 % of its mean */
	if (spread < fabs(b->mean) * 0.01)
		spread = fabs(b->mean) * 0.01;
	if (spread <= 0)
		spread = 1e-9;
	return (x - b->mean) / spread;
}

void
sr_baseline_update(struct sr_baseline *b, double x, double alpha)
{
	double d;

	if (isnan(x))
		return;
	if (b->n == 0) {
		b->mean = x;
		b->dev = 0;
		b->n = 1;
		return;
	}
	if (b->n >= 5 && b->dev > 0) {
		double lim = 4 * 1.4826 * b->dev;

		if (x > b->mean + lim)
			x = b->mean + lim;
		else if (x < b->mean - lim)
			x = b->mean - lim;
	}
	/* learn faster while young */
	if (alpha < 1.0 / (double)(b->n + 1))
		alpha = 1.0 / (double)(b->n + 1);
	d = fabs(x - b->mean);
	b->mean += alpha * (x - b->mean);
	b->dev += alpha * (d - b->dev);
	b->n++;
}

/* ---- bucket rings ---- */

/* What a bucket holds of model traffic: tokens and TTFT. */
struct agg_llm {
	uint64_t tok_in, tok_out;
	uint32_t tok_n;
	double gen_ms;
	double ttft_min, ttft_max; /* of ttft; NAN none */
	struct sr_sketch *ttft;
};

/* 64 bytes: the model part apart, allocated by its first add. */
struct agg_bucket {
	int64_t idx; /* bucket number, INT64_MIN empty */
	uint32_t req, n4xx, n5xx, lat_n;
	double lat_sum;		 /* ms */
	double lat_min, lat_max; /* of lat; NAN none */
	struct sr_sketch *lat;
	struct agg_llm *llm; /* NULL: no tokens or TTFT added */
};

/*
 * The running sum of one window of a ring: the buckets whose index is in
 * [lo, hi] as of the last read.  Adds and evictions of buckets in that
 * range update it at once; a read moves the range to the agg's clock by
 * subtracting the buckets that left it and adding the ones that entered
 * (so a read costs O(1) buckets, not a merge of the whole window).  The
 * latency sketch is kept only once quantiles of the window were asked
 * for; quantiles are cached until the window's content changes.  Counts
 * and sketch bins are integers, so the results are exactly those of a
 * fresh merge; min and max are taken from the buckets.
 */
struct agg_win {
	int64_t lo, hi; /* lo > hi: not set yet */
	uint64_t req, n4xx, n5xx, lat_n;
	struct sr_sketch *lat;	/* NULL: quantiles not kept */
	struct sr_sketch *ttft; /* the same for TTFT */
	uint64_t ver;		/* content changes */
	uint64_t q_ver;		/* ver of p50..max; 0 none */
	double p50, p90, p95, p99, max;
	uint64_t tq_ver; /* ver of ttft_p50, ttft_p95 */
	double ttft_p50, ttft_p95;
};

/*
 * The levels are allocated on the first add that lands in them and
 * given back by ring_trim() once every bucket of a level is past the
 * windows (an endpoint idle for 5 minutes keeps only its coarse level,
 * one idle for an hour nothing but its windows' counts); a NULL level
 * reads as all empty.
 */
struct sr_agg_ring {
	struct agg_bucket *fine;   /* SR_AGG_FINE_N buckets, or NULL */
	struct agg_bucket *coarse; /* SR_AGG_COARSE_N buckets, or NULL */
	/* windows (index enum sr_window); behind a pointer so that const
	 * readers can bring them up to date */
	struct agg_win *win;
};

/* What one event or rollup adds to a bucket. */
struct agg_add {
	int64_t ts_ms;
	uint64_t req, n4xx, n5xx;
	int has_lat;
	double lat_ms;
	const struct sr_sketch *lat_sk; /* rollup: merged instead */
	uint64_t lat_n;
	double lat_sum; /* rollup: sum of latencies */
	uint64_t tok_in, tok_out, tok_n;
	double gen_ms;
	int has_ttft;
	double ttft_ms;
	const struct sr_sketch *ttft_sk;
};

static struct sr_agg_ring *
ring_new(void)
{
	struct sr_agg_ring *r = sr_xcalloc(1, sizeof(*r));

	r->win = sr_xcalloc(SR_WIN_COUNT, sizeof(*r->win));
	for (int i = 0; i < SR_WIN_COUNT; i++) {
		r->win[i].lo = 1;
		r->win[i].hi = 0;
		r->win[i].ver = 1;
	}
	return r;
}

/* A level of n empty buckets. */
static struct agg_bucket *
level_new(int n)
{
	struct agg_bucket *lv = sr_xcalloc((size_t)n, sizeof(*lv));

	for (int i = 0; i < n; i++)
		lv[i].idx = INT64_MIN;
	return lv;
}

static void
level_free(struct agg_bucket *lv, int n)
{
	if (lv == NULL)
		return;
	for (int i = 0; i < n; i++) {
		sr_sketch_free(lv[i].lat);
		if (lv[i].llm != NULL)
			sr_sketch_free(lv[i].llm->ttft);
		free(lv[i].llm);
	}
	free(lv);
}

/* A level of a ring and its bucket count (0 when not allocated). */
static const struct agg_bucket *
ring_level(const struct sr_agg_ring *r, int coarse, int *n)
{
	const struct agg_bucket *lv = coarse ? r->coarse : r->fine;

	*n = lv == NULL ? 0 : coarse ? SR_AGG_COARSE_N : SR_AGG_FINE_N;
	return lv;
}

static void
ring_free(struct sr_agg_ring *r)
{
	if (r == NULL)
		return;
	level_free(r->fine, SR_AGG_FINE_N);
	level_free(r->coarse, SR_AGG_COARSE_N);
	for (int i = 0; i < SR_WIN_COUNT; i++) {
		sr_sketch_free(r->win[i].lat);
		sr_sketch_free(r->win[i].ttft);
	}
	free(r->win);
	free(r);
}

static void
bucket_reset(struct agg_bucket *b, int64_t idx)
{
	b->idx = idx;
	b->req = b->n4xx = b->n5xx = b->lat_n = 0;
	b->lat_sum = 0;
	b->lat_min = b->lat_max = NAN;
	if (b->lat != NULL)
		sr_sketch_reset(b->lat);
	if (b->llm != NULL) {
		struct agg_llm *m = b->llm;

		m->tok_in = m->tok_out = 0;
		m->tok_n = 0;
		m->gen_ms = 0;
		m->ttft_min = m->ttft_max = NAN;
		if (m->ttft != NULL)
			sr_sketch_reset(m->ttft);
	}
}

static void
minmax(double *mn, double *mx, double lo, double hi)
{
	if (isnan(*mn) || lo < *mn)
		*mn = lo;
	if (isnan(*mx) || hi > *mx)
		*mx = hi;
}

static void
bucket_add(struct agg_bucket *b, const struct agg_add *x)
{
	struct agg_llm *m;

	b->req += (uint32_t)x->req;
	b->n4xx += (uint32_t)x->n4xx;
	b->n5xx += (uint32_t)x->n5xx;
	if (x->has_lat) {
		if (b->lat == NULL)
			b->lat = sr_sketch_new();
		sr_sketch_add(b->lat, x->lat_ms);
		b->lat_n++;
		b->lat_sum += x->lat_ms;
		if (isfinite(x->lat_ms))
			minmax(&b->lat_min, &b->lat_max, x->lat_ms, x->lat_ms);
	} else if (x->lat_sk != NULL && sr_sketch_count(x->lat_sk) > 0) {
		if (b->lat == NULL)
			b->lat = sr_sketch_new();
		sr_sketch_merge(b->lat, x->lat_sk);
		b->lat_n += (uint32_t)x->lat_n;
		b->lat_sum += x->lat_sum;
		minmax(&b->lat_min, &b->lat_max, sr_sketch_min(x->lat_sk),
		    sr_sketch_max(x->lat_sk));
	}
	if (x->tok_in == 0 && x->tok_out == 0 && x->tok_n == 0 &&
	    x->gen_ms == 0 && !x->has_ttft &&
	    (x->ttft_sk == NULL || sr_sketch_count(x->ttft_sk) == 0))
		return; /* nothing of a model's: no part to allocate */
	if (b->llm == NULL) {
		b->llm = sr_xcalloc(1, sizeof(*b->llm));
		b->llm->ttft_min = b->llm->ttft_max = NAN;
	}
	m = b->llm;
	m->tok_in += x->tok_in;
	m->tok_out += x->tok_out;
	m->tok_n += (uint32_t)x->tok_n;
	m->gen_ms += x->gen_ms;
	if (x->has_ttft) {
		if (m->ttft == NULL)
			m->ttft = sr_sketch_new();
		sr_sketch_add(m->ttft, x->ttft_ms);
		if (isfinite(x->ttft_ms))
			minmax(&m->ttft_min, &m->ttft_max, x->ttft_ms,
			    x->ttft_ms);
	} else if (x->ttft_sk != NULL && sr_sketch_count(x->ttft_sk) > 0) {
		if (m->ttft == NULL)
			m->ttft = sr_sketch_new();
		sr_sketch_merge(m->ttft, x->ttft_sk);
		minmax(&m->ttft_min, &m->ttft_max, sr_sketch_min(x->ttft_sk),
		    sr_sketch_max(x->ttft_sk));
	}
}

/* A whole bucket enters (sign 1) or leaves (sign -1) a window. */
static void
win_bucket(struct agg_win *w, const struct agg_bucket *b, int sign)
{
	if (sign > 0) {
		w->req += b->req;
		w->n4xx += b->n4xx;
		w->n5xx += b->n5xx;
		w->lat_n += b->lat_n;
		if (w->lat != NULL && b->lat != NULL)
			sr_sketch_merge(w->lat, b->lat);
		if (w->ttft != NULL && b->llm != NULL && b->llm->ttft != NULL)
			sr_sketch_merge(w->ttft, b->llm->ttft);
	} else {
		w->req -= b->req;
		w->n4xx -= b->n4xx;
		w->n5xx -= b->n5xx;
		w->lat_n -= b->lat_n;
		if (w->lat != NULL && b->lat != NULL)
			sr_sketch_sub(w->lat, b->lat);
		if (w->ttft != NULL && b->llm != NULL && b->llm->ttft != NULL)
			sr_sketch_sub(w->ttft, b->llm->ttft);
	}
	w->ver++;
}

/* What bucket_add() adds to a bucket, added to a window. */
static void
win_add(struct agg_win *w, const struct agg_add *x)
{
	w->req += (uint32_t)x->req;
	w->n4xx += (uint32_t)x->n4xx;
	w->n5xx += (uint32_t)x->n5xx;
	if (x->has_lat) {
		if (w->lat != NULL)
			sr_sketch_add(w->lat, x->lat_ms);
		w->lat_n++;
	} else if (x->lat_sk != NULL && sr_sketch_count(x->lat_sk) > 0) {
		if (w->lat != NULL)
			sr_sketch_merge(w->lat, x->lat_sk);
		w->lat_n += (uint32_t)x->lat_n;
	}
	if (w->ttft != NULL) {
		if (x->has_ttft)
			sr_sketch_add(w->ttft, x->ttft_ms);
		else if (x->ttft_sk != NULL)
			sr_sketch_merge(w->ttft, x->ttft_sk);
	}
	w->ver++;
}

static int
win_has(const struct agg_win *w, int64_t idx)
{
	return idx >= w->lo && idx <= w->hi;
}

/*
 * Add to one level of a ring unless the slot already holds newer data;
 * the windows on that level (w[0..nw-1]) follow.
 */
static void
level_add(struct agg_bucket **lvp, int n, int64_t width, int64_t now_ms,
    const struct agg_add *x, struct agg_win *w, int nw)
{
	int64_t idx = floordiv(x->ts_ms, width);
	int64_t now_idx = floordiv(now_ms, width);
	struct agg_bucket *b;

	if (idx <= now_idx - n)
		return;
	if (*lvp == NULL)
		*lvp = level_new(n);
	b = &(*lvp)[(size_t)(((idx % n) + n) % n)];
	if (b->idx != idx) {
		if (b->idx > idx)
			return;
		for (int i = 0; i < nw; i++)
			if (b->idx != INT64_MIN && win_has(&w[i], b->idx))
				win_bucket(&w[i], b, -1);
		bucket_reset(b, idx);
	}
	bucket_add(b, x);
	for (int i = 0; i < nw; i++)
		if (win_has(&w[i], idx))
			win_add(&w[i], x);
}

static void
ring_add(struct sr_agg_ring *r, int64_t now_ms, const struct agg_add *x)
{
	/* SR_WIN_1M and SR_WIN_5M are fine, SR_WIN_1H coarse */
	level_add(&r->fine, SR_AGG_FINE_N, SR_AGG_FINE_MS, now_ms, x,
	    &r->win[SR_WIN_1M], 2);
	level_add(&r->coarse, SR_AGG_COARSE_N, SR_AGG_COARSE_MS, now_ms, x,
	    &r->win[SR_WIN_1H], 1);
}

/*
 * Give back a level whose every bucket is past what the windows can see
 * at now_ms (what level_add() would no longer write to): its windows
 * (w[0..nw-1]) hold none of it, and are reset to sum afresh, to nothing,
 * until a new add allocates the level again.
 */
static void
level_trim(struct agg_bucket **lvp, int n, int64_t width, int64_t now_ms,
    struct agg_win *w, int nw)
{
	int64_t now_idx = floordiv(now_ms, width);

	if (*lvp == NULL)
		return;
	for (int i = 0; i < n; i++)
		if ((*lvp)[i].idx != INT64_MIN && (*lvp)[i].idx > now_idx - n)
			return;
	level_free(*lvp, n);
	*lvp = NULL;
	for (int i = 0; i < nw; i++) {
		sr_sketch_free(w[i].lat);
		sr_sketch_free(w[i].ttft);
		w[i].lat = w[i].ttft = NULL;
		w[i].req = w[i].n4xx = w[i].n5xx = w[i].lat_n = 0;
		w[i].lo = 1;
		w[i].hi = 0;
		w[i].ver++;
	}
}

static void
ring_trim(struct sr_agg_ring *r, int64_t now_ms)
{
	level_trim(&r->fine, SR_AGG_FINE_N, SR_AGG_FINE_MS, now_ms,
	    &r->win[SR_WIN_1M], 2);
	level_trim(&r->coarse, SR_AGG_COARSE_N, SR_AGG_COARSE_MS, now_ms,
	    &r->win[SR_WIN_1H], 1);
}

/*
 * Pack the sketches of a level's closed buckets (older than the one
 * before the current, which late events still reach): their bins then
 * take 1 or 2 bytes each instead of 4.  A late add unpacks them.
 */
static void
level_pack(struct agg_bucket *lv, int n, int64_t width, int64_t now_ms)
{
	int64_t now_idx = floordiv(now_ms, width);

	if (lv == NULL)
		return;
	for (int i = 0; i < n; i++) {
		if (lv[i].idx == INT64_MIN || lv[i].idx >= now_idx - 1)
			continue;
		if (lv[i].lat != NULL)
			sr_sketch_pack(lv[i].lat);
		if (lv[i].llm != NULL && lv[i].llm->ttft != NULL)
			sr_sketch_pack(lv[i].llm->ttft);
	}
}

static void
ring_pack(struct sr_agg_ring *r, int64_t now_ms)
{
	level_pack(r->fine, SR_AGG_FINE_N, SR_AGG_FINE_MS, now_ms);
	level_pack(r->coarse, SR_AGG_COARSE_N, SR_AGG_COARSE_MS, now_ms);
}

/* Sum of the buckets of a window; sketches merged into lat/ttft. */
struct ring_sum {
	uint64_t req, n4xx, n5xx, lat_n, tok_in, tok_out, tok_n;
	double gen_ms, lat_sum;
	double span_s;
};

struct sr_agg {
	int64_t now_ms;
	int64_t start_ms; /* clock at creation */
	int64_t active_ms;
	int64_t baseline_ms;
	int64_t last_minute;
	int ticked;		 /* a tick has set the clock */
	struct sr_hmap *svc_map; /* maps borrow their keys from values */
	struct sr_agg_service **svcs;
	size_t n_svcs;
	struct sr_hmap *model_map;
	struct sr_agg_model **models;
	size_t n_models;
	struct sr_hmap *type_map;
	struct agg_type **types;
	size_t n_types;
	struct sr_hmap *tpl_map;
	struct sr_agg_template **tpls;
	size_t n_tpls;
	struct sr_agg_ring *all;
	struct agg_idtab *users;
	struct agg_idtab *sessions;
	uint64_t events;
	uint64_t old_events;
	int64_t newest_ms;
	struct sr_snap_folded folded;
	struct sr_sketch *scratch;
	/* each window's bucket range at now_ms (win_range), kept current */
	int64_t win_lo[SR_WIN_COUNT], win_hi[SR_WIN_COUNT];
	/* endpoint maps per service live beside the service */
	struct sr_hmap **ep_maps; /* parallel to svcs */
	struct sr_limits lim;
	struct sr_hmap *host_map;
	struct agg_host **hosts;
	size_t n_hosts;
};

/* A host's services: name -> ring, in arrival order. */
struct agg_host {
	char *name;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	uint64_t events;
	struct sr_agg_ring *ring;
	char *svc_name[SR_SNAP_HOST_SERVICES + 1];
	struct sr_agg_ring *svc_ring[SR_SNAP_HOST_SERVICES + 1];
	size_t n_svcs;
};

struct agg_type {
	char *name;
	struct sr_agg_ring *ring;
};

/* Which buckets a window covers at now: [lo, hi] of level. */
static void
win_range(const struct sr_agg *a, enum sr_window w, int prev, int64_t *lo,
    int64_t *hi, int64_t *width, int *coarse)
{
	int64_t now_idx;
	int nb;

	switch (w) {
	case SR_WIN_1M:
		*width = SR_AGG_FINE_MS;
		nb = 6;
		*coarse = 0;
		break;
	case SR_WIN_5M:
		*width = SR_AGG_FINE_MS;
		nb = 30;
		*coarse = 0;
		break;
	default:
		*width = SR_AGG_COARSE_MS;
		nb = 12;
		*coarse = 1;
		break;
	}
	now_idx = floordiv(a->now_ms, *width);
	*hi = now_idx + 1; /* a little clock skew ahead is fine */
	*lo = now_idx - nb + 1;
	if (prev) {
		*hi = *lo - 1;
		*lo = *lo - nb;
	}
}

static void
ring_sum(const struct sr_agg *a, const struct sr_agg_ring *r, enum sr_window w,
    int prev, struct ring_sum *s, struct sr_sketch *lat, struct sr_sketch *ttft)
{
	int64_t lo, hi, width, from, to;
	int coarse, n;
	const struct agg_bucket *lv;

	memset(s, 0, sizeof(*s));
	if (lat != NULL)
		sr_sketch_reset(lat);
	if (ttft != NULL)
		sr_sketch_reset(ttft);
	win_range(a, w, prev, &lo, &hi, &width, &coarse);
	lv = ring_level(r, coarse, &n);
	for (int i = 0; i < n; i++) {
		const struct agg_bucket *b = &lv[i];

		if (b->idx < lo || b->idx > hi)
			continue;
		s->req += b->req;
		s->n4xx += b->n4xx;
		s->n5xx += b->n5xx;
		s->lat_n += b->lat_n;
		s->lat_sum += b->lat_sum;
		if (lat != NULL && b->lat != NULL)
			sr_sketch_merge(lat, b->lat);
		if (b->llm == NULL)
			continue;
		s->tok_in += b->llm->tok_in;
		s->tok_out += b->llm->tok_out;
		s->tok_n += b->llm->tok_n;
		s->gen_ms += b->llm->gen_ms;
		if (ttft != NULL && b->llm->ttft != NULL)
			sr_sketch_merge(ttft, b->llm->ttft);
	}
	/* the time the window really covers, not before the agg started */
	from = lo * width;
	to = prev ? (hi + 1) * width : a->now_ms;
	if (!prev && from < a->start_ms)
		from = a->start_ms;
	s->span_s = (double)(to - from) / 1000.0;
	if (s->span_s < 1)
		s->span_s = 1;
}

static void
sum_to_win(const struct ring_sum *s, const struct sr_sketch *lat,
    struct sr_snap_win *out)
{
	out->requests = s->req;
	out->req_per_s = (double)s->req / s->span_s;
	out->n_4xx = s->n4xx;
	out->n_5xx = s->n5xx;
	out->rate_4xx = s->req ? (double)s->n4xx / (double)s->req : NAN;
	out->rate_5xx = s->req ? (double)s->n5xx / (double)s->req : NAN;
	out->lat_n = s->lat_n;
	out->lat_sum = s->lat_sum;
	if (lat != NULL && sr_sketch_count(lat) > 0) {
		out->p50 = sr_sketch_quantile(lat, 0.50);
		out->p90 = sr_sketch_quantile(lat, 0.90);
		out->p95 = sr_sketch_quantile(lat, 0.95);
		out->p99 = sr_sketch_quantile(lat, 0.99);
		out->max = sr_sketch_max(lat);
	} else {
		out->p50 = out->p90 = out->p95 = out->p99 = out->max = NAN;
	}
}

/* Bring window w of r to the agg's clock; returns it. */
static struct agg_win *
win_sync(const struct sr_agg *a, const struct sr_agg_ring *r, enum sr_window w)
{
	struct agg_win *x = &r->win[w];
	int64_t lo, hi, width;
	int coarse, n;
	const struct agg_bucket *lv;

	if (a->win_lo[w] == x->lo && a->win_hi[w] == x->hi)
		return x;
	win_range(a, w, 0, &lo, &hi, &width, &coarse);
	lv = ring_level(r, coarse, &n);
	/* n is 0 for a level not allocated: summed afresh, to nothing */
	if (x->lo > x->hi || lo < x->lo || hi < x->hi || lo - x->lo >= n) {
		/* first use or a jump: sum the buckets afresh */
		x->req = x->n4xx = x->n5xx = x->lat_n = 0;
		if (x->lat != NULL)
			sr_sketch_reset(x->lat);
		if (x->ttft != NULL)
			sr_sketch_reset(x->ttft);
		x->lo = lo;
		x->hi = hi;
		for (int i = 0; i < n; i++)
			if (lv[i].idx != INT64_MIN && win_has(x, lv[i].idx))
				win_bucket(x, &lv[i], 1);
		x->ver++;
		return x;
	}
	/* the buckets in [x->lo, lo) leave, those in (x->hi, hi] enter;
	 * bucket i can only live in slot i mod n */
	for (int64_t i = x->lo; i < lo && i <= x->hi; i++) {
		const struct agg_bucket *b = &lv[(size_t)(((i % n) + n) % n)];

		if (b->idx == i)
			win_bucket(x, b, -1);
	}
	for (int64_t i = x->hi + 1 > lo ? x->hi + 1 : lo; i <= hi; i++) {
		const struct agg_bucket *b = &lv[(size_t)(((i % n) + n) % n)];

		if (b->idx == i)
			win_bucket(x, b, 1);
	}
	x->lo = lo;
	x->hi = hi;
	return x;
}

/*
 * The window's counts and covered time, as ring_sum() gives them.  The
 * latency sum is added up from the window's buckets (at most 30) rather
 * than kept running, so that it never drifts by float subtraction.
 */
static void
win_counts(const struct sr_agg *a, const struct sr_agg_ring *r,
    const struct agg_win *x, enum sr_window w, struct ring_sum *s)
{
	int64_t lo, hi, width, from;
	int coarse, n;
	const struct agg_bucket *lv;

	memset(s, 0, sizeof(*s));
	win_range(a, w, 0, &lo, &hi, &width, &coarse);
	s->req = x->req;
	s->n4xx = x->n4xx;
	s->n5xx = x->n5xx;
	s->lat_n = x->lat_n;
	lv = ring_level(r, coarse, &n);
	for (int i = 0; i < n; i++)
		if (lv[i].idx != INT64_MIN && win_has(x, lv[i].idx))
			s->lat_sum += lv[i].lat_sum;
	from = lo * width;
	if (from < a->start_ms)
		from = a->start_ms;
	s->span_s = (double)(a->now_ms - from) / 1000.0;
	if (s->span_s < 1)
		s->span_s = 1;
}

/* Latency quantiles of a synced window (cached until it changes). */
static void
win_quantiles(const struct sr_agg_ring *r, enum sr_window w, struct agg_win *x)
{
	int n;
	const struct agg_bucket *lv = ring_level(r, w == SR_WIN_1H, &n);
	double mn = NAN, mx = NAN;

	if (x->q_ver == x->ver)
		return;
	if (n == 0) { /* nothing kept: no sketch to allocate */
		x->q_ver = x->ver;
		x->p50 = x->p90 = x->p95 = x->p99 = x->max = NAN;
		return;
	}
	if (x->lat == NULL) {
		x->lat = sr_sketch_new();
		for (int i = 0; i < n; i++)
			if (lv[i].lat != NULL && win_has(x, lv[i].idx))
				sr_sketch_merge(x->lat, lv[i].lat);
	}
	x->q_ver = x->ver;
	if (sr_sketch_count(x->lat) == 0) {
		x->p50 = x->p90 = x->p95 = x->p99 = x->max = NAN;
		return;
	}
	/* min and max cannot be subtracted: take them from the buckets */
	for (int i = 0; i < n; i++) {
		const struct agg_bucket *b = &lv[i];

		if (isnan(b->lat_min) || !win_has(x, b->idx))
			continue;
		minmax(&mn, &mx, b->lat_min, b->lat_max);
	}
	sr_sketch_set_minmax(x->lat, mn, mx);
	{
		static const double qs[] = { 0.50, 0.90, 0.95, 0.99 };
		double qv[4];

		sr_sketch_quantiles(x->lat, qs, qv, 4);
		x->p50 = qv[0];
		x->p90 = qv[1];
		x->p95 = qv[2];
		x->p99 = qv[3];
	}
	x->max = sr_sketch_max(x->lat);
}

void
sr_agg_ring_win(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_win *out)
{
	struct agg_win *x = win_sync(a, r, w);
	struct ring_sum s;

	win_counts(a, r, x, w, &s);
	sum_to_win(&s, NULL, out);
	win_quantiles(r, w, x);
	out->p50 = x->p50;
	out->p90 = x->p90;
	out->p95 = x->p95;
	out->p99 = x->p99;
	out->max = x->max;
}

/* TTFT quantiles of a synced window (cached until it changes). */
static void
win_ttft_quantiles(const struct sr_agg_ring *r, enum sr_window w,
    struct agg_win *x)
{
	int n;
	const struct agg_bucket *lv = ring_level(r, w == SR_WIN_1H, &n);
	double mn = NAN, mx = NAN;

	if (x->tq_ver == x->ver)
		return;
	if (n == 0) {
		x->tq_ver = x->ver;
		x->ttft_p50 = x->ttft_p95 = NAN;
		return;
	}
	if (x->ttft == NULL) {
		x->ttft = sr_sketch_new();
		for (int i = 0; i < n; i++)
			if (lv[i].llm != NULL && lv[i].llm->ttft != NULL &&
			    win_has(x, lv[i].idx))
				sr_sketch_merge(x->ttft, lv[i].llm->ttft);
	}
	x->tq_ver = x->ver;
	if (sr_sketch_count(x->ttft) == 0) {
		x->ttft_p50 = x->ttft_p95 = NAN;
		return;
	}
	for (int i = 0; i < n; i++)
		if (lv[i].llm != NULL && !isnan(lv[i].llm->ttft_min) &&
		    win_has(x, lv[i].idx))
			minmax(&mn, &mx, lv[i].llm->ttft_min,
			    lv[i].llm->ttft_max);
	sr_sketch_set_minmax(x->ttft, mn, mx);
	x->ttft_p50 = sr_sketch_quantile(x->ttft, 0.50);
	x->ttft_p95 = sr_sketch_quantile(x->ttft, 0.95);
}

void
sr_agg_ring_model_win(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_model_win *out)
{
	struct agg_win *x = win_sync(a, r, w);
	struct ring_sum s;

	/* counts and the gen_ms sum as before (no sketch merging) */
	ring_sum(a, r, w, 0, &s, NULL, NULL);
	out->requests = s.req;
	out->tokens_in = s.tok_in;
	out->tokens_out = s.tok_out;
	out->tokens_per_s =
	    s.gen_ms > 0 ? (double)s.tok_out / (s.gen_ms / 1000.0) : NAN;
	win_ttft_quantiles(r, w, x);
	out->ttft_p50 = x->ttft_p50;
	out->ttft_p95 = x->ttft_p95;
}

void
sr_agg_ring_counts(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_win *out)
{
	struct ring_sum s;

	if (r == NULL)
		r = a->all;
	win_counts(a, r, win_sync(a, r, w), w, &s);
	sum_to_win(&s, NULL, out);
}

uint64_t
sr_agg_ring_requests(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w)
{
	return win_sync(a, r, w)->req;
}

void
sr_agg_total_win(const struct sr_agg *a, enum sr_window w,
    struct sr_snap_win *out)
{
	sr_agg_ring_win(a, a->all, w, out);
}

void
sr_agg_total_prev(const struct sr_agg *a, enum sr_window w,
    struct sr_snap_win *out)
{
	struct ring_sum s;

	if (w != SR_WIN_1M) {
		struct ring_sum z;

		memset(&z, 0, sizeof(z));
		z.span_s = 1;
		sum_to_win(&z, NULL, out);
		out->req_per_s = NAN;
		return;
	}
	ring_sum(a, a->all, w, 1, &s, a->scratch, NULL);
	sum_to_win(&s, a->scratch, out);
	/* before the agg started there is nothing to compare */
	if ((floordiv(a->now_ms, SR_AGG_FINE_MS) - 11) * SR_AGG_FINE_MS <
	    a->start_ms)
		out->req_per_s = NAN;
}

/* ---- id tables: users and sessions ---- */

struct agg_id {
	char *id;
	int64_t first_ms, last_ms;
	uint64_t events;
};

struct agg_idtab {
	struct sr_hmap *map; /* id -> entry, keys borrowed */
	struct agg_id **v;
	size_t n;
	int64_t last_fold_ms; /* INT64_MIN: never */
	/* HLL per bucket: fine (1 m / 5 m) and coarse (1 h) */
	uint8_t *hll_fine; /* SR_AGG_FINE_N * HLL_M */
	int64_t hll_fine_idx[SR_AGG_FINE_N];
	uint8_t *hll_coarse;
	int64_t hll_coarse_idx[SR_AGG_COARSE_N];
};

static struct agg_idtab *
idtab_new(void)
{
	struct agg_idtab *t = sr_xcalloc(1, sizeof(*t));

	t->map = sr_hmap_new(512, 0, NULL);
	t->last_fold_ms = INT64_MIN;
	for (int i = 0; i < SR_AGG_FINE_N; i++)
		t->hll_fine_idx[i] = INT64_MIN;
	for (int i = 0; i < SR_AGG_COARSE_N; i++)
		t->hll_coarse_idx[i] = INT64_MIN;
	return t;
}

static void
idtab_free(struct agg_idtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i]->id);
		free(t->v[i]);
	}
	free(t->v);
	sr_hmap_free(t->map);
	free(t->hll_fine);
	free(t->hll_coarse);
	free(t);
}

static void
hll_add(uint8_t *regs, int64_t *idxs, int n, int64_t width, int64_t now_ms,
    int64_t ts, uint64_t h)
{
	int64_t idx = floordiv(ts, width);
	size_t slot = (size_t)(((idx % n) + n) % n);
	uint8_t *r = regs + slot * HLL_M;
	uint64_t w = h << HLL_P;
	uint8_t rank =
	    (uint8_t)(w == 0 ? 64 - HLL_P + 1 : __builtin_clzll(w) + 1);

	if (idx <= floordiv(now_ms, width) - n)
		return;
	if (idxs[slot] != idx) {
		if (idxs[slot] > idx)
			return;
		memset(r, 0, HLL_M);
		idxs[slot] = idx;
	}
	if (r[h >> (64 - HLL_P)] < rank)
		r[h >> (64 - HLL_P)] = rank;
}

static double
hll_estimate(const uint8_t *r)
{
	double sum = 0, m = HLL_M, est;
	unsigned zeros = 0;

	for (unsigned i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -r[i]);
		zeros += r[i] == 0;
	}
	est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (est <= 2.5 * m && zeros > 0)
		est = m * log(m / zeros);
	return est;
}

/* Track id at ts; returns the entry or NULL when the table is full. */
static struct agg_id *
idtab_add(struct agg_idtab *t, const char *id, int64_t ts, int64_t now_ms,
    uint64_t *folded)
{
	size_t len = strlen(id);
	uint64_t h = sr_hash_bytes(id, len);
	struct agg_id *e = sr_hmap_geth(t->map, id, len, h);

	if (t->hll_fine == NULL) {
		t->hll_fine = sr_xcalloc(SR_AGG_FINE_N, HLL_M);
		t->hll_coarse = sr_xcalloc(SR_AGG_COARSE_N, HLL_M);
	}
	hll_add(t->hll_fine, t->hll_fine_idx, SR_AGG_FINE_N, SR_AGG_FINE_MS,
	    now_ms, ts, sr_hash_mix(h));
	hll_add(t->hll_coarse, t->hll_coarse_idx, SR_AGG_COARSE_N,
	    SR_AGG_COARSE_MS, now_ms, ts, sr_hash_mix(h));
	if (e == NULL) {
		if (t->n >= SR_AGG_MAX_USERS) {
			(*folded)++;
			if (ts > t->last_fold_ms)
				t->last_fold_ms = ts;
			return NULL;
		}
		e = sr_xcalloc(1, sizeof(*e));
		e->id = sr_xstrdup(id);
		e->first_ms = ts;
		e->last_ms = ts;
		t->v = sr_xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
		t->v[t->n++] = e;
		sr_hmap_puth(t->map, e->id, len, h, e);
	}
	if (ts > e->last_ms)
		e->last_ms = ts;
	if (ts < e->first_ms)
		e->first_ms = ts;
	e->events++;
	return e;
}

/* Drop ids not seen since cutoff. */
static void
idtab_sweep(struct agg_idtab *t, int64_t cutoff)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i]->last_ms < cutoff) {
			(void)sr_hmap_del(t->map, t->v[i]->id);
			free(t->v[i]->id);
			free(t->v[i]);
		} else {
			t->v[k++] = t->v[i];
		}
	}
	t->n = k;
}

/* Unique ids over a window: exact, or HLL when ids were folded. */
static uint64_t
idtab_unique(const struct sr_agg *a, const struct agg_idtab *t,
    enum sr_window w, int *exact)
{
	int64_t lo, hi, width, from;
	int coarse;
	uint64_t n = 0;

	win_range(a, w, 0, &lo, &hi, &width, &coarse);
	from = lo * width;
	if (t->last_fold_ms < from) {
		*exact = 1;
		for (size_t i = 0; i < t->n; i++)
			n += t->v[i]->last_ms >= from;
		return n;
	} else {
		uint8_t merged[HLL_M];
		const uint8_t *regs = coarse ? t->hll_coarse : t->hll_fine;
		const int64_t *idxs =
		    coarse ? t->hll_coarse_idx : t->hll_fine_idx;
		int nb = coarse ? SR_AGG_COARSE_N : SR_AGG_FINE_N;

		*exact = 0;
		memset(merged, 0, sizeof(merged));
		for (int b = 0; b < nb; b++) {
			if (idxs[b] < lo || idxs[b] > hi)
				continue;
			for (unsigned i = 0; i < HLL_M; i++)
				if (regs[(size_t)b * HLL_M + i] > merged[i])
					merged[i] = regs[(size_t)b * HLL_M + i];
		}
		return (uint64_t)llround(hll_estimate(merged));
	}
}

/* ---- the agg ---- */

static void
agg_win_ranges(struct sr_agg *a)
{
	for (int w = 0; w < SR_WIN_COUNT; w++) {
		int64_t width;
		int coarse;

		win_range(a, (enum sr_window)w, 0, &a->win_lo[w], &a->win_hi[w],
		    &width, &coarse);
	}
}

struct sr_agg *
sr_agg_new(int64_t now_ms, int64_t active_session_ms, int64_t baseline_ms)
{
	struct sr_agg *a = sr_xcalloc(1, sizeof(*a));

	a->now_ms = now_ms;
	agg_win_ranges(a);
	a->start_ms = now_ms;
	a->active_ms = active_session_ms > 0 ? active_session_ms : 1800000;
	a->baseline_ms = baseline_ms > 0 ? baseline_ms : 3600000;
	a->last_minute = floordiv(now_ms, 60000);
	a->svc_map = sr_hmap_new(128, 0, NULL);
	a->model_map = sr_hmap_new(256, 0, NULL);
	a->type_map = sr_hmap_new(64, 0, NULL);
	a->host_map = sr_hmap_new(8, 0, NULL);
	a->tpl_map = sr_hmap_new(512, 0, NULL);
	a->lim = (struct sr_limits)SR_LIMITS_DEFAULT;
	a->all = ring_new();
	a->users = idtab_new();
	a->sessions = idtab_new();
	a->scratch = sr_sketch_new();
	return a;
}

void
sr_agg_free(struct sr_agg *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n_svcs; i++) {
		struct sr_agg_service *s = a->svcs[i];

		for (size_t k = 0; k < s->n_endpoints; k++) {
			free(s->endpoints[k]->name);
			ring_free(s->endpoints[k]->ring);
			free(s->endpoints[k]);
		}
		free(s->endpoints);
		sr_hmap_free(a->ep_maps[i]);
		free(s->name);
		ring_free(s->ring);
		free(s);
	}
	free(a->svcs);
	free(a->ep_maps);
	sr_hmap_free(a->svc_map);
	for (size_t i = 0; i < a->n_models; i++) {
		free(a->models[i]->name);
		ring_free(a->models[i]->ring);
		free(a->models[i]);
	}
	free(a->models);
	sr_hmap_free(a->model_map);
	for (size_t i = 0; i < a->n_types; i++) {
		free(a->types[i]->name);
		ring_free(a->types[i]->ring);
		free(a->types[i]);
	}
	free(a->types);
	sr_hmap_free(a->type_map);
	for (size_t i = 0; i < a->n_hosts; i++) {
		struct agg_host *h = a->hosts[i];

		for (size_t k = 0; k < h->n_svcs; k++) {
			free(h->svc_name[k]);
			ring_free(h->svc_ring[k]);
		}
		free(h->name);
		ring_free(h->ring);
		free(h);
	}
	free(a->hosts);
	sr_hmap_free(a->host_map);
	for (size_t i = 0; i < a->n_tpls; i++) {
		struct sr_agg_template *t = a->tpls[i];

		free(t->tpl);
		free(t->example);
		for (size_t k = 0; k < t->n_services; k++)
			free(t->services[k]);
		free(t);
	}
	free(a->tpls);
	sr_hmap_free(a->tpl_map);
	ring_free(a->all);
	idtab_free(a->users);
	idtab_free(a->sessions);
	sr_sketch_free(a->scratch);
	free(a);
}

void
sr_agg_set_limits(struct sr_agg *a, const struct sr_limits *l)
{
	if (l != NULL)
		a->lim = *l;
	else
		a->lim = (struct sr_limits)SR_LIMITS_DEFAULT;
}

const struct sr_limits *
sr_agg_limits(const struct sr_agg *a)
{
	return &a->lim;
}

int64_t
sr_agg_now(const struct sr_agg *a)
{
	return a->now_ms;
}

int64_t
sr_agg_start(const struct sr_agg *a)
{
	return a->start_ms;
}

/* Service by name, created if room, else "(other)"; *idx its index. */
static struct sr_agg_service *
agg_service(struct sr_agg *a, const char *name, size_t *idx, int *folded)
{
	struct sr_agg_service *s = sr_hmap_get(a->svc_map, name);

	*folded = 0;
	if (s == NULL && a->n_svcs >= (size_t)a->lim.services &&
	    strcmp(name, SR_AGG_OTHER) != 0) {
		*folded = 1;
		name = SR_AGG_OTHER;
		s = sr_hmap_get(a->svc_map, name);
	}
	if (s == NULL) {
		s = sr_xcalloc(1, sizeof(*s));
		s->name = sr_xstrdup(name);
		s->ring = ring_new();
		s->first_seen_ms = INT64_MAX;
		s->slot = a->n_svcs;
		a->svcs =
		    sr_xrealloc(a->svcs, (a->n_svcs + 1) * sizeof(*a->svcs));
		a->ep_maps = sr_xrealloc(a->ep_maps,
		    (a->n_svcs + 1) * sizeof(*a->ep_maps));
		a->ep_maps[a->n_svcs] = sr_hmap_new(32, 0, NULL);
		a->svcs[a->n_svcs++] = s;
		sr_hmap_put(a->svc_map, s->name, s);
	}
	*idx = s->slot;
	return s;
}

/* Endpoint (templated) of a service; n events fold when past the cap. */
static struct sr_agg_endpoint *
agg_endpoint(struct sr_agg *a, size_t si, const char *name, uint64_t n)
{
	struct sr_agg_service *s = a->svcs[si];
	struct sr_hmap *m = a->ep_maps[si];
	struct sr_agg_endpoint *e = sr_hmap_get(m, name);

	if (e == NULL) {
		if (s->n_endpoints >= (size_t)a->lim.endpoints_per_service &&
		    strcmp(name, SR_AGG_OTHER) != 0) {
			a->folded.endpoints += n;
			return agg_endpoint(a, si, SR_AGG_OTHER, n);
		}
		e = sr_xcalloc(1, sizeof(*e));
		e->name = sr_xstrdup(name);
		e->ring = ring_new();
		e->first_seen_ms = INT64_MAX;
		s->endpoints = sr_xrealloc(s->endpoints,
		    (s->n_endpoints + 1) * sizeof(*s->endpoints));
		s->endpoints[s->n_endpoints++] = e;
		sr_hmap_put(m, e->name, e);
	}
	return e;
}

static struct sr_agg_model *
agg_model(struct sr_agg *a, const char *name, uint64_t n)
{
	struct sr_agg_model *m = sr_hmap_get(a->model_map, name);

	if (m == NULL) {
		if (a->n_models >= (size_t)a->lim.models &&
		    strcmp(name, SR_AGG_OTHER) != 0) {
			a->folded.models += n;
			return agg_model(a, SR_AGG_OTHER, n);
		}
		m = sr_xcalloc(1, sizeof(*m));
		m->name = sr_xstrdup(name);
		m->ring = ring_new();
		m->first_seen_ms = INT64_MAX;
		a->models = sr_xrealloc(a->models,
		    (a->n_models + 1) * sizeof(*a->models));
		a->models[a->n_models++] = m;
		sr_hmap_put(a->model_map, m->name, m);
	}
	return m;
}

static struct agg_type *
agg_type(struct sr_agg *a, const char *name)
{
	struct agg_type *t = sr_hmap_get(a->type_map, name);

	if (t == NULL) {
		if (a->n_types >= SR_AGG_MAX_TYPES &&
		    strcmp(name, SR_AGG_OTHER) != 0) {
			a->folded.types++;
			return agg_type(a, SR_AGG_OTHER);
		}
		t = sr_xcalloc(1, sizeof(*t));
		t->name = sr_xstrdup(name);
		t->ring = ring_new();
		a->types =
		    sr_xrealloc(a->types, (a->n_types + 1) * sizeof(*a->types));
		a->types[a->n_types++] = t;
		sr_hmap_put(a->type_map, t->name, t);
	}
	return t;
}

static struct agg_host *
agg_host(struct sr_agg *a, const char *name)
{
	struct agg_host *t = sr_hmap_get(a->host_map, name);

	if (t == NULL) {
		if (a->n_hosts >= SR_AGG_MAX_HOSTS &&
		    strcmp(name, SR_AGG_OTHER) != 0)
			return agg_host(a, SR_AGG_OTHER);
		t = sr_xcalloc(1, sizeof(*t));
		t->name = sr_xstrdup(name);
		t->ring = ring_new();
		t->first_seen_ms = INT64_MAX;
		a->hosts =
		    sr_xrealloc(a->hosts, (a->n_hosts + 1) * sizeof(*a->hosts));
		a->hosts[a->n_hosts++] = t;
		sr_hmap_put(a->host_map, t->name, t);
	}
	return t;
}

/* The ring of a host's service (a linear scan: at most 51). */
static struct sr_agg_ring *
agg_host_service(struct agg_host *h, const char *svc)
{
	size_t i;

	for (i = 0; i < h->n_svcs; i++)
		if (strcmp(h->svc_name[i], svc) == 0)
			return h->svc_ring[i];
	if (h->n_svcs >= SR_SNAP_HOST_SERVICES &&
	    strcmp(svc, SR_AGG_OTHER) != 0)
		return agg_host_service(h, SR_AGG_OTHER);
	h->svc_name[i] = sr_xstrdup(svc);
	h->svc_ring[i] = ring_new();
	h->n_svcs++;
	return h->svc_ring[i];
}

static void
seen(int64_t *first, int64_t *last, int64_t ts)
{
	if (ts < *first)
		*first = ts;
	if (ts > *last)
		*last = ts;
}

/* Record n errors of msg (already a template or not) for a service. */
static void
agg_error(struct sr_agg *a, int64_t ts, const char *service, const char *msg,
    uint64_t n)
{
	char tpl[SR_TEMPLATE_MAX + 1];
	struct sr_agg_template *t;
	int64_t idx = floordiv(ts, SR_AGG_COARSE_MS);
	size_t slot = (size_t)(((idx % SR_AGG_COARSE_N) + SR_AGG_COARSE_N) %
	    SR_AGG_COARSE_N);

	sr_template_make(msg, tpl, sizeof(tpl));
	t = sr_hmap_get(a->tpl_map, tpl);
	if (t == NULL) {
		if (a->n_tpls >= SR_AGG_MAX_TEMPLATES) {
			a->folded.templates += n;
			return;
		}
		t = sr_xcalloc(1, sizeof(*t));
		t->tpl = sr_xstrdup(tpl);
		t->first_seen_ms = ts;
		t->last_seen_ms = ts;
		for (int i = 0; i < SR_AGG_COARSE_N; i++)
			t->coarse_idx[i] = INT64_MIN;
		a->tpls =
		    sr_xrealloc(a->tpls, (a->n_tpls + 1) * sizeof(*a->tpls));
		a->tpls[a->n_tpls++] = t;
		sr_hmap_put(a->tpl_map, t->tpl, t);
	}
	t->count += n;
	if (ts >= t->last_seen_ms || t->example == NULL) {
		free(t->example);
		t->example = sr_xstrndup(msg, strnlen(msg, SR_TEMPLATE_MAX));
	}
	seen(&t->first_seen_ms, &t->last_seen_ms, ts);
	if (service != NULL) {
		size_t k;

		for (k = 0; k < t->n_services; k++)
			if (strcmp(t->services[k], service) == 0)
				break;
		if (k == t->n_services && k < SR_AGG_TEMPLATE_SERVICES)
			t->services[t->n_services++] = sr_xstrdup(service);
	}
	if (idx > floordiv(a->now_ms, SR_AGG_COARSE_MS) - SR_AGG_COARSE_N) {
		if (t->coarse_idx[slot] != idx) {
			if (t->coarse_idx[slot] > idx)
				return;
			t->coarse_idx[slot] = idx;
			t->coarse[slot] = 0;
		}
		t->coarse[slot] += (uint32_t)n;
	}
}

int
sr_agg_add_event(struct sr_agg *a, const struct sr_event *ev)
{
	struct agg_add x;
	char sbuf[SR_ENDPOINT_MAX + 2], ebuf[SR_ENDPOINT_MAX + 2];
	char mbuf[SR_ENDPOINT_MAX + 2];
	const char *svc_name = ev->service
	    ? sr_template_name(ev->service, sbuf, sizeof(sbuf))
	    : "-";
	struct sr_agg_service *s;
	size_t si = 0;
	int folded;
	int is5xx = sr_event_is_5xx(ev);

	if (ev->ts_ms <= a->now_ms - SR_AGG_COARSE_MS * SR_AGG_COARSE_N) {
		a->old_events++;
		return 0;
	}
	a->events++;
	if (ev->ts_ms > a->newest_ms)
		a->newest_ms = ev->ts_ms;
	memset(&x, 0, sizeof(x));
	x.ts_ms = ev->ts_ms;
	x.req = (uint64_t)sr_event_is_request(ev);
	if (ev->has & SR_EV_HAS_STATUS)
		x.n4xx = ev->status_code >= 400 && ev->status_code < 500;
	x.n5xx = (uint64_t)is5xx;
	if (ev->has & SR_EV_HAS_LATENCY) {
		x.has_lat = 1;
		x.lat_ms = ev->response_time_ms;
	}
	if (ev->has & SR_EV_HAS_TOKENS_IN)
		x.tok_in = (uint64_t)(ev->tokens_in > 0 ? ev->tokens_in : 0);
	if (ev->has & SR_EV_HAS_TOKENS_OUT) {
		x.tok_out = (uint64_t)(ev->tokens_out > 0 ? ev->tokens_out : 0);
		x.tok_n = 1;
		if (ev->has & SR_EV_HAS_LATENCY)
			x.gen_ms = ev->response_time_ms;
	}
	if (ev->has & SR_EV_HAS_TTFT) {
		x.has_ttft = 1;
		x.ttft_ms = ev->ttft_ms;
	}
	ring_add(a->all, a->now_ms, &x);
	if (ev->host != NULL && ev->host[0] != '\0') {
		struct agg_host *h = agg_host(a, ev->host);

		seen(&h->first_seen_ms, &h->last_seen_ms, ev->ts_ms);
		h->events++;
		ring_add(h->ring, a->now_ms, &x);
		ring_add(agg_host_service(h, svc_name), a->now_ms, &x);
	}

	s = agg_service(a, svc_name, &si, &folded);
	if (folded)
		a->folded.services++;
	if (ev->ts_ms > s->last_seen_ms && s->last_seen_ms > 0)
		sr_baseline_update(&s->base_gap_ms,
		    (double)(ev->ts_ms - s->last_seen_ms), 0.05);
	seen(&s->first_seen_ms, &s->last_seen_ms, ev->ts_ms);
	s->events++;
	ring_add(s->ring, a->now_ms, &x);
	if (ev->endpoint != NULL) {
		struct sr_agg_endpoint *e = agg_endpoint(a, si,
		    sr_template_endpoint(ev->endpoint, ebuf, sizeof(ebuf)), 1);

		seen(&e->first_seen_ms, &e->last_seen_ms, ev->ts_ms);
		ring_add(e->ring, a->now_ms, &x);
	}
	if (ev->model != NULL) {
		struct sr_agg_model *m = agg_model(a,
		    sr_template_name(ev->model, mbuf, sizeof(mbuf)), 1);

		seen(&m->first_seen_ms, &m->last_seen_ms, ev->ts_ms);
		ring_add(m->ring, a->now_ms, &x);
	}
	{
		struct agg_add tx;

		memset(&tx, 0, sizeof(tx));
		tx.ts_ms = ev->ts_ms;
		tx.req = 1;
		ring_add(agg_type(a,
			     ev->event_type ? ev->event_type : "request")
			     ->ring,
		    a->now_ms, &tx);
	}
	if (ev->user_id != NULL)
		idtab_add(a->users, ev->user_id, ev->ts_ms, a->now_ms,
		    &a->folded.users);
	if (ev->session_id != NULL)
		idtab_add(a->sessions, ev->session_id, ev->ts_ms, a->now_ms,
		    &a->folded.users);
	if (ev->message != NULL && sr_event_is_error(ev))
		agg_error(a, ev->ts_ms, ev->service, ev->message, 1);
	return 1;
}

void
sr_agg_add_minute(struct sr_agg *a, const struct sr_agg_minute *m)
{
	struct agg_add x;
	struct sr_sketch *lat = NULL, *ttft = NULL;
	struct sr_agg_service *s;
	size_t si = 0;
	int folded;

	if (m->minute_ms <= a->now_ms - SR_AGG_COARSE_MS * SR_AGG_COARSE_N) {
		a->old_events += m->requests;
		return;
	}
	memset(&x, 0, sizeof(x));
	/* a stored minute is placed at its middle */
	x.ts_ms = m->minute_ms + 30000;
	x.req = m->requests;
	x.n4xx = m->n_4xx;
	x.n5xx = m->n_5xx;
	if (m->lat_sketch != NULL && m->lat_sketch_len > 0) {
		lat = sr_sketch_new();
		if (sr_sketch_merge_encoded(lat, m->lat_sketch,
			m->lat_sketch_len, NULL) == 0) {
			x.lat_sk = lat;
			x.lat_n = sr_sketch_count(lat);
			x.lat_sum = m->lat_sum;
		}
	}
	if (m->ttft_sketch != NULL && m->ttft_sketch_len > 0) {
		ttft = sr_sketch_new();
		if (sr_sketch_merge_encoded(ttft, m->ttft_sketch,
			m->ttft_sketch_len, NULL) == 0)
			x.ttft_sk = ttft;
	}
	x.tok_in = m->tokens_in;
	x.tok_out = m->tokens_out;
	x.gen_ms = m->gen_ms;
	a->events += m->requests;
	if (x.ts_ms > a->newest_ms)
		a->newest_ms = x.ts_ms;
	ring_add(a->all, a->now_ms, &x);
	s = agg_service(a, m->service && *m->service ? m->service : "-", &si,
	    &folded);
	if (folded)
		a->folded.services += m->requests;
	if (x.ts_ms > s->last_seen_ms && s->last_seen_ms > 0)
		sr_baseline_update(&s->base_gap_ms,
		    (double)(x.ts_ms - s->last_seen_ms) /
			(double)(m->requests ? m->requests : 1),
		    0.05);
	seen(&s->first_seen_ms, &s->last_seen_ms, x.ts_ms);
	s->events += m->requests;
	ring_add(s->ring, a->now_ms, &x);
	if (m->endpoint != NULL && *m->endpoint != '\0') {
		char ebuf[SR_ENDPOINT_MAX + 1];
		struct sr_agg_endpoint *e;

		/* rows are templated when written; rows of older versions
		 * are templated here (a template is its own template) */
		sr_template_path(m->endpoint, ebuf, sizeof(ebuf));
		e = agg_endpoint(a, si,
		    strcmp(m->endpoint, SR_AGG_OTHER) == 0 ? SR_AGG_OTHER
							   : ebuf,
		    m->requests);

		seen(&e->first_seen_ms, &e->last_seen_ms, x.ts_ms);
		ring_add(e->ring, a->now_ms, &x);
	}
	if (m->model != NULL && *m->model != '\0') {
		struct sr_agg_model *md = agg_model(a, m->model, m->requests);

		seen(&md->first_seen_ms, &md->last_seen_ms, x.ts_ms);
		ring_add(md->ring, a->now_ms, &x);
	}
	sr_sketch_free(lat);
	sr_sketch_free(ttft);
}

void
sr_agg_add_error(struct sr_agg *a, int64_t ts_ms, const char *service,
    const char *message, uint64_t n)
{
	if (message == NULL || n == 0)
		return;
	agg_error(a, ts_ms, service && *service ? service : NULL, message, n);
}

/* Push one history point per service (1 min window values). */
static void
agg_history(struct sr_agg *a)
{
	for (size_t i = 0; i < a->n_svcs; i++) {
		struct sr_agg_service *s = a->svcs[i];
		struct sr_snap_win w;

		for (int k = 0; k < SR_WIN_COUNT; k++)
			sr_agg_ring_win(a, s->ring, (enum sr_window)k,
			    &s->win[k]);
		w = s->win[SR_WIN_1M];
		if (s->hist_n == SR_SNAP_HIST) {
			memmove(s->hist_rps, s->hist_rps + 1,
			    (SR_SNAP_HIST - 1) * sizeof(float));
			memmove(s->hist_p95, s->hist_p95 + 1,
			    (SR_SNAP_HIST - 1) * sizeof(float));
			memmove(s->hist_err, s->hist_err + 1,
			    (SR_SNAP_HIST - 1) * sizeof(float));
			s->hist_n--;
		}
		s->hist_rps[s->hist_n] = (float)w.req_per_s;
		s->hist_p95[s->hist_n] = (float)w.p95;
		s->hist_err[s->hist_n] = (float)w.rate_5xx;
		s->hist_n++;
	}
	for (size_t i = 0; i < a->n_models; i++)
		for (int k = 0; k < SR_WIN_COUNT; k++)
			sr_agg_ring_model_win(a, a->models[i]->ring,
			    (enum sr_window)k, &a->models[i]->win[k]);
}

/* Once a minute: fold the current windows into the baselines. */
static void
agg_baselines(struct sr_agg *a)
{
	double alpha = 1.0 - exp(-60000.0 / (double)a->baseline_ms);

	for (size_t i = 0; i < a->n_svcs; i++) {
		struct sr_agg_service *s = a->svcs[i];
		struct sr_snap_win w1, w5;

		/* a service seen for less than a minute has no rate yet */
		if (a->now_ms - s->first_seen_ms < 60000)
			continue;
		w1 = s->win[SR_WIN_1M];
		w5 = s->win[SR_WIN_5M];
		sr_baseline_update(&s->base_rps, w1.req_per_s, alpha);
		if (w1.lat_n >= 10)
			sr_baseline_update(&s->base_p95, w1.p95, alpha);
		if (w5.requests >= 20)
			sr_baseline_update(&s->base_err, w5.rate_5xx, alpha);
	}
	for (size_t i = 0; i < a->n_models; i++) {
		struct sr_agg_model *m = a->models[i];
		struct sr_snap_model_win w = m->win[SR_WIN_5M];

		if (w.requests >= 10 && !isnan(w.ttft_p95))
			sr_baseline_update(&m->base_ttft_p95, w.ttft_p95,
			    alpha);
		if (w.requests >= 10 && !isnan(w.tokens_per_s))
			sr_baseline_update(&m->base_tps, w.tokens_per_s, alpha);
	}
}

/* Every ring's closed buckets packed (once a minute). */
static void
agg_pack(struct sr_agg *a)
{
	ring_pack(a->all, a->now_ms);
	for (size_t i = 0; i < a->n_svcs; i++) {
		ring_pack(a->svcs[i]->ring, a->now_ms);
		for (size_t k = 0; k < a->svcs[i]->n_endpoints; k++)
			ring_pack(a->svcs[i]->endpoints[k]->ring, a->now_ms);
	}
	for (size_t i = 0; i < a->n_models; i++)
		ring_pack(a->models[i]->ring, a->now_ms);
	for (size_t i = 0; i < a->n_types; i++)
		ring_pack(a->types[i]->ring, a->now_ms);
	for (size_t i = 0; i < a->n_hosts; i++) {
		ring_pack(a->hosts[i]->ring, a->now_ms);
		for (size_t k = 0; k < a->hosts[i]->n_svcs; k++)
			ring_pack(a->hosts[i]->svc_ring[k], a->now_ms);
	}
}

void
sr_agg_tick(struct sr_agg *a, int64_t now_ms)
{
	int64_t minute = floordiv(now_ms, 60000);

	/* the first tick sets the clock (tests and replays run in the
	 * past); later ones only move it forward */
	if (!a->ticked) {
		a->ticked = 1;
		a->now_ms = now_ms;
		if (a->events == 0)
			a->start_ms = now_ms;
		a->last_minute = minute;
	} else if (now_ms > a->now_ms) {
		a->now_ms = now_ms;
	}
	agg_win_ranges(a);
	agg_history(a);
	if (minute != a->last_minute) {
		a->last_minute = minute;
		agg_baselines(a);
		/* endpoints are the many: idle ones give their buckets
		 * back (services, models and the totals are few) */
		for (size_t i = 0; i < a->n_svcs; i++)
			for (size_t k = 0; k < a->svcs[i]->n_endpoints; k++)
				ring_trim(a->svcs[i]->endpoints[k]->ring,
				    a->now_ms);
		agg_pack(a);
		idtab_sweep(a->users,
		    a->now_ms -
			(a->active_ms > 3600000 ? a->active_ms : 3600000));
		idtab_sweep(a->sessions,
		    a->now_ms -
			(a->active_ms > 3600000 ? a->active_ms : 3600000));
	}
}

/* ---- reading ---- */

size_t
sr_agg_n_services(const struct sr_agg *a)
{
	return a->n_svcs;
}

struct sr_agg_service *
sr_agg_service_at(const struct sr_agg *a, size_t i)
{
	return a->svcs[i];
}

struct sr_agg_service *
sr_agg_service(const struct sr_agg *a, const char *name)
{
	return sr_hmap_get(a->svc_map, name);
}

size_t
sr_agg_n_models(const struct sr_agg *a)
{
	return a->n_models;
}

struct sr_agg_model *
sr_agg_model_at(const struct sr_agg *a, size_t i)
{
	return a->models[i];
}

size_t
sr_agg_n_templates(const struct sr_agg *a)
{
	return a->n_tpls;
}

const struct sr_agg_template *
sr_agg_template_at(const struct sr_agg *a, size_t i)
{
	return a->tpls[i];
}

uint64_t
sr_agg_template_count_1h(const struct sr_agg *a,
    const struct sr_agg_template *t)
{
	int64_t now_idx = floordiv(a->now_ms, SR_AGG_COARSE_MS);
	uint64_t n = 0;

	for (int i = 0; i < SR_AGG_COARSE_N; i++)
		if (t->coarse_idx[i] > now_idx - SR_AGG_COARSE_N &&
		    t->coarse_idx[i] <= now_idx + 1)
			n += t->coarse[i];
	return n;
}

void
sr_agg_types(const struct sr_agg *a, struct sr_snap_type **out, size_t *n)
{
	*n = a->n_types;
	*out = NULL;
	if (a->n_types == 0)
		return;
	*out = sr_xcalloc(a->n_types, sizeof(**out));
	for (size_t i = 0; i < a->n_types; i++) {
		(*out)[i].name = a->types[i]->name;
		for (int w = 0; w < SR_WIN_COUNT; w++) {
			struct ring_sum s;

			ring_sum(a, a->types[i]->ring, (enum sr_window)w, 0, &s,
			    NULL, NULL);
			(*out)[i].count[w] = s.req;
		}
	}
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

void
sr_agg_users(const struct sr_agg *a, struct sr_snap_users *out,
    struct sr_snap_count *top, size_t max_top)
{
	int64_t cut = a->now_ms - a->active_ms;
	double *lens = NULL, sum_len = 0, sum_ev = 0;
	size_t nl = 0;
	struct sr_agg_user_top *tu;

	memset(out, 0, sizeof(*out));
	for (int w = 0; w < SR_WIN_COUNT; w++) {
		out->unique_users[w] = idtab_unique(a, a->users,
		    (enum sr_window)w, &out->users_exact[w]);
		out->unique_sessions[w] = idtab_unique(a, a->sessions,
		    (enum sr_window)w, &out->sessions_exact[w]);
	}
	out->active_window_ms = a->active_ms;
	for (size_t i = 0; i < a->users->n; i++)
		out->active_users += a->users->v[i]->last_ms >= cut;
	if (a->sessions->n > 0)
		lens = sr_xcalloc(a->sessions->n, sizeof(*lens));
	for (size_t i = 0; i < a->sessions->n; i++) {
		const struct agg_id *e = a->sessions->v[i];

		if (e->last_ms < cut)
			continue;
		out->active_sessions++;
		lens[nl] = (double)(e->last_ms - e->first_ms) / 1000.0;
		sum_len += lens[nl++];
		sum_ev += (double)e->events;
	}
	if (nl > 0) {
		qsort(lens, nl, sizeof(*lens), cmp_double);
		out->session_len_avg_s = sum_len / (double)nl;
		out->session_len_p50_s = lens[(nl - 1) / 2];
		out->events_per_session = sum_ev / (double)nl;
	} else {
		out->session_len_avg_s = NAN;
		out->session_len_p50_s = NAN;
		out->events_per_session = NAN;
	}
	free(lens);
	if (max_top > 0) {
		tu = sr_xcalloc(max_top, sizeof(*tu));
		out->n_top_users = sr_agg_top_users(a, tu, max_top);
		for (size_t i = 0; i < out->n_top_users; i++) {
			top[i].name = tu[i].id;
			top[i].count = tu[i].events;
		}
		out->top_users = top;
		free(tu);
	}
}

size_t
sr_agg_top_users(const struct sr_agg *a, struct sr_agg_user_top *out,
    size_t max)
{
	size_t n = 0;
	int64_t cut = a->now_ms - 3600000;

	/* insertion into a small sorted array: max is small (<= 20) */
	for (size_t i = 0; i < a->users->n; i++) {
		const struct agg_id *e = a->users->v[i];
		size_t at;

		if (e->last_ms < cut)
			continue;
		if (n == max && e->events <= out[n - 1].events)
			continue;
		at = n < max ? n++ : max - 1;
		while (at > 0 && out[at - 1].events < e->events) {
			out[at] = out[at - 1];
			at--;
		}
		out[at].id = e->id;
		out[at].events = e->events;
		out[at].first_seen_ms = e->first_ms;
	}
	return n;
}

uint64_t
sr_agg_old_events(const struct sr_agg *a)
{
	return a->old_events;
}

uint64_t
sr_agg_events(const struct sr_agg *a)
{
	return a->events;
}

int64_t
sr_agg_newest_ms(const struct sr_agg *a)
{
	return a->newest_ms;
}

void
sr_agg_folded(const struct sr_agg *a, struct sr_snap_folded *out)
{
	*out = a->folded;
}

size_t
sr_agg_n_hosts(const struct sr_agg *a)
{
	return a->n_hosts;
}

static int
host_cmp(const void *x, const void *y)
{
	const struct sr_snap_hostrow *p = x, *q = y;

	return strcmp(p->name, q->name);
}

static int
host_svc_cmp(const void *x, const void *y)
{
	const struct sr_snap_host_service *p = x, *q = y;

	if (p->win[SR_WIN_5M].requests != q->win[SR_WIN_5M].requests)
		return p->win[SR_WIN_5M].requests < q->win[SR_WIN_5M].requests
		    ? 1
		    : -1;
	return strcmp(p->name, q->name);
}

void
sr_agg_hosts(const struct sr_agg *a, struct sr_snapshot *s)
{
	s->n_hosts = a->n_hosts;
	s->hosts = sr_snapshot_alloc(s, a->n_hosts * sizeof(*s->hosts));
	for (size_t i = 0; i < a->n_hosts; i++) {
		const struct agg_host *h = a->hosts[i];
		struct sr_snap_hostrow *d = &s->hosts[i];

		d->name = sr_snapshot_strdup(s, h->name);
		d->events = h->events;
		d->last_seen_ms = h->last_seen_ms;
		for (int w = 0; w < SR_WIN_COUNT; w++)
			sr_agg_ring_win(a, h->ring, (enum sr_window)w,
			    &d->win[w]);
		d->n_services = h->n_svcs;
		d->services =
		    sr_snapshot_alloc(s, h->n_svcs * sizeof(*d->services));
		for (size_t k = 0; k < h->n_svcs; k++) {
			d->services[k].name =
			    sr_snapshot_strdup(s, h->svc_name[k]);
			for (int w = 0; w < SR_WIN_COUNT; w++)
				sr_agg_ring_win(a, h->svc_ring[k],
				    (enum sr_window)w, &d->services[k].win[w]);
		}
		if (h->n_svcs > 1)
			qsort(d->services, h->n_svcs, sizeof(*d->services),
			    host_svc_cmp);
	}
	if (a->n_hosts > 1)
		qsort(s->hosts, a->n_hosts, sizeof(*s->hosts), host_cmp);
}
