/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for runtime/driver with a fake source: ten lines e0..e9,
 * line 4 rejected, three lines per read, the cursor the next line's
 * index.  Counts are by hand: 9 events, 1 rejected, 10 read.
 */
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/source.h"
#include "core/store.h"
#include "runtime/driver.h"

void sr_test_driver_suite(void);

#define FAKE_LINES 10
#define FAKE_BAD 4
#define FAKE_PER_READ 3

struct fake {
	int pos; /* next line */
	uint64_t events, rejected;
	int reads;
};

static void *
fake_open(const char *spec, struct sr_err *err)
{
	(void)spec;
	(void)err;
	return sr_xcalloc(1, sizeof(struct fake));
}

static int
fake_timeout_ms(void *self)
{
	struct fake *f = self;

	return f->pos < FAKE_LINES ? 0 : -1;
}

static int
fake_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct fake *f = self;
	char id[16], cur[16];
	int n = 0;

	f->reads++;
	for (int k = 0; k < FAKE_PER_READ && f->pos < FAKE_LINES; k++) {
		struct sr_event ev;

		if (f->pos == FAKE_BAD) {
			f->rejected++;
			f->pos++;
			continue;
		}
		sr_event_clear(&ev);
		snprintf(id, sizeof(id), "e%d", f->pos);
		ev.event_id = id;
		ev.event_type = "request";
		ev.service = "fake";
		ev.ts_ms = now_ms;
		if (sink->event(sink->ctx, &ev) == -1)
			return sr_err_set(err, "refused");
		f->events++;
		f->pos++;
		n++;
	}
	snprintf(cur, sizeof(cur), "%d", f->pos);
	if (sink->cursor(sink->ctx, "fake", cur) == -1)
		return sr_err_set(err, "refused");
	return n;
}

static void
fake_status(const void *self, struct sr_source_status *st)
{
	const struct fake *f = self;

	memset(st, 0, sizeof(*st));
	st->kind = "fake";
	st->state = SR_SRC_OK;
	st->events = f->events;
	st->rejected = f->rejected;
	st->rejected_by[SR_REJ_NOT_JSON] = f->rejected;
	st->caught_up = f->pos >= FAKE_LINES;
}

static int
fake_set_cursor(void *self, const char *cursor, struct sr_err *err)
{
	struct fake *f = self;
	char *end;
	long v = strtol(cursor, &end, 10);

	if (*end != '\0' || v < 0 || v > FAKE_LINES)
		return sr_err_set(err, "bad cursor '%s'", cursor);
	f->pos = (int)v;
	return 0;
}

static void
fake_close(void *self)
{
	free(self);
}

static const struct sr_collector_ops fake_ops = {
	.kind = "fake",
	.open = fake_open,
	.timeout_ms = fake_timeout_ms,
	.read = fake_read,
	.status = fake_status,
	.set_cursor = fake_set_cursor,
	.close = fake_close,
};

