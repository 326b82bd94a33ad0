/* SPDX-License-Identifier: MIT */
/*
 * panel_events: the recent events of the snapshot, newest at the
 * bottom, following live until scrolled up (G follows again).  Status
 * is coloured; `/` (handled by the screen) sets a filter shown in the
 * title; Esc clears it.
 */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>

struct events {
	struct sr_tui_view	*v;
	int			 back;		/* rows scrolled up from newest */
	int			 page;
	int			 n;		/* matching rows at last draw */
};

static void *
events_create(const struct sr_tui_cfg *cfg)
{
	struct events *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	return p;
}

static void
events_destroy(void *self)
{
	free(self);
}

static void
events_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct events *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), page = H - 1, n = 0, y;
	size_t *idx;
	char extra[320], t[16], lat[16], from[32];

	idx = s->n_events > 0 ? sr_xcalloc(s->n_events, sizeof(*idx)) : NULL;
	for (size_t i = 0; i < s->n_events; i++)
		if (sr_evfilter_match(&v->filter, &s->events[i].ev))
			idx[n++] = i;
	p->n = n;
	p->page = page;
	if (p->back > n - page)
		p->back = n - page;
	if (p->back < 0)
		p->back = 0;
	if (sr_evfilter_empty(&v->filter))
		snprintf(extra, sizeof(extra), "%d shown  / filter  %s", n,
		    p->back ? "G follow" : "following");
	else
		snprintf(extra, sizeof(extra), "filter: %s%s%s  %d match  "
		    "Esc clear", v->filter.src ? v->filter.src : "",
		    v->filter.from_ms ? " since " : "", v->filter.from_ms ?
		    sr_tui_fmt_clock(from, sizeof(from), v->filter.from_ms,
		    0) : "", n);
	sr_tui_title(win, v, "Events", extra, v->focus == SR_PANEL_EVENTS);
	if (n == 0) {
		sr_tui_put(win, 1, 1, W - 1, v->attr[SR_ROLE_DIM],
		    s->n_events == 0 ? "no events yet" :
		    "no event matches the filter", 0);
		free(idx);
		return;
	}
	/* bottom row is the newest (minus what was scrolled back) */
	y = H - 1;
	for (int k = n - 1 - p->back; k >= 0 && y >= 1; k--, y--) {
		const struct sr_event *e = &s->events[idx[k]].ev;
		int x = 0;

		x += sr_tui_put(win, y, x, 8, v->attr[SR_ROLE_DIM],
		    sr_tui_fmt_clock(t, sizeof(t), e->ts_ms, 0), 0) + 1;
		x += sr_tui_put(win, y, x, 14, v->attr[SR_ROLE_INFO],
		    e->service ? e->service : "-", 0);
		x = 24;
		if (e->has & SR_EV_HAS_STATUS)
			sr_tui_putf(win, y, x, 3, sr_tui_status_attr(v,
			    e->status_code) | A_BOLD, "%3d", e->status_code);
		else
			sr_tui_put(win, y, x, 3, v->attr[SR_ROLE_DIM],
			    (e->has & SR_EV_IS_ERROR) ? "ERR" : "  -", 0);
		x += 4;
		if (e->has & SR_EV_HAS_LATENCY)
			sr_fmt_ms(lat, sizeof(lat), e->response_time_ms);
		else
			snprintf(lat, sizeof(lat), "-");
		sr_tui_put(win, y, x, 8, v->attr[SR_ROLE_NORMAL], lat, 1);
		x += 9;
		{
			struct sr_buf b;

			sr_buf_init(&b);
			sr_buf_addf(&b, "%s", e->endpoint ? e->endpoint :
			    e->event_type ? e->event_type : "");
			if (e->user_id)
				sr_buf_addf(&b, "  user=%s", e->user_id);
			if (e->model)
				sr_buf_addf(&b, "  model=%s", e->model);
			if (e->message)
				sr_buf_addf(&b, "  %s", e->message);
			sr_tui_put(win, y, x, W - x, (e->has &
			    SR_EV_IS_ERROR) || e->status_code >= 500 ?
			    v->attr[SR_ROLE_CRIT] : v->attr[SR_ROLE_NORMAL],
			    b.data, 0);
			sr_buf_release(&b);
		}
	}
	free(idx);
}

static enum sr_key_result
events_key(void *self, int ch)
{
	struct events *p = self;

	switch (ch) {
	case KEY_UP:
	case 'k':
		p->back++;
		break;
	case KEY_DOWN:
	case 'j':
		p->back--;
		break;
	case KEY_PPAGE:
		p->back += p->page;
		break;
	case KEY_NPAGE:
		p->back -= p->page;
		break;
	case KEY_HOME:
	case 'g':
		p->back = p->n;
		break;
	case KEY_END:
	case 'G':
		p->back = 0;
		break;
	case 27:	/* Esc: clear the filter (and a drill-down chart) */
		if (sr_evfilter_empty(&p->v->filter))
			return SR_KEY_IGNORED;
		sr_evfilter_release(&p->v->filter);
		p->v->chart_ins[0] = '\0';
		break;
	default:
		return SR_KEY_IGNORED;
	}
	if (p->back < 0)
		p->back = 0;
	return SR_KEY_REDRAW;
}

const struct sr_panel_ops sr_events_panel = {
	.name = "events",
	.id = SR_PANEL_EVENTS,
	.create = events_create,
	.destroy = events_destroy,
	.draw = events_draw,
	.key = events_key,
};
