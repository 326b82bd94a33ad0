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

#include "collectors/demo.h"
#include "core/agg.h"
#include "core/config.h"
#include "core/insight.h"
#include "core/rules.h"
#include "core/series.h"

void sr_test_rules_suite(void);

#define T0 1700000000000LL

static void
add_req(struct sr_agg *a, int64_t ts, const char *svc, int status, double lat,
    const char *msg)
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
	int n;
	char id[16][96];
};

static void
on_fire(void *ctx, const struct sr_snap_insight *in, enum sr_insight_state from,
    int64_t now)
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
			    base *
				(0.8 + 0.4 * (double)(seed >> 40) / 16777216.0),
			    NULL);
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
	truth = (50e9 - (40e9 + slope * 1800)) / slope; /* seconds */
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
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out.v[0].title, "/var full in about 7 h"));
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

		(void)snprintf(msg, sizeof(msg),
		    "upstream timeout after %d ms "
		    "(request %08x)",
		    1000 + i * 37, 0xabc000u + (unsigned)i);
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

/* P(X >= k), X ~ Binomial(n, p), the plain way: 1 - sum_{j<k} pmf(j) */
static double
binom_tail_plain(int n, int k, double p)
{
	double sum = 0, c = 1; /* c = C(n, j) */

	for (int j = 0; j < k; j++) {
		sum += c * pow(p, j) * pow(1 - p, n - j);
		c = c * (n - j) / (j + 1);
	}
	return 1 - sum;
}

static void
test_binom_tail(void)
{
	/* by hand */
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(10, 10, 0.5), 1.0 / 1024,
	    1e-15);
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(10, 1, 0.5), 1023.0 / 1024,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(10, 0, 0.5), 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(10, 11, 0.5), 0, 0);
	/* 3 trials at 0.1, 2 or more: 3 * 0.01 * 0.9 + 0.001 */
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(3, 2, 0.1), 0.028, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_rule_binom_tail(5, 1, 0), 0, 0);
	/* against the plain sum, above and below the mean */
	CU_ASSERT(fabs(sr_rule_binom_tail(178, 5, 0.0041) /
			  binom_tail_plain(178, 5, 0.0041) -
		      1) < 1e-9);
	CU_ASSERT(fabs(sr_rule_binom_tail(400, 30, 0.05) /
			  binom_tail_plain(400, 30, 0.05) -
		      1) < 1e-9);
	CU_ASSERT(fabs(sr_rule_binom_tail(400, 15, 0.05) -
		      binom_tail_plain(400, 15, 0.05)) < 1e-12);
	/* mean 0.73: P(X = 5) alone is e^-0.73 0.73^5 / 5! = 8.3e-4 */
	CU_ASSERT(sr_rule_binom_tail(178, 5, 0.0041) > 8.3e-4 &&
	    sr_rule_binom_tail(178, 5, 0.0041) < 9.5e-4);
	/* far in the tail (mean 3, 100 or more: about 1e-112): no
	 * rounding to 0 or 1 */
	CU_ASSERT(sr_rule_binom_tail(3000, 100, 0.001) > 1e-120 &&
	    sr_rule_binom_tail(3000, 100, 0.001) < 1e-100);
}

/*
 * One service with `n` requests in the last 4.5 min, the first `bad` of
 * them failing, and an error baseline of `base` (set by hand): the
 * error_rate rule's single finding, or NULL.
 */
static int
error_rate_case(int n, int bad, double base, struct sr_finding *out)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_agg_service *s;
	struct sr_findings f;
	struct sr_view v;
	int found;

	sr_config_init(&cfg);
	sr_agg_tick(a, T0);
	for (int i = 0; i < n; i++)
		add_req(a, T0 + (int64_t)i * 270000 / n, "litellm",
		    i < bad ? 500 : 200, 40, NULL);
	sr_agg_tick(a, T0 + 270000);
	s = sr_agg_service(a, "litellm");
	s->base_err.mean = base;
	s->base_err.dev = base / 2;
	s->base_err.n = 100;
	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	v.now_ms = T0 + 270000;
	v.agg = a;
	sr_rule_error_rate.eval(&sr_rule_error_rate, &v,
	    sr_config_rule(&cfg, "error_rate"), &f);
	found = (int)f.n;
	if (f.n == 1)
		*out = f.v[0];
	free(f.v);
	sr_agg_free(a);
	sr_config_release(&cfg);
	return found;
}

