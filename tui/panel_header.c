/* SPDX-License-Identifier: MIT */
/*
 * panel_header: the top one or two lines: host, kernel, uptime, the
 * clock of the snapshot shown (local time), tick, sources with their
 * state, the OTLP export's state, events/s, LIVE or PAUSED, a replay
 * note, sitrep's own CPU % and RSS.  Not focusable.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct header {
	struct sr_tui_view *v;
	char host[128];
	char kernel[256];
};

static void *
header_create(const struct sr_tui_cfg *cfg)
{
	struct header *h = sr_xcalloc(1, sizeof(*h));
	struct utsname u;

	h->v = cfg->view;
	/* used when the snapshot has no host block yet */
	if (uname(&u) == 0) {
		snprintf(h->host, sizeof(h->host), "%s", u.nodename);
		snprintf(h->kernel, sizeof(h->kernel), "%s %s", u.sysname,
		    u.release);
	}
	return h;
}

static void
header_destroy(void *self)
{
	free(self);
}

/* "stdin ok 12k ev 3 rej (last error)" for each source, into b. */
static void
header_sources(const struct sr_snapshot *s, struct sr_buf *b)
{
	char n1[16];

	if (s->n_sources == 0) {
		sr_buf_adds(b, "no event source");
		return;
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct sr_snap_source *src = &s->sources[i];

		if (i > 0)
			sr_buf_adds(b, ", ");
		sr_buf_addf(b, "%s %s %s ev", src->name,
		    src->state == SR_SRC_ENDED
			? "ENDED"
			: sr_source_state_name(src->state),
		    sr_fmt_si(n1, sizeof(n1), (double)src->events));
		if (src->rejected > 0)
			sr_buf_addf(b, " %llu rej",
			    (unsigned long long)src->rejected);
		if (src->series_max > 0)
			sr_buf_addf(b, " %llu series",
			    (unsigned long long)src->series);
		if (src->series_dropped > 0) /* the cap was reached */
			sr_buf_addf(b, " (over the cap of %llu: %llu dropped)",
			    (unsigned long long)src->series_max,
			    (unsigned long long)src->series_dropped);
		/* why it is retrying or down, as /api/health says */
		if (src->last_error != NULL && *src->last_error != '\0')
			sr_buf_addf(b, " (%s)", src->last_error);
	}
}

/*
 * The OTLP export's state, as /api/health's otlp_export says it:
 * "export URL ok|BACKING OFF (retry in Ns): logs Q queued S sent D
 * dropped, metrics ... (last error)".  Dropped counts both the queue's overflow and what the
 * collector refused.  Nothing without --otlp-export.
 */
static void
header_export(const struct sr_snapshot *s, struct sr_buf *b)
{
	const struct sr_snap_otlp *x = &s->otlp;

	if (!x->on)
		return;
	sr_buf_addf(b, "  export %s ", x->url != NULL ? x->url : "?");
	if (!x->retrying)
		sr_buf_adds(b, "ok:");
	else if (x->next_attempt_ms > s->now_ms)
		sr_buf_addf(b, "BACKING OFF (retry in %llds):",
		    (long long)((x->next_attempt_ms - s->now_ms + 999) / 1000));
	else
		sr_buf_adds(b, "BACKING OFF:");
	for (int i = 0; i < SR_SNAP_OTLP__SIGNALS; i++) {
		const struct sr_snap_otlp_counts *c = &x->sig[i];

		sr_buf_addf(b, "%s %s %llu queued %llu sent %llu dropped",
		    i > 0 ? "," : "",
		    sr_snap_otlp_signal_name((enum sr_snap_otlp_signal)i),
		    (unsigned long long)c->queued, (unsigned long long)c->sent,
		    (unsigned long long)(c->dropped_queue_full +
			c->dropped_rejected));
	}
	/* kept after a recovery: what went wrong last, as health says */
	if (x->last_error != NULL && *x->last_error != '\0')
		sr_buf_addf(b, " (%s%s)",
		    x->retrying ? "" : "last error: ", x->last_error);
}

