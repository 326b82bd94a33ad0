/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/frames (time travel), through its header (the
 * runner links libsitrep-tui.a).
 * Snapshots are made by hand: tick t has CPU = t, service "api" with
 * 10 * t requests over 5 min, events with seq 1..t, error count t, and
 * the insight "cpu:host" titled "t<tick>" during ticks 100..199.
 */
#include <CUnit/CUnit.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>

#include "tui/frames.h"

void sr_test_tui_frames_suite(void);

/* The snapshot of tick t as the engine would publish it. */
static struct sr_snapshot *
fake_snap(uint64_t t)
{
	struct sr_snapshot *s = sr_snapshot_new();
	int hn = t < SR_SNAP_HIST ? (int)t : SR_SNAP_HIST;
	char title[32];

	s->tick = t;
	s->now_ms = 1000000 + (int64_t)t * 1000;
	for (int k = 0; k < SR_KPI_COUNT; k++) {
		s->kpi[k].value = k == SR_KPI_CPU ? (double)t : NAN;
		s->kpi[k].value2 = NAN;
		s->kpi[k].prev = NAN;
		s->kpi[k].hist_n = hn;
		/* point j is the value at tick t - hn + 1 + j */
		for (int j = 0; j < hn; j++)
			s->kpi[k].hist[j] =
			    (float)(t - (uint64_t)hn + 1 + (uint64_t)j);
	}
	s->n_metrics = 1;
	s->metrics = sr_snapshot_alloc(s, sizeof(*s->metrics));
	s->metrics[0].name = "cpu.busy_pct";
	s->metrics[0].unit = "%";
	s->metrics[0].value = (double)t;
	s->metrics[0].hist_n = hn;
	for (int j = 0; j < hn; j++)
		s->metrics[0].hist[j] =
		    (float)(t - (uint64_t)hn + 1 + (uint64_t)j);
	s->n_services = 1;
	s->services = sr_snapshot_alloc(s, sizeof(*s->services));
	s->services[0].name = sr_snapshot_strdup(s, "api");
	s->services[0].win[SR_WIN_5M].requests = 10 * t;
	s->services[0].hist_n = hn;
	s->n_events = t < SR_SNAP_RECENT ? t : SR_SNAP_RECENT;
	s->events = sr_snapshot_alloc(s, s->n_events * sizeof(*s->events));
	for (size_t i = 0; i < s->n_events; i++) {
		s->events[i].seq = t - s->n_events + 1 + i;
		s->events[i].ev.service = "api";
	}
	s->last_seq = t;
	s->n_errors = 1;
	s->errors = sr_snapshot_alloc(s, sizeof(*s->errors));
	s->errors[0].template = sr_snapshot_strdup(s, "db timeout <n>");
	s->errors[0].example = "db timeout 5";
	s->errors[0].count = t;
	s->errors[0].n_services = 1;
	s->errors[0].services = sr_snapshot_alloc(s, sizeof(char *));
	s->errors[0].services[0] = "api";
	if (t >= 100 && t < 200) {
		snprintf(title, sizeof(title), "t%llu", (unsigned long long)t);
		s->n_insights = 1;
		s->n_firing = 1;
		s->insights = sr_snapshot_alloc(s, sizeof(*s->insights));
		s->insights[0].id = "cpu:host";
		s->insights[0].rule = "cpu";
		s->insights[0].subject = "host";
		s->insights[0].title = sr_snapshot_strdup(s, title);
		s->insights[0].description = "d";
		s->insights[0].recommendation = "r";
		s->insights[0].state = SR_INS_FIRING;
		s->insights[0].value = (double)t;
	}
	return s;
}

