/* SPDX-License-Identifier: MIT */
/*
 * panel_procs: the top processes of the latest scan (shown with `p`, or
 * in the `system` layout): PID, user, CPU % of one core, RSS, memory %,
 * name.  `s` switches between the by-CPU and by-memory lists.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct procs {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int by_mem;
};

static void *
procs_create(const struct sr_tui_cfg *cfg)
{
	struct procs *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	return p;
}

static void
procs_destroy(void *self)
{
	free(self);
}

static void
procs_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct procs *p = self;
	struct sr_tui_view *v = p->v;
	const struct sr_snap_proc *pr = p->by_mem ? s->procs_mem : s->procs_cpu;
	size_t n = p->by_mem ? s->n_procs_mem : s->n_procs_cpu;
	int W = getmaxx(win), H = getmaxy(win),
	    focused = v->focus == SR_PANEL_PROCS;
	char cpu[16], rss[24], mem[16];

	sr_tui_title(win, v, "Processes",
	    p->by_mem ? "by memory  s: by cpu" : "by cpu  s: by memory",
	    focused);
	sr_tui_putf(win, 1, 0, W, v->attr[SR_ROLE_DIM],
	    "%7s %-10s %6s %9s %6s  %s", "PID", "USER", "CPU%", "RSS", "MEM%",
	    "NAME");
	sr_tui_list_fit(&p->list, (int)n, H - 2);
	if (n == 0)
		sr_tui_put(win, 2, 1, W - 1, v->attr[SR_ROLE_DIM],
		    "no process scan yet", 0);
	for (int i = 0; i < H - 2 && p->list.top + i < (int)n; i++) {
		const struct sr_snap_proc *q = &pr[p->list.top + i];
		int sel = focused && p->list.top + i == p->list.sel;
		attr_t a =
		    sel ? v->attr[SR_ROLE_SELECT] : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, 2 + i, 0, a);
		sr_fmt_pct(cpu, sizeof(cpu), q->cpu_pct);
		sr_fmt_bytes(rss, sizeof(rss), (double)q->rss_bytes, "");
		sr_fmt_pct(mem, sizeof(mem), q->mem_pct);
		sr_tui_putf(win, 2 + i, 0, W, a,
		    "%7d %-10.10s %6s %9s %6s  "
		    "%s",
		    q->pid, q->user ? q->user : "-", cpu, rss,
		    isnan(q->mem_pct) ? "-" : mem, q->name ? q->name : "?");
	}
}

static enum sr_key_result
procs_key(void *self, int ch)
{
	struct procs *p = self;

	if (ch == 's' || ch == 'm') {
		p->by_mem = !p->by_mem;
		return SR_KEY_REDRAW;
	}
	return sr_tui_list_key(&p->list, ch);
}

const struct sr_panel_ops sr_procs_panel = {
	.name = "processes",
	.id = SR_PANEL_PROCS,
	.alias = { "procs", "system" },
	/* shown with `p`, except in the system preset */
	.slot = { [SR_LAYOUT_FULL] = { .order = 40,
		      .min_h = 5,
		      .weight = 2,
		      .rank = 6,
		      .optional = 1 },
	    [SR_LAYOUT_COMPACT] = { .order = 40,
		.min_h = 5,
		.weight = 2,
		.rank = 6,
		.optional = 1 },
	    [SR_LAYOUT_EVENTS] = { .order = 10,
		.min_h = 5,
		.weight = 1,
		.rank = 6,
		.optional = 1 },
	    [SR_LAYOUT_SYSTEM] = { .order = 20,
		.min_h = 4,
		.weight = 3,
		.rank = 2 } },
	.help = { "p              show / hide the processes panel" },
	.hint = "p procs",
	.toggle_key = 'p',
	.create = procs_create,
	.destroy = procs_destroy,
	.draw = procs_draw,
	.key = procs_key,
};
