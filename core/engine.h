/* SPDX-License-Identifier: MIT */
/*
 * engine: the live core of sitrep.  It folds events into the aggregates
 * (core/agg.h) and samples into the series (core/series.h), evaluates the
 * insight rules once per tick, persists insight transitions, hands them
 * to actions, and publishes one immutable snapshot (core/snapshot.h) per
 * tick for the TUI and the web server.
 *
 * Threads: every function here runs on the main loop's thread, except
 * sr_engine_snapshot(), which any thread may call (a pointer swap under a
 * mutex).  The engine never blocks and does no I/O of its own except
 * through the store handle passed to sr_engine_tick() and the hooks.
 *
 * Typical loop (runtime/app.c):
 *	e = sr_engine_new(&cfg);
 *	sr_engine_restore(e, store, &err);	   reload stored insights
 *	sr_engine_backfill(e, store, now, &err);   KPI histories
 *	sr_actions_attach(e, &cfg, &err);	   actions/actions.h
 *	each event:   sr_engine_event(e, &ev);
 *	each sample:  sr_engine_sample(e, name, unit, ts, v) or
 *		      sr_engine_samples(e, &set);
 *	each tick:    sr_engine_procs(...); sr_engine_sources(...);
 *		      sr_engine_tick(e, sr_now_ms(), store);
 *		      snap = sr_engine_snapshot(e); ... sr_snapshot_unref(snap);
 */
#ifndef SR_CORE_ENGINE_H
#define SR_CORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/event.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "core/util.h"

struct sr_engine;
struct sr_metric_set;

/*
 * A new engine.  cfg is borrowed and must outlive the engine (the engine
 * keeps pointers to its rule params and strings).  The first snapshot
 * (before any tick) is sr_snapshot_empty()'s.
 */
struct sr_engine *sr_engine_new(const struct sr_config *cfg);

/* Free the engine and its hooks (hook->free); NULL does nothing. */
void sr_engine_free(struct sr_engine *e);

/*
 * Fold one event into the live aggregates and the recent-event list.
 * Strings are copied.  Events older than every window count as old
 * (totals.old_events) and only go to history (the store).
 */
void sr_engine_event(struct sr_engine *e, const struct sr_event *ev);

/* One system metric sample (name as in sitrep(1) METRICS). */
void sr_engine_sample(struct sr_engine *e, const char *name, const char *unit,
    int64_t ts_ms, double value);

/* Every metric of a collector's metric set (core/metric.h), at ts_ms. */
void sr_engine_samples(struct sr_engine *e, const struct sr_metric_set *set,
    int64_t ts_ms);

/*
 * Top processes for this tick (copied): by cpu and by memory, best
 * first.  The performance rules name them in their descriptions.
 */
void sr_engine_procs(struct sr_engine *e, const struct sr_snap_proc *by_cpu,
    size_t n_cpu, const struct sr_snap_proc *by_mem, size_t n_mem);

/* The same from the system collector's top lists (core/metric.h);
 * mem_pct is computed from the mem.total_bytes sample when present. */
struct sr_toplist;
void sr_engine_toplist(struct sr_engine *e, const struct sr_toplist *t);

/* Source states for this tick (copied, shown as snapshot.sources). */
void sr_engine_sources(struct sr_engine *e, const struct sr_snap_source *src,
    size_t n);

/* The store's health for this tick (copied, snapshot.store). */
void sr_engine_store(struct sr_engine *e, const struct sr_snap_store *st);

/* The OTLP exporter's state for this tick (copied, snapshot.otlp). */
void sr_engine_otlp(struct sr_engine *e, const struct sr_snap_otlp *st);

/* sitrep's own RSS (the engine measures its own cpu % itself). */
void sr_engine_self_rss(struct sr_engine *e, uint64_t rss_bytes);

/*
 * Reload insights stored by an earlier run (firing ones stay firing with
 * their first_seen, so a restart does not fire them again).  0 or -1.
 */
int
sr_engine_restore(struct sr_engine *e, struct sr_store *st, struct sr_err *err);

/*
 * Fill each KPI's tick history (the snapshot's kpi[].hist: tiles'
 * sparklines, the console's 1 and 5 minute charts) with the stored
 * "kpi.<id>" samples of the last SR_SNAP_HIST ticks before now_ms, one
 * value per tick (the average of its bucket, NAN where none), from the
 * first stored one on, so the charts are full from the first second.
 * Called once at start, before the first tick (a KPI that has ticks
 * already is left alone).  0, or -1 with detail in err.
 */
int sr_engine_backfill(struct sr_engine *e, struct sr_store *st, int64_t now_ms,
    struct sr_err *err);

/*
 * One tick at wall time now_ms: roll the windows, evaluate every enabled
 * rule, advance insight lifecycles, write transitions to st (may be
 * NULL), call the hooks, and publish a new snapshot.  Never blocks.
 * Returns the number of insight transitions this tick.
 */
int sr_engine_tick(struct sr_engine *e, int64_t now_ms, struct sr_store *st);

/*
 * The latest published snapshot with a new reference (any thread);
 * release it with sr_snapshot_unref().  Never NULL.
 */
struct sr_snapshot *sr_engine_snapshot(struct sr_engine *e);

/*
 * Hooks see every insight transition (actions/ use them).  transition()
 * gets the insight after the change and the state it left (a new
 * insight comes from SR_INS_PENDING); its strings are borrowed for the
 * call.  tick() runs at the end of every sr_engine_tick() (drive
 * non-blocking work there).  Both may be NULL.
 */
struct sr_engine_hook {
	const char *name;
	void (*transition)(void *self, const struct sr_snap_insight *ins,
	    enum sr_insight_state from, int64_t now_ms);
	void (*tick)(void *self, int64_t now_ms);
	void (*free)(void *self);
};

/* Takes ownership of self (freed with ops->free by sr_engine_free). */
void sr_engine_add_hook(struct sr_engine *e, const struct sr_engine_hook *ops,
    void *self);

#endif
