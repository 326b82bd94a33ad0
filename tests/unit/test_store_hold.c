/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the store's hold mode (core/store_hold.c): a commit
 * that cannot be written loses nothing it held, retries with backoff,
 * drops (and counts) only beyond the queue, and resumes by itself.  The
 * failure is a deleted database folder with a file put in its way (so
 * the retry's reopen fails until the file goes): deterministic, no disk
 * to fill.  Counts are read back with sqlite3 on the file itself.
 */
#define _GNU_SOURCE /* nftw's FTW_DEPTH/FTW_PHYS */
#include <CUnit/CUnit.h>
#include <ftw.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"

void sr_test_store_hold_suite(void);

static char hdir[64];

static int
hold_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
hold_rm(const char *path)
{
	(void)nftw(path, hold_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One integer from sqlite3 on the file, as another process reads it. */
static long long
hold_q(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
hold_event(struct sr_event *ev, const char *id)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ms = 1700006400000LL;
	ev->event_id = id;
	ev->service = "api";
}

/* Wait until the store's next retry is due, then run it. */
static int
hold_retry(struct sr_store *st)
{
	struct sr_store_status ss;
	struct sr_err e;

	sr_store_status(st, &ss);
	if (ss.retry_in_ms > 0)
		usleep((useconds_t)(ss.retry_in_ms + 20) * 1000);
	return sr_store_maybe_flush(st, &e);
}

static void
test_hold_deleted(void)
{
	char *sub, *path;
	struct sr_store *st;
	struct sr_store_status ss;
	struct sr_event ev;
	struct sr_err e;
	char *cur = NULL;
	FILE *fp;

	snprintf(hdir, sizeof(hdir), "/tmp/sitrep-hold-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(hdir) != NULL);
	sub = sr_xasprintf("%s/sub", hdir);
	path = sr_xasprintf("%s/sub/db", hdir);
	st = sr_store_open(path, 0, &e);
	CU_ASSERT_FATAL(st != NULL);
	sr_store_hold(st, 5);

	/* 2 committed before anything goes wrong */
	hold_event(&ev, "c1");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	hold_event(&ev, "c2");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &e), 0);
	CU_ASSERT_EQUAL(hold_q(path, "SELECT COUNT(*) FROM events"), 2);
	CU_ASSERT_EQUAL(sr_store_check(st, &e), 0);

	/* 2 in the open batch, then the folder goes */
	hold_event(&ev, "b1");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	hold_event(&ev, "b2");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	CU_ASSERT_EQUAL(sr_store_set_cursor(st, "src", "7", &e), 0);
	hold_rm(sub);
	fp = fopen(sub, "w"); /* in the way: the reopen fails */
	CU_ASSERT_FATAL(fp != NULL);
	fclose(fp);
	CU_ASSERT_EQUAL(sr_store_check(st, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "was deleted"));
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.state, SR_STORE_FAILING);
	CU_ASSERT_EQUAL(ss.held, 2); /* b1, b2: rolled back, not lost */
	CU_ASSERT_EQUAL(ss.errors, 1);
	CU_ASSERT_STRING_EQUAL(sr_store_state_name(ss.state), "failing");

	/* while failing: held up to 5, then dropped and counted */
	hold_event(&ev, "f1");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	hold_event(&ev, "f2");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	hold_event(&ev, "f3");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	hold_event(&ev, "f4");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 1);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "cpu", 1, 1.0, &e), 0);
	CU_ASSERT_EQUAL(sr_store_set_cursor(st, "src", "9", &e), 0);
	CU_ASSERT_EQUAL(sr_store_get_cursor(st, "src", &cur, &e), 0);
	CU_ASSERT_STRING_EQUAL(cur, "9"); /* the held one */
	free(cur);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.held, 5);
	CU_ASSERT_EQUAL(ss.dropped_events, 1);
	CU_ASSERT_EQUAL(ss.dropped_rows, 1);
	CU_ASSERT_EQUAL(sr_store_pending(st), 5);
	CU_ASSERT_EQUAL(sr_store_committed(st), 2);
	/* before the retry is due: the error at once, nothing tried */
	CU_ASSERT(
	    ss.retry_in_ms > 0 && ss.retry_in_ms <= SR_STORE_RETRY_MIN_MS);
	CU_ASSERT_EQUAL(sr_store_flush(st, &e), -1);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.errors, 1);

	/* a retry forced now, while the file is in the way, fails; the
	 * backoff doubles */
	CU_ASSERT_EQUAL(sr_store_flush_now(st, &e), -1);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.state, SR_STORE_FAILING);
	CU_ASSERT_EQUAL(ss.errors, 2);
	CU_ASSERT_EQUAL(ss.held, 5);
	CU_ASSERT(ss.retry_in_ms > SR_STORE_RETRY_MIN_MS);
	CU_ASSERT_PTR_NOT_NULL(strstr(ss.error, "in the way"));

	/* the path is free again: the retry creates the file and commits */
	CU_ASSERT_EQUAL(unlink(sub), 0);
	CU_ASSERT_EQUAL(hold_retry(st), 0);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.state, SR_STORE_OK);
	CU_ASSERT_EQUAL(ss.held, 0);
	CU_ASSERT_STRING_EQUAL(ss.error, "");
	CU_ASSERT_EQUAL(sr_store_committed(st), 7);
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	/* b1 b2 f1 f2 f3 in the new file, with the newest cursor */
	CU_ASSERT_EQUAL(hold_q(path, "SELECT COUNT(*) FROM events"), 5);
	CU_ASSERT_EQUAL(hold_q(path,
			    "SELECT COUNT(*) FROM events WHERE event_id IN"
			    " ('b1','b2','f1','f2','f3')"),
	    5);
	CU_ASSERT_EQUAL(hold_q(path,
			    "SELECT cursor FROM cursors WHERE source = 'src'"),
	    9);
	CU_ASSERT_EQUAL(sr_store_check(st, &e), 0);

	/* and it goes on as usual */
	hold_event(&ev, "after");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &e), 0);
	CU_ASSERT_EQUAL(hold_q(path, "SELECT COUNT(*) FROM events"), 6);
	sr_store_close(st);
	hold_rm(hdir);
	free(sub);
	free(path);
}

