/* SPDX-License-Identifier: MIT */
/*
 * panel_services: one row per service over the chosen window: req/s,
 * 4xx %, 5xx %, p50/p95/p99 latency and a sparkline of req/s.  `s`
 * cycles the sort column, Enter lists that service's endpoints with the
 * same columns, Esc goes back.  `e` drills down: the event log filtered
 * to the selected service (or endpoint), with the stored events counted
 * by endpoint above it.
 *
 * The 1 min, 5 min and 1 h windows come from the snapshot.  The 24 h
 * window comes from the store (core/summary.h over the last 24 h): the
 * panel asks for it (runtime/hreq.h) and the screen answers between
 * draws, again only when the moment shown moved SUM_REFRESH_MS or more,
 * never on every tick; the title says which window the numbers cover
 * and where they come from.
 */
#include "tui/tui.h"

#include <math.h>

#include "core/summary.h"
#include "runtime/hreq.h"

#define SUM_REFRESH_MS 15000 /* 24 h figures at most this often */
#define SUM_DAY_MS (24 * 3600 * 1000LL)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum svc_col {
	COL_NAME,
	COL_REQ,
	COL_RPS,
	COL_4XX,
	COL_5XX,
	COL_P50,
	COL_P95,
	COL_P99,
	COL__COUNT
};

static const char *const col_names[COL__COUNT] = {
	"name",
	"reqs",
	"req/s",
	"4xx%",
	"5xx%",
	"p50",
	"p95",
	"p99",
};

struct services {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int sort;
	char open[128]; /* service whose endpoints */
	struct sr_tui_list elist;
	int want_open;	/* Enter pressed */
	int want_drill; /* e pressed */
	/* the 24 h window (or a host's endpoints), from the store */
	struct sr_hreq_slot *slot;
	const struct sr_summary *sum; /* the slot's answer, or NULL */
	uint64_t sum_answer;	      /* sr_hreq_answers() of sum_win */
	struct sr_snap_win *sum_win;  /* per service, then endpoints */
};

static void *
services_create(const struct sr_tui_cfg *cfg)
{
	struct services *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	p->sort = COL_RPS;
	p->slot = sr_hreq_slot_new(cfg->view->hreq);
	return p;
}

static void
services_destroy(void *self)
{
	struct services *p = self;

	free(p->sum_win); /* the slot goes with its set */
	free(p);
}

/* A summary service or endpoint as a window row (unknowns NAN). */
static struct sr_snap_win
sum_win(int64_t requests, int64_t n4, int64_t n5,
    const struct sr_summary_dist *lat, double p95, int64_t len_ms)
{
	struct sr_snap_win w = {
		.requests = (uint64_t)requests,
		.req_per_s = (double)requests / ((double)len_ms / 1000.0),
		.n_4xx = n4 < 0 ? 0 : (uint64_t)n4,
		.n_5xx = (uint64_t)n5,
		.rate_4xx = n4 < 0 || requests == 0
		    ? NAN
		    : (double)n4 / (double)requests,
		.rate_5xx = requests == 0 ? NAN : (double)n5 / (double)requests,
		.p50 = lat != NULL ? lat->p50 : NAN,
		.p90 = NAN,
		.p95 = lat != NULL ? lat->p95 : p95,
		.p99 = lat != NULL ? lat->p99 : NAN,
		.max = lat != NULL ? lat->max : NAN,
	};

	return w;
}

/*
 * Ask for the len_ms before now_ms (of host when not "") and pick up the
 * answer: p->sum, or NULL while there is none (pending, failed, no
 * store).  The rows are rebuilt only when a new answer came.
 */