/*
 * Chance failures on calm traffic do not open an insight; a real excess
 * does.  litellm, 178 requests in 5 min, baseline 0.41 % (mean 0.73
 * failures): 5 failures is 2.8 %, five times the baseline and 2.4 points
 * above it, binomial z 5.0, but P(X >= 5) is about 9e-4, far above 1e-5:
 * a hold at most (an old z >= 3 test fired here); 7 failures, P = 1.05e-5,
 * still a hold.  12 failures (6.7 %): P(X >= 12) is about 2e-11: a
 * warning.
 */
static void
test_error_rate_chance(void)
{
	struct sr_finding f;
	int n;

	n = error_rate_case(178, 4, 0.0041, &f);
	CU_ASSERT(n == 0 || (n == 1 && f.hold));
	n = error_rate_case(178, 5, 0.0041, &f);
	CU_ASSERT(n == 0 || (n == 1 && f.hold));
	n = error_rate_case(178, 7, 0.0041, &f);
	CU_ASSERT(n == 0 || (n == 1 && f.hold));
	CU_ASSERT_EQUAL_FATAL(error_rate_case(178, 12, 0.0041, &f), 1);
	CU_ASSERT_FALSE(f.hold);
	CU_ASSERT_EQUAL(f.severity, SR_SEV_WARN);
	CU_ASSERT_DOUBLE_EQUAL(f.value, 12.0 / 178, 1e-9);
	/*
	 * At least 5 failures, even when fewer are improbable: 30
	 * requests at the 0.1 % floor, 4 failures (13 %) have P = C(30,4)
	 * 1e-12 = 2.7e-8, yet stay a hold; 5 open.
	 */
	n = error_rate_case(30, 4, 0, &f);
	CU_ASSERT(n == 0 || (n == 1 && f.hold));
	CU_ASSERT_EQUAL_FATAL(error_rate_case(30, 5, 0, &f), 1);
	CU_ASSERT_FALSE(f.hold);
	/*
	 * Clearly above the baseline: a service that usually fails 4 %
	 * at 6.5 % of 2000 requests is improbable (mean 80, 130 or more:
	 * P about 1e-7) but under 2x the baseline: not news; at 10 %
	 * (2.5x) it is.
	 */
	n = error_rate_case(2000, 130, 0.04, &f);
	CU_ASSERT(n == 0 || (n == 1 && f.hold));
	CU_ASSERT_EQUAL_FATAL(error_rate_case(2000, 200, 0.04, &f), 1);
	CU_ASSERT_FALSE(f.hold);
}

/*
 * error_rate honours its `window`: 30 min of one request every 3 s (600
 * requests), the first 100 failing (the first 5 min), none since.  The
 * default window (5 min) holds only successes: no finding.  With window =
 * 1h the 1 hour aggregate holds all 600: 100 / 600 = 1/6 fail, above warn
 * (0.05) and below crit (0.2): a warning of value 1/6.  A window of 2m
 * reads the 5 minute aggregate (the shortest that covers it): none.
 */
static int
error_rate_window_case(const char *window, struct sr_finding *out)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_findings f;
	struct sr_view v;
	struct sr_err err;
	int found;

	sr_config_init(&cfg);
	if (window != NULL)
		CU_ASSERT_EQUAL_FATAL(sr_config_set(&cfg, "rule error_rate",
					  "window", window, NULL, &err),
		    0);
	sr_agg_tick(a, T0);
	for (int i = 0; i < 600; i++) {
		int64_t t = T0 + (int64_t)i * 3000;

		add_req(a, t, "api", i < 100 ? 500 : 200, 40, NULL);
		if ((i + 1) % 20 == 0)
			sr_agg_tick(a, t + 3000);
	}
	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	v.now_ms = T0 + 1800000;
	v.agg = a;
	sr_rule_error_rate.eval(&sr_rule_error_rate, &v,
	    sr_config_rule(&cfg, "error_rate"), &f);
	found = (int)f.n;
	if (f.n == 1)
		*out = f.v[0];
	free(f.v);
	sr_agg_free(a);
	sr_config_release(&cfg);
	return found;
}

