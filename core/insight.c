/* SPDX-License-Identifier: MIT */
/*
 * insight: findings -> insights.  One array of insights, each keyed by
 * "rule:subject"; the lifecycle is advanced once per evaluation.
 * Persistence writes the store's insights / insight_history tables with
 * plain SQL on the store's connection.
 */
#include "core/insight.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct insight {
	char *id;
	int rule; /* index in sr_rules */
	char *subject;
	enum sr_severity severity;
	enum sr_insight_state state;
	enum sr_insight_state prev_state; /* before a re-pending */
	int seen;			  /* finding this eval */
	double confidence;
	char *title, *description, *recommendation;
	int64_t first_seen_ms, last_seen_ms, since_ms;
	int64_t pending_ms;
	uint64_t count;
	double value, threshold, baseline;
	struct sr_snap_transition hist[SR_INSIGHT_HISTORY];
	size_t n_hist;
};

struct sr_insights {
	const struct sr_config *cfg;
	struct sr_config *owned_cfg; /* replay's shallow copy */
	struct insight **v;
	size_t n;
	struct sr_findings f;
};

/* ---- view, findings, helpers ---- */

const struct sr_series *
sr_view_series(const struct sr_view *v, const char *name)
{
	return v->series ? sr_series_set_get(v->series, name) : NULL;
}

double
sr_view_metric(const struct sr_view *v, const char *name)
{
	const struct sr_series *s = sr_view_series(v, name);
	int64_t stale = v->stale_ms > 0 ? v->stale_ms : 120000;

	if (s == NULL || sr_series_len(s) == 0)
		return NAN;
	if (v->now_ms - sr_series_ts_at(s, 0) > stale)
		return NAN;
	return sr_series_at(s, 0);
}

struct sr_finding *
sr_findings_add(struct sr_findings *out, const char *fmt, ...)
{
	struct sr_finding *f;
	va_list ap;

	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = sr_xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	f = &out->v[out->n++];
	memset(f, 0, sizeof(*f));
	va_start(ap, fmt);
	(void)vsnprintf(f->subject, sizeof(f->subject), fmt, ap);
	va_end(ap);
	f->baseline = NAN;
	f->threshold = NAN;
	f->value = NAN;
	return f;
}

size_t
sr_rules_count(void)
{
	size_t n = 0;

	while (sr_rules[n] != NULL)
		n++;
	return n;
}

int
sr_rule_index(const char *id)
{
	for (size_t i = 0; sr_rules[i] != NULL; i++)
		if (strcmp(sr_rules[i]->id, id) == 0)
			return (int)i;
	return -1;
}

int
sr_rule_level(const struct sr_rule_params *p, double value,
    struct sr_finding *f)
{
	double span;

	if (isnan(value) || value < p->clear)
		return 0;
	f->value = value;
	if (value >= p->crit) {
		f->severity = SR_SEV_CRIT;
		f->threshold = p->crit;
	} else if (value >= p->warn) {
		f->severity = SR_SEV_WARN;
		f->threshold = p->warn;
	} else {
		f->severity = SR_SEV_WARN;
		f->threshold = p->warn;
		f->hold = 1;
	}
	span = p->crit - p->warn;
	f->excess = span > 0 ? (value - p->warn) / span : 1;
	if (f->excess < 0)
		f->excess = 0;
	if (f->excess > 1)
		f->excess = 1;
	return 1;
}

void
sr_rule_fmt_duration(double s, char *out, size_t len)
{
	if (isnan(s) || s < 0)
		(void)snprintf(out, len, "unknown time");
	else if (s < 90)
		(void)snprintf(out, len, "%.0f s", s);
	else if (s < 3600)
		(void)snprintf(out, len, "%.0f min", s / 60);
	else if (s < 86400 * 2)
		(void)snprintf(out, len, "%d h %d min", (int)(s / 3600),
		    (int)fmod(s / 60, 60));
	else
		(void)snprintf(out, len, "%.1f days", s / 86400);
}

void
sr_rule_fmt_bytes(double b, char *out, size_t len)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB",
		"PB" };
	int u = 0;
	double a = fabs(b);

	while (a >= 1000 && u < 5) {
		a /= 1000;
		b /= 1000;
		u++;
	}
	(void)snprintf(out, len, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
}

/* ---- lifecycle ---- */

