/* SPDX-License-Identifier: MIT */
/* Unit tests for core/series: ring order, capacity, trend, named sets. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/series.h"

void sr_test_series_suite(void);

static void
test_ring(void)
{
	struct sr_series *s = sr_series_new(SR_SERIES_CAP);
	float v[10];
	int64_t ts[10];

	CU_ASSERT_TRUE(isnan(sr_series_at(s, 0)));
	for (int i = 0; i < 5000; i++)
		sr_series_push(s, 1000LL * i, i);
	CU_ASSERT_EQUAL(sr_series_len(s), 3600);
	CU_ASSERT_EQUAL(sr_series_at(s, 0), 4999);
	CU_ASSERT_EQUAL(sr_series_at(s, 3599), 1400);
	CU_ASSERT_EQUAL(sr_series_last(s, 10, v, ts), 10);
	CU_ASSERT_EQUAL(v[0], 4990);
	CU_ASSERT_EQUAL(v[9], 4999);
	CU_ASSERT_EQUAL(ts[9], 4999000);
	/* older points are ignored */
	sr_series_push(s, 0, -1);
	CU_ASSERT_EQUAL(sr_series_at(s, 0), 4999);
	sr_series_free(s);
}

/*
 * A plain reference ring: (time, float) pairs, oldest dropped when full,
 * older times ignored; what the packed ring must return point for point.
 */
struct ref_ring {
	size_t cap, len, head;
	int64_t *ts;
	float *v;
};

static void
ref_push(struct ref_ring *r, int64_t ts, double v)
{
	size_t at;

	if (r->len > 0 && ts < r->ts[(r->head + r->len - 1) % r->cap])
		return;
	if (r->len < r->cap) {
		at = (r->head + r->len++) % r->cap;
	} else {
		at = r->head;
		r->head = (r->head + 1) % r->cap;
	}
	r->ts[at] = ts;
	r->v[at] = (float)v;
}

