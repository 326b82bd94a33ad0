/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/hreq: standing history requests and answers. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/query.h"
#include "core/store.h"
#include "core/summary.h"
#include "runtime/hreq.h"

void sr_test_hreq_suite(void);

/* Samples of "m": 1 at 5 s, 3 and 5 at 12 s and 18 s, 7 at 35 s. */
static struct sr_store *
hreq_store(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "m", 5000, 1, NULL), 0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "m", 12000, 3, NULL), 0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "m", 18000, 5, NULL), 0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "m", 35000, 7, NULL), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	return st;
}

static void
test_series(void)
{
	struct sr_store *st = hreq_store();
	struct sr_hreq *h = sr_hreq_new(st);
	struct sr_hreq_slot *s = sr_hreq_slot_new(h);
	const double *pts;
	int n;

	CU_ASSERT(sr_hreq_available(h));
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_NONE);
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 0);
	/* four 10 s buckets ending at 40 s */
	sr_hreq_want_series(s, "m", 40000, 10000, 4, 10000);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_PENDING);
	CU_ASSERT_PTR_NULL(sr_hreq_points(s, &n));
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 1);
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 1);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_OK);
	CU_ASSERT_EQUAL(sr_hreq_answers(s), 1);
	pts = sr_hreq_points(s, &n);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_DOUBLE_EQUAL(pts[0], 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(pts[1], 4, 1e-9);
	CU_ASSERT(isnan(pts[2]));
	CU_ASSERT_DOUBLE_EQUAL(pts[3], 7, 1e-9);
	/* 5 s later: younger than the max age, nothing to ask */
	sr_hreq_want_series(s, "m", 45000, 10000, 4, 10000);
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 0);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_OK);
	/* 10 s later: refreshed, the old answer shown meanwhile */
	sr_hreq_want_series(s, "m", 50000, 10000, 4, 10000);
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 1);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_OK);
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 1);
	CU_ASSERT_EQUAL(sr_hreq_answers(s), 2);
	pts = sr_hreq_points(s, &n);
	CU_ASSERT_DOUBLE_EQUAL(pts[0], 4, 1e-9); /* 10..20 s */
	/* another width: a new key, pending until answered */
	sr_hreq_want_series(s, "m", 50000, 5000, 8, 10000);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_PENDING);
	sr_hreq_drop(s);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_NONE);
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 0);
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 0);
	sr_hreq_free(h);
	sr_store_close(st);
}

static void
test_summary_and_no_store(void)
{
	struct sr_store *st = sr_store_open(":memory:", 0, NULL);
	struct sr_hreq *h = sr_hreq_new(st), *none = sr_hreq_new(NULL);
	struct sr_hreq_slot *s = sr_hreq_slot_new(h);
	struct sr_hreq_slot *z = sr_hreq_slot_new(none);
	const struct sr_summary *sum;
	struct sr_event ev;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < 3; i++) {
		sr_event_clear(&ev);
		ev.ts_ms = 10000 + i;
		ev.event_id = i == 0 ? "a" : i == 1 ? "b" : "c";
		ev.event_type = "request";
		ev.service = "web";
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, NULL), 0);
	}
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	sr_hreq_want_summary(s, 0, 20000, NULL, 20, 15000);
	CU_ASSERT_PTR_NULL(sr_hreq_summary(s));
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 1);
	sum = sr_hreq_summary(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT_EQUAL(sum->total_events, 3);
	CU_ASSERT_EQUAL(sum->from_ms, 0);
	CU_ASSERT_EQUAL(sum->to_ms, 20000);
	/* no store: nothing is ever pending */
	CU_ASSERT(!sr_hreq_available(none));
	sr_hreq_want_summary(z, 0, 20000, NULL, 20, 15000);
	CU_ASSERT_EQUAL(sr_hreq_pending(none), 0);
	CU_ASSERT_PTR_NULL(sr_hreq_summary(z));
	sr_hreq_free(h);
	sr_hreq_free(none);
	sr_store_close(st);
}

/*
 * Ten events e1..e10 in a store file: row id i, ts i s except e6, which
 * shares e5's 5 s; service "web" for odd i, "api" for even i.
 */
static struct sr_store *
hreq_event_store(char *path, size_t len)
{
	char dir[] = "/tmp/sitrep-hreq-XXXXXX";
	struct sr_store *st;
	struct sr_event ev;
	char id[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	(void)snprintf(path, len, "%s/db", dir);
	st = sr_store_open(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 1; i <= 10; i++) {
		sr_event_clear(&ev);
		(void)snprintf(id, sizeof(id), "e%d", i);
		ev.event_id = id;
		ev.event_type = "request";
		ev.service = i % 2 ? "web" : "api";
		ev.ts_ms = (i == 6 ? 5 : i) * 1000;
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev, NULL), 0);
	}
	CU_ASSERT_EQUAL(sr_store_flush(st, NULL), 0);
	return st;
}

