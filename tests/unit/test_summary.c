/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/summary and core/export.  A store is filled with
 * hand-made events, some on minute and hour edges, some just outside the
 * range; every expected number below was worked out by hand from that
 * list (see the comments), not taken from the code.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agg.h"
#include "core/event.h"
#include "core/export.h"
#include "core/store.h"
#include "core/summary.h"
#include "core/util.h"

void sr_test_summary_suite(void);

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define FROM (T0 + 30000)  /* inside minute 0 and hour 0 */
#define TO (T0 + 7245000)  /* 2 h 45 s: inside minute 120, hour 2 */

struct ev {
	int64_t off; /* ms after T0 */
	const char *type, *service, *endpoint;
	int status; /* 0 = none */
	double lat; /* < 0 = none */
	const char *user, *session, *message, *model;
	int64_t tin, tout; /* < 0 = none */
	double ttft;	   /* < 0 = none */
	const char *meta;  /* metadata JSON */
	int iserr;	   /* SR_EV_IS_ERROR (an error level) */
};

static const struct ev events[] = {
	/* outside the range */
	{ 29999, "request", "api", "/a", 500, 9999, "uX", "sX", "boom", NULL,
	    -1, -1, -1, NULL, 0 },
	{ 7245000, "request", "api", "/a", 500, 9999, "uY", "sY", "boom", NULL,
	    -1, -1, -1, NULL, 0 },
	{ -3600000, "request", "web", "/home", 200, 1, "uZ", "sZ", NULL, NULL,
	    -1, -1, -1, NULL, 0 },
	/* api: 11 events */
	{ 30000, "request", "api", "/a", 200, 10, "u1", "s1", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A1: == from */
	{ 59999, "request", "api", "/a", 200, 20, "u2", "s1", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A2 */
	{ 60000, "request", "api", "/a", 500, 30, "u1", "s2", "db timeout",
	    NULL, -1, -1, -1, NULL, 0 }, /* A3 */
	{ 3599999, "request", "api", "/b", 404, 40, "u3", "s3", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A4 */
	{ 3600000, "request", "api", "/b", 500, 50, "u1", "s3", "db timeout",
	    NULL, -1, -1, -1, NULL, 0 }, /* A5 */
	{ 7199999, "request", "api", "/a", 200, 60, "u4", "s4", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A6 */
	{ 7200000, "request", "api", "/c", 503, 70, "u5", "s5", "upstream down",
	    NULL, -1, -1, -1, NULL, 0 }, /* A7 */
	{ 7244999, "request", "api", "/a", 200, 80, "u2", "s1", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A8 */
	{ 5000000, "request", "api", "/a", 400, 90, "u6", "s6", NULL, NULL, -1,
	    -1, -1, NULL, 0 }, /* A9 */
	{ 5000001, "request", "api", "/b", 502, -1, "u1", "s7", "db timeout",
	    NULL, -1, -1, -1, NULL, 0 }, /* A10 */
	{ 6000000, "request", "api", "/a", 200, 5, "u2", "s1", "slow warning",
	    NULL, -1, -1, -1, NULL, 0 }, /* A11: no error */
	/* web: 2 page views */
	{ 1800000, "page_view", "web", "/home", 0, -1, "u7", "s8", NULL, NULL,
	    -1, -1, -1, NULL, 0 },
	{ 7230000, "page_view", "web", "/home", 0, -1, "u1", "s1", NULL, NULL,
	    -1, -1, -1, NULL, 0 },
	/* llm: 4 requests with models */
	{ 120000, "request", "llm", "/v1/chat", 200, 1000, "u8", "s9", NULL,
	    "m1", 100, 50, 200, NULL, 0 },
	{ 40000, "request", "llm", "/v1/chat", 200, 500, "u8", "s9", NULL, "m1",
	    10, 25, 100, NULL, 0 },
	{ 4000000, "request", "llm", "/v1/chat", 200, 2000, "u9", "s10", NULL,
	    "m2", 30, 100, 400, NULL, 0 },
	{ 4000001, "request", "llm", "/v1/chat", 200, -1, "u9", "s10", NULL,
	    "m2", 5, 20, -1, NULL, 0 },
	/* worker: log lines, errors by level (kept in metadata) */
	{ 45000, "log", "worker", NULL, 0, -1, NULL, NULL, "disk full", NULL,
	    -1, -1, -1, "{\"level\":\"ERROR\"}", 1 },
	{ 600000, "log", "worker", NULL, 0, -1, NULL, NULL, "disk full", NULL,
	    -1, -1, -1, "{\"level\":\"error\"}", 1 },
	{ 7240000, "log", "worker", NULL, 0, -1, NULL, NULL, "disk full", NULL,
	    -1, -1, -1, "{\"PRIORITY\":\"3\"}", 1 },
	{ 7241000, "log", "worker", NULL, 0, -1, NULL, NULL, "all good", NULL,
	    -1, -1, -1, "{\"level\":\"info\"}", 0 },
	/* no service */
	{ 100000, "heartbeat", NULL, NULL, 0, -1, NULL, NULL, NULL, NULL, -1,
	    -1, -1, NULL, 0 },
};

static struct sr_store *
fill_store(void)
{
	struct sr_err err;
	struct sr_store *st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	struct sr_event e;
	char id[32];
	int k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
		const struct ev *v = &events[i];

		sr_event_clear(&e);
		snprintf(id, sizeof id, "e%d", k++);
		e.ts_ms = T0 + v->off;
		e.event_id = id;
		e.event_type = v->type;
		e.service = v->service;
		e.endpoint = v->endpoint;
		e.user_id = v->user;
		e.session_id = v->session;
		e.message = v->message;
		e.model = v->model;
		e.metadata = v->meta;
		if (v->iserr)
			e.has |= SR_EV_IS_ERROR;
		if (v->status) {
			e.status_code = v->status;
			e.has |= SR_EV_HAS_STATUS;
		}
		if (v->lat >= 0) {
			e.response_time_ms = v->lat;
			e.has |= SR_EV_HAS_LATENCY;
		}
		if (v->tin >= 0) {
			e.tokens_in = v->tin;
			e.has |= SR_EV_HAS_TOKENS_IN;
		}
		if (v->tout >= 0) {
			e.tokens_out = v->tout;
			e.has |= SR_EV_HAS_TOKENS_OUT;
		}
		if (v->ttft >= 0) {
			e.ttft_ms = v->ttft;
			e.has |= SR_EV_HAS_TTFT;
		}
		CU_ASSERT_EQUAL(sr_store_add_event(st, &e, &err), 0);
	}
	/* calc: 20 requests, latency 1..20 ms, one every 350 s */
	for (int i = 0; i < 20; i++) {
		sr_event_clear(&e);
		snprintf(id, sizeof id, "c%d", i);
		e.ts_ms = T0 + 30500 + (int64_t)i * 350000;
		e.event_id = id;
		e.event_type = "request";
		e.service = "calc";
		e.endpoint = "/x";
		e.status_code = 200;
		e.response_time_ms = i + 1;
		e.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
		CU_ASSERT_EQUAL(sr_store_add_event(st, &e, &err), 0);
	}
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	return st;
}

static struct sr_summary *
run(struct sr_store *st, int64_t from, int64_t to, const char *service)
{
	struct sr_summary_opts o = { from, to, service, 0, NULL, NULL };
	struct sr_summary *s = NULL;
	struct sr_err err;

	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	return s;
}

static const struct sr_summary_service *
svc(const struct sr_summary *s, const char *name)
{
	for (size_t i = 0; i < s->n_services; i++)
		if (strcmp(s->services[i].service, name) == 0)
			return &s->services[i];
	return NULL;
}

static int64_t
type_n(const struct sr_summary *s, const char *name)
{
	for (size_t i = 0; i < s->n_types; i++)
		if (strcmp(s->by_type[i].name, name) == 0)
			return s->by_type[i].n;
	return -1;
}

#define NEAR(got, want)                       \
	CU_ASSERT_DOUBLE_EQUAL((got), (want), \
	    fabs((double)(want)) * 0.01 + 1e-9)

static void
test_totals(void)
{
	struct sr_store *st = fill_store();
	struct sr_summary *s = run(st, FROM, TO, NULL);

	/* api 11 + web 2 + llm 4 + calc 20 + worker 4 + heartbeat 1 */
	CU_ASSERT_EQUAL(s->total_events, 42);
	/* u1..u9; uX, uY, uZ are outside */
	CU_ASSERT_EQUAL(s->unique_users, 9);
	/* s1..s10 */
	CU_ASSERT_EQUAL(s->unique_sessions, 10);
	CU_ASSERT_EQUAL(s->n_types, 4);
	CU_ASSERT_EQUAL(type_n(s, "log"), 4);
	CU_ASSERT_EQUAL(type_n(s, "request"), 35);
	CU_ASSERT_EQUAL(type_n(s, "page_view"), 2);
	CU_ASSERT_EQUAL(type_n(s, "heartbeat"), 1);
	CU_ASSERT_STRING_EQUAL(s->by_type[0].name, "request");
	/* requests: api 11 + llm 4 + calc 20; page views, log lines and
	 * the heartbeat have no status, latency or type "request" */
	CU_ASSERT_EQUAL(s->total_requests, 35);
	/* services by requests, then name: calc 20, api 11, llm 4, then
	 * (none), web and worker with 0 (events, no requests) */
	CU_ASSERT_EQUAL_FATAL(s->n_services, 6);
	CU_ASSERT_STRING_EQUAL(s->services[0].service, "calc");
	CU_ASSERT_STRING_EQUAL(s->services[1].service, "api");
	CU_ASSERT_STRING_EQUAL(s->services[2].service, "llm");
	CU_ASSERT_STRING_EQUAL(s->services[3].service, "");
	CU_ASSERT_STRING_EQUAL(s->services[4].service, "web");
	CU_ASSERT_STRING_EQUAL(s->services[5].service, "worker");
	CU_ASSERT_EQUAL(s->services[3].requests, 0);
	sr_summary_free(s);
	sr_store_close(st);
}

static void
test_service_rows(void)
{
	struct sr_store *st = fill_store();
	struct sr_summary *s = run(st, FROM, TO, NULL);
	const struct sr_summary_service *a = svc(s, "api"), *c, *w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->requests, 11);
	/* range: 7245000 - 30000 ms = 7215 s */
	NEAR(a->rate_per_s, 11.0 / 7215.0);
	CU_ASSERT_EQUAL(a->status_4xx, 2); /* A4 404, A9 400 */
	CU_ASSERT_EQUAL(a->status_5xx, 4); /* A3, A5, A7, A10 */
	NEAR(a->error_rate, 4.0 / 11.0);
	/* latencies 5 10 20 30 40 50 60 70 80 90 (A10 has none) */
	CU_ASSERT_EQUAL(a->latency_ms.n, 10);
	NEAR(a->latency_ms.avg, 45.5);
	NEAR(a->latency_ms.p50, 40); /* rank ceil(5) = 5 */
	NEAR(a->latency_ms.p95, 90); /* rank ceil(9.5) = 10 */
	NEAR(a->latency_ms.p99, 90);
	NEAR(a->latency_ms.max, 90);
	/* endpoints: /a 7 (A3 5xx), /b 3 (A5, A10 5xx), /c 1 (A7 5xx) */
	CU_ASSERT_EQUAL_FATAL(a->n_endpoints, 3);
	CU_ASSERT_STRING_EQUAL(a->endpoints[0].endpoint, "/a");
	CU_ASSERT_EQUAL(a->endpoints[0].requests, 7);
	NEAR(a->endpoints[0].error_rate, 1.0 / 7.0);
	NEAR(a->endpoints[0].p95_ms, 90); /* 5 10 20 30 60 80 90 */
	CU_ASSERT_STRING_EQUAL(a->endpoints[1].endpoint, "/b");
	CU_ASSERT_EQUAL(a->endpoints[1].requests, 3);
	NEAR(a->endpoints[1].error_rate, 2.0 / 3.0);
	NEAR(a->endpoints[1].p95_ms, 50); /* 40 50 */
	CU_ASSERT_STRING_EQUAL(a->endpoints[2].endpoint, "/c");
	NEAR(a->endpoints[2].error_rate, 1.0);
	NEAR(a->endpoints[2].p95_ms, 70);
	/* errors: "db timeout" A3 A5 A10, "upstream down" A7; not "boom"
	 * (outside), not "slow warning" (status 200) */
	CU_ASSERT_EQUAL_FATAL(a->n_errors, 2);
	CU_ASSERT_STRING_EQUAL(a->errors[0].tpl, "db timeout");
	CU_ASSERT_EQUAL(a->errors[0].n, 3);
	CU_ASSERT_STRING_EQUAL(a->errors[1].tpl, "upstream down");
	CU_ASSERT_EQUAL(a->errors[1].n, 1);

	/* calc: latencies 1..20: p50 rank 10 -> 10, p95 rank 19 -> 19 */
	c = svc(s, "calc");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->requests, 20);
	CU_ASSERT_EQUAL(c->status_5xx, 0);
	CU_ASSERT_DOUBLE_EQUAL(c->error_rate, 0, 1e-12);
	NEAR(c->latency_ms.p50, 10);
	NEAR(c->latency_ms.p95, 19);
	NEAR(c->latency_ms.p99, 20);
	NEAR(c->latency_ms.avg, 10.5);
	NEAR(c->latency_ms.max, 20);

	/* worker: "disk full" by level at both edges and in a whole
	 * minute (3); "all good" (level info) is no error */
	w = svc(s, "worker");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->requests, 0); /* log lines: no request */
	CU_ASSERT_EQUAL(w->status_5xx, 0);
	CU_ASSERT_EQUAL(w->n_endpoints, 0);
	CU_ASSERT_EQUAL_FATAL(w->n_errors, 1);
	CU_ASSERT_STRING_EQUAL(w->errors[0].tpl, "disk full");
	CU_ASSERT_EQUAL(w->errors[0].n, 3);

	/* web: page views, no status, no latency: events, no request */
	w = svc(s, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->requests, 0);
	CU_ASSERT_EQUAL(w->latency_ms.n, 0);
	CU_ASSERT_TRUE(isnan(w->latency_ms.p95));
	CU_ASSERT_EQUAL(w->n_errors, 0);
	CU_ASSERT_EQUAL(w->n_endpoints, 0);
	sr_summary_free(s);
	sr_store_close(st);
}

static void
test_models(void)
{
	struct sr_store *st = fill_store();
	struct sr_summary *s = run(st, FROM, TO, NULL);
	const struct sr_summary_service *l = svc(s, "llm");

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	/* latencies 500 1000 2000 */
	NEAR(l->latency_ms.avg, 3500.0 / 3.0);
	NEAR(l->latency_ms.p50, 1000);
	NEAR(l->latency_ms.p95, 2000);
	CU_ASSERT_EQUAL_FATAL(s->n_models, 2);
	/* m1: 2 requests, in 110, out 75, gen 1500 ms -> 50 tokens/s;
	 * ttft 100 200 */
	CU_ASSERT_STRING_EQUAL(s->models[0].model, "m1");
	CU_ASSERT_EQUAL(s->models[0].requests, 2);
	CU_ASSERT_EQUAL(s->models[0].tokens_in, 110);
	CU_ASSERT_EQUAL(s->models[0].tokens_out, 75);
	NEAR(s->models[0].tokens_per_s, 50);
	NEAR(s->models[0].ttft_ms.p50, 100);
	NEAR(s->models[0].ttft_ms.p95, 200);
	/* m2: in 35, out 120, gen 2000 ms (one request has no latency)
	 * -> 60 tokens/s; ttft 400 */
	CU_ASSERT_STRING_EQUAL(s->models[1].model, "m2");
	CU_ASSERT_EQUAL(s->models[1].tokens_in, 35);
	CU_ASSERT_EQUAL(s->models[1].tokens_out, 120);
	NEAR(s->models[1].tokens_per_s, 60);
	NEAR(s->models[1].ttft_ms.p50, 400);
	NEAR(s->models[1].ttft_ms.p95, 400);
	sr_summary_free(s);
	sr_store_close(st);
}

static void
test_filter_and_ranges(void)
{
	struct sr_store *st = fill_store();
	struct sr_summary *s = run(st, FROM, TO, "api");
	struct sr_summary_opts bad = { TO, FROM, NULL, 0, NULL, NULL };
	struct sr_err err;

	/* api only: users u1..u6, sessions s1..s7 */
	CU_ASSERT_EQUAL(s->total_events, 11);
	CU_ASSERT_EQUAL(s->unique_users, 6);
	CU_ASSERT_EQUAL(s->unique_sessions, 7);
	CU_ASSERT_EQUAL(s->n_types, 1);
	CU_ASSERT_EQUAL(type_n(s, "request"), 11);
	CU_ASSERT_EQUAL(s->n_services, 1);
	CU_ASSERT_EQUAL(s->n_models, 0);
	sr_summary_free(s);

	/* no whole minute: A1 (30000), calc c0 (30500), L2 (40000),
	 * worker (45000) */
	s = run(st, T0 + 30000, T0 + 50000, NULL);
	CU_ASSERT_EQUAL(s->total_events, 4);
	CU_ASSERT_EQUAL(s->unique_users, 2); /* u1, u8 */
	sr_summary_free(s);

	/* exactly hour 1: A5 A6 A9 A10 A11, L3 L4, calc i = 11..19 */
	s = run(st, T0 + 3600000, T0 + 7200000, NULL);
	CU_ASSERT_EQUAL(s->total_events, 16);
	CU_ASSERT_EQUAL(s->unique_users, 5);	/* u1 u2 u4 u6 u9 */
	CU_ASSERT_EQUAL(s->unique_sessions, 6); /* s1 s3 s4 s6 s7 s10 */
	sr_summary_free(s);

	/* an empty stretch, and a reversed range */
	s = run(st, T0 + 86400000, T0 + 2 * 86400000LL, NULL);
	CU_ASSERT_EQUAL(s->total_events, 0);
	CU_ASSERT_EQUAL(s->n_services, 0);
	sr_summary_free(s);
	s = (struct sr_summary *)&err;
	CU_ASSERT_EQUAL(sr_summary_query(st, &bad, &s, &err), -1);
	CU_ASSERT_PTR_NULL(s);
	sr_store_close(st);
}

static void
test_output(void)
{
	struct sr_store *st = fill_store();
	struct sr_summary *s = run(st, FROM, TO, NULL);
	struct sr_buf b;
	cJSON *j, *sv, *x;

	sr_buf_init(&b);
	sr_summary_json(s, &b);
	j = cJSON_Parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	x = cJSON_GetObjectItem(j, "from");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(x),
	    "2026-01-01T00:00:30.000Z");
	x = cJSON_GetObjectItem(j, "to");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(x),
	    "2026-01-01T02:00:45.000Z");
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(j, "range_s")->valuedouble,
	    7215, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j,
						       "events_by_type"),
				   "page_view")
				   ->valuedouble,
	    2, 1e-9);
	sv = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "services"), 1);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(
				   cJSON_GetObjectItem(sv, "service")),
	    "api");
	x = cJSON_GetObjectItem(cJSON_GetObjectItem(sv, "latency_ms"), "p95");
	CU_ASSERT_DOUBLE_EQUAL(x->valuedouble, 90, 0.9);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(sv, "top_errors"), 0);
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(x, "count")->valuedouble, 3,
	    1e-9);
	/* the service-less row is null; web has no latency: null */
	sv = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "services"), 3);
	CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(sv, "service")));
	sv = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "services"), 4);
	CU_ASSERT_TRUE(cJSON_IsNull(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(sv, "latency_ms"), "avg")));
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(x, "tokens_per_s")
				   ->valuedouble,
	    50, 0.5);
	cJSON_Delete(j);

	sr_buf_reset(&b);
	sr_summary_text(s, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Services"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "db timeout"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "36.36%")); /* 4 / 11 */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Models"));
	sr_buf_release(&b);
	sr_summary_free(s);
	sr_store_close(st);
}

