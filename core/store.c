/* SPDX-License-Identifier: MIT */
/*
 * store: sitrep's SQLite file.  One handle, one thread.  Writes go into an
 * open transaction (the batch) with cached prepared statements; rollups
 * (ev_minute, type_minute, error_minute, ident_hour, samples_1m/1h) are
 * accumulated in memory in small hash tables while the batch is open and
 * upserted into their tables just before COMMIT, in the same transaction,
 * so the rollups always agree with the committed raw rows.
 *
 * The writer holds an flock() on the database file for its lifetime, so a
 * second writer fails fast with a message naming the holder, recorded in
 * the meta table.
 */
#include "core/store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/sketch.h"
#include "core/template.h"
#include "core/timeutil.h"

#define STORE_BUSY_MS 2000
#define STORE_MINUTE_MS 60000
#define STORE_HOUR_MS 3600000
#define STORE_KEY_SEP '\x1f'
#define STORE_IDENT_CACHE 200000 /* identities remembered, at most */

/*
 * Migrations: entry i takes user_version i to i + 1.  Adding a schema
 * version is one more entry here and SR_STORE_SCHEMA + 1.  The writer's
 * connection has sr_template(message) (core/template.h) for them.
 */
static const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
	" event_id TEXT, event_type TEXT NOT NULL, service TEXT,"
	" endpoint TEXT, status INTEGER, latency_ms REAL, user_id TEXT,"
	" session_id TEXT, message TEXT, model TEXT, tokens_in INTEGER,"
	" tokens_out INTEGER, ttft_ms REAL, host TEXT, metadata TEXT);"
	"CREATE INDEX events_ts ON events(ts);"
	"CREATE TABLE ev_minute(minute INTEGER NOT NULL,"
	" service TEXT NOT NULL, endpoint TEXT NOT NULL,"
	" model TEXT NOT NULL, host TEXT NOT NULL,"
	" requests INTEGER NOT NULL, status_4xx INTEGER NOT NULL,"
	" status_5xx INTEGER NOT NULL, lat_n INTEGER NOT NULL,"
	" lat_sum REAL NOT NULL, lat_max REAL, lat_sketch BLOB,"
	" tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL,"
	" gen_ms REAL NOT NULL, ttft_sketch BLOB,"
	" PRIMARY KEY(minute, service, endpoint, model, host))"
	" WITHOUT ROWID;"
	"CREATE TABLE type_minute(minute INTEGER NOT NULL,"
	" event_type TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY(minute, event_type)) WITHOUT ROWID;"
	"CREATE TABLE error_minute(minute INTEGER NOT NULL,"
	" service TEXT NOT NULL, message TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY(minute, service, message)) WITHOUT ROWID;"
	"CREATE TABLE ident_hour(hour INTEGER NOT NULL, kind INTEGER NOT NULL,"
	" id TEXT NOT NULL, PRIMARY KEY(hour, kind, id)) WITHOUT ROWID;"
	"CREATE TABLE samples(name TEXT NOT NULL, ts INTEGER NOT NULL,"
	" value REAL);"
	"CREATE INDEX samples_name_ts ON samples(name, ts);"
	"CREATE INDEX samples_ts ON samples(ts);"
	"CREATE TABLE samples_1m(name TEXT NOT NULL, ts INTEGER NOT NULL,"
	" min REAL, avg REAL, max REAL, n INTEGER NOT NULL,"
	" PRIMARY KEY(name, ts)) WITHOUT ROWID;"
	"CREATE INDEX samples_1m_ts ON samples_1m(ts);"
	"CREATE TABLE samples_1h(name TEXT NOT NULL, ts INTEGER NOT NULL,"
	" min REAL, avg REAL, max REAL, n INTEGER NOT NULL,"
	" PRIMARY KEY(name, ts)) WITHOUT ROWID;"
	"CREATE INDEX samples_1h_ts ON samples_1h(ts);"
	"CREATE TABLE insights(id TEXT PRIMARY KEY, rule TEXT, subject TEXT,"
	" category TEXT, severity TEXT, confidence REAL, title TEXT,"
	" description TEXT, recommendation TEXT, state TEXT,"
	" first_seen INTEGER, last_seen INTEGER, data TEXT);"
	"CREATE TABLE insight_history(id TEXT NOT NULL, ts INTEGER NOT NULL,"
	" state TEXT, severity TEXT, value REAL, note TEXT);"
	"CREATE INDEX insight_history_id_ts ON insight_history(id, ts);"
	"CREATE TABLE cursors(source TEXT PRIMARY KEY, cursor TEXT,"
	" updated INTEGER);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);",
	/* 1 -> 2: events.flags; error_minute keyed by template + example */
	"ALTER TABLE events ADD COLUMN flags INTEGER;"
	"CREATE TABLE error_minute_v2(minute INTEGER NOT NULL,"
	" service TEXT NOT NULL, message TEXT NOT NULL, n INTEGER NOT NULL,"
	" example TEXT, PRIMARY KEY(minute, service, message)) WITHOUT ROWID;"
	"INSERT INTO error_minute_v2(minute, service, message, n, example)"
	" SELECT minute, service, sr_template(message), SUM(n), MAX(message)"
	" FROM error_minute GROUP BY 1, 2, 3;"
	"DROP TABLE error_minute;"
	"ALTER TABLE error_minute_v2 RENAME TO error_minute;",
};

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
	SR_STORE_SCHEMA,
    "one migration per schema version");

/* Most rows of one multi-row sample INSERT (3 parameters a row). */
#define STORE_SAMPLE_ROWS 32

/* Cached statements, prepared on first use. */
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
	[STMT_EVENT] =
	    "INSERT INTO events(ts, event_id, event_type, service,"
	    " endpoint, status, latency_ms, user_id, session_id, message,"
	    " model, tokens_in, tokens_out, ttft_ms, host, metadata, flags)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17)",
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