struct sr_insights *
sr_insights_new(const struct sr_config *cfg)
{
	struct sr_insights *ins = sr_xcalloc(1, sizeof(*ins));

	ins->cfg = cfg;
	return ins;
}

static void
insight_free(struct insight *in)
{
	free(in->id);
	free(in->subject);
	free(in->title);
	free(in->description);
	free(in->recommendation);
	free(in);
}

void
sr_insights_free(struct sr_insights *ins)
{
	if (ins == NULL)
		return;
	for (size_t i = 0; i < ins->n; i++)
		insight_free(ins->v[i]);
	free(ins->v);
	free(ins->f.v);
	free(ins->owned_cfg);
	free(ins);
}

static struct insight *
insight_find(struct sr_insights *ins, const char *id)
{
	for (size_t i = 0; i < ins->n; i++)
		if (strcmp(ins->v[i]->id, id) == 0)
			return ins->v[i];
	return NULL;
}

static void
insight_record(struct insight *in, int64_t now_ms)
{
	struct sr_snap_transition *t;

	if (in->n_hist == SR_INSIGHT_HISTORY) {
		memmove(in->hist, in->hist + 1,
		    (SR_INSIGHT_HISTORY - 1) * sizeof(in->hist[0]));
		in->n_hist--;
	}
	t = &in->hist[in->n_hist++];
	t->ts_ms = now_ms;
	t->state = in->state;
	t->severity = in->severity;
	t->value = in->value;
}

static void
set_str(char **dst, const char *s)
{
	if (*dst != NULL && strcmp(*dst, s) == 0)
		return;
	free(*dst);
	*dst = sr_xstrdup(s);
}

static double
confidence(const struct sr_rule_params *p, const struct sr_finding *f,
    int64_t held_ms, int64_t interval_ms)
{
	double s, d,
	    fr = (double)(p->for_ms > interval_ms ? p->for_ms : interval_ms);

	s = p->min_samples > 0 ? f->samples / (4 * p->min_samples) : 1;
	if (s > 1)
		s = 1;
	if (s < 0 || isnan(s))
		s = 0;
	d = fr > 0 ? (double)held_ms / (2 * fr) : 1;
	if (d > 1)
		d = 1;
	if (d < 0)
		d = 0;
	return round((0.4 * f->excess + 0.3 * s + 0.3 * d) * 100) / 100;
}

static void
insight_update(struct insight *in, const struct sr_finding *f)
{
	set_str(&in->title, f->title);
	set_str(&in->description, f->description);
	set_str(&in->recommendation, f->recommendation);
	in->value = f->value;
	in->threshold = f->threshold;
	in->baseline = f->baseline;
}

/* Merge findings of one rule by subject, keeping the worst. */
static void
findings_merge(struct sr_findings *f, size_t from)
{
	for (size_t i = from; i < f->n; i++) {
		for (size_t k = from; k < i; k++) {
			struct sr_finding *a = &f->v[k], *b = &f->v[i];
			int worse;

			if (strcmp(a->subject, b->subject) != 0)
				continue;
			worse = (!b->hold && a->hold) ||
			    (b->hold == a->hold && b->severity > a->severity);
			if (worse)
				*a = *b;
			f->v[i] = f->v[f->n - 1];
			f->n--;
			i--;
			break;
		}
	}
}

static void
emit(sr_insight_transition_fn *fn, void *ctx, const struct sr_insights *ins,
    size_t idx, enum sr_insight_state from, int64_t now_ms, int *count)
{
	struct sr_snap_insight si;

	(*count)++;
	if (fn == NULL)
		return;
	sr_insights_get(ins, idx, &si);
	fn(ctx, &si, from, now_ms);
}

