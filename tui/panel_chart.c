/* SPDX-License-Identifier: MIT */
/*
 * panel_chart: a larger chart of the KPI picked in the tiles panel, in
 * block cells (braille with `b`, '#' in ASCII), with a y-axis scale and
 * time labels.  Windows 1 min and 5 min come from the snapshot's
 * per-tick history; 1 h and 24 h from the store's rollups of the
 * "kpi.<id>" samples: the panel asks for them (runtime/hreq.h) and the
 * screen answers between draws, again at most every 10 s (or when the
 * KPI, window or width changes).
 *
 * After a drill-down (`e` on an insight) it shows that insight's metric
 * instead, from the snapshot's per-tick history: the series its rule
 * declares (struct sr_rule_chart: a service's 5xx %, p95 latency or
 * req/s, or a host KPI), until a KPI is picked again (left/right, a
 * tile) or Esc.
 */
#include "tui/tui.h"

#include "core/insight.h"
#include "runtime/hreq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_REQUERY_MS 10000

struct chart {
	struct sr_tui_view *v;
	struct sr_hreq_slot *hist; /* the long window, from the store */
};

static void *
chart_create(const struct sr_tui_cfg *cfg)
{
	struct chart *c = sr_xcalloc(1, sizeof(*c));

	c->v = cfg->view;
	c->hist = sr_hreq_slot_new(cfg->view->hreq);
	return c;
}

static void
chart_destroy(void *self)
{
	free(self); /* the slot goes with its set */
}

/* What the chart plots: a KPI's history or an insight's metric. */
struct chart_src {
	const float *hist;
	int hist_n;
	double scale;
	const char *unit;
	int level;
	char label[160];
};

/*
 * The metric of insight v->chart_ins in s into src, as its rule declares
 * (core/insight.h, struct sr_rule_chart); 0, or -1 when the chart should
 * show the picked KPI (no such insight, or nothing of it to chart).
 */
static int
chart_insight(const struct sr_tui_view *v, const struct sr_snapshot *s,
    struct chart_src *src)
{
	const struct sr_snap_insight *in;
	const struct sr_snap_service *svc;
	const struct sr_rule_chart *rc;

	if (v->chart_ins[0] == '\0' ||
	    (in = sr_snapshot_insight(s, v->chart_ins)) == NULL)
		return -1;
	src->level = in->severity == SR_SEV_CRIT ? 2
	    : in->severity == SR_SEV_WARN	 ? 1
						 : 0;
	rc = sr_rule_chart_of(in->rule);
	if (rc->series == SR_RULE_SERIES_KPI) {
		const struct sr_snap_kpi *k = &s->kpi[rc->kpi];

		src->hist = k->hist;
		src->hist_n = k->hist_n;
		src->unit = rc->unit != NULL ? rc->unit : k->unit;
		snprintf(src->label, sizeof(src->label), "%s",
		    k->label ? k->label : "?");
	} else if ((svc = sr_snapshot_service(s, in->subject)) != NULL) {
		src->hist_n = svc->hist_n;
		src->hist = rc->series == SR_RULE_SERIES_5XX ? svc->hist_err
		    : rc->series == SR_RULE_SERIES_P95	     ? svc->hist_p95
							     : svc->hist_rps;
		src->unit = rc->unit;
		snprintf(src->label, sizeof(src->label), "%s %s",
		    rc->label != NULL ? rc->label : "", svc->name);
	} else {
		return -1;
	}
	src->scale = rc->scale > 0 ? rc->scale : 1;
	snprintf(src->label + strlen(src->label),
	    sizeof(src->label) - strlen(src->label), " (insight %s; Esc: back)",
	    in->id);
	return 0;
}

