/* SPDX-License-Identifier: MIT */
/*
 * serving_bench: what the serving rules (kv_cache, queue_growth,
 * preemptions, ttft_regression) cost a tick, over N models whose twelve
 * llm.<server>.<model>.<field> series hold a full hour at 1 s, beside 2000 other
 * series.  Figures only.  Usage: serving_bench [MODELS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/insight.h"
#include "core/llm.h"
#include "core/rules.h"
#include "core/series.h"

static double
bench_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char *const ids[] = { "kv_cache", "queue_growth",
		"preemptions", "ttft_regression" };
	int nm = argc > 1 ? atoi(argv[1]) : 20, runs = 50;
	int64_t now = 1700000000000LL + 7200000;
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_config cfg;
	struct sr_view v;
	char name[128];

	for (int m = 0; m < nm; m++)
		for (int f = 0; f < SR_LLM__COUNT; f++) {
			snprintf(name, sizeof(name),
			    "llm.vllm.org/model-%d.v1.%s", m,
			    sr_llm_field_name((enum sr_llm_field)f));
			for (int64_t t = now - 3599000; t <= now; t += 1000)
				sr_series_set_push(ss, name, "", t,
				    (double)((t / 1000) % 97));
		}
	for (int k = 0; k < 2000; k++) {
		snprintf(name, sizeof(name), "prom.job.metric_%d", k);
		sr_series_set_push(ss, name, "", now, 1);
	}
	sr_config_init(&cfg);
	memset(&v, 0, sizeof(v));
	v.now_ms = now;
	v.interval_ms = 1000;
	v.stale_ms = 120000;
	v.series = ss;
	printf("serving rules, %d models x 12 series x 1 h at 1 s, beside 2000 "
	       "series (mean of %d evaluations):\n",
	    nm, runs);
	for (size_t r = 0; r < sizeof(ids) / sizeof(ids[0]); r++) {
		const struct sr_rule *rule = sr_rules[sr_rule_index(ids[r])];
		double t0 = bench_now_s();

		for (int i = 0; i < runs; i++) {
			struct sr_findings out;

			memset(&out, 0, sizeof(out));
			rule->eval(rule, &v, sr_config_rule(&cfg, ids[r]),
			    &out);
			free(out.v);
		}
		printf("  %-16s %7.3f ms a tick\n", ids[r],
		    (bench_now_s() - t0) * 1000 / runs);
	}
	sr_config_release(&cfg);
	sr_series_set_free(ss);
	return 0;
}
