/* SPDX-License-Identifier: MIT */
/*
 * store: sitrep's SQLite file.  One handle, one thread.  The store's
 * files are the only code that writes SQL for sitrep's database or
 * decodes its rows: this one opens and closes it (pragmas, the schema and
 * its migrations, the writer lock, SQL functions) and holds the helpers
 * every store file uses; store_write.c writes (the batch, rollups,
 * cursors, insights, retention); store_query.c and store_summary.c read.
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
#include "core/store_int.h"
#include "core/timeutil.h"

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

int
store_sqlerr(struct sr_store *st, struct sr_err *err, const char *what)
{
	return sr_err_set(err, "database '%s': %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

/* Step a statement that returns no rows, then reset it. */
int
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

int
store_step_done(struct sr_store *st, int rc, struct sr_err *err,
    const char *what)
{
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_BUSY)
		return sr_err_set(err,
		    "database '%s' is locked by another connection "
		    "(waited %d ms)",
		    st->path, STORE_BUSY_MS);
	return sr_err_set(err, "database '%s': %s: %s", st->path, what,
	    sqlite3_errstr(rc));
}

void
store_bind_i64(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_int64(s, i, v);
}

void
store_bind_dbl(sqlite3_stmt *s, int i, double v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_double(s, i, v);
}

void
store_bind_null(sqlite3_stmt *s, int i, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_null(s, i);
}

void
store_bind_str(sqlite3_stmt *s, int i, const char *v, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	*rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC)
		: sqlite3_bind_null(s, i);
}

void
store_bind_strn(sqlite3_stmt *s, int i, const char *v, int len, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_text(s, i, v, len, SQLITE_STATIC);
}

void
store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (n > INT32_MAX) {
		*rc = SQLITE_TOOBIG;
		return;
	}
	*rc = sqlite3_bind_blob(s, i, p, (int)n, SQLITE_TRANSIENT);
}

int
store_bound(struct sr_store *st, sqlite3_stmt *s, int rc, struct sr_err *err,
    const char *what)
{
	if (rc == SQLITE_OK)
		return 0;
	/* reset's result repeats the last step's error: bind is the news */
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s); /* always SQLITE_OK */
	return sr_err_set(err, "database '%s': %s: cannot bind a value: %s",
	    st->path, what, sqlite3_errstr(rc));
}

int
store_prepare(struct sr_store *st, const char *sql, sqlite3_stmt **s,
    struct sr_err *err, const char *what)
{
	*s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, what);
		sqlite3_finalize(*s); /* NULL after a failed prepare */
		*s = NULL;
		return -1;
	}
	return 0;
}

int64_t
store_floor(int64_t ts, int64_t width)
{
	return sr_floor_div(ts, width) * width;
}

const char *
sr_store_path(const struct sr_store *st)
{
	return st->path;
}

int
sr_store_read_begin(struct sr_store *st, struct sr_err *err)
{
	int rc;

	/* an open batch is already a transaction: reads see it */
	if (st->in_batch || st->in_read)
		return 0;
	rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(st, err, "cannot begin a read");
	st->in_read = 1;
	return 0;
}

void
sr_store_read_end(struct sr_store *st)
{
	if (!st->in_read)
		return;
	st->in_read = 0;
	/* a read transaction: ending it cannot lose anything */
	(void)sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
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

/* The page cache SQLite may fill: st->cache_kib KiB (a negative size). */
static int
store_cache_pragma(struct sr_store *st, struct sr_err *err)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", st->cache_kib);
	return store_exec(st, sql, err);
}

