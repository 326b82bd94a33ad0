/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/layout, through its header (the runner links
 * libsitrep-tui.a).
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "tui/layout.h"

void sr_test_tui_layout_suite(void);

/*
 * The built-in panels' names and slots, as their ops declare them
 * (tui/panel_*.c; the event log's in tui/panels.c): the unit runner
 * links no curses, so they are repeated here.
 */
#define SL(o, m, w, r)                                         \
	{                                                      \
		.order = o, .min_h = m, .weight = w, .rank = r \
	}
static const struct sr_layout_panel lp_chart = { .name = "chart",
	.slot = { [SR_LAYOUT_FULL] = SL(10, 7, 2, 8),
	    [SR_LAYOUT_SYSTEM] = SL(10, 6, 2, 6) } };
static const struct sr_layout_panel lp_services = { .name = "services",
	.slot = { [SR_LAYOUT_FULL] = SL(30, 4, 3, 3),
	    [SR_LAYOUT_COMPACT] = SL(30, 4, 3, 3) } };
static const struct sr_layout_panel lp_insights = { .name = "insights",
	.slot = { [SR_LAYOUT_FULL] = { .order = 31,
		      .min_h = 4,
		      .weight = 2,
		      .rank = 5,
		      .beside = 1,
		      .pair_min_h = 5 },
	    [SR_LAYOUT_COMPACT] = { .order = 31,
		.min_h = 4,
		.weight = 2,
		.rank = 5,
		.beside = 1,
		.pair_min_h = 5 } } };
static const struct sr_layout_panel lp_procs = { .name = "processes",
	.alias = { "procs", "system" },
	.slot = { [SR_LAYOUT_FULL] = { .order = 40,
		      .min_h = 5,
		      .weight = 2,
		      .rank = 6,
		      .optional = 1 },
	    [SR_LAYOUT_COMPACT] = { .order = 40,
		.min_h = 5,
		.weight = 2,
		.rank = 6,
		.optional = 1 },
	    [SR_LAYOUT_EVENTS] = { .order = 10,
		.min_h = 5,
		.weight = 1,
		.rank = 6,
		.optional = 1 },
	    [SR_LAYOUT_SYSTEM] = SL(20, 4, 3, 2) } };
static const struct sr_layout_panel lp_events = { .name = "events",
	.slot = { [SR_LAYOUT_FULL] = SL(60, 4, 3, 4),
	    [SR_LAYOUT_COMPACT] = SL(60, 4, 3, 4),
	    [SR_LAYOUT_EVENTS] = SL(20, 3, 4, 1) } };
static const struct sr_layout_panel lp_errors = { .name = "errors",
	.slot = { [SR_LAYOUT_FULL] = SL(50, 4, 1, 7) } };
static const struct sr_layout_panel lp_hosts = { .name = "hosts",
	.slot = { [SR_LAYOUT_FULL] = { .order = 20,
		      .min_h = 4,
		      .weight = 1,
		      .rank = 5,
		      .needs = SR_LAYOUT_HOSTS },
	    [SR_LAYOUT_COMPACT] = { .order = 20,
		.min_h = 4,
		.weight = 1,
		.rank = 5,
		.needs = SR_LAYOUT_HOSTS } } };
static const struct sr_layout_panel lp_header = { .name = "header" };
static const struct sr_layout_panel lp_tiles = { .name = "tiles" };
static const struct sr_layout_panel *const T[SR_PANEL__COUNT] = {
	[SR_PANEL_HEADER] = &lp_header,
	[SR_PANEL_TILES] = &lp_tiles,
	[SR_PANEL_CHART] = &lp_chart,
	[SR_PANEL_SERVICES] = &lp_services,
	[SR_PANEL_INSIGHTS] = &lp_insights,
	[SR_PANEL_PROCS] = &lp_procs,
	[SR_PANEL_EVENTS] = &lp_events,
	[SR_PANEL_ERRORS] = &lp_errors,
	[SR_PANEL_HOSTS] = &lp_hosts,
};

/* Every shown rectangle lies inside the screen; none overlap. */
static int
layout_sane(const struct sr_layout *l, int cols, int lines)
{
	for (int i = 0; i < SR_PANEL__COUNT; i++) {
		const struct sr_rect *a = &l->r[i];

		if (a->h == 0 || a->w == 0)
			continue;
		if (a->y < 0 || a->x < 0 || a->h < 0 || a->w < 0 ||
		    a->y + a->h > lines || a->x + a->w > cols)
			return 0;
		for (int j = i + 1; j < SR_PANEL__COUNT; j++) {
			const struct sr_rect *b = &l->r[j];

			if (b->h == 0 || b->w == 0)
				continue;
			if (a->y < b->y + b->h && b->y < a->y + a->h &&
			    a->x < b->x + b->w && b->x < a->x + a->w)
				return 0;
		}
	}
	return 1;
}

