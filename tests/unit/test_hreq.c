/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/hreq: standing history requests and answers. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <string.h>

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

void
sr_test_hreq_suite(void)
{
	CU_pSuite s = CU_add_suite("hreq", NULL, NULL);

	CU_add_test(s, "series", test_series);
	CU_add_test(s, "summary, no store", test_summary_and_no_store);
}