/* --- a small open-addressing hash table keyed by byte strings --- */

struct map_slot {
	uint64_t hash;
	char *key; /* NULL: empty slot */
	size_t klen;
	void *val; /* owned, freed by the map's free_val */
	int64_t n; /* a counter for simple rollups */
};

struct store_map {
	struct map_slot *slots;
	size_t cap; /* power of two */
	size_t used;
	void (*free_val)(void *);
};

static uint64_t
map_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static void
map_grow(struct store_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct map_slot *slots = sr_xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < m->cap; i++) {
		struct map_slot *s = &m->slots[i];
		size_t j;

		if (s->key == NULL)
			continue;
		for (j = s->hash & (cap - 1); slots[j].key;
		     j = (j + 1) & (cap - 1))
			;
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

/* Find key's slot, creating an empty one (val NULL, n 0) when missing. */
static struct map_slot *
map_get(struct store_map *m, const char *key, size_t klen)
{
	uint64_t h = map_hash(key, klen);
	size_t j;

	if ((m->used + 1) * 10 > m->cap * 7)
		map_grow(m);
	for (j = h & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1)) {
		struct map_slot *s = &m->slots[j];

		if (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0)
			return s;
	}
	m->slots[j].hash = h;
	m->slots[j].key = sr_xmalloc(klen + 1);
	memcpy(m->slots[j].key, key, klen);
	m->slots[j].key[klen] = '\0';
	m->slots[j].klen = klen;
	m->slots[j].val = NULL;
	m->slots[j].n = 0;
	m->used++;
	return &m->slots[j];
}

/* Empty the map, keeping its memory. */
static void
map_clear(struct store_map *m)
{
	if (m->used == 0)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		struct map_slot *s = &m->slots[i];

		if (s->key == NULL)
			continue;
		if (s->val && m->free_val)
			m->free_val(s->val);
		free(s->key);
		s->key = NULL;
	}
	m->used = 0;
}

static void
map_release(struct store_map *m)
{
	map_clear(m);
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
}

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

/* One error_minute row: key is minute, service, template. */
struct err_group {
	int64_t minute;
	char *service;
	char *tpl;
	char *example; /* newest event's message */
	int64_t example_ts;
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

struct sample_group {
	double min, max, sum;
	int written; /* in the batch being committed */
};

/* Drop the sample groups written by the last commit; keep the others. */
static void
map_drop_written(struct store_map *m)
{
	struct map_slot *old = m->slots;
	size_t cap = m->cap;

	if (m->used == 0)
		return;
	m->slots = sr_xcalloc(cap, sizeof(*m->slots));
	m->used = 0;
	for (size_t i = 0; i < cap; i++) {
		struct map_slot *s = &old[i];
		struct sample_group *g = s->val;
		size_t j;

		if (s->key == NULL)
			continue;
		if (g == NULL || g->written) {
			if (g && m->free_val)
				m->free_val(g);
			free(s->key);
			continue;
		}
		for (j = s->hash & (cap - 1); m->slots[j].key;
		     j = (j + 1) & (cap - 1))
			;
		m->slots[j] = *s;
		m->used++;
	}
	free(old);
}

struct sr_store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int lock_fd;
	sqlite3_stmt *stmt[STMT__N];
	/* multi-row sample INSERTs, by row count (1..STORE_SAMPLE_ROWS) */
	sqlite3_stmt *sample_rows[STORE_SAMPLE_ROWS + 1];
	int in_batch;
	int64_t sample_newest_ms; /* newest sample ts added */
	int64_t s1h_minute;	  /* minute of the last 1 h write */
	int64_t batch_start_ms;	  /* monotonic */
	uint32_t batch_rows;
	uint64_t pending, committed;
	int64_t event_rows;	   /* -1 = not counted yet */
	struct store_map ev_min;   /* key: minute|service|endpoint|model|host */
	struct store_map type_min; /* key: minute|event_type; n */
	struct store_map err_min;  /* key: minute|service|template; n */
	struct store_map ident;	   /* key: hour|kind|id; n 1 = committed */
	struct store_map s1m, s1h; /* key: bucket|name; n */
	struct sr_buf key;	   /* scratch */
	struct sr_buf blob;	   /* scratch */
};

static int
store_sqlerr(struct sr_store *st, struct sr_err *err, const char *what)
{
	return sr_err_set(err, "database '%s': %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

static sqlite3_stmt *
store_stmt(struct sr_store *st, enum store_stmt_id id, struct sr_err *err)
{
	if (st->stmt[id] == NULL &&
	    sqlite3_prepare_v3(st->db, store_sql[id], -1,
		SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "cannot prepare statement");
		return NULL;
	}
	return st->stmt[id];
}

/* Step a statement that returns no rows, then reset it. */
static int
store_run(struct sr_store *st, sqlite3_stmt *s, struct sr_err *err,
    const char *what)
{
	int rc = sqlite3_step(s);

	(void)sqlite3_reset(s); /* the step's rc is the error */
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		if (rc == SQLITE_BUSY)
			return sr_err_set(err,
			    "database '%s' is locked by "
			    "another connection (waited %d ms)",
			    st->path, STORE_BUSY_MS);
		return sr_err_set(err, "database '%s': %s: %s", st->path, what,
		    sqlite3_errstr(rc));
	}
	return 0;
}

static int
store_exec_id(struct sr_store *st, enum store_stmt_id id, struct sr_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);

	return s ? store_run(st, s, err, store_sql[id]) : -1;
}

static int
store_writable(struct sr_store *st, struct sr_err *err)
{
	if (st->flags & SR_STORE_READONLY)
		return sr_err_set(err, "database '%s' is open read-only",
		    st->path);
	return 0;
}