static int
shown(const struct sr_layout *l, enum sr_panel_id p)
{
	return l->r[p].h > 0 && l->r[p].w > 0;
}

static void
test_full_120x40(void)
{
	struct sr_layout l;

	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 40, 9,
	    NULL, 0, &l);
	CU_ASSERT(layout_sane(&l, 120, 40));
	CU_ASSERT_FALSE(l.tiny);
	/* header 2 lines at the top, status bar on the last line */
	CU_ASSERT_EQUAL(l.r[SR_PANEL_HEADER].y, 0);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_HEADER].h, 2);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_STATUS].y, 39);
	/* 120 / 12 = 10 tiles fit on a row: 9 tiles in one row of 3 lines */
	CU_ASSERT_EQUAL(l.tile_cols, 9);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_TILES].y, 2);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_TILES].h, 3);
	CU_ASSERT(shown(&l, SR_PANEL_CHART));
	CU_ASSERT(shown(&l, SR_PANEL_SERVICES));
	CU_ASSERT(shown(&l, SR_PANEL_INSIGHTS));
	CU_ASSERT(shown(&l, SR_PANEL_EVENTS));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_PROCS));
	/* services and insights side by side at 120 columns: 72 + 48 */
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].y, l.r[SR_PANEL_INSIGHTS].y);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].w, 72);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_INSIGHTS].x, 72);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_INSIGHTS].w, 48);
	/* rows fill the screen: the event log ends above the status bar */
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].y + l.r[SR_PANEL_EVENTS].h, 39);
	/* 37 lines between header and status: tiles 3, chart 7, services
	 * 5, errors 4, events 4 minimums; 14 spare shared 2:3:1:3 -> 3, 4,
	 * 1 and the rest (6) to the last */
	CU_ASSERT_EQUAL(l.r[SR_PANEL_CHART].h, 10);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].h, 9);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_ERRORS].h, 5);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_ERRORS].w, 120);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_ERRORS].y, l.r[SR_PANEL_SERVICES].y + 9);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].h, 10);
	/* no error pattern: errors take 2 lines and no share; minimums 3 +
	 * 7 + 5 + 2 + 4 = 21 of 37, 16 spare shared 2:3:3 -> chart 4,
	 * services 6, the rest (6) to the event log */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL,
	    SR_LAYOUT_NO_ERRORS, 120, 40, 9, NULL, 0, &l);
	CU_ASSERT(layout_sane(&l, 120, 40));
	CU_ASSERT_EQUAL(l.r[SR_PANEL_ERRORS].h, 2);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_CHART].h, 11);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].h, 11);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].h, 10);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].y + l.r[SR_PANEL_EVENTS].h, 39);
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 40, 9,
	    NULL, 0, &l);
	/* the error patterns go right after the chart when lines run out:
	 * 120x25 leaves 21 under the header: tiles 3, services 5, events 4,
	 * errors 4 = 16 fit without the chart (7) */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 25, 9,
	    NULL, 0, &l);
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_CHART));
	CU_ASSERT(shown(&l, SR_PANEL_ERRORS));
	/* 120x16: 14 lines; without the chart 16 is still too many */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 16, 9,
	    NULL, 0, &l);
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_ERRORS));
	CU_ASSERT(shown(&l, SR_PANEL_EVENTS));
	CU_ASSERT(shown(&l, SR_PANEL_SERVICES));
	/* compact has no error panel */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_COMPACT, 0, 120, 40, 9,
	    NULL, 0, &l);
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_ERRORS));
	CU_ASSERT_EQUAL(sr_layout_panel_by_name(T, SR_PANEL__COUNT, "errors"),
	    SR_PANEL_ERRORS);
}

static void
test_tiny(void)
{
	struct sr_layout l;

	/* 40x5: only the status line */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 40, 5, 9, NULL,
	    0, &l);
	CU_ASSERT(l.tiny);
	CU_ASSERT(layout_sane(&l, 40, 5));
	CU_ASSERT_EQUAL(l.r[SR_PANEL_STATUS].h, 1);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_STATUS].w, 40);
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_HEADER));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_EVENTS));
	/* 1x1 and nonsense sizes: still one 1x1 line */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 1, 1, 9, NULL,
	    0, &l);
	CU_ASSERT(l.tiny);
	CU_ASSERT(layout_sane(&l, 1, 1));
	CU_ASSERT_EQUAL(l.r[SR_PANEL_STATUS].w, 1);
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 0, -3, 9, NULL,
	    0, &l);
	CU_ASSERT(layout_sane(&l, 1, 1));
	/* 39 columns is too narrow even with many lines */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 39, 50, 9,
	    NULL, 0, &l);
	CU_ASSERT(l.tiny);
}

