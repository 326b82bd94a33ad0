/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/store.  Each test works in its own mkdtemp folder
 * (removed afterwards) or in a fresh file (tmem()).  Expected rollup values are worked
 * out by hand in the comments next to them.
 */
#define _GNU_SOURCE /* nftw's FTW_DEPTH/FTW_PHYS */
#include <CUnit/CUnit.h>
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/field.h"
#include "core/sketch.h"
#include "core/store.h"
#include "core/store_int.h" /* the connection, for PRAGMA cache_size */
#include "core/summary.h"

void sr_test_store_suite(void);

/* A minute- and hour-aligned instant: 1700006400000 = 472224 h. */
#define T_HOUR 1700006400000LL
#define T_MIN 60000LL

static char tmpdir[64];

static void
tmp_make(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sitrep-store-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static int
tmp_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
tmp_clean(void)
{
	(void)nftw(tmpdir, tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
tmp_path(const char *name)
{
	return sr_xasprintf("%s/%s", tmpdir, name);
}

/*
 * The tests' own connections to a store's file: a test reads the tables
 * with sqlite3 itself, as another process would (it sees what was
 * committed).  tmem() opens a store on a fresh file in its own folder,
 * where tests once used ":memory:"; tclose() closes the connections to
 * a store's file, the store, and removes a tmem() folder.
 */
#define TCONN_MAX 8

static struct {
	char *path;
	char *dir; /* tmem()'s folder, or NULL */
	sqlite3 *db;
} tconn[TCONN_MAX];

static int
tconn_slot(const char *path)
{
	int free_slot = -1;

	for (int i = 0; i < TCONN_MAX; i++) {
		if (tconn[i].path && strcmp(tconn[i].path, path) == 0)
			return i;
		if (tconn[i].path == NULL && free_slot < 0)
			free_slot = i;
	}
	CU_ASSERT_FATAL(free_slot >= 0);
	tconn[free_slot].path = sr_xstrdup(path);
	return free_slot;
}

static struct sr_store *
tmem(unsigned flags, struct sr_err *e)
{
	char dir[64], *path;
	struct sr_store *st;
	int i;

	snprintf(dir, sizeof(dir), "/tmp/sitrep-tmem-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	path = sr_xasprintf("%s/s.db", dir);
	st = sr_store_open(path, flags | SR_STORE_NO_LOCK, e);
	i = tconn_slot(path);
	tconn[i].dir = sr_xstrdup(dir);
	free(path);
	return st;
}

static sqlite3 *
tdb(struct sr_store *st)
{
	int i = tconn_slot(sr_store_path(st));

	if (tconn[i].db == NULL) {
		CU_ASSERT_FATAL(sqlite3_open_v2(tconn[i].path, &tconn[i].db,
				    SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
		sqlite3_busy_timeout(tconn[i].db, 2000);
	}
	return tconn[i].db;
}

static int
trm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
tclose(struct sr_store *st)
{
	char *path = st ? sr_xstrdup(sr_store_path(st)) : NULL;

	for (int i = 0; path && i < TCONN_MAX; i++) {
		if (tconn[i].path == NULL || strcmp(tconn[i].path, path) != 0)
			continue;
		if (tconn[i].db)
			sqlite3_close(tconn[i].db);
		tconn[i].db = NULL;
		sr_store_close(st);
		st = NULL;
		if (tconn[i].dir) {
			(void)nftw(tconn[i].dir, trm_one, 16,
			    FTW_DEPTH | FTW_PHYS);
			free(tconn[i].dir);
			tconn[i].dir = NULL;
		}
		free(tconn[i].path);
		tconn[i].path = NULL;
	}
	sr_store_close(st);
	free(path);
}

/* First column of the first row of a query, as an integer (-1: none). */
static int64_t
qi(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	sqlite3_stmt *s;
	int64_t v = -1;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "qi: %s: %s\n", sql, sqlite3_errmsg(db));
		sqlite3_free(sql);
		return -2;
	}
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return v;
}

static double
qd(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	sqlite3_stmt *s;
	double v = NAN;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW &&
		    sqlite3_column_type(s, 0) != SQLITE_NULL)
			v = sqlite3_column_double(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return v;
}

/* A sketch decoded from a blob column (NULL when the column is NULL). */
static struct sr_sketch *
qsketch(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	struct sr_sketch *sk = NULL;
	struct sr_err e;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) == SQLITE_BLOB) {
		sk = sr_sketch_new();
		if (sr_sketch_merge_encoded(sk, sqlite3_column_blob(s, 0),
			(size_t)sqlite3_column_bytes(s, 0), &e) < 0) {
			sr_sketch_free(sk);
			sk = NULL;
		}
	}
	sqlite3_finalize(s);
	return sk;
}

static sqlite3 *
ro_conn(const char *path)
{
	sqlite3 *db = NULL;

	CU_ASSERT_FATAL(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
			    NULL) == SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static struct sr_event
ev_make(int64_t ts, const char *service, int status, double lat)
{
	struct sr_event ev;

	sr_event_clear(&ev);
	ev.ts_ms = ts;
	ev.event_id = "x";
	ev.service = service;
	ev.endpoint = "/x";
	if (status) {
		ev.status_code = status;
		ev.has |= SR_EV_HAS_STATUS;
	}
	if (lat >= 0) {
		ev.response_time_ms = lat;
		ev.has |= SR_EV_HAS_LATENCY;
	}
	return ev;
}

static void
add(struct sr_store *st, const struct sr_event *ev)
{
	struct sr_err e;

	if (sr_store_add_event(st, ev, &e) < 0) {
		fprintf(stderr, "add_event: %s\n", e.msg);
		CU_FAIL("add_event");
	}
}

static void
flush(struct sr_store *st)
{
	struct sr_err e;

	if (sr_store_flush(st, &e) < 0) {
		fprintf(stderr, "flush: %s\n", e.msg);
		CU_FAIL("flush");
	}
}

/* --- open, migrations, errors --- */

static void
test_migrations(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(T_HOUR, "a", 200, 1);
	char *dbp;
	sqlite3 *db;

	tmp_make();
	/* a missing folder is created */
	dbp = tmp_path("deep/er/s.db");
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_STRING_EQUAL(sr_store_path(st), dbp);
	add(st, &ev);
	tclose(st);

	db = ro_conn(dbp);
	CU_ASSERT_EQUAL(qi(db, "PRAGMA user_version"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 1);
	sqlite3_close(db);
	{
		char *dir = tmp_path("deep/er");
		struct stat sb;

		CU_ASSERT_EQUAL(stat(dir, &sb), 0);
		CU_ASSERT_EQUAL(sb.st_mode & 0777, 0755);
		free(dir);
	}

	/* reopen keeps the data and the version */
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(qi(tdb(st), "SELECT count(*) FROM events"), 1);
	CU_ASSERT_EQUAL(qi(tdb(st), "PRAGMA user_version"), 2);
	CU_ASSERT_STRING_EQUAL(sqlite3_db_filename(tdb(st), "main"), dbp);
	tclose(st);

	/* a newer schema is refused, by writers and viewers */
	CU_ASSERT_EQUAL(sqlite3_open(dbp, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL,
			    NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_PTR_NULL(sr_store_open(dbp, 0, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "schema version 3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "newer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, dbp));
	CU_ASSERT_PTR_NULL(sr_store_open(dbp, SR_STORE_READONLY, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "newer"));

	free(dbp);
	tmp_clean();
}

static void
test_memory(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(T_HOUR, "a", 500, 3);

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	add(st, &ev);
	add(st, &ev);
	CU_ASSERT_EQUAL(sr_store_pending(st), 2);
	flush(st);
	CU_ASSERT_EQUAL(sr_store_committed(st), 2);
	CU_ASSERT_EQUAL(qi(tdb(st), "SELECT status_5xx FROM ev_minute"), 2);
	CU_ASSERT_EQUAL(qi(tdb(st), "PRAGMA user_version"), 2);
	tclose(st);
	tclose(NULL);
}

/* sr_store_event_span(st, after, to, max) gives want_n, want_last. */
static void
span_is(struct sr_store *st, int64_t after, int64_t to, int64_t max,
    int64_t want_n, int64_t want_last)
{
	struct sr_err e;
	int64_t n = -1, last = -1;

	CU_ASSERT_EQUAL(sr_store_event_span(st, after, to, max, &n, &last, &e),
	    0);
	CU_ASSERT_EQUAL(n, want_n);
	CU_ASSERT_EQUAL(last, want_last);
}

/*
 * sr_store_event_span() walks ids in bounded steps: ten events (ids 1..10)
 * with 4 and 5 deleted leave 1 2 3 6 7 8 9 10.
 */
static void
test_event_span(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(T_HOUR, "a", 200, 3);

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < 10; i++)
		add(st, &ev);
	flush(st);
	CU_ASSERT_EQUAL(sqlite3_exec(tdb(st),
			    "DELETE FROM events WHERE id IN (4, 5)", NULL, NULL,
			    NULL),
	    SQLITE_OK);
	span_is(st, 2, 10, 3, 3, 7);	/* 3 6 7 */
	span_is(st, 7, 9, 100, 2, 9);	/* 8 9 */
	span_is(st, 10, 20, 5, 0, 10);	/* nothing after 10 */
	span_is(st, 3, 5, 5, 0, 3);	/* 4 and 5 are gone */
	span_is(st, 0, 10, 0, 0, 0);	/* max 0 */
	span_is(st, 0, 10, 100, 8, 10); /* all */
	tclose(st);
}

/*
 * The store reads and writes the events table by the field table's sql
 * names: after the migrations every such name is a column, and there
 * are no others but the rowid id (the table's 18 columns, by hand: id
 * and the 17 of the schema's CREATE TABLE and ALTER TABLE).
 */
static void
test_field_columns(void)
{
	struct sr_store *st;
	struct sr_err e;
	int n = 0;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		if (sr_fields[i].sql == NULL)
			continue;
		n++;
		CU_ASSERT_EQUAL(qi(tdb(st),
				    "SELECT count(*) FROM pragma_table_info("
				    "'events') WHERE name = %Q",
				    sr_fields[i].sql),
		    1);
	}
	CU_ASSERT_EQUAL(n, 17);
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT count(*) FROM pragma_table_info('events')"),
	    18);
	tclose(st);
}

static void
test_readonly_open(void)
{
	struct sr_store *st, *ro;
	struct sr_err e;
	struct sr_event ev = ev_make(T_HOUR, "a", 200, 1);
	char *dbp, *missing;

	tmp_make();
	dbp = tmp_path("r.db");
	missing = tmp_path("missing.db");
	CU_ASSERT_PTR_NULL(sr_store_open(missing, SR_STORE_READONLY, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, missing));
	CU_ASSERT_EQUAL(access(missing, F_OK), -1); /* not created */

	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	add(st, &ev);
	flush(st);
	/* a viewer opens alongside the writer, takes no lock */
	ro = sr_store_open(dbp, SR_STORE_READONLY, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(qi(tdb(ro), "SELECT count(*) FROM events"), 1);
	CU_ASSERT_EQUAL(sr_store_add_event(ro, &ev, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "read-only"));
	tclose(ro);
	tclose(st);
	free(dbp);
	free(missing);
	tmp_clean();
}

static void
test_second_writer(void)
{
	struct sr_store *a, *b;
	struct sr_err e;
	char *dbp, pid[64], host[256];

	tmp_make();
	dbp = tmp_path("w.db");
	a = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	b = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NULL(b);
	snprintf(pid, sizeof(pid), "is in use by sitrep pid %d on ",
	    (int)getpid());
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, pid));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, dbp));
	CU_ASSERT_EQUAL(gethostname(host, sizeof(host)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, host));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, " since 20"));
	CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
	/* the first writer still works after the refusal */
	{
		struct sr_event ev = ev_make(T_HOUR, "a", 200, 1);

		add(a, &ev);
		flush(a);
		CU_ASSERT_EQUAL(qi(tdb(a), "SELECT count(*) FROM events"), 1);
	}
	tclose(a);
	/* released on close */
	b = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL(b);
	tclose(b);
	free(dbp);
	tmp_clean();
}

