/* SPDX-License-Identifier: MIT */
/*
 * store_write: the store's write side.  Writes go into an open
 * transaction (the batch) with cached prepared statements; rollups
 * (ev_minute, type_minute, error_minute, ident_hour, samples_1m/1h) are
 * accumulated in memory in hash maps (core/hmap.h) while the batch is open and
 * upserted into their tables just before COMMIT, in the same transaction,
 * so the rollups always agree with the committed raw rows.  Retention
 * deletes old rows a bounded number at a time.
 */
#include "core/store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/sketch.h"
#include "core/store_int.h"
#include "core/template.h"
#include "core/timeutil.h"

#define SAMPLE_UPSERT(t)                                                   \
	"INSERT INTO " t "(name, ts, min, avg, max, n)"                    \
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name, ts) DO UPDATE"  \
	" SET min = min(min, excluded.min), max = max(max, excluded.max)," \
	" avg = (avg * n + excluded.avg * excluded.n) / (n + excluded.n)," \
	" n = n + excluded.n"

#define PRUNE_KEYS(t, keys, col)                                         \
	"DELETE FROM " t " WHERE (" keys ") IN (SELECT " keys " FROM " t \
	" WHERE " col " < ?1 LIMIT ?2)"

#define PRUNE_ROWID(t, col)                                                    \
	"DELETE FROM " t " WHERE rowid IN (SELECT rowid FROM " t " WHERE " col \
	" < ?1 LIMIT ?2)"

static const char *const store_sql[STMT__N] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_EVENT] = NULL, /* st->ev_insert, from the field table */
	[STMT_SAMPLE] = "INSERT INTO samples(name, ts, value)"
			" VALUES(?1, ?2, ?3)",
	[STMT_CURSOR_SET] =
	    "INSERT INTO cursors(source, cursor, updated)"
	    " VALUES(?1, ?2, ?3) ON CONFLICT(source) DO UPDATE"
	    " SET cursor = excluded.cursor, updated = excluded.updated",
	[STMT_CURSOR_GET] = "SELECT cursor FROM cursors WHERE source = ?1",
	[STMT_EVMIN_GET] =
	    "SELECT requests, status_4xx, status_5xx, lat_n,"
	    " lat_sum, lat_max, lat_sketch, tokens_in, tokens_out, gen_ms,"
	    " ttft_sketch FROM ev_minute WHERE minute = ?1 AND service = ?2"
	    " AND endpoint = ?3 AND model = ?4 AND host = ?5",
	[STMT_EVMIN_PUT] =
	    "INSERT OR REPLACE INTO ev_minute(minute, service,"
	    " endpoint, model, host, requests, status_4xx, status_5xx, lat_n,"
	    " lat_sum, lat_max, lat_sketch, tokens_in, tokens_out, gen_ms,"
	    " ttft_sketch) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12, ?13, ?14, ?15, ?16)",
	[STMT_TYPE_UP] = "INSERT INTO type_minute(minute, event_type, n)"
			 " VALUES(?1, ?2, ?3) ON CONFLICT(minute, event_type)"
			 " DO UPDATE SET n = n + excluded.n",
	[STMT_ERROR_UP] =
	    "INSERT INTO error_minute(minute, service, message,"
	    " n, example) VALUES(?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT(minute, service, message)"
	    " DO UPDATE SET n = n + excluded.n, example = excluded.example",
	[STMT_IDENT_UP] = "INSERT OR IGNORE INTO ident_hour(hour, kind, id)"
			  " VALUES(?1, ?2, ?3)",
	[STMT_S1M_UP] = SAMPLE_UPSERT("samples_1m"),
	[STMT_S1H_UP] = SAMPLE_UPSERT("samples_1h"),
	[STMT_INSIGHT] =
	    "INSERT INTO insights(id, rule, subject, category,"
	    " severity, confidence, title, description, recommendation,"
	    " state, first_seen, last_seen, data) VALUES(?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT(id) DO UPDATE"
	    " SET rule = excluded.rule, subject = excluded.subject,"
	    " category = excluded.category, severity = excluded.severity,"
	    " confidence = excluded.confidence, title = excluded.title,"
	    " description = excluded.description,"
	    " recommendation = excluded.recommendation,"
	    " state = excluded.state, first_seen = excluded.first_seen,"
	    " last_seen = excluded.last_seen, data = excluded.data",
	[STMT_INSIGHT_HIST] =
	    "INSERT INTO insight_history(id, ts, state,"
	    " severity, value, note) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_INSIGHT_TOUCH] =
	    "UPDATE insights SET last_seen = ?2"
	    " WHERE id = ?1 AND (last_seen IS NULL OR last_seen < ?2)",
	[STMT_PRUNE_EVENTS] = PRUNE_ROWID("events", "ts"),
	[STMT_PRUNE_EVMIN] = PRUNE_KEYS("ev_minute",
	    "minute, service, endpoint, model, host", "minute"),
	[STMT_PRUNE_TYPE] =
	    PRUNE_KEYS("type_minute", "minute, event_type", "minute"),
	[STMT_PRUNE_ERROR] =
	    PRUNE_KEYS("error_minute", "minute, service, message", "minute"),
	[STMT_PRUNE_IDENT] = PRUNE_KEYS("ident_hour", "hour, kind, id", "hour"),
	[STMT_PRUNE_SAMPLES] = PRUNE_ROWID("samples", "ts"),
	[STMT_PRUNE_S1M] = PRUNE_KEYS("samples_1m", "name, ts", "ts"),
	[STMT_PRUNE_S1H] = PRUNE_KEYS("samples_1h", "name, ts", "ts"),
	[STMT_PRUNE_CAP] = "DELETE FROM events WHERE rowid IN (SELECT rowid"
			   " FROM events ORDER BY ts, rowid LIMIT ?1)",
	[STMT_COUNT_EVENTS] = "SELECT count(*) FROM events",
};

/* --- rollup groups --- */

/* One ev_minute row being accumulated; strings point into the map key. */
struct ev_group {
	int64_t minute;
	const char *f[4]; /* service, endpoint, model, host */
	int flen[4];
	int64_t requests, s4xx, s5xx, lat_n, tokens_in, tokens_out;
	double lat_sum, lat_max, gen_ms;
	struct sr_sketch *lat, *ttft;
};

