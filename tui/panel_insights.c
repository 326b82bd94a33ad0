/* SPDX-License-Identifier: MIT */
/*
 * panel_insights: firing and pending insights, critical first, then
 * warnings, then info (two info rows at most unless `i`), each with a
 * colour AND a text marker ([CRIT] [WARN] [info]), confidence and age,
 * its title wrapped at words on two rows when one is too short;
 * `r` also shows resolved ones.  Enter opens the detail overlay
 * (description, numbers, recommendation, history); `e` drills down to
 * the event log filtered to the insight's service and time window.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct insights {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int show_resolved;
	int all_info; /* i: every info row, no cap */
	int want;     /* 1 detail, 2 drill */
};

static void *
insights_create(const struct sr_tui_cfg *cfg)
{
	struct insights *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	return p;
}

static void
insights_destroy(void *self)
{
	free(self);
}

static int
ins_shown(const struct insights *p, const struct sr_snap_insight *in)
{
	return p->show_resolved || in->state != SR_INS_RESOLVED;
}

void
sr_insight_drill(struct sr_tui_view *v, const struct sr_snapshot *snap,
    const struct sr_snap_insight *ins)
{
	struct sr_buf q;

	sr_buf_init(&q);
	if (ins->subject != NULL &&
	    sr_snapshot_service(snap, ins->subject) != NULL) {
		sr_buf_adds(&q, "service=");
		sr_query_quote(&q, ins->subject);
	}
	/* the window the rule looked at, up to the last time it held */
	sr_tui_drill(v, q.len ? q.data : "", ins->first_seen_ms - 60000,
	    ins->state == SR_INS_RESOLVED ? ins->last_seen_ms + 60000 : 0, "");
	sr_buf_release(&q);
	snprintf(v->chart_ins, sizeof(v->chart_ins), "%s", ins->id);
	snprintf(v->flash, sizeof(v->flash), "events of %s since %s", ins->id,
	    "first seen; the chart shows its metric (Esc clears)");
}

/*
 * The list's order: critical, then warning, then info; within one
 * severity firing before pending, the newest first; resolved ones last.
 * Ties keep the snapshot's order (the pointers are into one array).
 */
static int
ins_cmp(const void *pa, const void *pb)
{
	const struct sr_snap_insight *a =
	    *(const struct sr_snap_insight *const *)pa;
	const struct sr_snap_insight *b =
	    *(const struct sr_snap_insight *const *)pb;
	int ra = a->state == SR_INS_RESOLVED, rb = b->state == SR_INS_RESOLVED;

	if (ra != rb)
		return ra - rb;
	if (a->severity != b->severity)
		return (int)b->severity - (int)a->severity;
	if ((a->state == SR_INS_FIRING) != (b->state == SR_INS_FIRING))
		return a->state == SR_INS_FIRING ? -1 : 1;
	if (a->since_ms != b->since_ms)
		return a->since_ms > b->since_ms ? -1 : 1;
	return (a > b) - (a < b);
}

/* Info rows past this many are folded into one line (i shows them). */
#define INS_INFO_CAP 2

/* One insight's rows from y: marker, state, title wrapped at words. */
static int
ins_draw_row(struct insights *p, WINDOW *win, const struct sr_snapshot *s,
    const struct sr_snap_insight *in, int y, int rows, int sel)
{
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), x = 0, tw;
	char age[24], conf[16];
	attr_t a = sel ? v->attr[SR_ROLE_SELECT] : v->attr[SR_ROLE_NORMAL];
	attr_t ma = in->state == SR_INS_RESOLVED
	    ? v->attr[SR_ROLE_DIM]
	    : sr_tui_sev_attr(v, in->severity);

	for (int r = 0; sel && r < rows; r++)
		sr_tui_fill(win, y + r, 0, a);
	x += sr_tui_put(win, y, x, 6, sel ? a | A_BOLD : ma,
		 sr_tui_sev_marker(in->severity), 0) +
	    1;
	sr_fmt_duration(age, sizeof(age), (s->now_ms - in->since_ms) / 1000);
	snprintf(conf, sizeof(conf), "%3.0f%%",
	    isnan(in->confidence) ? 0 : in->confidence * 100);
	if (in->state != SR_INS_FIRING)
		x += sr_tui_put(win, y, x, 9, sel ? a : v->attr[SR_ROLE_DIM],
			 in->state == SR_INS_PENDING ? "pending" : "resolved",
			 0) +
		    1;
	tw = W - x - 16;
	sr_tui_wrap(win, y, x, tw, rows, a, in->title);
	sr_tui_put(win, y, W - 15, 5, sel ? a : v->attr[SR_ROLE_DIM], conf, 1);
	sr_tui_put(win, y, W - 9, 8, sel ? a : v->attr[SR_ROLE_DIM], age, 1);
	return rows;
}

