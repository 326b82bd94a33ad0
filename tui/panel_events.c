/* SPDX-License-Identifier: MIT */
/*
 * panel_events: the recent events of the snapshot, newest at the
 * bottom, following live until scrolled up (G follows again).  Status
 * is coloured; `/` (handled by the screen) sets a filter shown in the
 * title; Esc clears it.
 *
 * Scrolling up past the oldest event in memory pages older events from
 * the store: the draw after a scroll key asks for a page
 * (runtime/hreq.h: the store's event query, by ts, id descending, the
 * filter compiled by the store), never a plain tick; the screen reads it
 * after that draw and the next draw takes it in.  Meanwhile the title
 * says so and the position the key asked for is kept.  At most
 * EV_CACHE_MAX fetched rows are kept; past that the newest fetched ones
 * are dropped and scrolling down pages them back in.  G / End drop the
 * cache (and a page asked for) and follow again.
 *
 * After a drill-down (v->drill: Enter on an error pattern, e on a
 * service or an insight) the first row counts every stored event of the
 * filter by service (by endpoint when the filter names a service), from
 * the store through a second slot: the same query as the rows, over all
 * stored history, not only what memory holds, again every 15 s.
 */
#include "tui/tui.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "runtime/hreq.h"

#define EV_PAGE 200	  /* rows per store query */
#define EV_CACHE_MAX 5000 /* fetched rows kept, at most */
/* a drill-down's stored counts are read again this often */
#define DRILL_REFRESH_MS 15000

/* A row of the list shown: a fetched row (mem 0) or a snapshot event. */
struct shown {
	int mem;
	size_t i;
};

struct events {
	struct sr_tui_view *v;
	struct sr_hreq_slot *slot;  /* the page asked for */
	struct sr_hreq_slot *cslot; /* a drill-down's stored counts */
	int asked;		    /* -1 older, 1 newer page asked; 0 none */
	int64_t ask_ts;		    /* the key of an older page asked */
	int back;		    /* rows scrolled up from newest */
	int page;
	int n; /* matching rows at last draw */
	/* history fetched from the store, ascending by (ts, id) */
	struct sr_hreq_event *rows;
	size_t nrows;
	int top_done;	/* the table start was reached */
	int hi_cut;	/* newest fetched rows dropped */
	int want_older; /* a scroll key asked */
	int want_newer;
	int64_t anchor_ts; /* rows kept are older */
	int64_t older;	   /* stored rows before rows[0] */
	int nmem;	   /* memory rows in the list */
	uint64_t seen_seq; /* newest event drawn */
	char *fkey;	   /* filter the rows were read with */
	char err[160];
};

static void *
events_create(const struct sr_tui_cfg *cfg)
{
	struct events *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	p->slot = sr_hreq_slot_new(cfg->view->hreq);
	p->cslot = sr_hreq_slot_new(cfg->view->hreq);
	p->older = -1;
	return p;
}

static void
hist_free(struct events *p)
{
	for (size_t i = 0; i < p->nrows; i++)
		sr_hreq_event_release(&p->rows[i]);
	free(p->rows);
}

/* Forget the kept rows and a page asked for. */
static void
hist_clear(struct events *p)
{
	hist_free(p);
	if (p->asked != 0)
		sr_hreq_drop(p->slot);
	p->asked = 0;
	p->rows = NULL;
	p->nrows = 0;
	p->top_done = 0;
	p->hi_cut = 0;
	p->older = -1;
	p->err[0] = '\0';
}

static void
events_destroy(void *self)
{
	struct events *p = self;

	hist_free(p); /* the slot goes with its set */
	free(p->fkey);
	free(p);
}

/*
 * Ask for a page: older (dir < 0) than rows[0] (or the in-memory start
 * mem_lo), with the count of older rows, or newer than the last kept
 * row.
 */
static void
hist_ask(struct events *p, int dir, int64_t mem_lo)
{
	struct sr_hreq_evq q = { .query = &p->v->filter,
		.older = dir < 0,
		.has_key = 1,
		.limit = EV_PAGE,
		.count = dir < 0 };

	if (dir < 0) {
		q.key_ts = p->nrows ? p->rows[0].ev.ts_ms : mem_lo;
		q.key_id = p->nrows ? p->rows[0].id : INT64_MIN;
		p->ask_ts = q.key_ts;
	} else {
		q.key_ts = p->rows[p->nrows - 1].ev.ts_ms;
		q.key_id = p->rows[p->nrows - 1].id;
	}
	sr_hreq_want_events(p->slot, &q);
	p->asked = dir;
}