static void
header_draw(void *self, WINDOW *win, const struct sr_snapshot *s)
{
	struct header *h = self;
	struct sr_tui_view *v = h->v;
	attr_t a = v->attr[SR_ROLE_HEADER];
	char clock[32], up[32], rate[16], rss[24], cpu[16];
	const char *host =
	    s->host.hostname && *s->host.hostname ? s->host.hostname : h->host;
	const char *kernel =
	    s->host.kernel && *s->host.kernel ? s->host.kernel : h->kernel;
	int w = getmaxx(win), lines = getmaxy(win), x;
	struct sr_buf l1, l2;
	char mode[48];
	attr_t ma;
	size_t ncrit;

	sr_buf_init(&l1);
	sr_buf_init(&l2);
	/* paused: how far behind live the moment shown is */
	if (v->paused)
		snprintf(mode, sizeof(mode), "PAUSED -%llds",
		    (long long)(v->behind_ms / 1000));
	else
		snprintf(mode, sizeof(mode), "LIVE");
	sr_tui_fmt_clock(clock, sizeof(clock), s->now_ms, 1);
	if (isnan(s->host.uptime_s) || s->host.uptime_s <= 0)
		snprintf(up, sizeof(up), "-");
	else
		sr_fmt_duration(up, sizeof(up), (int64_t)s->host.uptime_s);
	sr_fmt_si(rate, sizeof(rate), s->totals.events_per_s);
	sr_fmt_bytes(rss, sizeof(rss), (double)s->self_rss_bytes, "");
	sr_fmt_pct(cpu, sizeof(cpu), s->self_cpu_pct);

	sr_buf_addf(&l1, "sitrep  %s  %s  up %s  %s  tick %llu", host, kernel,
	    up, clock, (unsigned long long)s->tick);
	sr_buf_addf(&l2, "%s ev/s  ", rate);
	header_sources(s, &l2);
	header_export(s, &l2);
	if (s->n_firing > 0)
		sr_buf_addf(&l2, "  %zu firing", s->n_firing);
	if (v->replay_clock)
		sr_buf_adds(&l2, "  REPLAY CLOCK (R: wall clock)");
	else if (s->totals.old_events > 0)
		sr_buf_addf(&l2,
		    "  replay: %llu old events to history "
		    "(R: replay clock)",
		    (unsigned long long)s->totals.old_events);
	sr_buf_addf(&l2, "  sitrep %s cpu %s", cpu, rss);

	sr_tui_fill(win, 0, 0, a);
	ma = v->paused ? v->attr[SR_ROLE_WARN] | A_BOLD | A_REVERSE
		       : v->attr[SR_ROLE_OK] | A_BOLD | A_REVERSE;
	x = sr_tui_putf(win, 0, 0, w, ma, " %s ", mode);
	/* a firing critical: a badge whose words say it without colour */
	if ((ncrit = sr_tui_crit_firing(s)) > 0)
		x += sr_tui_putf(win, 0, x, w - x,
		    v->attr[SR_ROLE_CRIT] | A_BOLD | A_REVERSE,
		    " %zu CRITICAL ", ncrit);
	if (lines >= 2) {
		sr_tui_put(win, 0, x + 1, w - x - 1, a | A_BOLD, l1.data, 0);
		sr_tui_fill(win, 1, 0, a);
		sr_tui_put(win, 1, 1, w - 1, a, l2.data, 0);
	} else {
		sr_buf_adds(&l1, "  ");
		sr_buf_adds(&l1, l2.data);
		sr_tui_put(win, 0, x + 1, w - x - 1, a, l1.data, 0);
	}
	sr_buf_release(&l1);
	sr_buf_release(&l2);
}

const struct sr_panel_ops sr_header_panel = {
	.name = "header",
	.id = SR_PANEL_HEADER,
	.create = header_create,
	.destroy = header_destroy,
	.draw = header_draw,
};
