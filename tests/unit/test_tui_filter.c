/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/evfilter (compiled in: the unit runner links core
 * only).  Events are built by hand; which ones match is decided by
 * reading the filter text, not by running the code.
 */
#include <CUnit/CUnit.h>

#include "tui/evfilter.c"

void sr_test_tui_filter_suite(void);

static struct sr_event
ev_make(const char *service, const char *endpoint, int status, double ms,
    int64_t ts)
{
	struct sr_event e;

	sr_event_clear(&e);
	e.service = service;
	e.endpoint = endpoint;
	e.event_type = "request";
	e.ts_ms = ts;
	if (status > 0) {
		e.status_code = status;
		e.has |= SR_EV_HAS_STATUS;
	}
	if (ms >= 0) {
		e.response_time_ms = ms;
		e.has |= SR_EV_HAS_LATENCY;
	}
	return e;
}

static void
test_filter(void)
{
	struct sr_evfilter f;
	struct sr_err err;
	struct sr_event a = ev_make("vllm", "/v1/chat", 200, 120, 1000);
	struct sr_event b = ev_make("api", "/login", 503, 2500, 2000);
	struct sr_event c = ev_make("api", "/users", 404, -1, 3000);

	sr_evfilter_init(&f);
	CU_ASSERT(sr_evfilter_empty(&f));
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=vllm", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status>=500", &err), 0);
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &a));
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status=4xx", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &c));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	/* two terms: both must hold; latency unknown never passes > */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=api latency>1000",
	    &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	/* free text, any case, any field */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "LOGIN", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &a));
	/* glob and negation */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "endpoint=/v1/*", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service!=api", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	/* time bounds from a drill-down */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=api", &err), 0);
	f.from_ms = 2500;
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	CU_ASSERT(sr_evfilter_match(&f, &c));
	/* errors */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "colour=red", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown field 'colour'");
	CU_ASSERT(sr_evfilter_empty(&f));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status>=abc", &err), -1);
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service>3", &err), -1);
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "a b c d e f g h i", &err), -1);
	sr_evfilter_release(&f);
}

void
sr_test_tui_filter_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_filter", NULL, NULL);

	CU_add_test(s, "filter", test_filter);
}
