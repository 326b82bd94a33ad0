/* SPDX-License-Identifier: MIT */
/*
 * rule_llm: per model, time to first token p95 regression (as latency;
 * from events, and ttft_regression from a scraped server's figures) and
 * generation throughput drop (tokens/s over the last 5 min against
 * its baseline; warn/crit/clear are ratios to the baseline, lower is
 * worse).
 */
#include "core/rules.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/llm.h"

/*
 * A model's TTFT p95 against its baseline b, shared by ttft (events) and
 * ttft_regression (scraped series): a finding when the robust z score
 * reaches the rule's levels and the p95 is at least `factor` times the
 * baseline and `min_change` ms above it (a hold while it is still half
 * of min_change above); the caller writes the description.  NULL: none.
 */
static struct sr_finding *
ttft_judge(const struct sr_rule_params *p, const char *model, const char *label,
    double p95, const struct sr_baseline *b, double samples,
    struct sr_findings *out)
{
	struct sr_finding tmp, *f;
	double z;

	if (b->n < SR_RULE_BASELINE_MIN || samples < p->min_samples ||
	    isnan(p95) || isnan(b->mean))
		return NULL;
	z = sr_baseline_z(b, p95);
	memset(&tmp, 0, sizeof(tmp));
	if (!sr_rule_level(p, z, &tmp))
		return NULL;
	if (!(p95 >= p->factor * b->mean && p95 - b->mean >= p->min_change)) {
		if (p95 - b->mean < p->min_change / 2)
			return NULL;
		tmp.hold = 1;
	}
	f = sr_findings_add(out, "%s", model);
	f->severity = tmp.severity;
	f->hold = tmp.hold;
	f->excess = tmp.excess;
	f->value = p95;
	f->baseline = b->mean;
	f->threshold = p->factor * b->mean;
	f->samples = samples;
	(void)snprintf(f->title, sizeof(f->title),
	    "%s: time to first token p95 %.0f ms, usually %.0f ms", label, p95,
	    b->mean);
	(void)snprintf(f->recommendation, sizeof(f->recommendation),
	    "Check the model server's queue depth, batch size and GPU "
	    "load.");
	return f;
}

static void
rule_ttft_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_models(v->agg); i++) {
		const struct sr_agg_model *m = sr_agg_model_at(v->agg, i);
		struct sr_snap_model_win w = m->win[SR_WIN_5M];
		struct sr_finding *f = ttft_judge(p, m->name, m->name,
		    w.ttft_p95, &m->base_ttft_p95, (double)w.requests, out);

		if (f == NULL)
			continue;
		(void)snprintf(f->description, sizeof(f->description),
		    "Model %s TTFT p95 over the last 5 min is %.0f ms against "
		    "a baseline of %.0f ms (x%.1f, robust z %.1f, %llu "
		    "requests).",
		    m->name, w.ttft_p95, f->baseline, w.ttft_p95 / f->baseline,
		    sr_baseline_z(&m->base_ttft_p95, w.ttft_p95),
		    (unsigned long long)w.requests);
	}
}

/*
 * ttft_regression: the same judgement over what a scrape source reads
 * from the model server (llm.<server>.<model>.ttft_p95_5m_ms, or the median of
 * ttft_p95_ms over the window).  The baseline is the median and median
 * absolute deviation of ttft_p95_ms before the window, over what the
 * series holds (its n: the minutes it spans); the samples are the
 * requests finished in the window (success_per_s), or its points when
 * the server does not count them.
 */