static void
test_not_a_database(void)
{
	struct sr_err e;
	char *dbp;
	FILE *f;

	tmp_make();
	dbp = tmp_path("junk.db");
	f = fopen(dbp, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 4096; i++)
		fputc('x', f);
	fclose(f);
	CU_ASSERT_PTR_NULL(sr_store_open(dbp, 0, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "file is not a database"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, dbp));
	CU_ASSERT_PTR_NULL(sr_store_open(dbp, SR_STORE_READONLY, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "file is not a database"));
	free(dbp);
	tmp_clean();
}

static void
test_bad_folder(void)
{
	struct sr_err e;

	/* A folder under a character device cannot be made, even by root. */
	CU_ASSERT_PTR_NULL(sr_store_open("/dev/null/sub/x.db", 0, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg,
	    "cannot create folder "
	    "'/dev/null'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/dev/null/sub/x.db"));
}

/*
 * Read-only file and folder.  root bypasses permission bits, so when the
 * tests run as root the checks run in a child that drops to uid/gid 65534
 * (nobody); the child sends back the two messages through a pipe.
 */
static void
test_readonly_paths(void)
{
	struct sr_store *st;
	struct sr_err e;
	char *rodir, *rodb, *wrdir, *rofile, buf[1024] = "";
	int fds[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;
	int status;

	tmp_make();
	CU_ASSERT_EQUAL_FATAL(chmod(tmpdir, 0755), 0);
	rodir = tmp_path("ro");
	rodb = tmp_path("ro/x.db");
	wrdir = tmp_path("rw");
	rofile = tmp_path("rw/x.db");
	CU_ASSERT_EQUAL_FATAL(mkdir(rodir, 0555), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(wrdir, 0777), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(wrdir, 0777), 0); /* umask aside */
	st = sr_store_open(rofile, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	tclose(st);
	CU_ASSERT_EQUAL_FATAL(chmod(rofile, 0444), 0);

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct sr_err ce;
		char out[600];

		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		if (sr_store_open(rodb, 0, &ce) != NULL)
			_exit(4);
		snprintf(out, sizeof(out), "%s\n", ce.msg);
		if (sr_store_open(rofile, 0, &ce) != NULL)
			_exit(5);
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s\n",
		    ce.msg);
		if (write(fds[1], out, strlen(out)) < 0)
			_exit(6);
		_exit(0);
	}
	close(fds[1]);
	while (got < sizeof(buf) - 1 &&
	    (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fds[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* line 1: the read-only folder; line 2: the read-only file */
	{
		char *nl = strchr(buf, '\n');

		CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
		*nl = '\0';
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, rodb));
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "read-only"));
		CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, rofile));
		CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "file is read-only"));
	}
	free(rodir);
	free(rodb);
	free(wrdir);
	free(rofile);
	tmp_clean();
}

