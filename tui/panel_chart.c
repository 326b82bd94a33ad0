/* SPDX-License-Identifier: MIT */
/*
 * panel_chart: a larger chart of the KPI picked in the tiles panel, in
 * block cells (braille with `b`, '#' in ASCII), with a y-axis scale and
 * time labels.  Windows 1 min and 5 min come from the snapshot's
 * per-tick history; 1 h and 24 h from the store's rollups of the
 * "kpi.<id>" samples through a read-only handle, queried again at most
 * every 10 s (or when the KPI, window or width changes).
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_REQUERY_MS	10000

struct chart {
	struct sr_tui_view	*v;
	double			*pts;		/* store query result */
	int			 npts, cap;
	int			 q_kpi, q_win, q_w;
	int64_t			 q_at_ms;	/* snapshot time of query */
	int			 q_failed;
};

static void *
chart_create(const struct sr_tui_cfg *cfg)
{
	struct chart *c = sr_xcalloc(1, sizeof(*c));

	c->v = cfg->view;
	c->q_kpi = -1;
	return c;
}

static void
chart_destroy(void *self)
{
	struct chart *c = self;

	free(c->pts);
	free(c);
}

struct chart_fill {
	struct chart	*c;
	int64_t		 from_ms, step_ms;
};

static void
chart_point(void *ctx, const struct sr_series_point *pt)
{
	struct chart_fill *f = ctx;
	int i = (int)((pt->ts_ms - f->from_ms) / f->step_ms);

	if (i >= 0 && i < f->c->npts)
		f->c->pts[i] = pt->avg;
}

/* Read the long window from the store into c->pts (w buckets). */
static void
chart_query(struct chart *c, const struct sr_snapshot *s, int kpi, int w)
{
	struct chart_fill f;
	char name[64];
	int64_t win = sr_tui_window_ms(c->v->window);

	if (w > c->cap) {
		c->cap = w;
		c->pts = sr_xrealloc(c->pts, (size_t)w * sizeof(*c->pts));
	}
	c->npts = w;
	for (int i = 0; i < w; i++)
		c->pts[i] = NAN;
	f.c = c;
	f.step_ms = win / w > 0 ? win / w : 1;
	f.from_ms = s->now_ms - f.step_ms * w;
	snprintf(name, sizeof(name), "kpi.%s", s->kpi[kpi].id ?
	    s->kpi[kpi].id : "");
	c->q_failed = sr_store_series(c->v->history, name, f.from_ms,
	    s->now_ms, f.step_ms, chart_point, &f, NULL) == -1;
	c->q_kpi = kpi;
	c->q_win = (int)c->v->window;
	c->q_w = w;
	c->q_at_ms = s->now_ms;
}