/* An older page (fresh, got rows, newest first) in before rows[0]. */
static void
hist_older(struct events *p, struct sr_hreq_event *fresh, size_t got, int end,
    int64_t older)
{
	if (p->nrows == 0)
		p->anchor_ts = p->ask_ts;
	if (end)
		p->top_done = 1;
	if (got > 0) {
		/* fresh is newest first: reverse it in front of rows */
		struct sr_hreq_event *all =
		    sr_xcalloc(got + p->nrows, sizeof(*all));

		for (size_t i = 0; i < got; i++)
			all[i] = fresh[got - 1 - i];
		if (p->nrows)
			memcpy(all + got, p->rows, p->nrows * sizeof(*all));
		free(p->rows);
		p->rows = all;
		p->nrows += got;
	}
	free(fresh);
	if (p->nrows > 0)
		p->older = p->top_done ? 0 : older;
}

/* A newer page (fresh, oldest first) after the last kept row. */
static void
hist_newer(struct events *p, struct sr_hreq_event *fresh, size_t got, int end,
    int64_t mem_lo)
{
	size_t keep = 0;

	for (size_t i = 0; i < got; i++)
		if (fresh[i].ev.ts_ms < mem_lo)
			keep = i + 1;
	if (end || keep < got) {
		p->hi_cut = 0; /* reached the rows in memory again */
		p->anchor_ts = mem_lo;
	}
	for (size_t i = keep; i < got; i++)
		sr_hreq_event_release(&fresh[i]);
	if (keep > 0) {
		p->rows =
		    sr_xrealloc(p->rows, (p->nrows + keep) * sizeof(*p->rows));
		memcpy(p->rows + p->nrows, fresh, keep * sizeof(*fresh));
		p->nrows += keep;
	}
	free(fresh);
}

/*
 * Take the answer to the page asked for into the kept rows (a failed
 * query ends paging that way and shows its error); 0 while it is
 * pending.
 */
static int
hist_take(struct events *p, int64_t mem_lo)
{
	enum sr_hreq_state st = sr_hreq_state(p->slot);
	const struct sr_hreq_page *pg = sr_hreq_page(p->slot);
	struct sr_hreq_event *fresh = NULL;
	size_t got = 0;
	int dir = p->asked, end = 1;
	int64_t older = -1;

	if (st == SR_HREQ_PENDING)
		return 0;
	if (st == SR_HREQ_FAILED)
		snprintf(p->err, sizeof(p->err), "history: %.140s",
		    sr_hreq_error(p->slot));
	if (pg != NULL) {
		end = pg->end;
		older = pg->older;
		fresh = sr_hreq_take_events(p->slot, &got);
	}
	sr_hreq_drop(p->slot);
	p->asked = 0;
	if (dir < 0)
		hist_older(p, fresh, got, end, older);
	else
		hist_newer(p, fresh, got, end, mem_lo);
	return 1;
}

/* The key that says which filter the fetched rows were read with. */
static char *
filter_key(const struct sr_query *f)
{
	struct sr_buf b;

	sr_buf_init(&b);
	sr_buf_addf(&b, "%s|%" PRId64 "|%" PRId64, f->src ? f->src : "",
	    f->from_ms, f->to_ms);
	return b.data;
}

/* The rows to show, oldest first: kept history, then memory. */
static int
shown_build(struct events *p, const struct sr_snapshot *s, int64_t mem_lo,
    struct shown *list)
{
	int n = 0;

	/* cut off from memory: every kept row; else those before it */
	for (size_t i = 0; i < p->nrows; i++)
		if (p->hi_cut ||
		    (p->rows[i].ev.ts_ms < mem_lo &&
			p->rows[i].ev.ts_ms < p->anchor_ts))
			list[n++] = (struct shown){ 0, i };
	p->nmem = 0;
	if (p->hi_cut)
		return n;
	for (size_t i = 0; i < s->n_events; i++)
		if (sr_query_match(&p->v->filter, &s->events[i].ev)) {
			list[n++] = (struct shown){ 1, i };
			p->nmem++;
		}
	return n;
}

/* n with thousands separators: "4,200". */
static char *
fmt_count(char *buf, size_t len, int64_t n)
{
	char d[32];
	size_t k = 0, nd;

	nd = (size_t)snprintf(d, sizeof(d), "%" PRId64, n);
	for (size_t i = 0; i < nd && k + 1 < len; i++) {
		if (i > 0 && d[i - 1] != '-' && (nd - i) % 3 == 0 &&
		    k + 2 < len)
			buf[k++] = ',';
		buf[k++] = d[i];
	}
	buf[k] = '\0';
	return buf;
}

