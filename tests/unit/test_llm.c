/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the LLM serving figures: llm.<server>.<model>.<field>
 * names, the per-server-and-model snapshot rows, and the rules kv_cache, queue_growth,
 * preemptions and ttft_regression over hand-built series, each expected
 * value worked out by hand in its comment.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/insight.h"
#include "core/llm.h"
#include "core/rules.h"
#include "core/series.h"

void sr_test_llm_suite(void);

#define T0 1700000000000LL

static void
test_split(void)
{
	const char *m;
	size_t n;
	char label[64];

	/* llm.<server>.<model>.<field>: a model with dots and a slash; the
	 * key is "<server>.<model>" */
	CU_ASSERT_EQUAL(
	    sr_llm_split("llm.vllm-a.meta-llama/Llama-3.1-8B.kv_cache_pct", &m,
		&n),
	    SR_LLM_KV_PCT);
	CU_ASSERT_EQUAL(n, strlen("vllm-a.meta-llama/Llama-3.1-8B"));
	CU_ASSERT_EQUAL(strncmp(m, "vllm-a.meta-llama/Llama-3.1-8B", n), 0);
	CU_ASSERT_EQUAL(sr_llm_key_server(m, n), strlen("vllm-a"));
	CU_ASSERT_STRING_EQUAL(
	    sr_llm_key_label("vllm-a.meta-llama/Llama-3.1-8B", label,
		sizeof(label)),
	    "meta-llama/Llama-3.1-8B on vllm-a");
	CU_ASSERT_EQUAL(sr_llm_split("llm.s.m.preempt_per_min", &m, &n),
	    SR_LLM_PREEMPT);
	CU_ASSERT_EQUAL(n, 3);
	/* no server, or an empty server or model */
	CU_ASSERT_EQUAL(sr_llm_split("llm.m.preempt_per_min", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("llm..m.running", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("llm.s..running", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("llm.s.m.nope", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("llm..running", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("llm.running", &m, &n), -1);
	CU_ASSERT_EQUAL(sr_llm_split("prom.s.m.running", &m, &n), -1);
	CU_ASSERT_STRING_EQUAL(sr_llm_field_name(SR_LLM_TTFT_P95_5M),
	    "ttft_p95_5m_ms");
}

/* Evaluate rule id once over set at now, ticks interval_ms apart; the
 * findings in *out. */
static void
eval_at(const char *id, const struct sr_series_set *set, int64_t now,
    int64_t interval_ms, struct sr_findings *out)
{
	struct sr_config cfg;
	struct sr_view v;
	const struct sr_rule *r = sr_rules[sr_rule_index(id)];

	sr_config_init(&cfg);
	memset(&v, 0, sizeof(v));
	v.now_ms = now;
	v.interval_ms = interval_ms;
	v.stale_ms = 120000;
	v.series = set;
	memset(out, 0, sizeof(*out));
	r->eval(r, &v, sr_config_rule(&cfg, id), out);
	sr_config_release(&cfg);
}

/* The same at the live tick of 1 s. */
static void
eval(const char *id, const struct sr_series_set *set, int64_t now,
    struct sr_findings *out)
{
	eval_at(id, set, now, 1000, out);
}

/* kv_cache: 61 points a second apart ending at now, one value each. */
static void
kv_case(double all, double dip, size_t n_want, int sev, int hold, double value)
{
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings f;
	int64_t now = T0 + 600000;

	for (int64_t t = now - 300000; t <= now; t += 1000)
		sr_series_set_push(ss, "llm.s.m.kv_cache_pct", "%", t,
		    t == now - 30000 ? dip : all);
	eval("kv_cache", ss, now, &f);
	CU_ASSERT_EQUAL(f.n, n_want);
	if (f.n == 1) {
		/* the subject is the key; the texts name model and server */
		CU_ASSERT_STRING_EQUAL(f.v[0].subject, "s.m");
		CU_ASSERT_PTR_NOT_NULL(strstr(f.v[0].title, "m on s:"));
		CU_ASSERT_PTR_NOT_NULL(strstr(f.v[0].description, "m on s"));
		CU_ASSERT_EQUAL((int)f.v[0].severity, sev);
		CU_ASSERT_EQUAL(f.v[0].hold, hold);
		CU_ASSERT_DOUBLE_EQUAL(f.v[0].value, value, 1e-9);
		/* (now-60 s, now]: 60 points */
		CU_ASSERT_DOUBLE_EQUAL(f.v[0].samples, 60, 1e-9);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(f.v[0].description, "60 scrapes"));
	}
	free(f.v);
	sr_series_set_free(ss);
}

static void
test_kv_cache(void)
{
	/* defaults: warn 90, crit 98, clear 85, window 1 min */
	kv_case(95, 95, 1, SR_SEV_WARN, 0, 95);
	kv_case(99, 99, 1, SR_SEV_CRIT, 0, 99);
	/* one scrape at 80 % in the window: not sustained */
	kv_case(95, 80, 0, 0, 0, 0);
	/* the lowest point decides: 99 with one 92 is a warning at 92 */
	kv_case(99, 92, 1, SR_SEV_WARN, 0, 92);
	/* 87: past clear (85), below warn: a hold */
	kv_case(87, 87, 1, SR_SEV_WARN, 1, 87);
	kv_case(50, 50, 0, 0, 0, 0);
}

/*
 * A replay of stored history ticks once a minute with one point a
 * minute: the 1 min window holds one point, which is all a tick can give
 * (min_samples 3 asks for more than the 1 tick of the window).
 */
static void
test_kv_cache_replay(void)
{
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings f;
	int64_t now = T0 + 3600000;

	for (int64_t t = now - 600000; t <= now; t += 60000)
		sr_series_set_push(ss, "llm.s.m.kv_cache_pct", "%", t, 95);
	eval_at("kv_cache", ss, now, 60000, &f);
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(f.v[0].samples, 1, 1e-9);
	free(f.v);
	/* live ticks of 1 s: one point in the window is not enough */
	eval("kv_cache", ss, now, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	free(f.v);
	sr_series_set_free(ss);
}

/*
 * queue_growth over 5 min of points 5 s apart: waiting = w0 + ws * t,
 * running = r0 + rs * t (t in s from the window start).
 */
static size_t
queue_case(double ws, double rs, double *value)
{
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings f;
	int64_t now = T0 + 3600000;
	size_t n;

	for (int64_t t = now - 295000; t <= now; t += 5000) {
		double s = (double)(t - (now - 300000)) / 1000.0;

		sr_series_set_push(ss, "llm.a.b.waiting", "", t, 3 + ws * s);
		sr_series_set_push(ss, "llm.a.b.running", "", t, 32 + rs * s);
	}
	eval("queue_growth", ss, now, &f);
	n = f.n;
	if (n == 1) {
		CU_ASSERT_STRING_EQUAL(f.v[0].subject, "a.b");
		*value = f.v[0].value;
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(f.v[0].description, "60 scrapes"));
	}
	free(f.v);
	sr_series_set_free(ss);
	return n;
}

static void
test_queue_growth(void)
{
	double v = NAN;

	/* waiting +0.1/s = 6 a minute (warn 2, crit 10), 30 over 5 min;
	 * running flat at 32 */
	CU_ASSERT_EQUAL(queue_case(0.1, 0, &v), 1);
	CU_ASSERT_DOUBLE_EQUAL(v, 6.0, 1e-6);
	/* running grows 0.1/s too (+30 over 5 min, > 10 % of ~47): the
	 * server is taking the load, no finding */
	CU_ASSERT_EQUAL(queue_case(0.1, 0.1, &v), 0);
	/* running moves 0.002/s (0.6 over 5 min, below one request) */
	CU_ASSERT_EQUAL(queue_case(0.1, 0.002, &v), 1);
	/* waiting +0.01/s: 3 over 5 min, below min_change 5 */
	CU_ASSERT_EQUAL(queue_case(0.01, 0, &v), 0);
	/* falling queue */
	CU_ASSERT_EQUAL(queue_case(-0.01, 0, &v), 0);
}

static void
test_preemptions(void)
{
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings f;
	int64_t now = T0 + 600000;
	int i = 0;

	/* window 2 min: (now-120 s, now] holds the 24 points now-115 s ..
	 * now, alternately 0 and 20: mean 10 (warn 5, crit 30), max 20 */
	for (int64_t t = now - 300000; t <= now; t += 5000, i++)
		sr_series_set_push(ss, "llm.s.m.preempt_per_min", "", t,
		    t <= now - 120000 ? 100 : (i % 2 ? 20 : 0));
	sr_series_set_push(ss, "llm.s.m.kv_cache_pct", "%", now, 97);
	eval("preemptions", ss, now, &f);
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_EQUAL((int)f.v[0].severity, SR_SEV_WARN);
	CU_ASSERT_DOUBLE_EQUAL(f.v[0].value, 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(f.v[0].samples, 24, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.v[0].description, "up to 20.0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.v[0].description, "KV cache 97 %"));
	free(f.v);
	sr_series_set_free(ss);
}

/*
 * ttft_regression: ttft_p95_ms every 10 s; before the last 5 min it
 * alternates 190 / 210 ms (median 200, MAD 10) for base_min minutes,
 * then `recent` ms; success_per_s 1 (300 requests in 5 min).  p5m, when
 * not NAN, is the server's own 5 min p95.
 */
static size_t
ttft_case(int base_min, double recent, double p5m, struct sr_finding *out)
{
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings f;
	int64_t now = T0 + 7200000;
	int i = 0;
	size_t n;

	/* base_min * 6 baseline points (even: median 200) */
	for (int64_t t = now - 290000 - (int64_t)base_min * 60000; t <= now;
	     t += 10000, i++) {
		sr_series_set_push(ss, "llm.s.m.ttft_p95_ms", "ms", t,
		    t <= now - 300000 ? (i % 2 ? 210 : 190) : recent);
		sr_series_set_push(ss, "llm.s.m.success_per_s", "", t, 1);
	}
	if (!isnan(p5m))
		sr_series_set_push(ss, "llm.s.m.ttft_p95_5m_ms", "ms", now,
		    p5m);
	eval("ttft_regression", ss, now, &f);
	n = f.n;
	if (n == 1)
		*out = f.v[0];
	free(f.v);
	sr_series_set_free(ss);
	return n;
}

static void
test_ttft_regression(void)
{
	struct sr_finding f;

	/* 800 ms against 200: z = 600 / (1.4826 * 10) = 40.5 >= crit 8,
	 * x4 >= factor 2, +600 >= min_change 100 */
	CU_ASSERT_EQUAL_FATAL(ttft_case(30, 800, NAN, &f), 1);
	CU_ASSERT_EQUAL((int)f.severity, SR_SEV_CRIT);
	CU_ASSERT_EQUAL(f.hold, 0);
	CU_ASSERT_DOUBLE_EQUAL(f.value, 800, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(f.baseline, 200, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(f.threshold, 400, 1e-9);
	/* 1 request/s over 5 min */
	CU_ASSERT_DOUBLE_EQUAL(f.samples, 300, 1e-6);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.description, "x4.0"));
	/* the server's own 5 min p95 (350) wins over the 1 min points:
	 * z = 10.1 but 350 < 2 x 200 while +150 >= 50: a hold */
	CU_ASSERT_EQUAL_FATAL(ttft_case(30, 800, 350, &f), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.value, 350, 1e-9);
	CU_ASSERT_EQUAL(f.hold, 1);
	/* a baseline of 5 min (< 10): no judgement yet */
	CU_ASSERT_EQUAL(ttft_case(5, 800, NAN, &f), 0);
	/* no regression */
	CU_ASSERT_EQUAL(ttft_case(30, 205, NAN, &f), 0);
}

/* The engine's rows per server and model: split at the first, second
 * and last dot, sorted by model then server, the same model on two
 * servers two rows, a row with nothing fresh left out. */
static void
test_snapshot_rows(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s;
	int64_t now = T0;

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_sample(e, "llm.s1.z.running", "", now, 3);
	sr_engine_sample(e, "llm.s1.a.b.kv_cache_pct", "", now, 42.5);
	sr_engine_sample(e, "llm.s1.a.b.c.gen_tps", "", now, 120);
	sr_engine_sample(e, "llm.s1.a.b.waiting", "", now, 7);
	sr_engine_sample(e, "llm.s0.a.b.kv_cache_pct", "", now, 10);
	sr_engine_sample(e, "llm.s1.a.b.nope", "", now, 1);
	sr_engine_sample(e, "llm.z.running", "", now, 1); /* no server */
	sr_engine_sample(e, "prom.x.up", "", now, 1);
	/* 3 min old, past the stale time (2 min): no row */
	sr_engine_sample(e, "llm.s1.gone.running", "", now - 180000, 5);
	(void)sr_engine_tick(e, now, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_EQUAL_FATAL(s->n_llm, 4);
	CU_ASSERT_EQUAL(s->n_llm_servers, 2);
	CU_ASSERT_STRING_EQUAL(s->llm[0].model, "a.b");
	CU_ASSERT_STRING_EQUAL(s->llm[0].server, "s0");
	CU_ASSERT_STRING_EQUAL(s->llm[0].key, "s0.a.b");
	CU_ASSERT_STRING_EQUAL(s->llm[1].model, "a.b");
	CU_ASSERT_STRING_EQUAL(s->llm[1].server, "s1");
	CU_ASSERT_STRING_EQUAL(s->llm[2].model, "a.b.c");
	CU_ASSERT_STRING_EQUAL(s->llm[3].model, "z");
	CU_ASSERT_STRING_EQUAL(s->llm[3].server, "s1");
	/* each server's own figures */
	CU_ASSERT_DOUBLE_EQUAL(s->llm[0].v[SR_LLM_KV_PCT], 10, 1e-9);
	CU_ASSERT(isnan(s->llm[0].v[SR_LLM_WAITING]));
	CU_ASSERT_DOUBLE_EQUAL(s->llm[1].v[SR_LLM_KV_PCT], 42.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s->llm[1].v[SR_LLM_WAITING], 7, 1e-9);
	CU_ASSERT(isnan(s->llm[1].v[SR_LLM_RUNNING]));
	CU_ASSERT_DOUBLE_EQUAL(s->llm[2].v[SR_LLM_GEN_TPS], 120, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s->llm[3].v[SR_LLM_RUNNING], 3, 1e-9);
	CU_ASSERT_EQUAL(s->llm[3].ts_ms, now);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

void
sr_test_llm_suite(void)
{
	CU_pSuite s = CU_add_suite("llm", NULL, NULL);

	CU_add_test(s, "llm.<server>.<model>.<field> names", test_split);
	CU_add_test(s, "kv_cache: sustained high use", test_kv_cache);
	CU_add_test(s, "kv_cache: replays at one point a minute",
	    test_kv_cache_replay);
	CU_add_test(s, "queue_growth: waiting rises, running flat",
	    test_queue_growth);
	CU_add_test(s, "preemptions: storm over the window", test_preemptions);
	CU_add_test(s, "ttft_regression against the series' baseline",
	    test_ttft_regression);
	CU_add_test(s, "snapshot rows per model", test_snapshot_rows);
}
