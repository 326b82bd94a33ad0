/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/promscrape: what successive expositions of one
 * target become (names, rates, window quantiles, the known servers' llm.*
 * samples, the series cap).  Every expected value is worked out by hand in
 * the comment beside it.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/promscrape.h"
#include "core/util.h"

void sr_test_promscrape_suite(void);

#define GOT_MAX 512

struct got {
	char name[GOT_MAX][256];
	int64_t ts[GOT_MAX];
	double v[GOT_MAX];
	size_t n;
};

static void
got_emit(void *ctx, const char *name, int64_t ts_ms, double value)
{
	struct got *g = ctx;

	if (g->n == GOT_MAX)
		return;
	(void)snprintf(g->name[g->n], sizeof(g->name[0]), "%s", name);
	g->ts[g->n] = ts_ms;
	g->v[g->n++] = value;
}

/* The value handed under name in the last scrape, or NaN. */
static double
got_v(const struct got *g, const char *name)
{
	for (size_t i = g->n; i-- > 0;)
		if (strcmp(g->name[i], name) == 0)
			return g->v[i];
	return NAN;
}

static void
scrape(struct sr_prom_target *t, struct got *g, const char *text, int64_t now)
{
	g->n = 0;
	(void)sr_prom_target_scrape(t, text, strlen(text), 0, now, got_emit, g,
	    NULL);
}

static void
test_names_and_rates(void)
{
	struct sr_prom_target *t = sr_prom_target_new("127.0.0.1:9100", 0);
	struct got g;

	/* dots become '_' so prom.<job>.<metric> splits at dots */
	CU_ASSERT_STRING_EQUAL(sr_prom_target_job(t), "127_0_0_1:9100");
	scrape(t, &g,
	    "# TYPE c counter\nc_total 10\n"
	    "# TYPE g gauge\ng{b=\"x\\\"y\",a=\"1\"} 3\n",
	    1000);
	/* labels sorted by name, the quote escaped again */
	CU_ASSERT_DOUBLE_EQUAL(
	    got_v(&g, "prom.127_0_0_1:9100.g{a=\"1\",b=\"x\\\"y\"}"), 3, 0);
	/* a counter's first scrape gives no rate */
	CU_ASSERT(isnan(got_v(&g, "prom.127_0_0_1:9100.c_total")));
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.127_0_0_1:9100.up"), 1, 0);
	/* 10 -> 35 in 5 s: 5/s */
	scrape(t, &g, "# TYPE c counter\nc_total 35\n", 6000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.127_0_0_1:9100.c_total"), 5,
	    1e-12);
	/* 35 -> 5: reset, 5 counted since, over 5 s: 1/s */
	scrape(t, &g, "# TYPE c counter\nc_total 5\n", 11000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.127_0_0_1:9100.c_total"), 1,
	    1e-12);
	/* the sample's own time is honoured; the same time again is skipped */
	scrape(t, &g, "# TYPE c counter\nc_total 25 20000\n", 12000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.127_0_0_1:9100.c_total"),
	    20.0 / 9, 1e-12);
	CU_ASSERT_EQUAL(g.ts[0], 20000);
	scrape(t, &g, "# TYPE c counter\nc_total 25 20000\n", 13000);
	CU_ASSERT(isnan(got_v(&g, "prom.127_0_0_1:9100.c_total")));
	sr_prom_target_down(t, 14000, got_emit, &g);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.127_0_0_1:9100.up"), 0, 0);
	sr_prom_target_free(t);
}

static void
test_window_quantile(void)
{
	/* bounds 0.1, 1, +Inf; four scrapes 20 s apart, cumulative counts */
	const double le[] = { 0.1, 1, INFINITY };
	const int64_t ts[] = { 0, 20000, 40000, 60000 };
	const double c[] = { 0, 0, 0, /**/ 10, 10, 10, /**/ 10, 20, 20,
		/**/ 10, 30, 40 };

	/*
	 * 60 s back from 60000 reaches the first scrape: increase 10, 30, 40;
	 * p50 rank 20 in (0.1, 1] (10..30): 0.1 + 0.9 * 10 / 20 = 0.55
	 */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_window_quantile(0.5, ts, c, 4, le, 3,
				   60000),
	    0.55, 1e-12);
	/*
	 * 30 s back: from the scrape at 40000: 0, 10, 20; p50 rank 10 in
	 * (0.1, 1] (0..10): 1; p25 rank 5: 0.1 + 0.9 * 5 / 10 = 0.55
	 */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_window_quantile(0.5, ts, c, 4, le, 3,
				   30000),
	    1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_window_quantile(0.25, ts, c, 4, le, 3,
				   30000),
	    0.55, 1e-12);
	/* 10 s back: one scrape only, nothing to subtract */
	CU_ASSERT(isnan(sr_prom_window_quantile(0.5, ts, c, 4, le, 3, 10000)));
}

