/* SPDX-License-Identifier: MIT */
/*
 * tui: the ncurses console's internals shared by its panels.  Each panel
 * is one file (tui/panel_*.c) with a const struct sr_panel_ops listed once
 * in sr_panels[] (tui/panels.c): its ops give its name, where it goes in
 * each layout preset, its help lines, its key hint and its show/hide
 * key, so adding a panel touches nothing else.  Panels read only the snapshot they are
 * given and the shared view state; they never draw outside a draw()
 * call, and key handlers return an intent (handled, redraw, ignored) that
 * the screen acts on.  Requests that cross panels (focus the event log
 * with a drill-down filter, open an insight's detail) go through the
 * view's request fields.
 */
#ifndef SR_TUI_TUI_H
#define SR_TUI_TUI_H

#include <curses.h>
#include <stdint.h>

#include "core/snapshot.h"
#include "core/store.h"
#include "core/query.h"
#include "tui/fmt.h"
#include "tui/layout.h"

/* Colour roles; each theme maps them to attributes. */
enum sr_role {
	SR_ROLE_NORMAL,
	SR_ROLE_DIM,
	SR_ROLE_TITLE,	     /* panel title bar */
	SR_ROLE_TITLE_FOCUS, /* title bar of the focused panel */
	SR_ROLE_HEADER,
	SR_ROLE_OK,
	SR_ROLE_WARN,
	SR_ROLE_CRIT,
	SR_ROLE_INFO,
	SR_ROLE_SELECT, /* selected row */
	SR_ROLE_VALUE,	/* a big figure */
	SR_ROLE__COUNT
};

/* Chart windows (keys 1-4). */
enum sr_tui_window {
	SR_TUI_WIN_1M,
	SR_TUI_WIN_5M,
	SR_TUI_WIN_1H,
	SR_TUI_WIN_24H,
	SR_TUI_WIN__COUNT
};

struct sr_hreq;

/* Shared, mutable view state: settings and cross-panel requests. */
struct sr_tui_view {
	attr_t attr[SR_ROLE__COUNT];
	enum sr_glyphs glyphs; /* sparks and charts */
	int utf8;	       /* may print non-ASCII */
	int braille;	       /* chart in braille */
	enum sr_tui_window window;
	int focus; /* focused panel id */
	int paused;
	int64_t behind_ms;	 /* paused: shown vs live */
	int replay_clock;	 /* ticks run at event time */
	int tiny;		 /* one-line screen */
	int tiles[SR_KPI_COUNT]; /* KPI ids shown */
	int ntiles;
	int kpi_sel;		/* index into tiles */
	struct sr_query filter; /* event log */
	int drill; /* filter set by a drill-down: the log shows stored counts */
	char host[128];		  /* hosts panel: "" = all */
	char proc_filter[64];	  /* processes: name or user part, or "" */
	struct sr_store *history; /* read-only, or NULL */
	struct sr_hreq *hreq;	  /* history requests on it, never NULL */
	int64_t interval_ms;
	/* requests a panel makes; the screen clears them */
	int req_focus;	      /* panel id, or -1 */
	char req_detail[256]; /* insight id, or "" */
	/* the insight whose metric the chart shows (drill-down), or "" */
	char chart_ins[256];
	char flash[256]; /* status-line message */
};

/*
 * What every panel's create() gets; view is shared and outlives panels.
 * id: the panel's id (its registry position; v->focus == id when it has
 * the focus).
 */
struct sr_tui_cfg {
	struct sr_tui_view *view;
	int id;
};

enum sr_key_result {
	SR_KEY_IGNORED, /* not mine: the screen may use it */
	SR_KEY_HANDLED,
	SR_KEY_REDRAW,
};

#define SR_PANEL_HELP_MAX 3 /* help lines a panel adds */

struct sr_panel_ops {
	const char *name;     /* stable: [tui] panels=, the layout */
	const char *alias[2]; /* other names for [tui] panels=, or NULL */
	/*
	 * A built-in panel other code names by enum sr_panel_id: that id,
	 * which must be its registry position.  A new panel leaves it out.
	 */
	enum sr_panel_id id;
	/* where it goes in each preset (tui/layout.h); all 0: nowhere */
	struct sr_layout_slot slot[SR_LAYOUT__COUNT];
	/* lines for the `?` help ("b              chart in braille"), */
	const char *help[SR_PANEL_HELP_MAX];
	/* a key hint for the status bar ("p procs"), or NULL */
	const char *hint;
	/* the key that shows / hides an optional panel (slot.optional), 0 */
	int toggle_key;
	void *(*create)(const struct sr_tui_cfg *cfg);
	void (*destroy)(void *self);
	void (*draw)(void *self, WINDOW *win, const struct sr_snapshot *snap);
	enum sr_key_result (*key)(void *self, int ch);
	/* a click at (y, x) inside the panel (y 0 = title); may be NULL */
	enum sr_key_result (*click)(void *self, int y, int x);
};

