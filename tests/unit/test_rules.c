/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the rules: views built by hand (agg and series filled
 * directly, fake clock), findings and lifecycle checked against values
 * computed here.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agg.h"
#include "core/config.h"
#include "core/insight.h"
#include "core/rules.h"
#include "core/series.h"

void sr_test_rules_suite(void);

#define T0	1700000000000LL

static void
add_req(struct sr_agg *a, int64_t ts, const char *svc, int status,
    double lat, const char *msg)
{
	struct sr_event ev;

	sr_event_clear(&ev);
	ev.ts_ms = ts;
	ev.event_id = "id";
	ev.event_type = "request";
	ev.service = svc;
	ev.endpoint = "/x";
	ev.status_code = status;
	ev.response_time_ms = lat;
	ev.message = msg;
	ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
	sr_agg_add_event(a, &ev);
}

struct fires {
	int	 n;
	char	 id[16][96];
};

static void
on_fire(void *ctx, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now)
{
	struct fires *f = ctx;

	(void)now;
	/* a new firing (not an escalation); info-level news (a steady
	 * error pattern) is not an alarm */
	if (in->state == SR_INS_FIRING && from == SR_INS_PENDING &&
	    in->severity >= SR_SEV_WARN && f->n < 16)
		(void)snprintf(f->id[f->n++], sizeof(f->id[0]), "%s", in->id);
}

/*
 * Two services at 10 req/s each; from minute 20 "api" fails 30 % of its
 * requests: error_rate fires for api after `for` (1 min), never for web.
 */
static void
test_error_burst_one_service(void)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_insights *ins;
	struct fires f;
	struct sr_view v;
	int64_t fired_at = 0;

	memset(&f, 0, sizeof(f));
	sr_config_init(&cfg);
	ins = sr_insights_new(&cfg);
	memset(&v, 0, sizeof(v));
	v.agg = a;
	v.interval_ms = 1000;
	sr_agg_tick(a, T0);
	for (int s = 0; s < 30 * 60; s++) {
		int64_t t = T0 + (int64_t)s * 1000;

		for (int i = 0; i < 10; i++) {
			int bad = s >= 20 * 60 && i < 3;

			add_req(a, t + i * 100, "api", bad ? 502 : 200, 50,
			    bad ? "bad gateway" : NULL);
			add_req(a, t + i * 100, "web", 200, 50, NULL);
		}
		sr_agg_tick(a, t + 1000);
		v.now_ms = t + 1000;
		sr_insights_eval(ins, &v, on_fire, &f);
		if (f.n > 0 && fired_at == 0)
			fired_at = s;
	}
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_STRING_EQUAL(f.id[0], "error_rate:api");
	/*
	 * api's baseline error ratio is 0, so the baseline path (ratio >=
	 * factor x baseline and >= baseline + min_change 2 %) opens the
	 * insight once the 5 min ratio passes 2 %: after 2 % / 30 % of
	 * 300 s = 20 s of errors; `for` is 60 s: about 80 s in.
	 */
	CU_ASSERT(fired_at >= 20 * 60 + 75 && fired_at <= 20 * 60 + 90);
	for (size_t i = 0; i < sr_insights_count(ins); i++) {
		struct sr_snap_insight si;

		sr_insights_get(ins, i, &si);
		CU_ASSERT(strcmp(si.subject, "web") != 0);
		if (strcmp(si.id, "error_rate:api") == 0) {
			CU_ASSERT_EQUAL(si.severity, SR_SEV_CRIT);
			CU_ASSERT_EQUAL(si.category, SR_CAT_RELIABILITY);
		}
	}
	sr_insights_free(ins);
	sr_agg_free(a);
	sr_config_release(&cfg);
}

/*
 * 20 min of latency around 100 ms (baseline), then 5 min at 400 ms:
 * the latency rule fires on that service.
 */
static void
test_latency_regression(void)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_insights *ins;
	struct fires f;
	struct sr_view v;
	uint64_t seed = 12345;

	memset(&f, 0, sizeof(f));
	sr_config_init(&cfg);
	ins = sr_insights_new(&cfg);
	memset(&v, 0, sizeof(v));
	v.agg = a;
	v.interval_ms = 1000;
	sr_agg_tick(a, T0);
	for (int s = 0; s < 30 * 60; s++) {
		int64_t t = T0 + (int64_t)s * 1000;
		double base = s >= 20 * 60 ? 400 : 100;

		for (int i = 0; i < 5; i++) {
			seed = seed * 6364136223846793005ull + 1;
			add_req(a, t + i * 200, "api", 200,
			    base * (0.8 + 0.4 * (double)(seed >> 40) /
			    16777216.0), NULL);
		}
		sr_agg_tick(a, t + 1000);
		v.now_ms = t + 1000;
		sr_insights_eval(ins, &v, on_fire, &f);
		if (s == 20 * 60 - 1)
			CU_ASSERT_EQUAL(f.n, 0);
	}
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_STRING_EQUAL(f.id[0], "latency:api");
	sr_insights_free(ins);
	sr_agg_free(a);
	sr_config_release(&cfg);
}