void
sr_store_cache(struct sr_store *st, int kib)
{
	struct sr_err err;

	st->cache_kib = kib > 0 ? kib : SR_STORE_CACHE_KIB;
	if (st->db != NULL)
		(void)store_cache_pragma(st, &err);
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
		/*
		 * A step that fails ends the loop with fields unset: the
		 * message below then names no holder, which is all a
		 * failure here can change.
		 */
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

/* The schema version a read-only handle needs: SR_STORE_SCHEMA. */
static int
store_ro_version(struct sr_store *st, struct sr_err *err)
{
	int v;

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

/* Open name (a path or, with SQLITE_OPEN_URI in oflags, a URI). */
static int
store_sqlite_open(struct sr_store *st, const char *name, int oflags,
    struct sr_err *err)
{
	int rc;

	if (st->db != NULL) {
		(void)sqlite3_close(st->db); /* no statement prepared yet */
		st->db = NULL;
	}
	rc = sqlite3_open_v2(name, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return sr_err_set(err, "cannot open database '%s': %s",
		    st->path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(st->db, 0);
	if (sqlite3_busy_timeout(st->db, STORE_BUSY_MS) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot set busy timeout");
	return store_functions(st, err);
}

/* "file:PATH?immutable=1" with PATH escaped for a URI; caller frees. */
static char *
store_immutable_uri(const char *path)
{
	struct sr_buf b;

	sr_buf_init(&b);
	sr_buf_adds(&b, path[0] == '/' ? "file://" : "file:");
	for (const char *p = path; *p; p++)
		if (*p == '?' || *p == '#' || *p == '%')
			sr_buf_addf(&b, "%%%02X", (unsigned char)*p);
		else
			sr_buf_add(&b, p, 1);
	sr_buf_adds(&b, "?immutable=1");
	return sr_buf_detach(&b, NULL);
}

/* Copy the file from to the new file to; 0, or -1 with errno set. */
static int
store_copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, rc = 0, e = 0;
	ssize_t n;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) <
	    0) {
		e = errno;
		(void)close(in); /* read only: nothing to lose */
		errno = e;
		return -1;
	}
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		for (ssize_t off = 0, w;
		     rc == 0 && n > 0 && off<n; off += w> 0 ? w : 0)
			if ((w = write(out, buf + off, (size_t)(n - off))) <
				0 &&
			    errno != EINTR) {
				rc = -1;
				e = errno;
			}
		if (n < 0 && errno != EINTR) {
			rc = -1;
			e = errno;
		}
	}
	(void)close(in); /* read only: nothing to lose */
	if (close(out) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	errno = e;
	return rc;
}

/* Remove a read-only handle's private copy (see store_open_ro()). */
static void
store_ro_copy_remove(struct sr_store *st)
{
	static const char *const sfx[] = { "/db", "/db-wal", "/db-shm",
		"/db-journal" };

	if (st->ro_copy_dir == NULL)
		return;
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *f = sr_xasprintf("%s%s", st->ro_copy_dir, sfx[i]);

		(void)unlink(f); /* absent ones are fine */
		free(f);
	}
	(void)rmdir(st->ro_copy_dir); /* best effort: a temp folder */
	free(st->ro_copy_dir);
	st->ro_copy_dir = NULL;
}

/*
 * Copy the database and its -wal into a private folder under $TMPDIR
 * (else /tmp) and open the copy: there SQLite can build the -shm it
 * needs to read the -wal.
 */
static int
store_open_ro_copy(struct sr_store *st, const char *wal, struct sr_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir, *db = NULL, *dbwal = NULL;
	int rc = -1;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	dir = sr_xasprintf("%s/sitrep-ro-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		sr_err_set(err,
		    "cannot read database '%s': its -wal needs a "
		    "-shm file next to it, and no copy could be made in "
		    "'%s': %s",
		    st->path, tmp, strerror(errno));
		free(dir);
		return -1;
	}
	st->ro_copy_dir = dir;
	db = sr_xasprintf("%s/db", dir);
	dbwal = sr_xasprintf("%s/db-wal", dir);
	if (store_copy_file(st->path, db) < 0 ||
	    store_copy_file(wal, dbwal) < 0)
		sr_err_set(err,
		    "cannot read database '%s': its -wal needs a "
		    "-shm file next to it, and copying it to '%s' "
		    "failed: %s",
		    st->path, dir, strerror(errno));
	else if (store_sqlite_open(st, db, SQLITE_OPEN_READONLY, err) == 0)
		rc = store_ro_version(st, err);
	free(db);
	free(dbwal);
	return rc;
}

/*
 * Open for reading only.  A database in WAL mode needs its -shm file
 * (the WAL index) to be read: SQLite creates it when the folder is
 * writable, and reads an existing one without writing it.  When neither
 * works (read-only media, a folder the user may not write, no -shm):
 * without a -wal, or with an empty one, every committed row is in the
 * main file, which is then opened immutable (no locks, no -shm); with a
 * -wal that holds rows, the two files are copied to a private folder and
 * the copy is read.  Only a file that cannot be read at all fails.
 */
static int
store_open_ro(struct sr_store *st, struct sr_err *err)
{
	struct stat sb;
	char *wal, *uri;
	int fd, rc, code;

	if (store_sqlite_open(st, st->path, SQLITE_OPEN_READONLY, err) == 0 &&
	    store_ro_version(st, err) == 0)
		return 0;
	/* what SQLite says when it cannot open or create the -shm */
	code = st->db != NULL ? sqlite3_errcode(st->db) : SQLITE_CANTOPEN;
	if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY)
		return -1; /* not a database, its schema: err says */
	if ((fd = open(st->path, O_RDONLY | O_CLOEXEC)) < 0)
		return sr_err_set(err, "cannot read database '%s': %s",
		    st->path, strerror(errno));
	(void)close(fd); /* opened only to learn whether it can be */
	wal = sr_xasprintf("%s-wal", st->path);
	if (stat(wal, &sb) == 0 && sb.st_size > 0) {
		rc = store_open_ro_copy(st, wal, err);
	} else {
		uri = store_immutable_uri(st->path);
		rc = store_sqlite_open(st, uri,
			 SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err) == 0
		    ? store_ro_version(st, err)
		    : -1;
		free(uri);
	}
	free(wal);
	return rc;
}

