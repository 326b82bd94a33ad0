/* SPDX-License-Identifier: MIT */
/*
 * engine_bench: cost of one insight evaluation and of one full engine
 * tick (rules + snapshot) with 100 services x 100 endpoints active.
 * Prints figures only.  Built and run by bench/engine_bench.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/agg.h"
#include "core/config.h"
#include "core/engine.h"
#include "core/insight.h"
#include "core/series.h"

#define T0 1700000000000LL

int main(void);
static void bench(int nsvc, int nep, int rate);

/* nsvc services x nep endpoints, rate events/s spread over them. */
static void
bench(int nsvc, int nep, int rate)
{
	struct sr_config cfg;
	struct sr_agg *a;
	struct sr_insights *ins;
	struct sr_series_set *ser;
	struct sr_engine *e;
	struct sr_view v;
	char svc[100][16], ep[100][16];
	uint64_t seed = 42;
	int64_t t, best_eval = INT64_MAX, sum_eval = 0, best_tick = INT64_MAX,
		   sum_tick = 0, cpu_tick = 0;
	int ticks = 0;

	sr_config_init(&cfg);
	for (int i = 0; i < 100; i++) {
		(void)snprintf(svc[i], sizeof(svc[i]), "svc%02d", i);
		(void)snprintf(ep[i], sizeof(ep[i]), "/ep/%02d", i);
	}
	a = sr_agg_new(T0, 1800000, 3600000);
	ins = sr_insights_new(&cfg);
	ser = sr_series_set_new(SR_SERIES_CAP);
	e = sr_engine_new(&cfg);
	sr_agg_tick(a, T0);
	sr_engine_tick(e, T0, NULL);
	/* 20 min: rate events a second spread over the endpoints (100 x
	 * 100 at 1,000/s: each gets one every 10 s), then the rules and the
	 * engine tick run once a second */
	for (t = T0; t < T0 + 1200000; t += 1000) {
		for (int k = 0; k < rate; k++) {
			struct sr_event ev;
			int s, p;

			seed = seed * 6364136223846793005ull +
			    1442695040888963407ull;
			s = (int)((seed >> 33) % (uint64_t)nsvc);
			p = (int)((seed >> 17) % (uint64_t)nep);
			sr_event_clear(&ev);
			ev.ts_ms = t + k;
			ev.event_id = "b";
			ev.event_type = "request";
			ev.service = svc[s];
			ev.endpoint = ep[p];
			ev.status_code = (seed >> 50) % 100 == 0 ? 500 : 200;
			ev.response_time_ms = 20 + (double)((seed >> 40) % 200);
			ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
			sr_agg_add_event(a, &ev);
			sr_engine_event(e, &ev);
		}
		sr_series_set_push(ser, "cpu.total.busy_pct", "%", t, 40);
		sr_engine_sample(e, "cpu.total.busy_pct", "%", t, 40);
		sr_agg_tick(a, t + 1000);
		v = (struct sr_view){ .now_ms = t + 1000,
			.interval_ms = 1000,
			.series = ser,
			.agg = a };
		if (t >= T0 + 900000) {
			int64_t a0 = sr_mono_us(), c0, d;

			(void)sr_insights_eval(ins, &v, NULL, NULL);
			d = sr_mono_us() - a0;
			sum_eval += d;
			if (d < best_eval)
				best_eval = d;
			a0 = sr_mono_us();
			c0 = sr_cpu_us();
			(void)sr_engine_tick(e, t + 1000, NULL);
			cpu_tick += sr_cpu_us() - c0;
			d = sr_mono_us() - a0;
			sum_tick += d;
			if (d < best_tick)
				best_tick = d;
			ticks++;
		} else {
			(void)sr_insights_eval(ins, &v, NULL, NULL);
			(void)sr_engine_tick(e, t + 1000, NULL);
		}
	}
	printf("engine bench: %d services x %d endpoints, %d events/s, "
	       "%d ticks measured\n",
	    nsvc, nep, rate, ticks);
	printf("  insight evaluation per tick: mean %.3f ms, best %.3f ms "
	       "(target < 1 ms)\n",
	    (double)sum_eval / ticks / 1000.0, (double)best_eval / 1000.0);
	printf("  full engine tick (agg roll + rules + snapshot): mean %.3f "
	       "ms, best %.3f ms\n",
	    (double)sum_tick / ticks / 1000.0, (double)best_tick / 1000.0);
	printf("  full engine tick CPU time (less noisy on a busy host): "
	       "mean %.3f ms (target < 5 ms stress, < 1 ms demo)\n",
	    (double)cpu_tick / ticks / 1000.0);
	sr_engine_free(e);
	sr_series_set_free(ser);
	sr_insights_free(ins);
	sr_agg_free(a);
	sr_config_release(&cfg);
}

int
main(void)
{
	/* the stress case, then about what `sitrep demo` produces */
	bench(100, 100, 1000);
	bench(7, 8, 50);
	return 0;
}