/* Open the batch transaction if none is open. */
static int
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

static void
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int64_t
store_floor(int64_t ts, int64_t width)
{
	return sr_floor_div(ts, width) * width;
}

/* --- writing rollups at commit --- */

static void
store_bind_blob_sketch(struct sr_store *st, sqlite3_stmt *s, int i,
    const struct sr_sketch *sk)
{
	if (sk == NULL || sr_sketch_count(sk) == 0) {
		sqlite3_bind_null(s, i);
		return;
	}
	sr_buf_reset(&st->blob);
	sr_sketch_encode(sk, &st->blob);
	/* blob scratch is reused: bind a copy */
	sqlite3_bind_blob(s, i, st->blob.data, (int)st->blob.len,
	    SQLITE_TRANSIENT);
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
	int rc;

	if (get == NULL || put == NULL)
		return -1;
	sqlite3_bind_int64(get, 1, g->minute);
	for (int k = 0; k < 4; k++)
		sqlite3_bind_text(get, 2 + k, g->f[k], g->flen[k],
		    SQLITE_STATIC);
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
	sqlite3_bind_int64(put, 1, g->minute);
	for (int k = 0; k < 4; k++)
		sqlite3_bind_text(put, 2 + k, g->f[k], g->flen[k],
		    SQLITE_STATIC);
	sqlite3_bind_int64(put, 6, g->requests);
	sqlite3_bind_int64(put, 7, g->s4xx);
	sqlite3_bind_int64(put, 8, g->s5xx);
	sqlite3_bind_int64(put, 9, g->lat_n);
	sqlite3_bind_double(put, 10, g->lat_sum);
	if (isnan(g->lat_max))
		sqlite3_bind_null(put, 11);
	else
		sqlite3_bind_double(put, 11, g->lat_max);
	store_bind_blob_sketch(st, put, 12, g->lat);
	sqlite3_bind_int64(put, 13, g->tokens_in);
	sqlite3_bind_int64(put, 14, g->tokens_out);
	sqlite3_bind_double(put, 15, g->gen_ms);
	store_bind_blob_sketch(st, put, 16, g->ttft);
	return store_run(st, put, err, "cannot write ev_minute");
}