/* Another connection holding the write lock past the busy timeout. */
static void
test_busy(void)
{
	struct sr_store *st;
	struct sr_err e;
	sqlite3 *db;
	char *dbp;

	tmp_make();
	dbp = tmp_path("b.db");
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	tclose(st);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(dbp, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	CU_ASSERT_PTR_NULL(sr_store_open(dbp, 0, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "locked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, dbp));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	free(dbp);
	tmp_clean();
}

/* --- batching --- */

static void
test_batching(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(T_HOUR, "a", 200, 1);
	char *dbp, *cur = NULL;
	sqlite3 *ro;

	tmp_make();
	dbp = tmp_path("batch.db");
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	ro = ro_conn(dbp);
	CU_ASSERT_EQUAL(sr_store_flush_due_ms(st), -1);
	for (int i = 0; i < 5; i++)
		add(st, &ev);
	CU_ASSERT_EQUAL(sr_store_set_cursor(st, "file:a", "offset=5", &e), 0);
	CU_ASSERT(sr_store_flush_due_ms(st) >= 0);
	CU_ASSERT(sr_store_flush_due_ms(st) <= SR_STORE_FLUSH_MS);
	CU_ASSERT_EQUAL(sr_store_pending(st), 5);
	CU_ASSERT_EQUAL(sr_store_committed(st), 0);
	/* not visible to another connection before the commit */
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 0);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM ev_minute"), 0);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM cursors"), 0);
	/* the writer sees its pending cursor */
	CU_ASSERT_EQUAL(sr_store_get_cursor(st, "file:a", &cur, &e), 0);
	CU_ASSERT_STRING_EQUAL(cur ? cur : "", "offset=5");
	free(cur);
	/* maybe_flush does not commit a young batch */
	CU_ASSERT_EQUAL(sr_store_maybe_flush(st, &e), 0);
	CU_ASSERT_EQUAL(sr_store_pending(st), 5);
	flush(st);
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	CU_ASSERT_EQUAL(sr_store_committed(st), 5);
	CU_ASSERT_EQUAL(sr_store_flush_due_ms(st), -1);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 5);
	CU_ASSERT_EQUAL(qi(ro, "SELECT requests FROM ev_minute"), 5);
	/* the cursor commits with the events it covers */
	CU_ASSERT_EQUAL(qi(ro,
			    "SELECT count(*) FROM cursors WHERE"
			    " source = 'file:a' AND cursor = 'offset=5'"),
	    1);

	/* the same again: cursor moves with the next batch */
	add(st, &ev);
	CU_ASSERT_EQUAL(sr_store_set_cursor(st, "file:a", "offset=6", &e), 0);
	CU_ASSERT_EQUAL(qi(ro,
			    "SELECT count(*) FROM cursors WHERE"
			    " cursor = 'offset=5'"),
	    1);
	/* an old batch is committed by maybe_flush */
	usleep((SR_STORE_FLUSH_MS + 20) * 1000);
	CU_ASSERT_EQUAL(sr_store_flush_due_ms(st), 0);
	CU_ASSERT_EQUAL(sr_store_maybe_flush(st, &e), 0);
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 6);
	CU_ASSERT_EQUAL(qi(ro,
			    "SELECT count(*) FROM cursors WHERE"
			    " cursor = 'offset=6'"),
	    1);
	CU_ASSERT_EQUAL(sr_store_get_cursor(st, "nope", &cur, &e), 0);
	CU_ASSERT_PTR_NULL(cur);
	tclose(st);

	/* close commits the open batch */
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	add(st, &ev);
	tclose(st);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 7);

	/* a longer commit interval: the batch past 250 ms is not due yet */
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	sr_store_set_flush_ms(st, 5000);
	add(st, &ev);
	CU_ASSERT(sr_store_flush_due_ms(st) > 4000);
	usleep((SR_STORE_FLUSH_MS + 20) * 1000);
	CU_ASSERT(sr_store_flush_due_ms(st) > 4000);
	CU_ASSERT_EQUAL(sr_store_maybe_flush(st, &e), 0);
	CU_ASSERT_EQUAL(sr_store_pending(st), 1);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 7);
	/* a flush still commits at once */
	flush(st);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 8);
	tclose(st);
	sqlite3_close(ro);
	free(dbp);
	tmp_clean();
}

static void
test_batch_max(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev;
	char *dbp;
	sqlite3 *ro;

	tmp_make();
	dbp = tmp_path("max.db");
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	ro = ro_conn(dbp);
	for (int i = 0; i < SR_STORE_BATCH_MAX - 1; i++) {
		ev = ev_make(T_HOUR + i, "a", 200, 1);
		add(st, &ev);
	}
	CU_ASSERT_EQUAL(sr_store_committed(st), 0);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"), 0);
	add(st, &ev); /* row BATCH_MAX commits */
	CU_ASSERT_EQUAL(sr_store_committed(st), SR_STORE_BATCH_MAX);
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	CU_ASSERT_EQUAL(qi(ro, "SELECT count(*) FROM events"),
	    SR_STORE_BATCH_MAX);
	CU_ASSERT_EQUAL(qi(ro, "SELECT sum(requests) FROM ev_minute"),
	    SR_STORE_BATCH_MAX);
	add(st, &ev);
	CU_ASSERT_EQUAL(sr_store_pending(st), 1);
	tclose(st);
	sqlite3_close(ro);
	free(dbp);
	tmp_clean();
}

/* --- rollups --- */

#define M0 T_HOUR	    /* first minute */
#define M1 (T_HOUR + T_MIN) /* second minute */

static void
rollup_events(struct sr_store *st)
{
	struct sr_event ev;

	/* minute 0, service a: statuses 200 404 500 503, latency 10..40 */
	ev = ev_make(M0 + 1000, "a", 200, 10);
	add(st, &ev);
	ev = ev_make(M0 + 2000, "a", 404, 20);
	add(st, &ev);
	ev = ev_make(M0 + 3000, "a", 500, 30);
	ev.message = "boom";
	add(st, &ev);
	ev = ev_make(M0 + 59999, "a", 503, 40); /* 5xx, no message */
	add(st, &ev);
	/* minute 0, service b: one LLM call and one click without numbers */
	ev = ev_make(M0 + 5000, "b", 200, 100);
	ev.tokens_in = 10;
	ev.tokens_out = 5;
	ev.ttft_ms = 50;
	ev.has |= SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT;
	add(st, &ev);
	ev = ev_make(M0 + 6000, "b", 0, -1);
	ev.event_type = "click";
	add(st, &ev);
	/* minute 1, service a */
	ev = ev_make(M1, "a", 200, 5);
	add(st, &ev);
	ev = ev_make(M1 + 1000, "a", 429, 7);
	ev.message = "slow down";
	ev.has |= SR_EV_IS_ERROR;
	add(st, &ev);
	/* minute 1, service b */
	ev = ev_make(M1 + 2000, "b", 502, 300);
	ev.message = "bad gateway";
	ev.tokens_out = 3;
	ev.has |= SR_EV_HAS_TOKENS_OUT;
	add(st, &ev);
	ev = ev_make(M1 + T_MIN - 1, "b", 200, 200);
	ev.tokens_in = 1;
	ev.tokens_out = 7;
	ev.ttft_ms = 80;
	ev.has |= SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT;
	add(st, &ev);
}

#define EVM(col, m, svc)                                          \
	"SELECT " col                                             \
	" FROM ev_minute WHERE minute = %lld AND service = '" svc \
	"' AND endpoint = '/x' AND model = '' AND host = ''",     \
	    (long long)(m)