/* NULL-terminated, in Tab order; tui/panels.c. */
extern const struct sr_panel_ops *const sr_panels[];

/*
 * The insight detail overlay (panel_insights.c): description, numbers,
 * recommendation and history of insight `id` in snap, drawn into win.
 */
void sr_insight_detail_draw(WINDOW *win, struct sr_tui_view *v,
    const struct sr_snapshot *snap, const char *id);
/*
 * Point the event log at an insight's subject and time window (the
 * drill-down): sets v->filter and asks for the events panel's focus.
 */
void sr_insight_drill(struct sr_tui_view *v, const struct sr_snapshot *snap,
    const struct sr_snap_insight *ins);

/*
 * A drill-down: the event log filtered by query text q (with time bounds
 * from_ms, to_ms; 0: open), focused, with the stored events' counts
 * above it, and flash on the status line.  A bad q leaves no filter.
 */
void sr_tui_drill(struct sr_tui_view *v, const char *q, int64_t from_ms,
    int64_t to_ms, const char *flash);

/* ---- drawing helpers (tui/draw.c) ----------------------------------- */

/*
 * Print s at (y, x) in at most w cells with attribute a: cut with '~'
 * when too long, non-printable bytes (and non-ASCII outside UTF-8)
 * shown as '?'.  right: right-align in w.  Returns the cells printed.
 */
int sr_tui_put(WINDOW *win, int y, int x, int w, attr_t a, const char *s,
    int right);

/* printf-style sr_tui_put (left-aligned). */
int sr_tui_putf(WINDOW *win, int y, int x, int w, attr_t a, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));

/*
 * Word-wrap s into rows y.. of width w starting at column x, at most
 * max_rows; returns the rows used.
 */
int sr_tui_wrap(WINDOW *win, int y, int x, int w, int max_rows, attr_t a,
    const char *s);

/* Fill row y from x to the window's right edge with attribute a. */
void sr_tui_fill(WINDOW *win, int y, int x, attr_t a);

/*
 * The panel's title bar on row 0: " NAME  extra" filled across, in the
 * focused colour when focused.
 */
void sr_tui_title(WINDOW *win, const struct sr_tui_view *v, const char *title,
    const char *extra, int focused);

/* Attribute of a severity / a KPI level (0, 1, 2) / an HTTP status. */
/* How many insights of snapshot s fire at critical severity. */
size_t sr_tui_crit_firing(const struct sr_snapshot *s);

attr_t sr_tui_sev_attr(const struct sr_tui_view *v, enum sr_severity s);
attr_t sr_tui_level_attr(const struct sr_tui_view *v, int level);
attr_t sr_tui_status_attr(const struct sr_tui_view *v, int status);

/* "[CRIT]", "[WARN]", "[info]". */
const char *sr_tui_sev_marker(enum sr_severity s);

/* A KPI's value with its unit: "45.2%", "3.4 MB/s", "12 ms", "1.2k". */
char *sr_tui_fmt_value(char *buf, size_t n, double v, const char *unit);

/* Local time of a UTC ms instant: "14:03:22" (or with date when long). */
char *sr_tui_fmt_clock(char *buf, size_t n, int64_t ts_ms, int with_date);

/* "1m" "5m" "1h" "24h" and the window's length. */
const char *sr_tui_window_name(enum sr_tui_window w);
int64_t sr_tui_window_ms(enum sr_tui_window w);
/* The snapshot window to read for w (24 h reads 1 h). */
enum sr_window sr_tui_snap_window(enum sr_tui_window w);

/*
 * A scrolled list: selected row, first row shown, rows, rows per page.
 * sr_tui_list_key() handles up/down/j/k, PgUp/PgDn, g/G, Home/End;
 * sr_tui_list_fit() clamps after the row count or page changed.
 */
struct sr_tui_list {
	int sel, top, n, page;
};
enum sr_key_result sr_tui_list_key(struct sr_tui_list *l, int ch);
void sr_tui_list_fit(struct sr_tui_list *l, int n, int page);
/*
 * A click on row y of a panel whose list rows start at y = 2 (title and
 * header above): select that row.  Ignored on the title and header.
 */
enum sr_key_result sr_tui_list_click(struct sr_tui_list *l, int y);

/* Copy the float history h[0..n) into d as doubles. */
void sr_tui_hist(const float *h, int n, double *d);

#endif