static void
test_error_rate_window(void)
{
	struct sr_finding f;

	CU_ASSERT_EQUAL(error_rate_window_case(NULL, &f), 0);
	CU_ASSERT_EQUAL(error_rate_window_case("2m", &f), 0);
	CU_ASSERT_EQUAL_FATAL(error_rate_window_case("1h", &f), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.value, 100.0 / 600, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(f.samples, 600, 1e-9);
	CU_ASSERT_FALSE(f.hold);
	CU_ASSERT_EQUAL(f.severity, SR_SEV_WARN);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.description, "in the last 1 h"));
}

/*
 * A service with one event every `every_s` seconds for 2 h, then
 * nothing: does the silence rule report it `gap_s` seconds after the
 * last event?
 */
static int
silence_after(int every_s, int gap_s)
{
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_findings f;
	struct sr_view v;
	int64_t last = T0, t;
	int found;

	sr_config_init(&cfg);
	sr_agg_tick(a, T0);
	for (t = T0; t < T0 + 7200000; t += 1000) {
		if ((t - T0) % (every_s * 1000) == 0) {
			add_req(a, t, "svc", 200, 10, NULL);
			last = t;
		}
		if ((t - T0) % 60000 == 0)
			sr_agg_tick(a, t);
	}
	for (t = last + 60000; t < last + (int64_t)gap_s * 1000; t += 60000)
		sr_agg_tick(a, t);
	sr_agg_tick(a, last + (int64_t)gap_s * 1000);
	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	v.now_ms = last + (int64_t)gap_s * 1000;
	v.agg = a;
	sr_rule_silence.eval(&sr_rule_silence, &v,
	    sr_config_rule(&cfg, "silence"), &f);
	found = (int)f.n;
	if (f.n == 1)
		CU_ASSERT_EQUAL(f.v[0].severity, SR_SEV_WARN);
	free(f.v);
	sr_agg_free(a);
	sr_config_release(&cfg);
	return found;
}

/*
 * Silence needs factor (13.8, P = e^-13.8 = 1e-6 under Poisson arrivals)
 * recent mean gaps and at least min_change (10 min).  Every 6 s: 13.8 x
 * 6 s = 83 s, so the 10 min floor decides: 590 s no, 610 s yes.  Every
 * 60 s (a quiet night): 13.8 x 60 s = 828 s: 780 s no, 900 s yes.
 */
static void
test_silence_recent_rate(void)
{
	CU_ASSERT_EQUAL(silence_after(6, 120), 0);
	CU_ASSERT_EQUAL(silence_after(6, 590), 0);
	CU_ASSERT_EQUAL(silence_after(6, 610), 1);
	CU_ASSERT_EQUAL(silence_after(60, 780), 0);
	CU_ASSERT_EQUAL(silence_after(60, 900), 1);
}

/* error_rate firings (pending -> firing, warning or worse) with times */
struct live_fires {
	int n, other; /* other: any other rule's warning+ */
	char subject[64][32];
	int64_t at[64];
};

static void
on_live(void *ctx, const struct sr_snap_insight *in, enum sr_insight_state from,
    int64_t now)
{
	struct live_fires *f = ctx;

	if (in->state != SR_INS_FIRING || from != SR_INS_PENDING ||
	    in->severity < SR_SEV_WARN)
		return;
	if (strcmp(in->rule, "error_rate") != 0 || f->n == 64) {
		f->other++;
		return;
	}
	(void)snprintf(f->subject[f->n], sizeof(f->subject[0]), "%s",
	    in->subject);
	f->at[f->n++] = now;
}

/*
 * The live path: demo events at 20/s (times the demo's rate factor)
 * folded into the aggregates as they arrive, the rules evaluated every
 * 1 s tick, as the engine does, for `hours`.
 */
static void
live_run(enum sr_demo_incidents incidents, uint64_t seed, int hours,
    struct live_fires *f)
{
	struct sr_demo_opts o = { .seed = seed,
		.incidents = incidents,
		.start_ms = T0 };
	struct sr_demo *d = sr_demo_new(&o);
	struct sr_config cfg;
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_insights *ins;
	struct sr_event ev;
	struct sr_view v;
	double carry = 0;