static void
ev_group_free(void *p)
{
	struct ev_group *g = p;

	sr_sketch_free(g->lat);
	sr_sketch_free(g->ttft);
	free(g);
}

/* One type_minute row: key is minute, event_type. */
struct type_group {
	int64_t n;
};

/* One error_minute row: key is minute, service, template. */
struct err_group {
	int64_t minute;
	char *service;
	char *tpl;
	char *example; /* newest event's message */
	int64_t example_ts;
	int64_t n;
};

static void
err_group_free(void *p)
{
	struct err_group *g = p;

	free(g->service);
	free(g->tpl);
	free(g->example);
	free(g);
}

/* One samples_1m / samples_1h row: key is bucket, name. */
struct sample_group {
	double min, max, sum;
	int64_t n;
	int written; /* in the batch being committed */
};

/* sr_hmap_retain() test: the sample groups not written by the commit. */
static int
sample_unwritten(void *ctx, const char *key, void *val)
{
	const struct sample_group *g = val;

	(void)ctx;
	(void)key;
	return !g->written;
}

/* The group stored under the scratch key, or NULL; its hash in *h. */
static void *
store_group_get(struct sr_store *st, const struct sr_hmap *m, uint64_t *h)
{
	*h = sr_hash_bytes(st->key.data, st->key.len);
	return sr_hmap_geth(m, st->key.data, st->key.len, *h);
}

/* Store the new group g under the scratch key (hash h); the map's key. */
static const char *
store_group_put(struct sr_store *st, struct sr_hmap *m, uint64_t h, void *g)
{
	return sr_hmap_puth(m, st->key.data, st->key.len, h, g);
}

static const char *
store_stmt_sql(const struct sr_store *st, enum store_stmt_id id)
{
	return id == STMT_EVENT ? st->ev_insert : store_sql[id];
}

sqlite3_stmt *
store_stmt(struct sr_store *st, enum store_stmt_id id, struct sr_err *err)
{
	if (st->db == NULL) { /* a reopen failed: the retry tries again */
		sr_err_set(err, "database '%s' is not open", st->path);
		return NULL;
	}
	if (st->stmt[id] == NULL &&
	    sqlite3_prepare_v3(st->db, store_stmt_sql(st, id), -1,
		SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "cannot prepare statement");
		return NULL;
	}
	return st->stmt[id];
}

int
store_exec_id(struct sr_store *st, enum store_stmt_id id, struct sr_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);

	return s ? store_run(st, s, err, store_stmt_sql(st, id)) : -1;
}

static int
store_writable(struct sr_store *st, struct sr_err *err)
{
	if (st->flags & SR_STORE_READONLY)
		return sr_err_set(err, "database '%s' is open read-only",
		    st->path);
	return 0;
}

int
store_begin(struct sr_store *st, struct sr_err *err)
{
	if (st->in_batch)
		return 0;
	if (store_writable(st, err) < 0 ||
	    store_exec_id(st, STMT_BEGIN, err) < 0)
		return -1;
	st->in_batch = 1;
	st->batch_start_ms = sr_mono_ms();
	st->batch_rows = 0;
	return 0;
}
/* --- writing rollups at commit --- */

static void
store_bind_blob_sketch(struct sr_store *st, sqlite3_stmt *s, int i,
    const struct sr_sketch *sk, int *brc)
{
	if (sk == NULL || sr_sketch_count(sk) == 0) {
		store_bind_null(s, i, brc);
		return;
	}
	sr_buf_reset(&st->blob);
	sr_sketch_encode(sk, &st->blob);
	/* blob scratch is reused: bind a copy */
	store_bind_blob(s, i, st->blob.data, st->blob.len, brc);
}

/* Merge a stored sketch column into *sk (created when needed). */
static void
store_merge_sketch_col(sqlite3_stmt *s, int col, struct sr_sketch **sk)
{
	const void *p = sqlite3_column_blob(s, col);
	int n = sqlite3_column_bytes(s, col);

	if (p == NULL || n <= 0)
		return;
	if (*sk == NULL)
		*sk = sr_sketch_new();
	/* A damaged stored sketch is dropped, not fatal: counts survive. */
	(void)sr_sketch_merge_encoded(*sk, p, (size_t)n, NULL);
}

static int
store_write_ev_group(struct sr_store *st, struct ev_group *g,
    struct sr_err *err)
{
	sqlite3_stmt *get = store_stmt(st, STMT_EVMIN_GET, err);
	sqlite3_stmt *put = store_stmt(st, STMT_EVMIN_PUT, err);
	int rc, brc = SQLITE_OK;

	if (get == NULL || put == NULL)
		return -1;
	store_bind_i64(get, 1, g->minute, &brc);
	for (int k = 0; k < 4; k++)
		store_bind_strn(get, 2 + k, g->f[k], g->flen[k], &brc);
	if (store_bound(st, get, brc, err, "cannot read ev_minute") < 0)
		return -1;
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		g->requests += sqlite3_column_int64(get, 0);
		g->s4xx += sqlite3_column_int64(get, 1);
		g->s5xx += sqlite3_column_int64(get, 2);
		g->lat_n += sqlite3_column_int64(get, 3);
		g->lat_sum += sqlite3_column_double(get, 4);
		if (sqlite3_column_type(get, 5) != SQLITE_NULL) {
			double m = sqlite3_column_double(get, 5);

			if (isnan(g->lat_max) || m > g->lat_max)
				g->lat_max = m;
		}
		store_merge_sketch_col(get, 6, &g->lat);
		g->tokens_in += sqlite3_column_int64(get, 7);
		g->tokens_out += sqlite3_column_int64(get, 8);
		g->gen_ms += sqlite3_column_double(get, 9);
		store_merge_sketch_col(get, 10, &g->ttft);
	}
	(void)sqlite3_reset(get); /* rc below carries the error */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sr_err_set(err,
		    "database '%s': cannot read ev_minute: "
		    "%s",
		    st->path, sqlite3_errstr(rc));
	store_bind_i64(put, 1, g->minute, &brc);
	for (int k = 0; k < 4; k++)
		store_bind_strn(put, 2 + k, g->f[k], g->flen[k], &brc);
	store_bind_i64(put, 6, g->requests, &brc);
	store_bind_i64(put, 7, g->s4xx, &brc);
	store_bind_i64(put, 8, g->s5xx, &brc);
	store_bind_i64(put, 9, g->lat_n, &brc);
	store_bind_dbl(put, 10, g->lat_sum, &brc);
	if (isnan(g->lat_max))
		store_bind_null(put, 11, &brc);
	else
		store_bind_dbl(put, 11, g->lat_max, &brc);
	store_bind_blob_sketch(st, put, 12, g->lat, &brc);
	store_bind_i64(put, 13, g->tokens_in, &brc);
	store_bind_i64(put, 14, g->tokens_out, &brc);
	store_bind_dbl(put, 15, g->gen_ms, &brc);
	store_bind_blob_sketch(st, put, 16, g->ttft, &brc);
	if (store_bound(st, put, brc, err, "cannot write ev_minute") < 0)
		return -1;
	return store_run(st, put, err, "cannot write ev_minute");
}