static void
test_rollups(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_sketch *sk;
	sqlite3 *db;
	char *sql;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	rollup_events(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ev_minute"), 0);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 10);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ev_minute"), 4);
	/* raw rows: NULL for what the event lacked, "request" by default */
	CU_ASSERT_EQUAL(
	    qi(db,
		"SELECT count(*) FROM events WHERE status IS"
		" NULL AND latency_ms IS NULL AND event_type = 'click'"),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM events WHERE"
			    " event_type = 'request'"),
	    9);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM events WHERE"
			    " tokens_out IS NOT NULL"),
	    3);

	/* minute 0, a: 4 requests, 1 4xx, 2 5xx, latency 10+20+30+40 */
	CU_ASSERT_EQUAL(qi(db, EVM("requests", M0, "a")), 4);
	CU_ASSERT_EQUAL(qi(db, EVM("status_4xx", M0, "a")), 1);
	CU_ASSERT_EQUAL(qi(db, EVM("status_5xx", M0, "a")), 2);
	CU_ASSERT_EQUAL(qi(db, EVM("lat_n", M0, "a")), 4);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_sum", M0, "a")), 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_max", M0, "a")), 40, 1e-9);
	CU_ASSERT_EQUAL(qi(db, EVM("tokens_out", M0, "a")), 0);
	CU_ASSERT_EQUAL(qi(db, EVM("ttft_sketch IS NULL", M0, "a")), 1);
	sql = sqlite3_mprintf(EVM("lat_sketch", M0, "a"));
	sk = qsketch(db, sql);
	sqlite3_free(sql);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	CU_ASSERT_EQUAL(sr_sketch_count(sk), 4);
	/* nearest rank: p50 = 2nd of 4 = 20, p75 = 3rd = 30, p100 = 40 */
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(sk, 0.5), 20, 20 * 0.005);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(sk, 0.75), 30, 30 * 0.005);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(sk, 1), 40, 1e-9);
	sr_sketch_free(sk);

	/* minute 0, b: 1 request with latency 100 and tokens 10/5, and
	 * a click (an event without status or latency: no request) */
	CU_ASSERT_EQUAL(qi(db, EVM("requests", M0, "b")), 1);
	CU_ASSERT_EQUAL(qi(db, EVM("status_4xx + status_5xx", M0, "b")), 0);
	CU_ASSERT_EQUAL(qi(db, EVM("lat_n", M0, "b")), 1);
	CU_ASSERT_EQUAL(qi(db, EVM("tokens_in", M0, "b")), 10);
	CU_ASSERT_EQUAL(qi(db, EVM("tokens_out", M0, "b")), 5);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("gen_ms", M0, "b")), 100, 1e-9);
	sql = sqlite3_mprintf(EVM("ttft_sketch", M0, "b"));
	sk = qsketch(db, sql);
	sqlite3_free(sql);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	CU_ASSERT_EQUAL(sr_sketch_count(sk), 1);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(sk, 0.5), 50, 1e-9);
	sr_sketch_free(sk);

	/* minute 1, a: 200 and 429; latency 5 + 7 */
	CU_ASSERT_EQUAL(qi(db, EVM("requests", M1, "a")), 2);
	CU_ASSERT_EQUAL(qi(db, EVM("status_4xx", M1, "a")), 1);
	CU_ASSERT_EQUAL(qi(db, EVM("status_5xx", M1, "a")), 0);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_sum", M1, "a")), 12, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_max", M1, "a")), 7, 1e-9);

	/* minute 1, b: 502 and 200; latency 300 + 200, both with tokens */
	CU_ASSERT_EQUAL(qi(db, EVM("requests", M1, "b")), 2);
	CU_ASSERT_EQUAL(qi(db, EVM("status_5xx", M1, "b")), 1);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_sum", M1, "b")), 500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("lat_max", M1, "b")), 300, 1e-9);
	CU_ASSERT_EQUAL(qi(db, EVM("tokens_in", M1, "b")), 1);
	CU_ASSERT_EQUAL(qi(db, EVM("tokens_out", M1, "b")), 10);
	CU_ASSERT_DOUBLE_EQUAL(qd(db, EVM("gen_ms", M1, "b")), 500, 1e-9);

	/* type_minute: minute 0 has 5 requests and 1 click, minute 1 4 */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM type_minute"), 3);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM type_minute WHERE minute = %lld"
			    " AND event_type = 'request'",
			    (long long)M0),
	    5);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM type_minute WHERE minute = %lld"
			    " AND event_type = 'click'",
			    (long long)M0),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM type_minute WHERE minute = %lld"
			    " AND event_type = 'request'",
			    (long long)M1),
	    4);

	/* error_minute: boom (5xx), slow down (is_error), bad gateway */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM error_minute"), 3);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE minute = %lld"
			    " AND service = 'a' AND message = 'boom'",
			    (long long)M0),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE minute = %lld"
			    " AND service = 'a' AND message = 'slow down'",
			    (long long)M1),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE minute = %lld"
			    " AND service = 'b' AND message = 'bad gateway'",
			    (long long)M1),
	    1);
	tclose(st);
}

/* The same events split over two batches give the same rollups. */
static void
test_rollup_merge(void)
{
	struct sr_store *one, *two;
	struct sr_err e;
	struct sr_event ev;
	struct sr_sketch *a, *b;
	const char *sql =
	    "SELECT lat_sketch FROM ev_minute WHERE service = 'm'";

	one = tmem(0, &e);
	two = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_PTR_NOT_NULL_FATAL(two);
	for (int i = 0; i < 100; i++) {
		ev = ev_make(M0 + i * 100, "m", i % 10 == 0 ? 500 : 200,
		    1.0 + i);
		ev.message = "err";
		add(one, &ev);
		add(two, &ev);
		if (i == 39)
			flush(two); /* rows 0..39 then 40..99 */
	}
	flush(one);
	flush(two);
	/* all in one minute: 100 requests, 10 5xx, latency 1..100 */
	CU_ASSERT_EQUAL(qi(tdb(two), "SELECT requests FROM ev_minute"), 100);
	CU_ASSERT_EQUAL(qi(tdb(two),
			    "SELECT status_5xx FROM"
			    " ev_minute"),
	    10);
	CU_ASSERT_EQUAL(qi(tdb(two), "SELECT lat_n FROM ev_minute"), 100);
	CU_ASSERT_DOUBLE_EQUAL(qd(tdb(two),
				   "SELECT lat_sum FROM"
				   " ev_minute"),
	    5050, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(tdb(two),
				   "SELECT lat_max FROM"
				   " ev_minute"),
	    100, 1e-9);
	CU_ASSERT_EQUAL(qi(tdb(two), "SELECT n FROM error_minute"), 10);
	CU_ASSERT_EQUAL(qi(tdb(two), "SELECT n FROM type_minute"), 100);
	a = qsketch(tdb(one), sql);
	b = qsketch(tdb(two), sql);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(sr_sketch_count(b), 100);
	for (int q = 0; q <= 100; q += 5)
		CU_ASSERT_EQUAL(sr_sketch_quantile(a, q / 100.0),
		    sr_sketch_quantile(b, q / 100.0));
	/* p90 of 1..100 is 90 */
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(b, 0.9), 90, 90 * 0.005);
	sr_sketch_free(a);
	sr_sketch_free(b);
	tclose(one);
	tclose(two);
}

static void
test_error_message_cut(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(M0, "a", 500, 1);
	char msg[300];

	/* 199 ASCII bytes, then U+00E9 in bytes 199..200: cut before it */
	memset(msg, 'a', 199);
	memcpy(msg + 199, "\xc3\xa9tail", 7);
	ev.message = msg;
	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	add(st, &ev);
	msg[2] = 'b'; /* a different, long ASCII message: 200 bytes */
	memset(msg + 199, 'c', 50);
	msg[249] = '\0';
	add(st, &ev);
	flush(st);
	/* templates (no masks here: letters only) and examples are cut */
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT count(*) FROM error_minute"
			    " WHERE length(CAST(message AS BLOB)) = 199"
			    " AND length(CAST(example AS BLOB)) = 199"),
	    1);
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT count(*) FROM error_minute"
			    " WHERE length(CAST(message AS BLOB)) = 200"
			    " AND length(CAST(example AS BLOB)) = 200"),
	    1);
	/* the raw event keeps the whole message */
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT max(length(CAST(message AS"
			    " BLOB))) FROM events"),
	    249);
	tclose(st);
}