static void
test_moment(void)
{
	struct sr_tui_frames *f =
	    sr_tui_frames_new(SR_TUI_FRAMES_MAX, SR_TUI_FRAMES_BYTES);
	struct sr_snapshot *base = NULL, *s;
	int i;

	for (uint64_t t = 1; t <= 400; t++) {
		struct sr_snapshot *sn = fake_snap(t);

		sr_tui_frames_push(f, sn);
		if (t == 400)
			base = sn;
		else
			sr_snapshot_unref(sn);
	}
	/* 400 ticks kept: more than 5 minutes at 1 s */
	CU_ASSERT_EQUAL(sr_tui_frames_count(f), 400);
	CU_ASSERT_EQUAL(sr_tui_frames_tick(f, 0), 1);
	i = sr_tui_frames_find(f, 150);
	CU_ASSERT_EQUAL(i, 149);
	s = sr_tui_frames_snapshot(f, i, base);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_EQUAL(s->tick, 150);
	CU_ASSERT_EQUAL(s->now_ms, 1000000 + 150 * 1000);
	CU_ASSERT_DOUBLE_EQUAL(s->kpi[SR_KPI_CPU].value, 150, 1e-9);
	/* base history holds ticks 101..400; cut back to 101..150 */
	CU_ASSERT_EQUAL(s->kpi[SR_KPI_CPU].hist_n, 50);
	CU_ASSERT_DOUBLE_EQUAL(s->kpi[SR_KPI_CPU].hist[49], 150, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s->metrics[0].value, 150, 1e-9);
	CU_ASSERT_EQUAL(s->metrics[0].hist_n, 50);
	CU_ASSERT_EQUAL(s->n_services, 1);
	CU_ASSERT_STRING_EQUAL(s->services[0].name, "api");
	CU_ASSERT_EQUAL(s->services[0].win[SR_WIN_5M].requests, 1500);
	CU_ASSERT_EQUAL(s->services[0].hist_n, 50);
	/* events up to seq 150 */
	CU_ASSERT_EQUAL(s->n_events, 150);
	CU_ASSERT_EQUAL(s->events[s->n_events - 1].seq, 150);
	CU_ASSERT_EQUAL(s->last_seq, 150);
	CU_ASSERT_EQUAL(s->n_errors, 1);
	CU_ASSERT_EQUAL(s->errors[0].count, 150);
	CU_ASSERT_STRING_EQUAL(s->errors[0].services[0], "api");
	CU_ASSERT_EQUAL(s->n_insights, 1);
	CU_ASSERT_EQUAL(s->n_firing, 1);
	CU_ASSERT_STRING_EQUAL(s->insights[0].title, "t150");
	sr_snapshot_unref(s);
	/* tick 250: the insight had resolved and gone */
	s = sr_tui_frames_snapshot(f, sr_tui_frames_find(f, 250), base);
	CU_ASSERT_EQUAL(s->n_insights, 0);
	CU_ASSERT_EQUAL(s->kpi[SR_KPI_CPU].hist_n, 150);
	sr_snapshot_unref(s);
	/* tick 50: older than the base's 300-point history: none left */
	s = sr_tui_frames_snapshot(f, sr_tui_frames_find(f, 50), base);
	CU_ASSERT_EQUAL(s->kpi[SR_KPI_CPU].hist_n, 0);
	CU_ASSERT(isnan(s->metrics[0].value));
	CU_ASSERT_DOUBLE_EQUAL(s->kpi[SR_KPI_CPU].value, 50, 1e-9);
	/* the frame may go while its snapshot is shown */
	sr_tui_frames_free(f);
	CU_ASSERT_STRING_EQUAL(s->errors[0].template, "db timeout <n>");
	sr_snapshot_unref(s);
	/* an empty ring has no frame 0 */
	f = sr_tui_frames_new(1, 1);
	CU_ASSERT_EQUAL(sr_tui_frames_snapshot(f, 0, base), NULL);
	sr_tui_frames_free(f);
	sr_snapshot_unref(base);
}