/* The rows insight in takes: two when its title does not fit in one. */
static int
ins_rows(const struct sr_tui_view *v, int W, const struct sr_snap_insight *in)
{
	int x = 7 + (in->state != SR_INS_FIRING ? 10 : 0);

	(void)v;
	return sr_text_width(in->title) > W - x - 16 ? 2 : 1;
}

static void
insights_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct insights *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), page = H - 1, n = 0, row;
	int ninfo = 0, folded = 0;
	const struct sr_snap_insight **shown;
	char extra[96];
	int focused = v->focus == SR_PANEL_INSIGHTS;

	shown = s->n_insights > 0 ? sr_xcalloc(s->n_insights, sizeof(*shown))
				  : NULL;
	for (size_t i = 0; i < s->n_insights; i++)
		if (ins_shown(p, &s->insights[i]))
			shown[n++] = &s->insights[i];
	if (n > 1)
		qsort(shown, (size_t)n, sizeof(*shown), ins_cmp);
	/* live info rows beyond the cap give way to warnings */
	if (!p->all_info) {
		int k = 0;

		for (int i = 0; i < n; i++) {
			if (shown[i]->state != SR_INS_RESOLVED &&
			    shown[i]->severity == SR_SEV_INFO &&
			    ++ninfo > INS_INFO_CAP) {
				folded++;
				continue;
			}
			shown[k++] = shown[i];
		}
		n = k;
	}
	if (folded > 0 && page > 1)
		page--; /* the line that says how many are folded */
	sr_tui_list_fit(&p->list, n, page);
	if (p->want != 0 && n > 0) {
		const struct sr_snap_insight *in = shown[p->list.sel];

		if (p->want == 1)
			snprintf(v->req_detail, sizeof(v->req_detail), "%s",
			    in->id);
		else
			sr_insight_drill(v, s, in);
	}
	p->want = 0;
	snprintf(extra, sizeof(extra),
	    "%zu firing %zu pending  r %s  "
	    "Enter detail  e events",
	    s->n_firing, s->n_pending,
	    p->show_resolved ? "hide resolved" : "show resolved");
	sr_tui_title(win, v, "Insights", extra, focused);
	if (n == 0 && folded == 0)
		sr_tui_put(win, 1, 1, W - 1, v->attr[SR_ROLE_OK],
		    "all clear: no insight firing", 0);
	/* keep the selected one on screen when some take two rows */
	for (;;) {
		int used = 0, last = p->list.top;

		for (int i = p->list.top; i < n; i++) {
			int r = ins_rows(v, W, shown[i]);

			if (used + r > page && used > 0)
				break;
			used += r;
			last = i;
		}
		if (p->list.sel <= last || p->list.top >= p->list.sel)
			break;
		p->list.top++;
	}
	row = 0;
	for (int i = p->list.top; i < n && row < page; i++) {
		int r = ins_rows(v, W, shown[i]);

		if (row + r > page)
			r = page - row;
		row += ins_draw_row(p, win, s, shown[i], 1 + row, r,
		    i == p->list.sel && focused);
	}
	if (folded > 0)
		sr_tui_putf(win, H - 1, 1, W - 1, v->attr[SR_ROLE_DIM],
		    "+%d more info insight%s (i shows them)", folded,
		    folded == 1 ? "" : "s");
	free(shown);
}

static enum sr_key_result
insights_key(void *self, int ch)
{
	struct insights *p = self;

	switch (ch) {
	case 'r':
		p->show_resolved = !p->show_resolved;
		return SR_KEY_REDRAW;
	case 'i':
		p->all_info = !p->all_info;
		return SR_KEY_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		p->want = 1;
		return SR_KEY_REDRAW;
	case 'e':
		p->want = 2;
		return SR_KEY_REDRAW;
	default:
		return sr_tui_list_key(&p->list, ch);
	}
}

