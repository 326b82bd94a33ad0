/* SPDX-License-Identifier: MIT */
/*
 * layout: where each panel goes for a terminal size and a preset.  Pure
 * arithmetic (no curses) so it is unit-tested at any size, 1x1 included.
 *
 * A preset is a list of rows, each holding one or two panels with a
 * minimum height, a weight for the spare lines, and a drop rank: when
 * the minimums do not fit, rows are dropped highest rank first (the
 * chart goes first, then the error patterns, processes, insights when
 * stacked, the event log, services, tiles).  Below 40 columns or at 5
 * lines or fewer only a one-line status bar remains.  Two-panel rows
 * stack when narrower than
 * SR_LAYOUT_WIDE columns (a services table beside the insights needs
 * about 70 columns for readable names).
 */
#ifndef SR_TUI_LAYOUT_H
#define SR_TUI_LAYOUT_H

enum sr_panel_id {
	SR_PANEL_HEADER,
	SR_PANEL_TILES,
	SR_PANEL_CHART,
	SR_PANEL_SERVICES,
	SR_PANEL_INSIGHTS,
	SR_PANEL_PROCS,
	SR_PANEL_EVENTS,
	SR_PANEL_ERRORS, /* top error patterns */
	SR_PANEL_HOSTS,	 /* multi-host: shown with SR_LAYOUT_HOSTS */
	SR_PANEL_STATUS, /* bottom line: keys, filter prompt */
	SR_PANEL__COUNT
};

enum sr_layout_kind {
	SR_LAYOUT_FULL,
	SR_LAYOUT_COMPACT,
	SR_LAYOUT_EVENTS,
	SR_LAYOUT_SYSTEM,
};

enum sr_layout_flags {
	SR_LAYOUT_PROCS = 1 << 0, /* `p`: show the processes panel */
	SR_LAYOUT_HOSTS = 1 << 1, /* more than one host: host list */
};

/* A panel's place; h == 0 (or w == 0) means not shown. */
struct sr_rect {
	int y, x, h, w;
};

struct sr_layout {
	struct sr_rect r[SR_PANEL__COUNT];
	int tiny;      /* only the one-line status bar */
	int tile_cols; /* tiles per row (0: none shown) */
};

/* Narrower than this, services and insights stack. */
#define SR_LAYOUT_WIDE 120

/* Minimum width of one KPI tile. */
#define SR_TILE_MIN_W 12

/* Parse "full", "compact", "events", "system"; 0 or -1. */
int sr_layout_parse(const char *s, enum sr_layout_kind *k);
const char *sr_layout_name(enum sr_layout_kind k);
/* Stable panel names: "header", "tiles", "chart", "services" ... */
const char *sr_panel_name(enum sr_panel_id id);
/* Panel id by name, or -1. */
int sr_panel_by_name(const char *name);

/*
 * Compute the layout of a cols x lines screen (values below 1 count as
 * 1).  ntiles is the number of KPI tiles wanted; order (may be NULL)
 * lists panels in the order the [tui] panels= config gives, to reorder
 * the middle rows.  Never fails; rectangles always lie inside the screen
 * and never overlap.
 */
void sr_layout_compute(enum sr_layout_kind kind, unsigned flags, int cols,
    int lines, int ntiles, const enum sr_panel_id *order, int norder,
    struct sr_layout *out);

#endif
