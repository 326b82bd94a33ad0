/* SPDX-License-Identifier: MIT */
/*
 * rule_cardinality: a [limits] cap is folding events into "(other)".
 * One finding per service whose endpoints overflowed (subject: the
 * service), one when services overflowed and one when models did, each
 * with the requests folded over `window`, their share of the traffic,
 * the cap and the config key that raises it.
 */
#include "core/rules.h"

#include <stdio.h>
#include <string.h>

/* Requests of a ring over the rule's window (5 min or 1 h). */
static uint64_t
card_requests(const struct sr_agg *a, const struct sr_agg_ring *r,
    const struct sr_rule_params *p)
{
	return sr_agg_ring_requests(a, r,
	    p->window_ms <= 300000 ? SR_WIN_5M : SR_WIN_1H);
}

static void
card_finding(struct sr_findings *out, const struct sr_rule_params *p,
    const char *subject, const char *what, const char *key, int64_t cap,
    uint64_t folded, uint64_t total, size_t kept)
{
	struct sr_finding *f = sr_findings_add(out, "%s", subject);
	double share = total ? 100.0 * (double)folded / (double)total : 0;
	const char *win = p->window_ms <= 300000 ? "5 min" : "hour";

	f->severity = SR_SEV_WARN;
	f->value = (double)folded;
	f->threshold = p->min_samples;
	f->samples = (double)folded;
	f->excess = 0.5;
	(void)snprintf(f->title, sizeof(f->title),
	    "%s over the cap: %llu requests in \"%s\"", what,
	    (unsigned long long)folded, SR_OTHER);
	(void)snprintf(f->description, sizeof(f->description),
	    "%s: %zu kept, the cap ([limits] %s) is %lld; %llu of the last "
	    "%s's %llu requests (%.1f %%) went to the one \"%s\" series, "
	    "so their figures are not broken down.",
	    what, kept, key, (long long)cap, (unsigned long long)folded, win,
	    (unsigned long long)total, share, SR_OTHER);
	(void)snprintf(f->recommendation, sizeof(f->recommendation),
	    "Check that the names template well (ids, UUIDs and tokens in "
	    "paths become :id, :uuid, :token; sitrep parse shows the "
	    "endpoint), or raise [limits] %s.",
	    key);
}

static void
rule_cardinality_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	const struct sr_limits *lim;
	struct sr_agg_service *os;
	uint64_t total = 0;

	(void)r;
	if (v->agg == NULL)
		return;
	lim = sr_agg_limits(v->agg);
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		uint64_t n = card_requests(v->agg, s->ring, p);
		char what[140];

		total += n;
		for (size_t k = 0; k < s->n_endpoints; k++) {
			uint64_t o;

			if (strcmp(s->endpoints[k]->name, SR_OTHER) != 0)
				continue;
			o = card_requests(v->agg, s->endpoints[k]->ring, p);
			if ((double)o < p->min_samples || o == 0)
				break;
			(void)snprintf(what, sizeof(what),
			    "Endpoints of %.100s", s->name);
			card_finding(out, p, s->name, what,
			    "endpoints_per_service", lim->endpoints_per_service,
			    o, n, s->n_endpoints - 1);
			break;
		}
	}
	os = sr_agg_service(v->agg, SR_OTHER);
	if (os != NULL) {
		uint64_t o = card_requests(v->agg, os->ring, p);

		if ((double)o >= p->min_samples && o > 0)
			card_finding(out, p, "services", "Services", "services",
			    lim->services, o, total,
			    sr_agg_n_services(v->agg) - 1);
	}
	total = 0;
	for (size_t i = 0; i < sr_agg_n_models(v->agg); i++)
		total +=
		    card_requests(v->agg, sr_agg_model_at(v->agg, i)->ring, p);
	for (size_t i = 0; i < sr_agg_n_models(v->agg); i++) {
		struct sr_agg_model *m = sr_agg_model_at(v->agg, i);
		uint64_t o;

		if (strcmp(m->name, SR_OTHER) != 0)
			continue;
		o = card_requests(v->agg, m->ring, p);
		if ((double)o >= p->min_samples && o > 0)
			card_finding(out, p, "models", "Models", "models",
			    lim->models, o, total, sr_agg_n_models(v->agg) - 1);
	}
}

const struct sr_rule sr_rule_cardinality = {
	.id = "cardinality",
	.reads = "window",
	.summary = "a [limits] cap folds names into \"(other)\"",
	.category = SR_CAT_USAGE,
	.defaults = { .enabled = 1,
	    .for_ms = 0,
	    .keep_firing_for_ms = 600000,
	    .window_ms = 3600000,
	    .min_samples = 1 },
	.eval = rule_cardinality_eval,
};
