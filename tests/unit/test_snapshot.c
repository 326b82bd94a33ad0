/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/snapshot through the engine: what one tick
 * publishes (metrics, KPIs, services, events with cursors), references
 * outliving the engine, lookups.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/snapshot.h"

void sr_test_snapshot_suite(void);

#define T0 1700000000000LL

static void
test_publish(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s0, *s;
	const struct sr_snap_service *api;
	const struct sr_snap_kpi *k;

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	s0 = sr_engine_snapshot(e);
	CU_ASSERT_EQUAL(s0->tick, 0);
	CU_ASSERT_EQUAL(s0->n_events, 0);
	sr_engine_tick(e, T0, NULL);
	for (int i = 0; i < 1500; i++) {
		struct sr_event ev;
		char id[16];

		sr_event_clear(&ev);
		(void)snprintf(id, sizeof(id), "e%d", i);
		ev.ts_ms = T0 + i * 10;
		ev.event_id = id;
		ev.event_type = "request";
		ev.service = i % 3 ? "api" : "web";
		ev.endpoint = "/x";
		ev.status_code = i % 10 == 0 ? 500 : 200;
		ev.response_time_ms = 100;
		ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
		sr_engine_event(e, &ev);
	}
	sr_engine_sample(e, "cpu.total.busy_pct", "%", T0 + 15000, 42.5);
	sr_engine_sample(e, "mem.used_pct", "%", T0 + 15000, 61);
	sr_engine_tick(e, T0 + 15000, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_EQUAL(s->tick, 2);
	CU_ASSERT_EQUAL(s->now_ms, T0 + 15000);
	CU_ASSERT_DOUBLE_EQUAL(sr_snapshot_value(s, "cpu.total.busy_pct"), 42.5,
	    1e-9);
	CU_ASSERT_TRUE(isnan(sr_snapshot_value(s, "nope")));
	k = sr_snapshot_kpi(s, "cpu");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_DOUBLE_EQUAL(k->value, 42.5, 1e-9);
	CU_ASSERT_EQUAL(k->warn, 85);
	CU_ASSERT_EQUAL(k->level, 0);
	CU_ASSERT_EQUAL(k->hist_n, 2);
	/* 1500 events: the last 1000 kept, seq 501..1500 */
	CU_ASSERT_EQUAL(s->totals.events, 1500);
	CU_ASSERT_EQUAL_FATAL(s->n_events, SR_SNAP_RECENT);
	CU_ASSERT_EQUAL(s->events[0].seq, 501);
	CU_ASSERT_STRING_EQUAL(s->events[0].ev.event_id, "e500");
	CU_ASSERT_EQUAL(s->last_seq, 1500);
	CU_ASSERT_EQUAL(sr_snapshot_events_after(s, 1499), SR_SNAP_RECENT - 1);
	CU_ASSERT_EQUAL(sr_snapshot_events_after(s, 0), 0);
	CU_ASSERT_EQUAL(sr_snapshot_events_after(s, 1500), SR_SNAP_RECENT);
	/* services by requests: api has 1000 of 1500 */
	CU_ASSERT_EQUAL_FATAL(s->n_services, 2);
	CU_ASSERT_STRING_EQUAL(s->services[0].name, "api");
	api = sr_snapshot_service(s, "api");
	CU_ASSERT_PTR_NOT_NULL_FATAL(api);
	CU_ASSERT_EQUAL(api->win[SR_WIN_1M].requests, 1000);
	/* i % 10 == 0 are 500s; of those, i % 3 != 0 are api: 100 */
	CU_ASSERT_EQUAL(api->win[SR_WIN_1M].n_5xx, 100);
	CU_ASSERT_DOUBLE_EQUAL(api->win[SR_WIN_1M].p95, 100, 0.6);
	CU_ASSERT_EQUAL(api->n_endpoints, 1);
	/* snapshots outlive the engine and each other */
	sr_engine_free(e);
	CU_ASSERT_STRING_EQUAL(s->events[SR_SNAP_RECENT - 1].ev.service, "api");
	sr_snapshot_unref(sr_snapshot_ref(s));
	sr_snapshot_unref(s);
	sr_snapshot_unref(s0);
	sr_config_release(&cfg);
}

void
sr_test_snapshot_suite(void)
{
	CU_pSuite s = CU_add_suite("snapshot", NULL, NULL);

	CU_add_test(s, "publish", test_publish);
}