static void
test_histogram_reset(void)
{
	struct sr_prom_target *t = sr_prom_target_new("j", 0);
	struct got g;

	scrape(t, &g,
	    "# TYPE h histogram\n"
	    "h_bucket{le=\"1\"} 4\nh_bucket{le=\"+Inf\"} 4\n"
	    "h_sum 2\nh_count 4\n",
	    1000);
	/*
	 * a reset (every bucket went down): 2 in (0, 1], 3 in all; corrected
	 * 4+2, 4+3 = 6, 7; the increase 2, 3: p50 rank 1.5 in (0, 1]
	 * (0..2): 0.75
	 */
	scrape(t, &g,
	    "# TYPE h histogram\n"
	    "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\n"
	    "h_sum 3\nh_count 3\n",
	    11000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p50"), 0.75, 1e-12);
	/* _count 4 -> 3 is a reset: 3 in 10 s; _sum 2 -> 3: 0.1/s */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h_count"), 0.3, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h_sum"), 0.1, 1e-12);
	/* then 5, 7: corrected 9, 11; the increase since the first 5, 7:
	 * p50 rank 3.5 in (0, 1] (0..5): 0.7 */
	scrape(t, &g,
	    "# TYPE h histogram\n"
	    "h_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 7\n",
	    21000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p50"), 0.7, 1e-12);
	sr_prom_target_free(t);
}

/*
 * A raw histogram scraped every 30 s for 6 min: its quantiles over 1 min
 * (p50 ...) and 5 min (p50_5m ...).  Scrape k (0..12) at k x 30 s holds
 * 10 x min(k, 8) in (0, 1] and 10 x k in all (the last four steps add 10
 * each to (1, 2]).
 */
static void
test_raw_windows(void)
{
	struct sr_prom_target *t = sr_prom_target_new("j", 0);
	struct got g;
	char text[256];

	for (int k = 0; k <= 12; k++) {
		(void)snprintf(text, sizeof(text),
		    "# TYPE h histogram\n"
		    "h_bucket{a=\"x\",le=\"1\"} %d\n"
		    "h_bucket{a=\"x\",le=\"2\"} %d\n"
		    "h_bucket{a=\"x\",le=\"+Inf\"} %d\n",
		    10 * (k < 8 ? k : 8), 10 * k, 10 * k);
		scrape(t, &g, text, (int64_t)k * 30000);
	}
	/*
	 * 1 min: from k = 10 (300 s) to 12: 0 in (0, 1], 20 in (1, 2]; p50
	 * rank 10: 1 + 10/20 = 1.5; p95 rank 19: 1.95; p99 rank 19.8: 1.99
	 */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p50{a=\"x\"}"), 1.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p95{a=\"x\"}"), 1.95, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p99{a=\"x\"}"), 1.99, 1e-12);
	/*
	 * 5 min: from k = 2 (60 s): 80 - 20 = 60 in (0, 1], 100 in all;
	 * p50 rank 50 in (0, 1]: 50/60; p95 rank 95: 1 + 35/40 = 1.875;
	 * p99 rank 99: 1 + 39/40 = 1.975
	 */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p50_5m{a=\"x\"}"), 50.0 / 60,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p95_5m{a=\"x\"}"), 1.875,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.h.p99_5m{a=\"x\"}"), 1.975,
	    1e-12);
	sr_prom_target_free(t);
}

