/* SPDX-License-Identifier: MIT */
/*
 * panel_errors: the top error patterns of the snapshot (errors grouped
 * by normalised template), most in the last hour first: count in the
 * last hour and since start, first and last seen, the services that
 * logged it and the template.  Enter filters the event log to the
 * pattern's template (is:error template=T, every service, all stored
 * history), and the log counts the stored matches by service.
 */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct errors {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int want; /* Enter pressed */
};

static void *
errors_create(const struct sr_tui_cfg *cfg)
{
	struct errors *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	return p;
}

static void
errors_destroy(void *self)
{
	free(self);
}

/* Most in the last hour first, then the newest, then by template. */
static int
err_before(const struct sr_snap_error *a, const struct sr_snap_error *b)
{
	if (a->count_1h != b->count_1h)
		return a->count_1h > b->count_1h;
	if (a->last_seen_ms != b->last_seen_ms)
		return a->last_seen_ms > b->last_seen_ms;
	return strcmp(a->template, b->template) < 0;
}

/*
 * The services of e joined with ',' in at most w cells; those that do
 * not fit are counted: "webui,litellm +2".
 */
static const char *
err_services(char *buf, size_t n, const struct sr_snap_error *e, int w)
{
	size_t len = 0;

	buf[0] = '\0';
	if (e->n_services == 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	for (size_t i = 0; i < e->n_services; i++) {
		size_t left = e->n_services - i - 1;
		int need = (int)len + (i ? 1 : 0) +
		    sr_text_width(e->services[i]) + (left ? 3 : 0);
		int k;

		if (i > 0 && need > w) {
			snprintf(buf + len, n - len, " +%zu",
			    e->n_services - i);
			break;
		}
		k = snprintf(buf + len, n - len, "%s%s", i ? "," : "",
		    e->services[i]);
		if (k < 0 || (size_t)k >= n - len)
			break;
		len += (size_t)k;
	}
	return buf;
}

/*
 * Point the event log at error pattern e: its template, errors only,
 * every service, all stored history (the log counts them by service).
 */
static void
err_drill(struct sr_tui_view *v, const struct sr_snap_error *e)
{
	struct sr_buf q;
	char flash[256];

	sr_buf_init(&q);
	/* is:error first: SQL tests the flag before making templates */
	sr_buf_adds(&q, "is:error template=");
	sr_query_quote(&q, e->template);
	snprintf(flash, sizeof(flash),
	    "events of error pattern: %.200s (Esc in the event log clears)",
	    e->template);
	sr_tui_drill(v, q.data, 0, 0, flash);
	sr_buf_release(&q);
}

static void
errors_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct errors *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), page = H - 2, n = 0;
	int focused = v->focus == SR_PANEL_ERRORS, svc_w;
	const struct sr_snap_error **rows;
	char extra[64], c1[16], c2[16], f[16], l[16], svcs[256];

	rows = s->n_errors > 0 ? sr_xcalloc(s->n_errors, sizeof(*rows)) : NULL;
	for (size_t i = 0; i < s->n_errors; i++) {
		int j = n++;

		rows[j] = &s->errors[i];
		for (; j > 0 && err_before(rows[j], rows[j - 1]); j--) {
			const struct sr_snap_error *t = rows[j];

			rows[j] = rows[j - 1];
			rows[j - 1] = t;
		}
	}
	sr_tui_list_fit(&p->list, n, page);
	if (p->want && n > 0)
		err_drill(v, rows[p->list.sel]);
	p->want = 0;
	snprintf(extra, sizeof(extra), "%d pattern%s  Enter events", n,
	    n == 1 ? "" : "s");
	sr_tui_title(win, v, "Errors", extra, focused);
	if (n == 0) {
		sr_tui_put(win, 1, 1, W - 1, v->attr[SR_ROLE_OK],
		    "no errors logged", 0);
		free(rows);
		return;
	}
	/* count 1h, total, first seen, last seen, services, template */
	svc_w = W >= 100 ? 20 : 12;
	sr_tui_putf(win, 1, 0, W, v->attr[SR_ROLE_DIM],
	    "%6s %7s %-8s %-8s %-*s %s", "1h", "total", "first", "last", svc_w,
	    "services", "template");
	for (int row = 0; row < page && p->list.top + row < n; row++) {
		const struct sr_snap_error *e = rows[p->list.top + row];
		int y = 2 + row, x = 0,
		    sel = p->list.top + row == p->list.sel && focused;
		attr_t a =
		    sel ? v->attr[SR_ROLE_SELECT] : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, y, 0, a);
		x += sr_tui_put(win, y, x, 6,
			 sel		       ? a
			     : e->count_1h > 0 ? v->attr[SR_ROLE_CRIT]
					       : v->attr[SR_ROLE_DIM],
			 sr_fmt_si(c1, sizeof(c1), (double)e->count_1h), 1) +
		    1;
		x += sr_tui_put(win, y, x, 7, a,
			 sr_fmt_si(c2, sizeof(c2), (double)e->count), 1) +
		    1;
		x += sr_tui_put(win, y, x, 8, sel ? a : v->attr[SR_ROLE_DIM],
			 sr_tui_fmt_clock(f, sizeof(f), e->first_seen_ms, 0),
			 0) +
		    1;
		x +=
		    sr_tui_put(win, y, x, 8, a,
			sr_tui_fmt_clock(l, sizeof(l), e->last_seen_ms, 0), 0) +
		    1;
		sr_tui_put(win, y, x, svc_w, sel ? a : v->attr[SR_ROLE_INFO],
		    err_services(svcs, sizeof(svcs), e, svc_w), 0);
		x += svc_w + 1;
		if (x < W)
			sr_tui_put(win, y, x, W - x, a, e->template, 0);
	}
	free(rows);
}

static enum sr_key_result
errors_key(void *self, int ch)
{
	struct errors *p = self;

	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'e':
		p->want = 1;
		return SR_KEY_REDRAW;
	default:
		return sr_tui_list_key(&p->list, ch);
	}
}

static enum sr_key_result
errors_click(void *self, int y, int x)
{
	struct errors *p = self;

	(void)x;
	return sr_tui_list_click(&p->list, y);
}

const struct sr_panel_ops sr_errors_panel = {
	.name = "errors",
	.id = SR_PANEL_ERRORS,
	.slot = { [SR_LAYOUT_FULL] = { .order = 50,
		      .min_h = 4,
		      .weight = 1,
		      .rank = 7 } },
	.help = { "Enter          errors: events of the pattern, every "
		  "service, counted from the store" },
	.create = errors_create,
	.destroy = errors_destroy,
	.draw = errors_draw,
	.key = errors_key,
	.click = errors_click,
};