static void
chart_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct chart *c = self;
	struct sr_tui_view *v = c->v;
	int W = getmaxx(win), H = getmaxy(win), axis = 8, cw, ch, kpi, n;
	int per = v->braille && v->glyphs != SR_GLYPH_ASCII ? 2 : 1;
	const struct sr_snap_kpi *k;
	double buf[SR_SNAP_HIST], *data, hi = 0;
	char title[96], lab[32], extra[64];
	struct sr_buf *rows;
	enum sr_glyphs g;
	int64_t win_ms = sr_tui_window_ms(v->window);
	const char *note = "";

	if (v->ntiles == 0)
		return;
	kpi = v->tiles[v->kpi_sel < v->ntiles ? v->kpi_sel : 0];
	k = &s->kpi[kpi];
	ch = H - 2;			/* title row, time-label row */
	if (ch < 1)
		ch = H - 1;
	cw = W - axis;
	if (cw < 4) {
		axis = 0;
		cw = W;
	}
	if (v->window <= SR_TUI_WIN_5M || v->history == NULL) {
		int64_t iv = v->interval_ms > 0 ? v->interval_ms : 1000;

		n = (int)(win_ms / iv);
		if (n > k->hist_n)
			n = k->hist_n;
		sr_tui_hist(k->hist + (k->hist_n - n), n, buf);
		data = buf;
		if (v->window > SR_TUI_WIN_5M)
			note = " (no history: in-memory database)";
	} else {
		if (c->q_kpi != kpi || c->q_win != (int)v->window ||
		    c->q_w != cw * per || s->now_ms < c->q_at_ms ||
		    s->now_ms - c->q_at_ms >= CHART_REQUERY_MS)
			chart_query(c, s, kpi, cw * per);
		data = c->pts;
		n = c->npts;
		if (c->q_failed)
			note = " (history query failed)";
	}
	for (int i = 0; i < n; i++)
		if (!isnan(data[i]) && data[i] > hi)
			hi = data[i];
	if (k->unit != NULL && strcmp(k->unit, "%") == 0 && hi > 50)
		hi = 100;
	hi = sr_nice_ceil(hi);
	snprintf(title, sizeof(title), "Chart: %s", k->label ? k->label :
	    "?");
	snprintf(extra, sizeof(extra), "[%s] 1-4 window  b braille%s",
	    sr_tui_window_name(v->window), note);
	sr_tui_title(win, v, title, extra, v->focus == SR_PANEL_CHART);
	if (ch < 1)
		return;
	g = v->glyphs == SR_GLYPH_ASCII ? SR_GLYPH_ASCII :
	    v->braille ? SR_GLYPH_BRAILLE : SR_GLYPH_BLOCK;
	rows = sr_xcalloc((size_t)ch, sizeof(*rows));
	for (int r = 0; r < ch; r++)
		sr_buf_init(&rows[r]);
	sr_chart(data, n, cw, ch, 0, hi > 0 ? hi : 1, g, rows);
	for (int r = 0; r < ch; r++) {
		sr_tui_put(win, 1 + r, axis, cw,
		    sr_tui_level_attr(v, k->level) & ~A_BOLD, rows[r].data,
		    0);
		sr_buf_release(&rows[r]);
	}
	free(rows);
	if (axis > 0) {
		sr_tui_fmt_value(lab, sizeof(lab), hi, k->unit);
		sr_tui_put(win, 1, 0, axis - 1, v->attr[SR_ROLE_DIM], lab, 1);
		if (ch >= 3) {
			sr_tui_fmt_value(lab, sizeof(lab), hi / 2, k->unit);
			sr_tui_put(win, 1 + ch / 2, 0, axis - 1,
			    v->attr[SR_ROLE_DIM], lab, 1);
		}
		if (ch >= 2)
			sr_tui_put(win, ch, 0, axis - 1,
			    v->attr[SR_ROLE_DIM], "0", 1);
	}
	if (H - 2 >= 1) {
		sr_tui_putf(win, H - 1, axis, cw / 2, v->attr[SR_ROLE_DIM],
		    "-%s", sr_tui_window_name(v->window));
		sr_tui_put(win, H - 1, axis + cw / 2, cw - cw / 2,
		    v->attr[SR_ROLE_DIM], "now", 1);
	}
}

static enum sr_key_result
chart_key(void *self, int ch)
{
	struct chart *c = self;

	switch (ch) {
	case 'b':
		c->v->braille = !c->v->braille;
		return SR_KEY_REDRAW;
	case KEY_LEFT:
	case 'h':
		if (c->v->kpi_sel > 0)
			c->v->kpi_sel--;
		return SR_KEY_REDRAW;
	case KEY_RIGHT:
	case 'l':
		if (c->v->kpi_sel + 1 < c->v->ntiles)
			c->v->kpi_sel++;
		return SR_KEY_REDRAW;
	default:
		return SR_KEY_IGNORED;
	}
}

const struct sr_panel_ops sr_chart_panel = {
	.name = "chart",
	.id = SR_PANEL_CHART,
	.create = chart_create,
	.destroy = chart_destroy,
	.draw = chart_draw,
	.key = chart_key,
};