	memset(f, 0, sizeof(*f));
	sr_config_init(&cfg);
	ins = sr_insights_new(&cfg);
	memset(&v, 0, sizeof(v));
	v.agg = a;
	v.interval_ms = 1000;
	sr_agg_tick(a, T0);
	for (int64_t t = T0; t < T0 + (int64_t)hours * 3600000; t += 1000) {
		int n;

		carry += 20 * sr_demo_rate_factor(d, t);
		n = (int)carry;
		carry -= n;
		for (int i = 0; i < n; i++) {
			sr_demo_next(d, t + (int64_t)i * 1000 / n, &ev);
			sr_agg_add_event(a, &ev);
		}
		sr_agg_tick(a, t + 1000);
		v.now_ms = t + 1000;
		sr_insights_eval(ins, &v, on_live, f);
	}
	sr_insights_free(ins);
	sr_agg_free(a);
	sr_config_release(&cfg);
	sr_demo_free(d);
}

/* Calm live traffic for 4 h: no warning or worse, ever. */
static void
test_live_calm(void)
{
	struct live_fires f;

	for (uint64_t seed = 1; seed <= 1; seed++) {
		live_run(SR_DEMO_INCIDENTS_NONE, seed, 4, &f);
		CU_ASSERT_EQUAL(f.n, 0);
		CU_ASSERT_EQUAL(f.other, 0);
		for (int i = 0; i < f.n; i++)
			fprintf(stderr, "calm seed %llu: error_rate:%s\n",
			    (unsigned long long)seed, f.subject[i]);
	}
}

/*
 * Live traffic with incidents for 2 h: every error burst of the demo's
 * schedule (sr_demo_incident_at) fires error_rate for its service
 * between the burst's start and 5 min after its end; no error_rate
 * fires for a service outside a burst (vllm's errors also reach the
 * litellm gateway).
 */
static void
test_live_bursts(void)
{
	struct sr_demo_opts o = { .seed = 7,
		.incidents = SR_DEMO_INCIDENTS_SOME,
		.start_ms = T0 };
	struct sr_demo *d = sr_demo_new(&o);
	struct sr_demo_incident inc, bursts[64] = { 0 };
	struct live_fires f;
	int nb = 0;

	for (int64_t t = T0; t < T0 + 2 * 3600000LL; t += 1000) {
		if (!sr_demo_incident_at(d, t, &inc) ||
		    inc.kind != SR_DEMO_ERROR_BURST)
			continue;
		if (nb > 0 && bursts[nb - 1].from_ms == inc.from_ms)
			continue;
		if (nb < 64)
			bursts[nb++] = inc;
	}
	sr_demo_free(d);
	CU_ASSERT_FATAL(nb >= 3);
	live_run(SR_DEMO_INCIDENTS_SOME, 7, 2, &f);
	for (int b = 0; b < nb; b++) {
		int hit = 0;

		for (int i = 0; i < f.n; i++)
			hit |= strcmp(f.subject[i], bursts[b].subject) == 0 &&
			    f.at[i] >= bursts[b].from_ms &&
			    f.at[i] <= bursts[b].to_ms + 300000;
		/* a burst right after another of the same service may
		 * find the insight still firing */
		for (int k = 0; k < b && !hit; k++)
			hit =
			    strcmp(bursts[k].subject, bursts[b].subject) == 0 &&
			    bursts[b].from_ms - bursts[k].to_ms < 600000;
		if (!hit)
			fprintf(stderr, "burst %s at +%lld s not seen\n",
			    bursts[b].subject,
			    (long long)(bursts[b].from_ms - T0) / 1000);
		CU_ASSERT(hit);
	}
	for (int i = 0; i < f.n; i++) {
		int ok = 0;

		for (int b = 0; b < nb; b++)
			ok |= (strcmp(f.subject[i], bursts[b].subject) == 0 ||
				  (strcmp(bursts[b].subject, "vllm") == 0 &&
				      strcmp(f.subject[i], "litellm") == 0)) &&
			    f.at[i] >= bursts[b].from_ms &&
			    f.at[i] <= bursts[b].to_ms + 300000;
		if (!ok)
			fprintf(stderr,
			    "error_rate:%s at +%lld s outside a "
			    "burst\n",
			    f.subject[i], (long long)(f.at[i] - T0) / 1000);
		CU_ASSERT(ok);
	}
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
	CU_add_test(s, "binomial tail", test_binom_tail);
	CU_add_test(s, "error rate honours its window", test_error_rate_window);
	CU_add_test(s, "error_rate ignores chance failures",
	    test_error_rate_chance);
	CU_add_test(s, "silence against the recent rate",
	    test_silence_recent_rate);
	CU_add_test(s, "live: calm demo traffic raises nothing",
	    test_live_calm);
	CU_add_test(s, "live: every demo error burst fires error_rate",
	    test_live_bursts);
}
