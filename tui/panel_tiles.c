/* SPDX-License-Identifier: MIT */
/*
 * panel_tiles: one tile per KPI in the configured list ([tui] tiles=):
 * label with a trend arrow against the previous window, the value with
 * its unit coloured by its warn/crit level, and a sparkline of recent
 * history.  Left/right (h/l) pick the tile the chart shows.
 *
 * With a host picked in the hosts panel the tiles show that node's KPIs
 * as its sitrep serve reported them (samples "host.<HOST>.<kpi id>"),
 * each label saying "@HOST"; a KPI the node did not report shows "-",
 * never this machine's figure.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tiles {
	struct sr_tui_view *v;
	int cols; /* tiles per row at the last draw */
	int w;	  /* width of one tile */
};

static void *
tiles_create(const struct sr_tui_cfg *cfg)
{
	struct tiles *t = sr_xcalloc(1, sizeof(*t));

	t->v = cfg->view;
	return t;
}

static void
tiles_destroy(void *self)
{
	free(self);
}

/*
 * The KPI k of the picked host into *out (value, level, history from the
 * sample series): 1, or 0 when that node reported none (value NAN).
 */
static int
tiles_remote(const struct sr_snapshot *s, const char *host,
    const struct sr_snap_kpi *k, struct sr_snap_kpi *out)
{
	const struct sr_snap_metric *m;
	char name[256];

	*out = *k;
	out->value = out->value2 = out->prev = NAN;
	out->unit2 = NULL;
	out->level = 0;
	out->hist_n = 0;
	if (k->id == NULL)
		return 0;
	snprintf(name, sizeof(name), "host.%s.%s", host, k->id);
	m = sr_snapshot_metric(s, name);
	if (m == NULL || isnan(m->value))
		return 0;
	out->value = m->value;
	if (!isnan(k->crit) && m->value >= k->crit)
		out->level = 2;
	else if (!isnan(k->warn) && m->value >= k->warn)
		out->level = 1;
	out->hist_n = m->hist_n;
	memcpy(out->hist, m->hist, sizeof(out->hist));
	if (m->hist_n >= 2)
		out->prev = m->hist[m->hist_n - 2];
	return 1;
}

/* Trend arrow: up, down or flat (within 5 %) against prev. */
static const char *
tiles_arrow(const struct sr_snap_kpi *k, int utf8)
{
	double d;

	if (isnan(k->value) || isnan(k->prev))
		return " ";
	d = k->value - k->prev;
	if (fabs(d) <= 0.05 * fabs(k->prev) || fabs(d) < 1e-9)
		return utf8 ? "\xe2\x86\x92" : "="; /* → */
	if (d > 0)
		return utf8 ? "\xe2\x86\x91" : "^"; /* ↑ */
	return utf8 ? "\xe2\x86\x93" : "v";	    /* ↓ */
}