static void
test_ident_hour(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev;
	sqlite3 *db;
	static const struct {
		int64_t ts;
		const char *user, *session;
	} in[] = {
		{ T_HOUR + 1, "u1", "s1" },
		{ T_HOUR + 2, "u2", "s1" },
		{ T_HOUR + 3, "u1", NULL },
		{ T_HOUR + 3600000 - 1, NULL, "s1" },
		{ T_HOUR + 3600000, "u1", "s1" }, /* next hour */
		{ T_HOUR + 3600001, NULL, "s2" },
	};

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		ev = ev_make(in[i].ts, "a", 200, 1);
		ev.user_id = in[i].user;
		ev.session_id = in[i].session;
		add(st, &ev);
	}
	flush(st);
	/* a second batch repeating u2 and adding u3 in the first hour */
	ev = ev_make(T_HOUR + 10, "a", 200, 1);
	ev.user_id = "u2";
	add(st, &ev);
	ev.user_id = "u3";
	add(st, &ev);
	flush(st);
	/* hour 0: users u1 u2 u3, session s1; hour 1: user u1, s1 s2 */
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM ident_hour WHERE hour ="
			    " %lld AND kind = 0",
			    (long long)T_HOUR),
	    3);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM ident_hour WHERE hour ="
			    " %lld AND kind = 1",
			    (long long)T_HOUR),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM ident_hour WHERE hour ="
			    " %lld AND kind = 0",
			    (long long)T_HOUR + 3600000),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM ident_hour WHERE hour ="
			    " %lld AND kind = 1",
			    (long long)T_HOUR + 3600000),
	    2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ident_hour"), 7);
	tclose(st);
}

/* --- samples and series --- */

static void
sample(struct sr_store *st, const char *name, int64_t ts, double v)
{
	struct sr_err e;

	if (sr_store_add_sample(st, name, ts, v, &e) < 0) {
		fprintf(stderr, "add_sample: %s\n", e.msg);
		CU_FAIL("add_sample");
	}
}

struct pts {
	int n;
	struct sr_series_point p[16];
};

static void
collect(void *ctx, const struct sr_series_point *pt)
{
	struct pts *c = ctx;

	if (c->n < 16)
		c->p[c->n] = *pt;
	c->n++;
}

static void
test_samples(void)
{
	struct sr_store *st;
	struct sr_err e;
	sqlite3 *db;
	struct pts c;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	sample(st, "cpu", M0, 1);
	sample(st, "cpu", M0 + 30000, 3);
	sample(st, "cpu", M0 + 59999, 5);
	sample(st, "cpu", M1, 10);
	sample(st, "mem", M0, 100);
	flush(st);
	sample(st, "cpu", M0 + 1000, 7); /* second batch, minute 0 */
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples"), 6);
	/* minute 0: 1 3 5 7 -> min 1, avg 4, max 7, n 4 */
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT min FROM samples_1m WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)M0),
	    1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1m WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)M0),
	    4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT max FROM samples_1m WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)M0),
	    7, 1e-9);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM samples_1m WHERE name = 'cpu'"
			    " AND ts = %lld",
			    (long long)M0),
	    4);
	/* minute 1: 10 */
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1m WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)M1),
	    10, 1e-9);
	/* hour: 1 3 5 7 10 -> min 1, avg 5.2, max 10, n 5 */
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM samples_1h WHERE"
			    " name = 'cpu'"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT min FROM samples_1h WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)T_HOUR),
	    1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1h WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)T_HOUR),
	    5.2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT max FROM samples_1h WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)T_HOUR),
	    10, 1e-9);
	CU_ASSERT_EQUAL(qi(db, "SELECT n FROM samples_1h WHERE name = 'cpu'"),
	    5);

	/* raw, 1 s steps: 1@M0, 7@M0+1s, 3@+30s, 5@+59s, 10@M1 */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M1, 1000, collect, &c,
			    &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 5);
	CU_ASSERT_EQUAL(c.p[0].ts_ms, M0);
	CU_ASSERT_DOUBLE_EQUAL(c.p[1].avg, 7, 1e-9);
	CU_ASSERT_EQUAL(c.p[3].ts_ms, M0 + 59000);
	CU_ASSERT_DOUBLE_EQUAL(c.p[3].max, 5, 1e-9);
	CU_ASSERT_EQUAL(c.p[4].ts_ms, M1);
	/* raw, 30 s steps: [1 7] [3 5] [10] */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M1 + 1000, 30000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].avg, 4, 1e-9);
	CU_ASSERT_EQUAL(c.p[0].n, 2);
	CU_ASSERT_DOUBLE_EQUAL(c.p[1].min, 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c.p[1].max, 5, 1e-9);
	/* 1 m steps from samples_1m */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M1 + 1000, 60000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.p[0].ts_ms, M0);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].avg, 4, 1e-9);
	CU_ASSERT_EQUAL(c.p[0].n, 4);
	CU_ASSERT_DOUBLE_EQUAL(c.p[1].avg, 10, 1e-9);
	/* 2 m steps: weighted avg (1+3+5+7+10)/5 */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M1 + 1000, 120000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].avg, 5.2, 1e-9);
	CU_ASSERT_EQUAL(c.p[0].n, 5);
	/* 1 h steps from samples_1h */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M0 + 3600000, 3600000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_EQUAL(c.p[0].ts_ms, T_HOUR);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].avg, 5.2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].max, 10, 1e-9);
	/*
	 * Proof the 1 h table is read: change it behind the store's back,
	 * then drop it and see the fallback to finer data.
	 */
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE samples_1h SET max = 99", NULL,
			    NULL, NULL),
	    SQLITE_OK);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M0 + 3600000, 3600000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].max, 99, 1e-9);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "DELETE FROM samples_1h", NULL, NULL,
			    NULL),
	    SQLITE_OK);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "cpu", M0, M0 + 3600000, 3600000,
			    collect, &c, &e),
	    0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.p[0].max, 10, 1e-9);
	CU_ASSERT_EQUAL(c.p[0].n, 5);
	/* unknown metric: no points */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_series(st, "nope", M0, M1, 60000, collect, &c,
			    &e),
	    0);
	CU_ASSERT_EQUAL(c.n, 0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "cpu", M0, NAN, &e), -1);
	tclose(st);
}

/*
 * sr_store_add_samples: 75 samples span three multi-row INSERTs (32, 32,
 * 11 rows); the NaN at index 40 is left out and reported, the others
 * are stored and rolled up as one-by-one adds would be.
 */
static void
test_add_samples(void)
{
	struct sr_store *st;
	struct sr_err e;
	sqlite3 *db;
	char buf[75][16];
	const char *names[75];
	double values[75];

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	for (int i = 0; i < 75; i++) {
		snprintf(buf[i], sizeof(buf[i]), "m%02d", i);
		names[i] = buf[i];
		values[i] = i == 40 ? NAN : i * 0.5;
	}
	CU_ASSERT_EQUAL(sr_store_add_samples(st, names, values, 75, M0, &e),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'m40'"));
	values[40] = 1;
	CU_ASSERT_EQUAL(sr_store_add_samples(st, names, values, 75, M0 + 1000,
			    &e),
	    0);
	CU_ASSERT_EQUAL(sr_store_add_samples(st, names, values, 0, M0, &e), 0);
	flush(st);
	/* 74 + 75 rows; sum of i/2 over 0..74 = 1387.5 (minus 20 for the
	 * NaN in the first call, plus 1 for the second's m40) */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples"), 149);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples WHERE ts = %lld",
			    (long long)M0),
	    74);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT sum(value) FROM samples WHERE"
				   " ts = %lld",
				   (long long)M0),
	    1367.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT sum(value) FROM samples WHERE"
				   " ts = %lld",
				   (long long)(M0 + 1000)),
	    1368.5, 1e-9);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM samples WHERE name ="
			    " 'm74' AND value = 37"),
	    2);
	/* minute rollup of m40: only the finite 1; of m10: 5 twice */
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM samples_1m WHERE name = 'm40'"
			    " AND ts = %lld",
			    (long long)M0),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM samples_1m WHERE name = 'm10'"
			    " AND ts = %lld",
			    (long long)M0),
	    2);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1m WHERE name ="
				   " 'm10' AND ts = %lld",
				   (long long)M0),
	    5, 1e-9);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1h"), 75);
	tclose(st);
}