static void
test_bounds(void)
{
	struct sr_tui_frames *f = sr_tui_frames_new(300, 1 << 30);
	struct sr_snapshot *sn;

	for (uint64_t t = 1; t <= 400; t++) {
		sn = fake_snap(t);
		sr_tui_frames_push(f, sn);
		sr_snapshot_unref(sn);
	}
	/* at most 300: ticks 101..400 */
	CU_ASSERT_EQUAL(sr_tui_frames_count(f), 300);
	CU_ASSERT_EQUAL(sr_tui_frames_tick(f, 0), 101);
	CU_ASSERT_EQUAL(sr_tui_frames_tick(f, 299), 400);
	CU_ASSERT_EQUAL(sr_tui_frames_find(f, 100), -1);
	CU_ASSERT_EQUAL(sr_tui_frames_find(f, 101), 0);
	/* the same tick again replaces the newest frame */
	sn = fake_snap(400);
	sr_tui_frames_push(f, sn);
	sr_snapshot_unref(sn);
	CU_ASSERT_EQUAL(sr_tui_frames_count(f), 300);
	sr_tui_frames_free(f);
	/* a byte bound: stays under it, keeps the newest */
	f = sr_tui_frames_new(1000, 20000);
	for (uint64_t t = 1; t <= 400; t++) {
		sn = fake_snap(t);
		sr_tui_frames_push(f, sn);
		sr_snapshot_unref(sn);
	}
	CU_ASSERT(sr_tui_frames_bytes(f) <= 20000);
	CU_ASSERT(sr_tui_frames_count(f) > 1);
	CU_ASSERT(sr_tui_frames_count(f) < 400);
	CU_ASSERT_EQUAL(sr_tui_frames_tick(f, sr_tui_frames_count(f) - 1), 400);
	sr_tui_frames_free(f);
}

/*
 * Frames share their strings: ticks 1..50 have the same service name,
 * template, example and error service, so from the second frame on a
 * frame adds only its own numbers, the same bytes each tick, fewer than
 * the first frame (which brought the strings).
 */
static void
test_shared_strings(void)
{
	struct sr_tui_frames *f = sr_tui_frames_new(1000, 1 << 30);
	struct sr_snapshot *sn;
	size_t b[51];

	b[0] = sr_tui_frames_bytes(f);
	for (uint64_t t = 1; t <= 50; t++) {
		sn = fake_snap(t);
		sr_tui_frames_push(f, sn);
		sr_snapshot_unref(sn);
		b[t] = sr_tui_frames_bytes(f);
	}
	CU_ASSERT_EQUAL(b[0], 0);
	CU_ASSERT(b[2] - b[1] < b[1]);
	CU_ASSERT_EQUAL(b[50] - b[49], b[2] - b[1]);
	sr_tui_frames_free(f);
}

/*
 * What the ring says it holds is what it holds: the heap in use (glibc's
 * mallinfo2(), chunk headers and rounding included) grows by no more
 * than sr_tui_frames_bytes() over 200 frames, the ring's slot array and
 * the shared-string map's table aside, and not by much less (the
 * estimate is not padded).  Under ASan, whose allocator mallinfo2() does
 * not see, there is nothing to compare.
 */
static void
test_bytes_real(void)
{
	struct sr_tui_frames *f;
	struct sr_snapshot *sn[200];
	size_t before, held, est;

	for (int i = 0; i < 200; i++)
		sn[i] = fake_snap((uint64_t)i + 1);
	before = mallinfo2().uordblks;
	f = sr_tui_frames_new(1000, 1 << 30);
	for (int i = 0; i < 200; i++)
		sr_tui_frames_push(f, sn[i]);
	held = mallinfo2().uordblks - before;
	est = sr_tui_frames_bytes(f);
	if (before > 0) {
		/* the ring's array and the map's table: a few kB */
		CU_ASSERT(held <= est + 1000 * sizeof(void *) + 16384);
		CU_ASSERT(est <= held + held / 4);
		if (held > est + 1000 * sizeof(void *) + 16384)
			fprintf(stderr, "frames: %zu bytes held, %zu said\n",
			    held, est);
	}
	sr_tui_frames_free(f);
	for (int i = 0; i < 200; i++)
		sr_snapshot_unref(sn[i]);
}

void
sr_test_tui_frames_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_frames", NULL, NULL);

	CU_add_test(s, "moment", test_moment);
	CU_add_test(s, "bounds", test_bounds);
	CU_add_test(s, "shared strings", test_shared_strings);
	CU_add_test(s, "bytes held", test_bytes_real);
}
