/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the agg's running windows (core/agg.c) and the sketch
 * subtraction they use: the windows kept by adding and subtracting
 * buckets must give exactly what a fresh sketch of the values in the
 * window gives.  The expected values are computed here from the raw
 * events, independently of the agg's buckets.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/agg.h"
#include "core/sketch.h"

void sr_test_aggwin_suite(void);

#define T0 1700000000000LL

static void
test_sketch_sub(void)
{
	struct sr_sketch *a = sr_sketch_new(), *b = sr_sketch_new(),
			 *all = sr_sketch_new(), *ref = sr_sketch_new();

	for (int i = 1; i <= 200; i++) {
		double v = 3.0 * i + 0.25;

		if (i % 3 == 0)
			sr_sketch_add(b, v);
		else
			sr_sketch_add(a, v);
		if (i % 3 != 0)
			sr_sketch_add(ref, v);
	}
	sr_sketch_add(b, 0);	/* the zero bin */
	sr_sketch_add(b, 5000); /* bins above a's range get trimmed */
	sr_sketch_merge(all, a);
	sr_sketch_merge(all, b);
	sr_sketch_sub(all, b);
	sr_sketch_set_minmax(all, sr_sketch_min(a), sr_sketch_max(a));
	CU_ASSERT_EQUAL(sr_sketch_count(all), 134);
	for (double q = 0; q <= 1.0; q += 0.05)
		CU_ASSERT_EQUAL(sr_sketch_quantile(all, q),
		    sr_sketch_quantile(ref, q));
	{
		double qs[] = { 0, 0.01, 0.3, 0.5, 0.5, 0.9, 0.999, 1 };
		double got[8];

		sr_sketch_add(ref, 0);
		sr_sketch_add(ref, -2);
		sr_sketch_quantiles(ref, qs, got, 8);
		for (int i = 0; i < 8; i++)
			CU_ASSERT_EQUAL(got[i], sr_sketch_quantile(ref, qs[i]));
	}
	/* everything out: empty */
	sr_sketch_sub(all, a);
	CU_ASSERT_EQUAL(sr_sketch_count(all), 0);
	CU_ASSERT_TRUE(isnan(sr_sketch_quantile(all, 0.5)));
	sr_sketch_add(all, 7);
	CU_ASSERT_EQUAL(sr_sketch_quantile(all, 0.5), 7);
	sr_sketch_free(a);
	sr_sketch_free(b);
	sr_sketch_free(all);
	sr_sketch_free(ref);
}

struct rec {
	int64_t ts;
	double lat, ttft;
};

static int64_t
fdiv(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* What the window w holds at now: buckets [now - nb + 1, now + 1]. */
static void
expect_win(const struct rec *r, size_t n, int64_t now, enum sr_window w,
    uint64_t *req, struct sr_sketch *lat, struct sr_sketch *ttft)
{
	int64_t width = w == SR_WIN_1H ? 300000 : 10000;
	int nb = w == SR_WIN_1M ? 6 : w == SR_WIN_5M ? 30 : 12;
	int64_t hi = fdiv(now, width) + 1, lo = hi - nb;

	*req = 0;
	sr_sketch_reset(lat);
	sr_sketch_reset(ttft);
	for (size_t i = 0; i < n; i++) {
		int64_t idx = fdiv(r[i].ts, width);

		if (idx < lo || idx > hi)
			continue;
		(*req)++;
		sr_sketch_add(lat, r[i].lat);
		sr_sketch_add(ttft, r[i].ttft);
	}
}

static void
test_windows_match_fresh(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_sketch *lat = sr_sketch_new(), *ttft = sr_sketch_new();
	size_t cap = 20000, n = 0;
	struct rec *r = calloc(cap, sizeof(*r));
	uint64_t seed = 7;
	int64_t now = T0;
	int checks = 0, mismatches = 0;

	sr_agg_tick(a, now);
	/* 3 h of ticks 1..9 s apart, up to 6 events per tick, some of
	 * them up to 50 s late; the windows are read every tick */
	while (now < T0 + 3 * 3600000LL && n + 8 < cap) {
		int k;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		now += 1000 * (int64_t)(1 + (seed >> 60) % 9);
		k = (int)((seed >> 40) % 7);
		for (int j = 0; j < k; j++) {
			struct sr_event ev;

			seed = seed * 6364136223846793005ull +
			    1442695040888963407ull;
			sr_event_clear(&ev);
			ev.ts_ms = now -
			    (int64_t)((seed >> 20) % (j == 0 ? 50000 : 3000));
			ev.event_id = "e";
			ev.event_type = "request";
			ev.service = "api";
			ev.endpoint = "/x";
			ev.model = "m";
			ev.status_code = 200;
			ev.response_time_ms = (seed >> 50) % 50 == 0
			    ? 0
			    : 1 + (double)((seed >> 30) % 5000) / 7.0;
			ev.ttft_ms = 5 + (double)((seed >> 24) % 900);
			ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY |
			    SR_EV_HAS_TTFT;
			CU_ASSERT_EQUAL(sr_agg_add_event(a, &ev), 1);
			r[n].ts = ev.ts_ms;
			r[n].lat = ev.response_time_ms;
			r[n].ttft = ev.ttft_ms;
			n++;
		}
		sr_agg_tick(a, now);
		for (int w = 0; w < SR_WIN_COUNT; w++) {
			const struct sr_agg_service *s =
			    sr_agg_service(a, "api");
			struct sr_snap_win got;
			struct sr_snap_model_win mw;
			uint64_t req;
			int bad;

			if (s == NULL)
				continue;
			expect_win(r, n, now, (enum sr_window)w, &req, lat,
			    ttft);
			sr_agg_ring_win(a, s->endpoints[0]->ring,
			    (enum sr_window)w, &got);
			sr_agg_ring_model_win(a, sr_agg_model_at(a, 0)->ring,
			    (enum sr_window)w, &mw);
			bad = got.requests != req || got.lat_n != req ||
			    sr_agg_ring_requests(a, s->ring,
				(enum sr_window)w) != req;
			if (req > 0)
				bad |=
				    got.p50 != sr_sketch_quantile(lat, 0.5) ||
				    got.p90 != sr_sketch_quantile(lat, 0.9) ||
				    got.p95 != sr_sketch_quantile(lat, 0.95) ||
				    got.p99 != sr_sketch_quantile(lat, 0.99) ||
				    got.max != sr_sketch_max(lat) ||
				    mw.ttft_p50 !=
					sr_sketch_quantile(ttft, 0.5) ||
				    mw.ttft_p95 !=
					sr_sketch_quantile(ttft, 0.95) ||
				    mw.requests != req;
			else
				bad |= !isnan(got.p95) || !isnan(mw.ttft_p95);
			mismatches += bad;
			checks++;
		}
	}
	CU_ASSERT_TRUE(checks > 3000);
	CU_ASSERT_EQUAL(mismatches, 0);
	free(r);
	sr_sketch_free(lat);
	sr_sketch_free(ttft);
	sr_agg_free(a);
}

void
sr_test_aggwin_suite(void)
{
	CU_pSuite s = CU_add_suite("aggwin", NULL, NULL);

	CU_add_test(s, "sketch_sub", test_sketch_sub);
	CU_add_test(s, "windows_match_fresh", test_windows_match_fresh);
}