static void
sum_want(struct services *p, int64_t now_ms, int64_t len_ms, const char *host)
{
	const struct sr_summary *sum;
	size_t n = 0;
	int64_t len;

	sr_hreq_want_summary(p->slot, now_ms - len_ms, now_ms, host, 20,
	    SUM_REFRESH_MS);
	p->sum = sum = sr_hreq_summary(p->slot);
	if (sum == NULL || sr_hreq_answers(p->slot) == p->sum_answer)
		return;
	p->sum_answer = sr_hreq_answers(p->slot);
	len = sum->to_ms - sum->from_ms;
	free(p->sum_win);
	for (size_t i = 0; i < sum->n_services; i++)
		n += 1 + sum->services[i].n_endpoints;
	p->sum_win = sr_xcalloc(n + 1, sizeof(*p->sum_win));
	n = 0;
	for (size_t i = 0; i < sum->n_services; i++) {
		const struct sr_summary_service *sv = &sum->services[i];

		p->sum_win[n++] = sum_win(sv->requests, sv->status_4xx,
		    sv->status_5xx, &sv->latency_ms, NAN, len);
		for (size_t j = 0; j < sv->n_endpoints; j++)
			p->sum_win[n++] = sum_win(sv->endpoints[j].requests, -1,
			    sv->endpoints[j].status_5xx, NULL,
			    sv->endpoints[j].p95_ms, len);
	}
}

/* The 24 h service name ("" is events without a service). */
static const char *
sum_name(const char *s)
{
	return *s ? s : "(none)";
}

static double
col_value(const struct sr_snap_win *w, int col)
{
	switch (col) {
	case COL_REQ:
		return (double)w->requests;
	case COL_RPS:
		return w->req_per_s;
	case COL_4XX:
		return w->rate_4xx;
	case COL_5XX:
		return w->rate_5xx;
	case COL_P50:
		return w->p50;
	case COL_P95:
		return w->p95;
	case COL_P99:
		return w->p99;
	default:
		return 0;
	}
}

/* One table row: a service or an endpoint, and its window figures. */
struct svc_row {
	const char *name;
	const struct sr_snap_win *w;
	const float *spark; /* or NULL */
	int spark_n;
};

/* -1 when a sorts before b on column col (numbers: largest first). */
static int
svc_cmp(const struct svc_row *a, const struct svc_row *b, int col)
{
	double va, vb;

	if (col == COL_NAME)
		return strcmp(a->name, b->name);
	va = col_value(a->w, col);
	vb = col_value(b->w, col);
	if (isnan(va))
		va = -1;
	if (isnan(vb))
		vb = -1;
	return va < vb ? 1 : va > vb ? -1 : strcmp(a->name, b->name);
}

/* Insertion sort (tables are short; stable; no global context). */
static void
svc_sort(struct svc_row *r, size_t n, int col)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && svc_cmp(&r[j], &r[j - 1], col) < 0;
		     j--) {
			struct svc_row t = r[j];

			r[j] = r[j - 1];
			r[j - 1] = t;
		}
}

static void
svc_pct(char *buf, size_t n, double ratio)
{
	if (isnan(ratio))
		snprintf(buf, n, "-");
	else
		sr_fmt_pct(buf, n, ratio * 100);
}

