/* SPDX-License-Identifier: MIT */
/*
 * rule_serving: what an LLM server's own figures say, per model, from
 * the llm.<server>.<model>.<field> series scrape sources fill (core/llm.h):
 *   kv_cache     KV-cache use stays high: its lowest value over the
 *                window (so one dip is not "sustained") against warn /
 *                crit / clear in percent;
 *   queue_growth requests waiting rise while those running stay flat
 *                (the server is at its batch limit): the waiting
 *                queue's growth in requests per minute (least-squares
 *                slope over the window) against the levels, once it
 *                rose at least min_change requests over the window and
 *                running moved by at most factor of its mean (or one
 *                request);
 *   preemptions  storms of preemptions (requests evicted from the KV
 *                cache and recomputed): the mean preemptions per minute
 *                over the window against the levels.
 * samples are the points in the window; a window needs min_samples of
 * them, or one per tick when the ticks are coarser (replays of stored
 * history: one a minute).  No I/O, no clock.
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/llm.h"
#include "core/series.h"

/* The latest value of a model's field (NAN when absent or stale). */
static double
serving_now(const struct sr_view *v, const char *model, enum sr_llm_field f)
{
	char name[300];

	(void)snprintf(name, sizeof(name), "llm.%s.%s", model,
	    sr_llm_field_name(f));
	return sr_view_metric(v, name);
}

/* "12 running, 40 waiting, KV cache 93 %, 2.0 preemptions/min". */
static void
serving_context(const struct sr_view *v, const char *model, char *out, size_t n)
{
	double run = serving_now(v, model, SR_LLM_RUNNING),
	       wait = serving_now(v, model, SR_LLM_WAITING),
	       kv = serving_now(v, model, SR_LLM_KV_PCT),
	       pre = serving_now(v, model, SR_LLM_PREEMPT);
	size_t k = 0;

	out[0] = '\0';
	if (!isnan(run))
		k += (size_t)snprintf(out + k, n - k, "%.0f running, ", run);
	if (!isnan(wait) && k < n)
		k += (size_t)snprintf(out + k, n - k, "%.0f waiting, ", wait);
	if (!isnan(kv) && k < n)
		k += (size_t)snprintf(out + k, n - k, "KV cache %.0f %%, ", kv);
	if (!isnan(pre) && k < n)
		k += (size_t)snprintf(out + k, n - k, "%.1f preemptions/min, ",
		    pre);
	if (k >= 2 && k < n)
		out[k - 2] = '\0'; /* the last ", " */
	else if (k >= n)
		out[n - 1] = '\0';
}

/* The window as words: "5 min", "90 s". */
static void
serving_window(const struct sr_rule_params *p, char *out, size_t n)
{
	sr_rule_fmt_duration((double)p->window_ms / 1000.0, out, n);
}

/*
 * A finding for model (the key "<server>.<model>": the subject) at value (severity, hold, excess and threshold from
 * p's levels), or NULL below the clear level; the rule writes its texts.
 */
static struct sr_finding *
serving_finding(const struct sr_rule_params *p, const char *model, double value,
    double samples, struct sr_findings *out)
{
	struct sr_finding lvl = { 0 }, *f;

	if (!sr_rule_level(p, value, &lvl))
		return NULL;
	f = sr_findings_add(out, "%s", model);
	f->severity = lvl.severity;
	f->hold = lvl.hold;
	f->excess = lvl.excess;
	f->threshold = lvl.threshold;
	f->value = value;
	f->baseline = NAN;
	f->samples = samples;
	return f;
}

/*
 * The points a window needs: min_samples, or one per tick of the window
 * when that is fewer (a replay over stored history ticks once a minute,
 * with one point a minute), at least one.
 */
static double
serving_need(const struct sr_view *v, const struct sr_rule_params *p)
{
	double ticks = v->interval_ms > 0
	    ? (double)p->window_ms / (double)v->interval_ms
	    : p->min_samples;

	return fmax(1.0, fmin(p->min_samples, floor(ticks)));
}

