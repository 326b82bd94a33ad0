/* SPDX-License-Identifier: MIT */
/*
 * rule_service: reliability rules per service from the live aggregates:
 * error rate (absolute level, or far above the service's own baseline),
 * latency p95 regression (robust z score against an EWMA baseline plus a
 * minimum relative and absolute change), and a service gone silent.
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
rule_error_rate_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		struct sr_snap_win w;
		struct sr_finding tmp, *f;
		double base = s->base_err.n >= SR_RULE_BASELINE_MIN ?
		    s->base_err.mean : NAN;
		int by_base = 0;

		sr_agg_ring_win(v->agg, s->ring, SR_WIN_5M, &w);
		if ((double)w.requests < p->min_samples || isnan(w.rate_5xx))
			continue;
		memset(&tmp, 0, sizeof(tmp));
		if (!sr_rule_level(p, w.rate_5xx, &tmp))
			continue;
		/* below the absolute level: far above its own baseline? */
		if (tmp.hold && !isnan(base) &&
		    w.rate_5xx >= p->factor * base &&
		    w.rate_5xx - base >= p->min_change) {
			tmp.hold = 0;
			tmp.excess = 0.5;
			by_base = 1;
		}
		f = sr_findings_add(out, "%s", s->name);
		f->severity = tmp.severity;
		f->hold = tmp.hold;
		f->excess = tmp.excess;
		f->value = w.rate_5xx;
		f->threshold = by_base ? p->factor * base : tmp.threshold;
		f->baseline = base;
		f->samples = (double)w.requests;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s: %.1f %% of requests fail", s->name,
		    100 * w.rate_5xx);
		{
			char usual[48] = "";

			if (!isnan(base))
				(void)snprintf(usual, sizeof(usual),
				    "; usually %.2f %%", 100 * base);
			(void)snprintf(f->description, sizeof(f->description),
			    "%s answered %llu of %llu requests with errors in "
			    "the last 5 min (%.1f %%; warning at %.1f %%%s).",
			    s->name, (unsigned long long)w.n_5xx,
			    (unsigned long long)w.requests, 100 * w.rate_5xx,
			    100 * p->warn, usual);
		}
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Look at %s's error patterns and recent deploys; check "
		    "its dependencies.", s->name);
	}
}

static void
rule_latency_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		const struct sr_baseline *b = &s->base_p95;
		struct sr_snap_win w;
		struct sr_finding tmp, *f;
		double z;
		int change_ok;

		if (b->n < SR_RULE_BASELINE_MIN)
			continue;
		sr_agg_ring_win(v->agg, s->ring, SR_WIN_1M, &w);
		if ((double)w.lat_n < p->min_samples || isnan(w.p95))
			continue;
		z = sr_baseline_z(b, w.p95);
		memset(&tmp, 0, sizeof(tmp));
		if (!sr_rule_level(p, z, &tmp))
			continue;
		change_ok = w.p95 >= p->factor * b->mean &&
		    w.p95 - b->mean >= p->min_change;
		if (!change_ok && !tmp.hold) {
			/* a big z on a tiny change is noise */
			if (w.p95 - b->mean < p->min_change / 2)
				continue;
			tmp.hold = 1;
		}
		f = sr_findings_add(out, "%s", s->name);
		f->severity = tmp.severity;
		f->hold = tmp.hold;
		f->excess = tmp.excess;
		f->value = w.p95;
		f->threshold = p->factor * b->mean;
		f->baseline = b->mean;
		f->samples = (double)w.lat_n;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s: p95 latency %.0f ms, usually %.0f ms", s->name,
		    w.p95, b->mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "%s p95 latency over the last minute is %.0f ms against "
		    "a baseline of %.0f ms (x%.1f, robust z %.1f, %llu "
		    "samples); p99 %.0f ms, max %.0f ms.", s->name, w.p95,
		    b->mean, w.p95 / b->mean, z,
		    (unsigned long long)w.lat_n, w.p99, w.max);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check %s's slowest endpoints and its dependencies "
		    "(database, upstreams); compare with recent changes.",
		    s->name);
	}
}

static void
rule_silence_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		double usual = s->base_gap_ms.mean, gap, limit;
		char gs[64], us[64];
		struct sr_finding *f;

		if ((double)s->events < p->min_samples ||
		    (double)s->base_gap_ms.n < p->min_samples)
			continue;
		gap = (double)(v->now_ms - s->last_seen_ms);
		limit = p->factor * usual;
		if (limit < p->min_change)
			limit = p->min_change;
		if (gap < limit)
			continue;
		f = sr_findings_add(out, "%s", s->name);
		f->severity = SR_SEV_WARN;
		f->value = gap / 1000;
		f->threshold = limit / 1000;
		f->baseline = usual / 1000;
		f->excess = gap >= 2 * limit ? 1 : (gap - limit) / limit;
		f->samples = (double)s->base_gap_ms.n;
		sr_rule_fmt_duration(gap / 1000, gs, sizeof(gs));
		sr_rule_fmt_duration(usual / 1000, us, sizeof(us));
		(void)snprintf(f->title, sizeof(f->title),
		    "%s silent for %s", s->name, gs);
		(void)snprintf(f->description, sizeof(f->description),
		    "No events from %s for %s; it usually logs one every %s "
		    "(%llu events seen).", s->name, gs, us,
		    (unsigned long long)s->events);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check that %s is running and that its log source is "
		    "still connected.", s->name);
	}
}

const struct sr_rule sr_rule_error_rate = {
	.id = "error_rate", .summary = "share of failing requests per service",
	.category = SR_CAT_RELIABILITY,
	.defaults = { .enabled = 1, .warn = 0.05, .crit = 0.20,
	    .clear = 0.02, .for_ms = 60000, .keep_firing_for_ms = 120000,
	    .window_ms = 300000, .min_samples = 50, .factor = 5,
	    .min_change = 0.02 },
	.eval = rule_error_rate_eval,
};

const struct sr_rule sr_rule_latency = {
	.id = "latency", .summary = "p95 latency regression per service",
	.category = SR_CAT_RELIABILITY,
	.defaults = { .enabled = 1, .warn = 4, .crit = 8, .clear = 2,
	    .for_ms = 120000, .keep_firing_for_ms = 120000,
	    .window_ms = 60000, .min_samples = 30, .factor = 1.5,
	    .min_change = 50 },
	.eval = rule_latency_eval,
};

const struct sr_rule sr_rule_silence = {
	.id = "silence", .summary = "a service stopped sending events",
	.category = SR_CAT_RELIABILITY, .flags = SR_RULE_CHANGE_DURATION,
	.defaults = { .enabled = 1, .warn = 0, .crit = 0, .clear = 0,
	    .for_ms = 0, .keep_firing_for_ms = 0, .window_ms = 0,
	    .min_samples = 30, .factor = 10, .min_change = 120000 },
	.eval = rule_silence_eval,
};