static void
test_drop_order(void)
{
	struct sr_layout l;

	/* 80x12: header 1 + status 1 leave 10: tiles (3 x 2 rows = 6 ->
	 * shrinks to 3) ... the chart goes first */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 80, 12, 9,
	    NULL, 0, &l);
	CU_ASSERT(layout_sane(&l, 80, 12));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_CHART));
	CU_ASSERT(shown(&l, SR_PANEL_HEADER));
	CU_ASSERT(shown(&l, SR_PANEL_STATUS));
	CU_ASSERT(shown(&l, SR_PANEL_SERVICES));
	/* narrow: services and insights stack, insights dropped first */
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_INSIGHTS));
	/* 40x6: header, status, nothing fits but the tiles row */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 40, 6, 9, NULL,
	    0, &l);
	CU_ASSERT(layout_sane(&l, 40, 6));
	CU_ASSERT_FALSE(l.tiny);
	CU_ASSERT(shown(&l, SR_PANEL_HEADER));
	CU_ASSERT(shown(&l, SR_PANEL_TILES));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_EVENTS));
	/* every size from 1x1 to 130x45, every preset: sane */
	for (int k = 0; k < 4; k++)
		for (int c = 1; c <= 130; c += 3)
			for (int li = 1; li <= 45; li++) {
				sr_layout_compute(T, SR_PANEL__COUNT,
				    (enum sr_layout_kind)k, SR_LAYOUT_PROCS, c,
				    li, 9, NULL, 0, &l);
				CU_ASSERT_FATAL(layout_sane(&l, c, li));
			}
}

static void
test_presets(void)
{
	struct sr_layout l;
	enum sr_layout_kind k;
	enum sr_panel_id order[] = { SR_PANEL_EVENTS, SR_PANEL_SERVICES };

	CU_ASSERT_EQUAL(sr_layout_parse("system", &k), 0);
	CU_ASSERT_EQUAL(k, SR_LAYOUT_SYSTEM);
	CU_ASSERT_EQUAL(sr_layout_parse("bogus", &k), -1);
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_SYSTEM, 0, 120, 40, 9,
	    NULL, 0, &l);
	CU_ASSERT(shown(&l, SR_PANEL_PROCS));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_EVENTS));
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_EVENTS, 0, 120, 40, 9,
	    NULL, 0, &l);
	CU_ASSERT(shown(&l, SR_PANEL_EVENTS));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_TILES));
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].h, 40 - 2 - 1);
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_COMPACT,
	    SR_LAYOUT_PROCS, 120, 40, 9, NULL, 0, &l);
	CU_ASSERT(shown(&l, SR_PANEL_PROCS));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_CHART));
	/* configured order: events above services */
	sr_layout_compute(T, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 40, 9,
	    order, 2, &l);
	CU_ASSERT(l.r[SR_PANEL_EVENTS].y < l.r[SR_PANEL_SERVICES].y);
	CU_ASSERT_EQUAL(sr_layout_panel_by_name(T, SR_PANEL__COUNT, "insights"),
	    SR_PANEL_INSIGHTS);
	CU_ASSERT_EQUAL(sr_layout_panel_by_name(T, SR_PANEL__COUNT, "nope"),
	    -1);
}

/* A panel added to the registry (id 9) goes where its slot says. */
static void
test_new_panel(void)
{
	static const struct sr_layout_panel extra = { .name = "extra",
		.slot = { [SR_LAYOUT_FULL] = { .order = 55,
			      .min_h = 3,
			      .weight = 1,
			      .rank = 9,
			      .optional = 1 } } };
	const struct sr_layout_panel *t2[SR_PANEL__COUNT];
	struct sr_layout l;

	memcpy(t2, T, sizeof(t2));
	t2[9] = &extra;
	sr_layout_compute(t2, SR_PANEL__COUNT, SR_LAYOUT_FULL, 0, 120, 40, 9,
	    NULL, 0, &l);
	CU_ASSERT_EQUAL(l.r[9].h, 0); /* optional: not toggled on */
	sr_layout_compute(t2, SR_PANEL__COUNT, SR_LAYOUT_FULL,
	    SR_LAYOUT_SHOWN(9), 120, 40, 9, NULL, 0, &l);
	CU_ASSERT(l.r[9].h >= 3);
	CU_ASSERT_EQUAL(l.r[9].w, 120);
	/* order 55: below the error patterns, above the event log */
	CU_ASSERT_EQUAL(l.r[9].y,
	    l.r[SR_PANEL_ERRORS].y + l.r[SR_PANEL_ERRORS].h);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].y, l.r[9].y + l.r[9].h);
	CU_ASSERT(layout_sane(&l, 120, 40));
	CU_ASSERT_EQUAL(sr_layout_panel_by_name(t2, SR_PANEL__COUNT, "extra"),
	    9);
	CU_ASSERT_EQUAL(sr_layout_panel_by_name(t2, SR_PANEL__COUNT, "procs"),
	    SR_PANEL_PROCS);
	/* too short for it: rank 9 goes first */
	sr_layout_compute(t2, SR_PANEL__COUNT, SR_LAYOUT_FULL,
	    SR_LAYOUT_SHOWN(9), 120, 25, 9, NULL, 0, &l);
	CU_ASSERT_EQUAL(l.r[9].h, 0);
}

