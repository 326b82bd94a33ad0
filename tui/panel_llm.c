/* SPDX-License-Identifier: MIT */
/*
 * panel_llm: the LLM serving panel, one row per model of each LLM server
 * prom: sources scrape (snapshot.llm, the llm.<server>.<model>.<field>
 * series; with more than one server a SERVER column, the source's job,
 * follows the model, so the same model on two servers is two rows):
 * requests running and waiting, KV-cache use, time to first token p50
 * and p95 and end-to-end p95 (over the last minute, as the server's
 * histograms give them), prompt and generated tokens/s and preemptions
 * per minute.  It takes its place once the first such series arrives and
 * stays hidden before (nothing to show without a scraped server).  On a
 * narrow screen the least needed columns go first (prompt tokens/s, TTFT
 * p50, e2e p95, preemptions, generated tokens/s).  A
 * figure the server does not give, or that went stale, shows "-"; a
 * model with nothing fresh has no row (a line says when none is left).  A
 * row turns warning at 90 % KV cache and critical at 98 % (the kv_cache
 * rule's defaults).  Enter shows the event log filtered to that model.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct llm {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int id;	   /* this panel's id: focused when v->focus == id */
	int drill; /* Enter pressed */
};

static void *
llm_create(const struct sr_tui_cfg *cfg)
{
	struct llm *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	p->id = cfg->id;
	return p;
}

static void
llm_destroy(void *self)
{
	free(self);
}

/* The event log filtered to model m (its events, if it sends any). */
static void
llm_drill(struct sr_tui_view *v, const char *m)
{
	struct sr_err err;
	char q[300];

	if (strpbrk(m, " \t\"") != NULL ||
	    (size_t)snprintf(q, sizeof(q), "model=%s", m) >= sizeof(q) ||
	    sr_query_parse(&v->filter, q, &err) == -1) {
		snprintf(v->flash, sizeof(v->flash),
		    "model '%.200s' cannot be a filter", m);
		return;
	}
	v->req_focus = SR_PANEL_EVENTS;
	snprintf(v->flash, sizeof(v->flash),
	    "events of model %.200s (Esc "
	    "clears)",
	    m);
}

/* The figure columns, left to right; drop: narrow screens lose the
 * lowest first (1), the model's name keeps at least LLM_NAME_MIN. */
enum llm_col {
	COL_RUN,
	COL_WAIT,
	COL_KV,
	COL_TTFT50,
	COL_TTFT95,
	COL_E2E95,
	COL_PROMPT,
	COL_GEN,
	COL_PRE,
	COL__COUNT
};

static const struct {
	const char *head;
	int w;
	int drop; /* dropped in this order, 1 first; 0 never */
	enum sr_llm_field field;
	const char *unit; /* for sr_tui_fmt_value() */
} llm_cols[COL__COUNT] = {
	[COL_RUN] = { "RUN", 5, 0, SR_LLM_RUNNING, "" },
	[COL_WAIT] = { "WAIT", 5, 0, SR_LLM_WAITING, "" },
	[COL_KV] = { "KV%", 6, 0, SR_LLM_KV_PCT, "%" },
	[COL_TTFT50] = { "TTFT50", 8, 2, SR_LLM_TTFT_P50, "ms" },
	[COL_TTFT95] = { "TTFT95", 8, 0, SR_LLM_TTFT_P95, "ms" },
	[COL_E2E95] = { "E2E95", 8, 3, SR_LLM_E2E_P95, "ms" },
	[COL_PROMPT] = { "PROMPT/S", 8, 1, SR_LLM_PROMPT_TPS, "" },
	[COL_GEN] = { "GEN/S", 7, 5, SR_LLM_GEN_TPS, "" },
	[COL_PRE] = { "PRE/MIN", 7, 4, SR_LLM_PREEMPT, "" },
};

#define LLM_NAME_MIN 12
#define LLM_NAME_MAX 48
#define LLM_SERVER_MAX 24

/* Row y: the name in mw cells, the server in sw (none when 0), then the
 * shown columns' texts. */
static void
llm_row(WINDOW *win, int y, int W, attr_t a, const char *name, int mw,
    const char *server, int sw, const int *shown, char (*txt)[24])
{
	int x = 2;

	(void)sr_tui_put(win, y, x, mw, a, name, 0);
	x += mw;
	if (sw > 0) {
		(void)sr_tui_put(win, y, x + 1, sw, a, server, 0);
		x += 1 + sw;
	}
	for (int k = 0; k < COL__COUNT && x < W; k++) {
		if (!shown[k])
			continue;
		(void)sr_tui_put(win, y, x + 1, llm_cols[k].w, a, txt[k], 1);
		x += 1 + llm_cols[k].w;
	}
}

