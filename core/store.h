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
 * Only the store's files (core/store*.c) write SQL for this database or
 * decode its rows; everything else reads through the functions below.
 * Every bind and step result is checked: a failure is an error in err.
 *
 * Not thread-safe: one thread owns a handle.  Other threads open their
 * own SR_STORE_READONLY handles on the same file.
 */
#ifndef SR_CORE_STORE_H
#define SR_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/limits.h"
#include "core/query.h"
#include "core/util.h"

#define SR_STORE_BATCH_MAX 20000 /* rows per transaction, at most */
#define SR_STORE_FLUSH_MS 250	 /* a batch is committed within this */
#define SR_STORE_SCHEMA 2
#define SR_STORE_MSG_MAX 200 /* bytes of an error example kept */

/* events.flags bits (on disk: never renumber). */
enum sr_store_ev_flags {
	SR_STORE_EV_ERROR = 1 << 0, /* sr_event_is_error() when stored */
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
 * than SR_STORE_SCHEMA, is an error.  It reads a file on read-only media
 * or in a folder it may not write: when SQLite can neither create nor
 * use the -shm file, the file is opened immutable when no -wal holds
 * rows, else read from a private copy of it and its -wal under $TMPDIR
 * (else /tmp), removed by sr_store_close(); only a file that cannot be
 * read fails ("cannot read database '/x.db': Permission denied").
 */
struct sr_store *
sr_store_open(const char *path, unsigned flags, struct sr_err *err);

/* Commit the open batch and close; NULL does nothing. */
void sr_store_close(struct sr_store *st);

const char *sr_store_path(const struct sr_store *st);

/*
 * Add one event to the open batch (strings are copied).  Returns 0, -1
 * with err set, or, in hold mode, 1 when the event was dropped because
 * the hold queue is full (sr_store_hold()).
 */
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
/*
 * The caps of the event rollups ([limits], core/limits.h; NULL: the
 * defaults): ev_minute keeps the first services, endpoints per service
 * and models it meets (those already in it first, in order of their
 * first minute); a later new one is rolled up as "(other)".  Endpoints
 * are rolled up by their template (sr_template_endpoint()); the events
 * table keeps the raw path.  sr_store_folded() counts the events folded
 * since open.
 */
void sr_store_set_limits(struct sr_store *st, const struct sr_limits *l);
void sr_store_folded(const struct sr_store *st, struct sr_card_folded *out);

int sr_store_set_cursor(struct sr_store *st, const char *source,
    const char *cursor, struct sr_err *err);
int sr_store_get_cursor(struct sr_store *st, const char *source, char **cursor,
    struct sr_err *err);

/* --- holding writes until they are committed (the live process) --- */

#define SR_STORE_QUEUE_MAX 100000   /* events held while failing, default */
#define SR_STORE_RETRY_MIN_MS 250   /* first retry after a failed commit */
#define SR_STORE_RETRY_MAX_MS 10000 /* the backoff doubles up to this */

/*
 * The store's health, as /api/health, the console and /metrics show it.
 * OK: the last commit succeeded.  RETRYING: the last commit found the
 * database busy or locked by another process (transient); FAILING: the
 * last commit failed for any other reason (disk full, I/O error, file
 * read-only), or the database file was deleted or replaced under the
 * open handle.  Both retry with backoff and hold what they could not
 * write.
 */
enum sr_store_state {
	SR_STORE_OK,
	SR_STORE_RETRYING,
	SR_STORE_FAILING,
};

/* "ok", "retrying", "failing". */
const char *sr_store_state_name(enum sr_store_state s);

/*
 * Hold mode (the console and `serve` turn it on; off by default, as for
 * `sitrep ingest`, whose inputs can be read again): every event and
 * cursor added is also copied into memory until the commit that holds it
 * succeeds.  A failed commit then loses nothing: the batch is rolled
 * back, the store goes RETRYING or FAILING (see sr_store_status()), and
 * the held events and cursors are written again, in one transaction, at
 * the next retry (sr_store_flush_due_ms() says when: SR_STORE_RETRY_MIN_MS,
 * doubling to SR_STORE_RETRY_MAX_MS; sr_store_maybe_flush() retries).
 * While not OK:
 *  - sr_store_add_event() holds the event without writing it, and once
 *    max_events are held drops it and returns 1 (counted in
 *    dropped_events);
 *  - sr_store_set_cursor() holds the cursor (the newest per source);
 *  - samples and insight rows are dropped (counted in dropped_rows)
 *    and sr_store_prune() does nothing;
 *  - sr_store_flush() before the retry is due returns -1 at once with
 *    the last error, without I/O.
 * Each retry also writes one meta row, so a retry with nothing held still
 * proves the database writable again.  A deleted or replaced file
 * (sr_store_check()) is reopened at its path by the retry, as
 * sr_store_open() would (creating the folder and the file).
 * sr_store_pending() counts the held events; sr_store_committed() + it
 * is the number of events ever added and not dropped.
 */
void sr_store_hold(struct sr_store *st, size_t max_events);

/*
 * The most memory SQLite's page cache may take, in KiB ([store]
 * cache_kib; <= 0: SR_STORE_CACHE_KIB), now and after every reopen, for
 * a read-only connection as for the writer.  A
 * batch command keeps the default (4 MiB: a 1M-event ingest measured the
 * same CPU time as with 16 MB, in 12-14 MB less RSS); the console and serve
 * take the config's, which bounds their RSS.
 */
#define SR_STORE_CACHE_KIB 4096
void sr_store_cache(struct sr_store *st, int kib);

/* SQLite's version for `sitrep --version` (sr_lib_version()). */
char *sr_store_lib_version(void);

struct sr_store_status {
	enum sr_store_state state;
	char error[256];	 /* why it is not OK ("" when OK) */
	uint64_t errors;	 /* failed commits and writes since open */
	uint64_t held;		 /* events waiting for a commit */
	uint64_t dropped_events; /* refused: the hold queue was full */
	uint64_t dropped_rows;	 /* samples, insight rows not written */
	int64_t retry_in_ms;	 /* next retry; -1 when OK */
};

void sr_store_status(const struct sr_store *st, struct sr_store_status *out);
/*
 * Commit now, and while not OK retry now whatever the backoff (a last
 * try before closing, so what is still held can be reported); as
 * sr_store_flush() otherwise.  0 or -1.
 */
int sr_store_flush_now(struct sr_store *st, struct sr_err *err);

/* Just the state (cheap: no copy). */
enum sr_store_state sr_store_state(const struct sr_store *st);

/*
 * Is the file at the store's path still the one open?  SQLite goes on
 * writing to a deleted file's inode without an error, so the live
 * process calls this every tick.  Returns 0, or -1 with err set ("database
 * file '/x.db' was deleted" or "... was replaced"); in hold mode the
 * store then goes FAILING and its retries reopen the path.  A ":memory:"
 * or read-only store always returns 0.
 */
int sr_store_check(struct sr_store *st, struct sr_err *err);

/*
 * While on, the row that fills a batch to SR_STORE_BATCH_MAX does not
 * commit it: the source driver turns this on around each source read,
 * so the events of one read and the cursor that follows them always land
 * in the same transaction however many events the read hands on (an
 * HTTP answer can hold tens of thousands); it commits between reads.
 */
void sr_store_defer_commits(struct sr_store *st, int on);

/* Commit the open batch now (no-op when empty). */
int sr_store_flush(struct sr_store *st, struct sr_err *err);

/* Commit if the open batch is older than the commit interval. */
int sr_store_maybe_flush(struct sr_store *st, struct sr_err *err);

/*
 * The commit interval of sr_store_maybe_flush() and
 * sr_store_flush_due_ms(): SR_STORE_FLUSH_MS unless set (ms > 0).  The
 * console and serve commit every SR_APP_COMMIT_MS (runtime/app.h).
 */
void sr_store_set_flush_ms(struct sr_store *st, int ms);

/* Milliseconds until the open batch is due (-1 when nothing is open). */
int sr_store_flush_due_ms(const struct sr_store *st);

/*
 * Events committed by this handle so far / pending in the batch.  A failed
 * sr_store_flush() drops the batch (pending becomes 0, committed does not
 * move); after a failed write the batch may still be open, and the next
 * flush commits or drops it.  The source driver counts committed events
 * by these two (runtime/driver.c).
 */
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

/*
 * One read transaction around several reads, so they all see the same
 * data (a no-op inside an open batch, which is a transaction already).
 * sr_store_read_end() ends it; both may be called when none is open.
 */
int sr_store_read_begin(struct sr_store *st, struct sr_err *err);
void sr_store_read_end(struct sr_store *st);

/* --- reading events --- */

/*
 * The order events are delivered in.  SR_STORE_NEWEST picks the newest
 * `limit` matching rows by id and delivers them in id order.
 */
enum sr_store_order {
	SR_STORE_BY_ID,	     /* id ascending (the web's cursor order) */
	SR_STORE_NEWEST,     /* the newest `limit`, then id ascending */
	SR_STORE_BY_TS,	     /* ts, id ascending */
	SR_STORE_BY_TS_DESC, /* ts, id descending */
};

/* Which stored events to read; sr_store_evq_init() opens every bound. */
struct sr_store_evq {
	const struct sr_query *query; /* NULL: every event */
	int64_t from_ms;	      /* ts >= from_ms (INT64_MIN: open) */
	int64_t to_ms;		      /* ts < to_ms (INT64_MAX: open) */
	const char *service;	      /* exact service; NULL: any */
	const char *host;	      /* exact host; NULL: any */
	int64_t after_id;	      /* id > after_id (0: no bound) */
	int64_t before_id;	      /* id < before_id (0: no bound) */
	/*
	 * keyset paging by (ts, id): with has_key, rows after (key_ts,
	 * key_id) in SR_STORE_BY_TS, before it otherwise
	 */
	int has_key;
	int64_t key_ts, key_id;
	int limit; /* rows delivered at most; 0: all */
	enum sr_store_order order;
};

void sr_store_evq_init(struct sr_store_evq *q);

/*
 * Called once per event, decoded by the store's one row decoder into
 * ev (strings and ev live for the call only; SR_EV_IS_ERROR is set for
 * rows stored as errors).  Return 0 to go on, > 0 to stop early, < 0 to
 * fail (the store then returns -1, leaving err as the callback set it).
 */
typedef int sr_store_event_fn(void *ctx, int64_t id, const struct sr_event *ev);

/*
 * Deliver the events q selects, in q->order.  The query is compiled to
 * SQL (sr_store_query_sql()); what SQL cannot express exactly is matched
 * again with sr_query_match(), so the rows are exactly those the query
 * matches in memory.  Returns the number of rows delivered, or -1.
 */
int64_t sr_store_events(struct sr_store *st, const struct sr_store_evq *q,
    sr_store_event_fn *fn, void *ctx, struct sr_err *err);

/* The number of events q selects (limit and order ignored); 0 or -1. */
int sr_store_count_events(struct sr_store *st, const struct sr_store_evq *q,
    int64_t *n, struct sr_err *err);

/*
 * One group of sr_store_count_by(): the field's value ("" for none), the
 * events of the group and the errors among them (sr_event_is_error()).
 * Return 0 to go on, non-zero to stop.
 */
typedef int
sr_store_group_fn(void *ctx, const char *value, int64_t n, int64_t errors);

/*
 * The events q selects (limit and order ignored) counted by the value of
 * field (a text field of core/field.h: service, endpoint, host ...),
 * delivered most events first, then by value.  The drill-downs' figures:
 * the same query as the event log's, over every stored event.  0 or -1.
 */
int sr_store_count_by(struct sr_store *st, const struct sr_store_evq *q,
    int field, sr_store_group_fn *fn, void *ctx, struct sr_err *err);

/* The largest event id stored (0 when none); 0 or -1. */
int sr_store_max_event_id(struct sr_store *st, int64_t *id, struct sr_err *err);

/*
 * The stored events with after_id < id <= to_id, in id order, counted up
 * to max of them: *n how many (<= max), *last the id of the last one
 * counted (after_id when none).  Reads at most max index entries, so a
 * caller walks a long span in bounded steps (the OTLP export's backlog,
 * runtime/otlp_export.c).  0 or -1.
 */
int sr_store_event_span(struct sr_store *st, int64_t after_id, int64_t to_id,
    int64_t max, int64_t *n, int64_t *last, struct sr_err *err);

/* A value sr_store_query_sql() bound to one `?` of its condition. */
struct sr_store_bind {
	int is_text;
	const char *text; /* borrowed from the query */
	double num;
};

/* Binds sr_store_query_sql() may need, at most. */
#define SR_STORE_BINDS_MAX (SR_QUERY_TERMS_MAX * (10 + SR_QUERY_CODES_MAX) + 2)

/*
 * A query as an SQL condition over the events table: appends to where a
 * condition ("1" when nothing translates) with a `?` for every value,
 * and sets b[0..*nb) to those values in order (no value is ever spliced
 * into the text).  The condition selects a superset of what
 * sr_query_match() accepts.  Returns 1 when it is exact, 0 when some
 * term (a glob with a backslash, != with a glob) was left to C.
 */
int sr_store_query_sql(const struct sr_query *q, struct sr_buf *where,
    struct sr_store_bind *b, int *nb);

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
 * The time span of stored samples (raw and rollups): *lo the oldest ts,
 * *hi the newest, both 0 when none.  0 or -1.
 */
int sr_store_sample_span(struct sr_store *st, int64_t *lo, int64_t *hi,
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

/* --- reading insights --- */

enum sr_store_insight_has {
	SR_STORE_INS_CONFIDENCE = 1 << 0,
	SR_STORE_INS_FIRST_SEEN = 1 << 1,
	SR_STORE_INS_LAST_SEEN = 1 << 2,
};

/* One insights row; a NULL string column is NULL. */
struct sr_store_insight {
	const char *id, *rule, *subject, *category, *severity;
	double confidence;
	const char *title, *description, *recommendation, *state;
	int64_t first_seen_ms, last_seen_ms;
	const char *data_json;
	unsigned has; /* enum sr_store_insight_has */
};

/* Called per insight (the row lives for the call); as sr_store_event_fn. */
typedef int sr_store_insight_fn(void *ctx, const struct sr_store_insight *in);

/* Insights not resolved, or resolved and seen at or after since_ms. */
int sr_store_insights_open(struct sr_store *st, int64_t since_ms,
    sr_store_insight_fn *fn, void *ctx, struct sr_err *err);

/*
 * Insights alive in [from_ms, to_ms) (last seen, else first seen, at or
 * after from; first seen before to), by first seen then id.  Returns the
 * rows delivered, or -1.
 */
int64_t sr_store_insights_range(struct sr_store *st, int64_t from_ms,
    int64_t to_ms, sr_store_insight_fn *fn, void *ctx, struct sr_err *err);

/* --- reading rollups --- */

/* A half-open range [lo, hi) of UTC ms; empty when lo >= hi. */
struct sr_store_span {
	int64_t lo, hi;
};

/*
 * A range split at a grain (minute or hour): whole buckets in roll, read
 * from rollups, and the partial ends in edge[0] and edge[1], read from
 * raw events.
 */
struct sr_store_split {
	struct sr_store_span roll, edge[2];
};

/* Split [from, to) at grain_ms into sp. */
void sr_store_split_range(int64_t from_ms, int64_t to_ms, int64_t grain_ms,
    struct sr_store_split *sp);

/*
 * The same, but a partial bucket at either end whose part outside the
 * range holds no stored event is read whole from the rollups: its rollup
 * row holds exactly the range's part (a range that ends now, or starts
 * before the data, reads no raw event).  Exact like the plain split.
 */
void sr_store_split_exact(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    int64_t grain_ms, struct sr_store_split *sp);

/* One ev_minute row; strings are "" for events that had none. */
struct sr_store_minute {
	int64_t minute_ms;
	const char *service, *endpoint, *model, *host;
	int64_t requests, status_4xx, status_5xx, lat_n;
	double lat_sum, lat_max; /* lat_max NAN when no latency */
	const void *lat_sketch;	 /* sr_sketch_encode() bytes, or NULL */
	size_t lat_sketch_len;
	int64_t tokens_in, tokens_out;
	double gen_ms;
	const void *ttft_sketch;
	size_t ttft_sketch_len;
};

typedef int sr_store_minute_fn(void *ctx, const struct sr_store_minute *m);

/*
 * The ev_minute rows of minutes in sp, in minute order, of service and
 * host when not NULL (exact).  0 or -1.
 */
int sr_store_minutes(struct sr_store *st, struct sr_store_span sp,
    const char *service, const char *host, sr_store_minute_fn *fn, void *ctx,
    struct sr_err *err);

/*
 * Event counts by event_type over [from, to): with service or host set,
 * from raw events of them; else type_minute rows for min->roll plus raw
 * events of min->edge.  fn gets each type and its count (> 0).
 */
int sr_store_type_counts(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_split *min, const char *service, const char *host,
    int (*fn)(void *ctx, const char *type, int64_t n), void *ctx,
    struct sr_err *err);

/*
 * Distinct non-empty user ids (kind 0) or session ids (kind 1) over
 * [from, to): with service or host set from raw events; else ident_hour
 * for hour->roll united with raw events of hour->edge.  0 or -1.
 */
int sr_store_distinct_ids(struct sr_store *st, int kind, int64_t from_ms,
    int64_t to_ms, const struct sr_store_split *hour, const char *service,
    const char *host, int64_t *out, struct sr_err *err);

/*
 * Error patterns (service, template, count, newest example) over the
 * range, as error_minute counts them: error_minute rows for min->roll,
 * raw error events with a message for min->edge (with host set, raw
 * events of the whole [from, to), since error_minute has no host).
 * Delivered by service, then count descending, then template.
 */
int sr_store_error_patterns(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_split *min, const char *service, const char *host,
    int (*fn)(void *ctx, const char *service, const char *tpl, int64_t n,
	const char *example),
    void *ctx, struct sr_err *err);

/*
 * Replay stored rollups minute by minute over [from_ms, to_ms) (from a
 * minute boundary): for each minute m, every ev_minute row, error_minute
 * row and samples_1m average with a bucket <= m not yet delivered, then
 * tick(m).  Callbacks may be NULL.
 */
struct sr_store_replay_ops {
	void (*minute)(void *ctx, const struct sr_store_minute *m);
	void (*error)(void *ctx, int64_t minute_ms, const char *service,
	    const char *tpl, int64_t n);
	void (*sample)(void *ctx, int64_t ts_ms, const char *name, double avg);
	void (*tick)(void *ctx, int64_t minute_ms);
};

int sr_store_replay(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_replay_ops *ops, void *ctx, struct sr_err *err);

/* The newest minute with ev_minute or samples_1m rows; 0 when none. */
int64_t sr_store_newest_minute(struct sr_store *st);

#endif