static void
test_series_cap(void)
{
	struct sr_prom_target *t = sr_prom_target_new("j", 2);
	struct sr_prom_target_stats st;
	struct got g;

	scrape(t, &g, "a 1\nb 2\nc 3\nd 4\n", 1000);
	sr_prom_target_stats(t, &st);
	CU_ASSERT_EQUAL(st.series, 2);
	CU_ASSERT_EQUAL(st.dropped_last, 2);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.a"), 1, 0);
	CU_ASSERT(isnan(got_v(&g, "prom.j.c")));
	/* the kept ones go on */
	scrape(t, &g, "a 5\nb 6\n", 2000);
	sr_prom_target_stats(t, &st);
	CU_ASSERT_EQUAL(st.dropped_last, 0);
	CU_ASSERT_EQUAL(st.dropped_total, 2);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.j.b"), 6, 0);
	/* labels that come and go do not get past it: a and b still count */
	for (int i = 0; i < 12; i++)
		scrape(t, &g, "e 1\nf 1\n", 3000 + i);
	sr_prom_target_stats(t, &st);
	CU_ASSERT_EQUAL(st.series, 2);
	CU_ASSERT_EQUAL(st.dropped_last, 2);
	CU_ASSERT(isnan(got_v(&g, "prom.j.e")));
	sr_prom_target_free(t);
	/* a million tiny series: SR_PROM_SAMPLES_MIN read, the rest not */
	{
		struct sr_buf b;

		sr_buf_init(&b);
		for (int i = 0; i < SR_PROM_SAMPLES_MIN + 10; i++)
			sr_buf_addf(&b, "m{i=\"%d\"} 1\n", i);
		t = sr_prom_target_new("j", 2);
		g.n = 0;
		(void)sr_prom_target_scrape(t, b.data, b.len, 0, 1000, got_emit,
		    &g, NULL);
		sr_prom_target_stats(t, &st);
		CU_ASSERT_EQUAL(st.truncated_last, 1);
		CU_ASSERT_EQUAL(st.samples_max, SR_PROM_SAMPLES_MIN);
		/* 50000 read, 2 kept */
		CU_ASSERT_EQUAL(st.dropped_last, SR_PROM_SAMPLES_MIN - 2);
		sr_prom_target_free(t);
		sr_buf_release(&b);
	}
}

/* vLLM as its docs show it (docs.vllm.ai, Production Metrics) */
static const char vllm1[] =
    "# TYPE vllm:num_requests_running gauge\n"
    "vllm:num_requests_running{engine=\"0\",model_name=\"m.1\"} 3\n"
    "vllm:num_requests_running{engine=\"1\",model_name=\"m.1\"} 4\n"
    "# TYPE vllm:num_requests_waiting gauge\n"
    "vllm:num_requests_waiting{model_name=\"m.1\"} 2\n"
    "# TYPE vllm:gpu_cache_usage_perc gauge\n"
    "vllm:gpu_cache_usage_perc{model_name=\"m.1\"} 0.5\n"
    "# TYPE vllm:kv_cache_usage_perc gauge\n"
    "vllm:kv_cache_usage_perc{model_name=\"m.1\"} 0.25\n"
    "# TYPE vllm:request_success_total counter\n"
    "vllm:request_success_total{finished_reason=\"stop\",model_name=\"m.1\"} "
    "10\n"
    "vllm:request_success_total{finished_reason=\"length\",model_name=\"m."
    "1\"} 5\n"
    "# TYPE vllm:num_preemptions_total counter\n"
    "vllm:num_preemptions_total{model_name=\"m.1\"} 1\n"
    "# TYPE vllm:time_to_first_token_seconds histogram\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"0.1\",model_name=\"m.1\"} "
    "0\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"0.5\",model_name=\"m.1\"} "
    "0\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"+Inf\",model_name=\"m.1\"} "
    "0\n";

static const char vllm2[] =
    "# TYPE vllm:request_success_total counter\n"
    "vllm:request_success_total{finished_reason=\"stop\",model_name=\"m.1\"} "
    "30\n"
    "vllm:request_success_total{finished_reason=\"length\",model_name=\"m."
    "1\"} 15\n"
    "# TYPE vllm:num_preemptions_total counter\n"
    "vllm:num_preemptions_total{model_name=\"m.1\"} 6\n"
    "# TYPE vllm:gpu_cache_usage_perc gauge\n"
    "vllm:gpu_cache_usage_perc{model_name=\"m.1\"} 0.5\n"
    "# TYPE vllm:time_to_first_token_seconds histogram\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"0.1\",model_name=\"m.1\"} "
    "4\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"0.5\",model_name=\"m.1\"} "
    "8\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"+Inf\",model_name=\"m.1\"} "
    "10\n";

