/* SPDX-License-Identifier: MIT */
/*
 * rule_errors: recurring error patterns.  Messages are grouped by
 * template (core/template.h) in the aggregates; a template seen `warn`
 * times in the last hour is a finding, `crit` times critical, when it
 * is new or growing; a steady one is reported as info.
 */
#include "core/rules.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

static void
rule_error_pattern_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_templates(v->agg); i++) {
		const struct sr_agg_template *t = sr_agg_template_at(v->agg, i);
		uint64_t n = sr_agg_template_count_1h(v->agg, t);
		struct sr_finding tmp, *f;
		char svcs[200], first[32], last[32];
		size_t at = 0;

		double hours, avg;
		int news, growing;

		memset(&tmp, 0, sizeof(tmp));
		if (!sr_rule_level(p, (double)n, &tmp))
			continue;
		/*
		 * Steady background errors are news only once: a pattern
		 * warns when it is new (first seen an hour or more into
		 * the run) or growing (its last hour `factor` times its
		 * usual hourly count); otherwise it is listed as info.
		 */
		hours =
		    (double)(t->last_seen_ms - t->first_seen_ms) / 3600000.0;
		avg = (double)t->count / (hours > 1 ? hours : 1);
		news = t->first_seen_ms - sr_agg_start(v->agg) >= 3600000 &&
		    t->first_seen_ms >= v->now_ms - 3600000;
		growing = hours >= 2 && (double)n >= p->factor * avg;
		if (!news && !growing) {
			tmp.severity = SR_SEV_INFO;
			tmp.excess = 0;
		}
		svcs[0] = '\0';
		for (size_t k = 0; k < t->n_services && at < sizeof(svcs);
		     k++) {
			int w = snprintf(svcs + at, sizeof(svcs) - at, "%s%s",
			    k ? ", " : "", t->services[k]);

			if (w < 0)
				break;
			at += (size_t)w;
		}
		sr_time_format_iso(t->first_seen_ms, first, sizeof(first));
		sr_time_format_iso(t->last_seen_ms, last, sizeof(last));
		/* subject: the template itself, cut to fit */
		f = sr_findings_add(out, "%.90s", t->tpl);
		f->severity = tmp.severity;
		f->hold = tmp.hold;
		f->excess = tmp.excess;
		f->value = (double)n;
		f->threshold = tmp.threshold;
		f->samples = (double)n;
		(void)snprintf(f->title, sizeof(f->title),
		    "Recurring error (%llu in 1 h): %.100s",
		    (unsigned long long)n, t->tpl);
		(void)snprintf(f->description, sizeof(f->description),
		    "\"%.200s\" seen %llu times in the last hour (%llu in "
		    "all), first %s, last %s, in %s. Latest: %.150s",
		    t->tpl, (unsigned long long)n, (unsigned long long)t->count,
		    first, last, t->n_services ? svcs : "no named service",
		    t->example ? t->example : "");
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Fix the cause of this error once: it repeats. Start "
		    "with %s.",
		    t->n_services ? t->services[0] : "its source");
	}
}

const struct sr_rule sr_rule_error_pattern = {
	.id = "error_pattern",
	.reads = "factor",
	.summary = "an error message that keeps coming",
	.category = SR_CAT_ERRORS,
	.defaults = { .enabled = 1,
	    .warn = 20,
	    .crit = 200,
	    .clear = 5,
	    .for_ms = 0,
	    .keep_firing_for_ms = 600000,
	    .window_ms = 3600000,
	    .min_samples = 20,
	    .factor = 3 },
	.eval = rule_error_pattern_eval,
};