/* A driver on st with the fake source added; its add result in *added. */
static struct sr_driver *
fake_driver(struct sr_store *st, struct fake **f, int *added)
{
	struct sr_driver *d = sr_driver_new(st, NULL, NULL, NULL);
	void *self = fake_open("fake", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	*f = self;
	*added = sr_driver_add_source(d, sr_source_new(&fake_ops, self, "fake"),
	    NULL);
	return d;
}

static void
db_path(char *buf, size_t n)
{
	snprintf(buf, n, "/tmp/sitrep-test-driver-%ld.db", (long)getpid());
	unlink(buf);
}

static void
db_remove(const char *path)
{
	char p[300];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The events table's rows, distinct ids and the ids joined by ','. */
static void
db_events(const char *path, int *rows, int *distinct, char *ids, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *s;

	*rows = *distinct = -1;
	ids[0] = '\0';
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
			    NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(db,
			    "SELECT count(*), count(DISTINCT event_id),"
			    " group_concat(event_id, ',') FROM"
			    " (SELECT event_id FROM events ORDER BY id)",
			    -1, &s, NULL) == SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*rows = sqlite3_column_int(s, 0);
		*distinct = sqlite3_column_int(s, 1);
		if (sqlite3_column_text(s, 2) != NULL)
			snprintf(ids, n, "%s", sqlite3_column_text(s, 2));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* One read: three lines, their cursor in the same (open) batch. */
static void
test_cursor_in_batch(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);
	struct sr_driver_input in;
	struct sr_driver *d;
	struct fake *f;
	char *cur = NULL;
	int added;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	d = fake_driver(st, &f, &added);
	CU_ASSERT_EQUAL(added, SR_DRIVER_ADDED);
	CU_ASSERT_EQUAL(sr_driver_read(d, 1000, NULL), 3);
	CU_ASSERT_EQUAL(sr_store_pending(st), 3);
	CU_ASSERT_EQUAL(sr_store_get_cursor(st, "fake", &cur, NULL), 0);
	CU_ASSERT_STRING_EQUAL(cur != NULL ? cur : "", "3");
	free(cur);
	sr_driver_input(d, 0, &in);
	CU_ASSERT_EQUAL(in.n.accepted, 3);
	CU_ASSERT_EQUAL(in.n.committed, 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	sr_driver_input(d, 0, &in);
	CU_ASSERT_EQUAL(in.n.committed, 3);
	CU_ASSERT_STRING_EQUAL(in.name, "fake");
	sr_driver_free(d);
	sr_store_close(st);
}

/* Drained to its end: hand-counted totals, the source done. */
static void
test_drain_counts(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);
	struct sr_driver_counts n;
	struct sr_driver_input in;
	struct sr_driver *d;
	struct fake *f;
	int added;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	d = fake_driver(st, &f, &added);
	CU_ASSERT_EQUAL(sr_driver_drain(d, 0, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(f->reads, 4); /* 3 + 3 + 3 + 1 lines */
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	sr_driver_input(d, 0, &in);
	CU_ASSERT(in.done);
	CU_ASSERT(in.caught_up);
	sr_driver_totals(d, &n);
	CU_ASSERT_EQUAL(n.read, 10);
	CU_ASSERT_EQUAL(n.accepted, 9);
	CU_ASSERT_EQUAL(n.rejected, 1);
	CU_ASSERT_EQUAL(n.rejected_by[SR_REJ_NOT_JSON], 1);
	CU_ASSERT_EQUAL(n.committed, 9);
	CU_ASSERT_EQUAL(sr_store_committed(st), 9);
	/* the same spec twice is read once */
	CU_ASSERT_EQUAL(sr_driver_add_source(d,
			    sr_source_new(&fake_ops, fake_open("", NULL),
				"fake"),
			    NULL),
	    SR_DRIVER_ADDED);
	CU_ASSERT_EQUAL(sr_driver_count(d), 1);
	sr_driver_free(d);
	sr_store_close(st);
}

/*
 * A process reads two rounds, commits, reads a third and dies without
 * committing it; the next driver resumes after the committed cursor and
 * the table holds every line once, in order.
 */
static void
test_resume_after_crash(void)
{
	char path[256], ids[256];
	struct sr_driver_input in;
	struct sr_driver *d;
	struct sr_store *st;
	struct fake *f;
	int added, rows, distinct, status;
	pid_t pid;

	db_path(path, sizeof(path));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		st = sr_store_open(path, 0, NULL);
		if (st == NULL)
			_exit(3);
		d = fake_driver(st, &f, &added);
		if (sr_driver_read(d, 1000, NULL) != 3 ||
		    sr_driver_read(d, 1000, NULL) != 2 ||
		    sr_store_flush(st, NULL) != 0 ||
		    sr_driver_read(d, 1000, NULL) != 3)
			_exit(4);
		_exit(0); /* e6..e8 and cursor 9 never committed */
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	db_events(path, &rows, &distinct, ids, sizeof(ids));
	CU_ASSERT_EQUAL(rows, 5);
	CU_ASSERT_STRING_EQUAL(ids, "e0,e1,e2,e3,e5");

	st = sr_store_open(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	d = fake_driver(st, &f, &added);
	CU_ASSERT_EQUAL(added, SR_DRIVER_ADDED);
	CU_ASSERT_EQUAL(f->pos, 6); /* resumed after the committed cursor */
	CU_ASSERT_EQUAL(sr_driver_drain(d, 0, NULL, NULL, NULL), 0);
	sr_driver_input(d, 0, &in);
	CU_ASSERT_EQUAL(in.n.accepted, 4); /* e6 e7 e8 e9 */
	sr_driver_free(d);
	sr_store_close(st);
	db_events(path, &rows, &distinct, ids, sizeof(ids));
	CU_ASSERT_EQUAL(rows, 9);
	CU_ASSERT_EQUAL(distinct, 9);
	CU_ASSERT_STRING_EQUAL(ids, "e0,e1,e2,e3,e5,e6,e7,e8,e9");

	/* a third run finds nothing more */
	st = sr_store_open(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	d = fake_driver(st, &f, &added);
	CU_ASSERT_EQUAL(f->pos, FAKE_LINES);
	CU_ASSERT_EQUAL(sr_driver_drain(d, 0, NULL, NULL, NULL), 0);
	sr_driver_input(d, 0, &in);
	CU_ASSERT_EQUAL(in.n.accepted, 0);
	sr_driver_free(d);
	sr_store_close(st);
	db_remove(path);
}

/* A cursor the source cannot use is reported and ignored. */
static void
test_bad_cursor(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);
	struct sr_driver *d;
	struct sr_err err;
	struct fake *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(sr_store_set_cursor(st, "fake", "x", NULL), 0);
	d = sr_driver_new(st, NULL, NULL, NULL);
	f = fake_open("", NULL);
	CU_ASSERT_EQUAL(sr_driver_add_source(d,
			    sr_source_new(&fake_ops, f, "fake"), &err),
	    SR_DRIVER_CURSOR_IGNORED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stored cursor ignored"));
	CU_ASSERT_EQUAL(f->pos, 0);
	sr_driver_free(d);
	sr_store_close(st);
}

/* A source whose one read hands on more events than a batch holds. */
#define BIG_EVENTS (SR_STORE_BATCH_MAX + 5000)

static int
big_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct fake *f = self;
	char id[16];

	for (int k = 0; k < BIG_EVENTS; k++) {
		struct sr_event ev;

		sr_event_clear(&ev);
		snprintf(id, sizeof(id), "b%d", k);
		ev.event_id = id;
		ev.event_type = "request";
		ev.service = "big";
		ev.ts_ms = now_ms;
		if (sink->event(sink->ctx, &ev) == -1)
			return sr_err_set(err, "refused");
	}
	f->pos = FAKE_LINES;
	if (sink->cursor(sink->ctx, "big", "end") == -1)
		return sr_err_set(err, "refused");
	return BIG_EVENTS;
}

static const struct sr_collector_ops big_ops = {
	.kind = "fake",
	.open = fake_open,
	.timeout_ms = fake_timeout_ms,
	.read = big_read,
	.status = fake_status,
	.set_cursor = fake_set_cursor,
	.close = fake_close,
};

/*
 * One read of 25,000 events (more than SR_STORE_BATCH_MAX): nothing is
 * committed inside the read, so its events and its cursor are committed
 * together (a kill -9 after a commit inside the read would store events
 * whose cursor was not, and a restart would read them again).
 */
static void
test_big_read_one_commit(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);
	struct sr_driver *d;
	char *cur = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	d = sr_driver_new(st, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(sr_driver_add_source(d,
			    sr_source_new(&big_ops, fake_open("big", NULL),
				"big"),
			    NULL),
	    SR_DRIVER_ADDED);
	CU_ASSERT_EQUAL(sr_driver_read(d, 1000, NULL), BIG_EVENTS);
	CU_ASSERT_EQUAL(sr_store_committed(st), 0);
	CU_ASSERT_EQUAL(sr_store_pending(st), BIG_EVENTS);
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	CU_ASSERT_EQUAL(sr_store_committed(st), BIG_EVENTS);
	CU_ASSERT_EQUAL(sr_store_get_cursor(st, "big", &cur, NULL), 0);
	CU_ASSERT_STRING_EQUAL(cur != NULL ? cur : "", "end");
	free(cur);
	/* outside a read, a full batch commits by itself again */
	for (int k = 0; k < SR_STORE_BATCH_MAX; k++) {
		struct sr_event ev;

		sr_event_clear(&ev);
		ev.event_type = "request";
		ev.ts_ms = 1000;
		CU_ASSERT_FATAL(sr_store_add_event(st, &ev, NULL) == 0);
	}
	CU_ASSERT_EQUAL(sr_store_pending(st), 0);
	sr_driver_free(d);
	sr_store_close(st);
}

void
sr_test_driver_suite(void)
{
	CU_pSuite s = CU_add_suite("driver", NULL, NULL);

	CU_add_test(s, "cursor in the batch", test_cursor_in_batch);
	CU_add_test(s, "drain counts", test_drain_counts);
	CU_add_test(s, "resume after crash", test_resume_after_crash);
	CU_add_test(s, "bad cursor", test_bad_cursor);
	CU_add_test(s, "big read, one commit", test_big_read_one_commit);
}
