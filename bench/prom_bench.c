/* SPDX-License-Identifier: MIT */
/*
 * prom_bench: CPU time to take one 1 MB Prometheus exposition: the parse
 * alone (sr_prom_parse) and the whole of a prom: source's work on it
 * (sr_prom_target_scrape: names, rates, histogram rings, the known-server
 * mapping), with the series cap high enough to keep every series and at
 * its default.  The text is synthetic but shaped like a server's: counters
 * and gauges with two or three labels, histograms of 12 buckets, vLLM
 * names among them.  Prints figures only.
 * Usage: prom_bench [SCRAPES]   (default 50)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/prom.h"
#include "core/promscrape.h"
#include "core/util.h"

static int64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* About `bytes` of exposition, values moved on by `step`. */
static void
bench_text(struct sr_buf *b, size_t bytes, int step)
{
	static const char *const le[] = { "0.005", "0.01", "0.025", "0.05",
		"0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };
	int f = 0;

	sr_buf_reset(b);
	sr_buf_adds(b,
	    "# TYPE vllm:num_requests_running gauge\n"
	    "vllm:num_requests_running{model_name=\"m\"} 3\n");
	while (b->len < bytes) {
		sr_buf_addf(b, "# HELP app_requests_%d_total Requests.\n", f);
		sr_buf_addf(b, "# TYPE app_requests_%d_total counter\n", f);
		for (int m = 0; m < 4; m++)
			for (int c = 0; c < 5; c++)
				sr_buf_addf(b,
				    "app_requests_%d_total{code=\"%d\","
				    "method=\"M%d\",path=\"/api/v1/x\"} %d\n",
				    f, 200 + c, m, 1000 + step * (m + c));
		sr_buf_addf(b, "# TYPE app_inflight_%d gauge\n", f);
		for (int m = 0; m < 4; m++)
			sr_buf_addf(b, "app_inflight_%d{method=\"M%d\"} %d\n",
			    f, m, (step + m) % 7);
		sr_buf_addf(b, "# TYPE app_latency_%d_seconds histogram\n", f);
		for (int m = 0; m < 2; m++) {
			for (int i = 0; i < 12; i++)
				sr_buf_addf(b,
				    "app_latency_%d_seconds_bucket{method=\"M%"
				    "d\",le=\"%s\"} %d\n",
				    f, m, le[i], 100 * (i + 1) + step * i);
			sr_buf_addf(b,
			    "app_latency_%d_seconds_sum{method=\"M%d\"} %d\n",
			    f, m, 500 + step);
			sr_buf_addf(b,
			    "app_latency_%d_seconds_count{method=\"M%d\"} %d\n",
			    f, m, 1200 + 11 * step);
		}
		f++;
	}
}

static int
bench_none(void *ctx, const struct sr_prom_sample *s)
{
	(void)s;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void
bench_emit(void *ctx, const char *name, int64_t ts_ms, double value)
{
	(void)name;
	(void)ts_ms;
	(void)value;
	(*(uint64_t *)ctx)++;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	struct sr_buf t[2];
	uint64_t cnt = 0;
	int64_t c0;
	struct sr_prom_stats st;

	if (n < 2)
		n = 2;
	sr_buf_init(&t[0]);
	sr_buf_init(&t[1]);
	bench_text(&t[0], 1024 * 1024, 1);
	bench_text(&t[1], 1024 * 1024, 2);
	(void)sr_prom_parse(t[0].data, t[0].len, 0, bench_none, &cnt, &st);
	printf("prom_bench: exposition %zu bytes, %llu samples\n", t[0].len,
	    (unsigned long long)st.samples);
	c0 = bench_cpu_ns();
	for (int i = 0; i < n; i++)
		(void)sr_prom_parse(t[i & 1].data, t[i & 1].len, 0, bench_none,
		    &cnt, NULL);
	printf("prom_bench: parse only                  %7.2f ms CPU/scrape\n",
	    (double)(bench_cpu_ns() - c0) / 1e6 / n);
	for (int cap = 0; cap < 2; cap++) {
		size_t max = cap == 0 ? 1000000 : SR_PROM_SERIES_DEFAULT;
		struct sr_prom_target *tg = sr_prom_target_new("bench", max);
		struct sr_prom_target_stats ts;

		cnt = 0;
		(void)sr_prom_target_scrape(tg, t[1].data, t[1].len, 0, 0,
		    bench_emit, &cnt, NULL);
		cnt = 0;
		c0 = bench_cpu_ns();
		for (int i = 0; i < n; i++)
			(void)sr_prom_target_scrape(tg, t[i & 1].data,
			    t[i & 1].len, 0, 5000 * (int64_t)(i + 1),
			    bench_emit, &cnt, NULL);
		sr_prom_target_stats(tg, &ts);
		printf("prom_bench: scrape, cap %7zu: %zu series, %llu "
		       "samples out %7.2f ms CPU/scrape\n",
		    max, ts.series, (unsigned long long)(cnt / (uint64_t)n),
		    (double)(bench_cpu_ns() - c0) / 1e6 / n);
		sr_prom_target_free(tg);
	}
	sr_buf_release(&t[0]);
	sr_buf_release(&t[1]);
	return 0;
}