static int
store_write_rollups(struct sr_store *st, int all, struct sr_err *err)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < st->ev_min.cap; i++)
		if (st->ev_min.slots[i].key &&
		    store_write_ev_group(st, st->ev_min.slots[i].val, err) < 0)
			return -1;
	if (st->type_min.used) {
		if ((s = store_stmt(st, STMT_TYPE_UP, err)) == NULL)
			return -1;
		for (size_t i = 0; i < st->type_min.cap; i++) {
			struct map_slot *m = &st->type_min.slots[i];
			int64_t minute;

			if (m->key == NULL)
				continue;
			memcpy(&minute, m->key, sizeof(minute));
			sqlite3_bind_int64(s, 1, minute);
			sqlite3_bind_text(s, 2, m->key + 8, (int)m->klen - 8,
			    SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, m->n);
			if (store_run(st, s, err, "cannot write type_minute") <
			    0)
				return -1;
		}
	}
	if (st->err_min.used) {
		if ((s = store_stmt(st, STMT_ERROR_UP, err)) == NULL)
			return -1;
		for (size_t i = 0; i < st->err_min.cap; i++) {
			struct map_slot *m = &st->err_min.slots[i];
			struct err_group *g = m->val;

			if (m->key == NULL)
				continue;
			sqlite3_bind_int64(s, 1, g->minute);
			store_bind_text(s, 2, g->service);
			store_bind_text(s, 3, g->tpl);
			sqlite3_bind_int64(s, 4, m->n);
			store_bind_text(s, 5, g->example);
			if (store_run(st, s, err, "cannot write error_minute") <
			    0)
				return -1;
		}
	}
	if (st->ident.used) {
		if ((s = store_stmt(st, STMT_IDENT_UP, err)) == NULL)
			return -1;
		for (size_t i = 0; i < st->ident.cap; i++) {
			struct map_slot *m = &st->ident.slots[i];
			int64_t hour;

			if (m->key == NULL || m->n)
				continue;
			memcpy(&hour, m->key, sizeof(hour));
			sqlite3_bind_int64(s, 1, hour);
			sqlite3_bind_int(s, 2, m->key[8]);
			sqlite3_bind_text(s, 3, m->key + 9, (int)m->klen - 9,
			    SQLITE_STATIC);
			if (store_run(st, s, err, "cannot write ident_hour") <
			    0)
				return -1;
		}
	}
	for (int t = 0; t < 2; t++) {
		struct store_map *mp = t ? &st->s1h : &st->s1m;
		int64_t open_from = INT64_MAX; /* lazy: groups kept open */

		if (mp->used == 0)
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
		for (size_t i = 0; i < mp->cap; i++) {
			struct map_slot *m = &mp->slots[i];
			struct sample_group *g = m->val;
			int64_t ts;

			if (m->key == NULL)
				continue;
			memcpy(&ts, m->key, sizeof(ts));
			if (ts >= open_from)
				continue;
			g->written = 1;
			sqlite3_bind_text(s, 1, m->key + 8, (int)m->klen - 8,
			    SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, ts);
			sqlite3_bind_double(s, 3, g->min);
			sqlite3_bind_double(s, 4, g->sum / (double)m->n);
			sqlite3_bind_double(s, 5, g->max);
			sqlite3_bind_int64(s, 6, m->n);
			if (store_run(st, s, err,
				"cannot write sample "
				"rollups") < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Forget the batch's groups.  The identity set outlives batches: entries
 * already committed (n = 1) are not written again, which saves one
 * INSERT OR IGNORE per repeated user or session; it is only a cache, so
 * it is dropped when it grows large or when a batch fails.
 */
static void
store_clear_rollups(struct sr_store *st, int committed)
{
	map_clear(&st->ev_min);
	map_clear(&st->type_min);
	map_clear(&st->err_min);
	if (committed && (st->flags & SR_STORE_LAZY_ROLLUPS)) {
		map_drop_written(&st->s1m);
		map_drop_written(&st->s1h);
	} else {
		map_clear(&st->s1m);
		map_clear(&st->s1h);
	}
	if (!committed || st->ident.used > STORE_IDENT_CACHE) {
		map_clear(&st->ident);
		return;
	}
	for (size_t i = 0; i < st->ident.cap; i++)
		st->ident.slots[i].n = 1;
}

/* Commit the batch; all: write every sample rollup group (on close). */
static int
store_flush(struct sr_store *st, int all, struct sr_err *err)
{
	struct sr_err e2;

	if (all && !st->in_batch && st->s1m.used + st->s1h.used > 0 &&
	    store_begin(st, err) < 0)
		return -1;
	if (!st->in_batch)
		return 0;
	if (store_write_rollups(st, all, err) < 0 ||
	    store_exec_id(st, STMT_COMMIT, err) < 0) {
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
	if (st->in_batch &&
	    sr_mono_ms() - st->batch_start_ms >= SR_STORE_FLUSH_MS)
		return sr_store_flush(st, err);
	return 0;
}

int
sr_store_flush_due_ms(const struct sr_store *st)
{
	int64_t left;

	if (!st->in_batch)
		return -1;
	left = SR_STORE_FLUSH_MS - (sr_mono_ms() - st->batch_start_ms);
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
	if (++st->batch_rows >= SR_STORE_BATCH_MAX)
		return sr_store_flush(st, err);
	return 0;
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

static void
store_roll_event(struct sr_store *st, const struct sr_event *ev,
    const char *type)
{
	int64_t minute = store_floor(ev->ts_ms, STORE_MINUTE_MS);
	const char *f[4] = { ev->service, ev->endpoint, ev->model, ev->host };
	struct map_slot *m;
	struct ev_group *g;
	int is5xx;

	store_key_reset(st, minute);
	for (int k = 0; k < 4; k++)
		store_key_field(st, f[k], k > 0);
	m = map_get(&st->ev_min, st->key.data, st->key.len);
	if ((g = m->val) == NULL) {
		const char *p = m->key + 8;

		g = sr_xcalloc(1, sizeof(*g));
		g->minute = minute;
		g->lat_max = NAN;
		/* The key holds the fields, each NULL stored as "". */
		for (int k = 0; k < 4; k++) {
			g->f[k] = p;
			g->flen[k] = f[k] ? (int)strlen(f[k]) : 0;
			p += g->flen[k] + 1;
		}
		m->val = g;
	}
	g->requests++;
	is5xx = 0;
	if (ev->has & SR_EV_HAS_STATUS) {
		if (ev->status_code >= 400 && ev->status_code <= 499)
			g->s4xx++;
		else if (ev->status_code >= 500 && ev->status_code <= 599) {
			g->s5xx++;
			is5xx = 1;
		}
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
	map_get(&st->type_min, st->key.data, st->key.len)->n++;

	if (ev->message && (is5xx || (ev->has & SR_EV_IS_ERROR))) {
		char tpl[SR_TEMPLATE_MAX + 1];
		size_t tlen = sr_template_make(ev->message, tpl, sizeof(tpl));
		struct err_group *eg;

		store_key_reset(st, minute);
		store_key_field(st, ev->service, 0);
		sr_buf_addc(&st->key, STORE_KEY_SEP);
		sr_buf_add(&st->key, tpl, tlen);
		m = map_get(&st->err_min, st->key.data, st->key.len);
		if ((eg = m->val) == NULL) {
			eg = sr_xcalloc(1, sizeof(*eg));
			eg->minute = minute;
			eg->service =
			    sr_xstrdup(ev->service ? ev->service : "");
			eg->tpl = sr_xstrndup(tpl, tlen);
			m->val = eg;
		}
		if (eg->example == NULL || ev->ts_ms >= eg->example_ts) {
			free(eg->example);
			eg->example = sr_xstrndup(ev->message,
			    sr_store_msg_len(ev->message));
			eg->example_ts = ev->ts_ms;
		}
		m->n++;
	}

	for (int kind = 0; kind < 2; kind++) {
		const char *id = kind ? ev->session_id : ev->user_id;

		if (id == NULL)
			continue;
		store_key_reset(st, store_floor(ev->ts_ms, STORE_HOUR_MS));
		sr_buf_addc(&st->key, (char)kind);
		sr_buf_adds(&st->key, id);
		(void)map_get(&st->ident, st->key.data, st->key.len);
	}
}

int
sr_store_add_event(struct sr_store *st, const struct sr_event *ev,
    struct sr_err *err)
{
	const char *type = ev->event_type ? ev->event_type : "request";
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_EVENT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ev->ts_ms);
	store_bind_text(s, 2, ev->event_id);
	store_bind_text(s, 3, type);
	store_bind_text(s, 4, ev->service);
	store_bind_text(s, 5, ev->endpoint);
	if (ev->has & SR_EV_HAS_STATUS)
		sqlite3_bind_int(s, 6, ev->status_code);
	else
		sqlite3_bind_null(s, 6);
	if (ev->has & SR_EV_HAS_LATENCY)
		sqlite3_bind_double(s, 7, ev->response_time_ms);
	else
		sqlite3_bind_null(s, 7);
	store_bind_text(s, 8, ev->user_id);
	store_bind_text(s, 9, ev->session_id);
	store_bind_text(s, 10, ev->message);
	store_bind_text(s, 11, ev->model);
	if (ev->has & SR_EV_HAS_TOKENS_IN)
		sqlite3_bind_int64(s, 12, ev->tokens_in);
	else
		sqlite3_bind_null(s, 12);
	if (ev->has & SR_EV_HAS_TOKENS_OUT)
		sqlite3_bind_int64(s, 13, ev->tokens_out);
	else
		sqlite3_bind_null(s, 13);
	if (ev->has & SR_EV_HAS_TTFT)
		sqlite3_bind_double(s, 14, ev->ttft_ms);
	else
		sqlite3_bind_null(s, 14);
	store_bind_text(s, 15, ev->host);
	store_bind_text(s, 16, ev->metadata);
	sqlite3_bind_int(s, 17,
	    (ev->has & SR_EV_IS_ERROR) ? SR_STORE_EV_ERROR : 0);
	if (store_run(st, s, err, "cannot insert event") < 0)
		return -1;
	store_roll_event(st, ev, type);
	st->pending++;
	if (st->event_rows >= 0)
		st->event_rows++;
	return store_row_done(st, err);
}

/* --- samples --- */

static void
store_roll_sample(struct sr_store *st, struct store_map *mp, int64_t bucket,
    const char *name, double v)
{
	struct map_slot *m;
	struct sample_group *g;

	store_key_reset(st, bucket);
	sr_buf_adds(&st->key, name);
	m = map_get(mp, st->key.data, st->key.len);
	if ((g = m->val) == NULL) {
		g = sr_xmalloc(sizeof(*g));
		g->min = g->max = v;
		g->sum = 0;
		g->written = 0;
		m->val = g;
	}
	if (v < g->min)
		g->min = v;
	if (v > g->max)
		g->max = v;
	g->sum += v;
	m->n++;
}

int
sr_store_add_sample(struct sr_store *st, const char *name, int64_t ts_ms,
    double value, struct sr_err *err)
{
	sqlite3_stmt *s;

	if (!isfinite(value))
		return sr_err_set(err, "sample '%s' is not a finite number",
		    name);
	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_SAMPLE, err)) == NULL)
		return -1;
	store_bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, ts_ms);
	sqlite3_bind_double(s, 3, value);
	if (store_run(st, s, err, "cannot insert sample") < 0)
		return -1;
	if (ts_ms > st->sample_newest_ms)
		st->sample_newest_ms = ts_ms;
	store_roll_sample(st, &st->s1m, store_floor(ts_ms, STORE_MINUTE_MS),
	    name, value);
	store_roll_sample(st, &st->s1h, store_floor(ts_ms, STORE_HOUR_MS), name,
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

	if (store_begin(st, err) < 0)
		return -1;
	while (i < n) {
		size_t rows = 0, idx[STORE_SAMPLE_ROWS];
		sqlite3_stmt *s;
		int p = 1;

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
			store_bind_text(s, p++, names[idx[r]]);
			sqlite3_bind_int64(s, p++, ts_ms);
			sqlite3_bind_double(s, p++, values[idx[r]]);
		}
		if (store_run(st, s, err, "cannot insert sample") < 0)
			return -1;
		if (ts_ms > st->sample_newest_ms)
			st->sample_newest_ms = ts_ms;
		for (size_t r = 0; r < rows; r++) {
			store_roll_sample(st, &st->s1m,
			    store_floor(ts_ms, STORE_MINUTE_MS), names[idx[r]],
			    values[idx[r]]);
			store_roll_sample(st, &st->s1h,
			    store_floor(ts_ms, STORE_HOUR_MS), names[idx[r]],
			    values[idx[r]]);
		}
		st->batch_rows += (uint32_t)(rows - 1);
		if (store_row_done(st, err) < 0)
			return -1;
		if (i < n && store_begin(st, err) < 0)
			return -1;
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
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_CURSOR_SET, err)) == NULL)
		return -1;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, cursor);
	sqlite3_bind_int64(s, 3, sr_now_ms());
	return store_run(st, s, err, "cannot store cursor");
}

