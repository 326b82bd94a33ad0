/* SPDX-License-Identifier: MIT */
/*
 * layout: where each panel goes for a terminal size and a preset.  Pure
 * arithmetic (no curses) so it is unit-tested at any size, 1x1 included.
 *
 * A preset is a list of rows, made from each panel's slot for it (a
 * panel declares its slots in its ops), each row holding one or two
 * panels with a minimum height, a weight for the spare lines, and a drop rank: when
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

#include <stddef.h>

/*
 * Panel ids: a panel's position in the registry (sr_panels[], tui/panels.c).
 * The ones named here are the built-in panels other code refers to, at
 * these positions; a new panel needs no name here (its id is where the
 * registry lists it).  The status bar is the screen's, not a panel.
 */
#define SR_PANEL_MAX 24 /* ids, the status bar's included */
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
	SR_PANEL_STATUS = SR_PANEL_MAX - 1, /* bottom line: keys, prompt */
	SR_PANEL__COUNT			    /* array size: SR_PANEL_MAX */
};

enum sr_layout_kind {
	SR_LAYOUT_FULL,
	SR_LAYOUT_COMPACT,
	SR_LAYOUT_EVENTS,
	SR_LAYOUT_SYSTEM,
	SR_LAYOUT__COUNT
};

/*
 * Layout flags.  SR_LAYOUT_SHOWN(id): an optional panel (its slot says
 * so) was toggled on, by its key.
 */
#define SR_LAYOUT_SHOWN(id) (1u << (8 + (unsigned)(id)))
enum sr_layout_flags {
	SR_LAYOUT_HOSTS = 1 << 1, /* more than one host: host list */
	/* no error pattern: that panel takes its title and one line */
	SR_LAYOUT_NO_ERRORS = 1 << 2,
	SR_LAYOUT_LLM = 1 << 3, /* a scraped LLM server: the serving panel */
	SR_LAYOUT_PROCS = SR_LAYOUT_SHOWN(SR_PANEL_PROCS), /* `p` */
};

/*
 * Where a panel goes in one preset: a middle row (between the tiles and
 * the status bar), rows top to bottom by order.  order 0: not in this
 * preset.  rank: rows are dropped highest first when the minimums do
 * not fit.  beside: on a screen SR_LAYOUT_WIDE or wider, the panel goes
 * right of the row before it, which then needs pair_min_h lines.
 */
struct sr_layout_slot {
	int order;
	int min_h, weight, rank;
	int optional;	/* shown once toggled on: SR_LAYOUT_SHOWN(id) */
	unsigned needs; /* enum sr_layout_flags that must all be set */
	int beside;
	int pair_min_h;
};

/* A panel as the layout sees it (from its struct sr_panel_ops). */
struct sr_layout_panel {
	const char *name;     /* stable: [tui] panels=, messages */
	const char *alias[2]; /* other names it answers to, or NULL */
	struct sr_layout_slot slot[SR_LAYOUT__COUNT];
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
/*
 * Panel id by name or alias in panels[0..n) (entries may be NULL), or
 * -1.
 */
int sr_layout_panel_by_name(const struct sr_layout_panel *const *panels, int n,
    const char *name);

/*
 * A custom layout (the config's [layout] panels=): the panels top to
 * bottom below the header, each with its share of the lines (percent,
 * 1..100; 0: an equal part of what the shares leave).  "tiles" shows
 * the KPI tiles (always at the top, as they are in the presets); the
 * header and the status bar are always there.
 */
struct sr_layout_spec {
	int n;
	enum sr_panel_id id[SR_PANEL_MAX];
	int share[SR_PANEL_MAX];
};

/*
 * Parse "chart:25%,services,events:40%" (NAME[:SHARE[%]] separated by
 * commas or blanks; names as sr_layout_panel_by_name() knows them) into
 * sp.  0, or -1 with a message in err: an unknown or repeated panel, a
 * share not 1..100, shares above 100 % in all, no panel, the header or
 * the status bar.
 */
int
sr_layout_spec_parse(const struct sr_layout_panel *const *panels, int npanels,
    const char *s, struct sr_layout_spec *sp, char *err, size_t errlen);

/*
 * The effective layout of sp as text: "tiles, chart 25%, services 35%,
 * events 40%" (each share as placed: an unset one gets its equal part).
 */
void sr_layout_spec_text(const struct sr_layout_panel *const *panels,
    const struct sr_layout_spec *sp, char *out, size_t outlen);

/*
 * The console's panels as the layout sees them (tui/panels.c): fills
 * lp[0..SR_PANEL__COUNT) and lps (NULL where no panel), indexed by id.
 */
void sr_tui_layout_panels(struct sr_layout_panel *lp,
    const struct sr_layout_panel **lps);

/*
 * Compute the layout of a cols x lines screen (values below 1 count as
 * 1) for the panels panels[0..npanels) (indexed by id; NULL entries are
 * no panel), their slots for kind giving the middle rows; the header,
 * the tiles and the status bar have fixed places.  ntiles is the number
 * of KPI tiles wanted; order (may be NULL)
 * lists panels in the order the [tui] panels= config gives, to reorder
 * the middle rows.  Never fails; rectangles always lie inside the screen
 * and never overlap.
 */
void sr_layout_compute(const struct sr_layout_panel *const *panels, int npanels,
    enum sr_layout_kind kind, unsigned flags, int cols, int lines, int ntiles,
    const enum sr_panel_id *order, int norder, struct sr_layout *out);

/*
 * The same for a custom layout sp (its panels, in its order, the spare
 * lines shared by its shares; each panel's minimum height is the
 * largest of its preset slots, 3 for one in none; when they do not fit,
 * the last listed go first, the tiles last of all).
 */
void sr_layout_compute_spec(const struct sr_layout_panel *const *panels,
    int npanels, const struct sr_layout_spec *sp, unsigned flags, int cols,
    int lines, int ntiles, struct sr_layout *out);

#endif