static void
test_export_events(void)
{
	struct sr_store *st = fill_store();
	struct sr_export_opts o = { SR_EXPORT_EVENTS, SR_EXPORT_CSV,
		T0 + 7200000, T0 + 7245001, 0, NULL, NULL };
	struct sr_err err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cJSON *j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* [2:00:00, 2:00:45.001): A7, W2, worker x2, A8, X2 in ts order */
	CU_ASSERT_EQUAL(sr_export_run(st, &o, f, &err), 6);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "event_id,event_type,timestamp,"
	    "service,endpoint,status_code,response_time_ms,user_id,"
	    "session_id,message,model,tokens_in,tokens_out,ttft_ms,host,"
	    "metadata\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    ",request,"
	    "2026-01-01T02:00:00.000Z,api,/c,503,70,u5,s5,upstream down,"
	    ",,,,,\r\n"));
	free(text);

	o.format = SR_EXPORT_JSON;
	f = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(sr_export_run(st, &o, f, &err), 6);
	fclose(f);
	j = cJSON_Parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(j), 6);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(
				   cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1),
				       "event_type")),
	    "page_view");
	/* NULL fields are left out */
	CU_ASSERT_PTR_NULL(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "status_code"));
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetNumberValue(
				   cJSON_GetObjectItem(cJSON_GetArrayItem(j, 4),
				       "response_time_ms")),
	    80, 1e-9);
	/* metadata is embedded as an object */
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				   cJSON_GetObjectItem(cJSON_GetArrayItem(j, 2),
				       "metadata"),
				   "PRIORITY")),
	    "3");
	cJSON_Delete(j);
	free(text);

	o.format = SR_EXPORT_JSONL;
	o.from_ms = T0 + 86400000; /* nothing there */
	o.to_ms = T0 + 2 * 86400000LL;
	f = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(sr_export_run(st, &o, f, &err), 0);
	fclose(f);
	CU_ASSERT_EQUAL(len, 0);
	free(text);
	sr_store_close(st);
}

