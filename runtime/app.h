/* SPDX-License-Identifier: MIT */
/*
 * app: the runtime shared by the console (`sitrep`, `sitrep tui`) and
 * the server (`sitrep serve`).  One struct sr_app, built in the command's
 * entry point, owns the config, the store, the engine, the system
 * collector, the event sources and the main loop (runtime/loop.h).
 *
 * Each tick (default 1 s, --interval), in this order: sample the system
 * (each metric goes to the engine and the store), evaluate insights
 * (events were folded as they arrived), store each KPI tile's value as
 * the sample "kpi.<id>" (so charts read long windows from the store's
 * rollups), flush the store batch, prune a
 * bounded slice of old data, publish the snapshot, then call the front
 * end's on_publish hook (the TUI draws, serve hands the snapshot to its
 * HTTP threads).  Between ticks the store batch is committed at least
 * every SR_APP_COMMIT_MS; events posted over HTTP, whose clients wait
 * for the commit, are committed on the wake-up that brought them.
 *
 * Event sources: stdin when it is not a terminal (or when asked), and
 * the --source and config sources, read by the source driver
 * (runtime/driver.h) a bounded amount per wake-up, so a flood cannot
 * starve the keyboard; when it ends its state becomes "ended"
 * (SR_SRC_ENDED in snapshot.sources) and the app keeps running.  Other threads hand events in with
 * sr_app_post_events() (bounded queue + the loop's wake pipe); a front end
 * may also watch its own fds with sr_loop_add_fd(sr_app_loop(app), ...).
 *
 * SIGINT and SIGTERM set a flag (the loop lets them in only while it
 * sleeps, see sr_loop_block_signals()); the loop then stops and the store
 * is flushed.  --ticks N stops after N ticks.
 *
 * Threads: everything here belongs to the thread that called
 * sr_app_new(), except the functions marked "thread-safe".
 */
#ifndef SR_RUNTIME_APP_H
#define SR_RUNTIME_APP_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

struct sr_app;
struct sr_loop;
struct sr_snapshot;
struct sr_store;
struct sr_engine;
struct sr_config;

enum sr_app_stdin {
	SR_APP_STDIN_AUTO, /* read stdin when it is not a terminal */
	SR_APP_STDIN_ON,
	SR_APP_STDIN_OFF,
};

#define SR_APP_INTERVAL_MS 1000	 /* default tick */
#define SR_APP_QUEUE_MAX 65536	 /* events waiting in the post queue */
#define SR_APP_STDIN_BUDGET 4096 /* events read from stdin per wake */
#define SR_APP_PRUNE_ROWS 2000	 /* rows pruned per table per tick */
/*
 * Events from sources are committed within this (SR_STORE_FLUSH_MS, 250
 * ms, for `sitrep ingest`): a commit costs a WAL write and the rollup
 * upserts of its batch, and nobody waits for these; posts commit at once.
 */
#define SR_APP_COMMIT_MS 1000

/*
 * The console's system samples are stored together once the oldest kept
 * is this old (sr_app_opts.sys_store_ms): ~120 series a tick each add a
 * row at a different place of the samples (name, ts) index, so storing
 * them every tick rewrote ~120 index pages into the WAL at each commit.
 */
#define SR_APP_SYS_STORE_MS 10000

struct sr_app_opts {
	const char *cmd;	    /* "tui", "serve": names messages */
	const char *db_path;	    /* NULL: sr_store_default_path() */
	const char *config_path;    /* NULL: the default (may be absent) */
	int64_t interval_ms;	    /* 0: config's, else 1000 */
	int64_t max_ticks;	    /* 0: until stopped */
	const char *const *sources; /* --source values (only "stdin" or
					   "-" are known so far) */
	int nsources;
	enum sr_app_stdin stdin_mode;
	unsigned store_flags; /* enum sr_store_flags */
	int no_system;	      /* do not sample this machine */
	/* this machine's samples are kept and stored together once the
	 * oldest is this old (a kill -9 loses them); 0: every tick */
	int64_t sys_store_ms;
	int replay_clock; /* tick at the newest event's time
					   (replaying an old log) */
	/* "stdin?format=F" when --format was given; NULL: "stdin" */
	const char *stdin_spec;
	/* --otlp-export URL: overrides [otlp] export_url; NULL: none */
	const char *otlp_export;
};

/* Fill o with the defaults above (everything NULL/0, AUTO stdin). */
void sr_app_opts_init(struct sr_app_opts *o);

/*
 * Build the app: read the config, open the store (creating it), create
 * the engine, the system collector and the sources, and the loop.
 * Returns NULL with err set ("cannot open database ...", "config line
 * 3: ...") on failure; nothing is left open then.
 */
struct sr_app *sr_app_new(const struct sr_app_opts *o, struct sr_err *err);

/* Flush and close everything (the store last); NULL does nothing. */
void sr_app_free(struct sr_app *app);

/*
 * Called on the loop thread after every publish with the new snapshot,
 * borrowed for the call (sr_snapshot_ref() it to keep it).  Set before
 * sr_app_run(); NULL removes it.
 */
