/* SPDX-License-Identifier: MIT */
/* Unit tests for core/series: ring order, capacity, trend, named sets. */
#include <CUnit/CUnit.h>
#include <math.h>

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
}
