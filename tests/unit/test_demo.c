/* SPDX-License-Identifier: MIT */
/* Unit tests for collectors/demo. */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/demo.h"

void sr_test_demo_suite(void);

#define T0 1795000000000LL /* 2026-11-18T...Z, any fixed instant */

static char *
demo_text(uint64_t seed, enum sr_demo_incidents inc, int n)
{
	struct sr_demo_opts o = { .seed = seed,
		.incidents = inc,
		.start_ms = T0 };
	struct sr_demo *d = sr_demo_new(&o);
	struct sr_event ev;
	struct sr_buf b;

	sr_buf_init(&b);
	for (int i = 0; i < n; i++) {
		sr_demo_next(d, T0 + i * 100, &ev);
		sr_demo_format_json(&ev, &b);
	}
	sr_demo_free(d);
	return sr_buf_detach(&b, NULL);
}

static void
test_reproducible(void)
{
	char *a = demo_text(42, SR_DEMO_INCIDENTS_SOME, 500);
	char *b = demo_text(42, SR_DEMO_INCIDENTS_SOME, 500);
	char *c = demo_text(43, SR_DEMO_INCIDENTS_SOME, 500);

	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
}

/* Every line parses as a JSON object with the expected field types. */
static void
test_json_lines(void)
{
	char *text = demo_text(1, SR_DEMO_INCIDENTS_SOME, 2000), *save = NULL;
	int n = 0, bad = 0;

	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		const cJSON *ts = cJSON_GetObjectItem(o, "timestamp");
		const cJSON *st = cJSON_GetObjectItem(o, "status_code");
		const cJSON *msg = cJSON_GetObjectItem(o, "message");

		n++;
		if (!cJSON_IsObject(o) || !cJSON_IsString(ts) ||
		    strlen(ts->valuestring) != 24 ||
		    ts->valuestring[23] != 'Z' || !cJSON_IsNumber(st) ||
		    !cJSON_IsString(cJSON_GetObjectItem(o, "event_id")) ||
		    !cJSON_IsString(cJSON_GetObjectItem(o, "service")) ||
		    !cJSON_IsNumber(
			cJSON_GetObjectItem(o, "response_time_ms")) ||
		    (st->valueint >= 400 && !cJSON_IsString(msg)))
			bad++;
		cJSON_Delete(o);
	}
	CU_ASSERT_EQUAL(n, 2000);
	CU_ASSERT_EQUAL(bad, 0);
	free(text);
}

/* The timestamp format, checked against a hand-computed instant. */
static void
test_timestamp(void)
{
	struct sr_event ev;
	struct sr_buf b;

	sr_event_clear(&ev);
	ev.ts_ms = 1795870870123LL; /* 2026-11-28T13:01:10.123Z */
	ev.event_id = "e";
	ev.event_type = "request";
	sr_buf_init(&b);
	sr_demo_format_json(&ev, &b);
	CU_ASSERT_STRING_EQUAL(b.data,
	    "{\"timestamp\":"
	    "\"2026-11-28T13:01:10.123Z\",\"event_id\":\"e\","
	    "\"event_type\":\"request\"}\n");
	sr_buf_reset(&b);
	ev.ts_ms = 951782400000LL; /* 2000-02-29T00:00:00.000Z */
	sr_demo_format_json(&ev, &b);
	CU_ASSERT(strstr(b.data, "2000-02-29T00:00:00.000Z") != NULL);
	sr_buf_release(&b);
}

/* Calm traffic: about 1.5 % 4xx, 0.2 % 5xx, no bursts. */
static void
test_status_mix(void)
{
	struct sr_demo_opts o = { .seed = 9,
		.incidents = SR_DEMO_INCIDENTS_NONE,
		.start_ms = T0 };
	struct sr_demo *d = sr_demo_new(&o);
	struct sr_event ev;
	int n = 100000, c4 = 0, c5 = 0, llm = 0;

	for (int i = 0; i < n; i++) {
		sr_demo_next(d, T0 + i * 20, &ev);
		c4 += ev.status_code >= 400 && ev.status_code < 500;
		c5 += ev.status_code >= 500;
		if ((ev.has & SR_EV_HAS_TOKENS_OUT) && ev.ttft_ms > 0) {
			llm++;
			CU_ASSERT(ev.response_time_ms > ev.ttft_ms);
		}
	}
	CU_ASSERT(c4 > n / 100 && c4 < n * 25 / 1000);
	CU_ASSERT(c5 > 0 && c5 < n * 5 / 1000);
	CU_ASSERT(llm > n / 10);
	sr_demo_free(d);
}

/* With incidents, the first is an error burst 90 s in; none when calm. */
static void
test_incidents(void)
{
	struct sr_demo_opts o = { .seed = 5,
		.incidents = SR_DEMO_INCIDENTS_SOME,
		.start_ms = T0 };
	struct sr_demo *d = sr_demo_new(&o);
	struct sr_demo_incident inc;
	int kinds[4] = { 0 };

	CU_ASSERT_EQUAL(sr_demo_incident_at(d, T0 + 89000, &inc), 0);
	CU_ASSERT_EQUAL(sr_demo_incident_at(d, T0 + 91000, &inc), 1);
	CU_ASSERT_EQUAL(inc.kind, SR_DEMO_ERROR_BURST);
	CU_ASSERT_EQUAL(inc.from_ms, T0 + 90000);
	CU_ASSERT(inc.to_ms - inc.from_ms >= 120000);
	CU_ASSERT(inc.subject != NULL);
	/* Over a day every kind shows up, and the rate factor stays sane. */
	for (int64_t t = T0; t < T0 + 86400000; t += 30000) {
		double f = sr_demo_rate_factor(d, t);

		CU_ASSERT(f > 0.3 && f < 5.0);
		if (sr_demo_incident_at(d, t, &inc))
			kinds[inc.kind]++;
	}
	CU_ASSERT(kinds[SR_DEMO_ERROR_BURST] > 0);
	CU_ASSERT(kinds[SR_DEMO_LATENCY] > 0);
	CU_ASSERT(kinds[SR_DEMO_SPIKE] > 0);
	sr_demo_free(d);
	o.incidents = SR_DEMO_INCIDENTS_NONE;
	d = sr_demo_new(&o);
	CU_ASSERT_EQUAL(sr_demo_incident_at(d, T0 + 91000, &inc), 0);
	sr_demo_free(d);
}

void
sr_test_demo_suite(void)
{
	CU_pSuite s = CU_add_suite("demo", NULL, NULL);

	CU_add_test(s, "reproducible", test_reproducible);
	CU_add_test(s, "json_lines", test_json_lines);
	CU_add_test(s, "timestamp", test_timestamp);
	CU_add_test(s, "status_mix", test_status_mix);
	CU_add_test(s, "incidents", test_incidents);
}