/* Advance (or open) the insight of one finding of rule r. */
static void
insight_finding(struct sr_insights *ins, size_t r, const struct sr_finding *f,
    const struct sr_view *v, sr_insight_transition_fn *fn, void *ctx,
    int *count)
{
	const struct sr_rule_params *p = &ins->cfg->rules[r];
	char *id = sr_xasprintf("%s:%s", sr_rules[r]->id, f->subject);
	struct insight *in = insight_find(ins, id);
	int64_t now = v->now_ms;
	size_t idx;

	if (in == NULL) {
		if (f->hold) {
			free(id);
			return;
		}
		in = sr_xcalloc(1, sizeof(*in));
		in->id = id;
		id = NULL;
		in->rule = (int)r;
		in->subject = sr_xstrdup(f->subject);
		in->state = SR_INS_PENDING;
		in->prev_state = SR_INS_PENDING;
		in->first_seen_ms = now;
		in->pending_ms = now;
		in->since_ms = now;
		in->severity = f->severity;
		ins->v = sr_xrealloc(ins->v, (ins->n + 1) * sizeof(*ins->v));
		ins->v[ins->n++] = in;
		insight_update(in, f); /* the history row gets its value */
		insight_record(in, now);
	}
	free(id);
	for (idx = 0; ins->v[idx] != in; idx++)
		;
	in->seen = 1;
	if (in->state == SR_INS_RESOLVED) {
		if (f->hold)
			return;
		in->prev_state = SR_INS_RESOLVED;
		in->state = SR_INS_PENDING;
		in->pending_ms = now;
		in->severity = f->severity;
		insight_update(in, f);
		insight_record(in, now);
	}
	in->last_seen_ms = now;
	insight_update(in, f);
	if (in->state == SR_INS_PENDING) {
		if (f->hold) {
			in->seen = 0; /* a hold does not keep a pending */
			return;
		}
		in->severity = f->severity;
		in->confidence =
		    confidence(p, f, now - in->pending_ms, v->interval_ms);
		if (now - in->pending_ms >= p->for_ms) {
			in->state = SR_INS_FIRING;
			in->since_ms = now;
			in->count++;
			insight_record(in, now);
			emit(fn, ctx, ins, idx, SR_INS_PENDING, now, count);
		}
		return;
	}
	/* firing */
	in->confidence = confidence(p, f, now - in->pending_ms, v->interval_ms);
	if (!f->hold && f->severity != in->severity) {
		enum sr_severity old = in->severity;

		in->severity = f->severity;
		insight_record(in, now);
		if (f->severity > old)
			emit(fn, ctx, ins, idx, SR_INS_FIRING, now, count);
	}
}

int
sr_insights_eval(struct sr_insights *ins, const struct sr_view *v,
    sr_insight_transition_fn *fn, void *ctx)
{
	size_t nr = sr_rules_count();
	int transitions = 0;
	int64_t now = v->now_ms;
	size_t k;

	for (size_t i = 0; i < ins->n; i++)
		ins->v[i]->seen = 0;
	for (size_t r = 0; r < nr; r++) {
		const struct sr_rule_params *p = &ins->cfg->rules[r];

		if (!p->enabled)
			continue;
		ins->f.n = 0;
		sr_rules[r]->eval(sr_rules[r], v, p, &ins->f);
		findings_merge(&ins->f, 0);
		for (size_t i = 0; i < ins->f.n; i++)
			insight_finding(ins, r, &ins->f.v[i], v, fn, ctx,
			    &transitions);
	}
	/* insights without a finding this time */
	for (size_t i = 0; i < ins->n; i++) {
		struct insight *in = ins->v[i];
		const struct sr_rule_params *p = &ins->cfg->rules[in->rule];

		if (in->seen)
			continue;
		if (in->state == SR_INS_PENDING) {
			/* condition went away before `for`: drop it */
			in->state = in->prev_state;
			if (in->n_hist > 0)
				in->n_hist--;
		} else if (in->state == SR_INS_FIRING &&
		    now - in->last_seen_ms >= p->keep_firing_for_ms) {
			in->state = SR_INS_RESOLVED;
			in->since_ms = now;
			insight_record(in, now);
			emit(fn, ctx, ins, i, SR_INS_FIRING, now, &transitions);
		}
	}
	/* forget dropped pendings and old resolved ones */
	k = 0;
	for (size_t i = 0; i < ins->n; i++) {
		struct insight *in = ins->v[i];
		int drop = (in->state == SR_INS_PENDING && !in->seen &&
			       in->count == 0) ||
		    (in->state == SR_INS_RESOLVED &&
			now - in->since_ms >
			    ins->cfg->insights.resolved_keep_ms);

		if (drop)
			insight_free(in);
		else
			ins->v[k++] = in;
	}
	ins->n = k;
	return transitions;
}

size_t
sr_insights_count(const struct sr_insights *ins)
{
	return ins->n;
}

void
sr_insights_get(const struct sr_insights *ins, size_t i,
    struct sr_snap_insight *out)
{
	const struct insight *in = ins->v[i];