struct names {
	int n;
	char all[256];
};

static void
collect_name(void *ctx, const char *name)
{
	struct names *c = ctx;

	c->n++;
	snprintf(c->all + strlen(c->all), sizeof(c->all) - strlen(c->all),
	    "%s,", name);
}

static void
test_metric_names(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct names c;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	sample(st, "cpu.user", M0, 1);
	sample(st, "cpu.system", M0, 1);
	sample(st, "mem.used", M0, 1);
	sample(st, "cpu.user", M0 + 1, 1);
	flush(st);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_metric_names(st, "cpu.*", collect_name, &c,
			    &e),
	    0);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_STRING_EQUAL(c.all, "cpu.system,cpu.user,");
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sr_store_metric_names(st, NULL, collect_name, &c, &e),
	    0);
	CU_ASSERT_EQUAL(c.n, 3);
	tclose(st);
}

/* --- prune --- */

static void
test_prune(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev;
	struct sr_retention r;
	sqlite3 *db;
	const int64_t now = T_HOUR + 2 * 3600000; /* hour aligned */
	const int64_t cut = now - 600000;	  /* events: 10 min */
	int64_t evts[5] = { now - 3600001, cut - 60001, cut - 1, cut, now - 1 };
	int64_t n, total;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	for (int i = 0; i < 5; i++) {
		ev = ev_make(evts[i], "a", 500, 1);
		ev.message = "x";
		ev.user_id = i == 0 ? "old" : "new";
		add(st, &ev);
	}
	/* samples: raw and 1m keep 1 h, 1h keeps 1 h */
	sample(st, "m", now - 3600001, 1); /* raw gone; its minute gone */
	sample(st, "m", now - 3600000, 2); /* raw kept; minute kept */
	sample(st, "m", now - 7200000, 3); /* its hour ends at now-1h: gone */
	flush(st);
	/*
	 * Before: events 5; ev_minute/type/error 5 minutes each; ident_hour
	 * 2 hours (now-2h, now-1h); samples 3; samples_1m 3 minutes;
	 * samples_1h 2 hours (now-2h, now-1h).
	 */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ev_minute"), 5);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ident_hour"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1h"), 2);
	memset(&r, 0, sizeof(r));
	r.events_ms = 600000;
	r.samples_raw_ms = 3600000;
	r.samples_1m_ms = 3600000;
	r.samples_1h_ms = 3600000;
	/* one row per table per call: 8 tables, each has one to go */
	n = sr_store_prune(st, now, &r, 1, &e);
	CU_ASSERT_EQUAL(n, 8);
	total = n;
	for (int i = 0; i < 10 && n > 0; i++) {
		n = sr_store_prune(st, now, &r, 1, &e);
		CU_ASSERT(n >= 0);
		total += n;
	}
	/*
	 * Gone: events before cut (3); ev_minute, type_minute and
	 * error_minute minutes ending at or before cut (3 each); the
	 * ident hour now-2h (1); the raw sample at now-1h-1 and the one at
	 * now-2h (2); minutes now-1h-1min and now-2h (2); hour now-2h (1).
	 */
	CU_ASSERT_EQUAL(total, 3 + 3 + 3 + 3 + 1 + 2 + 2 + 1);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT min(ts) FROM events"), cut);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ev_minute"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT min(minute) FROM ev_minute"), cut);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM type_minute"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM error_minute"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM ident_hour"), 1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM ident_hour WHERE"
			    " id = 'new'"),
	    1);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples"), 1);
	CU_ASSERT_EQUAL(qi(db, "SELECT ts FROM samples"), now - 3600000);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1m"), 1);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1h"), 1);
	CU_ASSERT_EQUAL(qi(db, "SELECT ts FROM samples_1h"), now - 3600000);
	/* nothing left to do */
	CU_ASSERT_EQUAL(sr_store_prune(st, now, &r, 1000, &e), 0);
	/* zero retention keeps everything */
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sr_store_prune(st, now + 1000000000LL, &r, 1000, &e),
	    0);
	tclose(st);
}

static void
test_max_events(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev;
	struct sr_retention r;
	sqlite3 *db;
	int64_t n;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	/* ts offsets 0..9, inserted out of order: 0 7 4 1 8 5 2 9 6 3 */
	for (int i = 0; i < 10; i++) {
		ev = ev_make(T_HOUR + (i * 7) % 10, "a", 200, 1);
		add(st, &ev);
	}
	flush(st);
	memset(&r, 0, sizeof(r));
	r.max_events = 4;
	n = sr_store_prune(st, T_HOUR, &r, 3, &e);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 7);
	CU_ASSERT_EQUAL(qi(db, "SELECT min(ts) FROM events"), T_HOUR + 3);
	n = sr_store_prune(st, T_HOUR, &r, 3, &e);
	CU_ASSERT_EQUAL(n, 3);
	n = sr_store_prune(st, T_HOUR, &r, 3, &e);
	CU_ASSERT_EQUAL(n, 0);
	/* the 4 newest are left: offsets 6..9 */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 4);
	CU_ASSERT_EQUAL(qi(db, "SELECT min(ts) FROM events"), T_HOUR + 6);
	CU_ASSERT_EQUAL(qi(db, "SELECT max(ts) FROM events"), T_HOUR + 9);
	/* rollups are not touched by the cap */
	CU_ASSERT_EQUAL(qi(db, "SELECT requests FROM ev_minute"), 10);
	/* new events count against the cap, pending ones included */
	ev = ev_make(T_HOUR + 20, "a", 200, 1);
	add(st, &ev);
	add(st, &ev);
	n = sr_store_prune(st, T_HOUR, &r, 100, &e);
	CU_ASSERT_EQUAL(n, 2);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM events"), 4);
	CU_ASSERT_EQUAL(qi(db, "SELECT min(ts) FROM events"), T_HOUR + 8);
	tclose(st);
}

static void
test_insights(void)
{
	struct sr_store *st;
	struct sr_err e;
	sqlite3 *db;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	CU_ASSERT_EQUAL(sr_store_put_insight(st, "err-rate:api", "err-rate",
			    "api", "reliability", "warn", 0.8, "Errors up",
			    "desc", "rec", "firing", 1000, 2000, "{\"v\":1}",
			    &e),
	    0);
	CU_ASSERT_EQUAL(sr_store_add_insight_history(st, "err-rate:api", 1000,
			    "firing", "warn", 0.12, NULL, &e),
	    0);
	flush(st);
	CU_ASSERT_EQUAL(sr_store_put_insight(st, "err-rate:api", "err-rate",
			    "api", "reliability", "crit", 0.9, "Errors up",
			    "desc", "rec", "resolved", 1000, 3000, NULL, &e),
	    0);
	CU_ASSERT_EQUAL(sr_store_add_insight_history(st, "err-rate:api", 3000,
			    "resolved", "crit", NAN, "ok", &e),
	    0);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM insights"), 1);
	CU_ASSERT_EQUAL(qi(db, "SELECT last_seen FROM insights"), 3000);
	CU_ASSERT_EQUAL(qi(db, "SELECT first_seen FROM insights"), 1000);
	CU_ASSERT_EQUAL(
	    qi(db,
		"SELECT count(*) FROM insights WHERE"
		" state = 'resolved' AND severity = 'crit' AND data IS NULL"),
	    1);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM insight_history"), 2);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM insight_history WHERE"
			    " value IS NULL AND note = 'ok'"),
	    1);
	tclose(st);
}

