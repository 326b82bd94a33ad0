/* SPDX-License-Identifier: MIT */
/*
 * insight: the rule registry and the insight lifecycle.
 *
 * A rule (core/rule_*.c) is a pure function of a view (struct sr_view:
 * the clock, metric series, live aggregates, top processes) that writes
 * findings: a subject, the severity it wants now (or "hold": past the
 * clear level but below warn), the numbers and the text.  It does no I/O
 * and reads no clock.
 *
 * The engine (struct sr_insights) owns the lifecycle once, for every
 * rule: a finding opens a PENDING insight; after the rule's `for` it is
 * FIRING; it stays firing while findings (or holds) keep coming and for
 * keep_firing_for after the last one, then it is RESOLVED.  A pending
 * insight whose condition goes away is dropped.  Findings of one rule
 * for one subject are merged keeping the worst severity, so a critical
 * inhibits the warning (one id = "rule:subject").  Firing again after a
 * resolve reuses the id and adds one to its count.
 *
 * Confidence (0..1) = 0.4 * E + 0.3 * S + 0.3 * D, where E is how far
 * the value is past its threshold (0 at warn, 1 at crit or beyond; for
 * baseline rules the same on the z score or ratio), S = min(1, samples /
 * (4 * min_samples)) the amount of data behind it, and D = min(1, time
 * the condition has held / (2 * max(for, interval))).
 */
#ifndef SR_CORE_INSIGHT_H
#define SR_CORE_INSIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/config.h"
#include "core/series.h"
#include "core/snapshot.h"
#include "core/store.h"

/* What a rule sees.  Everything is borrowed for the call. */
struct sr_view {
	int64_t now_ms;
	int64_t interval_ms;
	const struct sr_series_set *series; /* may be NULL */
	const struct sr_agg *agg;	    /* may be NULL */
	const struct sr_snap_proc *procs_cpu;
	size_t n_procs_cpu;
	const struct sr_snap_proc *procs_mem;
	size_t n_procs_mem;
	int ncpu;	  /* 0 unknown */
	int64_t stale_ms; /* metric too old */
};

/* Latest value of a metric, NAN when absent or older than stale_ms. */
double sr_view_metric(const struct sr_view *v, const char *name);
const struct sr_series *
sr_view_series(const struct sr_view *v, const char *name);

struct sr_finding {
	char subject[96];
	enum sr_severity severity;
	int hold; /* past clear, below warn */
	double value;
	double threshold;
	double baseline; /* NAN when none */
	double excess;	 /* E of the confidence, 0..1 */
	double samples;
	char title[256];
	char description[1024];
	char recommendation[300];
};

struct sr_findings {
	struct sr_finding *v;
	size_t n, cap;
};

/* A new zeroed finding (subject formatted) appended to out. */
struct sr_finding *sr_findings_add(struct sr_findings *out,
    const char *subject_fmt, ...) __attribute__((format(printf, 2, 3)));

enum sr_rule_flags {
	SR_RULE_DURATION_LEVELS = 1 << 0, /* warn/crit/clear: durations */
	SR_RULE_CHANGE_DURATION = 1 << 1, /* min_change: a duration */
};

/* The series a rule's insight is charted with (the console's drill-down). */
enum sr_rule_series {
	SR_RULE_SERIES_DEFAULT, /* unset: the subject service's req/s */
	SR_RULE_SERIES_RPS,	/* the subject service's req/s */
	SR_RULE_SERIES_5XX,	/* the subject service's 5xx share */
	SR_RULE_SERIES_P95,	/* the subject service's p95 latency */
	SR_RULE_SERIES_KPI,	/* a host KPI, whatever the subject */
};

struct sr_rule_chart {
	enum sr_rule_series series;
	enum sr_kpi_id kpi; /* with SR_RULE_SERIES_KPI */
	const char *unit;   /* "%", "ms", "/s"; KPI: NULL, the KPI's */
	double scale;	    /* shown = series value x scale */
	const char *label;  /* "5xx % of": the service name follows */
};