typedef void sr_app_publish_fn(void *ctx, struct sr_snapshot *snap);
void sr_app_on_publish(struct sr_app *app, sr_app_publish_fn *fn, void *ctx);

/*
 * Called once per loop iteration, after fds, timers and the tick ran:
 * the place for the TUI to draw once per wake-up (wnoutrefresh + one
 * doupdate).  NULL removes it.
 */
typedef void sr_app_idle_fn(void *ctx);
void sr_app_on_idle(struct sr_app *app, sr_app_idle_fn *fn, void *ctx);

/* The main loop, to watch a front end's own fds and timers. */
struct sr_loop *sr_app_loop(struct sr_app *app);

/*
 * Run the loop until sr_app_stop(), a signal (SIGINT, SIGTERM) or
 * max_ticks; publishes a first snapshot at once.  Flushes the store
 * before returning.  Returns 0, or -1 with err set when the loop or the
 * store failed.
 */
int sr_app_run(struct sr_app *app, struct sr_err *err);

/* Make sr_app_run() return after the current iteration. */
void sr_app_stop(struct sr_app *app);

/*
 * Thread-safe: the latest published snapshot with a reference taken
 * (release it with sr_snapshot_unref()); before the first tick, the
 * engine's empty snapshot.  Never NULL.
 */
struct sr_snapshot *sr_app_snapshot_ref(struct sr_app *app);

/*
 * Thread-safe: copy n events into the loop's bounded queue as one post
 * and wake the loop, which stores them and feeds the engine as stdin
 * events are.  All or nothing: returns 0 with *ticket set (may be NULL),
 * or -1 with err set when fewer than n slots are free ("event queue
 * full") or the store is not ok ("store failing: ...", nothing is
 * queued then); an HTTP caller answers 503 with Retry-After.
 */
int sr_app_post_events(struct sr_app *app, const struct sr_event *evs, size_t n,
    uint64_t *ticket, struct sr_err *err);

/*
 * Called on the loop thread once per post ticket: committed 1 once the
 * commit holding every event of the post succeeded, 0 when it will not
 * be acknowledged (the store failed before: the events were not stored,
 * or are held and may still be stored; or sr_app_run() is ending).  An
 * HTTP front end answers the post then (web/server.h).  NULL removes it.
 */
typedef void sr_app_commit_fn(void *ctx, uint64_t ticket, int committed);
void sr_app_on_commit(struct sr_app *app, sr_app_commit_fn *fn, void *ctx);

/*
 * Where the app's own lines go (each store state change, once, with its
 * reason): by default stderr ("sitrep serve: store failing: ...").  The
 * console sets a hook so nothing is written over its screen.  The line
 * has no "sitrep CMD:" prefix and no newline; borrowed for the call.
 */
typedef void sr_app_log_fn(void *ctx, const char *line);
void sr_app_on_log(struct sr_app *app, sr_app_log_fn *fn, void *ctx);

/* Loop-thread accessors, borrowed for the app's lifetime. */
struct sr_store *sr_app_store(struct sr_app *app);
struct sr_engine *sr_app_engine(struct sr_app *app);
const struct sr_config *sr_app_config(const struct sr_app *app);
const char *sr_app_db_path(const struct sr_app *app); /* as opened */
int64_t sr_app_interval_ms(const struct sr_app *app);
uint64_t sr_app_ticks(const struct sr_app *app); /* published so far */
/*
 * Scan processes on every tick (a processes panel is shown) or at most
 * every 5 s (the default, cheaper).
 */
void sr_app_want_procs(struct sr_app *app, int every_tick);
/* Newest event time seen (UTC ms), 0 before any event. */
int64_t sr_app_newest_event_ms(const struct sr_app *app);
/*
 * The replay clock: when on, each tick runs at the newest event's time
 * instead of the wall clock, so an old log replayed fills the live
 * windows as it did then.  The TUI toggles it with a key.
 */
void sr_app_set_replay_clock(struct sr_app *app, int on);
int sr_app_replay_clock(const struct sr_app *app);
/* 1 once SIGINT or SIGTERM arrived (sr_app_run() then returns). */
int sr_app_signalled(const struct sr_app *app);
/*
 * The last store error (a commit or write that failed; the app keeps
 * going, holding what it could not write) and how many there were
 * (failed commits and writes); NULL when none.  The store's state, its
 * counts and what was dropped are in every snapshot (snapshot.store).
 */
const char *sr_app_store_error(const struct sr_app *app, uint64_t *count);
/*
 * Sources (stdin, "http" for posted events), their state, counts and
 * rejects, and sitrep's own CPU and RSS are in every snapshot
 * (snapshot.sources, self_cpu_pct, self_rss_bytes).
 */

/*
 * Open another handle on the app's database for history reads (charts
 * over 1 h / 24 h): read-only on a file database; for ":memory:" returns
 * NULL with err set (history then comes from the snapshot only).  Its
 * page cache is a quarter of [store] cache_kib.
 * Caller closes it with sr_store_close().  Any thread may open its own.
 */
struct sr_store *
sr_app_open_history(const struct sr_app *app, struct sr_err *err);

#endif