int
sr_store_get_cursor(struct sr_store *st, const char *source, char **cursor,
    struct sr_err *err)
{
	sqlite3_stmt *s = store_stmt(st, STMT_CURSOR_GET, err);
	int rc;

	*cursor = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, source);
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

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_INSIGHT, err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, rule);
	store_bind_text(s, 3, subject);
	store_bind_text(s, 4, category);
	store_bind_text(s, 5, severity);
	sqlite3_bind_double(s, 6, confidence);
	store_bind_text(s, 7, title);
	store_bind_text(s, 8, description);
	store_bind_text(s, 9, recommendation);
	store_bind_text(s, 10, state);
	sqlite3_bind_int64(s, 11, first_seen_ms);
	sqlite3_bind_int64(s, 12, last_seen_ms);
	store_bind_text(s, 13, data_json);
	if (store_run(st, s, err, "cannot store insight") < 0)
		return -1;
	return store_row_done(st, err);
}

int
sr_store_add_insight_history(struct sr_store *st, const char *id, int64_t ts_ms,
    const char *state, const char *severity, double value, const char *note,
    struct sr_err *err)
{
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_INSIGHT_HIST, err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, ts_ms);
	store_bind_text(s, 3, state);
	store_bind_text(s, 4, severity);
	if (isfinite(value))
		sqlite3_bind_double(s, 5, value);
	else
		sqlite3_bind_null(s, 5);
	store_bind_text(s, 6, note);
	if (store_run(st, s, err, "cannot store insight history") < 0)
		return -1;
	return store_row_done(st, err);
}

