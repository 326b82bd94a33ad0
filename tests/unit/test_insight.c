/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the insight lifecycle through the engine, on a fake
 * clock: pending -> firing at the right tick, hysteresis, escalation
 * (critical inhibits warning), resolve after keep_firing_for, restart
 * without re-firing, and 24 calm hours without a warning.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/insight.h"
#include "core/store.h"

void sr_test_insight_suite(void);

#define T0 1700000000000LL /* a fixed instant, 2023-11-14 */

struct rec {
	int n;
	char id[64][64];
	int to[64];
	int from[64];
	int sev[64];
	int64_t ts[64];
};

static void
rec_transition(void *self, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms)
{
	struct rec *r = self;

	if (r->n >= 64)
		return;
	(void)snprintf(r->id[r->n], sizeof(r->id[0]), "%s", in->id);
	r->to[r->n] = in->state;
	r->from[r->n] = from;
	r->sev[r->n] = in->severity;
	r->ts[r->n] = now_ms;
	r->n++;
}

static void
rec_free(void *self)
{
	(void)self;
}

static const struct sr_engine_hook rec_hook = {
	.name = "test",
	.transition = rec_transition,
	.free = rec_free,
};

/* One tick at offset sec with cpu at value. */
static void
cpu_tick(struct sr_engine *e, int sec, double value, struct sr_store *st)
{
	int64_t t = T0 + (int64_t)sec * 1000;

	sr_engine_sample(e, "cpu.total.busy_pct", "%", t, value);
	sr_engine_tick(e, t, st);
}

