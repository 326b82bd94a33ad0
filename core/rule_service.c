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

/*
 * The live aggregate window a rule's `window` asks for: the shortest of
 * 1 min, 5 min and 1 h that covers it (longer: 1 h).  The aggregates keep
 * only those three, so a window of 2m reads the 5 minute one.
 */
static enum sr_window
service_window(int64_t window_ms)
{
	for (int w = 0; w < SR_WIN_COUNT; w++)
		if (window_ms <= sr_window_ms((enum sr_window)w))
			return (enum sr_window)w;
	return SR_WIN_1H;
}

/* "1 min", "5 min", "1 h": the window named in descriptions. */
static const char *
service_window_name(enum sr_window w)
{
	return w == SR_WIN_1M ? "1 min" : w == SR_WIN_5M ? "5 min" : "1 h";
}

static void
rule_error_rate_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	enum sr_window win = service_window(p->window_ms);

	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		struct sr_snap_win w;
		struct sr_finding tmp, *f;
		double base = s->base_err.n >= SR_RULE_BASELINE_MIN
		    ? s->base_err.mean
		    : NAN;
		int by_base = 0, news;
		double p0, base0, tail;

		w = s->win[win];
		if ((double)w.requests < p->min_samples || isnan(w.rate_5xx))
			continue;
		memset(&tmp, 0, sizeof(tmp));
		if (!sr_rule_level(p, w.rate_5xx, &tmp))
			continue;
		/*
		 * Tested every tick for every service: only failures that
		 * are very unlikely under the service's usual ratio and
		 * clearly above it are news (rules.h, sitrep(1)).
		 */
		/* a young baseline is a plain mean of its first minutes
		 * and may have learnt an early burst: capped at `clear` */
		base0 = isnan(base) ? 0 : base;
		if (s->base_err.n < SR_RULE_ERR_YOUNG && base0 > p->clear)
			base0 = p->clear;
		p0 = isnan(base)		 ? SR_RULE_ERR_P0_NONE
		    : base0 < SR_RULE_ERR_P0_MIN ? SR_RULE_ERR_P0_MIN
						 : base0;
		tail = sr_rule_binom_tail(w.requests, w.n_5xx, p0);
		news = w.n_5xx >= SR_RULE_MIN_ERRORS && tail < SR_RULE_ERR_P &&
		    w.rate_5xx >= base0 + SR_RULE_ERR_EXCESS &&
		    w.rate_5xx >= SR_RULE_ERR_RATIO * base0;
		if (!news)
			tmp.hold = 1;
		/* below the absolute level: far above its own baseline? */
		if (tmp.hold && news && !isnan(base) &&
		    w.rate_5xx >= p->factor * base0 &&
		    w.rate_5xx - base0 >= p->min_change) {
			tmp.hold = 0;
			tmp.severity = SR_SEV_WARN;
			tmp.excess = 0.5;
			by_base = 1;
		}
		f = sr_findings_add(out, "%s", s->name);
		f->severity = tmp.severity;
		f->hold = tmp.hold;
		f->excess = tmp.excess;
		f->value = w.rate_5xx;
		f->threshold = by_base ? p->factor * base0 : tmp.threshold;
		f->baseline = base;
		f->samples = (double)w.requests;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s: %.1f %% of requests fail", s->name, 100 * w.rate_5xx);
		{
			char usual[64] = "";

			if (!isnan(base))
				(void)snprintf(usual, sizeof(usual),
				    "; usually %.2f %%, chance %.0e",
				    100 * base, tail);
			(void)snprintf(f->description, sizeof(f->description),
			    "%s answered %llu of %llu requests with errors in "
			    "the last %s (%.1f %%; warning at %.1f %%%s).",
			    s->name, (unsigned long long)w.n_5xx,
			    (unsigned long long)w.requests,
			    service_window_name(win), 100 * w.rate_5xx,
			    100 * p->warn, usual);
		}
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Look at %s's error patterns and recent deploys; check "
		    "its dependencies.",
		    s->name);
	}
}

static void
rule_latency_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	enum sr_window win = service_window(p->window_ms);

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
		w = s->win[win];
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
		    "%s: p95 latency %.0f ms, usually %.0f ms", s->name, w.p95,
		    b->mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "%s p95 latency over the last %s is %.0f ms against "
		    "a baseline of %.0f ms (x%.1f, robust z %.1f, %llu "
		    "samples); p99 %.0f ms, max %.0f ms.",
		    s->name, service_window_name(win), w.p95, b->mean,
		    w.p95 / b->mean, z, (unsigned long long)w.lat_n, w.p99,
		    w.max);
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
		struct sr_snap_win h = s->win[SR_WIN_1H];
		double usual = s->base_gap_ms.mean, gap, limit, span;
		char gs[64], us[64];
		struct sr_finding *f;

		if ((double)s->events < p->min_samples ||
		    (double)s->base_gap_ms.n < p->min_samples)
			continue;
		gap = (double)(v->now_ms - s->last_seen_ms);
		/*
		 * The recent rate: the last hour's events over the part of
		 * the hour before the silence (the time the window covers
		 * is requests / req_per_s).  At night, or after a quiet
		 * spell, gaps are longer; the larger estimate wins.
		 */
		if (h.requests > 0 && h.req_per_s > 0) {
			span = (double)h.requests / h.req_per_s * 1000 - gap;
			if (span > 0 && span / (double)h.requests > usual)
				usual = span / (double)h.requests;
		}
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
		(void)snprintf(f->title, sizeof(f->title), "%s silent for %s",
		    s->name, gs);
		(void)snprintf(f->description, sizeof(f->description),
		    "No events from %s for %s; lately it logged one every %s "
		    "(%llu events seen).",
		    s->name, gs, us, (unsigned long long)s->events);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check that %s is running and that its log source is "
		    "still connected.",
		    s->name);
	}
}

const struct sr_rule sr_rule_error_rate = {
	.id = "error_rate",
	.summary = "share of failing requests per service",
	.category = SR_CAT_RELIABILITY,
	.defaults = { .enabled = 1,
	    .warn = 0.05,
	    .crit = 0.20,
	    .clear = 0.02,
	    .for_ms = 60000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 300000,
	    .min_samples = 30,
	    .factor = 5,
	    .min_change = 0.02 },
	.eval = rule_error_rate_eval,
};

const struct sr_rule sr_rule_latency = {
	.id = "latency",
	.summary = "p95 latency regression per service",
	.category = SR_CAT_RELIABILITY,
	.defaults = { .enabled = 1,
	    .warn = 4,
	    .crit = 8,
	    .clear = 2,
	    .for_ms = 120000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 60000,
	    .min_samples = 30,
	    .factor = 1.5,
	    .min_change = 50 },
	.eval = rule_latency_eval,
};

const struct sr_rule sr_rule_silence = {
	.id = "silence",
	.summary = "a service stopped sending events",
	.category = SR_CAT_RELIABILITY,
	.flags = SR_RULE_CHANGE_DURATION,
	.defaults = { .enabled = 1,
	    .warn = 0,
	    .crit = 0,
	    .clear = 0,
	    .for_ms = 0,
	    .keep_firing_for_ms = 0,
	    .window_ms = 0,
	    .min_samples = 30,
	    .factor = 13.8,
	    .min_change = 600000 },
	.eval = rule_silence_eval,
};