/* Draw the table of rows into win from row 1; l is the scroll state. */
static void
svc_table(struct services *p, WINDOW *win, struct svc_row *rows, size_t n,
    struct sr_tui_list *l)
{
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), nw, x, page = H - 2;
	int focused = v->focus == SR_PANEL_SERVICES;
	static const int cw[COL__COUNT] = { 0, 7, 8, 6, 6, 8, 8, 8 };
	char hdr[16], val[32];
	int spark_w;

	nw = W - (7 + 8 + 6 + 6 + 8 + 8 + 8) - 3; /* 1 blank at the right */
	spark_w = 0;
	if (nw > 40) {
		spark_w = nw - 28 > 24 ? 24 : nw - 28;
		nw -= spark_w + 1;
	}
	if (nw < 6)
		nw = 6;
	sr_tui_list_fit(l, (int)n, page);
	/* column header */
	x = 0;
	for (int c = 0; c < COL__COUNT; c++) {
		int w = c == COL_NAME ? nw : cw[c];

		snprintf(hdr, sizeof(hdr), "%s%s", col_names[c],
		    c == p->sort ? (v->utf8 ? "\xe2\x96\xbc" : "v") : "");
		sr_tui_put(win, 1, x, w,
		    v->attr[SR_ROLE_DIM] | (c == p->sort ? A_BOLD : 0), hdr,
		    c != COL_NAME);
		x += w + (c == COL_NAME ? 1 : 0);
	}
	if (spark_w > 0)
		sr_tui_put(win, 1, x + 2, spark_w, v->attr[SR_ROLE_DIM],
		    "req/s trend", 0);
	if (n == 0) {
		sr_tui_put(win, 2, 1, W - 1, v->attr[SR_ROLE_DIM],
		    "no requests yet: pipe events in (sitrep demo | sitrep)",
		    0);
		return;
	}
	for (int i = 0; i < page && l->top + i < (int)n; i++) {
		const struct svc_row *r = &rows[l->top + i];
		int y = 2 + i, sel = l->top + i == l->sel && focused;
		attr_t a =
		    sel ? v->attr[SR_ROLE_SELECT] : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, y, 0, a);
		x = 0;
		sr_tui_put(win, y, x, nw, a | A_BOLD, r->name, 0);
		x += nw + 1;
		sr_tui_put(win, y, x, cw[COL_REQ], a,
		    sr_fmt_si(val, sizeof(val), (double)r->w->requests), 1);
		x += cw[COL_REQ];
		sr_tui_put(win, y, x, cw[COL_RPS], a,
		    sr_fmt_si(val, sizeof(val), r->w->req_per_s), 1);
		x += cw[COL_RPS];
		svc_pct(val, sizeof(val), r->w->rate_4xx);
		sr_tui_put(win, y, x, cw[COL_4XX],
		    sel				? a
			: r->w->rate_4xx > 0.05 ? v->attr[SR_ROLE_WARN]
						: a,
		    val, 1);
		x += cw[COL_4XX];
		svc_pct(val, sizeof(val), r->w->rate_5xx);
		sr_tui_put(win, y, x, cw[COL_5XX],
		    sel				? a
			: r->w->rate_5xx > 0.01 ? v->attr[SR_ROLE_CRIT]
						: a,
		    val, 1);
		x += cw[COL_5XX];
		sr_tui_put(win, y, x, cw[COL_P50], a,
		    sr_fmt_ms(val, sizeof(val), r->w->p50), 1);
		x += cw[COL_P50];
		sr_tui_put(win, y, x, cw[COL_P95], a,
		    sr_fmt_ms(val, sizeof(val), r->w->p95), 1);
		x += cw[COL_P95];
		sr_tui_put(win, y, x, cw[COL_P99], a,
		    sr_fmt_ms(val, sizeof(val), r->w->p99), 1);
		x += cw[COL_P99];
		if (spark_w > 0 && r->spark != NULL) {
			double h[SR_SNAP_HIST], lo, hi;
			struct sr_buf b;

			sr_tui_hist(r->spark, r->spark_n, h);
			sr_spark_range(h, r->spark_n, &lo, &hi);
			sr_buf_init(&b);
			sr_spark(h, r->spark_n, spark_w, lo, hi,
			    v->glyphs == SR_GLYPH_ASCII ? SR_GLYPH_ASCII
							: SR_GLYPH_BLOCK,
			    &b);
			sr_tui_put(win, y, x + 2, spark_w,
			    sel ? a : v->attr[SR_ROLE_INFO], b.data, 0);
			sr_buf_release(&b);
		}
	}
}

/* The host row named host ("" or absent: NULL). */
static const struct sr_snap_hostrow *
services_host(const struct sr_snapshot *s, const char *host)
{
	for (size_t i = 0; host[0] != '\0' && i < s->n_hosts; i++)
		if (strcmp(s->hosts[i].name, host) == 0)
			return &s->hosts[i];
	return NULL;
}

/*
 * The rows to show: from the 24 h summary (day != 0) or the snapshot's
 * window sw; endpoints of p->open when set (*svc_name says whose).
 */