static int
store_write_rollups(struct sr_store *st, int all, struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;
	size_t pos = 0;
	const char *k;
	void *v;

	while (sr_hmap_next(st->ev_min, &pos, NULL, &v))
		if (store_write_ev_group(st, v, err) < 0)
			return -1;
	if (sr_hmap_count(st->type_min)) {
		if ((s = store_stmt(st, STMT_TYPE_UP, err)) == NULL)
			return -1;
		for (pos = 0; sr_hmap_next(st->type_min, &pos, &k, &v);) {
			const struct type_group *g = v;
			int64_t minute;

			memcpy(&minute, k, sizeof(minute));
			store_bind_i64(s, 1, minute, &brc);
			store_bind_str(s, 2, k + 8, &brc);
			store_bind_i64(s, 3, g->n, &brc);
			if (store_bound(st, s, brc, err,
				"cannot write type_minute") < 0 ||
			    store_run(st, s, err, "cannot write type_minute") <
				0)
				return -1;
		}
	}
	if (sr_hmap_count(st->err_min)) {
		if ((s = store_stmt(st, STMT_ERROR_UP, err)) == NULL)
			return -1;
		for (pos = 0; sr_hmap_next(st->err_min, &pos, NULL, &v);) {
			const struct err_group *g = v;

			store_bind_i64(s, 1, g->minute, &brc);
			store_bind_str(s, 2, g->service, &brc);
			store_bind_str(s, 3, g->tpl, &brc);
			store_bind_i64(s, 4, g->n, &brc);
			store_bind_str(s, 5, g->example, &brc);
			if (store_bound(st, s, brc, err,
				"cannot write error_minute") < 0 ||
			    store_run(st, s, err, "cannot write error_minute") <
				0)
				return -1;
		}
	}
	if (st->ident_new_n) {
		if ((s = store_stmt(st, STMT_IDENT_UP, err)) == NULL)
			return -1;
		for (size_t i = 0; i < st->ident_new_n; i++) {
			int64_t hour;

			k = st->ident_new[i];
			memcpy(&hour, k, sizeof(hour));
			store_bind_i64(s, 1, hour, &brc);
			store_bind_i64(s, 2, k[8], &brc);
			store_bind_str(s, 3, k + 9, &brc);
			if (store_bound(st, s, brc, err,
				"cannot write ident_hour") < 0 ||
			    store_run(st, s, err, "cannot write ident_hour") <
				0)
				return -1;
		}
	}
	for (int t = 0; t < 2; t++) {
		struct sr_hmap *mp = t ? st->s1h : st->s1m;
		int64_t open_from = INT64_MAX; /* lazy: groups kept open */

		if (sr_hmap_count(mp) == 0)
			continue;
		if ((st->flags & SR_STORE_LAZY_ROLLUPS) && !all) {
			int64_t minute =
			    store_floor(st->sample_newest_ms, STORE_MINUTE_MS);

			if (t == 0)
				open_from = minute;
			else if (minute == st->s1h_minute)
				continue; /* once a minute */
			else
				st->s1h_minute = minute;
		}
		if ((s = store_stmt(st, t ? STMT_S1H_UP : STMT_S1M_UP, err)) ==
		    NULL)
			return -1;
		for (pos = 0; sr_hmap_next(mp, &pos, &k, &v);) {
			struct sample_group *g = v;
			int64_t ts;

			memcpy(&ts, k, sizeof(ts));
			if (ts >= open_from)
				continue;
			g->written = 1;
			store_bind_str(s, 1, k + 8, &brc);
			store_bind_i64(s, 2, ts, &brc);
			store_bind_dbl(s, 3, g->min, &brc);
			store_bind_dbl(s, 4, g->sum / (double)g->n, &brc);
			store_bind_dbl(s, 5, g->max, &brc);
			store_bind_i64(s, 6, g->n, &brc);
			if (store_bound(st, s, brc, err,
				"cannot write sample rollups") < 0 ||
			    store_run(st, s, err,
				"cannot write sample rollups") < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Forget the batch's groups.  The identity set outlives batches: entries
 * already committed (not in ident_new) are not written again, which
 * saves one INSERT OR IGNORE per repeated user or session; it is only a
 * cache, so it is dropped when it grows large or when a batch fails.
 */
void
store_clear_rollups(struct sr_store *st, int committed)
{
	sr_hmap_clear(st->ev_min);
	sr_hmap_clear(st->type_min);
	sr_hmap_clear(st->err_min);
	if (committed && (st->flags & SR_STORE_LAZY_ROLLUPS)) {
		sr_hmap_retain(st->s1m, sample_unwritten, NULL);
		sr_hmap_retain(st->s1h, sample_unwritten, NULL);
	} else {
		sr_hmap_clear(st->s1m);
		sr_hmap_clear(st->s1h);
	}
	st->ident_new_n = 0;
	if (!committed || sr_hmap_count(st->ident) > STORE_IDENT_CACHE)
		sr_hmap_clear(st->ident);
}

/*
 * A write failed: in hold mode the batch is rolled back and kept for the
 * retry (unless a failed commit inside the write did that already).
 * Returns -1.
 */
static int
store_write_failed(struct sr_store *st, const struct sr_err *err)
{
	if (st->hold.max > 0 && st->hold.state == SR_STORE_OK)
		store_hold_failed(st, err);
	return -1;
}

int
store_flush(struct sr_store *st, int all, struct sr_err *err)
{
	struct sr_err e2;

	if (STORE_HELD(st)) {
		/* before the retry is due: the last error, without I/O */
		if (!all && sr_mono_ms() < st->hold.retry_at_ms)
			return sr_err_set(err, "%s", st->hold.error);
		return store_hold_retry(st, err);
	}
	if (all && !st->in_batch &&
	    sr_hmap_count(st->s1m) + sr_hmap_count(st->s1h) > 0 &&
	    store_begin(st, err) < 0)
		return -1;
	if (!st->in_batch)
		return 0;
	if (store_write_rollups(st, all, err) < 0 ||
	    store_exec_id(st, STMT_COMMIT, err) < 0) {
		if (st->hold.max > 0) {
			/* held: the retry writes it again */
			store_hold_failed(st, err);
			return -1;
		}
		/* The batch is lost; leave the handle usable. */
		if (sqlite3_get_autocommit(st->db) == 0)
			(void)store_exec_id(st, STMT_ROLLBACK, &e2);
		st->in_batch = 0;
		st->pending = 0;
		st->event_rows = -1;
		store_clear_rollups(st, 0);
		return -1;
	}
	st->in_batch = 0;
	st->committed += st->pending;
	st->pending = 0;
	store_clear_rollups(st, 1);
	store_hold_clear(st);
	return 0;
}

int
sr_store_flush(struct sr_store *st, struct sr_err *err)
{
	return store_flush(st, 0, err);
}

int
sr_store_maybe_flush(struct sr_store *st, struct sr_err *err)
{
	if (STORE_HELD(st))
		return sr_mono_ms() >= st->hold.retry_at_ms
		    ? store_hold_retry(st, err)
		    : 0;
	if (st->in_batch && sr_mono_ms() - st->batch_start_ms >= st->flush_ms)
		return sr_store_flush(st, err);
	return 0;
}

void
sr_store_set_flush_ms(struct sr_store *st, int ms)
{
	st->flush_ms = ms > 0 ? ms : SR_STORE_FLUSH_MS;
}

int
sr_store_flush_due_ms(const struct sr_store *st)
{
	int64_t left;

	if (STORE_HELD(st)) {
		left = st->hold.retry_at_ms - sr_mono_ms();
		return left < 0 ? 0 : (int)left;
	}
	if (!st->in_batch)
		return -1;
	left = st->flush_ms - (sr_mono_ms() - st->batch_start_ms);
	return left < 0 ? 0 : (int)left;
}

uint64_t
sr_store_committed(const struct sr_store *st)
{
	return st->committed;
}

uint64_t
sr_store_pending(const struct sr_store *st)
{
	return st->pending;
}

/* Count one row into the batch; commit when the batch is full. */
static int
store_row_done(struct sr_store *st, struct sr_err *err)
{
	/* a retry writes everything held in one transaction, and a source
	 * read's events go with their cursor */
	if (++st->batch_rows >= SR_STORE_BATCH_MAX && !st->hold.replaying &&
	    !st->hold.deferred)
		return sr_store_flush(st, err);
	return 0;
}

void
sr_store_defer_commits(struct sr_store *st, int on)
{
	st->hold.deferred = on;
}

/* --- events --- */

size_t
sr_store_msg_len(const char *msg)
{
	size_t len = strnlen(msg, SR_STORE_MSG_MAX + 1);

	if (len > SR_STORE_MSG_MAX) {
		/* cut at a UTF-8 boundary: not before a continuation */
		len = SR_STORE_MSG_MAX;
		while (len > 0 && ((unsigned char)msg[len] & 0xc0) == 0x80)
			len--;
	}
	return len;
}

static void
store_key_reset(struct sr_store *st, int64_t bucket)
{
	sr_buf_reset(&st->key);
	sr_buf_add(&st->key, &bucket, sizeof(bucket));
}

static void
store_key_field(struct sr_store *st, const char *s, int sep)
{
	if (sep)
		sr_buf_addc(&st->key, STORE_KEY_SEP);
	if (s)
		sr_buf_adds(&st->key, s);
}

/* Note the identity in the scratch key; a new one is to be written. */
static void
store_roll_ident(struct sr_store *st)
{
	size_t before = sr_hmap_count(st->ident);
	const char *k =
	    sr_hmap_putn(st->ident, st->key.data, st->key.len, NULL);

	if (sr_hmap_count(st->ident) == before)
		return; /* seen before: written or about to be */
	if (st->ident_new_n == st->ident_new_cap) {
		st->ident_new_cap =
		    st->ident_new_cap ? st->ident_new_cap * 2 : 256;
		st->ident_new = sr_xrealloc(st->ident_new,
		    st->ident_new_cap * sizeof(*st->ident_new));
	}
	st->ident_new[st->ident_new_n++] = k;
}

void
sr_store_set_limits(struct sr_store *st, const struct sr_limits *l)
{
	sr_card_free(st->card);
	st->card = sr_card_new(l);
	st->card_loaded = 0;
}

void
sr_store_folded(const struct sr_store *st, struct sr_card_folded *out)
{
	if (st->card != NULL)
		sr_card_folded(st->card, out);
	else
		memset(out, 0, sizeof(*out));
}

/*
 * Offer the names ev_minute already holds to the caps, oldest first, so
 * that a restart keeps the same names (a failed read only means the
 * names are met again as events come).
 */
static void
store_card_load(struct sr_store *st)
{
	static const char *const sql[2] = {
		"SELECT service, endpoint, MIN(minute) FROM ev_minute"
		" GROUP BY 1, 2 ORDER BY 3",
		"SELECT model, MIN(minute) FROM ev_minute WHERE model <> ''"
		" GROUP BY 1 ORDER BY 2",
	};
	struct sr_err err;

	if (st->card == NULL)
		st->card = sr_card_new(NULL);
	st->card_loaded = 1;
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s;

		if (store_prepare(st, sql[k], &s, &err,
			"cannot read ev_minute") < 0)
			continue;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *a = (const char *)sqlite3_column_text(s, 0);
			const char *b = (const char *)sqlite3_column_text(s, 1);

			a = a ? a : "";
			if (k == 1) {
				(void)sr_card_model(st->card, a, 0);
				continue;
			}
			a = sr_card_service(st->card, a, 0);
			if (b != NULL && *b != '\0')
				(void)sr_card_endpoint(st->card, a, b, 0);
		}
		sqlite3_finalize(s);
	}
}

static void
store_roll_event(struct sr_store *st, const struct sr_event *ev,
    const char *type)
{
	int64_t minute = store_floor(ev->ts_ms, STORE_MINUTE_MS);
	char sb[SR_ENDPOINT_MAX + 2], eb[SR_ENDPOINT_MAX + 2];
	char mb[SR_ENDPOINT_MAX + 2];
	const char *f[4] = { "", NULL, NULL, ev->host };
	struct ev_group *g;
	struct type_group *tg;
	uint64_t h;

	/* the names as the caps keep them: services, templated endpoints
	 * and models beyond the caps are "(other)" */
	if (!st->card_loaded)
		store_card_load(st);
	if (ev->service != NULL)
		f[0] = sr_template_name(ev->service, sb, sizeof(sb));
	f[0] = sr_card_service(st->card, f[0], 1);
	if (ev->endpoint != NULL)
		f[1] = sr_card_endpoint(st->card, f[0],
		    sr_template_endpoint(ev->endpoint, eb, sizeof(eb)), 1);
	if (ev->model != NULL)
		f[2] = sr_card_model(st->card,
		    sr_template_name(ev->model, mb, sizeof(mb)), 1);

	store_key_reset(st, minute);
	for (int k = 0; k < 4; k++)
		store_key_field(st, f[k], k > 0);
	if ((g = store_group_get(st, st->ev_min, &h)) == NULL) {
		const char *p;

		g = sr_xcalloc(1, sizeof(*g));
		g->minute = minute;
		g->lat_max = NAN;
		/* The map's copy of the key holds the fields, each NULL
		 * stored as "", and lives as long as the group. */
		p = store_group_put(st, st->ev_min, h, g) + 8;
		for (int k = 0; k < 4; k++) {
			g->f[k] = p;
			g->flen[k] = f[k] ? (int)strlen(f[k]) : 0;
			p += g->flen[k] + 1;
		}
	}
	g->requests += sr_event_is_request(ev);
	if (ev->has & SR_EV_HAS_STATUS) {
		if (ev->status_code >= 400 && ev->status_code <= 499)
			g->s4xx++;
		else if (ev->status_code >= 500 && ev->status_code <= 599)
			g->s5xx++;
	}
	if (ev->has & SR_EV_HAS_LATENCY) {
		double v = ev->response_time_ms;

		g->lat_n++;
		g->lat_sum += v;
		if (isnan(g->lat_max) || v > g->lat_max)
			g->lat_max = v;
		if (g->lat == NULL)
			g->lat = sr_sketch_new();
		sr_sketch_add(g->lat, v);
		if (ev->has & SR_EV_HAS_TOKENS_OUT)
			g->gen_ms += v;
	}
	if (ev->has & SR_EV_HAS_TOKENS_IN)
		g->tokens_in += ev->tokens_in;
	if (ev->has & SR_EV_HAS_TOKENS_OUT)
		g->tokens_out += ev->tokens_out;
	if (ev->has & SR_EV_HAS_TTFT) {
		if (g->ttft == NULL)
			g->ttft = sr_sketch_new();
		sr_sketch_add(g->ttft, ev->ttft_ms);
	}

	store_key_reset(st, minute);
	store_key_field(st, type, 0);
	if ((tg = store_group_get(st, st->type_min, &h)) == NULL) {
		tg = sr_xcalloc(1, sizeof(*tg));
		(void)store_group_put(st, st->type_min, h, tg);
	}
	tg->n++;

	if (ev->message && sr_event_is_error(ev)) {
		char tpl[SR_TEMPLATE_MAX + 1];
		size_t tlen = sr_template_make(ev->message, tpl, sizeof(tpl));
		struct err_group *eg;

		store_key_reset(st, minute);
		store_key_field(st, f[0], 0);
		sr_buf_addc(&st->key, STORE_KEY_SEP);
		sr_buf_add(&st->key, tpl, tlen);
		if ((eg = store_group_get(st, st->err_min, &h)) == NULL) {
			eg = sr_xcalloc(1, sizeof(*eg));
			eg->minute = minute;
			eg->service = sr_xstrdup(f[0]);
			eg->tpl = sr_xstrndup(tpl, tlen);
			(void)store_group_put(st, st->err_min, h, eg);
		}
		if (eg->example == NULL || ev->ts_ms >= eg->example_ts) {
			free(eg->example);
			eg->example = sr_xstrndup(ev->message,
			    sr_store_msg_len(ev->message));
			eg->example_ts = ev->ts_ms;
		}
		eg->n++;
	}

	for (int kind = 0; kind < 2; kind++) {
		const char *id = kind ? ev->session_id : ev->user_id;

		if (id == NULL)
			continue;
		store_key_reset(st, store_floor(ev->ts_ms, STORE_HOUR_MS));
		sr_buf_addc(&st->key, (char)kind);
		sr_buf_adds(&st->key, id);
		store_roll_ident(st);
	}
}

/* The member of ev that events column c reads. */
#define EV_AT(ev, c) ((const void *)((const char *)(ev) + (c)->off))

int
sr_store_add_event(struct sr_store *st, const struct sr_event *ev,
    struct sr_err *err)
{
	if (st->hold.max == 0)
		return store_insert_event(st, ev, err);
	if (st->hold.state != SR_STORE_OK) {
		if (st->hold.n >= st->hold.max) {
			st->hold.dropped_events++;
			return 1;
		}
		store_hold_event(st, ev);
		st->pending++;
		return 0;
	}
	/* held first: a commit inside the insert takes it too */
	store_hold_event(st, ev);
	if (store_insert_event(st, ev, err) < 0)
		(void)store_write_failed(st, err); /* held: not lost */
	return 0;
}

int
store_insert_event(struct sr_store *st, const struct sr_event *ev,
    struct sr_err *err)
{
	const char *type = sr_fields[SR_FIELD_TYPE].dflt;
	sqlite3_stmt *s;
	const struct store_col *c, *end;
	int brc = SQLITE_OK;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_EVENT, err)) == NULL)
		return -1;
	if (ev->event_type != NULL)
		type = ev->event_type;
	/* one parameter per events column (st->ev_col), a loop per kind */
	c = st->ev_col;
	for (end = st->ev_col + st->ev_col_end[STORE_COL_TEXT]; c < end; c++) {
		const char *v = *(const char *const *)EV_AT(ev, c);

		store_bind_str(s, c->param, v != NULL ? v : c->dflt, &brc);
	}
	for (end = st->ev_col + st->ev_col_end[STORE_COL_I64]; c < end; c++)
		if (ev->has & c->has)
			store_bind_i64(s, c->param,
			    *(const int64_t *)EV_AT(ev, c), &brc);
		else
			store_bind_null(s, c->param, &brc);
	for (end = st->ev_col + st->ev_col_end[STORE_COL_INT]; c < end; c++)
		if (ev->has & c->has)
			store_bind_i64(s, c->param, *(const int *)EV_AT(ev, c),
			    &brc);
		else
			store_bind_null(s, c->param, &brc);
	for (end = st->ev_col + st->ev_col_end[STORE_COL_REAL]; c < end; c++)
		if (ev->has & c->has)
			store_bind_dbl(s, c->param,
			    *(const double *)EV_AT(ev, c), &brc);
		else
			store_bind_null(s, c->param, &brc);
	for (end = st->ev_col + st->ev_col_end[STORE_COL_TIME]; c < end; c++)
		store_bind_i64(s, c->param, *(const int64_t *)EV_AT(ev, c),
		    &brc);
	for (end = st->ev_col + st->ev_col_end[STORE_COL_ERROR]; c < end; c++)
		store_bind_i64(s, c->param,
		    sr_event_is_error(ev) ? SR_STORE_EV_ERROR : 0, &brc);
	if (store_bound(st, s, brc, err, "cannot insert event") < 0 ||
	    store_run(st, s, err, "cannot insert event") < 0)
		return -1;
	store_roll_event(st, ev, type);
	st->pending++;
	if (st->event_rows >= 0)
		st->event_rows++;
	return store_row_done(st, err);
}

