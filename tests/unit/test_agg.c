/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/agg: window counts and rates against counts made
 * here, old events, cardinality folding, users and sessions, tokens/s.
 */
#include <CUnit/CUnit.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/agg.h"

void sr_test_agg_suite(void);

#define T0 1700000000000LL

static void
ev(struct sr_agg *a, int64_t ts, const char *svc, const char *ep, int status,
    double lat, const char *user, const char *sess)
{
	struct sr_event e;

	sr_event_clear(&e);
	e.ts_ms = ts;
	e.event_id = "i";
	e.event_type = "request";
	e.service = svc;
	e.endpoint = ep;
	e.user_id = user;
	e.session_id = sess;
	e.status_code = status;
	e.response_time_ms = lat;
	e.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
	sr_agg_add_event(a, &e);
}

static void
test_windows(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_agg_service *s;
	struct sr_snap_win w;

	sr_agg_tick(a, T0);
	/* one request a second for 10 min; every 10th a 500, every 5th 404;
	 * latency = 1..100 ms cycling */
	for (int i = 0; i < 600; i++)
		ev(a, T0 + i * 1000LL, "api", "/x",
		    i % 10 == 0	     ? 500
			: i % 5 == 0 ? 404
				     : 200,
		    1 + i % 100, NULL, NULL);
	sr_agg_tick(a, T0 + 600000);
	s = sr_agg_service(a, "api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/*
	 * Windows slide in 10 s buckets: at now = 600 s exactly, the 1 min
	 * window is buckets 55..60 (the current one still empty), i.e.
	 * seconds 550..599: 50 events over 50 s, 5 of them 500, 5 404.
	 */
	sr_agg_ring_win(a, s->ring, SR_WIN_1M, &w);
	CU_ASSERT_EQUAL(w.requests, 50);
	CU_ASSERT_DOUBLE_EQUAL(w.req_per_s, 1.0, 1e-9);
	CU_ASSERT_EQUAL(w.n_5xx, 5);
	CU_ASSERT_EQUAL(w.n_4xx, 5);
	/* 5 min: seconds 310..599, 290 events, 29 of them 500 */
	sr_agg_ring_win(a, s->ring, SR_WIN_5M, &w);
	CU_ASSERT_EQUAL(w.requests, 290);
	CU_ASSERT_DOUBLE_EQUAL(w.rate_5xx, 0.1, 1e-9);
	/* latencies 1 + i % 100 for i in 310..599 (290 values): sorted,
	 * the nearest-rank median (145th) is 52; the sketch is within
	 * 0.5 % */
	CU_ASSERT_DOUBLE_EQUAL(w.p50, 52, 52 * 0.006);
	CU_ASSERT_DOUBLE_EQUAL(w.max, 100, 1e-9);
	sr_agg_ring_win(a, s->ring, SR_WIN_1H, &w);
	CU_ASSERT_EQUAL(w.requests, 600);
	CU_ASSERT_EQUAL(sr_agg_events(a), 600);
	/* older than every window: history only */
	ev(a, T0 - 2 * 3600000LL, "api", "/x", 200, 1, NULL, NULL);
	CU_ASSERT_EQUAL(sr_agg_old_events(a), 1);
	CU_ASSERT_EQUAL(sr_agg_events(a), 600);
	sr_agg_free(a);
}

static void
test_fold(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_snap_folded f;
	char name[32];

	sr_agg_tick(a, T0);
	for (int i = 0; i < SR_AGG_MAX_SERVICES + 20; i++) {
		(void)snprintf(name, sizeof(name), "svc%d", i);
		ev(a, T0 + i, name, "/", 200, 1, NULL, NULL);
	}
	CU_ASSERT_EQUAL(sr_agg_n_services(a), SR_AGG_MAX_SERVICES + 1);
	CU_ASSERT_PTR_NOT_NULL(sr_agg_service(a, SR_AGG_OTHER));
	sr_agg_folded(a, &f);
	CU_ASSERT_EQUAL(f.services, 20);
	sr_agg_free(a);
}

/*
 * Endpoints are keyed by their template and capped per service by the
 * [limits]; a real endpoint named "(other)" is not the overflow; the
 * service's requests are those of its endpoints added up.
 */
static void
test_endpoint_cap(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_limits lim = { 10, 3, 10, 2000 };
	struct sr_agg_service *s;
	struct sr_snap_folded f;
	struct sr_snap_win w;
	char path[64];
	uint64_t sum = 0, other = 0;

	sr_agg_set_limits(a, &lim);
	sr_agg_tick(a, T0);
	/* 50 distinct paths of one template: one endpoint */
	for (int i = 0; i < 50; i++) {
		(void)snprintf(path, sizeof(path), "/users/%d?x=%d", 1000 + i,
		    i);
		ev(a, T0 + i, "api", path, 200, 1, NULL, NULL);
	}
	/* a real "(other)", then 5 distinct words: 2 kept, 3 folded */
	ev(a, T0 + 100, "api", "(other)", 200, 1, NULL, NULL);
	for (int i = 0; i < 5; i++) {
		(void)snprintf(path, sizeof(path), "/page/%c", 'a' + i);
		ev(a, T0 + 200 + i, "api", path, 200, 1, NULL, NULL);
		ev(a, T0 + 300 + i, "api", path, 200, 1, NULL, NULL);
	}
	sr_agg_tick(a, T0 + 20000);
	s = sr_agg_service(a, "api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* /users/:id, \(other), /page/a, then (other) */
	CU_ASSERT_EQUAL_FATAL(s->n_endpoints, 4);
	CU_ASSERT_STRING_EQUAL(s->endpoints[0]->name, "/users/:id");
	CU_ASSERT_STRING_EQUAL(s->endpoints[1]->name, "\\(other)");
	CU_ASSERT_STRING_EQUAL(s->endpoints[2]->name, "/page/a");
	CU_ASSERT_STRING_EQUAL(s->endpoints[3]->name, SR_OTHER);
	for (size_t k = 0; k < s->n_endpoints; k++) {
		sr_agg_ring_win(a, s->endpoints[k]->ring, SR_WIN_1M, &w);
		sum += w.requests;
		if (k == 3)
			other = w.requests;
	}
	sr_agg_ring_win(a, s->ring, SR_WIN_1M, &w);
	CU_ASSERT_EQUAL(w.requests, 50 + 1 + 10);
	CU_ASSERT_EQUAL(sum, w.requests);
	CU_ASSERT_EQUAL(other, 8); /* /page/b../page/e, twice each */
	sr_agg_folded(a, &f);
	CU_ASSERT_EQUAL(f.endpoints, 8);
	sr_agg_free(a);
}

/*
 * Endpoints seen once long ago (the many of a high-cardinality log) keep
 * only the buckets their events are in; an endpoint idle past a window's
 * reach gives those buckets back and reads as before, then fills again.
 */
static void
test_endpoint_idle(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_limits lim = { 10, 600, 10, 2000 };
	struct sr_agg_service *s;
	struct sr_agg_endpoint *busy = NULL, *once = NULL;
	struct sr_snap_win w;
	struct mallinfo2 m0, m1;
	char path[16];
	int64_t now;

	sr_agg_set_limits(a, &lim);
	sr_agg_tick(a, T0);
	ev(a, T0, "api", "/first", 200, 1, NULL, NULL);
	m0 = mallinfo2();
	/* 500 letter-only paths (no template), one event 40 min ago each:
	 * in the 1 h window only */
	for (int i = 0; i < 500; i++) {
		(void)snprintf(path, sizeof(path), "/t/%c%c", 'a' + i % 26,
		    'a' + i / 26);
		ev(a, T0 - 2400000, "api", path, 200, 5, NULL, NULL);
	}
	m1 = mallinfo2();
	/* the ring of 42 buckets took 4.7 KB an endpoint; now the 12 of
	 * the 1 h level and the windows (ASan's allocator reports 0) */
	CU_ASSERT(
	    (m1.uordblks + m1.hblkhd - m0.uordblks - m0.hblkhd) / 500 < 3000);
	for (int i = 0; i < 600; i++)
		ev(a, T0 + i * 1000LL, "api", "/busy", 200, 1 + i % 100, NULL,
		    NULL);
	now = T0 + 600000;
	sr_agg_tick(a, now);
	s = sr_agg_service(a, "api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t k = 0; k < s->n_endpoints; k++) {
		if (strcmp(s->endpoints[k]->name, "/busy") == 0)
			busy = s->endpoints[k];
		if (strcmp(s->endpoints[k]->name, "/t/aa") == 0)
			once = s->endpoints[k];
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(busy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(once);
	sr_agg_ring_win(a, once->ring, SR_WIN_1H, &w);
	CU_ASSERT_EQUAL(w.requests, 1);
	CU_ASSERT_DOUBLE_EQUAL(w.p50, 5, 1e-9);
	sr_agg_ring_win(a, once->ring, SR_WIN_5M, &w);
	CU_ASSERT_EQUAL(w.requests, 0);
	CU_ASSERT(isnan(w.p50));
	sr_agg_ring_win(a, busy->ring, SR_WIN_1M, &w);
	CU_ASSERT_EQUAL(w.requests, 50);
	sr_agg_ring_win(a, busy->ring, SR_WIN_5M, &w);
	CU_ASSERT_EQUAL(w.requests, 290);

	/* 10 min later: the 10 s buckets are past the 5 min window and
	 * given back; the 1 h window still holds all 600 (latencies 1..100
	 * six times: the nearest-rank median, the 300th, is 50) */
	now += 600000;
	sr_agg_tick(a, now);
	sr_agg_ring_win(a, busy->ring, SR_WIN_1M, &w);
	CU_ASSERT_EQUAL(w.requests, 0);
	CU_ASSERT(isnan(w.p50));
	sr_agg_ring_win(a, busy->ring, SR_WIN_5M, &w);
	CU_ASSERT_EQUAL(w.requests, 0);
	CU_ASSERT_EQUAL(w.lat_n, 0);
	sr_agg_ring_win(a, busy->ring, SR_WIN_1H, &w);
	CU_ASSERT_EQUAL(w.requests, 600);
	CU_ASSERT_DOUBLE_EQUAL(w.p50, 50, 50 * 0.006);
	CU_ASSERT_DOUBLE_EQUAL(w.max, 100, 1e-9);

	/* 2 h later: nothing in any window, then one event fills again */
	now += 7200000;
	sr_agg_tick(a, now);
	for (int k = 0; k < SR_WIN_COUNT; k++) {
		sr_agg_ring_win(a, busy->ring, (enum sr_window)k, &w);
		CU_ASSERT_EQUAL(w.requests, 0);
		CU_ASSERT(isnan(w.p95));
		sr_agg_ring_win(a, once->ring, (enum sr_window)k, &w);
		CU_ASSERT_EQUAL(w.requests, 0);
	}
	ev(a, now - 1000, "api", "/busy", 503, 7, NULL, NULL);
	sr_agg_tick(a, now + 1);
	for (int k = 0; k < SR_WIN_COUNT; k++) {
		sr_agg_ring_win(a, busy->ring, (enum sr_window)k, &w);
		CU_ASSERT_EQUAL(w.requests, 1);
		CU_ASSERT_EQUAL(w.n_5xx, 1);
		CU_ASSERT_DOUBLE_EQUAL(w.p50, 7, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(w.max, 7, 1e-9);
	}
	sr_agg_free(a);
}

/* A log line is an event of its service, not a request (issue 13.6). */
static void
test_event_kinds(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_agg_service *s;
	struct sr_snap_win w;
	struct sr_event e;

	sr_agg_tick(a, T0);
	for (int i = 0; i < 4; i++)
		ev(a, T0 + i, "app", "/x", i == 0 ? 500 : 200, 5, NULL, NULL);
	for (int i = 0; i < 6; i++) {
		sr_event_clear(&e);
		e.ts_ms = T0 + 10 + i;
		e.event_id = "l";
		e.event_type = "log";
		e.service = "app";
		e.message = "cache warmed";
		sr_agg_add_event(a, &e);
	}
	/* a log line with a latency is a request */
	sr_event_clear(&e);
	e.ts_ms = T0 + 20;
	e.event_id = "l";
	e.event_type = "log";
	e.service = "app";
	e.response_time_ms = 7;
	e.has = SR_EV_HAS_LATENCY;
	sr_agg_add_event(a, &e);
	sr_agg_tick(a, T0 + 20000);
	s = sr_agg_service(a, "app");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->events, 11);
	sr_agg_ring_win(a, s->ring, SR_WIN_1M, &w);
	CU_ASSERT_EQUAL(w.requests, 5);
	CU_ASSERT_DOUBLE_EQUAL(w.rate_5xx, 1.0 / 5.0, 1e-12);
	sr_agg_free(a);
}

static void
test_users(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_snap_users u;
	struct sr_snap_count top[3];
	char user[16], sess[16];

	sr_agg_tick(a, T0);
	/* 40 users; user k sends k+1 events in session s<k>, 10 s apart */
	for (int k = 0; k < 40; k++) {
		(void)snprintf(user, sizeof(user), "u%d", k);
		(void)snprintf(sess, sizeof(sess), "s%d", k);
		for (int i = 0; i <= k; i++)
			ev(a, T0 + i * 10000LL, "api", "/", 200, 1, user, sess);
	}
	sr_agg_tick(a, T0 + 400000);
	sr_agg_users(a, &u, top, 3);
	CU_ASSERT_EQUAL(u.unique_users[SR_WIN_1H], 40);
	CU_ASSERT_TRUE(u.users_exact[SR_WIN_1H]);
	CU_ASSERT_EQUAL(u.active_sessions, 40);
	/* session k lasts k * 10 s: mean 195 s; events mean 20.5 */
	CU_ASSERT_DOUBLE_EQUAL(u.session_len_avg_s, 195, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(u.events_per_session, 20.5, 1e-9);
	CU_ASSERT_EQUAL(u.n_top_users, 3);
	CU_ASSERT_STRING_EQUAL(top[0].name, "u39");
	CU_ASSERT_EQUAL(top[0].count, 40);
	CU_ASSERT_STRING_EQUAL(top[2].name, "u37");
	/* 5 min window at now = 400 s starts at bucket 11 (110 s): users
	 * whose last event (k * 10 s) is >= 110 s: k = 11..39, 29 users */
	CU_ASSERT_EQUAL(u.unique_users[SR_WIN_5M], 29);
	sr_agg_free(a);
}

static void
test_tokens(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_snap_model_win w;
	struct sr_event e;

	sr_agg_tick(a, T0);
	for (int i = 0; i < 10; i++) {
		sr_event_clear(&e);
		e.ts_ms = T0 + i * 1000;
		e.event_id = "i";
		e.model = "m1";
		e.tokens_in = 100;
		e.tokens_out = 200;
		e.response_time_ms = 2000; /* 200 tokens in 2 s */
		e.ttft_ms = 100 + i;
		e.has = SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT |
		    SR_EV_HAS_LATENCY | SR_EV_HAS_TTFT;
		sr_agg_add_event(a, &e);
	}
	sr_agg_tick(a, T0 + 11000);
	CU_ASSERT_EQUAL_FATAL(sr_agg_n_models(a), 1);
	sr_agg_ring_model_win(a, sr_agg_model_at(a, 0)->ring, SR_WIN_5M, &w);
	CU_ASSERT_EQUAL(w.requests, 10);
	CU_ASSERT_EQUAL(w.tokens_in, 1000);
	CU_ASSERT_EQUAL(w.tokens_out, 2000);
	CU_ASSERT_DOUBLE_EQUAL(w.tokens_per_s, 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(w.ttft_p95, 109, 109 * 0.006);
	sr_agg_free(a);
}

void
sr_test_agg_suite(void)
{
	CU_pSuite s = CU_add_suite("agg", NULL, NULL);

	CU_add_test(s, "windows", test_windows);
	CU_add_test(s, "cardinality folding", test_fold);
	CU_add_test(s, "endpoint templates and cap", test_endpoint_cap);
	CU_add_test(s, "idle endpoints give their buckets back",
	    test_endpoint_idle);
	CU_add_test(s, "event kinds", test_event_kinds);
	CU_add_test(s, "users and sessions", test_users);
	CU_add_test(s, "model tokens", test_tokens);
}