static int
store_open_db(struct sr_store *st, struct sr_err *err)
{
	int v;

	(void)pthread_once(&store_config_once, store_config);
	/* a reader's page cache is bounded as the writer's is */
	if (st->flags & SR_STORE_READONLY)
		return store_open_ro(st, err) < 0 ? -1
						  : store_cache_pragma(st, err);
	if (store_sqlite_open(st, st->path,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) < 0)
		return -1;
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
	    store_cache_pragma(st, err) < 0)
		return -1;
	if (store_migrate(st, err) < 0)
		return -1;
	return store_write_meta(st, err);
}

/* How the store binds field f (an events column). */
static enum store_col_kind
store_col_kind(const struct sr_field *f)
{
	switch (f->type) {
	case SR_FIELD_TEXT:
	case SR_FIELD_JSON:
		return STORE_COL_TEXT;
	case SR_FIELD_INT:
		return f->size == sizeof(int64_t) ? STORE_COL_I64
						  : STORE_COL_INT;
	case SR_FIELD_REAL:
		return STORE_COL_REAL;
	case SR_FIELD_TIME:
		return STORE_COL_TIME;
	case SR_FIELD_FLAG:
		break;
	}
	/* the one flag stored is the error (the flags column) */
	if (f->id != SR_FIELD_IS_ERROR)
		SR_BUG("store: a flag field the flags column lacks");
	return STORE_COL_ERROR;
}

/*
 * Build st->ev_insert, st->ev_cols and st->ev_col from the field table:
 * parameter and SELECT column n (after id) are the n-th field with an
 * sql name, in field order.
 */
static void
store_ev_sql(struct sr_store *st)
{
	struct sr_buf ins, vals, cols;
	int n = 0, nc = 0;

	sr_buf_init(&ins);
	sr_buf_init(&vals);
	sr_buf_init(&cols);
	sr_buf_adds(&ins, "INSERT INTO events(");
	sr_buf_adds(&cols, "id");
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (f->sql == NULL)
			continue;
		n++;
		sr_buf_addf(&ins, "%s%s", n > 1 ? ", " : "", f->sql);
		sr_buf_addf(&vals, "%s?%d", n > 1 ? ", " : "", n);
		sr_buf_addf(&cols, ", %s", f->sql);
	}
	sr_buf_addf(&ins, ") VALUES(%s)", vals.data);
	sr_buf_release(&vals);
	st->ev_insert = sr_buf_detach(&ins, NULL);
	st->ev_cols = sr_buf_detach(&cols, NULL);
	for (int k = 0; k < STORE_COL__N; k++) {
		n = 0;
		for (int i = 0; i < SR_FIELD__COUNT; i++) {
			const struct sr_field *f = &sr_fields[i];

			if (f->sql == NULL)
				continue;
			n++;
			if (store_col_kind(f) != (enum store_col_kind)k)
				continue;
			st->ev_col[nc].off = f->off;
			st->ev_col[nc].has = f->has;
			st->ev_col[nc].dflt = f->dflt;
			st->ev_col[nc].param = n;
			nc++;
		}
		st->ev_col_end[k] = nc;
	}
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
	st->cache_kib = SR_STORE_CACHE_KIB;
	st->flush_ms = SR_STORE_FLUSH_MS;
	store_ev_sql(st);
	store_write_init(st);
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
	store_note_id(st);
	return st;
fail:
	sr_store_close(st);
	return NULL;
}

/* Finalize the statements and close the connection (not the lock). */
static void
store_disconnect(struct sr_store *st)
{
	for (int i = 0; i < STMT__N; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	for (int i = 0; i <= STORE_SAMPLE_ROWS; i++) {
		sqlite3_finalize(st->sample_rows[i]);
		st->sample_rows[i] = NULL;
	}
	(void)sqlite3_close(st->db); /* all statements finalized */
	st->db = NULL;
	st->in_batch = 0;
	st->in_read = 0;
}

int
store_reopen(struct sr_store *st, struct sr_err *err)
{
	if (st->db != NULL)
		store_disconnect(st);
	/* only now: see store_lock() on POSIX locks */
	if (st->lock_fd >= 0) {
		(void)close(st->lock_fd); /* the old file: nothing to keep */
		st->lock_fd = -1;
	}
	if (store_mkdirs(st->path, err) < 0 ||
	    store_check_folder(st->path, err) < 0 ||
	    (!(st->flags & SR_STORE_NO_LOCK) && store_lock(st, err) < 0))
		return -1;
	if (store_open_db(st, err) < 0) {
		if (st->db != NULL)
			store_disconnect(st);
		return -1;
	}
	store_note_id(st);
	return 0;
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
		sr_store_read_end(st);
		store_disconnect(st);
	}
	/* Only now: see store_lock() on POSIX locks. */
	if (st->lock_fd >= 0)
		(void)close(st->lock_fd); /* nothing to recover */
	store_ro_copy_remove(st);
	store_write_release(st);
	free(st->ev_insert);
	free(st->ev_cols);
	free(st->path);
	free(st);
}

char *
sr_store_lib_version(void)
{
	return sr_lib_version("SQLite", sqlite3_libversion(), SQLITE_VERSION);
}