static void
test_vllm(void)
{
	struct sr_prom_target *t = sr_prom_target_new("v", 0);
	struct got g;

	scrape(t, &g, vllm1, 1000);
	/* summed over engines: 3 + 4; named by job (server) and model */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.running"), 7, 0);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.waiting"), 2, 0);
	/* the newer name wins over the legacy one: 0.25 x 100 */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.kv_cache_pct"), 25, 1e-12);
	CU_ASSERT(isnan(got_v(&g, "llm.v.m.1.success_per_s")));
	scrape(t, &g, vllm2, 11000);
	/* only the legacy name now: 0.5 x 100 */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.kv_cache_pct"), 50, 1e-12);
	/* (30 + 15) - (10 + 5) = 30 in 10 s */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.success_per_s"), 3, 1e-12);
	/* 5 in 10 s = 0.5/s = 30 a minute */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.preempt_per_min"), 30,
	    1e-12);
	/*
	 * TTFT increase 4, 8, 10: p50 rank 5 in (0.1, 0.5] (4..8):
	 * 0.1 + 0.4 * 1 / 4 = 0.2 s; p95 rank 9.5 in +Inf: 0.5 s
	 */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.ttft_p50_ms"), 200, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.ttft_p95_ms"), 500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.v.m.1.ttft_p95_5m_ms"), 500,
	    1e-9);
	/* the raw series are there too */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g,
				   "prom.v.vllm:num_preemptions_total{"
				   "model_name=\"m.1\"}"),
	    0.5, 1e-12);
	sr_prom_target_free(t);
	/* the same model on another server: its own names, no collision */
	t = sr_prom_target_new("w", 0);
	scrape(t, &g, vllm1, 1000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.w.m.1.running"), 7, 0);
	CU_ASSERT(isnan(got_v(&g, "llm.v.m.1.running")));
	sr_prom_target_free(t);
}

/* OpenMetrics: _created and info are not series; a summary's quantiles are
 * gauges, its _count a rate */
static void
test_openmetrics_kinds(void)
{
	struct sr_prom_target *t = sr_prom_target_new("o", 0);
	struct got g;
	const char *a =
	    "# TYPE r counter\nr_total 4\nr_created 1.7e9\n"
	    "# TYPE b info\nb_info{v=\"1\"} 1\n"
	    "# TYPE s summary\ns{quantile=\"0.5\"} 0.2\ns_count 10\n"
	    "# EOF\n";
	const char *b =
	    "# TYPE r counter\nr_total 8\nr_created 1.7e9\n"
	    "# TYPE s summary\ns{quantile=\"0.5\"} 0.3\ns_count 30\n"
	    "# EOF\n";

	g.n = 0;
	(void)sr_prom_target_scrape(t, a, strlen(a), SR_PROM_OPENMETRICS, 1000,
	    got_emit, &g, NULL);
	CU_ASSERT(isnan(got_v(&g, "prom.o.r_created")));
	CU_ASSERT(isnan(got_v(&g, "prom.o.b_info{v=\"1\"}")));
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.o.s{quantile=\"0.5\"}"), 0.2, 0);
	g.n = 0;
	(void)sr_prom_target_scrape(t, b, strlen(b), SR_PROM_OPENMETRICS, 3000,
	    got_emit, &g, NULL);
	/* 4 -> 8 in 2 s; 10 -> 30 in 2 s */
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.o.r_total"), 2, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "prom.o.s_count"), 10, 1e-12);
	sr_prom_target_free(t);
}

static void
test_no_model_label(void)
{
	struct sr_prom_target *t = sr_prom_target_new("tgi-1", 0);
	struct got g;

	/* TGI names no model: the job stands for it (and is the server) */
	scrape(t, &g,
	    "# TYPE tgi_queue_size gauge\ntgi_queue_size 6\n"
	    "# TYPE tgi_batch_current_size gauge\ntgi_batch_current_size 2\n",
	    1000);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.tgi-1.tgi-1.waiting"), 6, 0);
	CU_ASSERT_DOUBLE_EQUAL(got_v(&g, "llm.tgi-1.tgi-1.running"), 2, 0);
	sr_prom_target_free(t);
}

void
sr_test_promscrape_suite(void)
{
	CU_pSuite s = CU_add_suite("promscrape", NULL, NULL);

	CU_add_test(s, "names_and_rates", test_names_and_rates);
	CU_add_test(s, "window_quantile", test_window_quantile);
	CU_add_test(s, "histogram_reset", test_histogram_reset);
	CU_add_test(s, "raw_windows", test_raw_windows);
	CU_add_test(s, "series_cap", test_series_cap);
	CU_add_test(s, "vllm", test_vllm);
	CU_add_test(s, "openmetrics_kinds", test_openmetrics_kinds);
	CU_add_test(s, "no_model_label", test_no_model_label);
}