/*
 * Fetch what a scroll key asked for, keep the cache bounded and the
 * position steady; returns the rows to show in *list (caller frees).
 */
static int
events_rows(struct events *p, const struct sr_snapshot *s, int page,
    struct shown **list)
{
	int64_t mem_lo = INT64_MAX;
	char *key = filter_key(&p->v->filter);
	int n;

	for (size_t i = 0; i < s->n_events; i++)
		if (s->events[i].ev.ts_ms < mem_lo)
			mem_lo = s->events[i].ev.ts_ms;
	if (s->n_events == 0)
		mem_lo = s->now_ms + 1;
	if (p->fkey == NULL || strcmp(key, p->fkey) != 0) {
		hist_clear(p);
		free(p->fkey);
		p->fkey = key;
	} else {
		free(key);
	}
	/* scrolled back: rows arriving below do not move the view */
	if (p->back > 0 && !p->hi_cut && p->seen_seq != 0)
		for (size_t i = 0; i < s->n_events; i++)
			if (s->events[i].seq > p->seen_seq &&
			    sr_query_match(&p->v->filter, &s->events[i].ev))
				p->back++;
	p->seen_seq = s->last_seq;
	/*
	 * Memory moved on past the kept rows (live events pushed older
	 * ones out): looking at memory, drop the kept rows; looking at
	 * them, keep the view there and page the gap in going down.
	 */
	if (p->nrows > 0 && !p->hi_cut && mem_lo > p->anchor_ts) {
		if (p->back + page <= p->nmem) {
			hist_clear(p);
		} else {
			p->hi_cut = 1;
			p->back -= p->nmem;
		}
	}
	if (p->nrows == 0)
		p->anchor_ts = mem_lo;
	*list = sr_xcalloc(p->nrows + s->n_events + 1, sizeof(**list));
	n = shown_build(p, s, mem_lo, *list);
	if (p->asked < 0 && hist_take(p, mem_lo)) {
		free(*list);
		*list = sr_xcalloc(p->nrows + s->n_events + 1, sizeof(**list));
		n = shown_build(p, s, mem_lo, *list);
		if (p->nrows > EV_CACHE_MAX) {
			int was = n;

			/* drop the newest kept rows (and memory's) below */
			for (size_t i = EV_CACHE_MAX; i < p->nrows; i++)
				sr_hreq_event_release(&p->rows[i]);
			p->nrows = EV_CACHE_MAX;
			p->hi_cut = 1;
			n = shown_build(p, s, mem_lo, *list);
			p->back -= was - n;
		}
	} else if (p->asked > 0 && hist_take(p, mem_lo)) {
		int was = n;

		free(*list);
		*list = sr_xcalloc(p->nrows + s->n_events + 1, sizeof(**list));
		n = shown_build(p, s, mem_lo, *list);
		p->back += n - was;
		if (p->nrows > EV_CACHE_MAX) {
			size_t d = p->nrows - EV_CACHE_MAX;

			for (size_t i = 0; i < d; i++)
				sr_hreq_event_release(&p->rows[i]);
			memmove(p->rows, p->rows + d,
			    EV_CACHE_MAX * sizeof(*p->rows));
			p->nrows = EV_CACHE_MAX;
			p->top_done = 0;
			/* the kept rows are consecutive matches */
			if (p->older >= 0)
				p->older += (int64_t)d;
			n = shown_build(p, s, mem_lo, *list);
		}
	}
	/* a page still pending: keys pressed meanwhile wait for it */
	if (p->asked != 0)
		return n;
	if (p->want_older && p->back > n - page &&
	    sr_hreq_available(p->v->hreq) && !p->top_done)
		hist_ask(p, -1, mem_lo);
	else if (p->want_newer && p->back < 0 && p->hi_cut &&
	    sr_hreq_available(p->v->hreq) && p->nrows > 0)
		hist_ask(p, 1, mem_lo);
	p->want_older = p->want_newer = 0;
	return n;
}