static void
llm_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct llm *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), focused = v->focus == p->id;
	int shown[COL__COUNT], fixed = 0, mw, sw = 0;
	char extra[160], c[COL__COUNT][24];

	/* the server column only when there is more than one to tell
	 * apart: as wide as the longest, within 6..LLM_SERVER_MAX */
	if (s->n_llm_servers > 1) {
		sw = 6;
		for (size_t i = 0; i < s->n_llm; i++) {
			int l = sr_text_width(s->llm[i].server);

			sw = l > sw ? l : sw;
		}
		sw = sw > LLM_SERVER_MAX ? LLM_SERVER_MAX : sw;
		fixed += 1 + sw;
	}
	for (int k = 0; k < COL__COUNT; k++) {
		shown[k] = 1;
		fixed += 1 + llm_cols[k].w;
	}
	/* drop columns until the name has its minimum */
	for (int d = 1; d <= 5 && W - 2 - fixed < LLM_NAME_MIN; d++)
		for (int k = 0; k < COL__COUNT; k++)
			if (llm_cols[k].drop == d) {
				shown[k] = 0;
				fixed -= 1 + llm_cols[k].w;
			}
	mw = W - 2 - fixed;
	mw = mw < LLM_NAME_MIN	? LLM_NAME_MIN
	    : mw > LLM_NAME_MAX ? LLM_NAME_MAX
				: mw;
	sr_tui_list_fit(&p->list, (int)s->n_llm, H - 2);
	if (p->drill) {
		p->drill = 0;
		if (p->list.sel >= 0 && (size_t)p->list.sel < s->n_llm)
			llm_drill(v, s->llm[p->list.sel].model);
	}
	if (s->n_llm_servers > 1)
		snprintf(extra, sizeof(extra),
		    "%zu models on %zu servers, as the servers report "
		    "them  Enter: its events",
		    s->n_llm, s->n_llm_servers);
	else
		snprintf(extra, sizeof(extra),
		    "%zu model%s, as the servers report "
		    "them  Enter: its events",
		    s->n_llm, s->n_llm == 1 ? "" : "s");
	sr_tui_title(win, v, "LLM serving", extra, focused);
	for (int k = 0; k < COL__COUNT; k++)
		snprintf(c[k], sizeof(c[k]), "%s", llm_cols[k].head);
	llm_row(win, 1, W, v->attr[SR_ROLE_DIM], "MODEL", mw, "SERVER", sw,
	    shown, c);
	if (s->n_llm == 0)
		(void)sr_tui_put(win, 2, 2, W - 2, v->attr[SR_ROLE_DIM],
		    "no model reported in the last 2 min (is the server up? "
		    "see the header's sources)",
		    0);
	for (int i = 0; i < H - 2 && p->list.top + i < (int)s->n_llm; i++) {
		const struct sr_snap_llm *m = &s->llm[p->list.top + i];
		const double *x = m->v;
		int sel = focused && p->list.top + i == p->list.sel;
		double kv = x[SR_LLM_KV_PCT];
		attr_t a = sel		     ? v->attr[SR_ROLE_SELECT]
		    : !isnan(kv) && kv >= 98 ? v->attr[SR_ROLE_CRIT]
		    : !isnan(kv) && kv >= 90 ? v->attr[SR_ROLE_WARN]
					     : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, 2 + i, 0, a);
		/* as the tiles and the web page write them */
		for (int k = 0; k < COL__COUNT; k++)
			sr_tui_fmt_value(c[k], sizeof(c[k]),
			    x[llm_cols[k].field], llm_cols[k].unit);
		llm_row(win, 2 + i, W, a, m->model, mw, m->server, sw, shown,
		    c);
	}
}

static enum sr_key_result
llm_key(void *self, int ch)
{
	struct llm *p = self;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		p->drill = 1;
		return SR_KEY_REDRAW;
	}
	return sr_tui_list_key(&p->list, ch);
}

static enum sr_key_result
llm_click(void *self, int y, int x)
{
	struct llm *p = self;

	(void)x;
	return sr_tui_list_click(&p->list, y);
}

const struct sr_panel_ops sr_llm_panel = {
	.name = "llm",
	.alias = { "serving" },
	/* below the hosts, above the services, once a server is scraped;
	 * title, header and four models at least */
	.slot = { [SR_LAYOUT_FULL] = { .order = 25,
		      .min_h = 6,
		      .weight = 1,
		      .rank = 4,
		      .needs = SR_LAYOUT_LLM },
	    [SR_LAYOUT_COMPACT] = { .order = 25,
		.min_h = 6,
		.weight = 1,
		.rank = 4,
		.needs = SR_LAYOUT_LLM } },
	.help = { "Enter          LLM serving: the event log of that model" },
	.create = llm_create,
	.destroy = llm_destroy,
	.draw = llm_draw,
	.key = llm_key,
	.click = llm_click,
};
