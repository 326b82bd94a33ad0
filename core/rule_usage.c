/* SPDX-License-Identifier: MIT */
/*
 * rule_usage: traffic against its baseline (a spike or a drop), a new
 * heavy user, a new busy endpoint.  Informational: usage is news, not
 * necessarily a fault.
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
rule_traffic_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);
		const struct sr_baseline *b = &s->base_rps;
		struct sr_snap_win w;
		struct sr_finding *f;
		double z, ratio;
		int spike;

		/* half an hour of baseline and enough traffic to judge */
		if (b->n < 3 * SR_RULE_BASELINE_MIN ||
		    b->mean * 300 < p->min_samples)
			continue;
		w = s->win[SR_WIN_5M];
		z = sr_baseline_z(b, w.req_per_s);
		ratio = w.req_per_s / b->mean;
		spike = ratio >= p->factor && z >= p->warn;
		if (!spike && !(ratio <= 1 / p->factor && z <= -p->warn))
			continue;
		f = sr_findings_add(out, "%s", s->name);
		f->severity = SR_SEV_INFO;
		f->value = w.req_per_s;
		f->baseline = b->mean;
		f->threshold =
		    spike ? p->factor * b->mean : b->mean / p->factor;
		f->excess = fabs(z) >= p->crit
		    ? 1
		    : (fabs(z) - p->warn) / (p->crit - p->warn);
		f->samples = (double)w.requests;
		(void)snprintf(f->title, sizeof(f->title),
		    "%s traffic %s: %.1f req/s, usually %.1f", s->name,
		    spike ? "spike" : "drop", w.req_per_s, b->mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "%s receives %.1f req/s over the last 5 min, x%.2f its "
		    "baseline of %.1f req/s (robust z %.1f).",
		    s->name, w.req_per_s, ratio, b->mean, z);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    spike
			? "Check who sends the extra traffic (top users, "
			  "endpoints) and that capacity keeps up."
			: "Check upstream clients, load balancers and DNS: traffic "
			  "is not arriving.");
	}
}

static void
rule_heavy_user_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	struct sr_agg_user_top top[3];
	struct sr_snap_win w;
	size_t n;

	(void)r;
	if (v->agg == NULL)
		return;
	sr_agg_ring_counts(v->agg, NULL, SR_WIN_1H, &w);
	n = sr_agg_top_users(v->agg, top, 3);
	for (size_t i = 0; i < n; i++) {
		double share =
		    w.requests ? (double)top[i].events / (double)w.requests : 0;
		struct sr_finding *f;

		if ((double)top[i].events < p->min_samples || share < p->warn ||
		    top[i].first_seen_ms < v->now_ms - p->window_ms)
			continue;
		f = sr_findings_add(out, "%s", top[i].id);
		f->severity = SR_SEV_INFO;
		f->value = share;
		f->threshold = p->warn;
		f->excess = share;
		f->samples = (double)top[i].events;
		(void)snprintf(f->title, sizeof(f->title),
		    "New heavy user %s: %.0f %% of traffic", top[i].id,
		    100 * share);
		(void)snprintf(f->description, sizeof(f->description),
		    "User %s, first seen in the last hour, sent %llu of %llu "
		    "events (%.0f %%).",
		    top[i].id, (unsigned long long)top[i].events,
		    (unsigned long long)w.requests, 100 * share);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Check whether this is a legitimate client, a test or "
		    "abuse; consider a rate limit.");
	}
}

static void
rule_new_endpoint_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->agg == NULL)
		return;
	for (size_t i = 0; i < sr_agg_n_services(v->agg); i++) {
		const struct sr_agg_service *s = sr_agg_service_at(v->agg, i);

		for (size_t k = 0; k < s->n_endpoints; k++) {
			const struct sr_agg_endpoint *e = s->endpoints[k];
			struct sr_snap_win w;
			struct sr_finding *f;

			/* new: first seen recently, well after its service;
			 * "(other)" is the cardinality rule's */
			if (strcmp(e->name, SR_OTHER) == 0 ||
			    e->first_seen_ms < v->now_ms - p->window_ms ||
			    e->first_seen_ms - s->first_seen_ms < 600000)
				continue;
			sr_agg_ring_counts(v->agg, e->ring, SR_WIN_5M, &w);
			if ((double)w.requests < p->min_samples)
				continue;
			f = sr_findings_add(out, "%s %s", s->name, e->name);
			f->severity = SR_SEV_INFO;
			f->value = w.req_per_s;
			f->excess = 0.5;
			f->samples = (double)w.requests;
			(void)snprintf(f->title, sizeof(f->title),
			    "New busy endpoint %s on %s", e->name, s->name);
			(void)snprintf(f->description, sizeof(f->description),
			    "%s %s appeared recently and served %llu requests "
			    "in the last 5 min (%.1f req/s).",
			    s->name, e->name, (unsigned long long)w.requests,
			    w.req_per_s);
			(void)snprintf(f->recommendation,
			    sizeof(f->recommendation),
			    "Confirm the endpoint is expected (a release, a "
			    "new client) and monitored.");
		}
	}
}

const struct sr_rule sr_rule_traffic = {
	.id = "traffic",
	.reads = "factor",
	.summary = "traffic spike or drop against baseline",
	.category = SR_CAT_USAGE,
	.defaults = { .enabled = 1,
	    .warn = 4,
	    .crit = 8,
	    .clear = 2,
	    .for_ms = 300000,
	    .keep_firing_for_ms = 300000,
	    .window_ms = 300000,
	    .min_samples = 100,
	    .factor = 3 },
	.eval = rule_traffic_eval,
};

const struct sr_rule sr_rule_heavy_user = {
	.id = "heavy_user",
	.reads = "window",
	.summary = "a new user sending much of the traffic",
	.category = SR_CAT_USAGE,
	.defaults = { .enabled = 1,
	    .warn = 0.5,
	    .crit = 1,
	    .clear = 0.3,
	    .for_ms = 300000,
	    .keep_firing_for_ms = 300000,
	    .window_ms = 3600000,
	    .min_samples = 500 },
	.eval = rule_heavy_user_eval,
};

const struct sr_rule sr_rule_new_endpoint = {
	.id = "new_endpoint",
	.reads = "window",
	.summary = "a new endpoint with real traffic",
	.category = SR_CAT_USAGE,
	.defaults = { .enabled = 1,
	    .for_ms = 60000,
	    .keep_firing_for_ms = 300000,
	    .window_ms = 3600000,
	    .min_samples = 100 },
	.eval = rule_new_endpoint_eval,
};