	memset(out, 0, sizeof(*out));
	out->id = in->id;
	out->rule = sr_rules[in->rule]->id;
	out->subject = in->subject;
	out->category = sr_rules[in->rule]->category;
	out->severity = in->severity;
	out->state = in->state;
	out->confidence = in->confidence;
	out->title = in->title ? in->title : "";
	out->description = in->description ? in->description : "";
	out->recommendation = in->recommendation ? in->recommendation : "";
	out->first_seen_ms = in->first_seen_ms;
	out->last_seen_ms = in->last_seen_ms;
	out->since_ms = in->since_ms;
	out->count = in->count;
	out->value = in->value;
	out->threshold = in->threshold;
	out->baseline = in->baseline;
	out->history = (struct sr_snap_transition *)in->hist;
	out->n_history = in->n_hist;
}

/* ---- persistence ---- */

int
sr_insights_save(struct sr_store *st, const struct sr_snap_insight *in,
    int history, struct sr_err *err)
{
	char *data;
	int rc;

	data = sr_xasprintf(
	    "{\"count\":%llu,\"since\":%lld,"
	    "\"value\":%.17g,\"threshold\":%.17g,\"baseline\":%.17g}",
	    (unsigned long long)in->count, (long long)in->since_ms,
	    isnan(in->value) ? 0 : in->value,
	    isnan(in->threshold) ? 0 : in->threshold,
	    isnan(in->baseline) ? 0 : in->baseline);
	rc = sr_store_put_insight(st, in->id, in->rule, in->subject,
	    sr_category_name(in->category), sr_severity_name(in->severity),
	    in->confidence, in->title, in->description, in->recommendation,
	    sr_insight_state_name(in->state), in->first_seen_ms,
	    in->last_seen_ms, data, err);
	free(data);
	if (rc == 0 && history)
		rc = sr_store_add_insight_history(st, in->id, in->since_ms,
		    sr_insight_state_name(in->state),
		    sr_severity_name(in->severity), in->value, in->title, err);
	return rc;
}