/* --- samples --- */

static void
store_roll_sample(struct sr_store *st, struct sr_hmap *mp, int64_t bucket,
    const char *name, double v)
{
	struct sample_group *g;
	uint64_t h;

	store_key_reset(st, bucket);
	sr_buf_adds(&st->key, name);
	if ((g = store_group_get(st, mp, &h)) == NULL) {
		g = sr_xmalloc(sizeof(*g));
		g->min = g->max = v;
		g->sum = 0;
		g->n = 0;
		g->written = 0;
		(void)store_group_put(st, mp, h, g);
	}
	if (v < g->min)
		g->min = v;
	if (v > g->max)
		g->max = v;
	g->sum += v;
	g->n++;
}

int
sr_store_add_sample(struct sr_store *st, const char *name, int64_t ts_ms,
    double value, struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (!isfinite(value))
		return sr_err_set(err, "sample '%s' is not a finite number",
		    name);
	if (STORE_HELD(st)) {
		st->hold.dropped_rows++;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return store_write_failed(st, err);
	if ((s = store_stmt(st, STMT_SAMPLE, err)) == NULL)
		return -1;
	store_bind_str(s, 1, name, &brc);
	store_bind_i64(s, 2, ts_ms, &brc);
	store_bind_dbl(s, 3, value, &brc);
	if (store_bound(st, s, brc, err, "cannot insert sample") < 0 ||
	    store_run(st, s, err, "cannot insert sample") < 0)
		return store_write_failed(st, err);
	if (ts_ms > st->sample_newest_ms)
		st->sample_newest_ms = ts_ms;
	store_roll_sample(st, st->s1m, store_floor(ts_ms, STORE_MINUTE_MS),
	    name, value);
	store_roll_sample(st, st->s1h, store_floor(ts_ms, STORE_HOUR_MS), name,
	    value);
	return store_row_done(st, err);
}

/* The cached INSERT of n sample rows (1 <= n <= STORE_SAMPLE_ROWS). */
static sqlite3_stmt *
store_sample_stmt(struct sr_store *st, size_t n, struct sr_err *err)
{
	struct sr_buf sql;
	int rc;

	if (st->sample_rows[n] != NULL)
		return st->sample_rows[n];
	sr_buf_init(&sql);
	sr_buf_adds(&sql, "INSERT INTO samples(name, ts, value) VALUES");
	for (size_t i = 0; i < n; i++)
		sr_buf_adds(&sql, i == 0 ? "(?,?,?)" : ",(?,?,?)");
	rc = sqlite3_prepare_v3(st->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->sample_rows[n], NULL);
	sr_buf_release(&sql);
	if (rc != SQLITE_OK) {
		store_sqlerr(st, err, "cannot prepare statement");
		return NULL;
	}
	return st->sample_rows[n];
}

int
sr_store_add_samples(struct sr_store *st, const char *const *names,
    const double *values, size_t n, int64_t ts_ms, struct sr_err *err)
{
	size_t bad = n, i = 0;

	if (STORE_HELD(st)) {
		st->hold.dropped_rows += n;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return store_write_failed(st, err);
	while (i < n) {
		size_t rows = 0, idx[STORE_SAMPLE_ROWS];
		sqlite3_stmt *s;
		int p = 1, brc = SQLITE_OK;

		for (; i < n && rows < STORE_SAMPLE_ROWS; i++) {
			if (!isfinite(values[i])) {
				if (bad == n)
					bad = i;
				continue;
			}
			idx[rows++] = i;
		}
		if (rows == 0)
			break;
		if ((s = store_sample_stmt(st, rows, err)) == NULL)
			return -1;
		for (size_t r = 0; r < rows; r++) {
			store_bind_str(s, p++, names[idx[r]], &brc);
			store_bind_i64(s, p++, ts_ms, &brc);
			store_bind_dbl(s, p++, values[idx[r]], &brc);
		}
		if (store_bound(st, s, brc, err, "cannot insert sample") < 0 ||
		    store_run(st, s, err, "cannot insert sample") < 0)
			return store_write_failed(st, err);
		if (ts_ms > st->sample_newest_ms)
			st->sample_newest_ms = ts_ms;
		for (size_t r = 0; r < rows; r++) {
			store_roll_sample(st, st->s1m,
			    store_floor(ts_ms, STORE_MINUTE_MS), names[idx[r]],
			    values[idx[r]]);
			store_roll_sample(st, st->s1h,
			    store_floor(ts_ms, STORE_HOUR_MS), names[idx[r]],
			    values[idx[r]]);
		}
		st->batch_rows += (uint32_t)(rows - 1);
		if (store_row_done(st, err) < 0)
			return -1;
		if (i < n && STORE_HELD(st)) {
			st->hold.dropped_rows += n - i;
			return 0;
		}
		if (i < n && store_begin(st, err) < 0)
			return store_write_failed(st, err);
	}
	if (bad < n)
		return sr_err_set(err, "sample '%s' is not a finite number",
		    names[bad]);
	return 0;
}

/* --- cursors --- */

int
sr_store_set_cursor(struct sr_store *st, const char *source, const char *cursor,
    struct sr_err *err)
{
	if (st->hold.max == 0)
		return store_cursor_row(st, source, cursor, err);
	store_hold_cursor(st, source, cursor);
	if (st->hold.state == SR_STORE_OK &&
	    store_cursor_row(st, source, cursor, err) < 0)
		(void)store_write_failed(st, err); /* held: not lost */
	return 0;
}

int
store_cursor_row(struct sr_store *st, const char *source, const char *cursor,
    struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_CURSOR_SET, err)) == NULL)
		return -1;
	store_bind_str(s, 1, source, &brc);
	store_bind_str(s, 2, cursor, &brc);
	store_bind_i64(s, 3, sr_now_ms(), &brc);
	return store_run(st, s, err, "cannot store cursor");
}