struct sr_rule {
	const char *id; /* config, JSON, man page */
	const char *summary;
	enum sr_category category;
	unsigned flags; /* enum sr_rule_flags */
	struct sr_rule_params defaults;
	struct sr_rule_chart chart; /* what the drill-down chart shows */
	/*
	 * The optional fields of its params it reads, space-separated
	 * ("window factor min_change"); NULL: none.  Every rule reads
	 * enabled, warn, crit, clear, for, keep_firing_for and min_samples
	 * (the engine does); the config refuses the others for this rule.
	 */
	const char *reads;
	void (*eval)(const struct sr_rule *r, const struct sr_view *v,
	    const struct sr_rule_params *p, struct sr_findings *out);
};

/* 1 when rule r names field in its .reads. */
int sr_rule_reads(const struct sr_rule *r, const char *field);

/* The registry, NULL-terminated, in the order of sr_config.rules[]. */
extern const struct sr_rule *const sr_rules[];
size_t sr_rules_count(void);
/* Index of a rule by id, or -1. */
int sr_rule_index(const char *id);
/*
 * The chart of rule id: its own, or the subject service's req/s for a
 * rule that declares none (and an unknown id).  Never NULL; static.
 */
const struct sr_rule_chart *sr_rule_chart_of(const char *id);

/*
 * Level helper for "higher is worse" rules: fills severity, hold,
 * threshold and excess of f from value and p.  Returns 0 when the value
 * is below the clear level (no finding should be written), else 1.
 */
int sr_rule_level(const struct sr_rule_params *p, double value,
    struct sr_finding *f);

/* Format a duration in words: "3 h 20 min", "45 s". */
void sr_rule_fmt_duration(double seconds, char *out, size_t outlen);
/* Format bytes: "1.2 GB". */
void sr_rule_fmt_bytes(double bytes, char *out, size_t outlen);

/* ---- lifecycle ---- */

struct sr_insights;

/* cfg borrowed for the life of the set. */
struct sr_insights *sr_insights_new(const struct sr_config *cfg);
void sr_insights_free(struct sr_insights *ins);

typedef void
sr_insight_transition_fn(void *ctx, const struct sr_snap_insight *ins,
    enum sr_insight_state from, int64_t now_ms);

/*
 * Evaluate every enabled rule over v and advance every insight; fn is
 * called for each transition (new pending excluded: pending -> firing,
 * firing escalation (from == FIRING), firing -> resolved).  Returns the
 * number of transitions.
 */
int sr_insights_eval(struct sr_insights *ins, const struct sr_view *v,
    sr_insight_transition_fn *fn, void *ctx);

/* Insights held now (pending, firing, resolved recently). */
size_t sr_insights_count(const struct sr_insights *ins);
/* Insight i as a snapshot row; strings and history borrowed until the
 * next eval. */
void sr_insights_get(const struct sr_insights *ins, size_t i,
    struct sr_snap_insight *out);

/*
 * Persistence, through the store's insights / insight_history tables.
 * save writes one insight's row and, when from != state, a history row.
 * restore reloads firing and recently resolved insights.  0 or -1.
 */
int sr_insights_save(struct sr_store *st, const struct sr_snap_insight *in,
    int history, struct sr_err *err);
int sr_insights_restore(struct sr_insights *ins, struct sr_store *st,
    int64_t now_ms, struct sr_err *err);

/*
 * Replay the rules over stored history: the store's per-minute rollups
 * (ev_minute, error_minute, samples_1m) in [from_ms, to_ms) are folded
 * into a fresh aggregate and series one minute at a time, and the rules
 * are evaluated at 1-minute ticks with the same code as live.  *out gets
 * the resulting insights (free with sr_insights_free); resolved ones are
 * kept for the whole range.  cfg is borrowed for as long as *out lives.
 * to_ms == 0 means "just past the newest stored minute".  0 or -1.
 */
int sr_insights_replay(struct sr_store *st, const struct sr_config *cfg,
    int64_t from_ms, int64_t to_ms, struct sr_insights **out,
    struct sr_err *err);

/* The newest minute stored in ev_minute or samples_1m, or 0. */
int64_t sr_insights_newest_minute(struct sr_store *st);

#endif
