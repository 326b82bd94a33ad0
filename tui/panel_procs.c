/* SPDX-License-Identifier: MIT */
/*
 * panel_procs: the top processes of the latest scan (shown with `p`, or
 * in the `system` layout): PID, user, CPU % of one core, RSS, memory %
 * (of MemTotal or the cgroup limit), name or, with `c`, the full command
 * line.  `s` cycles the by-CPU list, the by-memory list and both by
 * name; `/` (focused) filters them by name, user or command line.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum procs_sort {
	PROCS_BY_CPU,
	PROCS_BY_MEM,
	PROCS_BY_NAME
};

struct procs {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	enum procs_sort sort;
	int full; /* c: the full command line instead of the name */
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

static const char *
proc_name(const struct sr_snap_proc *q)
{
	return q->name ? q->name : "?";
}

/* By name, then PID. */
static int
procs_name_cmp(const void *pa, const void *pb)
{
	const struct sr_snap_proc *a = *(const struct sr_snap_proc *const *)pa;
	const struct sr_snap_proc *b = *(const struct sr_snap_proc *const *)pb;
	int c = strcasecmp(proc_name(a), proc_name(b));

	return c != 0 ? c : (a->pid > b->pid) - (a->pid < b->pid);
}

/* Whether h holds f, in any case (ASCII). */
static int
procs_has(const char *h, const char *f)
{
	size_t n = strlen(f);

	for (; h != NULL && *h; h++)
		if (strncasecmp(h, f, n) == 0)
			return 1;
	return 0;
}

/* Whether q's name, user or command line holds f. */
static int
procs_match(const struct sr_snap_proc *q, const char *f)
{
	return f[0] == '\0' || procs_has(proc_name(q), f) ||
	    procs_has(q->user, f) || procs_has(q->cmdline, f);
}

/*
 * The rows to show into out (room for both lists): the CPU or memory
 * list as the snapshot ranks it, or both lists' processes once each by
 * name; then only those matching the filter.  Returns how many.
 */
static size_t
procs_rows(const struct procs *p, const struct sr_snapshot *s,
    const struct sr_snap_proc **out)
{
	size_t n = 0, k = 0;

	if (p->sort != PROCS_BY_MEM)
		for (size_t i = 0; i < s->n_procs_cpu; i++)
			out[n++] = &s->procs_cpu[i];
	if (p->sort != PROCS_BY_CPU)
		for (size_t i = 0; i < s->n_procs_mem; i++) {
			size_t d = 0;

			while (d < n && out[d]->pid != s->procs_mem[i].pid)
				d++;
			if (d == n)
				out[n++] = &s->procs_mem[i];
		}
	if (p->sort == PROCS_BY_NAME && n > 1)
		qsort(out, n, sizeof(*out), procs_name_cmp);
	for (size_t i = 0; i < n; i++)
		if (procs_match(out[i], p->v->proc_filter))
			out[k++] = out[i];
	return k;
}

static void
procs_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	static const char *const sorts[] = { "by cpu", "by memory", "by name" };
	struct procs *p = self;
	struct sr_tui_view *v = p->v;
	const struct sr_snap_proc **rows;
	size_t n;
	int W = getmaxx(win), H = getmaxy(win),
	    focused = v->focus == SR_PANEL_PROCS;
	char cpu[16], rss[24], mem[16], extra[160];

	rows = sr_xcalloc(s->n_procs_cpu + s->n_procs_mem + 1, sizeof(*rows));
	n = procs_rows(p, s, rows);
	snprintf(extra, sizeof(extra), "%s  s sort  c %s  / filter%s%.64s",
	    sorts[p->sort], p->full ? "name" : "command line",
	    v->proc_filter[0] ? ": " : "", v->proc_filter);
	sr_tui_title(win, v, "Processes", extra, focused);
	sr_tui_putf(win, 1, 0, W, v->attr[SR_ROLE_DIM],
	    "%7s %-10s %6s %9s %6s  %s", "PID", "USER", "CPU%", "RSS", "MEM%",
	    p->full ? "COMMAND" : "NAME");
	sr_tui_list_fit(&p->list, (int)n, H - 2);
	if (n == 0)
		sr_tui_put(win, 2, 1, W - 1, v->attr[SR_ROLE_DIM],
		    s->n_procs_cpu + s->n_procs_mem == 0
			? "no process scan yet"
			: "no process matches the filter (Esc clears it)",
		    0);
	for (int i = 0; i < H - 2 && p->list.top + i < (int)n; i++) {
		const struct sr_snap_proc *q = rows[p->list.top + i];
		int sel = focused && p->list.top + i == p->list.sel;
		attr_t a =
		    sel ? v->attr[SR_ROLE_SELECT] : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, 2 + i, 0, a);
		if (q->cpu_pct >= 0)
			sr_fmt_pct(cpu, sizeof(cpu), q->cpu_pct);
		else
			snprintf(cpu, sizeof(cpu), "-");
		sr_fmt_bytes(rss, sizeof(rss), (double)q->rss_bytes, "");
		sr_fmt_pct(mem, sizeof(mem), q->mem_pct);
		sr_tui_putf(win, 2 + i, 0, W, a,
		    "%7d %-10.10s %6s %9s %6s  "
		    "%s",
		    q->pid, q->user ? q->user : "-", cpu, rss,
		    isnan(q->mem_pct) ? "-" : mem,
		    p->full && q->cmdline ? q->cmdline : proc_name(q));
	}
	free(rows);
}

static enum sr_key_result
procs_key(void *self, int ch)
{
	struct procs *p = self;

	switch (ch) {
	case 's':
		p->sort = (enum procs_sort)((p->sort + 1) % 3);
		return SR_KEY_REDRAW;
	case 'm':
		p->sort = p->sort == PROCS_BY_MEM ? PROCS_BY_CPU : PROCS_BY_MEM;
		return SR_KEY_REDRAW;
	case 'c':
		p->full = !p->full;
		return SR_KEY_REDRAW;
	case 27:
		if (p->v->proc_filter[0] == '\0')
			return SR_KEY_IGNORED;
		p->v->proc_filter[0] = '\0';
		return SR_KEY_REDRAW;
	default:
		return sr_tui_list_key(&p->list, ch);
	}
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
	.help = { "p              show / hide the processes panel",
	    "s / c          processes: sort cpu, memory, name / command line",
	    "/              processes focused: filter by name or user" },
	.hint = "p procs",
	.toggle_key = 'p',
	.create = procs_create,
	.destroy = procs_destroy,
	.draw = procs_draw,
	.key = procs_key,
};