int
sr_store_touch_insight(struct sr_store *st, const char *id,
    int64_t last_seen_ms, struct sr_err *err)
{
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_stmt(st, STMT_INSIGHT_TOUCH, err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, last_seen_ms);
	if (store_run(st, s, err, "cannot touch insight") < 0)
		return -1;
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

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, below);
	sqlite3_bind_int(s, 2, max_rows);
	if (store_run(st, s, err, "cannot prune") < 0)
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

		if (st->event_rows < 0) {
			if ((s = store_stmt(st, STMT_COUNT_EVENTS, err)) ==
			    NULL)
				return -1;
			if (sqlite3_step(s) == SQLITE_ROW)
				st->event_rows = sqlite3_column_int64(s, 0);
			if (store_run(st, s, err, "cannot count events") < 0)
				return -1;
		}
		excess = st->event_rows - r->max_events;
		if (excess > 0) {
			if ((s = store_stmt(st, STMT_PRUNE_CAP, err)) == NULL)
				return -1;
			sqlite3_bind_int64(s, 1,
			    excess < max_rows ? excess : max_rows);
			if (store_run(st, s, err, "cannot prune") < 0)
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
	if (max_rows <= 0)
		return 0;
	/* Inside an open batch the deletes commit with it. */
	if (own_tx && store_exec_id(st, STMT_BEGIN, err) < 0)
		return -1;
	if (store_prune_all(st, now_ms, r, max_rows, &total, err) < 0) {
		if (own_tx)
			(void)store_exec_id(st, STMT_ROLLBACK, &e2);
		st->event_rows = -1;
		return -1;
	}
	if (own_tx && store_exec_id(st, STMT_COMMIT, err) < 0) {
		(void)store_exec_id(st, STMT_ROLLBACK, &e2);
		st->event_rows = -1;
		return -1;
	}
	return total;
}

/* --- reading --- */

struct sqlite3 *
sr_store_db(struct sr_store *st)
{
	return st->db;
}

const char *
sr_store_path(const struct sr_store *st)
{
	return st->path;
}

/* Bucketed series from one table; *rows set to the points delivered. */
static int
store_series_from(struct sr_store *st, int res, const char *name,
    int64_t from_ms, int64_t to_ms, int64_t step_ms,
    void (*fn)(void *, const struct sr_series_point *), void *ctx, int *rows,
    struct sr_err *err)
{
	static const char *const sql[3] = {
		"SELECT ts / ?1 * ?1 AS b, min(value), avg(value), max(value),"
		" count(*) FROM samples WHERE name = ?2 AND ts >= ?3"
		" AND ts <= ?4 GROUP BY b ORDER BY b",
		"SELECT ts / ?1 * ?1 AS b, min(min), sum(avg * n) / sum(n),"
		" max(max), sum(n) FROM samples_1m WHERE name = ?2"
		" AND ts >= ?3 AND ts <= ?4 GROUP BY b ORDER BY b",
		"SELECT ts / ?1 * ?1 AS b, min(min), sum(avg * n) / sum(n),"
		" max(max), sum(n) FROM samples_1h WHERE name = ?2"
		" AND ts >= ?3 AND ts <= ?4 GROUP BY b ORDER BY b",
	};
	static const int64_t width[3] = { 1, STORE_MINUTE_MS, STORE_HOUR_MS };
	sqlite3_stmt *s;
	int rc;