/* The title's position: following, in memory, or in stored history. */
static void
events_where(struct events *p, const struct shown *list, int n, int page,
    int beyond, char *buf, size_t len)
{
	char when[48], cnt[32];
	int top = n - p->back - page; /* first row shown */

	if (top < 0)
		top = 0;
	if (beyond && !sr_hreq_available(p->v->hreq)) {
		snprintf(buf, len, "no stored history  G follow");
	} else if (p->asked != 0) {
		snprintf(buf, len, "reading stored history  G follow");
	} else if (p->back == 0 && !beyond) {
		snprintf(buf, len, "following");
	} else if (n > 0 && !list[top].mem) {
		int64_t older = p->older < 0 ? 0 : p->older;

		older += (int64_t)top;
		snprintf(buf, len, "history: %s, %s older rows%s  G follow",
		    sr_tui_fmt_clock(when, sizeof(when),
			p->rows[list[top].i].ev.ts_ms, 1),
		    fmt_count(cnt, sizeof(cnt), older),
		    p->top_done && top == 0 ? " (start)" : "");
	} else {
		snprintf(buf, len, "%s  G follow",
		    p->err[0] ? p->err
			: !sr_hreq_available(p->v->hreq) && top == 0
			? "no stored history"
			: p->top_done && top == 0 ? "start of stored history"
						  : "in memory");
	}
}

/* The field a drill-down's counts group by: endpoint once a service. */
static int
drill_field(const struct sr_query *f)
{
	for (int i = 0; i < f->n; i++)
		if (f->t[i].field == SR_FIELD_SERVICE &&
		    f->t[i].op == SR_QOP_EQ &&
		    strpbrk(f->t[i].text, "*?") == NULL)
			return SR_FIELD_ENDPOINT;
	return SR_FIELD_SERVICE;
}

/*
 * After a drill-down, row 1: the stored events of the filter counted by
 * service (or endpoint), "stored: 150 events, 150 errors  by service:
 * api 120 (120 err)  web 30 (30 err)".  Returns the rows used (0, 1).
 */
static int
drill_counts(struct events *p, WINDOW *win, const struct sr_snapshot *s)
{
	struct sr_tui_view *v = p->v;
	const struct sr_hreq_counts *c;
	int field;
	struct sr_buf b;
	char n1[32], n2[32];

	if (!v->drill || sr_query_empty(&v->filter) ||
	    !sr_hreq_available(v->hreq)) {
		sr_hreq_drop(p->cslot);
		return 0;
	}
	field = drill_field(&v->filter);
	sr_hreq_want_counts(p->cslot, &v->filter, field, s->now_ms,
	    DRILL_REFRESH_MS);
	c = sr_hreq_counts(p->cslot);
	sr_buf_init(&b);
	if (sr_hreq_state(p->cslot) == SR_HREQ_FAILED)
		sr_buf_addf(&b, "stored: %s", sr_hreq_error(p->cslot));
	else if (c == NULL)
		sr_buf_adds(&b, "stored: counting...");
	else
		sr_buf_addf(&b, "stored: %s events, %s errors  by %s:",
		    fmt_count(n1, sizeof(n1), c->total),
		    fmt_count(n2, sizeof(n2), c->errors),
		    sr_fields[field].name);
	for (size_t i = 0; c != NULL && i < c->n; i++) {
		sr_buf_addf(&b, "  %s %s",
		    c->g[i].value[0] ? c->g[i].value : "-",
		    fmt_count(n1, sizeof(n1), c->g[i].n));
		if (c->g[i].errors > 0)
			sr_buf_addf(&b, " (%s err)",
			    fmt_count(n2, sizeof(n2), c->g[i].errors));
	}
	if (c != NULL && c->more > 0)
		sr_buf_addf(&b, "  +%zu more", c->more);
	sr_tui_put(win, 1, 0, getmaxx(win), v->attr[SR_ROLE_INFO], b.data, 0);
	sr_buf_release(&b);
	return 1;
}