static size_t
svc_rows(struct services *p, const struct sr_snapshot *s, enum sr_window sw,
    int day, struct svc_row **out, const char **svc_name)
{
	const struct sr_snap_hostrow *hr;
	struct svc_row *rows;
	size_t n = 0, k = 0;

	*svc_name = NULL;
	if (day) {
		const struct sr_summary *sum = p->sum;

		rows = sr_xcalloc(sum->n_services + 1, sizeof(*rows));
		for (size_t i = 0; i < sum->n_services; i++) {
			const struct sr_summary_service *sv = &sum->services[i];

			if (p->open[0] != '\0' &&
			    strcmp(p->open, sum_name(sv->service)) == 0) {
				free(rows);
				rows = sr_xcalloc(sv->n_endpoints + 1,
				    sizeof(*rows));
				for (size_t j = 0; j < sv->n_endpoints; j++)
					rows[j] = (struct svc_row){
						.name =
						    sv->endpoints[j].endpoint,
						.w = &p->sum_win[k + 1 + j]
					};
				*svc_name = sum_name(sv->service);
				*out = rows;
				return sv->n_endpoints;
			}
			rows[n++] =
			    (struct svc_row){ .name = sum_name(sv->service),
				    .w = &p->sum_win[k] };
			k += 1 + sv->n_endpoints;
		}
		*out = rows;
		return n;
	}
	if (p->open[0] != '\0') {
		const struct sr_snap_service *svc =
		    sr_snapshot_service(s, p->open);

		if (svc != NULL) {
			rows = sr_xcalloc(svc->n_endpoints + 1, sizeof(*rows));
			for (size_t i = 0; i < svc->n_endpoints; i++)
				rows[n++] = (struct svc_row){
					.name = svc->endpoints[i].name,
					.w = &svc->endpoints[i].win[sw]
				};
			*svc_name = svc->name;
			*out = rows;
			return n;
		}
	}
	if ((hr = services_host(s, p->v->host)) != NULL) {
		/* the hosts panel picked one: its per-host service rows */
		rows = sr_xcalloc(hr->n_services + 1, sizeof(*rows));
		for (size_t i = 0; i < hr->n_services; i++)
			rows[n++] =
			    (struct svc_row){ .name = hr->services[i].name,
				    .w = &hr->services[i].win[sw] };
		*out = rows;
		return n;
	}
	rows = sr_xcalloc(s->n_services + 1, sizeof(*rows));
	for (size_t i = 0; i < s->n_services; i++)
		rows[n++] = (struct svc_row){ .name = s->services[i].name,
			.w = &s->services[i].win[sw],
			.spark = s->services[i].hist_rps,
			.spark_n = s->services[i].hist_n };
	*out = rows;
	return n;
}

/* e on a row: the event log filtered to that service or endpoint. */
static void
svc_drill(struct sr_tui_view *v, const struct services *p,
    const struct svc_row *rows, size_t n)
{
	const struct sr_tui_list *l = p->open[0] ? &p->elist : &p->list;
	const char *svc = p->open[0] ? p->open : NULL, *ep = NULL;
	struct sr_buf q;
	char flash[256];

	if (l->sel < 0 || (size_t)l->sel >= n)
		return;
	if (svc != NULL)
		ep = rows[l->sel].name;
	else
		svc = rows[l->sel].name;
	sr_buf_init(&q);
	sr_buf_adds(&q, "service=");
	sr_query_quote(&q, svc);
	if (ep != NULL) {
		sr_buf_adds(&q, " endpoint=");
		sr_query_quote(&q, ep);
	}
	snprintf(flash, sizeof(flash),
	    "events of %.100s%s%.100s (Esc in the event log clears)", svc,
	    ep ? " " : "", ep ? ep : "");
	sr_tui_drill(v, q.data, 0, 0, flash);
	sr_buf_release(&q);
}