/*
 * The next model (from series index *i) whose field f has the points
 * serving_need() asks in the window: its name in model, their figures in
 * *st.  0 at the end.
 */
static int
serving_next(const struct sr_view *v, const struct sr_rule_params *p, size_t *i,
    enum sr_llm_field f, char *model, size_t n, struct sr_llm_stats *st)
{
	const struct sr_series *s;

	while ((s = sr_llm_next(v->series, i, f, model, n)) != NULL)
		if (sr_llm_stats(s, v->now_ms - p->window_ms, v->now_ms, st) >
			0 &&
		    (double)st->n >= serving_need(v, p))
			return 1;
	return 0;
}

/*
 * A rule on one field's window: the lowest value (use_min: sustained) or
 * the mean against the levels; text() writes the finding's texts.
 */
struct serving_win_rule {
	enum sr_llm_field field;
	int use_min;
	void (*text)(struct sr_finding *f, const char *model,
	    const struct sr_llm_stats *st, const char *win, const char *ctx);
};

static void
serving_win_eval(const struct serving_win_rule *w, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	char model[256], label[300], ctx[200], win[64];
	struct sr_llm_stats st;
	size_t i = 0;

	serving_window(p, win, sizeof(win));
	while (serving_next(v, p, &i, w->field, model, sizeof(model), &st)) {
		struct sr_finding *f = serving_finding(p, model,
		    w->use_min ? st.min : st.mean, (double)st.n, out);

		if (f == NULL)
			continue;
		serving_context(v, model, ctx, sizeof(ctx));
		w->text(f, sr_llm_key_label(model, label, sizeof(label)), &st,
		    win, ctx);
	}
}

static void
kv_cache_text(struct sr_finding *f, const char *model,
    const struct sr_llm_stats *st, const char *win, const char *ctx)
{
	(void)snprintf(f->title, sizeof(f->title),
	    "%.120s: KV cache above %.0f %% for %s", model, st->min, win);
	(void)snprintf(f->description, sizeof(f->description),
	    "The KV cache of %s stayed at or above %.1f %% for the "
	    "last %s (mean %.1f %%, highest %.1f %%, %zu scrapes). "
	    "Now: %s. A full cache makes the server queue or preempt "
	    "requests.",
	    model, st->min, win, st->mean, st->max, st->n, ctx);
	(void)snprintf(f->recommendation, sizeof(f->recommendation),
	    "Lower the concurrent sequences or context length "
	    "(vLLM: --max-num-seqs, --max-model-len), give the "
	    "cache more GPU memory (--gpu-memory-utilization, tensor "
	    "parallel) or add a replica.");
}

static void
rule_kv_cache_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	static const struct serving_win_rule w = { SR_LLM_KV_PCT, 1,
		kv_cache_text };

	(void)r;
	serving_win_eval(&w, v, p, out);
}