static void
test_export_metrics(void)
{
	struct sr_err err;
	struct sr_store *st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	struct sr_export_opts o = { SR_EXPORT_METRICS, SR_EXPORT_CSV, INT64_MIN,
		INT64_MAX, 60000, "cpu.*", NULL };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	/* minute 0: 1 and 3; minute 1: 10; mem.used is not selected */
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "cpu.user", T0, 1, &err), 0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "cpu.user", T0 + 30000, 3,
			    &err),
	    0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "cpu.user", T0 + 60000, 10,
			    &err),
	    0);
	CU_ASSERT_EQUAL(sr_store_add_sample(st, "mem.used", T0, 5, &err), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(sr_export_run(st, &o, f, &err), 2);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text,
	    "name,ts,min,avg,max,n\r\n"
	    "cpu.user,2026-01-01T00:00:00.000Z,1,2,3,2\r\n"
	    "cpu.user,2026-01-01T00:01:00.000Z,10,10,10,1\r\n");
	free(text);
	sr_store_close(st);
}

/*
 * Live and stored agree: the same events fed to the live engine's agg and
 * to the store, then read back as the agg's 5 min window and as the
 * report over a range inside that window (starting and ending inside
 * minutes, so the raw edges are read too).  Both are checked against
 * figures counted here while generating the events: per service
 * requests, 4xx, 5xx, p50/p95/p99 (nearest rank, within the sketches'
 * 0.5 % plus rounding), unique users and sessions, and the error
 * patterns with their counts (the pattern each message was made from).
 */