	*rows = 0;
	if (sqlite3_prepare_v2(st->db, sql[res], -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot query series");
	sqlite3_bind_int64(s, 1, step_ms);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	/* a rollup bucket that starts before from still overlaps it */
	sqlite3_bind_int64(s, 3, store_floor(from_ms, width[res]));
	sqlite3_bind_int64(s, 4, to_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sr_series_point pt = {
			.ts_ms = sqlite3_column_int64(s, 0),
			.min = sqlite3_column_double(s, 1),
			.avg = sqlite3_column_double(s, 2),
			.max = sqlite3_column_double(s, 3),
			.n = sqlite3_column_int64(s, 4),
		};

		fn(ctx, &pt);
		(*rows)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sr_err_set(err,
		    "database '%s': cannot query series: "
		    "%s",
		    st->path, sqlite3_errstr(rc));
	return 0;
}

int
sr_store_series(struct sr_store *st, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms,
    void (*fn)(void *ctx, const struct sr_series_point *pt), void *ctx,
    struct sr_err *err)
{
	int res, rows;

	if (step_ms <= 0)
		return sr_err_set(err, "series step must be positive");
	res = step_ms < STORE_MINUTE_MS ? 0 : step_ms < STORE_HOUR_MS ? 1 : 2;
	/* Fall back to finer data when the chosen table has none in range. */
	for (; res >= 0; res--) {
		if (store_series_from(st, res, name, from_ms, to_ms, step_ms,
			fn, ctx, &rows, err) < 0)
			return -1;
		if (rows > 0)
			break;
	}
	return 0;
}

int
sr_store_metric_names(struct sr_store *st, const char *glob,
    void (*fn)(void *ctx, const char *name), void *ctx, struct sr_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
		"SELECT name FROM samples_1m UNION"
		" SELECT name FROM samples ORDER BY 1",
		-1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot list metrics");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name && (glob == NULL || sr_glob(glob, name)))
			fn(ctx, name);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sr_err_set(err, "database '%s': cannot list metrics: %s",
		    st->path, sqlite3_errstr(rc));
	return 0;
}

/* --- open and close --- */

char *
sr_store_default_path(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return sr_xasprintf("%s/sitrep/sitrep.db", x);
	if (home && *home)
		return sr_xasprintf("%s/.local/share/sitrep/sitrep.db", home);
	return sr_xstrdup("sitrep.db");
}

/* mkdir -p of the folder holding path, mode 0755. */
static int
store_mkdirs(const char *path, struct sr_err *err)
{
	char *dir = sr_xstrdup(path), *slash = strrchr(dir, '/');
	struct stat sb;

	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0) {
			int e = errno;

			if (e != EEXIST) {
				sr_err_set(err,
				    "cannot create folder '%s' for "
				    "database '%s': %s",
				    dir, path, strerror(e));
				free(dir);
				return -1;
			}
			if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				sr_err_set(err,
				    "cannot create folder '%s' for "
				    "database '%s': %s",
				    dir, path,
				    "a file of that name is in the way");
				free(dir);
				return -1;
			}
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return 0;
}

/* SQL sr_template(message): the template of a message (core/template.h). */
static void
store_sql_template(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *m = (const char *)sqlite3_value_text(argv[0]);
	char tpl[SR_TEMPLATE_MAX + 1];
	size_t n;

	(void)argc;
	if (m == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	n = sr_template_make(m, tpl, sizeof(tpl));
	sqlite3_result_text(ctx, tpl, (int)n, SQLITE_TRANSIENT);
}

/* SQL sr_message(message): cut to SR_STORE_MSG_MAX bytes (UTF-8 safe). */
static void
store_sql_message(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *m = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (m == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, m, (int)sr_store_msg_len(m),
		    SQLITE_TRANSIENT);
}

static int
store_functions(struct sr_store *st, struct sr_err *err)
{
	int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(st->db, "sr_template", 1, f, NULL,
		store_sql_template, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "sr_message", 1, f, NULL,
		store_sql_message, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot register SQL functions");
	return 0;
}

/*
 * Process-wide SQLite settings, made once before the first connection:
 * no memory statistics (they cost a mutex and a counter update on every
 * allocation, ~3 % of the store thread).  sqlite3_config() fails
 * harmlessly when SQLite was already initialised elsewhere.
 */
static pthread_once_t store_config_once = PTHREAD_ONCE_INIT;

static void
store_config(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Exec SQL with no results; busy and other errors become one line. */
static int
store_exec(struct sr_store *st, const char *sql, struct sr_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_BUSY)
		return sr_err_set(err,
		    "database '%s' is locked by another "
		    "connection (waited %d ms)",
		    st->path, STORE_BUSY_MS);
	if (rc == SQLITE_NOTADB)
		return sr_err_set(err,
		    "cannot open database '%s': file is "
		    "not a database",
		    st->path);
	if (rc == SQLITE_READONLY)
		return sr_err_set(err,
		    "cannot open database '%s': file or "
		    "folder is read-only",
		    st->path);
	return sr_err_set(err, "cannot open database '%s': %s", st->path,
	    sqlite3_errmsg(st->db));
}

static int
store_user_version(struct sr_store *st, int *v, struct sr_err *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_exec(st, "PRAGMA user_version", err);
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_NOTADB)
			return sr_err_set(err,
			    "cannot open database '%s': "
			    "file is not a database",
			    st->path);
		return sr_err_set(err, "cannot open database '%s': %s",
		    st->path, sqlite3_errstr(rc));
	}
	return 0;
}

static int
store_migrate(struct sr_store *st, struct sr_err *err)
{
	int v;

	if (store_exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (store_user_version(st, &v, err) < 0)
		goto fail;
	if (v > SR_STORE_SCHEMA) {
		sr_err_set(err,
		    "database '%s' has schema version %d, newer "
		    "than this sitrep knows (%d): upgrade sitrep",
		    st->path, v, SR_STORE_SCHEMA);
		goto fail;
	}
	for (; v < SR_STORE_SCHEMA; v++) {
		char pragma[64];

		if (store_exec(st, store_migrations[v], err) < 0)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    v + 1);
		if (store_exec(st, pragma, err) < 0)
			goto fail;
	}
	if (store_exec(st, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	/* the error that brought us here is already in err */
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Record this process as the writer (read by a refused second writer). */
static int
store_write_meta(struct sr_store *st, struct sr_err *err)
{
	char host[256] = "?", when[32] = "?", *sql;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sql = sqlite3_mprintf(
	    "INSERT OR REPLACE INTO meta(key, value) VALUES"
	    "('writer_pid', '%d'), ('writer_host', %Q), ('writer_started', %Q)",
	    (int)getpid(), host, when);
	rc = store_exec(st, sql, err);
	sqlite3_free(sql);
	return rc;
}

/* The message for a database another process holds for writing. */
static int
store_in_use(const char *path, struct sr_err *err)
{
	char pid[32] = "", host[256] = "", since[64] = "";
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_busy_timeout(db, 200) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
		"SELECT key, value FROM meta WHERE key IN"
		" ('writer_pid', 'writer_host', 'writer_started')",
		-1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(s, 0);
			const char *v = (const char *)sqlite3_column_text(s, 1);

			if (k == NULL || v == NULL)
				continue;
			if (strcmp(k, "writer_pid") == 0)
				snprintf(pid, sizeof(pid), "%s", v);
			else if (strcmp(k, "writer_host") == 0)
				snprintf(host, sizeof(host), "%s", v);
			else
				snprintf(since, sizeof(since), "%s", v);
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (*pid && *host && *since)
		return sr_err_set(err,
		    "database '%s' is in use by sitrep pid "
		    "%s on %s since %s",
		    path, pid, host, since);
	return sr_err_set(err, "database '%s' is in use by another process",
	    path);
}

/*
 * Take the writer lock: an flock() on a separate fd to the database file.
 * SQLite uses POSIX (fcntl) record locks, which belong to the process and
 * are all dropped when the process closes ANY fd to that file; so this fd
 * must stay open until after sqlite3_close(), or closing it would silently
 * release the locks SQLite holds on its own connection.  flock() locks are
 * separate from POSIX ones on Linux, so the two do not interfere.
 */
static int
store_lock(struct sr_store *st, struct sr_err *err)
{
	int fd, e;

	fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		if (e == EACCES || e == EPERM || e == EROFS) {
			if (access(st->path, F_OK) == 0)
				return sr_err_set(err,
				    "cannot open database "
				    "'%s': file is read-only (%s)",
				    st->path, strerror(e));
			return sr_err_set(err,
			    "cannot create database '%s': "
			    "folder is read-only (%s)",
			    st->path, strerror(e));
		}
		return sr_err_set(err, "cannot open database '%s': %s",
		    st->path, strerror(e));
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return store_in_use(st->path, err);
		return sr_err_set(err, "cannot lock database '%s': %s",
		    st->path, strerror(e));
	}
	st->lock_fd = fd;
	return 0;
}

/* The folder must be writable too: SQLite creates -wal and -shm there. */
static int
store_check_folder(const char *path, struct sr_err *err)
{
	char *dir = sr_xstrdup(path), *slash = strrchr(dir, '/');
	const char *d = slash == NULL ? "." : slash == dir ? "/" : dir;
	int rc = 0;

	if (slash && slash != dir)
		*slash = '\0';
	if (access(d, W_OK) < 0)
		rc = sr_err_set(err,
		    "cannot open database '%s': folder '%s' "
		    "is read-only (%s)",
		    path, d, strerror(errno));
	free(dir);
	return rc;
}

static int
store_open_db(struct sr_store *st, struct sr_err *err)
{
	int ro = (st->flags & SR_STORE_READONLY) != 0, v;
	int oflags = SQLITE_OPEN_NOMUTEX |
	    (ro ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	int rc;

	(void)pthread_once(&store_config_once, store_config);
	rc = sqlite3_open_v2(st->path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK)
		return sr_err_set(err, "cannot open database '%s': %s",
		    st->path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(st->db, 0);
	if (sqlite3_busy_timeout(st->db, STORE_BUSY_MS) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot set busy timeout");
	if (store_functions(st, err) < 0)
		return -1;
	if (ro) {
		if (store_user_version(st, &v, err) < 0)
			return -1;
		if (v > SR_STORE_SCHEMA)
			return sr_err_set(err,
			    "database '%s' has schema "
			    "version %d, newer than this sitrep knows (%d): "
			    "upgrade sitrep",
			    st->path, v, SR_STORE_SCHEMA);
		if (v < SR_STORE_SCHEMA)
			return sr_err_set(err,
			    "database '%s' has schema "
			    "version %d: open it once for writing to upgrade "
			    "it to %d",
			    st->path, v, SR_STORE_SCHEMA);
		return 0;
	}
	if (strcmp(st->path, ":memory:") != 0 &&
	    sqlite3_db_readonly(st->db, "main") == 1)
		return sr_err_set(err,
		    "cannot open database '%s': file is "
		    "read-only",
		    st->path);
	if (store_user_version(st, &v, err) < 0)
		return -1;
	if (v > SR_STORE_SCHEMA)
		return sr_err_set(err,
		    "database '%s' has schema version %d, "
		    "newer than this sitrep knows (%d): upgrade sitrep",
		    st->path, v, SR_STORE_SCHEMA);
	if (store_exec(st, "PRAGMA journal_mode = WAL", err) < 0 ||
	    store_exec(st,
		(st->flags & SR_STORE_DURABLE) ? "PRAGMA synchronous = FULL"
					       : "PRAGMA synchronous = NORMAL",
		err) < 0 ||
	    store_exec(st, "PRAGMA temp_store = MEMORY", err) < 0 ||
	    store_exec(st, "PRAGMA cache_size = -16000", err) < 0)
		return -1;
	if (store_migrate(st, err) < 0)
		return -1;
	return store_write_meta(st, err);
}

struct sr_store *
sr_store_open(const char *path, unsigned flags, struct sr_err *err)
{
	struct sr_store *st = sr_xcalloc(1, sizeof(*st));
	int mem = strcmp(path, ":memory:") == 0;
	struct stat sb;

	st->path = sr_xstrdup(path);
	st->flags = flags;
	st->lock_fd = -1;
	st->event_rows = -1;
	st->ev_min.free_val = ev_group_free;
	st->err_min.free_val = err_group_free;
	st->s1m.free_val = free;
	st->s1h.free_val = free;
	sr_buf_init(&st->key);
	sr_buf_init(&st->blob);
	if (mem) {
		st->flags &= ~(unsigned)SR_STORE_READONLY;
	} else if (flags & SR_STORE_READONLY) {
		if (stat(path, &sb) < 0) {
			sr_err_set(err, "cannot open database '%s': %s", path,
			    strerror(errno));
			goto fail;
		}
	} else {
		if (store_mkdirs(path, err) < 0 ||
		    store_check_folder(path, err) < 0)
			goto fail;
		if (!(flags & SR_STORE_NO_LOCK) && store_lock(st, err) < 0)
			goto fail;
	}
	if (store_open_db(st, err) < 0)
		goto fail;
	return st;
fail:
	sr_store_close(st);
	return NULL;
}

void
sr_store_close(struct sr_store *st)
{
	struct sr_err e;

	if (st == NULL)
		return;
	if (st->db) {
		/* Best effort: close has nobody to report to. */
		(void)store_flush(st, 1, &e);
		for (int i = 0; i < STMT__N; i++)
			sqlite3_finalize(st->stmt[i]);
		for (int i = 0; i <= STORE_SAMPLE_ROWS; i++)
			sqlite3_finalize(st->sample_rows[i]);
		(void)sqlite3_close(st->db); /* all statements finalized */
	}
	/* Only now: see store_lock() on POSIX locks. */
	if (st->lock_fd >= 0)
		(void)close(st->lock_fd); /* nothing to recover */
	map_release(&st->ev_min);
	map_release(&st->type_min);
	map_release(&st->err_min);
	map_release(&st->ident);
	map_release(&st->s1m);
	map_release(&st->s1h);
	sr_buf_release(&st->key);
	sr_buf_release(&st->blob);
	free(st->path);
	free(st);
}