int
sr_store_get_cursor(struct sr_store *st, const char *source, char **cursor,
    struct sr_err *err)
{
	sqlite3_stmt *s;
	const char *held = store_held_cursor(st, source);
	int brc = SQLITE_OK;
	int rc;

	*cursor = NULL;
	if (held != NULL) {
		*cursor = sr_xstrdup(held);
		return 0;
	}
	if ((s = store_stmt(st, STMT_CURSOR_GET, err)) == NULL)
		return -1;
	store_bind_str(s, 1, source, &brc);
	if (store_bound(st, s, brc, err, "cannot read cursor") < 0)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*cursor = sr_xstrdup((const char *)sqlite3_column_text(s, 0));
	(void)sqlite3_reset(s); /* rc carries the error */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sr_err_set(err, "database '%s': cannot read cursor: %s",
		    st->path, sqlite3_errstr(rc));
	return 0;
}

/* --- insights --- */

int
sr_store_put_insight(struct sr_store *st, const char *id, const char *rule,
    const char *subject, const char *category, const char *severity,
    double confidence, const char *title, const char *description,
    const char *recommendation, const char *state, int64_t first_seen_ms,
    int64_t last_seen_ms, const char *data_json, struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (STORE_HELD(st)) {
		st->hold.dropped_rows++;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return store_write_failed(st, err);
	if ((s = store_stmt(st, STMT_INSIGHT, err)) == NULL)
		return -1;
	store_bind_str(s, 1, id, &brc);
	store_bind_str(s, 2, rule, &brc);
	store_bind_str(s, 3, subject, &brc);
	store_bind_str(s, 4, category, &brc);
	store_bind_str(s, 5, severity, &brc);
	store_bind_dbl(s, 6, confidence, &brc);
	store_bind_str(s, 7, title, &brc);
	store_bind_str(s, 8, description, &brc);
	store_bind_str(s, 9, recommendation, &brc);
	store_bind_str(s, 10, state, &brc);
	store_bind_i64(s, 11, first_seen_ms, &brc);
	store_bind_i64(s, 12, last_seen_ms, &brc);
	store_bind_str(s, 13, data_json, &brc);
	if (store_bound(st, s, brc, err, "cannot store insight") < 0 ||
	    store_run(st, s, err, "cannot store insight") < 0)
		return store_write_failed(st, err);
	return store_row_done(st, err);
}

int
sr_store_add_insight_history(struct sr_store *st, const char *id, int64_t ts_ms,
    const char *state, const char *severity, double value, const char *note,
    struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (STORE_HELD(st)) {
		st->hold.dropped_rows++;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return store_write_failed(st, err);
	if ((s = store_stmt(st, STMT_INSIGHT_HIST, err)) == NULL)
		return -1;
	store_bind_str(s, 1, id, &brc);
	store_bind_i64(s, 2, ts_ms, &brc);
	store_bind_str(s, 3, state, &brc);
	store_bind_str(s, 4, severity, &brc);
	if (isfinite(value))
		store_bind_dbl(s, 5, value, &brc);
	else
		store_bind_null(s, 5, &brc);
	store_bind_str(s, 6, note, &brc);
	if (store_bound(st, s, brc, err, "cannot store insight history") < 0 ||
	    store_run(st, s, err, "cannot store insight history") < 0)
		return store_write_failed(st, err);
	return store_row_done(st, err);
}

int
sr_store_touch_insight(struct sr_store *st, const char *id,
    int64_t last_seen_ms, struct sr_err *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (STORE_HELD(st)) {
		st->hold.dropped_rows++;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return store_write_failed(st, err);
	if ((s = store_stmt(st, STMT_INSIGHT_TOUCH, err)) == NULL)
		return -1;
	store_bind_str(s, 1, id, &brc);
	store_bind_i64(s, 2, last_seen_ms, &brc);
	if (store_bound(st, s, brc, err, "cannot touch insight") < 0 ||
	    store_run(st, s, err, "cannot touch insight") < 0)
		return store_write_failed(st, err);
	return store_row_done(st, err);
}

/* --- retention --- */

void
sr_retention_defaults(struct sr_retention *r)
{
	r->events_ms = 30LL * 24 * STORE_HOUR_MS;
	r->max_events = 0;
	r->samples_raw_ms = 24LL * STORE_HOUR_MS;
	r->samples_1m_ms = 30LL * 24 * STORE_HOUR_MS;
	r->samples_1h_ms = 365LL * 24 * STORE_HOUR_MS;
}

/* Run one bounded DELETE; adds the rows deleted to *total. */
static int
store_prune_one(struct sr_store *st, enum store_stmt_id id, int64_t below,
    int max_rows, int64_t *total, struct sr_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);
	int brc = SQLITE_OK;

	if (s == NULL)
		return -1;
	store_bind_i64(s, 1, below, &brc);
	store_bind_i64(s, 2, max_rows, &brc);
	if (store_bound(st, s, brc, err, "cannot prune") < 0 ||
	    store_run(st, s, err, "cannot prune") < 0)
		return -1;
	*total += sqlite3_changes(st->db);
	return sqlite3_changes(st->db);
}

static int
store_prune_all(struct sr_store *st, int64_t now_ms,
    const struct sr_retention *r, int max_rows, int64_t *total,
    struct sr_err *err)
{
	/*
	 * A raw row goes when ts < now - retention; a rollup bucket goes
	 * when all of it is older: start + width <= now - retention.
	 */
	static const struct {
		enum store_stmt_id id;
		int which; /* 0 events, 1 raw, 2 1m, 3 1h */
		int64_t width_ms;
	} t[] = {
		{ STMT_PRUNE_EVENTS, 0, 1 },
		{ STMT_PRUNE_EVMIN, 0, STORE_MINUTE_MS },
		{ STMT_PRUNE_TYPE, 0, STORE_MINUTE_MS },
		{ STMT_PRUNE_ERROR, 0, STORE_MINUTE_MS },
		{ STMT_PRUNE_IDENT, 0, STORE_HOUR_MS },
		{ STMT_PRUNE_SAMPLES, 1, 1 },
		{ STMT_PRUNE_S1M, 2, STORE_MINUTE_MS },
		{ STMT_PRUNE_S1H, 3, STORE_HOUR_MS },
	};
	const int64_t keep[4] = { r->events_ms, r->samples_raw_ms,
		r->samples_1m_ms, r->samples_1h_ms };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int64_t ret = keep[t[i].which];
		int n;

		if (ret <= 0)
			continue;
		n = store_prune_one(st, t[i].id,
		    now_ms - ret - t[i].width_ms + 1, max_rows, total, err);
		if (n < 0)
			return -1;
		if (t[i].id == STMT_PRUNE_EVENTS && st->event_rows >= 0)
			st->event_rows -= n;
	}
	if (r->max_events > 0) {
		sqlite3_stmt *s;
		int64_t excess;
		int brc = SQLITE_OK, rc;

		if (st->event_rows < 0) {
			if ((s = store_stmt(st, STMT_COUNT_EVENTS, err)) ==
			    NULL)
				return -1;
			rc = sqlite3_step(s);
			if (rc == SQLITE_ROW)
				st->event_rows = sqlite3_column_int64(s, 0);
			(void)sqlite3_reset(s); /* rc carries the error */
			if (rc != SQLITE_ROW) {
				st->event_rows = -1;
				return store_step_done(st, rc, err,
				    "cannot count events");
			}
		}
		excess = st->event_rows - r->max_events;
		if (excess > 0) {
			if ((s = store_stmt(st, STMT_PRUNE_CAP, err)) == NULL)
				return -1;
			store_bind_i64(s, 1,
			    excess < max_rows ? excess : max_rows, &brc);
			if (store_bound(st, s, brc, err, "cannot prune") < 0 ||
			    store_run(st, s, err, "cannot prune") < 0)
				return -1;
			*total += sqlite3_changes(st->db);
			st->event_rows -= sqlite3_changes(st->db);
		}
	}
	return 0;
}

int64_t
sr_store_prune(struct sr_store *st, int64_t now_ms,
    const struct sr_retention *r, int max_rows, struct sr_err *err)
{
	int64_t total = 0;
	int own_tx = !st->in_batch;
	struct sr_err e2;

	if (store_writable(st, err) < 0)
		return -1;
	if (max_rows <= 0 || STORE_HELD(st))
		return 0;
	/* Inside an open batch the deletes commit with it. */
	if (own_tx && store_exec_id(st, STMT_BEGIN, err) < 0)
		return -1;
	if (store_prune_all(st, now_ms, r, max_rows, &total, err) < 0) {
		if (own_tx)
			(void)store_exec_id(st, STMT_ROLLBACK, &e2);
		st->event_rows = -1;
		return own_tx ? -1 : store_write_failed(st, err);
	}
	if (own_tx && store_exec_id(st, STMT_COMMIT, err) < 0) {
		(void)store_exec_id(st, STMT_ROLLBACK, &e2);
		st->event_rows = -1;
		return -1;
	}
	return total;
}

void
store_write_init(struct sr_store *st)
{
	st->event_rows = -1;
	st->ev_min = sr_hmap_new(32, SR_HMAP_OWN_KEYS, ev_group_free);
	st->type_min = sr_hmap_new(32, SR_HMAP_OWN_KEYS, free);
	st->err_min = sr_hmap_new(32, SR_HMAP_OWN_KEYS, err_group_free);
	st->ident = sr_hmap_new(32, SR_HMAP_OWN_KEYS | SR_HMAP_DENSE, NULL);
	st->s1m = sr_hmap_new(32, SR_HMAP_OWN_KEYS, free);
	st->s1h = sr_hmap_new(32, SR_HMAP_OWN_KEYS, free);
	sr_buf_init(&st->key);
	sr_buf_init(&st->blob);
}

void
store_write_release(struct sr_store *st)
{
	sr_hmap_free(st->ev_min);
	sr_hmap_free(st->type_min);
	sr_hmap_free(st->err_min);
	sr_hmap_free(st->ident);
	sr_hmap_free(st->s1m);
	sr_hmap_free(st->s1h);
	free(st->ident_new);
	sr_card_free(st->card);
	sr_buf_release(&st->key);
	sr_buf_release(&st->blob);
	store_hold_release(st);
}