static void
services_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct services *p = self;
	struct sr_tui_view *v = p->v;
	enum sr_window sw = sr_tui_snap_window(v->window);
	const struct sr_snap_hostrow *hr;
	struct svc_row *rows;
	const char *svc_name;
	size_t n;
	int day = 0, host_ep = 0;
	char title[192], extra[128], wname[48];

	p->sum = NULL;
	if (v->window == SR_TUI_WIN_24H) {
		sum_want(p, s->now_ms, SUM_DAY_MS, v->host);
		day = p->sum != NULL;
	}
	if (p->want_open) {
		p->want_open = 0;
		p->open[0] = '\0';
		n = svc_rows(p, s, sw, day, &rows, &svc_name);
		/* the row under the cursor, in the order last drawn */
		svc_sort(rows, n, p->sort);
		if (p->list.sel >= 0 && (size_t)p->list.sel < n) {
			snprintf(p->open, sizeof(p->open), "%s",
			    rows[p->list.sel].name);
			p->elist = (struct sr_tui_list){ 0 };
		}
		free(rows);
	}
	if (v->window != SR_TUI_WIN_24H && v->host[0] != '\0' &&
	    p->open[0] != '\0' && services_host(s, v->host) != NULL) {
		/* one host's endpoints: the store has them per host */
		sum_want(p, s->now_ms, sr_window_ms(sw), v->host);
		day = host_ep = p->sum != NULL;
	} else if (v->window != SR_TUI_WIN_24H) {
		sr_hreq_drop(p->slot);
	}
	if (host_ep)
		snprintf(wname, sizeof(wname), "%s from the store",
		    sr_window_name(sw));
	else if (day)
		snprintf(wname, sizeof(wname), "24h from the store");
	else if (v->window == SR_TUI_WIN_24H)
		snprintf(wname, sizeof(wname), "1h: %s",
		    !sr_hreq_available(v->hreq) ? "no stored history"
			: sr_hreq_state(p->slot) == SR_HREQ_PENDING
			? "24h loading"
			: "24h query failed");
	else
		snprintf(wname, sizeof(wname), "%s", sr_window_name(sw));
	if (p->want_drill) {
		p->want_drill = 0;
		n = svc_rows(p, s, sw, day, &rows, &svc_name);
		svc_sort(rows, n, p->sort);
		svc_drill(v, p, rows, n);
		free(rows);
	}
	n = svc_rows(p, s, sw, day, &rows, &svc_name);
	if (p->open[0] != '\0' && svc_name == NULL)
		p->open[0] = '\0';
	if (svc_name != NULL && v->host[0] != '\0' && day)
		snprintf(title, sizeof(title), "Endpoints of %s on %s",
		    svc_name, v->host);
	else if (svc_name != NULL)
		snprintf(title, sizeof(title), "Endpoints of %s", svc_name);
	else if (day && v->host[0] != '\0')
		snprintf(title, sizeof(title), "Services on %s", v->host);
	else if (!day && (hr = services_host(s, v->host)) != NULL)
		snprintf(title, sizeof(title), "Services on %s", hr->name);
	else
		snprintf(title, sizeof(title), "Services");
	svc_sort(rows, n, p->sort);
	snprintf(extra, sizeof(extra), "[%s] %zu  s sort: %s  %s", wname, n,
	    col_names[p->sort],
	    svc_name != NULL ? "Esc back" : "Enter endpoints");
	sr_tui_title(win, v, title, extra, v->focus == SR_PANEL_SERVICES);
	svc_table(p, win, rows, n, svc_name != NULL ? &p->elist : &p->list);
	free(rows);
}

static enum sr_key_result
services_key(void *self, int ch)
{
	struct services *p = self;

	switch (ch) {
	case 's':
		p->sort = (p->sort + 1) % COL__COUNT;
		return SR_KEY_REDRAW;
	case 'S':
		p->sort = (p->sort + COL__COUNT - 1) % COL__COUNT;
		return SR_KEY_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (p->open[0] == '\0')
			p->want_open = 1;
		return SR_KEY_REDRAW;
	case 'e':
		p->want_drill = 1;
		return SR_KEY_REDRAW;
	case 27: /* Esc */
	case KEY_BACKSPACE:
		if (p->open[0] == '\0')
			return SR_KEY_IGNORED;
		p->open[0] = '\0';
		return SR_KEY_REDRAW;
	default:
		return sr_tui_list_key(p->open[0] ? &p->elist : &p->list, ch);
	}
}

static enum sr_key_result
services_click(void *self, int y, int x)
{
	struct services *p = self;
	struct sr_tui_list *l = p->open[0] ? &p->elist : &p->list;

	(void)x;
	return sr_tui_list_click(l, y);
}

const struct sr_panel_ops sr_services_panel = {
	.name = "services",
	.id = SR_PANEL_SERVICES,
	.slot = { [SR_LAYOUT_FULL] = { .order = 30,
		      .min_h = 4,
		      .weight = 3,
		      .rank = 3 },
	    [SR_LAYOUT_COMPACT] = { .order = 30,
		.min_h = 4,
		.weight = 3,
		.rank = 3 } },
	.help = { "s              sort services by the next column (S: previous)",
	    "e              services: events of the selected service or "
	    "endpoint" },
	.hint = "s sort",
	.create = services_create,
	.destroy = services_destroy,
	.draw = services_draw,
	.key = services_key,
	.click = services_click,
};