static void
tiles_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct tiles *t = self;
	struct sr_tui_view *v = t->v;
	int W = getmaxx(win), H = getmaxy(win), rows = H / 3, per;
	int focused = v->focus == SR_PANEL_TILES;

	if (v->ntiles == 0 || rows == 0)
		return;
	per = (v->ntiles + rows - 1) / rows;
	if (per * SR_TILE_MIN_W > W)
		per = W / SR_TILE_MIN_W;
	if (per < 1)
		per = 1;
	t->cols = per;
	t->w = W / per;
	for (int i = 0; i < v->ntiles && i < per * rows; i++) {
		const struct sr_snap_kpi *k = &s->kpi[v->tiles[i]];
		struct sr_snap_kpi rk;
		int x = (i % per) * t->w, y = (i / per) * 3, w = t->w - 1;
		char val[32], val2[32];
		double hist[SR_SNAP_HIST], lo = 0, hi = 0;
		struct sr_buf b;
		attr_t la = v->attr[SR_ROLE_DIM];
		int lw, vw;

		if (v->host[0] != '\0') {
			(void)tiles_remote(s, v->host, k, &rk);
			k = &rk;
		}
		if (focused && i == v->kpi_sel)
			la = v->attr[SR_ROLE_SELECT];
		else if (i == v->kpi_sel)
			la = v->attr[SR_ROLE_NORMAL] | A_BOLD;
		/* label, then its trend arrow right after it */
		lw = sr_tui_putf(win, y, x, w, la, "%s%s%s%s",
		    focused && i == v->kpi_sel ? ">" : "",
		    k->label ? k->label : "?", v->host[0] != '\0' ? "@" : "",
		    v->host);
		if (lw + 2 <= w)
			sr_tui_put(win, y, x + lw + 1, 1, la,
			    tiles_arrow(k, v->glyphs != SR_GLYPH_ASCII), 0);
		if (isnan(k->value) && v->host[0] != '\0')
			snprintf(val, sizeof(val), "-");
		else
			sr_tui_fmt_value(val, sizeof(val), k->value, k->unit);
		vw = sr_tui_put(win, y + 1, x, w,
		    sr_tui_level_attr(v, k->level), val, 0);
		/* the secondary figure only when it fits whole */
		if (k->unit2 != NULL && !isnan(k->value2)) {
			if (strcmp(k->unit2, "per core") == 0)
				snprintf(val2, sizeof(val2), "%.2f/core",
				    k->value2);
			else
				sr_tui_fmt_value(val2, sizeof(val2), k->value2,
				    k->unit2);
			if (vw + 1 + sr_text_width(val2) <= w)
				sr_tui_put(win, y + 1, x + vw + 1, w - vw - 1,
				    v->attr[SR_ROLE_DIM], val2, 0);
		}
		sr_tui_hist(k->hist, k->hist_n, hist);
		sr_spark_range(hist, k->hist_n, &lo, &hi);
		if (!isnan(k->crit) && k->crit > hi && k->crit < hi * 1.5)
			hi = k->crit;
		sr_buf_init(&b);
		/* one column short: two blank columns before the next tile */
		sr_spark(hist, k->hist_n, w - 1, lo, hi,
		    v->glyphs == SR_GLYPH_ASCII ? SR_GLYPH_ASCII
						: SR_GLYPH_BLOCK,
		    &b);
		sr_tui_put(win, y + 2, x, w - 1,
		    sr_tui_level_attr(v, k->level) & ~A_BOLD, b.data, 0);
		sr_buf_release(&b);
	}
}

static enum sr_key_result
tiles_key(void *self, int ch)
{
	struct tiles *t = self;
	struct sr_tui_view *v = t->v;

	if (ch == KEY_LEFT || ch == 'h' || ch == KEY_RIGHT || ch == 'l' ||
	    ch == KEY_HOME || ch == 'g' || ch == KEY_END || ch == 'G')
		v->chart_ins[0] = '\0'; /* a KPI picked: chart it */
	switch (ch) {
	case KEY_LEFT:
	case 'h':
		if (v->kpi_sel > 0)
			v->kpi_sel--;
		return SR_KEY_REDRAW;
	case KEY_RIGHT:
	case 'l':
		if (v->kpi_sel + 1 < v->ntiles)
			v->kpi_sel++;
		return SR_KEY_REDRAW;
	case KEY_HOME:
	case 'g':
		v->kpi_sel = 0;
		return SR_KEY_REDRAW;
	case KEY_END:
	case 'G':
		v->kpi_sel = v->ntiles > 0 ? v->ntiles - 1 : 0;
		return SR_KEY_REDRAW;
	case '\n':
	case KEY_ENTER:
		v->req_focus = SR_PANEL_CHART;
		return SR_KEY_REDRAW;
	default:
		return SR_KEY_IGNORED;
	}
}

static enum sr_key_result
tiles_click(void *self, int y, int x)
{
	struct tiles *t = self;
	int i;

	if (t->w <= 0)
		return SR_KEY_IGNORED;
	i = (y / 3) * t->cols + x / t->w;
	if (i < 0 || i >= t->v->ntiles)
		return SR_KEY_IGNORED;
	t->v->kpi_sel = i;
	t->v->chart_ins[0] = '\0';
	return SR_KEY_REDRAW;
}

const struct sr_panel_ops sr_tiles_panel = {
	.name = "tiles",
	.id = SR_PANEL_TILES,
	.create = tiles_create,
	.destroy = tiles_destroy,
	.draw = tiles_draw,
	.key = tiles_key,
	.click = tiles_click,
};