/*
 * /var: 50 GB, 40 GB used, growing 1.2 GB/h with noise, sampled every
 * 10 s for 30 min.  True time to full at the end: (50 - used) / 1.2 h.
 */
static void
test_disk_fill_forecast(void)
{
	struct sr_config cfg;
	struct sr_series_set *ss = sr_series_set_new(SR_SERIES_CAP);
	struct sr_findings out;
	struct sr_view v;
	double slope = 1.2e9 / 3600, used = 0, truth;
	int64_t t = T0;
	uint64_t seed = 99;

	sr_config_init(&cfg);
	for (int i = 0; i <= 180; i++) {
		t = T0 + (int64_t)i * 10000;
		seed = seed * 6364136223846793005ull + 1;
		used = 40e9 + slope * (double)(t - T0) / 1000 +
		    ((double)(seed >> 40) / 16777216.0 - 0.5) * 20e6;
		sr_series_set_push(ss, "fs./var.used_bytes", "bytes", t, used);
		sr_series_set_push(ss, "fs./var.total_bytes", "bytes", t, 50e9);
	}
	truth = (50e9 - (40e9 + slope * 1800)) / slope;	/* seconds */
	memset(&v, 0, sizeof(v));
	memset(&out, 0, sizeof(out));
	v.now_ms = t;
	v.series = ss;
	sr_rule_disk_fill.eval(&sr_rule_disk_fill, &v,
	    sr_config_rule(&cfg, "disk_fill"), &out);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_STRING_EQUAL(out.v[0].subject, "/var");
	CU_ASSERT(fabs(out.v[0].value - truth) / truth < 0.10);
	/* 7.8 h left: under 24 h (warn), over 4 h (crit) */
	CU_ASSERT_EQUAL(out.v[0].severity, SR_SEV_WARN);
	CU_ASSERT_FALSE(out.v[0].hold);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].description, "GB/h"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].title, "/var full in about 7 h"));
	free(out.v);
	sr_series_set_free(ss);
	sr_config_release(&cfg);
}

/* Messages differing only in numbers and ids make one pattern. */
static void
test_error_patterns_collapse(void)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_findings out;
	struct sr_view v;
	const struct sr_agg_template *t;

	sr_config_init(&cfg);
	sr_agg_tick(a, T0);
	for (int i = 0; i < 30; i++) {
		char msg[128];

		(void)snprintf(msg, sizeof(msg), "upstream timeout after %d ms "
		    "(request %08x)", 1000 + i * 37, 0xabc000u + (unsigned)i);
		add_req(a, T0 + i * 1000, i % 2 ? "api" : "web", 504, 10, msg);
	}
	sr_agg_tick(a, T0 + 31000);
	CU_ASSERT_EQUAL_FATAL(sr_agg_n_templates(a), 1);
	t = sr_agg_template_at(a, 0);
	CU_ASSERT_STRING_EQUAL(t->tpl,
	    "upstream timeout after <n> ms (request <id>)");
	CU_ASSERT_EQUAL(t->count, 30);
	CU_ASSERT_EQUAL(t->first_seen_ms, T0);
	CU_ASSERT_EQUAL(t->last_seen_ms, T0 + 29000);
	CU_ASSERT_EQUAL(t->n_services, 2);
	memset(&v, 0, sizeof(v));
	memset(&out, 0, sizeof(out));
	v.now_ms = T0 + 31000;
	v.agg = a;
	sr_rule_error_pattern.eval(&sr_rule_error_pattern, &v,
	    sr_config_rule(&cfg, "error_pattern"), &out);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].value, 30);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].description, "api"));
	free(out.v);
	sr_agg_free(a);
	sr_config_release(&cfg);
}

/* Calm data below minimum sample counts never produces a finding. */
static void
test_min_samples(void)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_findings out;
	struct sr_view v;

	sr_config_init(&cfg);
	sr_agg_tick(a, T0);
	/* 10 requests, all failing: below error_rate min_samples (50) */
	for (int i = 0; i < 10; i++)
		add_req(a, T0 + i * 1000, "tiny", 500, 10, NULL);
	sr_agg_tick(a, T0 + 11000);
	memset(&v, 0, sizeof(v));
	memset(&out, 0, sizeof(out));
	v.now_ms = T0 + 11000;
	v.agg = a;
	sr_rule_error_rate.eval(&sr_rule_error_rate, &v,
	    sr_config_rule(&cfg, "error_rate"), &out);
	CU_ASSERT_EQUAL(out.n, 0);
	free(out.v);
	sr_agg_free(a);
	sr_config_release(&cfg);
}

void
sr_test_rules_suite(void)
{
	CU_pSuite s = CU_add_suite("rules", NULL, NULL);

	CU_add_test(s, "error burst fires for that service only",
	    test_error_burst_one_service);
	CU_add_test(s, "latency regression fires", test_latency_regression);
	CU_add_test(s, "disk fill forecast within 10 %",
	    test_disk_fill_forecast);
	CU_add_test(s, "error patterns collapse by template",
	    test_error_patterns_collapse);
	CU_add_test(s, "minimum samples", test_min_samples);
}