static void
events_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct events *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), page, n, y, beyond;
	int wish, top;
	struct shown *list;
	char extra[480], where[256], t[16], lat[16], from[32];

	top = 1 + drill_counts(p, win, s);
	page = H - top;
	n = events_rows(p, s, page, &list);
	p->n = n;
	p->page = page;
	/* asked for rows before the first there is */
	beyond = p->back > 0 && p->back > n - page;
	wish = p->back;
	if (p->back > n - page)
		p->back = n - page;
	if (p->back < 0)
		p->back = 0;
	events_where(p, list, n, page, beyond, where, sizeof(where));
	if (sr_query_empty(&v->filter))
		snprintf(extra, sizeof(extra), "%d shown  / filter  %s", n,
		    where);
	else
		snprintf(extra, sizeof(extra),
		    "filter: %s%s%s  %d match  "
		    "Esc clear%s%s",
		    v->filter.src ? v->filter.src : "",
		    v->filter.from_ms ? " since " : "",
		    v->filter.from_ms ? sr_tui_fmt_clock(from, sizeof(from),
					    v->filter.from_ms, 0)
				      : "",
		    n, p->back || beyond ? "  " : "",
		    p->back || beyond ? where : "");
	sr_tui_title(win, v, "Events", extra, v->focus == SR_PANEL_EVENTS);
	if (n == 0) {
		sr_tui_put(win, top, 1, W - 1, v->attr[SR_ROLE_DIM],
		    sr_hreq_available(v->hreq) && !p->top_done
			? (s->n_events == 0
				  ? "no events in memory  (g: stored history)"
				  : "no event in memory matches  (g: stored history)")
			: s->n_events == 0 ? "no events yet"
					   : "no event matches the filter",
		    0);
		if (p->asked != 0)
			p->back = wish; /* kept until the page comes */
		free(list);
		return;
	}
	/* bottom row is the newest (minus what was scrolled back) */
	y = H - 1;
	for (int k = n - 1 - p->back; k >= 0 && y >= top; k--, y--) {
		const struct sr_event *e = list[k].mem
		    ? &s->events[list[k].i].ev
		    : &p->rows[list[k].i].ev;
		int x = 0;
		x += sr_tui_put(win, y, x, 8, v->attr[SR_ROLE_DIM],
			 sr_tui_fmt_clock(t, sizeof(t), e->ts_ms, 0), 0) +
		    1;
		x += sr_tui_put(win, y, x, 14, v->attr[SR_ROLE_INFO],
		    e->service ? e->service : "-", 0);
		x = 24;
		if (e->has & SR_EV_HAS_STATUS)
			sr_tui_putf(win, y, x, 3,
			    sr_tui_status_attr(v, e->status_code) | A_BOLD,
			    "%3d", e->status_code);
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
			sr_buf_addf(&b, "%s",
			    e->endpoint		? e->endpoint
				: e->event_type ? e->event_type
						: "");
			if (e->user_id)
				sr_buf_addf(&b, "  user=%s", e->user_id);
			if (e->model)
				sr_buf_addf(&b, "  model=%s", e->model);
			if (e->message)
				sr_buf_addf(&b, "  %s", e->message);
			sr_tui_put(win, y, x, W - x,
			    sr_event_is_error(e) ? v->attr[SR_ROLE_CRIT]
						 : v->attr[SR_ROLE_NORMAL],
			    b.data, 0);
			sr_buf_release(&b);
		}
	}
	if (p->asked != 0)
		p->back = wish; /* kept until the page comes */
	free(list);
}

static enum sr_key_result
events_key(void *self, int ch)
{
	struct events *p = self;

	switch (ch) {
	case KEY_UP:
	case 'k':
		p->back++;
		p->want_older = 1;
		break;
	case KEY_DOWN:
	case 'j':
		p->back--;
		p->want_newer = 1;
		break;
	case KEY_PPAGE:
		p->back += p->page;
		p->want_older = 1;
		break;
	case KEY_NPAGE:
		p->back -= p->page;
		p->want_newer = 1;
		break;
	case KEY_HOME:
	case 'g':
		p->back = INT_MAX / 4; /* the top, after what is paged in */
		p->want_older = 1;
		break;
	case KEY_END:
	case 'G':
		p->back = 0;
		hist_clear(p); /* follow live again */
		break;
	case 27: /* Esc: clear the filter (and a drill-down chart) */
		if (sr_query_empty(&p->v->filter))
			return SR_KEY_IGNORED;
		sr_query_release(&p->v->filter);
		p->v->drill = 0;
		p->v->chart_ins[0] = '\0';
		break;
	default:
		return SR_KEY_IGNORED;
	}
	if (p->back < 0 && !p->hi_cut)
		p->back = 0;
	return SR_KEY_REDRAW;
}

const struct sr_panel_ops sr_events_panel = {
	.name = "events",
	.id = SR_PANEL_EVENTS,
	.slot = { [SR_LAYOUT_FULL] = { .order = 60,
		      .min_h = 4,
		      .weight = 3,
		      .rank = 4 },
	    [SR_LAYOUT_COMPACT] = { .order = 60,
		.min_h = 4,
		.weight = 3,
		.rank = 4 },
	    [SR_LAYOUT_EVENTS] = { .order = 20,
		.min_h = 3,
		.weight = 4,
		.rank = 1 } },
	.create = events_create,
	.destroy = events_destroy,
	.draw = events_draw,
	.key = events_key,
};