#define AG_NOW (T0 + 290000) /* agg clock: 5 min window from T0 */
#define AG_FROM (T0 + 10500)
#define AG_N 3000
#define AG_SVC 4
#define AG_TPL 4

static uint64_t
ag_rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int
ag_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* Nearest rank of a sorted array. */
static double
ag_rank(const double *v, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n - 1e-9);

	return v[k < 1 ? 0 : k - 1];
}

static void
test_live_stored_agree(void)
{
	static const char *const svcs[AG_SVC] = { "api", "auth", "llm",
		"worker" };
	static const char *const tpl[AG_TPL] = { "timeout after <n> ms",
		"user <n> not found", "connect to <ip> refused", "disk full" };
	struct {
		int64_t req, s4, s5;
		double *lat;
		size_t nl;
	} want[AG_SVC];
	int64_t tpl_n[AG_TPL] = { 0 };
	char users[400], sessions[700];
	int64_t n_users = 0, n_sessions = 0;
	uint64_t x = 88172645463325252ULL;
	struct sr_err err;
	struct sr_store *st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	struct sr_agg *ag = sr_agg_new(AG_NOW, 1800000, 3600000);
	struct sr_summary_opts o = { AG_FROM, AG_NOW, NULL, 50, NULL, NULL };
	struct sr_summary *sum = NULL;
	struct sr_snap_users us;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	memset(want, 0, sizeof want);
	memset(users, 0, sizeof users);
	memset(sessions, 0, sizeof sessions);
	for (int k = 0; k < AG_SVC; k++)
		want[k].lat = sr_xcalloc(AG_N, sizeof(double));
	for (int i = 0; i < AG_N; i++) {
		struct sr_event e;
		char id[32], user[16], sess[16], msg[64];
		int k = (int)(ag_rnd(&x) % AG_SVC), r = (int)(ag_rnd(&x) % 100);
		int u = (int)(ag_rnd(&x) % 400), ss = (int)(ag_rnd(&x) % 700);

		sr_event_clear(&e);
		snprintf(id, sizeof id, "g%d", i);
		snprintf(user, sizeof user, "u%d", u);
		snprintf(sess, sizeof sess, "s%d", ss);
		/* any order in time, inside [AG_FROM, AG_NOW) */
		e.ts_ms = AG_FROM + (int64_t)(ag_rnd(&x) % (AG_NOW - AG_FROM));
		e.event_id = id;
		e.event_type = k == 3 ? "log" : "request";
		e.service = svcs[k];
		e.endpoint = "/x";
		e.user_id = user;
		e.session_id = sess;
		n_users += !users[u];
		users[u] = 1;
		n_sessions += !sessions[ss];
		sessions[ss] = 1;
		if (k != 3) {
			e.has |= SR_EV_HAS_STATUS;
			e.status_code = r < 80 ? 200
			    : r < 88	       ? 404
			    : r < 94	       ? 500
					       : 503;
			want[k].s4 += e.status_code == 404;
			want[k].s5 += e.status_code >= 500;
		}
		if (r % 10 != 3) {
			e.has |= SR_EV_HAS_LATENCY;
			e.response_time_ms = 1 +
			    (double)(ag_rnd(&x) % 2000) * (double)(1 + k) / 7.0;
			want[k].lat[want[k].nl++] = e.response_time_ms;
		}
		/* a log line is a request only with a latency */
		want[k].req += k != 3 || (e.has & SR_EV_HAS_LATENCY);
		/* errors: 5xx with a message, or log lines flagged as error
		 * (no status); a 404 with a message is no error */
		if ((k != 3 && (r >= 88 || r < 3)) || (k == 3 && r < 20)) {
			int t = (int)(ag_rnd(&x) % AG_TPL);

			if (t == 0)
				snprintf(msg, sizeof msg, "timeout after %d ms",
				    (int)(ag_rnd(&x) % 5000));
			else if (t == 1)
				snprintf(msg, sizeof msg, "user %d not found",
				    (int)(ag_rnd(&x) % 99999));
			else if (t == 2)
				snprintf(msg, sizeof msg,
				    "connect to 10.0.%d.%d refused",
				    (int)(ag_rnd(&x) % 256),
				    (int)(ag_rnd(&x) % 256));
			else
				snprintf(msg, sizeof msg, "disk full");
			e.message = msg;
			if (k == 3)
				e.has |= SR_EV_IS_ERROR;
			if (k == 3 || r >= 88)
				tpl_n[t]++;
		}
		CU_ASSERT_EQUAL(sr_store_add_event(st, &e, &err), 0);
		CU_ASSERT_EQUAL(sr_agg_add_event(ag, &e), 1);
	}
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	sr_agg_tick(ag, AG_NOW);
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &sum, &err), 0);

	CU_ASSERT_EQUAL(sum->total_events, AG_N);
	CU_ASSERT_EQUAL_FATAL(sum->n_services, AG_SVC);
	for (int k = 0; k < AG_SVC; k++) {
		const struct sr_summary_service *sv = svc(sum, svcs[k]);
		struct sr_agg_service *as = sr_agg_service(ag, svcs[k]);
		struct sr_snap_win w;
		static const double qs[3] = { 0.50, 0.95, 0.99 };

		CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
		CU_ASSERT_PTR_NOT_NULL_FATAL(as);
		sr_agg_ring_win(ag, as->ring, SR_WIN_5M, &w);
		CU_ASSERT_EQUAL(sv->requests, want[k].req);
		CU_ASSERT_EQUAL((int64_t)w.requests, want[k].req);
		CU_ASSERT_EQUAL(sv->status_4xx, want[k].s4);
		CU_ASSERT_EQUAL((int64_t)w.n_4xx, want[k].s4);
		CU_ASSERT_EQUAL(sv->status_5xx, want[k].s5);
		CU_ASSERT_EQUAL((int64_t)w.n_5xx, want[k].s5);
		CU_ASSERT_EQUAL(sv->latency_ms.n, (int64_t)want[k].nl);
		CU_ASSERT_EQUAL(w.lat_n, (uint64_t)want[k].nl);
		qsort(want[k].lat, want[k].nl, sizeof(double), ag_cmp);
		for (int q = 0; q < 3; q++) {
			double exact = ag_rank(want[k].lat, want[k].nl, qs[q]);
			double got_s = q == 0 ? sv->latency_ms.p50
			    : q == 1	      ? sv->latency_ms.p95
					      : sv->latency_ms.p99;
			double got_l = q == 0 ? w.p50 : q == 1 ? w.p95 : w.p99;

			CU_ASSERT_DOUBLE_EQUAL(got_s, exact, exact * 0.011);
			CU_ASSERT_DOUBLE_EQUAL(got_l, exact, exact * 0.011);
		}
		free(want[k].lat);
	}
	/* unique users and sessions: every event is in the window */
	sr_agg_users(ag, &us, NULL, 0);
	CU_ASSERT_EQUAL(sum->unique_users, n_users);
	CU_ASSERT_EQUAL((int64_t)us.unique_users[SR_WIN_5M], n_users);
	CU_ASSERT_TRUE(us.users_exact[SR_WIN_5M]);
	CU_ASSERT_EQUAL(sum->unique_sessions, n_sessions);
	CU_ASSERT_EQUAL((int64_t)us.unique_sessions[SR_WIN_5M], n_sessions);

	/* error patterns: the report's per-service counts summed per
	 * pattern, the live engine's count, and the count made here */
	CU_ASSERT_EQUAL(sr_agg_n_templates(ag), AG_TPL);
	for (int t = 0; t < AG_TPL; t++) {
		int64_t stored = 0;
		uint64_t live = 0;

		for (size_t i = 0; i < sum->n_services; i++) {
			const struct sr_summary_service *sv = &sum->services[i];

			for (size_t j = 0; j < sv->n_errors; j++) {
				if (strcmp(sv->errors[j].tpl, tpl[t]) != 0)
					continue;
				stored += sv->errors[j].n;
				/* the example is a message of the pattern */
				CU_ASSERT_EQUAL(strncmp(sv->errors[j].example,
						    tpl[t], 4),
				    0);
			}
		}
		for (size_t i = 0; i < sr_agg_n_templates(ag); i++) {
			const struct sr_agg_template *at =
			    sr_agg_template_at(ag, i);

			if (strcmp(at->tpl, tpl[t]) == 0)
				live = at->count;
		}
		CU_ASSERT(tpl_n[t] > 0);
		CU_ASSERT_EQUAL(stored, tpl_n[t]);
		CU_ASSERT_EQUAL((int64_t)live, tpl_n[t]);
	}
	sr_summary_free(sum);
	sr_agg_free(ag);
	sr_store_close(st);
}