static double
json_num(const char *data, const char *key)
{
	char pat[32];
	const char *p;

	if (data == NULL)
		return NAN;
	(void)snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(data, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static char *
ins_dup(const char *t)
{
	return sr_xstrdup(t ? t : "");
}

struct restore {
	struct sr_insights *ins;
	int64_t now_ms;
};

static int
restore_one(void *ctx, const struct sr_store_insight *row)
{
	struct restore *rs = ctx;
	struct sr_insights *ins = rs->ins;
	int r = row->rule ? sr_rule_index(row->rule) : -1;
	int stv = row->state ? sr_insight_state_parse(row->state) : -1;
	struct insight *in;
	int sev;

	if (r < 0 || row->id == NULL || stv < 0 || insight_find(ins, row->id))
		return 0;
	/* a pending insight is not worth keeping over a restart */
	if (stv == SR_INS_PENDING)
		return 0;
	in = sr_xcalloc(1, sizeof(*in));
	in->id = sr_xstrdup(row->id);
	in->rule = r;
	in->subject = ins_dup(row->subject);
	sev = sr_severity_parse(row->severity ? row->severity : "");
	in->severity = sev < 0 ? SR_SEV_WARN : (enum sr_severity)sev;
	in->confidence = row->confidence;
	in->title = ins_dup(row->title);
	in->description = ins_dup(row->description);
	in->recommendation = ins_dup(row->recommendation);
	in->state = (enum sr_insight_state)stv;
	in->prev_state = in->state;
	in->first_seen_ms = row->first_seen_ms;
	in->last_seen_ms = row->last_seen_ms;
	/* a firing insight restored gets a fresh keep_firing_for */
	if (in->state == SR_INS_FIRING && in->last_seen_ms < rs->now_ms)
		in->last_seen_ms = rs->now_ms;
	in->pending_ms = in->first_seen_ms;
	in->count = (uint64_t)json_num(row->data_json, "count");
	in->since_ms = (int64_t)json_num(row->data_json, "since");
	in->value = json_num(row->data_json, "value");
	in->threshold = json_num(row->data_json, "threshold");
	in->baseline = json_num(row->data_json, "baseline");
	insight_record(in, in->since_ms);
	ins->v = sr_xrealloc(ins->v, (ins->n + 1) * sizeof(*ins->v));
	ins->v[ins->n++] = in;
	return 0;
}

int
sr_insights_restore(struct sr_insights *ins, struct sr_store *st,
    int64_t now_ms, struct sr_err *err)
{
	struct restore rs = { ins, now_ms };

	return sr_store_insights_open(st,
	    now_ms - ins->cfg->insights.resolved_keep_ms, restore_one, &rs,
	    err);
}

/* ---- replay over stored rollups ---- */

int64_t
sr_insights_newest_minute(struct sr_store *st)
{
	return sr_store_newest_minute(st);
}

struct replay {
	struct sr_insights *ins;
	struct sr_agg *agg;
	struct sr_series_set *ser;
	struct sr_view v;
};

static void
replay_minute(void *ctx, const struct sr_store_minute *m)
{
	struct replay *rp = ctx;
	struct sr_agg_minute x;

	memset(&x, 0, sizeof(x));
	x.minute_ms = m->minute_ms;
	x.service = m->service;
	x.endpoint = m->endpoint;
	x.model = m->model;
	x.requests = (uint64_t)m->requests;
	x.n_4xx = (uint64_t)m->status_4xx;
	x.n_5xx = (uint64_t)m->status_5xx;
	x.lat_n = (uint64_t)m->lat_n;
	x.lat_sum = m->lat_sum;
	x.lat_sketch = m->lat_sketch;
	x.lat_sketch_len = m->lat_sketch_len;
	x.tokens_in = (uint64_t)m->tokens_in;
	x.tokens_out = (uint64_t)m->tokens_out;
	x.gen_ms = m->gen_ms;
	x.ttft_sketch = m->ttft_sketch;
	x.ttft_sketch_len = m->ttft_sketch_len;
	sr_agg_add_minute(rp->agg, &x);
}

static void
replay_error(void *ctx, int64_t minute_ms, const char *service, const char *tpl,
    int64_t n)
{
	struct replay *rp = ctx;

	sr_agg_add_error(rp->agg, minute_ms + 30000, service, tpl, (uint64_t)n);
}

static void
replay_sample(void *ctx, int64_t ts_ms, const char *name, double avg)
{
	struct replay *rp = ctx;

	sr_series_set_push(rp->ser, name, NULL, ts_ms, avg);
}

static void
replay_tick(void *ctx, int64_t m)
{
	struct replay *rp = ctx;

	sr_agg_tick(rp->agg, m + 60000);
	rp->v.now_ms = m + 60000;
	(void)sr_insights_eval(rp->ins, &rp->v, NULL, NULL);
}

int
sr_insights_replay(struct sr_store *st, const struct sr_config *cfg,
    int64_t from_ms, int64_t to_ms, struct sr_insights **out,
    struct sr_err *err)
{
	static const struct sr_store_replay_ops ops = {
		.minute = replay_minute,
		.error = replay_error,
		.sample = replay_sample,
		.tick = replay_tick,
	};
	struct sr_config *local;
	struct replay rp;
	int rc;

	*out = NULL;
	if (to_ms == 0)
		to_ms = sr_insights_newest_minute(st) + 60000;
	from_ms -= from_ms % 60000;
	/* resolved insights stay for the whole range; the copy shares the
	 * original's strings and is never released */
	local = sr_xmalloc(sizeof(*local));
	*local = *cfg;
	local->insights.resolved_keep_ms = to_ms - from_ms + 3600000;
	memset(&rp, 0, sizeof(rp));
	rp.ins = sr_insights_new(local);
	rp.agg = sr_agg_new(from_ms, cfg->insights.active_session_ms,
	    cfg->insights.baseline_ms);
	sr_agg_set_limits(rp.agg, &cfg->limits);
	rp.ser = sr_series_set_new(SR_SERIES_CAP);
	sr_agg_tick(rp.agg, from_ms);
	rp.v.interval_ms = 60000;
	rp.v.series = rp.ser;
	rp.v.agg = rp.agg;
	rp.v.stale_ms = 180000;
	rc = sr_store_replay(st, from_ms, to_ms, &ops, &rp, err);
	sr_agg_free(rp.agg);
	sr_series_set_free(rp.ser);
	if (rc < 0) {
		sr_insights_free(rp.ins);
		free(local);
		return -1;
	}
	rp.ins->owned_cfg = local;
	*out = rp.ins;
	return 0;
}
