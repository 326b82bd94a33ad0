/* SPDX-License-Identifier: MIT */
/*
 * store: the one SQLite file behind sitrep (WAL, prepared statements,
 * batched transactions, schema version in PRAGMA user_version with forward
 * migrations).  One process writes a database; a second writer gets an
 * error naming the holder (pid, host, start time).  Read-only viewers may
 * open it alongside.
 *
 * Writes go into an open batch that is committed when it holds
 * SR_STORE_BATCH_MAX rows, when sr_store_maybe_flush() finds it older
 * than SR_STORE_FLUSH_MS, or on sr_store_flush()/sr_store_close().
 * What was committed survives kill -9 (synchronous=NORMAL in WAL);
 * SR_STORE_DURABLE (synchronous=FULL) extends that to power loss.
 *
 * As events are stored the store also maintains, in the same transaction,
 * per-minute rollups (counts, latency and TTFT sketches, tokens) and
 * per-hour distinct users/sessions, so that a report over a long range
 * reads rollups, not raw events.  Schema (version 2; NULL strings are
 * stored as '' in rollup keys):
 *
 *   events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL  -- UTC ms
 *          , event_id TEXT, event_type TEXT NOT NULL, service TEXT,
 *          endpoint TEXT, status INTEGER, latency_ms REAL, user_id TEXT,
 *          session_id TEXT, message TEXT, model TEXT, tokens_in INTEGER,
 *          tokens_out INTEGER, ttft_ms REAL, host TEXT, metadata TEXT)
 *     index events_ts(ts)
 *   ev_minute(minute INTEGER  -- ts floored to 60000 ms
 *          , service TEXT, endpoint TEXT, model TEXT, host TEXT,
 *          requests INTEGER  -- every event
 *          , status_4xx INTEGER, status_5xx INTEGER,
 *          lat_n INTEGER, lat_sum REAL, lat_max REAL, lat_sketch BLOB,
 *          tokens_in INTEGER, tokens_out INTEGER,
 *          gen_ms REAL      -- sum of latency of events with tokens_out
 *          , ttft_sketch BLOB,
 *          PRIMARY KEY(minute, service, endpoint, model, host))
 *          WITHOUT ROWID   -- sketches: sr_sketch_encode() blobs, NULL
 *                          -- when no event had the value (lat_max too)
 *   type_minute(minute, event_type, n, PRIMARY KEY(minute, event_type))
 *          WITHOUT ROWID
 *   error_minute(minute, service, message, n, example,
 *          PRIMARY KEY(minute, service, message)) WITHOUT ROWID
 *          -- events with a message and (5xx status or SR_EV_IS_ERROR),
 *          -- grouped by template: message holds sr_template_make() of
 *          -- the event's message (core/template.h, as the live engine
 *          -- groups error patterns); example is the message of the
 *          -- newest such event, cut to SR_STORE_MSG_MAX bytes at a
 *          -- UTF-8 boundary.  (Schema 1 kept raw messages there; the
 *          -- migration to 2 regroups them by template.)
 *   ident_hour(hour INTEGER  -- ts floored to 3600000 ms
 *          , kind INTEGER  -- 0 user_id, 1 session_id
 *          , id TEXT, PRIMARY KEY(hour, kind, id)) WITHOUT ROWID
 *   samples(name TEXT, ts INTEGER, value REAL)
 *     index samples_name_ts(name, ts), samples_ts(ts)
 *   samples_1m / samples_1h(name TEXT, ts INTEGER  -- bucket start
 *          , min REAL, avg REAL, max REAL, n INTEGER,
 *          PRIMARY KEY(name, ts)) WITHOUT ROWID, index on (ts)
 *   insights(id TEXT PRIMARY KEY, rule, subject, category, severity,
 *          confidence REAL, title, description, recommendation, state,
 *          first_seen INTEGER, last_seen INTEGER, data TEXT)
 *   insight_history(id TEXT, ts INTEGER, state TEXT, severity TEXT,
 *          value REAL, note TEXT)  index (id, ts)
 *   cursors(source TEXT PRIMARY KEY, cursor TEXT, updated INTEGER)
 *   meta(key TEXT PRIMARY KEY, value TEXT)  -- writer_pid, writer_host,
 *          -- writer_started (ISO-8601 UTC) of the last writer
 *
 * Rollup rows are written at commit: the open batch's groups are merged
 * into existing rows (counts added, sketches merged), so a row covers
 * every committed event of its minute, whatever batch it came in.
 *
 * Every connection has two SQL functions: sr_template(message), the
 * template of a message, and sr_message(message), a message cut as
 * error_minute's example is.
 *
 * Not thread-safe: one thread owns a handle.  Other threads open their
 * own SR_STORE_READONLY handles on the same file.
 */