/*
 * [layout] panels=: parse errors, and a layout at 120x40 worked by hand:
 * "tiles, services:50%, events" with 9 tiles: 10 per row fit in 120
 * columns, so one tile row of 3 lines (rows 2..4); 40 - 2 (header) - 1
 * (status) = 37 lines, minus 3 for the tiles = 34; minimums services 4,
 * events 4 leave 26 spare: services 26 * 50 / 100 = 13 more (17 lines,
 * rows 5..21), events the rest (17 lines, rows 22..38).  At 120x12 the
 * header takes 1 line: the minimums (3 + 4 + 4) do not fit the 10 left,
 * and the last listed goes first.
 */
static void
test_spec(void)
{
	struct sr_layout_spec sp;
	struct sr_layout l;
	char err[256], text[256];

	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT, "chart, nope",
			    &sp, err, sizeof(err)),
	    -1);
	CU_ASSERT(strstr(err, "unknown panel 'nope' (tiles, chart,") != NULL);
	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT, "chart:0%",
			    &sp, err, sizeof(err)),
	    -1);
	CU_ASSERT(strstr(err, "not 1..100") != NULL);
	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT,
			    "chart:60,events:50%", &sp, err, sizeof(err)),
	    -1);
	CU_ASSERT(strstr(err, "110 %") != NULL);
	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT,
			    "chart,procs,system", &sp, err, sizeof(err)),
	    -1);
	CU_ASSERT(strstr(err, "named twice") != NULL);
	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT, " , ", &sp,
			    err, sizeof(err)),
	    -1);
	CU_ASSERT_EQUAL(sr_layout_spec_parse(T, SR_PANEL__COUNT, "header", &sp,
			    err, sizeof(err)),
	    -1);
	CU_ASSERT_EQUAL_FATAL(sr_layout_spec_parse(T, SR_PANEL__COUNT,
				  "tiles, services:50%, events", &sp, err,
				  sizeof(err)),
	    0);
	sr_layout_spec_text(T, &sp, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "tiles, services 50%, events 50%");
	sr_layout_compute_spec(T, SR_PANEL__COUNT, &sp, 0, 120, 40, 9, &l);
	CU_ASSERT(layout_sane(&l, 120, 40));
	CU_ASSERT_EQUAL(l.r[SR_PANEL_TILES].y, 2);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_TILES].h, 3);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].y, 5);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_SERVICES].h, 17);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].y, 22);
	CU_ASSERT_EQUAL(l.r[SR_PANEL_EVENTS].h, 17);
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_CHART));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_INSIGHTS));
	sr_layout_compute_spec(T, SR_PANEL__COUNT, &sp, 0, 120, 12, 9, &l);
	CU_ASSERT(layout_sane(&l, 120, 12));
	CU_ASSERT(shown(&l, SR_PANEL_SERVICES));
	CU_ASSERT_FALSE(shown(&l, SR_PANEL_EVENTS));
	for (int c = 1; c <= 130; c += 7)
		for (int r = 1; r <= 60; r += 5) {
			sr_layout_compute_spec(T, SR_PANEL__COUNT, &sp, 0, c, r,
			    9, &l);
			CU_ASSERT(layout_sane(&l, c, r));
		}
}

void
sr_test_tui_layout_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_layout", NULL, NULL);

	CU_add_test(s, "full_120x40", test_full_120x40);
	CU_add_test(s, "tiny", test_tiny);
	CU_add_test(s, "drop_order", test_drop_order);
	CU_add_test(s, "presets", test_presets);
	CU_add_test(s, "new panel", test_new_panel);
	CU_add_test(s, "spec", test_spec);
}
