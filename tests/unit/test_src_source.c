/* SPDX-License-Identifier: MIT */
/* Unit tests for collectors/source and the file and sqlite sources. */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/source.h"
#include "collectors/src_common.h"

void sr_test_src_source_suite(void);

/* A sink that keeps event ids, services and the last cursor. */
struct rec {
	char ids[1024];
	char cursor[128];
	int n, ncursor, refuse_after;
};

static int
rec_event(void *ctx, const struct sr_event *ev)
{
	struct rec *r = ctx;
	size_t len = strlen(r->ids);

	if (r->refuse_after > 0 && r->n >= r->refuse_after)
		return -1;
	snprintf(r->ids + len, sizeof(r->ids) - len, "%s%s/%s", len ? "," : "",
	    ev->event_id, ev->service ? ev->service : "-");
	r->n++;
	return 0;
}

static int
rec_cursor(void *ctx, const char *source, const char *cursor)
{
	struct rec *r = ctx;

	(void)source;
	snprintf(r->cursor, sizeof(r->cursor), "%s", cursor);
	r->ncursor++;
	return 0;
}

static void
test_spec(void)
{
	static const char *const good[] = { "stdin", "-", "file:/tmp/x.log",
		"file:x.log?from=start&format=logfmt&service=web",
		"sqlite:/tmp/a.db?table=events",
		"sqlite:a.db?table=t&ts=created_at&status=code&latency=ms",
		"http://127.0.0.1:9/e?x=1#every=5s&timeout=2s",
		"https://example.org/events", "sitrep://h", "sitrep://h:8090",
		"sitreps://[::1]:8443/?every=2s", NULL };
	static const char *const bad[][2] = {
		{ "", "empty source" },
		{ "ftp://x", "unknown kind" },
		{ "file:", "missing file path" },
		{ "file:x?from=middle", "from must be start or end" },
		{ "file:x?format=xml", "unknown format 'xml'" },
		{ "file:x?colour=red", "unknown option 'colour'" },
		{ "sqlite:a.db", "missing table=" },
		{ "sqlite:a.db?table=t&every=soon", "every: bad duration" },
		{ "sqlite:?table=t", "missing database path" },
		{ "http://x/#every=0", "every: bad duration" },
		{ "http://x/#token-file=/nonexistent/t", "cannot read token" },
		{ "sitrep://", "want sitrep://HOST" },
		{ "sitrep://h:0", "bad port '0'" },
		{ "sitrep://h/path", "want sitrep://HOST" },
		{ "http://", "bad URL" },
	};
	struct sr_err err;

	for (int i = 0; good[i] != NULL; i++) {
		err.msg[0] = '\0';
		CU_ASSERT_EQUAL(sr_source_spec_check(good[i], &err), 0);
		if (err.msg[0])
			fprintf(stderr, "%s: %s\n", good[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		CU_ASSERT_EQUAL(sr_source_spec_check(bad[i][0], &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i][1]));
		if (strstr(err.msg, bad[i][1]) == NULL)
			fprintf(stderr, "%s: '%s'\n", bad[i][0], err.msg);
	}
}

static void
test_opts(void)
{
	static const char *const keys[] = { "a", "b c", NULL };
	struct src_opts o;
	struct sr_err err;

	CU_ASSERT_EQUAL(src_opts_parse(&o, "a=1%2F2&b%20c=x&&a=3", 20, keys,
			    &err),
	    0);
	CU_ASSERT_STRING_EQUAL(src_opts_get(&o, "a"), "3"); /* last wins */
	CU_ASSERT_STRING_EQUAL(src_opts_get(&o, "b c"), "x");
	CU_ASSERT_PTR_NULL(src_opts_get(&o, "z"));
	src_opts_release(&o);
	CU_ASSERT_EQUAL(src_opts_parse(&o, "a=%zz%4", 7, keys, &err), 0);
	CU_ASSERT_STRING_EQUAL(src_opts_get(&o, "a"), "%zz%4");
	src_opts_release(&o);
	CU_ASSERT_EQUAL(src_opts_parse(&o, "a", 1, keys, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "option 'a' has no value");
}

static void
test_backoff(void)
{
	struct src_common c;
	/* base 1 s doubling, cap 8 s; each delay in the upper half. */
	static const int64_t hi[] = { 1000, 2000, 4000, 8000, 8000, 8000 };

	src_common_init(&c, "x", "test", SR_FMT_AUTO);
	for (int i = 0; i < 6; i++) {
		int64_t now = sr_mono_ms();
		int64_t d = src_fail(&c, 1000, 8000, "boom %d", i) - now;

		CU_ASSERT(d >= hi[i] / 2 && d <= hi[i] + 5);
		CU_ASSERT_EQUAL(c.state, SR_SRC_RETRYING);
	}
	CU_ASSERT_STRING_EQUAL(c.last_error, "boom 5");
	src_ok(&c);
	CU_ASSERT_EQUAL(c.state, SR_SRC_OK);
	CU_ASSERT_STRING_EQUAL(c.last_error, "");
	CU_ASSERT(src_fail(&c, 1000, 8000, "again") - sr_mono_ms() <= 1000);
	src_common_release(&c);
	CU_ASSERT_STRING_EQUAL(sr_source_state_name(SR_SRC_DOWN), "down");
}

static void
append(const char *path, const char *s)
{
	FILE *f = fopen(path, "a");

	CU_ASSERT_FATAL(f != NULL);
	fputs(s, f);
	fclose(f);
}

static void
test_file(void)
{
	char dir[] = "/tmp/sr-src-XXXXXX", path[64], spec[96], want[96];
	char want5[128];
	struct rec r = { .n = 0 };
	struct sr_sink sink = { .ctx = &r,
		.event = rec_event,
		.cursor = rec_cursor };
	struct sr_source_status st;
	struct sr_source *src, *src2;
	struct stat sb;
	struct sr_err err;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.log", dir);
	snprintf(spec, sizeof(spec), "file:%s?from=start", path);
	append(path, "{\"event_id\":\"1\",\"service\":\"a\"}\nnot json {\n");
	src = sr_source_open(spec, &err);
	CU_ASSERT_FATAL(src != NULL);
	CU_ASSERT_EQUAL(sr_source_read(src, &sink, 0, &err), 1);
	sr_source_status(src, &st);
	CU_ASSERT_EQUAL(st.state, SR_SRC_OK);
	CU_ASSERT_EQUAL(st.events, 1);
	CU_ASSERT_EQUAL(st.rejected, 1);
	/* A partial line is not an event, and not in the cursor. */
	append(path, "event_id=2 service=b\nevent_id=3 serv");
	CU_ASSERT_EQUAL(sr_source_read(src, &sink, 0, &err), 1);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	/* DEV:INO:OFFSET, then FNV-1a 64 of the 63 bytes read and of their
	 * count (computed with python). */
	snprintf(want, sizeof(want), "%" PRIu64 ":%" PRIu64 ":%lld",
	    (uint64_t)sb.st_dev, (uint64_t)sb.st_ino,
	    (long long)sb.st_size - (long long)strlen("event_id=3 serv"));
	snprintf(want5, sizeof(want5), "%s:63:5e044c90ddf8ac58", want);
	CU_ASSERT_STRING_EQUAL(r.cursor, want5);
	append(path, "ice=c\n");
	CU_ASSERT_EQUAL(sr_source_read(src, &sink, 0, &err), 1);
	CU_ASSERT_STRING_EQUAL(r.ids, "1/a,2/b,3/c");
	sr_source_close(src);

	/* Resume from the cursor of line 2: line 3 again, nothing else; the
	 * same from today's DEV:INO:OFFSET (no head to check). */
	append(path, "event_id=4 service=d\n");
	for (int i = 0; i < 2; i++) {
		src2 = sr_source_open(spec, &err);
		CU_ASSERT_FATAL(src2 != NULL);
		CU_ASSERT_EQUAL(sr_source_set_cursor(src2, i ? want : want5,
				    &err),
		    0);
		r.ids[0] = '\0';
		CU_ASSERT_EQUAL(sr_source_read(src2, &sink, 0, &err), 2);
		CU_ASSERT_STRING_EQUAL(r.ids, "3/c,4/d");
		sr_source_close(src2);
	}
	/* Another head (the file rewritten in place): from 0. */
	src2 = sr_source_open(spec, &err);
	CU_ASSERT_FATAL(src2 != NULL);
	want5[strlen(want5) - 1] = want5[strlen(want5) - 1] == '0' ? '1' : '0';
	CU_ASSERT_EQUAL(sr_source_set_cursor(src2, want5, &err), 0);
	r.ids[0] = '\0';
	CU_ASSERT_EQUAL(sr_source_read(src2, &sink, 0, &err), 4);
	CU_ASSERT_STRING_EQUAL(r.ids, "1/a,2/b,3/c,4/d");
	CU_ASSERT_EQUAL(sr_source_set_cursor(src2, "nonsense", &err), -1);
	CU_ASSERT_EQUAL(sr_source_set_cursor(src2, "1:2:3:4", &err), -1);
	CU_ASSERT_EQUAL(sr_source_set_cursor(src2, "1:2:3:4:5x", &err), -1);
	CU_ASSERT_EQUAL(sr_source_set_cursor(src2, "1:2:30:2000:5", &err), -1);
	sr_source_close(src2);

	/* From the end by default: only what comes after. */
	snprintf(spec, sizeof(spec), "file:%s", path);
	src2 = sr_source_open(spec, &err);
	r.ids[0] = '\0';
	CU_ASSERT_EQUAL(sr_source_read(src2, &sink, 0, &err), 0);
	append(path, "event_id=5 service=e\n");
	CU_ASSERT_EQUAL(sr_source_read(src2, &sink, 0, &err), 1);
	CU_ASSERT_STRING_EQUAL(r.ids, "5/e");
	sr_source_close(src2);
	unlink(path);
	rmdir(dir);
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "sql: %s\n", msg);
	sqlite3_free(msg);
}

static void
test_sqlite(void)
{
	char path[] = "/tmp/sr-src-db-XXXXXX", spec[128];
	struct rec r = { .n = 0 };
	struct sr_sink sink = { .ctx = &r,
		.event = rec_event,
		.cursor = rec_cursor };
	struct sr_source *src;
	struct sr_source_status st;
	struct sr_err err;
	sqlite3 *db;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	exec_sql(db,
	    "CREATE TABLE t(k INTEGER PRIMARY KEY, event_id TEXT, "
	    "svc TEXT, timestamp TEXT);"
	    "INSERT INTO t VALUES (1, 'a', 'x', '2026-01-01 00:00:00'),"
	    "(2, 'b', 'y', 'not a time'), (3, 'c', 'z', NULL);");
	snprintf(spec, sizeof(spec), "sqlite:%s?table=t&from=start&service=svc",
	    path);
	src = sr_source_open(spec, &err);
	CU_ASSERT_FATAL(src != NULL);
	CU_ASSERT_EQUAL(sr_source_set_cursor(src, "1", &err), 0);
	CU_ASSERT_EQUAL(sr_source_read(src, &sink, 0, &err), 1);
	CU_ASSERT_STRING_EQUAL(r.ids, "c/z");
	CU_ASSERT_STRING_EQUAL(r.cursor, "3");
	sr_source_status(src, &st);
	CU_ASSERT_EQUAL(st.rejected_by[SR_REJ_BAD_TIME], 1);
	CU_ASSERT_EQUAL(st.state, SR_SRC_OK);
	/* Not again before `every`; then only the new row. */
	exec_sql(db, "INSERT INTO t VALUES (4, 'd', 'w', NULL)");
	CU_ASSERT_EQUAL(sr_source_read(src, &sink, 0, &err), 0);
	CU_ASSERT(sr_source_timeout_ms(src) > 0);
	sr_source_close(src);
	sqlite3_close(db);
	unlink(path);
}

void
sr_test_src_source_suite(void)
{
	CU_pSuite s = CU_add_suite("src_source", NULL, NULL);

	CU_add_test(s, "spec", test_spec);
	CU_add_test(s, "opts", test_opts);
	CU_add_test(s, "backoff", test_backoff);
	CU_add_test(s, "file", test_file);
	CU_add_test(s, "sqlite", test_sqlite);
}