#ifndef SR_CORE_STORE_H
#define SR_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

struct sqlite3;

#define SR_STORE_BATCH_MAX 20000 /* rows per transaction, at most */
#define SR_STORE_FLUSH_MS 250	 /* a batch is committed within this */
#define SR_STORE_SCHEMA 2
#define SR_STORE_MSG_MAX 200 /* bytes of an error example kept */

/* events.flags bits (on disk: never renumber). */
enum sr_store_ev_flags {
	SR_STORE_EV_ERROR = 1 << 0, /* had SR_EV_IS_ERROR */
};

enum sr_store_flags {
	SR_STORE_READONLY = 1 << 0, /* viewer: no lock, no writes */
	SR_STORE_DURABLE = 1 << 1,  /* synchronous=FULL */
	SR_STORE_NO_LOCK = 1 << 2,  /* tests only: skip writer lock */
	/*
	 * A long-running writer that adds samples every tick: the 1 m
	 * sample rollups are written when their minute closes, the 1 h
	 * ones once a minute, instead of at every commit (one commit a
	 * tick would otherwise upsert every metric twice).  Raw samples
	 * are committed as usual; a kill -9 loses at most the open
	 * minute's rollups, which the raw rows still hold.
	 */
	SR_STORE_LAZY_ROLLUPS = 1 << 3,
};

/* Retention; a zero field keeps that data forever. */
struct sr_retention {
	int64_t events_ms;	/* default 30 d */
	int64_t max_events;	/* 0 = no cap; oldest pruned first */
	int64_t samples_raw_ms; /* default 24 h */
	int64_t samples_1m_ms;	/* default 30 d */
	int64_t samples_1h_ms;	/* default 365 d */
};

/* Fill r with the defaults above. */
void sr_retention_defaults(struct sr_retention *r);

struct sr_store;

/*
 * The default path: $XDG_DATA_HOME/sitrep/sitrep.db, else
 * $HOME/.local/share/sitrep/sitrep.db.  Caller frees.
 */
char *sr_store_default_path(void);

/*
 * Open (creating the file and its folder when missing) and migrate.
 * path may be ":memory:".  Fails, with a one-line message naming the path
 * and the cause, when the folder cannot be created, the file is not a
 * SQLite database, is read-only, or another process holds it for writing
 * ("database '/x.db' is in use by sitrep pid 123 on host since ...").
 * A writer creates a missing folder (mode 0755), takes an flock() on the
 * file, migrates the schema and records itself in meta; a database whose
 * schema is newer than SR_STORE_SCHEMA is refused.  SR_STORE_READONLY
 * takes no lock and migrates nothing: a missing file, or a schema other
 * than SR_STORE_SCHEMA, is an error.
 */
struct sr_store *
sr_store_open(const char *path, unsigned flags, struct sr_err *err);

/* Commit the open batch and close; NULL does nothing. */
void sr_store_close(struct sr_store *st);

const char *sr_store_path(const struct sr_store *st);

/* Add one event to the open batch (strings are copied). */
int sr_store_add_event(struct sr_store *st, const struct sr_event *ev,
    struct sr_err *err);

/*
 * Bytes of msg kept as an error example: at most SR_STORE_MSG_MAX, cut
 * at a UTF-8 boundary.
 */
size_t sr_store_msg_len(const char *msg);

/* Add one metric sample (raw table and 1 m / 1 h rollups). */
int sr_store_add_sample(struct sr_store *st, const char *name, int64_t ts_ms,
    double value, struct sr_err *err);

/*
 * Add n samples taken at ts_ms, as sr_store_add_sample() would one by
 * one, but with multi-row INSERTs (cheaper per row).  Non-finite values
 * are left out; the others are still added, then -1 names the first.
 */
