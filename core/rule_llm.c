/* SPDX-License-Identifier: MIT */
/*
 * rule_llm: per model, time to first token p95 regression (as latency)
 * and generation throughput drop (tokens/s over the last 5 min against
 * its baseline; warn/crit/clear are ratios to the baseline, lower is
 * worse).
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
rule_ttft_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_models(v->agg); i++) {
		const struct sr_agg_model *m = sr_agg_model_at(v->agg, i);
		const struct sr_baseline *b = &m->base_ttft_p95;
		struct sr_snap_model_win w;
		struct sr_finding tmp, *f;
		double z;

		if (b->n < SR_RULE_BASELINE_MIN)
			continue;
		w = m->win[SR_WIN_5M];
		if ((double)w.requests < p->min_samples || isnan(w.ttft_p95))
			continue;
		z = sr_baseline_z(b, w.ttft_p95);
		memset(&tmp, 0, sizeof(tmp));
		if (!sr_rule_level(p, z, &tmp))
			continue;
		if (!(w.ttft_p95 >= p->factor * b->mean &&
			w.ttft_p95 - b->mean >= p->min_change)) {
			if (w.ttft_p95 - b->mean < p->min_change / 2)
				continue;
			tmp.hold = 1;
		}
		f = sr_findings_add(out, "%s", m->name);
		f->severity = tmp.severity;
		f->hold = tmp.hold;
		f->excess = tmp.excess;
		f->value = w.ttft_p95;
		f->baseline = b->mean;
		f->threshold = p->factor * b->mean;
		f->samples = (double)w.requests;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s: time to first token p95 %.0f ms, usually %.0f ms",
		    m->name, w.ttft_p95, b->mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "Model %s TTFT p95 over the last 5 min is %.0f ms against "
		    "a baseline of %.0f ms (x%.1f, robust z %.1f, %llu "
		    "requests).",
		    m->name, w.ttft_p95, b->mean, w.ttft_p95 / b->mean, z,
		    (unsigned long long)w.requests);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check the model server's queue depth, batch size and GPU "
		    "load.");
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

const struct sr_rule sr_rule_ttft = {
	.id = "ttft",
	.reads = "factor min_change",
	.summary = "time to first token regression per model",
	.category = SR_CAT_PERFORMANCE,
	.defaults = { .enabled = 1,
	    .warn = 4,
	    .crit = 8,
	    .clear = 2,
	    .for_ms = 120000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 300000,
	    .min_samples = 50,
	    .factor = 2,
	    .min_change = 100 },
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
