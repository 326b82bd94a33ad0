/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the multi-host part of core/agg: per-host rows and
 * per-host service rows in the snapshot (snapshot.hosts), and the rows
 * of the hosts prom: sources scrape (core/engine.c).
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/agg.h"
#include "core/config.h"
#include "core/engine.h"
#include "core/snapshot.h"
#include "core/timeutil.h"

void sr_test_agghosts_suite(void);

#define T0 1700000000000LL /* a 10 s bucket boundary */

static void
ev(struct sr_agg *a, int64_t ts, const char *host, const char *svc, int status,
    double lat)
{
	struct sr_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ms = ts;
	e.host = host;
	e.service = svc;
	e.status_code = status;
	e.response_time_ms = lat;
	e.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
	sr_agg_add_event(a, &e);
}

static void
test_hosts(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_snapshot *s;
	const struct sr_snap_hostrow *h;

	sr_agg_tick(a, T0);
	/* web2: api x2 (one 503), web x1; web1: api x2; no host: 1 event */
	ev(a, T0 + 1000, "web2", "api", 200, 10);
	ev(a, T0 + 2000, "web2", "api", 503, 30);
	ev(a, T0 + 3000, "web2", "web", 200, 20);
	ev(a, T0 + 4000, "web1", "api", 200, 5);
	ev(a, T0 + 5000, "web1", "api", 200, 5);
	ev(a, T0 + 6000, NULL, "api", 500, 5);
	ev(a, T0 + 6500, "", "api", 200, 5); /* empty: no host */
	sr_agg_tick(a, T0 + 20000);
	CU_ASSERT_EQUAL(sr_agg_n_hosts(a), 2);
	s = sr_snapshot_new();
	sr_agg_hosts(a, s);
	CU_ASSERT_EQUAL_FATAL(s->n_hosts, 2);
	/* sorted by name */
	CU_ASSERT_STRING_EQUAL(s->hosts[0].name, "web1");
	CU_ASSERT_STRING_EQUAL(s->hosts[1].name, "web2");
	h = &s->hosts[1];
	CU_ASSERT_EQUAL(h->events, 3);
	CU_ASSERT_EQUAL(h->last_seen_ms, T0 + 3000);
	CU_ASSERT_EQUAL(h->win[SR_WIN_5M].requests, 3);
	CU_ASSERT_EQUAL(h->win[SR_WIN_5M].n_5xx, 1);
	CU_ASSERT_DOUBLE_EQUAL(h->win[SR_WIN_5M].rate_5xx, 1.0 / 3, 1e-9);
	/* by 5 min requests: api (2, one 5xx), then web (1) */
	CU_ASSERT_EQUAL_FATAL(h->n_services, 2);
	CU_ASSERT_STRING_EQUAL(h->services[0].name, "api");
	CU_ASSERT_EQUAL(h->services[0].win[SR_WIN_5M].requests, 2);
	CU_ASSERT_EQUAL(h->services[0].win[SR_WIN_5M].n_5xx, 1);
	CU_ASSERT_STRING_EQUAL(h->services[1].name, "web");
	CU_ASSERT_EQUAL(h->services[1].win[SR_WIN_1H].requests, 1);
	/* max of 10, 30 (latency sketches are within 0.5 %) */
	CU_ASSERT_DOUBLE_EQUAL(h->services[0].win[SR_WIN_5M].max, 30, 0.2);
	CU_ASSERT_EQUAL(s->hosts[0].events, 2);
	CU_ASSERT_EQUAL(s->hosts[0].win[SR_WIN_5M].n_5xx, 0);
	/* services stay keyed by service only: api has all 6 of its events */
	CU_ASSERT_EQUAL(sr_agg_service(a, "api")->events, 6);
	sr_snapshot_unref(s);
	sr_agg_free(a);
}

static void
test_host_caps(void)
{
	struct sr_agg *a = sr_agg_new(T0, 1800000, 3600000);
	struct sr_snapshot *s;
	char name[32];
	uint64_t other = 0;

	sr_agg_tick(a, T0);
	/* 70 services on one host: 50 kept, the rest in "(other)" */
	for (int i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "svc%02d", i);
		ev(a, T0 + 1000, "h", name, 200, 1);
	}
	/* 70 hosts: SR_AGG_MAX_HOSTS kept, the rest in "(other)" */
	for (int i = 0; i < 69; i++) {
		snprintf(name, sizeof(name), "host%02d", i);
		ev(a, T0 + 1000, name, "api", 200, 1);
	}
	sr_agg_tick(a, T0 + 20000);
	CU_ASSERT_EQUAL(sr_agg_n_hosts(a), SR_AGG_MAX_HOSTS + 1);
	s = sr_snapshot_new();
	sr_agg_hosts(a, s);
	for (size_t i = 0; i < s->n_hosts; i++) {
		if (strcmp(s->hosts[i].name, "h") == 0) {
			const struct sr_snap_hostrow *h = &s->hosts[i];

			CU_ASSERT_EQUAL(h->n_services,
			    SR_SNAP_HOST_SERVICES + 1);
			for (size_t k = 0; k < h->n_services; k++)
				if (strcmp(h->services[k].name, SR_AGG_OTHER) ==
				    0)
					CU_ASSERT_EQUAL(h->services[k]
							    .win[SR_WIN_5M]
							    .requests,
					    70 - SR_SNAP_HOST_SERVICES);
		}
		if (strcmp(s->hosts[i].name, SR_AGG_OTHER) == 0)
			other = s->hosts[i].events;
	}
	/* "h" took one slot: 69 + 1 hosts, 64 kept, 6 folded */
	CU_ASSERT_EQUAL(other, 70 - SR_AGG_MAX_HOSTS);
	sr_snapshot_unref(s);
	sr_agg_free(a);
}