static void
rule_ttft_regression_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	const struct sr_series *s;
	char model[256], label[300];
	size_t i = 0;

	(void)r;
	while ((s = sr_llm_next(v->series, &i, SR_LLM_TTFT_P95, model,
		    sizeof(model))) != NULL) {
		int64_t from = v->now_ms - p->window_ms;
		struct sr_llm_stats now, base, ok;
		struct sr_baseline b;
		struct sr_finding *f;
		double p95, samples;
		char name[300];

		if (sr_llm_stats(s, from, v->now_ms, &now) == 0 ||
		    sr_llm_stats(s, INT64_MIN, from, &base) == 0)
			continue;
		(void)snprintf(name, sizeof(name), "llm.%s.%s", model,
		    sr_llm_field_name(SR_LLM_TTFT_P95_5M));
		p95 = sr_view_metric(v, name);
		if (isnan(p95))
			p95 = now.median;
		b.mean = base.median;
		b.dev = base.mad;
		b.n = (uint64_t)((base.last_ms - base.first_ms) / 60000);
		samples = (double)now.n;
		if (sr_llm_stats(sr_llm_series(v->series, model,
				     SR_LLM_SUCCESS),
			from, v->now_ms, &ok) > 0)
			samples = ok.mean * (double)p->window_ms / 1000.0;
		f = ttft_judge(p, model,
		    sr_llm_key_label(model, label, sizeof(label)), p95, &b,
		    samples, out);
		if (f == NULL)
			continue;
		(void)snprintf(f->description, sizeof(f->description),
		    "The model server reports a TTFT p95 of %.0f ms for %s "
		    "over the last %lld min, against %.0f ms (median of %zu "
		    "scrapes over the %llu min before; x%.1f, robust z "
		    "%.1f, about %.0f requests).",
		    p95, label, (long long)(p->window_ms / 60000), b.mean,
		    base.n, (unsigned long long)b.n, p95 / b.mean,
		    sr_baseline_z(&b, p95), samples);
	}
}

static void
rule_throughput_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_models(v->agg); i++) {
		const struct sr_agg_model *m = sr_agg_model_at(v->agg, i);
		const struct sr_baseline *b = &m->base_tps;
		struct sr_snap_model_win w;
		struct sr_finding *f;
		double ratio;

		if (b->n < SR_RULE_BASELINE_MIN || b->mean <= 0)
			continue;
		w = m->win[SR_WIN_5M];
		if ((double)w.requests < p->min_samples ||
		    isnan(w.tokens_per_s))
			continue;
		ratio = w.tokens_per_s / b->mean;
		if (ratio > p->clear)
			continue;
		f = sr_findings_add(out, "%s", m->name);
		f->severity = ratio <= p->crit ? SR_SEV_CRIT : SR_SEV_WARN;
		f->hold = ratio > p->warn;
		f->value = w.tokens_per_s;
		f->baseline = b->mean;
		f->threshold = p->warn * b->mean;
		f->excess = p->warn > p->crit
		    ? (p->warn - ratio) / (p->warn - p->crit)
		    : 1;
		f->excess = f->excess < 0 ? 0 : f->excess > 1 ? 1 : f->excess;
		f->samples = (double)w.requests;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s: throughput %.1f tokens/s, usually %.1f", m->name,
		    w.tokens_per_s, b->mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "Model %s generated %.1f tokens/s over the last 5 min, "
		    "%.0f %% of its baseline %.1f tokens/s (%llu requests).",
		    m->name, w.tokens_per_s, 100 * ratio, b->mean,
		    (unsigned long long)w.requests);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check GPU utilisation, memory and co-located jobs on the "
		    "model server.");
	}
}

/* ttft and ttft_regression judge alike: the same levels and floors. */
#define TTFT_DEFAULTS                                                \
	{                                                            \
		.enabled = 1, .warn = 4, .crit = 8, .clear = 2,      \
		.for_ms = 120000, .keep_firing_for_ms = 120000,      \
		.window_ms = 300000, .min_samples = 50, .factor = 2, \
		.min_change = 100                                    \
	}

const struct sr_rule sr_rule_ttft = {
	.id = "ttft",
	.reads = "factor min_change",
	.summary = "time to first token regression per model",
	.category = SR_CAT_PERFORMANCE,
	.defaults = TTFT_DEFAULTS,
	.chart = { .series = SR_RULE_SERIES_P95,
	    .unit = "ms",
	    .scale = 1,
	    .label = "p95 latency of" },
	.eval = rule_ttft_eval,
};

const struct sr_rule sr_rule_throughput = {
	.id = "throughput",
	.summary = "tokens/s drop per model",
	.category = SR_CAT_PERFORMANCE,
	.defaults = { .enabled = 1,
	    .warn = 0.5,
	    .crit = 0.25,
	    .clear = 0.7,
	    .for_ms = 120000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 300000,
	    .min_samples = 20 },
	.eval = rule_throughput_eval,
};

const struct sr_rule sr_rule_ttft_regression = {
	.id = "ttft_regression",
	.reads = "window factor min_change",
	.summary = "scraped time to first token p95 against its baseline",
	.category = SR_CAT_PERFORMANCE,
	.defaults = TTFT_DEFAULTS,
	.eval = rule_ttft_regression_eval,
};
