/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/event and core/field: the deep copy owns its
 * strings (ASan checks the release), and the field table agrees with the
 * struct it describes.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/field.h"

void sr_test_event_suite(void);

static void
test_copy(void)
{
	char svc[] = "api", meta[] = "{\"k\":1}", ep[] = "/x";
	struct sr_event a, b;

	sr_event_clear(&a);
	a.ts_ms = 1700000000123;
	a.event_id = "e1";
	a.service = svc;
	a.endpoint = ep;
	a.metadata = meta;
	a.status_code = 503;
	a.tokens_in = 7;
	a.has = SR_EV_HAS_STATUS | SR_EV_HAS_TOKENS_IN;
	sr_event_copy(&b, &a);
	/* change the original in place and through its pointers */
	svc[0] = 'X';
	meta[1] = '!';
	ep[1] = 'y';
	a.event_id = "other";
	a.status_code = 200;
	CU_ASSERT_STRING_EQUAL(b.event_id, "e1");
	CU_ASSERT_STRING_EQUAL(b.service, "api");
	CU_ASSERT_STRING_EQUAL(b.endpoint, "/x");
	CU_ASSERT_STRING_EQUAL(b.metadata, "{\"k\":1}");
	CU_ASSERT_PTR_NOT_EQUAL(b.service, svc);
	CU_ASSERT_PTR_NULL(b.event_type);
	CU_ASSERT_PTR_NULL(b.user_id);
	CU_ASSERT_PTR_NULL(b.host);
	CU_ASSERT_EQUAL(b.ts_ms, 1700000000123);
	CU_ASSERT_EQUAL(b.status_code, 503);
	CU_ASSERT_EQUAL(b.tokens_in, 7);
	CU_ASSERT_EQUAL(b.has, SR_EV_HAS_STATUS | SR_EV_HAS_TOKENS_IN);
	sr_event_release(&b);
	CU_ASSERT_PTR_NULL(b.service);
	CU_ASSERT_EQUAL(b.has, 0);
	sr_event_release(&b); /* cleared: nothing left to free */
}

/* The first string NULL, the last one set: release still finds the block. */
static void
test_copy_sparse(void)
{
	struct sr_event a, b, c;

	sr_event_clear(&a);
	a.metadata = "{}";
	sr_event_copy(&b, &a);
	CU_ASSERT_STRING_EQUAL(b.metadata, "{}");
	CU_ASSERT_PTR_NOT_EQUAL(b.metadata, a.metadata);
	sr_event_release(&b);
	/* no strings at all: nothing allocated */
	sr_event_clear(&a);
	a.response_time_ms = 1.5;
	a.has = SR_EV_HAS_LATENCY;
	sr_event_copy(&c, &a);
	CU_ASSERT_EQUAL(c.response_time_ms, 1.5);
	sr_event_release(&c);
}

static void
test_fields(void)
{
	struct sr_event ev;
	double d;
	int64_t i;

	/* ids index the table; every row is reachable by its names */
	for (int k = 0; k < SR_FIELD__COUNT; k++) {
		CU_ASSERT_EQUAL(sr_fields[k].id, k);
		CU_ASSERT_PTR_EQUAL(sr_field_find(sr_fields[k].name),
		    &sr_fields[k]);
		CU_ASSERT_PTR_EQUAL(sr_field_find(sr_fields[k].query),
		    &sr_fields[k]);
	}
	CU_ASSERT_PTR_EQUAL(sr_field_find("latency_ms"),
	    &sr_fields[SR_FIELD_LATENCY]);
	CU_ASSERT_PTR_EQUAL(sr_field_find("prompt_tokens"),
	    &sr_fields[SR_FIELD_TOKENS_IN]);
	CU_ASSERT_PTR_NULL(sr_field_find("nonsense"));
	/* accessors read and write the members the rows name */
	sr_event_clear(&ev);
	ev.session_id = "s";
	CU_ASSERT_STRING_EQUAL(sr_field_text(&sr_fields[SR_FIELD_SESSION], &ev),
	    "s");
	CU_ASSERT_FALSE(sr_field_num(&sr_fields[SR_FIELD_STATUS], &ev, &d));
	sr_field_set_num(&sr_fields[SR_FIELD_STATUS], &ev, 404);
	CU_ASSERT_EQUAL(ev.status_code, 404);
	CU_ASSERT_EQUAL(ev.has, SR_EV_HAS_STATUS);
	sr_field_set_num(&sr_fields[SR_FIELD_TOKENS_OUT], &ev, 5e12);
	CU_ASSERT_EQUAL(ev.tokens_out, 5000000000000);
	CU_ASSERT_TRUE(sr_field_int(&sr_fields[SR_FIELD_TOKENS_OUT], &ev, &i));
	CU_ASSERT_EQUAL(i, 5000000000000);
	sr_field_set_num(&sr_fields[SR_FIELD_TTFT], &ev, 2.5);
	CU_ASSERT_EQUAL(ev.ttft_ms, 2.5);
	CU_ASSERT_TRUE(sr_field_num(&sr_fields[SR_FIELD_TTFT], &ev, &d));
	CU_ASSERT_EQUAL(d, 2.5);
	CU_ASSERT_TRUE(sr_field_int(&sr_fields[SR_FIELD_IS_ERROR], &ev, &i));
	CU_ASSERT_EQUAL(i, 0);
	sr_field_set_num(&sr_fields[SR_FIELD_IS_ERROR], &ev, 1);
	CU_ASSERT_TRUE(ev.has & SR_EV_IS_ERROR);
	ev.ts_ms = 42;
	CU_ASSERT_TRUE(sr_field_int(&sr_fields[SR_FIELD_TS], &ev, &i));
	CU_ASSERT_EQUAL(i, 42);
}

void
sr_test_event_suite(void)
{
	CU_pSuite s = CU_add_suite("event", NULL, NULL);

	CU_add_test(s, "copy", test_copy);
	CU_add_test(s, "copy_sparse", test_copy_sparse);
	CU_add_test(s, "fields", test_fields);
}
