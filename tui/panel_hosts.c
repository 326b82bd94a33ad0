/* SPDX-License-Identifier: MIT */
/*
 * panel_hosts: one KPI row per host (snapshot.hosts: events followed from
 * other nodes carry their host), shown once more than one host is
 * present: events/s, 5xx %, p95 and events over the chart window, and
 * the host's own CPU and memory tiles when it is another sitrep (its KPIs
 * arrive as the metrics host.<HOST>.cpu, host.<HOST>.mem).  Enter
 * on a host filters the services panel (its per-host service rows) and
 * the event log (host=NAME) to that host; Enter again or Esc shows all.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hosts {
	struct sr_tui_view *v;
	struct sr_tui_list list;
	int toggle; /* Enter pressed */
	int clear;  /* Esc pressed */
};

static void *
hosts_create(const struct sr_tui_cfg *cfg)
{
	struct hosts *p = sr_xcalloc(1, sizeof(*p));

	p->v = cfg->view;
	return p;
}

static void
hosts_destroy(void *self)
{
	free(self);
}

/* Point the services panel and the event log at host (NULL: all). */
static void
hosts_apply(struct sr_tui_view *v, const char *host)
{
	char q[160];
	struct sr_err err;

	if (host == NULL) {
		if (v->host[0] != '\0' && v->filter.src != NULL &&
		    strncmp(v->filter.src, "host=", 5) == 0)
			sr_query_init(&v->filter);
		v->host[0] = '\0';
		snprintf(v->flash, sizeof(v->flash), "all hosts");
		return;
	}
	snprintf(v->host, sizeof(v->host), "%s", host);
	snprintf(q, sizeof(q), "host=%s", host);
	if (sr_query_parse(&v->filter, q, &err) == -1)
		sr_query_init(&v->filter);
	snprintf(v->flash, sizeof(v->flash),
	    "host: %s (Enter or Esc in "
	    "Hosts: all)",
	    host);
}

/* The remote KPI host.<host>.<id> as "12.5%", or "-". */
static void
hosts_kpi(char *buf, size_t n, const struct sr_snapshot *s, const char *host,
    const char *id)
{
	char name[256];
	const struct sr_snap_metric *m;

	snprintf(name, sizeof(name), "host.%s.%s", host, id);
	m = sr_snapshot_metric(s, name);
	if (m == NULL || isnan(m->value))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", m->value);
}

static void
hosts_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct hosts *p = self;
	struct sr_tui_view *v = p->v;
	enum sr_window sw = sr_tui_snap_window(v->window);
	int W = getmaxx(win), H = getmaxy(win),
	    focused = v->focus == SR_PANEL_HOSTS;
	char extra[200], rate[16], err[16], p95[16], ev[16], cpu[16], mem[16];

	sr_tui_list_fit(&p->list, (int)s->n_hosts, H - 2);
	if (p->toggle || p->clear) {
		if (p->clear ||
		    (p->list.sel >= 0 && (size_t)p->list.sel < s->n_hosts &&
			strcmp(v->host, s->hosts[p->list.sel].name) == 0))
			hosts_apply(v, NULL);
		else if (p->list.sel >= 0 && (size_t)p->list.sel < s->n_hosts)
			hosts_apply(v, s->hosts[p->list.sel].name);
		p->toggle = p->clear = 0;
	}
	snprintf(extra, sizeof(extra), "[%s] %zu  %s",
	    sr_tui_window_name(sw == SR_WIN_1M ? SR_TUI_WIN_1M
		    : sw == SR_WIN_5M	       ? SR_TUI_WIN_5M
					       : SR_TUI_WIN_1H),
	    s->n_hosts,
	    v->host[0] ? "showing one host  Esc: all" : "Enter: show one host");
	sr_tui_title(win, v, "Hosts", extra, focused);
	sr_tui_putf(win, 1, 0, W, v->attr[SR_ROLE_DIM],
	    "  %-28s %9s %7s "
	    "%9s %9s %7s %7s",
	    "HOST", "EV/S", "5XX%", "P95", "EVENTS", "CPU", "MEM");
	for (int i = 0; i < H - 2 && p->list.top + i < (int)s->n_hosts; i++) {
		const struct sr_snap_hostrow *h = &s->hosts[p->list.top + i];
		const struct sr_snap_win *w = &h->win[sw];
		int sel = focused && p->list.top + i == p->list.sel;
		int on = v->host[0] && strcmp(v->host, h->name) == 0;
		attr_t a = sel		  ? v->attr[SR_ROLE_SELECT]
		    : w->rate_5xx >= 0.05 ? v->attr[SR_ROLE_CRIT]
					  : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, 2 + i, 0, a);
		snprintf(rate, sizeof(rate), "%.2f", w->req_per_s);
		snprintf(err, sizeof(err), "%.1f%%", 100.0 * w->rate_5xx);
		if (isnan(w->p95) || w->lat_n == 0)
			snprintf(p95, sizeof(p95), "-");
		else
			snprintf(p95, sizeof(p95), "%.0f ms", w->p95);
		sr_fmt_si(ev, sizeof(ev), (double)h->events);
		hosts_kpi(cpu, sizeof(cpu), s, h->name, "cpu");
		hosts_kpi(mem, sizeof(mem), s, h->name, "mem");
		sr_tui_putf(win, 2 + i, 0, W, a,
		    "%c %-28.28s %9s %7s %9s "
		    "%9s %7s %7s",
		    on ? '*' : ' ', h->name, rate, err, p95, ev, cpu, mem);
	}
}

static enum sr_key_result
hosts_key(void *self, int ch)
{
	struct hosts *p = self;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		p->toggle = 1;
		return SR_KEY_REDRAW;
	}
	if (ch == 27 && p->v->host[0] != '\0') {
		p->clear = 1;
		return SR_KEY_REDRAW;
	}
	return sr_tui_list_key(&p->list, ch);
}

const struct sr_panel_ops sr_hosts_panel = {
	.name = "hosts",
	.id = SR_PANEL_HOSTS,
	.create = hosts_create,
	.destroy = hosts_destroy,
	.draw = hosts_draw,
	.key = hosts_key,
};