static int
same_float(float a, float b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Every reader of s against the reference, over every point. */
static void
check_same(const struct sr_series *s, const struct ref_ring *r)
{
	size_t n = r->len, bad = 0;
	float *v = malloc((n + 1) * sizeof(*v));
	int64_t *ts = malloc((n + 1) * sizeof(*ts));
	int64_t now;
	double sl1, vn1, sl2, vn2, sx, sy, sxx, sxy, cnt;
	size_t used;

	CU_ASSERT_EQUAL_FATAL(sr_series_len(s), n);
	for (size_t age = 0; age < n; age++) {
		size_t k = (r->head + n - 1 - age) % r->cap;

		bad += !same_float((float)sr_series_at(s, age), r->v[k]);
		bad += sr_series_ts_at(s, age) != r->ts[k];
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(isnan(sr_series_at(s, n)));
	CU_ASSERT_EQUAL(sr_series_ts_at(s, n), 0);
	CU_ASSERT_EQUAL(sr_series_last(s, n + 1, v, ts), n);
	for (size_t i = 0; i < n; i++) {
		size_t k = (r->head + i) % r->cap;

		bad += !same_float(v[i], r->v[k]) || ts[i] != r->ts[k];
	}
	CU_ASSERT_EQUAL(bad, 0);
	if (n == 0) {
		free(v);
		free(ts);
		return;
	}
	/* trend over the last ~10 minutes, summed here the same way */
	now = r->ts[(r->head + n - 1) % r->cap];
	used = sr_series_trend(s, now, 600000, &sl1, &vn1);
	sx = sy = sxx = sxy = cnt = 0;
	for (size_t age = 0; age < n; age++) {
		size_t k = (r->head + n - 1 - age) % r->cap;
		double x = (double)(r->ts[k] - now) / 1000.0, y = r->v[k];

		if (r->ts[k] < now - 600000)
			break;
		if (isnan(y))
			continue;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		cnt += 1;
	}
	CU_ASSERT_EQUAL(used, (size_t)cnt);
	if (cnt >= 2 && cnt * sxx - sx * sx > 0) {
		sl2 = (cnt * sxy - sx * sy) / (cnt * sxx - sx * sx);
		vn2 = (sy - sl2 * sx) / cnt;
		CU_ASSERT_TRUE(sl1 == sl2 && vn1 == vn2);
	}
	free(v);
	free(ts);
}

/* Value of point i of a test pattern. */
static double
pattern_value(int pattern, int i, unsigned *seed)
{
	switch (pattern) {
	case 0: /* constant */
		return 16384;
	case 1: /* a few levels, changing now and then */
		return (i / 37) % 3 == 0 ? 1.5 : (i / 37) % 3 == 1 ? 0 : -0.0;
	case 2: /* up to 16 distinct values */
		return (double)(rand_r(seed) % 12) * 0.25;
	case 3: /* noise */
		return (double)rand_r(seed) / 7.0;
	case 4: /* NAN between values */
		return i % 5 == 0 ? NAN : (double)(i % 40);
	default: /* 17 and more distinct values in a block */
		return (double)(i % 17);
	}
}

/* Time of point i: ticks with jitter, long gaps, repeats. */
static int64_t
pattern_time(int pattern, int i, int64_t prev, unsigned *seed)
{
	switch (pattern) {
	case 0: /* exact 1 s ticks */
		return 1796683406000LL + 1000LL * i;
	case 1: /* 1 s ticks with a few ms of jitter */
		return 1796683406767LL + 1000LL * i + rand_r(seed) % 4;
	case 2: /* a slow tick with 200 ms of jitter, now and then a pause */
		return prev + 5000 + rand_r(seed) % 400 +
		    (i % 97 == 0 ? 3600000 : 0);
	case 3: /* repeated and older times */
		return prev + (rand_r(seed) % 3) * 1000 - 500;
	default: /* gaps of days */
		return prev + (int64_t)(rand_r(seed) % 5) * 86400000LL * 20;
	}
}

static void
test_same_as_plain(void)
{
	static const size_t caps[] = { 1, 3, 63, 64, 65, 130, 3600 };
	unsigned seed = 7;

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		for (int vp = 0; vp < 6; vp++) {
			for (int tp = 0; tp < 5; tp++) {
				struct sr_series *s = sr_series_new(caps[c]);
				struct ref_ring r = { caps[c], 0, 0,
					calloc(caps[c], sizeof(int64_t)),
					calloc(caps[c], sizeof(float)) };
				int64_t t = 1796683406000LL;
				int n = (int)caps[c] * 2 + 77;

				check_same(s, &r);
				for (int i = 0; i < n; i++) {
					double v = pattern_value(vp, i, &seed);

					t = pattern_time(tp, i, t, &seed);
					sr_series_push(s, t, v);
					ref_push(&r, t, v);
					if (i % 61 == 0 || i == n - 1 ||
					    caps[c] < 100)
						check_same(s, &r);
				}
				sr_series_free(s);
				free(r.ts);
				free(r.v);
			}
		}
	}
}

/*
 * An hour of a constant metric at 1 s ticks (with a few ms of jitter)
 * costs a small fraction of plain 8-byte points; a metric of a few
 * levels well under half.
 */
static void
test_compact(void)
{
	struct sr_series *c = sr_series_new(SR_SERIES_CAP);
	struct sr_series *f = sr_series_new(SR_SERIES_CAP);
	const size_t plain = SR_SERIES_CAP * 8;
	unsigned seed = 3;

	for (int i = 0; i < 2 * SR_SERIES_CAP; i++) {
		int64_t t = 1796683406767LL + 1000LL * i + rand_r(&seed) % 3;

		sr_series_push(c, t, 8.0);
		sr_series_push(f, t, (double)(rand_r(&seed) % 10));
	}
	CU_ASSERT_EQUAL(sr_series_len(c), SR_SERIES_CAP);
	CU_ASSERT_TRUE(sr_series_bytes(c) * 6 < plain);
	CU_ASSERT_TRUE(sr_series_bytes(f) * 2 < plain);
	sr_series_free(c);
	sr_series_free(f);
}

static void
test_trend(void)
{
	struct sr_series *s = sr_series_new(100);
	double slope, now;

	/* y = 10 + 2 per second, sampled every 5 s */
	for (int i = 0; i < 20; i++)
		sr_series_push(s, 1700000000000LL + 5000LL * i, 10 + 10.0 * i);
	CU_ASSERT_EQUAL(sr_series_trend(s, 1700000000000LL + 95000, 3600000,
			    &slope, &now),
	    20);
	CU_ASSERT_DOUBLE_EQUAL(slope, 2.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(now, 200.0, 1e-3);
	/* a window of 12 s holds 3 points */
	CU_ASSERT_EQUAL(sr_series_trend(s, 1700000000000LL + 95000, 12000,
			    &slope, &now),
	    3);
	sr_series_free(s);
}

static void
test_set(void)
{
	struct sr_series_set *set = sr_series_set_new(10);

	sr_series_set_push(set, "b.x", "%", 1, 1);
	sr_series_set_push(set, "a.y", "bytes", 1, 2);
	sr_series_set_push(set, "b.x", "%", 2, 3);
	CU_ASSERT_EQUAL(sr_series_set_count(set), 2);
	CU_ASSERT_STRING_EQUAL(sr_series_set_name(set, 0), "a.y");
	CU_ASSERT_STRING_EQUAL(sr_series_set_unit(set, "a.y"), "bytes");
	CU_ASSERT_EQUAL(sr_series_at(sr_series_set_get(set, "b.x"), 0), 3);
	CU_ASSERT_PTR_NULL(sr_series_set_get(set, "c"));
	sr_series_set_free(set);
}

void
sr_test_series_suite(void)
{
	CU_pSuite s = CU_add_suite("series", NULL, NULL);

	CU_add_test(s, "ring", test_ring);
	CU_add_test(s, "trend", test_trend);
	CU_add_test(s, "named set", test_set);
	CU_add_test(s, "same points as a plain ring", test_same_as_plain);
	CU_add_test(s, "an hour of a constant metric is small", test_compact);
}