int sr_store_add_samples(struct sr_store *st, const char *const *names,
    const double *values, size_t n, int64_t ts_ms, struct sr_err *err);

/*
 * Record a source's cursor in the open batch, so it is committed with the
 * events it covers.  sr_store_get_cursor() sets *cursor to a string the
 * caller frees, or NULL when none is stored; on the writing handle a
 * value set in the open batch wins over the committed one.
 */
int sr_store_set_cursor(struct sr_store *st, const char *source,
    const char *cursor, struct sr_err *err);
int sr_store_get_cursor(struct sr_store *st, const char *source, char **cursor,
    struct sr_err *err);

/* Commit the open batch now (no-op when empty). */
int sr_store_flush(struct sr_store *st, struct sr_err *err);

/* Commit if the open batch is older than SR_STORE_FLUSH_MS. */
int sr_store_maybe_flush(struct sr_store *st, struct sr_err *err);

/* Milliseconds until the open batch is due (-1 when nothing is open). */
int sr_store_flush_due_ms(const struct sr_store *st);

/* Events committed by this handle so far / pending in the batch. */
uint64_t sr_store_committed(const struct sr_store *st);
uint64_t sr_store_pending(const struct sr_store *st);

/*
 * Delete data older than the retention, at most max_rows rows per table
 * per call (incremental: call it every tick).  A raw row (events,
 * samples) goes when ts < now - retention; a rollup bucket goes when all
 * of it is older (start + width <= now - retention).  Minute and hour
 * event rollups follow events_ms.  Then, with max_events set, the oldest
 * events (by ts) beyond the cap go.  Runs inside the open batch when
 * there is one.  Returns the number of rows deleted, or -1.
 */
int64_t sr_store_prune(struct sr_store *st, int64_t now_ms,
    const struct sr_retention *r, int max_rows, struct sr_err *err);

/* The underlying connection, for core's own read queries on this thread. */
struct sqlite3 *sr_store_db(struct sr_store *st);

/*
 * A metric series over [from_ms, to_ms] at about step_ms resolution: the
 * store picks raw data for step < 1 min, samples_1m for step < 1 h, else
 * samples_1h (falling back to the next finer table when the chosen one
 * has no rows in the range) and buckets it by step (bucket = ts / step *
 * step, aligned to the epoch; avg weighted by n).  Calls fn once per
 * non-empty bucket in time order.  Returns 0 or -1.
 */
struct sr_series_point {
	int64_t ts_ms;
	double min, avg, max;
	int64_t n;
};
int sr_store_series(struct sr_store *st, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms,
    void (*fn)(void *ctx, const struct sr_series_point *pt), void *ctx,
    struct sr_err *err);

/*
 * Names of stored metrics matching a glob (NULL: all), in name order; fn
 * called once per name (the string lives for the call).
 */
int sr_store_metric_names(struct sr_store *st, const char *glob,
    void (*fn)(void *ctx, const char *name), void *ctx, struct sr_err *err);

/*
 * Insert or replace insight id (every column takes the new values) in the
 * open batch.  data_json may be NULL.  Returns 0 or -1.
 */
int sr_store_put_insight(struct sr_store *st, const char *id, const char *rule,
    const char *subject, const char *category, const char *severity,
    double confidence, const char *title, const char *description,
    const char *recommendation, const char *state, int64_t first_seen_ms,
    int64_t last_seen_ms, const char *data_json, struct sr_err *err);

/*
 * Append one row to insight_history in the open batch (value NAN is
 * stored as NULL; note may be NULL).  Returns 0 or -1.
 */
int sr_store_add_insight_history(struct sr_store *st, const char *id,
    int64_t ts_ms, const char *state, const char *severity, double value,
    const char *note, struct sr_err *err);

/*
 * Set insight id's last_seen to last_seen_ms (when later than the stored
 * one) in the open batch: a cheap UPDATE for insights that keep firing,
 * whose row sr_store_put_insight() writes only on transitions.  An
 * unknown id changes nothing.  Returns 0 or -1.
 */
int sr_store_touch_insight(struct sr_store *st, const char *id,
    int64_t last_seen_ms, struct sr_err *err);

#endif