static void
test_cpu_fires_and_resolves(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct rec r;
	struct sr_snapshot *s;
	const struct sr_snap_insight *in;

	memset(&r, 0, sizeof(r));
	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_add_hook(e, &rec_hook, &r);
	for (int t = 0; t < 60; t++)
		cpu_tick(e, t, 50, NULL);
	CU_ASSERT_EQUAL(r.n, 0);
	/* 95 % from t=60 for 3 min: pending at 60, firing at 60 + 120 */
	for (int t = 60; t < 240; t++) {
		cpu_tick(e, t, 95, NULL);
		if (t == 179)
			CU_ASSERT_EQUAL(r.n, 0);
	}
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_STRING_EQUAL(r.id[0], "cpu:host");
	CU_ASSERT_EQUAL(r.to[0], SR_INS_FIRING);
	CU_ASSERT_EQUAL(r.sev[0], SR_SEV_CRIT);
	CU_ASSERT_EQUAL(r.ts[0], T0 + 180 * 1000);
	s = sr_engine_snapshot(e);
	in = sr_snapshot_insight(s, "cpu:host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL(in->state, SR_INS_FIRING);
	CU_ASSERT_EQUAL(in->category, SR_CAT_PERFORMANCE);
	CU_ASSERT(in->confidence > 0.5 && in->confidence <= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(in->description, "95.0 %"));
	CU_ASSERT_EQUAL(s->n_firing, 1);
	sr_snapshot_unref(s);
	/* drops to 50 at t=240: last seen 239, keep_firing_for 1 min */
	for (int t = 240; t < 400; t++)
		cpu_tick(e, t, 50, NULL);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.to[1], SR_INS_RESOLVED);
	CU_ASSERT_EQUAL(r.ts[1], T0 + 299 * 1000);
	s = sr_engine_snapshot(e);
	in = sr_snapshot_insight(s, "cpu:host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL(in->state, SR_INS_RESOLVED);
	CU_ASSERT(in->n_history >= 3);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

/*
 * The history records the value each transition saw: cpu fed 95 % from
 * t=60 (the rule's value is the metric's latest sample), so the pending
 * row at t=60 and the firing row at t=180 both say 95, not 0.
 */
static void
test_history_values(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s;
	const struct sr_snap_insight *in;

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	for (int t = 0; t < 60; t++)
		cpu_tick(e, t, 50, NULL);
	for (int t = 60; t < 200; t++)
		cpu_tick(e, t, 95, NULL);
	s = sr_engine_snapshot(e);
	in = sr_snapshot_insight(s, "cpu:host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL_FATAL(in->n_history, 2);
	CU_ASSERT_EQUAL(in->history[0].state, SR_INS_PENDING);
	CU_ASSERT_EQUAL(in->history[0].ts_ms, T0 + 60 * 1000);
	CU_ASSERT_DOUBLE_EQUAL(in->history[0].value, 95, 1e-9);
	CU_ASSERT_EQUAL(in->history[1].state, SR_INS_FIRING);
	CU_ASSERT_DOUBLE_EQUAL(in->history[1].value, 95, 1e-9);
	sr_snapshot_unref(s);
	/* resolved, then pending again at 97: the new pending row says 97 */
	for (int t = 200; t < 400; t++)
		cpu_tick(e, t, 50, NULL);
	for (int t = 400; t < 405; t++)
		cpu_tick(e, t, 97, NULL);
	s = sr_engine_snapshot(e);
	in = sr_snapshot_insight(s, "cpu:host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL_FATAL(in->n_history, 4);
	CU_ASSERT_EQUAL(in->history[2].state, SR_INS_RESOLVED);
	CU_ASSERT_EQUAL(in->history[3].state, SR_INS_PENDING);
	CU_ASSERT_DOUBLE_EQUAL(in->history[3].value, 97, 1e-9);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

/*
 * MEM% of a process is its RSS over MemTotal: 482 MB of 16 GB is
 * 482e6 / 16e9 * 100 = 3.0125 %; under a 1 GB cgroup limit (lower than
 * the host's memory) 48.2 %.  The runtime hands processes over without
 * a percentage (it has no memory total), as app.c does.
 */
static void
test_proc_mem_pct(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_snapshot *s;
	struct sr_snap_proc p = { .pid = 42,
		.name = "big",
		.rss_bytes = 482000000 };

	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_sample(e, "mem.total_bytes", "bytes", T0, 16e9);
	sr_engine_procs(e, &p, 1, &p, 1);
	sr_engine_tick(e, T0, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_EQUAL_FATAL(s->n_procs_mem, 1);
	CU_ASSERT_DOUBLE_EQUAL(s->procs_mem[0].mem_pct, 3.0125, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s->procs_cpu[0].mem_pct, 3.0125, 1e-9);
	sr_snapshot_unref(s);
	sr_engine_sample(e, "mem.total_bytes", "bytes", T0 + 1000, 16e9);
	sr_engine_sample(e, "cgroup.memory.max_bytes", "bytes", T0 + 1000, 1e9);
	sr_engine_tick(e, T0 + 1000, NULL);
	s = sr_engine_snapshot(e);
	CU_ASSERT_DOUBLE_EQUAL(s->procs_mem[0].mem_pct, 48.2, 1e-9);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_config_release(&cfg);
}

static void
test_cpu_no_flap(void)
{
	struct sr_config cfg;
	struct sr_engine *e;
	struct rec r;

	memset(&r, 0, sizeof(r));
	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_add_hook(e, &rec_hook, &r);
	/* around the warn level (85) below `for`: never fires */
	for (int t = 0; t < 600; t++)
		cpu_tick(e, t, (t / 30) % 2 ? 88 : 80, NULL);
	CU_ASSERT_EQUAL(r.n, 0);
	/* firing at 90, then wandering 76..88 (above clear 75): stays */
	for (int t = 600; t < 800; t++)
		cpu_tick(e, t, 90, NULL);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.sev[0], SR_SEV_WARN);
	for (int t = 800; t < 1400; t++)
		cpu_tick(e, t, t % 2 ? 76 : 88, NULL);
	CU_ASSERT_EQUAL(r.n, 1);
	/* escalation to critical: the same insight, not a second one */
	for (int t = 1400; t < 1410; t++)
		cpu_tick(e, t, 97, NULL);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_STRING_EQUAL(r.id[1], "cpu:host");
	CU_ASSERT_EQUAL(r.from[1], SR_INS_FIRING);
	CU_ASSERT_EQUAL(r.sev[1], SR_SEV_CRIT);
	{
		struct sr_snapshot *s = sr_engine_snapshot(e);
		size_t cpu = 0;

		for (size_t i = 0; i < s->n_insights; i++)
			cpu += strcmp(s->insights[i].rule, "cpu") == 0;
		CU_ASSERT_EQUAL(cpu, 1);
		CU_ASSERT_EQUAL(s->insights[0].severity, SR_SEV_CRIT);
		sr_snapshot_unref(s);
	}
	sr_engine_free(e);
	sr_config_release(&cfg);
}

static void
test_restart_no_refire(void)
{
	char path[] = "/tmp/sitrep-insight-XXXXXX";
	int fd = mkstemp(path);
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_store *st;
	struct sr_err err;
	struct rec r;
	struct sr_snapshot *s;
	const struct sr_snap_insight *in;

	CU_ASSERT_FATAL(fd >= 0);
	(void)close(fd);
	(void)unlink(path);
	st = sr_store_open(path, SR_STORE_NO_LOCK, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	sr_config_init(&cfg);
	memset(&r, 0, sizeof(r));
	e = sr_engine_new(&cfg);
	sr_engine_add_hook(e, &rec_hook, &r);
	for (int t = 0; t < 200; t++)
		cpu_tick(e, t, 92, st);
	CU_ASSERT_EQUAL(r.n, 1);
	sr_engine_free(e);
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	sr_store_close(st);

	st = sr_store_open(path, SR_STORE_NO_LOCK, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	memset(&r, 0, sizeof(r));
	e = sr_engine_new(&cfg);
	sr_engine_add_hook(e, &rec_hook, &r);
	CU_ASSERT_EQUAL(sr_engine_restore(e, st, &err), 0);
	for (int t = 200; t < 400; t++)
		cpu_tick(e, t, 92, st);
	CU_ASSERT_EQUAL(r.n, 0); /* still firing, not fired again */
	s = sr_engine_snapshot(e);
	in = sr_snapshot_insight(s, "cpu:host");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL(in->state, SR_INS_FIRING);
	CU_ASSERT_EQUAL(in->first_seen_ms, T0);
	CU_ASSERT_EQUAL(in->count, 1);
	sr_snapshot_unref(s);
	sr_engine_free(e);
	sr_store_close(st);
	sr_config_release(&cfg);
	(void)unlink(path);
	{
		char side[sizeof(path) + 8];

		(void)snprintf(side, sizeof(side), "%s-wal", path);
		(void)unlink(side);
		(void)snprintf(side, sizeof(side), "%s-shm", path);
		(void)unlink(side);
	}
}

/* A small deterministic generator (xorshift) for the noise model. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double
unif(uint64_t *s)
{
	return (double)(rng(s) >> 11) / 9007199254740992.0;
}

static double
gauss(uint64_t *s)
{
	double u = unif(s) + 1e-12, v = unif(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/*
 * 24 h of calm: 3 services with a daily traffic curve, log-normal
 * latency, 1 % errors from a few templates, 300 users, host metrics
 * with noise.  Ticks every 10 s; not one warning or critical.
 */
static void
test_calm_day(void)
{
	static const char *const svcs[] = { "api", "web", "auth" };
	static const char *const eps[] = { "/a", "/b", "/c", "/d" };
	struct sr_config cfg;
	struct sr_engine *e;
	struct rec r;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int64_t t;

	memset(&r, 0, sizeof(r));
	sr_config_init(&cfg);
	e = sr_engine_new(&cfg);
	sr_engine_add_hook(e, &rec_hook, &r);
	sr_engine_tick(e, T0, NULL);
	for (t = T0; t < T0 + 86400000LL; t += 10000) {
		double day = sin(2 * M_PI * (double)(t - T0) / 86400000.0);
		double rate = 3.0 * (1 + 0.5 * day); /* events/s/service */

		for (size_t s = 0; s < 3; s++) {
			int n =
			    (int)(rate * 10 + gauss(&seed) * sqrt(rate * 10));

			for (int i = 0; i < n; i++) {
				struct sr_event ev;
				char user[16], sess[16], msg[96];
				int err = unif(&seed) < 0.01;

				sr_event_clear(&ev);
				ev.ts_ms = t + (int64_t)(unif(&seed) * 10000);
				ev.event_id = "x";
				ev.event_type = "request";
				ev.service = svcs[s];
				ev.endpoint = eps[rng(&seed) % 4];
				(void)snprintf(user, sizeof(user), "u%d",
				    (int)(rng(&seed) % 300));
				(void)snprintf(sess, sizeof(sess), "s%d",
				    (int)(rng(&seed) % 900));
				ev.user_id = user;
				ev.session_id = sess;
				ev.status_code = err ? 503 : 200;
				ev.response_time_ms =
				    80 * exp(0.4 * gauss(&seed));
				ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
				if (err) {
					if (rng(&seed) % 2)
						(void)snprintf(msg, sizeof(msg),
						    "upstream timeout after %d "
						    "ms (request %08x)",
						    (int)(rng(&seed) % 5000),
						    (unsigned)rng(&seed));
					else
						(void)snprintf(msg, sizeof(msg),
						    "db error: deadlock detected "
						    "in tx %d",
						    (int)(rng(&seed) % 5000));
					ev.message = msg;
				}
				sr_engine_event(e, &ev);
			}
		}
		sr_engine_sample(e, "cpu.total.busy_pct", "%", t,
		    35 + 15 * day + 5 * gauss(&seed));
		sr_engine_sample(e, "mem.used_pct", "%", t,
		    60 + 2 * gauss(&seed));
		sr_engine_sample(e, "load.1", "", t, 0.8 + 0.2 * gauss(&seed));
		sr_engine_sample(e, "cpu.count", "", t, 2);
		sr_engine_sample(e, "fs./.used_bytes", "bytes", t,
		    20e9 + 1e6 * gauss(&seed));
		sr_engine_sample(e, "fs./.total_bytes", "bytes", t, 50e9);
		sr_engine_tick(e, t + 10000, NULL);
	}
	for (int i = 0; i < r.n; i++)
		if (r.sev[i] >= SR_SEV_WARN)
			fprintf(stderr, "calm day fired %s (severity %d)\n",
			    r.id[i], r.sev[i]);
	{
		int bad = 0;

		for (int i = 0; i < r.n; i++)
			bad += r.sev[i] >= SR_SEV_WARN;
		CU_ASSERT_EQUAL(bad, 0);
	}
	sr_engine_free(e);
	sr_config_release(&cfg);
}

void
sr_test_insight_suite(void)
{
	CU_pSuite s = CU_add_suite("insight", NULL, NULL);

	CU_add_test(s, "cpu fires at the right tick and resolves",
	    test_cpu_fires_and_resolves);
	CU_add_test(s, "no flapping; critical inhibits warning",
	    test_cpu_no_flap);
	CU_add_test(s, "restart does not re-fire", test_restart_no_refire);
	CU_add_test(s, "24 calm hours raise nothing", test_calm_day);
	CU_add_test(s, "history rows carry the values seen",
	    test_history_values);
	CU_add_test(s, "process MEM% over MemTotal", test_proc_mem_pct);
}