/*
 * The host filter: events of nodes n1 and n2 and of this node (no host),
 * in a whole minute and in both partial edge minutes of [FROM, TO).
 */
static const struct {
	int64_t off;
	const char *host, *service, *endpoint, *user, *message;
	int status;
} host_events[] = {
	{ 29000, "n1", "api", "/a", "u9", NULL, 200 }, /* outside */
	{ 40000, "n1", "api", "/a", "u1", NULL, 200 }, /* edge minute 0 */
	{ 120000, "n1", "api", "/a", "u2", "db timeout", 500 }, /* whole */
	{ 7230000, "n1", "api", "/b", "u1", NULL, 200 },	/* edge end */
	{ 120000, "n2", "api", "/a", "u3", NULL, 200 },
	{ 3000000, "n2", "web", "/home", "u3", NULL, 200 },
	{ 120000, NULL, "api", "/a", "u4", NULL, 200 },
};

static void
test_host_filter(void)
{
	struct sr_err err;
	struct sr_store *st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	struct sr_summary_opts o = { .from_ms = FROM, .to_ms = TO };
	struct sr_summary *s = NULL;
	const struct sr_summary_service *a;
	struct sr_event e;
	char id[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (size_t i = 0; i < sizeof host_events / sizeof *host_events; i++) {
		sr_event_clear(&e);
		snprintf(id, sizeof id, "h%zu", i);
		e.ts_ms = T0 + host_events[i].off;
		e.event_id = id;
		e.event_type = "request";
		e.host = host_events[i].host;
		e.service = host_events[i].service;
		e.endpoint = host_events[i].endpoint;
		e.user_id = host_events[i].user;
		e.message = host_events[i].message;
		e.status_code = host_events[i].status;
		e.has = SR_EV_HAS_STATUS;
		CU_ASSERT_EQUAL(sr_store_add_event(st, &e, &err), 0);
	}
	CU_ASSERT_EQUAL_FATAL(sr_store_flush(st, &err), 0);

	/* n1: 3 in range (not the one at 29 s): api /a 2 (one 5xx), /b 1 */
	o.host = "n1";
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 3);
	CU_ASSERT_EQUAL(type_n(s, "request"), 3);
	CU_ASSERT_EQUAL(s->unique_users, 2); /* u1 u2 */
	CU_ASSERT_EQUAL_FATAL(s->n_services, 1);
	a = svc(s, "api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->requests, 3);
	CU_ASSERT_EQUAL(a->status_5xx, 1);
	CU_ASSERT_EQUAL_FATAL(a->n_endpoints, 2);
	CU_ASSERT_STRING_EQUAL(a->endpoints[0].endpoint, "/a");
	CU_ASSERT_EQUAL(a->endpoints[0].requests, 2);
	CU_ASSERT_EQUAL(a->endpoints[0].status_5xx, 1);
	CU_ASSERT_STRING_EQUAL(a->endpoints[1].endpoint, "/b");
	CU_ASSERT_EQUAL(a->endpoints[1].requests, 1);
	CU_ASSERT_EQUAL_FATAL(a->n_errors, 1);
	CU_ASSERT_STRING_EQUAL(a->errors[0].tpl, "db timeout");
	CU_ASSERT_EQUAL(a->errors[0].n, 1);
	sr_summary_free(s);

	/* n2 and service api: the one /a request */
	o.host = "n2";
	o.service = "api";
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 1);
	CU_ASSERT_EQUAL(s->unique_users, 1);
	CU_ASSERT_EQUAL_FATAL(s->n_services, 1);
	CU_ASSERT_EQUAL(s->services[0].requests, 1);
	CU_ASSERT_EQUAL(s->services[0].n_errors, 0);
	sr_summary_free(s);

	/* no filter: all 6 in range; an unknown host: none */
	o.host = NULL;
	o.service = NULL;
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 6);
	CU_ASSERT_EQUAL(s->unique_users, 4); /* u1 u2 u3 u4 */
	sr_summary_free(s);
	o.host = "n3";
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 0);
	CU_ASSERT_EQUAL(s->n_services, 0);
	sr_summary_free(s);
	sr_store_close(st);
}