static void
chart_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct chart *c = self;
	struct sr_tui_view *v = c->v;
	int W = getmaxx(win), H = getmaxy(win), axis = 8, cw, ch, kpi, n;
	int per = v->braille && v->glyphs != SR_GLYPH_ASCII ? 2 : 1;
	const struct sr_snap_kpi *k;
	double buf[SR_SNAP_HIST], hi = 0;
	const double *data;
	char title[192], lab[32], extra[64];
	struct sr_buf *rows;
	enum sr_glyphs g;
	int64_t win_ms = sr_tui_window_ms(v->window);
	const char *note = "";
	struct chart_src src;
	int ins;
	double *wide = NULL; /* the stretched data, or NULL */
	int64_t span_s = -1; /* the axis's span when not the window's */

	if (v->ntiles == 0)
		return;
	kpi = v->tiles[v->kpi_sel < v->ntiles ? v->kpi_sel : 0];
	k = &s->kpi[kpi];
	src = (struct chart_src){ .hist = k->hist,
		.hist_n = k->hist_n,
		.scale = 1,
		.unit = k->unit,
		.level = k->level };
	snprintf(src.label, sizeof(src.label), "%s", k->label ? k->label : "?");
	ins = chart_insight(v, s, &src) == 0;
	ch = H - 2; /* title row, time-label row */
	if (ch < 1)
		ch = H - 1;
	cw = W - axis;
	if (cw < 4) {
		axis = 0;
		cw = W;
	}
	if (v->window <= SR_TUI_WIN_5M || !sr_hreq_available(v->hreq) || ins) {
		int64_t iv = v->interval_ms > 0 ? v->interval_ms : 1000;

		sr_hreq_drop(c->hist);
		n = (int)(win_ms / iv);
		if (n > src.hist_n)
			n = src.hist_n;
		sr_tui_hist(src.hist + (src.hist_n - n), n, buf);
		for (int i = 0; i < n; i++)
			buf[i] *= src.scale;
		data = buf;
		/*
		 * Fewer ticks than the window holds (the first minutes):
		 * the axis spans the data, spread over the full width.
		 */
		if (n >= 2 && (int64_t)n * iv < win_ms && n < cw * per) {
			int skip = 0; /* ticks before the first value */

			while (skip < n - 2 && isnan(buf[skip]))
				skip++;
			n -= skip;
			wide = sr_xcalloc((size_t)(cw * per), sizeof(*wide));
			sr_stretch(buf + skip, n, wide, cw * per);
			data = wide;
			span_s = (int64_t)(n - 1) * iv / 1000;
			n = cw * per;
		} else if (n > cw * per) {
			/* more ticks than columns: each column their mean */
			wide = sr_xcalloc((size_t)(cw * per), sizeof(*wide));
			sr_shrink(buf, n, wide, cw * per);
			data = wide;
			n = cw * per;
		}
		if (ins && v->window > SR_TUI_WIN_5M)
			note = " (last 300 ticks)";
		else if (v->window > SR_TUI_WIN_5M)
			note = " (no history: in-memory database)";
	} else {
		/* asked here, answered by the screen between draws */
		int w = cw * per;
		int64_t step = win_ms / w > 0 ? win_ms / w : 1;
		char name[64];

		snprintf(name, sizeof(name), "kpi.%s", k->id ? k->id : "");
		sr_hreq_want_series(c->hist, name, s->now_ms, step, w,
		    CHART_REQUERY_MS);
		static const double none[1] = { NAN };

		if ((data = sr_hreq_points(c->hist, &n)) == NULL)
			data = none; /* n is 0 */
		if (sr_hreq_state(c->hist) == SR_HREQ_FAILED)
			note = " (history query failed)";
		else if (sr_hreq_state(c->hist) == SR_HREQ_PENDING)
			note = " (loading)";
	}
	for (int i = 0; i < n; i++)
		if (!isnan(data[i]) && data[i] > hi)
			hi = data[i];
	if (src.unit != NULL && strcmp(src.unit, "%") == 0 && hi > 50)
		hi = 100;
	hi = sr_nice_ceil(hi);
	snprintf(title, sizeof(title), "Chart: %s", src.label);
	snprintf(extra, sizeof(extra), "[%s] 1-4 window  b braille%s",
	    sr_tui_window_name(v->window), note);
	sr_tui_title(win, v, title, extra, v->focus == SR_PANEL_CHART);
	if (ch < 1) {
		free(wide);
		return;
	}
	g = v->glyphs == SR_GLYPH_ASCII ? SR_GLYPH_ASCII
	    : v->braille		? SR_GLYPH_BRAILLE
					: SR_GLYPH_BLOCK;
	rows = sr_xcalloc((size_t)ch, sizeof(*rows));
	for (int r = 0; r < ch; r++)
		sr_buf_init(&rows[r]);
	sr_chart(data, n, cw, ch, 0, hi > 0 ? hi : 1, g, rows);
	for (int r = 0; r < ch; r++) {
		sr_tui_put(win, 1 + r, axis, cw,
		    sr_tui_level_attr(v, src.level) & ~A_BOLD, rows[r].data, 0);
		sr_buf_release(&rows[r]);
	}
	free(rows);
	if (axis > 0) {
		sr_tui_fmt_value(lab, sizeof(lab), hi, src.unit);
		sr_tui_put(win, 1, 0, axis - 1, v->attr[SR_ROLE_DIM], lab, 1);
		if (ch >= 3) {
			sr_tui_fmt_value(lab, sizeof(lab), hi / 2, src.unit);
			sr_tui_put(win, 1 + ch / 2, 0, axis - 1,
			    v->attr[SR_ROLE_DIM], lab, 1);
		}
		if (ch >= 2)
			sr_tui_put(win, ch, 0, axis - 1, v->attr[SR_ROLE_DIM],
			    "0", 1);
	}
	if (H - 2 >= 1) {
		if (span_s >= 0)
			sr_tui_putf(win, H - 1, axis, cw / 2,
			    v->attr[SR_ROLE_DIM], "-%s",
			    sr_fmt_duration(lab, sizeof(lab), span_s));
		else
			sr_tui_putf(win, H - 1, axis, cw / 2,
			    v->attr[SR_ROLE_DIM], "-%s",
			    sr_tui_window_name(v->window));
		sr_tui_put(win, H - 1, axis + cw / 2, cw - cw / 2,
		    v->attr[SR_ROLE_DIM], "now", 1);
	}
	free(wide);
}

static enum sr_key_result
chart_key(void *self, int ch)
{
	struct chart *c = self;

	if (ch == KEY_LEFT || ch == 'h' || ch == KEY_RIGHT || ch == 'l' ||
	    (ch == 27 && c->v->chart_ins[0] != '\0')) {
		c->v->chart_ins[0] = '\0'; /* back to the KPIs */
		if (ch == 27)
			return SR_KEY_REDRAW;
	}
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
	.slot = { [SR_LAYOUT_FULL] = { .order = 10,
		      .min_h = 7,
		      .weight = 2,
		      .rank = 8 },
	    [SR_LAYOUT_SYSTEM] = { .order = 10,
		.min_h = 6,
		.weight = 2,
		.rank = 6 } },
	.help = { "b              chart in braille / blocks" },
	.create = chart_create,
	.destroy = chart_destroy,
	.draw = chart_draw,
	.key = chart_key,
};
