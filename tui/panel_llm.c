/* SPDX-License-Identifier: MIT */
/*
 * panel_llm: the LLM serving panel, one row per model of the LLM servers
 * a prom: source scrapes (snapshot.llm, the llm.<model>.<field> series):
 * requests running and waiting, KV-cache use, time to first token p50
 * and p95 and end-to-end p95 (over the last minute, as the server's
 * histograms give them), prompt and generated tokens/s and preemptions
 * per minute.  It takes its place once the first such series arrives and
 * stays hidden before (nothing to show without a scraped server).  A
 * figure the server does not give, or that went stale, shows "-".  A
 * row turns warning at 90 % KV cache and critical at 98 % (the kv_cache
 * rule's defaults).  Enter shows the event log filtered to that model.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLM_FIXED_W 73 /* the columns right of the name, its space included */

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

/* A latency in ms as "85 ms", "1.24 s", or "-". */
static const char *
llm_ms(char *buf, size_t n, double ms)
{
	if (isnan(ms))
		snprintf(buf, n, "-");
	else if (ms < 1000)
		snprintf(buf, n, "%.0f ms", ms);
	else
		snprintf(buf, n, "%.2f s", ms / 1000);
	return buf;
}

/* A count or rate: "12", "3.4k", or "-". */
static const char *
llm_num(char *buf, size_t n, double x, int decimals)
{
	if (isnan(x))
		snprintf(buf, n, "-");
	else if (x < 1000)
		snprintf(buf, n, "%.*f", decimals, x);
	else
		sr_fmt_si(buf, n, x);
	return buf;
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

static void
llm_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct llm *p = self;
	struct sr_tui_view *v = p->v;
	int W = getmaxx(win), H = getmaxy(win), focused = v->focus == p->id;
	int mw = W - 2 - LLM_FIXED_W;
	char extra[160], c[9][24];

	mw = mw < 12 ? 12 : mw > 48 ? 48 : mw;
	sr_tui_list_fit(&p->list, (int)s->n_llm, H - 2);
	if (p->drill) {
		p->drill = 0;
		if (p->list.sel >= 0 && (size_t)p->list.sel < s->n_llm)
			llm_drill(v, s->llm[p->list.sel].model);
	}
	snprintf(extra, sizeof(extra),
	    "%zu model%s, as the servers report "
	    "them  Enter: its events",
	    s->n_llm, s->n_llm == 1 ? "" : "s");
	sr_tui_title(win, v, "LLM serving", extra, focused);
	sr_tui_putf(win, 1, 0, W, v->attr[SR_ROLE_DIM],
	    "  %-*s %5s %5s %5s %8s %8s %8s %9s %8s %7s", mw, "MODEL", "RUN",
	    "WAIT", "KV%", "TTFT50", "TTFT95", "E2E95", "PROMPT/S", "GEN/S",
	    "PRE/MIN");
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
		llm_num(c[0], sizeof(c[0]), x[SR_LLM_RUNNING], 0);
		llm_num(c[1], sizeof(c[1]), x[SR_LLM_WAITING], 0);
		if (isnan(kv))
			snprintf(c[2], sizeof(c[2]), "-");
		else
			snprintf(c[2], sizeof(c[2]), "%.0f%%", kv);
		llm_ms(c[3], sizeof(c[3]), x[SR_LLM_TTFT_P50]);
		llm_ms(c[4], sizeof(c[4]), x[SR_LLM_TTFT_P95]);
		llm_ms(c[5], sizeof(c[5]), x[SR_LLM_E2E_P95]);
		llm_num(c[6], sizeof(c[6]), x[SR_LLM_PROMPT_TPS], 1);
		llm_num(c[7], sizeof(c[7]), x[SR_LLM_GEN_TPS], 1);
		llm_num(c[8], sizeof(c[8]), x[SR_LLM_PREEMPT], 1);
		sr_tui_putf(win, 2 + i, 0, W, a,
		    "  %-*.*s %5s %5s %5s %8s %8s %8s %9s %8s %7s", mw, mw,
		    m->model, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
		    c[8]);
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
	if (y < 2)
		return SR_KEY_IGNORED;
	p->list.sel = p->list.top + y - 2;
	sr_tui_list_fit(&p->list, p->list.n, p->list.page);
	return SR_KEY_REDRAW;
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