/*
 * A range that starts or ends inside a minute and hour reads that
 * bucket's rollup only when the bucket's part outside the range holds no
 * event (a range that ends now); either way the counts are exact.
 */
static void
test_partial_edges(void)
{
	struct sr_err err;
	struct sr_store *st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	struct sr_summary_opts o = { 0, 0, NULL, 0, NULL, NULL };
	struct sr_summary *s = NULL;
	struct sr_store_split sp;
	struct sr_event e;
	char id[16], user[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	/* 100 events, one every 0.5 s from T0 + 10 s, users u0..u6 */
	for (int i = 0; i < 100; i++) {
		sr_event_clear(&e);
		snprintf(id, sizeof id, "p%d", i);
		snprintf(user, sizeof user, "u%d", i % 7);
		e.ts_ms = T0 + 10000 + i * 500LL;
		e.event_id = id;
		e.event_type = "request";
		e.service = "api";
		e.endpoint = "/x";
		e.user_id = user;
		e.status_code = 200;
		e.has = SR_EV_HAS_STATUS;
		CU_ASSERT_EQUAL(sr_store_add_event(st, &e, &err), 0);
	}
	CU_ASSERT_EQUAL_FATAL(sr_store_flush(st, &err), 0);
	/* ends after the data, inside the minute: the rollup is read */
	sr_store_split_exact(st, T0 + 5000, T0 + 70000, 60000, &sp);
	CU_ASSERT_EQUAL(sp.roll.lo, T0);
	CU_ASSERT_EQUAL(sp.roll.hi, T0 + 120000);
	o.from_ms = T0 + 5000;
	o.to_ms = T0 + 70000;
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 100);
	CU_ASSERT_EQUAL(s->total_requests, 100);
	CU_ASSERT_EQUAL(s->unique_users, 7);
	sr_summary_free(s);
	/* cuts the data: [T0 + 20 s, T0 + 40 s) holds events 20..59 */
	sr_store_split_exact(st, T0 + 20000, T0 + 40000, 60000, &sp);
	CU_ASSERT_TRUE(sp.roll.lo >= sp.roll.hi);
	o.from_ms = T0 + 20000;
	o.to_ms = T0 + 40000;
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_events, 40);
	CU_ASSERT_EQUAL(s->total_requests, 40);
	sr_summary_free(s);
	/* starts inside the data, ends after it: raw start, rollup end */
	sr_store_split_exact(st, T0 + 50000, T0 + 90000, 60000, &sp);
	CU_ASSERT_EQUAL(sp.edge[0].lo, T0 + 50000);
	CU_ASSERT_EQUAL(sp.edge[0].hi, T0 + 60000);
	CU_ASSERT_EQUAL(sp.roll.lo, T0 + 60000);
	CU_ASSERT_EQUAL(sp.roll.hi, T0 + 120000);
	o.from_ms = T0 + 50000;
	o.to_ms = T0 + 90000;
	CU_ASSERT_EQUAL_FATAL(sr_summary_query(st, &o, &s, &err), 0);
	CU_ASSERT_EQUAL(s->total_requests, 20); /* events 80..99 */
	sr_summary_free(s);
	sr_store_close(st);
}

void
sr_test_summary_suite(void)
{
	CU_pSuite s = CU_add_suite("summary", NULL, NULL);

	CU_add_test(s, "totals", test_totals);
	CU_add_test(s, "live and stored agree", test_live_stored_agree);
	CU_add_test(s, "service_rows", test_service_rows);
	CU_add_test(s, "models", test_models);
	CU_add_test(s, "filter_and_ranges", test_filter_and_ranges);
	CU_add_test(s, "host_filter", test_host_filter);
	CU_add_test(s, "output", test_output);
	CU_add_test(s, "partial edges", test_partial_edges);
	CU_add_test(s, "export_events", test_export_events);
	CU_add_test(s, "export_metrics", test_export_metrics);
}