/* First column of the first row as a string the caller frees (NULL: none). */
static char *
qs(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sr_xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* The schema sitrep 1 wrote (user_version 1), for migration tests. */
static const char store_v1_sql[] =
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
    "CREATE TABLE samples_1m(name TEXT NOT NULL, ts INTEGER NOT NULL,"
    " min REAL, avg REAL, max REAL, n INTEGER NOT NULL,"
    " PRIMARY KEY(name, ts)) WITHOUT ROWID;"
    "CREATE TABLE samples_1h(name TEXT NOT NULL, ts INTEGER NOT NULL,"
    " min REAL, avg REAL, max REAL, n INTEGER NOT NULL,"
    " PRIMARY KEY(name, ts)) WITHOUT ROWID;"
    "CREATE TABLE insights(id TEXT PRIMARY KEY, rule TEXT, subject TEXT,"
    " category TEXT, severity TEXT, confidence REAL, title TEXT,"
    " description TEXT, recommendation TEXT, state TEXT,"
    " first_seen INTEGER, last_seen INTEGER, data TEXT);"
    "CREATE TABLE insight_history(id TEXT NOT NULL, ts INTEGER NOT NULL,"
    " state TEXT, severity TEXT, value REAL, note TEXT);"
    "CREATE TABLE cursors(source TEXT PRIMARY KEY, cursor TEXT,"
    " updated INTEGER);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "PRAGMA user_version = 1;";

/*
 * A version-1 file: raw messages in error_minute, no events.flags.  After
 * the migration error_minute holds templates (counts summed, the
 * greatest message as example), old events have flags NULL, new events
 * 0 or 1, and the report's top errors at the range's partial minutes see
 * both (old rows by their metadata level, new rows by their flag).
 */
static void
test_migrate_v1(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev;
	struct sr_summary_opts o = { 0 };
	struct sr_summary *sum = NULL;
	sqlite3 *db;
	char *dbp, *x;

	tmp_make();
	dbp = tmp_path("v1.db");
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(dbp, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, store_v1_sql, NULL, NULL, NULL),
	    SQLITE_OK);
	/* minute M0 (whole in the range below): rollups only matter */
	CU_ASSERT_EQUAL(
	    sqlite3_exec(db,
		"INSERT INTO error_minute VALUES"
		"(1700006400000, 'w', 'timeout after 1500 ms', 2),"
		"(1700006400000, 'w', 'timeout after 30 ms', 3),"
		"(1700006400000, 'w', 'disk full', 1);"
		/* a raw old error in the range's first, partial minute:
	     * flagged only by its level */
		"INSERT INTO events(ts, event_id, event_type, service, message,"
		" metadata) VALUES(1700006399500, 'o1', 'log', 'w',"
		" 'timeout after 7 ms', '{\"level\":\"error\"}'),"
		"(1700006399600, 'o2', 'log', 'w', 'timeout after 8 ms',"
		" '{\"level\":\"info\"}'),"
		/* before the range in its first minute: that minute is
		 * read from raw events (its rollup row holds more) */
		"(1700006370000, 'o0', 'log', 'w', 'starting',"
		" '{\"level\":\"info\"}');",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	CU_ASSERT_EQUAL(qi(db, "PRAGMA user_version"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM error_minute"), 2);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE message ="
			    " 'timeout after <n> ms'"),
	    5);
	x = qs(db,
	    "SELECT example FROM error_minute WHERE message ="
	    " 'timeout after <n> ms'");
	CU_ASSERT_STRING_EQUAL(x, "timeout after 30 ms");
	free(x);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE message ="
			    " 'disk full'"),
	    1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT count(*) FROM events WHERE flags IS"
			    " NULL"),
	    3);

	/* new rows: flag written; an error marked only by SR_EV_IS_ERROR
	 * (no status, no metadata) in the range's last, partial minute */
	ev = ev_make(M1 + 1000, "w", 0, -1);
	ev.message = "timeout after 9 ms";
	ev.has |= SR_EV_IS_ERROR;
	add(st, &ev);
	ev = ev_make(M1 + 2000, "w", 0, -1);
	ev.message = "timeout after 10 ms"; /* not an error */
	add(st, &ev);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT flags FROM events WHERE ts = %lld",
			    (long long)(M1 + 1000)),
	    1);
	CU_ASSERT_EQUAL(qi(db, "SELECT flags FROM events WHERE ts = %lld",
			    (long long)(M1 + 2000)),
	    0);

	/* [M0 - 1 s, M1 + 30 s): 2 + 3 (rollup) + 1 (old, level) + 1
	 * (new, flag) = 7 "timeout after <n> ms"; "disk full" 1 */
	o.from_ms = M0 - 1000;
	o.to_ms = M1 + 30000;
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &sum, &e), 0);
	for (size_t i = 0; i < sum->n_services; i++) {
		const struct sr_summary_service *sv = &sum->services[i];

		if (strcmp(sv->service, "w") != 0)
			continue;
		CU_ASSERT_EQUAL_FATAL(sv->n_errors, 2);
		CU_ASSERT_STRING_EQUAL(sv->errors[0].tpl,
		    "timeout after <n> ms");
		CU_ASSERT_EQUAL(sv->errors[0].n, 7);
		/* the example comes from the newest minute */
		CU_ASSERT_STRING_EQUAL(sv->errors[0].example,
		    "timeout after 9 ms");
		CU_ASSERT_STRING_EQUAL(sv->errors[1].tpl, "disk full");
		CU_ASSERT_EQUAL(sv->errors[1].n, 1);
	}
	sr_summary_free(sum);
	tclose(st);

	/* viewers open it now */
	st = sr_store_open(dbp, SR_STORE_READONLY, &e);
	CU_ASSERT_PTR_NOT_NULL(st);
	tclose(st);
	free(dbp);
	tmp_clean();
}

/* error_minute groups by template; the example is the newest message. */
/* Collects error patterns as "service|template|n|example;". */
static int
pattern_cb(void *ctx, const char *service, const char *tpl, int64_t n,
    const char *example)
{
	sr_buf_addf(ctx, "%s|%s|%lld|%s;", service, tpl, (long long)n, example);
	return 0;
}

static void
test_error_templates(void)
{
	struct sr_store *st;
	struct sr_err e;
	struct sr_event ev = ev_make(M0 + 5000, "a", 503, 1);
	sqlite3 *db;
	char *x;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	ev.message = "user 42 not found";
	add(st, &ev);
	ev.ts_ms = M0 + 9000;
	ev.message = "user 7 not found";
	add(st, &ev);
	ev.ts_ms = M0 + 1000; /* older: not the example */
	ev.message = "user 1 not found";
	add(st, &ev);
	flush(st);
	ev.ts_ms = M0 + 2000; /* a later batch, same row */
	ev.message = "user 99 not found";
	add(st, &ev);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM error_minute"), 1);
	CU_ASSERT_EQUAL(qi(db,
			    "SELECT n FROM error_minute WHERE message ="
			    " 'user <n> not found'"),
	    4);
	/* within a batch the newest event's message; a later batch's
	 * message replaces it */
	x = qs(db, "SELECT example FROM error_minute");
	CU_ASSERT_STRING_EQUAL(x, "user 99 not found");
	free(x);
	/* the store's SQL functions sr_template() and sr_message(), as
	 * the raw edge of a report range uses them */
	ev.ts_ms = M0 + 30000;
	ev.message = "took 1500 ms";
	add(st, &ev);
	flush(st);
	{
		struct sr_store_split sp;
		struct sr_buf got;

		sr_buf_init(&got);
		sr_store_split_range(M0 + 20000, M0 + 40000, 60000, &sp);
		CU_ASSERT_EQUAL(sr_store_error_patterns(st, M0 + 20000,
				    M0 + 40000, &sp, NULL, NULL, pattern_cb,
				    &got, &e),
		    0);
		CU_ASSERT_STRING_EQUAL(got.len ? got.data : "",
		    "a|took <n> ms|1|took 1500 ms;");
		sr_buf_release(&got);
	}
	tclose(st);
}