/* Ask for q, answer it; the page's event ids joined by spaces. */
static const struct sr_hreq_page *
hreq_page_of(struct sr_hreq *h, struct sr_hreq_slot *s,
    const struct sr_hreq_evq *q, char *ids, size_t len)
{
	const struct sr_hreq_page *pg;
	size_t k = 0;

	sr_hreq_want_events(s, q);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_PENDING);
	CU_ASSERT_PTR_NULL(sr_hreq_page(s));
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 1);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_OK);
	pg = sr_hreq_page(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pg);
	ids[0] = '\0';
	for (size_t i = 0; i < pg->n; i++) {
		int w = snprintf(ids + k, len - k, "%s%s", i ? " " : "",
		    pg->ev[i].ev.event_id);

		CU_ASSERT_FATAL(w > 0 && (size_t)w < len - k);
		k += (size_t)w;
	}
	return pg;
}

static void
test_events(void)
{
	char path[64], ids[128];
	struct sr_store *st = hreq_event_store(path, sizeof(path));
	struct sr_hreq *h = sr_hreq_new(st);
	struct sr_hreq_slot *s = sr_hreq_slot_new(h);
	struct sr_hreq_evq q = { .older = 1, .limit = 4, .count = 1 };
	const struct sr_hreq_page *pg;
	struct sr_hreq_event *taken;
	struct sr_query web;
	uint64_t answers;
	size_t n;

	/* the newest four, newest first; e1..e6 are older */
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e10 e9 e8 e7");
	CU_ASSERT_EQUAL(pg->ev[0].id, 10);
	CU_ASSERT_EQUAL(pg->ev[0].ev.ts_ms, 10000);
	CU_ASSERT_STRING_EQUAL(pg->ev[0].ev.service, "api");
	CU_ASSERT_EQUAL(pg->end, 0);
	CU_ASSERT_EQUAL(pg->older, 6);
	/* nothing due until asked again */
	CU_ASSERT_EQUAL(sr_hreq_pending(h), 0);
	/* before e7 (7 s, id 7): e6 and e5 share 5 s, by id descending */
	q.has_key = 1;
	q.key_ts = 7000;
	q.key_id = 7;
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e6 e5 e4 e3");
	CU_ASSERT_EQUAL(pg->older, 2);
	/* before e6 (5 s, id 6): e5 comes first though its ts is the same */
	q.key_ts = 5000;
	q.key_id = 6;
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e5 e4 e3 e2");
	CU_ASSERT_EQUAL(pg->older, 1);
	/* the same request again is read again */
	answers = sr_hreq_answers(s);
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e5 e4 e3 e2");
	CU_ASSERT_EQUAL(sr_hreq_answers(s), answers + 1);
	/*
	 * service=web before e8, ten at most: e7 e5 e3 e1, the table ran
	 * out; the query is copied (released before the answer)
	 */
	sr_query_init(&web);
	CU_ASSERT_EQUAL_FATAL(sr_query_parse(&web, "service=web", NULL), 0);
	q.query = &web;
	q.key_ts = 8000;
	q.key_id = 8;
	q.limit = 10;
	sr_hreq_want_events(s, &q);
	sr_query_release(&web);
	CU_ASSERT_EQUAL(sr_hreq_answer(h), 1);
	pg = sr_hreq_page(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pg);
	CU_ASSERT_EQUAL_FATAL(pg->n, 4);
	CU_ASSERT_STRING_EQUAL(pg->ev[0].ev.event_id, "e7");
	CU_ASSERT_STRING_EQUAL(pg->ev[3].ev.event_id, "e1");
	CU_ASSERT_EQUAL(pg->end, 1);
	CU_ASSERT_EQUAL(pg->older, 0);
	/* newer than e5 (5 s, id 5), oldest first, no count */
	q.query = NULL;
	q.older = 0;
	q.key_ts = 5000;
	q.key_id = 5;
	q.limit = 3;
	q.count = 0;
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e6 e7 e8");
	CU_ASSERT_EQUAL(pg->end, 0);
	CU_ASSERT_EQUAL(pg->older, -1);
	/* newer than e9: only e10, the end; its count is of rows before e9 */
	q.key_ts = 9000;
	q.key_id = 9;
	q.count = 1;
	pg = hreq_page_of(h, s, &q, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "e10");
	CU_ASSERT_EQUAL(pg->end, 1);
	CU_ASSERT_EQUAL(pg->older, 8);
	/* taking the rows leaves the page empty; they are the caller's */
	taken = sr_hreq_take_events(s, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(taken);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(taken[0].ev.event_id, "e10");
	CU_ASSERT_EQUAL(sr_hreq_page(s)->n, 0);
	CU_ASSERT_PTR_NULL(sr_hreq_take_events(s, &n));
	CU_ASSERT_EQUAL(n, 0);
	sr_hreq_event_release(&taken[0]);
	free(taken);
	sr_hreq_drop(s);
	CU_ASSERT_EQUAL(sr_hreq_state(s), SR_HREQ_NONE);
	CU_ASSERT_PTR_NULL(sr_hreq_page(s));
	CU_ASSERT_STRING_EQUAL(sr_hreq_error(s), "");
	sr_hreq_free(h);
	sr_store_close(st);
	CU_ASSERT_EQUAL(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	CU_ASSERT_EQUAL(rmdir(path), 0);
}

void
sr_test_hreq_suite(void)
{
	CU_pSuite s = CU_add_suite("hreq", NULL, NULL);

	CU_add_test(s, "series", test_series);
	CU_add_test(s, "summary, no store", test_summary_and_no_store);
	CU_add_test(s, "event pages", test_events);
}
