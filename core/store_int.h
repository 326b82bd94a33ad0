/* SPDX-License-Identifier: MIT */
/*
 * store_int: what the store's own files share (core/store*.c) and nobody
 * else sees: the handle's layout, the cached statements, the rollup maps
 * and the helpers that prepare, bind and step.  Every bind helper takes
 * an rc that the first failure sets, so a run of binds is checked once
 * with store_bound(); every step goes through store_run() or ends with
 * store_step_done(), so no SQLite result is dropped.
 */
#ifndef SR_CORE_STORE_INT_H
#define SR_CORE_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/field.h"
#include "core/hmap.h"
#include "core/limits.h"
#include "core/store.h"

#define STORE_BUSY_MS 2000
#define STORE_MINUTE_MS 60000
#define STORE_HOUR_MS 3600000
#define STORE_KEY_SEP '\x1f'
#define STORE_IDENT_CACHE 200000 /* identities remembered, at most */

/* Most rows of one multi-row sample INSERT (3 parameters a row). */
#define STORE_SAMPLE_ROWS 32

/*
 * How sr_store_add_event() binds an events column: the columns of one
 * kind are bound by one loop, so the hot path tests no type per column.
 */
enum store_col_kind {
	STORE_COL_TEXT,	 /* TEXT or JSON: a string, NULL as the default */
	STORE_COL_I64,	 /* INT held in an int64_t */
	STORE_COL_INT,	 /* INT held in an int */
	STORE_COL_REAL,	 /* REAL */
	STORE_COL_TIME,	 /* TIME, always known */
	STORE_COL_ERROR, /* the error flag: SR_STORE_EV_ERROR in flags */
	STORE_COL__N
};

/* One events column to bind: where its value is and its parameter. */
struct store_col {
	size_t off;	  /* offsetof the member in struct sr_event */
	unsigned has;	  /* SR_EV_HAS_* bit that says a number is known */
	const char *dflt; /* TEXT: what NULL binds as, or NULL */
	int param;	  /* the INSERT's parameter, from 1 */
};

/* Cached statements, prepared on first use (store_write.c). */
enum store_stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_EVENT,
	STMT_SAMPLE,
	STMT_CURSOR_SET,
	STMT_CURSOR_GET,
	STMT_EVMIN_GET,
	STMT_EVMIN_PUT,
	STMT_TYPE_UP,
	STMT_ERROR_UP,
	STMT_IDENT_UP,
	STMT_S1M_UP,
	STMT_S1H_UP,
	STMT_INSIGHT,
	STMT_INSIGHT_HIST,
	STMT_INSIGHT_TOUCH,
	STMT_PRUNE_EVENTS,
	STMT_PRUNE_EVMIN,
	STMT_PRUNE_TYPE,
	STMT_PRUNE_ERROR,
	STMT_PRUNE_IDENT,
	STMT_PRUNE_SAMPLES,
	STMT_PRUNE_S1M,
	STMT_PRUNE_S1H,
	STMT_PRUNE_CAP,
	STMT_COUNT_EVENTS,
	STMT__N
};

/* A cursor held until its commit (hold mode). */
struct store_hcur {
	char *source, *cursor;
};

/* Pages of held events (store_hold.c). */
struct store_hold_chunk;

/*
 * Hold mode (sr_store_hold(), store_hold.c): copies of what the open
 * batch (or, while not OK, the failed batches) holds, written again by
 * the next retry.  The copies (each event and its strings, packed) fill
 * page-backed chunks; a commit gives every chunk but the first back to
 * the system, so a burst that filled a batch leaves no memory behind.
 */
struct store_hold {
	size_t max; /* events held at most while not OK; 0: hold mode off */
	struct store_hold_chunk *chunks, *last;
	size_t n;
	struct store_hcur *cur;
	size_t ncur;
	enum sr_store_state state;
	char error[256];
	uint64_t errors, dropped_events, dropped_rows;
	int64_t retry_at_ms, delay_ms; /* monotonic */
	int lost;		       /* the file at path is not ours */
	int replaying;		       /* no commit inside a row */
	int deferred;		       /* sr_store_defer_commits() */
	int have_id;		       /* dev, ino of the opened file */
	dev_t dev;
	ino_t ino;
};

struct sr_store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int lock_fd;
	/*
	 * A read-only handle on a copy (see store_open_ro() in store.c):
	 * the private folder holding it, removed at close; NULL otherwise.
	 */
	char *ro_copy_dir;
	sqlite3_stmt *stmt[STMT__N];
	/* multi-row sample INSERTs, by row count (1..STORE_SAMPLE_ROWS) */
	sqlite3_stmt *sample_rows[STORE_SAMPLE_ROWS + 1];
	int in_batch;
	int in_read;   /* sr_store_read_begin() opened a transaction */
	int cache_kib; /* SQLite's page cache (sr_store_cache()) */
	int64_t sample_newest_ms; /* newest sample ts added */
	int64_t s1h_minute;	  /* minute of the last 1 h write */
	int64_t batch_start_ms;	  /* monotonic */
	int flush_ms;		  /* commit interval, SR_STORE_FLUSH_MS */
	uint32_t batch_rows;
	uint64_t pending, committed;
	int64_t event_rows; /* -1 = not counted yet */
	/* the batch's rollup groups; owned keys, values freed by the map */
	struct sr_hmap *ev_min;	   /* minute|service|endpoint|model|host */
	struct sr_hmap *type_min;  /* minute|event_type -> count */
	struct sr_hmap *err_min;   /* minute|service|template */
	struct sr_hmap *s1m, *s1h; /* bucket|name */
	/*
	 * hour|kind|id, no values: the identities seen, kept across batches
	 * as a cache; ident_new lists (the map's copies of) the keys added
	 * since the last commit, the only ones still to write.
	 */
	struct sr_hmap *ident;
	const char **ident_new;
	size_t ident_new_n, ident_new_cap;
	/*
	 * The events table's columns, from sr_fields[] (the .sql of each
	 * field that has one, in table order), built at open: the INSERT
	 * (parameter i + 1 is the i-th such field) and the SELECT list
	 * ("id, " then the same columns) that store_ev_row() decodes.
	 */
	char *ev_insert;
	char *ev_cols;
	/* the same columns grouped by kind: kind k is ev_col[ev_col_end[k -
	 * 1] .. ev_col_end[k]) (from 0 for k = 0) */
	struct store_col ev_col[SR_FIELD__COUNT];
	int ev_col_end[STORE_COL__N];
	struct sr_buf key;  /* scratch */
	struct sr_buf blob; /* scratch */
	struct store_hold hold;
	/* the names ev_minute keeps ([limits]); loaded from ev_minute by
	 * the first event rolled up (card_loaded) */
	struct sr_card *card;
	int card_loaded;
};