static enum sr_key_result
insights_click(void *self, int y, int x)
{
	struct insights *p = self;

	(void)x;
	if (y < 1)
		return SR_KEY_IGNORED;
	p->list.sel = p->list.top + y - 1;
	sr_tui_list_fit(&p->list, p->list.n, p->list.page);
	return SR_KEY_REDRAW;
}

static const char *
num(char *buf, size_t n, double v)
{
	if (isnan(v))
		return "-";
	snprintf(buf, n, "%.4g", v);
	return buf;
}

void
sr_insight_detail_draw(WINDOW *win, struct sr_tui_view *v,
    const struct sr_snapshot *s, const char *id)
{
	const struct sr_snap_insight *in = sr_snapshot_insight(s, id);
	int W = getmaxx(win), H = getmaxy(win), y = 1;
	char t1[32], t2[32], a[24], b[24], c[24];

	werase(win);
	box(win, 0, 0);
	if (in == NULL) {
		sr_tui_put(win, 1, 2, W - 4, v->attr[SR_ROLE_DIM],
		    "this insight is no longer in the snapshot (Esc)", 0);
		return;
	}
	sr_tui_putf(win, 0, 2, W - 4, sr_tui_sev_attr(v, in->severity) | A_BOLD,
	    " %s %s ", sr_tui_sev_marker(in->severity), in->title);
	sr_tui_putf(win, y++, 2, W - 4, v->attr[SR_ROLE_DIM],
	    "%s  rule %s  subject %s  %s  confidence %.0f%%  fired %llu "
	    "time(s)",
	    sr_insight_state_name(in->state), in->rule, in->subject,
	    sr_category_name(in->category),
	    isnan(in->confidence) ? 0 : in->confidence * 100,
	    (unsigned long long)in->count);
	sr_tui_putf(win, y++, 2, W - 4, v->attr[SR_ROLE_DIM],
	    "first seen %s  in state since %s",
	    sr_tui_fmt_clock(t1, sizeof(t1), in->first_seen_ms, 1),
	    sr_tui_fmt_clock(t2, sizeof(t2), in->since_ms, 1));
	sr_tui_putf(win, y++, 2, W - 4, v->attr[SR_ROLE_VALUE],
	    "value %s  threshold %s  baseline %s", num(a, sizeof(a), in->value),
	    num(b, sizeof(b), in->threshold), num(c, sizeof(c), in->baseline));
	y++;
	y += sr_tui_wrap(win, y, 2, W - 4, H - y - 8 > 2 ? H - y - 8 : 2,
	    v->attr[SR_ROLE_NORMAL], in->description);
	y++;
	sr_tui_put(win, y++, 2, W - 4, v->attr[SR_ROLE_INFO] | A_BOLD,
	    "Recommendation", 0);
	y += sr_tui_wrap(win, y, 2, W - 4, 3, v->attr[SR_ROLE_NORMAL],
	    in->recommendation);
	y++;
	sr_tui_put(win, y++, 2, W - 4, v->attr[SR_ROLE_INFO] | A_BOLD,
	    "History", 0);
	for (size_t i = in->n_history; i > 0 && y < H - 2; i--) {
		const struct sr_snap_transition *tr = &in->history[i - 1];

		sr_tui_putf(win, y++, 2, W - 4, v->attr[SR_ROLE_NORMAL],
		    "%s  %-8s %-6s value %s",
		    sr_tui_fmt_clock(t1, sizeof(t1), tr->ts_ms, 1),
		    sr_insight_state_name(tr->state),
		    sr_tui_sev_marker(tr->severity),
		    num(a, sizeof(a), tr->value));
	}
	sr_tui_put(win, H - 1, 2, W - 4, v->attr[SR_ROLE_DIM],
	    " Esc close  e events of this insight ", 0);
}

const struct sr_panel_ops sr_insights_panel = {
	.name = "insights",
	.id = SR_PANEL_INSIGHTS,
	/* beside the services on a wide screen, below them otherwise */
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
		.pair_min_h = 5 } },
	.help = { "e              events of the selected insight (drill-down)",
	    "r              show / hide resolved insights",
	    "i              insights: all info rows / only the first two" },
	.create = insights_create,
	.destroy = insights_destroy,
	.draw = insights_draw,
	.key = insights_key,
	.click = insights_click,
};