/* sr_store_touch_insight moves last_seen forward only. */
static void
test_touch_insight(void)
{
	struct sr_store *st;
	struct sr_err e;
	sqlite3 *db;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	CU_ASSERT_EQUAL(sr_store_put_insight(st, "i1", "r", "s", "c", "warn",
			    0.5, "t", "d", "r", "firing", 1000, 1000, NULL, &e),
	    0);
	flush(st);
	CU_ASSERT_EQUAL(sr_store_touch_insight(st, "i1", 5000, &e), 0);
	CU_ASSERT_EQUAL(sr_store_touch_insight(st, "i1", 4000, &e), 0);
	CU_ASSERT_EQUAL(sr_store_touch_insight(st, "nope", 9000, &e), 0);
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	flush(st);
	CU_ASSERT_EQUAL(qi(db, "SELECT last_seen FROM insights"), 5000);
	CU_ASSERT_EQUAL(qi(db, "SELECT first_seen FROM insights"), 1000);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM insights"), 1);
	tclose(st);
}

/*
 * The engine keeps a firing insight's last_seen current in the store:
 * cpu at 95 % from t = 60 s fires at t = 180 s (a transition: the row is
 * written with last_seen 180 s) and stays true until t = 239 s, so the
 * committed row says 239 s, not 180 s.
 */
static void
test_engine_touches_firing(void)
{
	const int64_t t0 = 1767225600000LL;
	struct sr_config cfg;
	struct sr_engine *eng;
	struct sr_store *st;
	struct sr_err e;

	st = tmem(0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	sr_config_init(&cfg);
	eng = sr_engine_new(&cfg);
	for (int t = 0; t < 240; t++) {
		int64_t ts = t0 + (int64_t)t * 1000;

		sr_engine_sample(eng, "cpu.total.busy_pct", "%", ts,
		    t < 60 ? 50 : 95);
		sr_engine_tick(eng, ts, st);
	}
	flush(st);
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT count(*) FROM insights"
			    " WHERE id = 'cpu:host' AND state = 'firing'"),
	    1);
	CU_ASSERT_EQUAL(qi(tdb(st),
			    "SELECT last_seen - %lld FROM"
			    " insights WHERE id = 'cpu:host'",
			    (long long)t0),
	    239000);
	sr_engine_free(eng);
	sr_config_release(&cfg);
	tclose(st);
}

/*
 * SR_STORE_LAZY_ROLLUPS: a minute's 1 m rollup is written once the minute
 * has closed, the 1 h rollup once a minute, and close writes the rest;
 * the totals are those of the eager mode.
 */
static void
test_lazy_sample_rollups(void)
{
	struct sr_store *st;
	struct sr_err e;
	char *path = tmp_path("lazy.db");
	sqlite3 *db;

	st = sr_store_open(path, SR_STORE_LAZY_ROLLUPS, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	sample(st, "cpu", M0, 1);
	sample(st, "cpu", M0 + 30000, 3);
	flush(st);
	/* minute 0 is still open: raw rows only, no 1 m row yet */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples"), 2);
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1m"), 0);
	sample(st, "cpu", M0 + 59999, 5);
	sample(st, "cpu", M1, 10);
	flush(st);
	/* minute 0 closed: 1 3 5 -> min 1, avg 3, max 5, n 3 */
	CU_ASSERT_EQUAL(qi(db, "SELECT count(*) FROM samples_1m"), 1);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1m WHERE name ="
				   " 'cpu' AND ts = %lld",
				   (long long)M0),
	    3, 1e-9);
	CU_ASSERT_EQUAL(qi(db, "SELECT n FROM samples_1m WHERE ts = %lld",
			    (long long)M0),
	    3);
	tclose(st);
	st = sr_store_open(path, SR_STORE_READONLY, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	db = tdb(st);
	/* close wrote minute 1 (10) and the hour: 1 3 5 10 -> avg 4.75 */
	CU_ASSERT_EQUAL(qi(db, "SELECT n FROM samples_1m WHERE ts = %lld",
			    (long long)M1),
	    1);
	CU_ASSERT_EQUAL(qi(db, "SELECT n FROM samples_1h WHERE name = 'cpu'"),
	    4);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT avg FROM samples_1h WHERE name ="
				   " 'cpu'"),
	    4.75, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT min FROM samples_1h WHERE name ="
				   " 'cpu'"),
	    1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(qd(db,
				   "SELECT max FROM samples_1h WHERE name ="
				   " 'cpu'"),
	    10, 1e-9);
	tclose(st);
	free(path);
}

/* The page cache the store's own connection keeps, in KiB. */
static int
cache_kib(struct sr_store *st)
{
	sqlite3_stmt *q;
	int v = 0;

	CU_ASSERT_FATAL(sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &q,
			    NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = -sqlite3_column_int(q, 0); /* negative: KiB */
	sqlite3_finalize(q);
	return v;
}

/* sr_store_cache(): set on the open connection, 0 is the default. */
static void
test_cache_size(void)
{
	struct sr_err e;
	struct sr_store *st = tmem(0, &e);

	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_EQUAL(cache_kib(st), SR_STORE_CACHE_KIB);
	sr_store_cache(st, 512);
	CU_ASSERT_EQUAL(cache_kib(st), 512);
	sr_store_cache(st, 0);
	CU_ASSERT_EQUAL(cache_kib(st), 4096);
	tclose(st);
}

/*
 * A read-only connection (the console's history reader) keeps the page
 * cache it is given too, not SQLite's default of 2000 KiB.
 */
static void
test_cache_size_readonly(void)
{
	struct sr_store *st, *ro;
	struct sr_err e;
	char *dbp;

	tmp_make();
	dbp = tmp_path("c.db");
	st = sr_store_open(dbp, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	ro = sr_store_open(dbp, SR_STORE_READONLY, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(cache_kib(ro), SR_STORE_CACHE_KIB);
	sr_store_cache(ro, 256);
	CU_ASSERT_EQUAL(cache_kib(ro), 256);
	tclose(ro);
	tclose(st);
	free(dbp);
	tmp_clean();
}

void
sr_test_store_suite(void)
{
	CU_pSuite s = CU_add_suite("store", NULL, NULL);

	CU_add_test(s, "migrations", test_migrations);
	CU_add_test(s, "memory", test_memory);
	CU_add_test(s, "event_span", test_event_span);
	CU_add_test(s, "field columns", test_field_columns);
	CU_add_test(s, "readonly open", test_readonly_open);
	CU_add_test(s, "second writer", test_second_writer);
	CU_add_test(s, "not a database", test_not_a_database);
	CU_add_test(s, "bad folder", test_bad_folder);
	CU_add_test(s, "read-only file and folder", test_readonly_paths);
	CU_add_test(s, "busy", test_busy);
	CU_add_test(s, "batching and cursors", test_batching);
	CU_add_test(s, "batch max", test_batch_max);
	CU_add_test(s, "rollups", test_rollups);
	CU_add_test(s, "rollup merge", test_rollup_merge);
	CU_add_test(s, "error message cut", test_error_message_cut);
	CU_add_test(s, "ident hour", test_ident_hour);
	CU_add_test(s, "samples and series", test_samples);
	CU_add_test(s, "metric names", test_metric_names);
	CU_add_test(s, "prune", test_prune);
	CU_add_test(s, "max events", test_max_events);
	CU_add_test(s, "insights", test_insights);
	CU_add_test(s, "migrate from version 1", test_migrate_v1);
	CU_add_test(s, "error templates", test_error_templates);
	CU_add_test(s, "touch insight", test_touch_insight);
	CU_add_test(s, "lazy sample rollups", test_lazy_sample_rollups);
	CU_add_test(s, "multi-row sample adds", test_add_samples);
	CU_add_test(s, "page cache size", test_cache_size);
	CU_add_test(s, "page cache size, read-only", test_cache_size_readonly);
	CU_add_test(s, "engine touches firing insights",
	    test_engine_touches_firing);
}