/* --- store.c: errors, binds, steps --- */

/* "database 'p': what: <sqlite's message>"; returns -1. */
int store_sqlerr(struct sr_store *st, struct sr_err *err, const char *what);

/* Step a statement that returns no rows, then reset it. */
int store_run(struct sr_store *st, sqlite3_stmt *s, struct sr_err *err,
    const char *what);

/*
 * After a row loop: 0 when rc is SQLITE_DONE, else -1 naming what.  The
 * statement is not reset or finalized.
 */
int store_step_done(struct sr_store *st, int rc, struct sr_err *err,
    const char *what);

/*
 * Binds: each does nothing when *rc already holds a failure, else sets
 * *rc to SQLite's result.  Strings are bound SQLITE_STATIC (they must
 * live until the statement is reset); NULL binds NULL.
 */
void store_bind_i64(sqlite3_stmt *s, int i, int64_t v, int *rc);
void store_bind_dbl(sqlite3_stmt *s, int i, double v, int *rc);
void store_bind_null(sqlite3_stmt *s, int i, int *rc);
void store_bind_str(sqlite3_stmt *s, int i, const char *v, int *rc);
void store_bind_strn(sqlite3_stmt *s, int i, const char *v, int len, int *rc);
/* A copy of the bytes (SQLITE_TRANSIENT). */
void store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n, int *rc);

/*
 * 0 when every bind of the run succeeded (rc SQLITE_OK); else resets s,
 * clears its bindings and returns -1 with "cannot bind ..." in err.
 */
int store_bound(struct sr_store *st, sqlite3_stmt *s, int rc,
    struct sr_err *err, const char *what);

/* Prepare a one-off statement; -1 with what in err. */
int store_prepare(struct sr_store *st, const char *sql, sqlite3_stmt **s,
    struct sr_err *err, const char *what);

int64_t store_floor(int64_t ts, int64_t width);

/*
 * Close the connection and the lock, then open the path again as
 * sr_store_open() does (folder, lock, pragmas, schema); the batch state
 * is not touched.  0 or -1 (the handle has no connection then).
 */
int store_reopen(struct sr_store *st, struct sr_err *err);
/* Remember the device and inode of the file at st->path. */
void store_note_id(struct sr_store *st);

/* --- store_write.c --- */

/* Insert one event and fold it into the rollups (no hold); 0 or -1. */
int store_insert_event(struct sr_store *st, const struct sr_event *ev,
    struct sr_err *err);
/* Write one cursor row in the open batch; 0 or -1. */
int store_cursor_row(struct sr_store *st, const char *source,
    const char *cursor, struct sr_err *err);
/* Open the batch transaction if none is open; 0 or -1. */
int store_begin(struct sr_store *st, struct sr_err *err);
/* Forget the batch's rollup groups (committed: 1 after a COMMIT). */
void store_clear_rollups(struct sr_store *st, int committed);

/* --- store_hold.c --- */

/* 1 when hold mode is on and the store is not OK: writes are held. */
#define STORE_HELD(st) ((st)->hold.max > 0 && (st)->hold.state != SR_STORE_OK)
/* Copy an event / a cursor into the hold. */
void store_hold_event(struct sr_store *st, const struct sr_event *ev);
void
store_hold_cursor(struct sr_store *st, const char *source, const char *cursor);
/* The held cursor of source, or NULL. */
const char *store_held_cursor(const struct sr_store *st, const char *source);
/*
 * A write or commit failed (hold mode): roll the batch back, keep the
 * held rows, count the error, go RETRYING or FAILING with err's text and
 * schedule the next retry.
 */
void store_hold_failed(struct sr_store *st, const struct sr_err *err);
/* The batch committed: free the held copies. */
void store_hold_clear(struct sr_store *st);
/* Write everything held again and commit (the retry); 0 or -1. */
int store_hold_retry(struct sr_store *st, struct sr_err *err);
void store_hold_release(struct sr_store *st);

sqlite3_stmt *
store_stmt(struct sr_store *st, enum store_stmt_id id, struct sr_err *err);
int
store_exec_id(struct sr_store *st, enum store_stmt_id id, struct sr_err *err);
/* Commit the batch; all: write every sample rollup group (on close). */
int store_flush(struct sr_store *st, int all, struct sr_err *err);
/* Set up / free the write side of a handle (maps, scratch). */
void store_write_init(struct sr_store *st);
void store_write_release(struct sr_store *st);

#endif