/* The row named name in s, or NULL. */
static const struct sr_snap_hostrow *
row_named(const struct sr_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n_hosts; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return &s->hosts[i];
	return NULL;
}

/*
 * Scraped hosts: a job with prom.<job>.up and host.<job>.* is a row (up,
 * down by its up, stale when up is past the stale time), merged with the
 * event host named as the job before its ":port"; a job with no host
 * series is none; this machine is a row beside them.
 */
static void
test_scraped_hosts(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s;
	const struct sr_snap_hostrow *h;
	struct sr_event ev1;
	/* the engine takes events near the wall clock into its live
	 * aggregates (older ones go to history only) */
	int64_t now = sr_now_ms() / 1000 * 1000;

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	memset(&ev1, 0, sizeof(ev1));
	ev1.ts_ms = now - 1000;
	ev1.host = "web1";
	ev1.service = "api";
	ev1.status_code = 200;
	ev1.has = SR_EV_HAS_STATUS;
	sr_engine_event(e, &ev1);
	sr_engine_sample(e, "prom.web1:9100.up", "", now - 2000, 1);
	sr_engine_sample(e, "host.web1:9100.cpu", "%", now - 2000, 25);
	sr_engine_sample(e, "host.web1:9100.mem", "%", now - 2000, 75);
	sr_engine_sample(e, "host.web1:9100.load", "", now - 2000, 1.25);
	sr_engine_sample(e, "prom.db.up", "", now - 1000, 0);
	sr_engine_sample(e, "host.db.load", "", now - 60000, 2);
	sr_engine_sample(e, "prom.old.up", "", now - 180000, 1);
	sr_engine_sample(e, "host.old.cpu", "%", now - 180000, 5);
	sr_engine_sample(e, "prom.vllm.up", "", now, 1); /* no host series */
	(void)sr_engine_tick(e, now, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_PTR_NULL(row_named(s, "vllm"));
	CU_ASSERT_PTR_NULL(row_named(s, "web1:9100")); /* merged into web1 */
	h = row_named(s, "web1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->events, 1);
	CU_ASSERT_STRING_EQUAL(h->job, "web1:9100");
	CU_ASSERT_EQUAL(h->scrape, SR_SNAP_SCRAPE_UP);
	CU_ASSERT_EQUAL(h->scrape_ms, now - 2000);
	CU_ASSERT_DOUBLE_EQUAL(h->cpu_pct, 25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(h->mem_pct, 75, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(h->load1, 1.25, 1e-9);
	CU_ASSERT(isnan(h->fs_pct));
	CU_ASSERT_EQUAL(h->local, 0);
	h = row_named(s, "db");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->scrape, SR_SNAP_SCRAPE_DOWN);
	CU_ASSERT_EQUAL(h->events, 0);
	CU_ASSERT_DOUBLE_EQUAL(h->load1, 2, 1e-9);
	/* 3 min old, past the stale time (2 min) */
	h = row_named(s, "old");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->scrape, SR_SNAP_SCRAPE_STALE);
	CU_ASSERT(isnan(h->cpu_pct));
	CU_ASSERT_STRING_EQUAL(sr_snap_scrape_name(h->scrape), "stale");
	/* web1, db, old and this machine, sorted by name */
	CU_ASSERT_EQUAL(s->n_hosts, 4);
	for (size_t i = 1; i < s->n_hosts; i++)
		CU_ASSERT(strcmp(s->hosts[i - 1].name, s->hosts[i].name) < 0);
	if (s->host.hostname != NULL && *s->host.hostname != '\0') {
		h = row_named(s, s->host.hostname);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_EQUAL(h->local, 1);
		CU_ASSERT_EQUAL(h->scrape, SR_SNAP_SCRAPE_NONE);
	}
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

/* Without a scraped host: the event hosts alone, no local row. */
static void
test_no_scraped_host(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s;

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_sample(e, "prom.vllm.up", "", T0, 1);
	(void)sr_engine_tick(e, T0, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_EQUAL(s->n_hosts, 0);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

void
sr_test_agghosts_suite(void)
{
	CU_pSuite s = CU_add_suite("agghosts", NULL, NULL);

	CU_add_test(s, "host rows and per-host services", test_hosts);
	CU_add_test(s, "host and per-host service caps", test_host_caps);
	CU_add_test(s, "scraped hosts", test_scraped_hosts);
	CU_add_test(s, "no scraped host, no local row", test_no_scraped_host);
}
