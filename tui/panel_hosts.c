/* SPDX-License-Identifier: MIT */
/*
 * panel_hosts: one KPI row per host (snapshot.hosts: events followed from
 * other nodes carry their host; the node-exporters prom: sources scrape,
 * and then this machine too), shown once more than one host is present:
 * the scrape's state and age (up, DOWN, stale; "local" for this machine),
 * the host's CPU, memory, load and root filesystem (node-exporter's, or
 * another sitrep's KPIs host.<HOST>.*, or this machine's own), then
 * events/s, 5xx %, p95 and events over the chart window ("-" for a host
 * that sends none).  A host that is down is red, a stale one yellow.  Enter
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

/* A figure as "12.5%" (pct) or "1.25", or "-" when NAN. */
static void
hosts_fig(char *buf, size_t n, double v, int pct)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, pct ? "%.1f%%" : "%.2f", v);
}

/* The row's scrape: "up 3s", "DOWN 40s", "stale 5m", "local" or "-". */
static void
hosts_scrape(char *buf, size_t n, const struct sr_snap_hostrow *h,
    int64_t now_ms)
{
	int64_t age = h->scrape_ms > 0 && now_ms > h->scrape_ms
	    ? (now_ms - h->scrape_ms) / 1000
	    : 0;

	if (h->scrape == SR_SNAP_SCRAPE_NONE) {
		snprintf(buf, n, "%s", h->local ? "local" : "-");
		return;
	}
	snprintf(buf, n, age < 120 ? "%s %llds" : "%s %lldm",
	    h->scrape == SR_SNAP_SCRAPE_UP	   ? "up"
		: h->scrape == SR_SNAP_SCRAPE_DOWN ? "DOWN"
						   : "stale",
	    (long long)(age < 120 ? age : age / 60));
}

static void
hosts_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct hosts *p = self;
	struct sr_tui_view *v = p->v;
	enum sr_window sw = sr_tui_snap_window(v->window);
	int W = getmaxx(win), H = getmaxy(win),
	    focused = v->focus == SR_PANEL_HOSTS;
	char extra[200], rate[16], err[16], p95[16], ev[16], cpu[16], mem[16],
	    load[16], fs[16], scr[32];

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
	    "  %-24s %-10s %6s %6s %6s %6s %8s %6s %8s %7s", "HOST", "SCRAPE",
	    "CPU", "MEM", "LOAD", "FS", "EV/S", "5XX%", "P95", "EVENTS");
	for (int i = 0; i < H - 2 && p->list.top + i < (int)s->n_hosts; i++) {
		const struct sr_snap_hostrow *h = &s->hosts[p->list.top + i];
		const struct sr_snap_win *w = &h->win[sw];
		int sel = focused && p->list.top + i == p->list.sel;
		int on = v->host[0] && strcmp(v->host, h->name) == 0;
		attr_t a = sel ? v->attr[SR_ROLE_SELECT]
		    : h->scrape == SR_SNAP_SCRAPE_DOWN || w->rate_5xx >= 0.05
		    ? v->attr[SR_ROLE_CRIT]
		    : h->scrape == SR_SNAP_SCRAPE_STALE
		    ? v->attr[SR_ROLE_WARN]
		    : v->attr[SR_ROLE_NORMAL];

		if (sel)
			sr_tui_fill(win, 2 + i, 0, a);
		if (h->events == 0) { /* scraped or local only: no events */
			snprintf(rate, sizeof(rate), "-");
			snprintf(err, sizeof(err), "-");
		} else {
			snprintf(rate, sizeof(rate), "%.2f", w->req_per_s);
			snprintf(err, sizeof(err), "%.1f%%",
			    100.0 * w->rate_5xx);
		}
		if (isnan(w->p95) || w->lat_n == 0)
			snprintf(p95, sizeof(p95), "-");
		else
			snprintf(p95, sizeof(p95), "%.0f ms", w->p95);
		sr_fmt_si(ev, sizeof(ev), (double)h->events);
		hosts_fig(cpu, sizeof(cpu), h->cpu_pct, 1);
		hosts_fig(mem, sizeof(mem), h->mem_pct, 1);
		hosts_fig(load, sizeof(load), h->load1, 0);
		hosts_fig(fs, sizeof(fs), h->fs_pct, 1);
		hosts_scrape(scr, sizeof(scr), h, s->now_ms);
		sr_tui_putf(win, 2 + i, 0, W, a,
		    "%c %-24.24s %-10.10s %6s %6s %6s %6s %8s %6s %8s %7s",
		    on ? '*' : ' ', h->name, scr, cpu, mem, load, fs, rate, err,
		    p95, ev);
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
	.slot = { [SR_LAYOUT_FULL] = { .order = 20,
		      .min_h = 4,
		      .weight = 1,
		      .rank = 5,
		      .needs = SR_LAYOUT_HOSTS },
	    [SR_LAYOUT_COMPACT] = { .order = 20,
		.min_h = 4,
		.weight = 1,
		.rank = 5,
		.needs = SR_LAYOUT_HOSTS } },
	.create = hosts_create,
	.destroy = hosts_destroy,
	.draw = hosts_draw,
	.key = hosts_key,
};