/* Heap in use (malloc'ed, mapped or not). */
static long long
hold_heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
}

/*
 * A burst held across many chunks: a failure with 3,000 events in the
 * open batch (about 1 MB of copies) replays every one, in order, and a
 * batch of 15,000 committed leaves no copy behind (the copies used to
 * stay in a 2 MB array that grew with the batch and was kept).
 */
static void
test_hold_burst(void)
{
	char *sub, *path, id[32];
	struct sr_store *st;
	struct sr_store_status ss;
	struct sr_event ev;
	struct sr_err e;
	long long heap0;
	FILE *fp;
	int n = 0;

	snprintf(hdir, sizeof(hdir), "/tmp/sitrep-hold-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(hdir) != NULL);
	sub = sr_xasprintf("%s/sub", hdir);
	path = sr_xasprintf("%s/sub/db", hdir);
	st = sr_store_open(path, 0, &e);
	CU_ASSERT_FATAL(st != NULL);
	sr_store_hold(st, 100000);
	sr_store_cache(st, 64); /* SQLite's pages: 64 KiB at most */
	hold_event(&ev, "warm");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &e), 0);
	heap0 = hold_heap();

	for (int i = 0; i < 15000; i++) {
		snprintf(id, sizeof(id), "b%d", i);
		hold_event(&ev, id);
		ev.endpoint = "/a/rather/long/path/to/fill/the/chunks";
		ev.message = "upstream timed out while reading the response";
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	}
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.held, 15000);
	CU_ASSERT_EQUAL(sr_store_flush(st, &e), 0);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.held, 0);
	CU_ASSERT(hold_heap() - heap0 < 256 * 1024);
	CU_ASSERT_EQUAL(hold_q(path, "SELECT COUNT(*) FROM events"), 15001);

	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "r%d", i);
		hold_event(&ev, id);
		ev.endpoint = "/a/rather/long/path/to/fill/the/chunks";
		ev.message = "upstream timed out while reading the response";
		ev.status_code = 200 + i % 300;
		ev.has |= SR_EV_HAS_STATUS;
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	}
	hold_rm(sub);
	fp = fopen(sub, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fclose(fp);
	CU_ASSERT_EQUAL(sr_store_check(st, &e), -1);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.held, 3000);
	CU_ASSERT_EQUAL(remove(sub), 0);
	while (sr_store_state(st) != SR_STORE_OK && n++ < 50)
		(void)hold_retry(st);
	CU_ASSERT_EQUAL(sr_store_state(st), SR_STORE_OK);
	/* every held event, in order, with its strings and numbers */
	CU_ASSERT_EQUAL(hold_q(path, "SELECT COUNT(*) FROM events"), 3000);
	CU_ASSERT_EQUAL(hold_q(path,
			    "SELECT COUNT(*) FROM events WHERE event_id ="
			    " 'r' || (id - (SELECT MIN(id) FROM events))"
			    " AND status = 200 + (id - (SELECT MIN(id) FROM"
			    " events)) % 300 AND message LIKE 'upstream %'"
			    " AND endpoint LIKE '/a/rather/%'"),
	    3000);
	sr_store_close(st);
	hold_rm(hdir);
	free(sub);
	free(path);
}

/* Without hold mode (sitrep ingest) nothing is held or dropped. */
static void
test_hold_off(void)
{
	struct sr_store *st;
	struct sr_store_status ss;
	struct sr_event ev;
	struct sr_err e;

	snprintf(hdir, sizeof(hdir), "/tmp/sitrep-hold-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(hdir) != NULL);
	{
		char *path = sr_xasprintf("%s/db", hdir);

		st = sr_store_open(path, 0, &e);
		free(path);
	}
	CU_ASSERT_FATAL(st != NULL);
	hold_event(&ev, "x");
	CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, &e), 0);
	sr_store_status(st, &ss);
	CU_ASSERT_EQUAL(ss.held, 0);
	CU_ASSERT_EQUAL(ss.state, SR_STORE_OK);
	CU_ASSERT_EQUAL(ss.retry_in_ms, -1);
	CU_ASSERT_EQUAL(sr_store_pending(st), 1);
	sr_store_close(st);
	hold_rm(hdir);
}

void
sr_test_store_hold_suite(void)
{
	CU_pSuite s = CU_add_suite("store_hold", NULL, NULL);

	CU_add_test(s, "deleted folder: held, retried, resumed",
	    test_hold_deleted);
	CU_add_test(s, "a burst: replayed in order, given back",
	    test_hold_burst);
	CU_add_test(s, "off", test_hold_off);
}