static void
rule_queue_growth_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	const struct sr_series *s;
	char model[256], label[300], ctx[200], win[64];
	double window_s = (double)p->window_ms / 1000.0;
	size_t i = 0;

	(void)r;
	serving_window(p, win, sizeof(win));
	while ((s = sr_llm_next(v->series, &i, SR_LLM_WAITING, model,
		    sizeof(model))) != NULL) {
		const struct sr_series *run =
		    sr_llm_series(v->series, model, SR_LLM_RUNNING);
		double wslope, wnow, rslope, rnow, rise, moved;
		struct sr_llm_stats rs;
		struct sr_finding *f;
		size_t n;

		n = sr_series_trend(s, v->now_ms, p->window_ms, &wslope, &wnow);
		if ((double)n < serving_need(v, p) || n < 2 || isnan(wslope) ||
		    sr_series_trend(run, v->now_ms, p->window_ms, &rslope,
			&rnow) < 2 ||
		    isnan(rslope) ||
		    sr_llm_stats(run, v->now_ms - p->window_ms, v->now_ms,
			&rs) == 0)
			continue;
		rise = wslope * window_s;
		moved = fabs(rslope * window_s);
		if (rise < p->min_change ||
		    moved > fmax(1.0, p->factor * rs.mean))
			continue;
		f = serving_finding(p, model, wslope * 60.0, (double)n, out);
		if (f == NULL)
			continue;
		serving_context(v, model, ctx, sizeof(ctx));
		(void)sr_llm_key_label(model, label, sizeof(label));
		(void)snprintf(f->title, sizeof(f->title),
		    "%.120s: queue growing %.1f requests/min, running flat at "
		    "%.0f",
		    label, f->value, rs.mean);
		(void)snprintf(f->description, sizeof(f->description),
		    "Requests waiting for %s rose by about %.0f over the last "
		    "%s (%.1f a minute, fitted over %zu scrapes) while those "
		    "running stayed near %.0f (moved %.1f): the server is at "
		    "its batch limit and latency will grow. Now: %s.",
		    label, rise, win, f->value, n, rs.mean, moved, ctx);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Add a replica or shed load at the gateway; if the KV "
		    "cache has room, raise the batch limit (vLLM: "
		    "--max-num-seqs, --max-num-batched-tokens).");
	}
}

static void
preemptions_text(struct sr_finding *f, const char *model,
    const struct sr_llm_stats *st, const char *win, const char *ctx)
{
	(void)snprintf(f->title, sizeof(f->title),
	    "%.120s: %.1f preemptions/min", model, st->mean);
	(void)snprintf(f->description, sizeof(f->description),
	    "%s preempted %.1f requests a minute on average over the "
	    "last %s (up to %.1f, %zu scrapes): requests are evicted "
	    "from the KV cache and recomputed, which wastes GPU time "
	    "and adds latency. Now: %s.",
	    model, st->mean, win, st->max, st->n, ctx);
	(void)snprintf(f->recommendation, sizeof(f->recommendation),
	    "Give the KV cache more memory or admit fewer sequences "
	    "at once (vLLM: --gpu-memory-utilization, "
	    "--max-num-seqs); check for very long prompts.");
}

static void
rule_preemptions_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	static const struct serving_win_rule w = { SR_LLM_PREEMPT, 0,
		preemptions_text };

	(void)r;
	serving_win_eval(&w, v, p, out);
}

const struct sr_rule sr_rule_kv_cache = {
	.id = "kv_cache",
	.reads = "window",
	.summary = "KV-cache use sustained high per model (scraped)",
	.category = SR_CAT_CAPACITY,
	.defaults = { .enabled = 1,
	    .warn = 90,
	    .crit = 98,
	    .clear = 85,
	    .for_ms = 60000,
	    .keep_firing_for_ms = 60000,
	    .window_ms = 60000,
	    .min_samples = 3 },
	.eval = rule_kv_cache_eval,
};

const struct sr_rule sr_rule_queue_growth = {
	.id = "queue_growth",
	.reads = "window factor min_change",
	.summary = "waiting requests rising while running is flat (scraped)",
	.category = SR_CAT_CAPACITY,
	.defaults = { .enabled = 1,
	    .warn = 2,
	    .crit = 10,
	    .clear = 1,
	    .for_ms = 60000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 300000,
	    .min_samples = 5,
	    .factor = 0.1,
	    .min_change = 5 },
	.eval = rule_queue_growth_eval,
};

const struct sr_rule sr_rule_preemptions = {
	.id = "preemptions",
	.reads = "window",
	.summary = "preemption storms per model (scraped)",
	.category = SR_CAT_PERFORMANCE,
	.defaults = { .enabled = 1,
	    .warn = 5,
	    .crit = 30,
	    .clear = 1,
	    .for_ms = 60000,
	    .keep_firing_for_ms = 120000,
	    .window_ms = 120000,
	    .min_samples = 2 },
	.eval = rule_preemptions_eval,
};
