/* SPDX-License-Identifier: MIT */
/*
 * engine: glue between the live state (agg, series, insights) and the
 * published snapshot.  Everything here runs on the main loop's thread
 * except sr_engine_snapshot(), which only touches `current` under `lock`.
 */
#include "core/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/agg.h"
#include "core/field.h"
#include "core/insight.h"
#include "core/metric.h"
#include "core/llm.h"
#include "core/series.h"

#define ENG_MAX_PROCS 10
#define ENG_MAX_ENDPOINTS 20 /* per service in the snapshot */
#define ENG_TOP_ENDPOINTS 20
#define ENG_TOP_USERS 10
#define ENG_MAX_ERRORS 100

struct eng_proc {
	int pid;
	char name[64];
	char user[32];
	char cmdline[256];
	int has_user;
	double cpu_pct, mem_pct;
	uint64_t rss_bytes;
};

struct eng_event {
	uint64_t seq;
	struct sr_event ev; /* owned: sr_event_copy() */
};

struct eng_hook {
	const struct sr_engine_hook *ops;
	void *self;
};

struct eng_kpi_hist {
	float v[SR_SNAP_HIST];
	int n;
};

struct sr_engine {
	const struct sr_config *cfg;
	struct sr_agg *agg;
	struct sr_series_set *series;
	struct sr_insights *ins;
	struct eng_proc pcpu[ENG_MAX_PROCS], pmem[ENG_MAX_PROCS];
	size_t n_pcpu, n_pmem;
	struct sr_snap_source *src; /* deep copies */
	size_t n_src;
	struct eng_event recent[SR_SNAP_RECENT];
	size_t recent_head, recent_n;
	uint64_t seq;
	uint64_t tick;
	int64_t now_ms;
	struct eng_hook *hooks;
	size_t n_hooks;
	struct sr_store *tick_store; /* during a tick only */
	uint64_t persist_errors;
	int64_t last_cpu_us, last_mono_us;
	double self_cpu_pct;
	uint64_t self_rss;
	struct sr_snap_store store;
	char store_error[256];
	struct sr_snap_otlp otlp;
	char otlp_url[512];
	char otlp_error[256];
	char hostname[256];
	char kernel[256];
	int ncpu;
	struct eng_kpi_hist khist[SR_KPI_COUNT];
	pthread_mutex_t lock;
	struct sr_snapshot *current;
};

/* Each KPI's stable id (enum sr_kpi_id order): JSON, "kpi.<id>" samples. */
static const char *const eng_kpi_keys[SR_KPI_COUNT] = { "cpu", "mem", "load",
	"disk", "net", "events", "errors", "p95", "users", "sessions" };

struct sr_engine *
sr_engine_new(const struct sr_config *cfg)
{
	struct sr_engine *e = sr_xcalloc(1, sizeof(*e));
	struct utsname u;
	long n;

	e->cfg = cfg;
	e->now_ms = sr_now_ms();
	e->agg = sr_agg_new(e->now_ms, cfg->insights.active_session_ms,
	    cfg->insights.baseline_ms);
	sr_agg_set_limits(e->agg, &cfg->limits);
	e->series = sr_series_set_new(SR_SERIES_CAP);
	e->ins = sr_insights_new(cfg);
	if (pthread_mutex_init(&e->lock, NULL) != 0)
		SR_BUG("pthread_mutex_init failed");
	e->current = sr_snapshot_empty();
	if (gethostname(e->hostname, sizeof(e->hostname) - 1) != 0)
		e->hostname[0] = '\0';
	if (uname(&u) == 0)
		(void)snprintf(e->kernel, sizeof(e->kernel), "%s %s", u.sysname,
		    u.release);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	e->ncpu = n > 0 ? (int)n : 1;
	e->self_cpu_pct = NAN;
	return e;
}

static void
free_sources(struct sr_engine *e)
{
	for (size_t i = 0; i < e->n_src; i++) {
		struct sr_snap_source *s = &e->src[i];

		free((char *)s->name);
		free((char *)s->kind);
		free((char *)s->last_error);
		free((char *)s->notice);
		for (size_t k = 0; k < s->n_rejected_by_reason; k++)
			free((char *)s->rejected_by_reason[k].name);
		free(s->rejected_by_reason);
	}
	free(e->src);
	e->src = NULL;
	e->n_src = 0;
}

void
sr_engine_free(struct sr_engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n_hooks; i++)
		if (e->hooks[i].ops->free != NULL)
			e->hooks[i].ops->free(e->hooks[i].self);
	free(e->hooks);
	for (size_t i = 0; i < e->recent_n; i++)
		sr_event_release(
		    &e->recent[(e->recent_head + i) % SR_SNAP_RECENT].ev);
	free_sources(e);
	sr_insights_free(e->ins);
	sr_series_set_free(e->series);
	sr_agg_free(e->agg);
	sr_snapshot_unref(e->current);
	(void)pthread_mutex_destroy(&e->lock);
	free(e);
}

void
sr_engine_add_hook(struct sr_engine *e, const struct sr_engine_hook *ops,
    void *self)
{
	e->hooks = sr_xrealloc(e->hooks, (e->n_hooks + 1) * sizeof(*e->hooks));
	e->hooks[e->n_hooks].ops = ops;
	e->hooks[e->n_hooks].self = self;
	e->n_hooks++;
}

void
sr_engine_event(struct sr_engine *e, const struct sr_event *ev)
{
	struct eng_event *slot;

	sr_agg_add_event(e->agg, ev);
	if (e->recent_n == SR_SNAP_RECENT) {
		slot = &e->recent[e->recent_head];
		sr_event_release(&slot->ev);
		e->recent_head = (e->recent_head + 1) % SR_SNAP_RECENT;
	} else {
		slot =
		    &e->recent[(e->recent_head + e->recent_n) % SR_SNAP_RECENT];
		e->recent_n++;
	}
	slot->seq = ++e->seq;
	sr_event_copy(&slot->ev, ev);
}

void
sr_engine_sample(struct sr_engine *e, const char *name, const char *unit,
    int64_t ts_ms, double value)
{
	sr_series_set_push(e->series, name, unit, ts_ms, value);
}

void
sr_engine_samples(struct sr_engine *e, const struct sr_metric_set *set,
    int64_t ts_ms)
{
	size_t n = sr_metric_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const struct sr_metric *m = sr_metric_set_at(set, i);

		sr_series_set_push(e->series, m->name, m->unit, ts_ms,
		    m->value);
	}
}

/*
 * A process's memory %: its RSS over the memory the memory tile is
 * about, the host's MemTotal or the cgroup's limit when that is lower
 * (the tile then shows the cgroup); NAN before the first sample.
 */
static double
engine_mem_pct(struct sr_engine *e, int64_t rss_bytes)
{
	double total =
		   sr_series_at(sr_series_set_get(e->series, "mem.total_bytes"),
		       0),
	       lim = sr_series_at(sr_series_set_get(e->series,
				      "cgroup.memory.max_bytes"),
		   0);

	if (!isnan(lim) && lim > 0 && (isnan(total) || lim < total))
		total = lim;
	return total > 0 ? 100.0 * (double)rss_bytes / total : NAN;
}

static void
copy_procs(struct eng_proc *dst, size_t *n, const struct sr_snap_proc *src,
    size_t count)
{
	if (count > ENG_MAX_PROCS)
		count = ENG_MAX_PROCS;
	for (size_t i = 0; i < count; i++) {
		dst[i].pid = src[i].pid;
		(void)snprintf(dst[i].name, sizeof(dst[i].name), "%s",
		    src[i].name ? src[i].name : "?");
		dst[i].has_user = src[i].user != NULL;
		(void)snprintf(dst[i].user, sizeof(dst[i].user), "%s",
		    src[i].user ? src[i].user : "");
		(void)snprintf(dst[i].cmdline, sizeof(dst[i].cmdline), "%s",
		    src[i].cmdline ? src[i].cmdline : "");
		dst[i].cpu_pct = src[i].cpu_pct;
		dst[i].mem_pct = src[i].mem_pct;
		dst[i].rss_bytes = src[i].rss_bytes;
	}
	*n = count;
}

void
sr_engine_procs(struct sr_engine *e, const struct sr_snap_proc *by_cpu,
    size_t n_cpu, const struct sr_snap_proc *by_mem, size_t n_mem)
{
	copy_procs(e->pcpu, &e->n_pcpu, by_cpu, n_cpu);
	copy_procs(e->pmem, &e->n_pmem, by_mem, n_mem);
}

void
sr_engine_toplist(struct sr_engine *e, const struct sr_toplist *t)
{
	struct sr_snap_proc pc[SR_TOP_N], pm[SR_TOP_N];
	int nc = t->n_cpu < SR_TOP_N ? t->n_cpu : SR_TOP_N;
	int nm = t->n_mem < SR_TOP_N ? t->n_mem : SR_TOP_N;

	for (int which = 0; which < 2; which++) {
		const struct sr_procinfo *src = which ? t->mem : t->cpu;
		struct sr_snap_proc *d = which ? pm : pc;
		int n = which ? nm : nc;

		for (int i = 0; i < n; i++) {
			d[i].pid = src[i].pid;
			d[i].name = src[i].comm;
			d[i].user = src[i].user[0] ? src[i].user : NULL;
			d[i].cmdline =
			    src[i].cmdline[0] ? src[i].cmdline : NULL;
			d[i].cpu_pct = src[i].cpu_pct;
			d[i].rss_bytes = src[i].rss_bytes;
		}
	}
	sr_engine_procs(e, pc, (size_t)(nc > 0 ? nc : 0), pm,
	    (size_t)(nm > 0 ? nm : 0));
}

static char *
dup_or_null(const char *s)
{
	return s ? sr_xstrdup(s) : NULL;
}

void
sr_engine_sources(struct sr_engine *e, const struct sr_snap_source *src,
    size_t n)
{
	free_sources(e);
	if (n == 0)
		return;
	e->src = sr_xcalloc(n, sizeof(*e->src));
	e->n_src = n;
	for (size_t i = 0; i < n; i++) {
		struct sr_snap_source *d = &e->src[i];

		*d = src[i];
		d->name = sr_xstrdup(src[i].name ? src[i].name : "?");
		d->kind = sr_xstrdup(src[i].kind ? src[i].kind : "?");
		d->last_error = dup_or_null(src[i].last_error);
		d->notice = dup_or_null(src[i].notice);
		d->rejected_by_reason = NULL;
		if (src[i].n_rejected_by_reason > 0) {
			d->rejected_by_reason =
			    sr_xcalloc(src[i].n_rejected_by_reason,
				sizeof(*d->rejected_by_reason));
			for (size_t k = 0; k < src[i].n_rejected_by_reason;
			     k++) {
				d->rejected_by_reason[k].name = sr_xstrdup(
				    src[i].rejected_by_reason[k].name);
				d->rejected_by_reason[k].count =
				    src[i].rejected_by_reason[k].count;
			}
		}
	}
}

void
sr_engine_store(struct sr_engine *e, const struct sr_snap_store *st)
{
	e->store = *st;
	e->store.known = 1;
	(void)snprintf(e->store_error, sizeof(e->store_error), "%s",
	    st->error != NULL ? st->error : "");
	e->store.error = NULL;
}

void
sr_engine_otlp(struct sr_engine *e, const struct sr_snap_otlp *st)
{
	e->otlp = *st;
	(void)snprintf(e->otlp_url, sizeof(e->otlp_url), "%s",
	    st->url != NULL ? st->url : "");
	(void)snprintf(e->otlp_error, sizeof(e->otlp_error), "%s",
	    st->last_error != NULL ? st->last_error : "");
	e->otlp.url = e->otlp.last_error = NULL;
}

void
sr_engine_self_rss(struct sr_engine *e, uint64_t rss_bytes)
{
	e->self_rss = rss_bytes;
}

int
sr_engine_restore(struct sr_engine *e, struct sr_store *st, struct sr_err *err)
{
	return sr_insights_restore(e->ins, st, e->now_ms, err);
}

struct eng_fill {
	struct eng_kpi_hist *h;
	int64_t first_ms, step_ms;
};

static void
engine_fill_point(void *ctx, const struct sr_series_point *pt)
{
	struct eng_fill *f = ctx;
	int64_t i = (pt->ts_ms - f->first_ms) / f->step_ms;

	if (i >= 0 && i < SR_SNAP_HIST)
		f->h->v[i] = (float)pt->avg;
}

int
sr_engine_backfill(struct sr_engine *e, struct sr_store *st, int64_t now_ms,
    struct sr_err *err)
{
	int64_t step = e->cfg->general.interval_ms > 0
	    ? e->cfg->general.interval_ms
	    : 1000;
	/* the bucket of the newest tick before now, and SR_SNAP_HIST back */
	int64_t last = (now_ms - 1) / step * step;
	int64_t first = last - (int64_t)(SR_SNAP_HIST - 1) * step;

	for (int id = 0; id < SR_KPI_COUNT; id++) {
		struct eng_kpi_hist *h = &e->khist[id];
		struct eng_fill f = { h, first, step };
		char name[64];
		int skip = 0;

		if (h->n > 0)
			continue; /* ticks ran already: keep them */
		for (int i = 0; i < SR_SNAP_HIST; i++)
			h->v[i] = NAN;
		snprintf(name, sizeof(name), "kpi.%s", eng_kpi_keys[id]);
		if (sr_store_series(st, name, first, last + step, step,
			engine_fill_point, &f, err) == -1)
			return -1;
		/* from the first stored value on; gaps stay NAN */
		while (skip < SR_SNAP_HIST && isnan(h->v[skip]))
			skip++;
		h->n = SR_SNAP_HIST - skip;
		memmove(h->v, h->v + skip, (size_t)h->n * sizeof(float));
	}
	return 0;
}

/* ---- tick ---- */

static void
on_transition(void *ctx, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms)
{
	struct sr_engine *e = ctx;

	if (e->tick_store != NULL &&
	    sr_insights_save(e->tick_store, in, 1, NULL) < 0)
		e->persist_errors++;
	for (size_t i = 0; i < e->n_hooks; i++)
		if (e->hooks[i].ops->transition != NULL)
			e->hooks[i].ops->transition(e->hooks[i].self, in, from,
			    now_ms);
}

/*
 * Firing insights' rows are written on transitions only: keep their
 * last_seen current, one cheap UPDATE each in the store's open batch.
 */
static void
engine_touch_firing(struct sr_engine *e, struct sr_store *st)
{
	struct sr_snap_insight in;

	for (size_t i = 0; i < sr_insights_count(e->ins); i++) {
		sr_insights_get(e->ins, i, &in);
		if (in.state == SR_INS_FIRING &&
		    sr_store_touch_insight(st, in.id, in.last_seen_ms, NULL) <
			0)
			e->persist_errors++;
	}
}

static void
engine_view(struct sr_engine *e, struct sr_view *v, struct sr_snap_proc *pc,
    struct sr_snap_proc *pm)
{
	memset(v, 0, sizeof(*v));
	v->now_ms = e->now_ms;
	v->interval_ms = e->cfg->general.interval_ms;
	v->series = e->series;
	v->agg = e->agg;
	for (size_t i = 0; i < e->n_pcpu; i++) {
		pc[i].pid = e->pcpu[i].pid;
		pc[i].name = e->pcpu[i].name;
		pc[i].user = e->pcpu[i].has_user ? e->pcpu[i].user : NULL;
		pc[i].cpu_pct = e->pcpu[i].cpu_pct;
		pc[i].mem_pct = engine_mem_pct(e, e->pcpu[i].rss_bytes);
		pc[i].rss_bytes = e->pcpu[i].rss_bytes;
	}
	for (size_t i = 0; i < e->n_pmem; i++) {
		pm[i].pid = e->pmem[i].pid;
		pm[i].name = e->pmem[i].name;
		pm[i].user = e->pmem[i].has_user ? e->pmem[i].user : NULL;
		pm[i].cpu_pct = e->pmem[i].cpu_pct;
		pm[i].mem_pct = engine_mem_pct(e, e->pmem[i].rss_bytes);
		pm[i].rss_bytes = e->pmem[i].rss_bytes;
	}
	v->procs_cpu = pc;
	v->n_procs_cpu = e->n_pcpu;
	v->procs_mem = pm;
	v->n_procs_mem = e->n_pmem;
	v->ncpu = e->ncpu;
	v->stale_ms = 5 * v->interval_ms > 120000 ? 5 * v->interval_ms : 120000;
}

static struct sr_snapshot *
engine_build(struct sr_engine *e, const struct sr_view *v);

int
sr_engine_tick(struct sr_engine *e, int64_t now_ms, struct sr_store *st)
{
	struct sr_snap_proc pc[ENG_MAX_PROCS], pm[ENG_MAX_PROCS];
	struct sr_view v;
	struct sr_snapshot *snap, *old;
	int64_t cpu = sr_cpu_us(), mono = sr_mono_us();
	int n;

	if (e->last_mono_us > 0 && mono > e->last_mono_us)
		e->self_cpu_pct = 100.0 * (double)(cpu - e->last_cpu_us) /
		    (double)(mono - e->last_mono_us);
	e->last_cpu_us = cpu;
	e->last_mono_us = mono;
	e->now_ms = now_ms;
	e->tick++;
	sr_agg_tick(e->agg, now_ms);
	engine_view(e, &v, pc, pm);
	e->tick_store = st;
	n = sr_insights_eval(e->ins, &v, on_transition, e);
	e->tick_store = NULL;
	if (st != NULL)
		engine_touch_firing(e, st);
	for (size_t i = 0; i < e->n_hooks; i++)
		if (e->hooks[i].ops->tick != NULL)
			e->hooks[i].ops->tick(e->hooks[i].self, now_ms);
	snap = engine_build(e, &v);
	(void)pthread_mutex_lock(&e->lock);
	old = e->current;
	e->current = snap;
	(void)pthread_mutex_unlock(&e->lock);
	sr_snapshot_unref(old);
	return n;
}

struct sr_snapshot *
sr_engine_snapshot(struct sr_engine *e)
{
	struct sr_snapshot *s;

	(void)pthread_mutex_lock(&e->lock);
	s = sr_snapshot_ref(e->current);
	(void)pthread_mutex_unlock(&e->lock);
	return s;
}

/* ---- snapshot building ---- */

static void
hist_push(struct eng_kpi_hist *h, double v)
{
	if (h->n == SR_SNAP_HIST) {
		memmove(h->v, h->v + 1, (SR_SNAP_HIST - 1) * sizeof(float));
		h->n--;
	}
	h->v[h->n++] = (float)v;
}

/* Value of a metric `ticks` samples back (for trend arrows). */
static double
metric_prev(const struct sr_engine *e, const char *name, size_t ticks)
{
	const struct sr_series *s = sr_series_set_get(e->series, name);

	return sr_series_at(s, ticks);
}

/* Sum / max of metrics matching "PREFIX*SUFFIX" (instance not "total"). */
static double
metric_max(const struct sr_view *v, const char *prefix, const char *suffix)
{
	double best = NAN;
	size_t pl = strlen(prefix), sl = strlen(suffix);

	for (size_t i = 0; i < sr_series_set_count(v->series); i++) {
		const char *name = sr_series_set_name(v->series, i);
		size_t nl = strlen(name);
		double x;

		if (nl <= pl + sl || strncmp(name, prefix, pl) != 0 ||
		    strcmp(name + nl - sl, suffix) != 0 ||
		    strncmp(name + pl, "total.", 6) == 0)
			continue;
		x = sr_view_metric(v, name);
		if (!isnan(x) && (isnan(best) || x > best))
			best = x;
	}
	return best;
}

static double
add2(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return a + b;
}

static void
kpi_set(struct sr_engine *e, struct sr_snapshot *s, enum sr_kpi_id id,
    const char *label, const char *unit, double value, double prev,
    const char *rule, double scale)
{
	struct sr_snap_kpi *k = &s->kpi[id];
	const struct sr_rule_params *p =
	    rule ? sr_config_rule(e->cfg, rule) : NULL;

	k->id = eng_kpi_keys[id];
	k->label = label;
	k->unit = unit;
	k->value = value;
	k->value2 = NAN;
	k->unit2 = NULL;
	k->prev = prev;
	k->warn = p && p->enabled ? p->warn * scale : NAN;
	k->crit = p && p->enabled ? p->crit * scale : NAN;
	k->level = 0;
	if (!isnan(value) && !isnan(k->crit) && value >= k->crit)
		k->level = 2;
	else if (!isnan(value) && !isnan(k->warn) && value >= k->warn)
		k->level = 1;
	hist_push(&e->khist[id], value);
	k->hist_n = e->khist[id].n;
	memcpy(k->hist, e->khist[id].v, (size_t)k->hist_n * sizeof(float));
}

static void
build_kpis(struct sr_engine *e, struct sr_snapshot *s, const struct sr_view *v)
{
	struct sr_snap_win w1, wp;
	struct sr_snap_users u;
	double ncpu = sr_view_metric(v, "cpu.count");
	double net, netp, disk_b;
	size_t back = 60;

	if (isnan(ncpu) || ncpu < 1)
		ncpu = e->ncpu;
	sr_agg_total_win(e->agg, SR_WIN_1M, &w1);
	sr_agg_total_prev(e->agg, SR_WIN_1M, &wp);
	kpi_set(e, s, SR_KPI_CPU, "CPU", "%",
	    sr_view_metric(v, "cpu.total.busy_pct"),
	    metric_prev(e, "cpu.total.busy_pct", back), "cpu", 1);
	kpi_set(e, s, SR_KPI_MEM, "Memory", "%",
	    sr_view_metric(v, "mem.used_pct"),
	    metric_prev(e, "mem.used_pct", back), "memory", 1);
	kpi_set(e, s, SR_KPI_LOAD, "Load", "", sr_view_metric(v, "load.1"),
	    metric_prev(e, "load.1", back), "load", ncpu);
	s->kpi[SR_KPI_LOAD].value2 = sr_view_metric(v, "load.1") / ncpu;
	s->kpi[SR_KPI_LOAD].unit2 = "per core";
	kpi_set(e, s, SR_KPI_DISK, "Disk", "%",
	    metric_max(v, "disk.", ".util_pct"), NAN, NULL, 1);
	disk_b = add2(sr_view_metric(v, "disk.total.read_bytes_per_s"),
	    sr_view_metric(v, "disk.total.write_bytes_per_s"));
	s->kpi[SR_KPI_DISK].value2 = disk_b;
	s->kpi[SR_KPI_DISK].unit2 = "bytes/s";
	net = add2(sr_view_metric(v, "net.total.rx_bytes_per_s"),
	    sr_view_metric(v, "net.total.tx_bytes_per_s"));
	netp = add2(metric_prev(e, "net.total.rx_bytes_per_s", back),
	    metric_prev(e, "net.total.tx_bytes_per_s", back));
	kpi_set(e, s, SR_KPI_NET, "Network", "bytes/s", net, netp, NULL, 1);
	kpi_set(e, s, SR_KPI_EVENTS, "Events", "/s", w1.req_per_s, wp.req_per_s,
	    NULL, 1);
	kpi_set(e, s, SR_KPI_ERRORS, "Errors", "%",
	    w1.requests ? 100 * w1.rate_5xx : NAN,
	    wp.requests ? 100 * wp.rate_5xx : NAN, "error_rate", 100);
	kpi_set(e, s, SR_KPI_P95, "p95", "ms", w1.p95, wp.p95, NULL, 1);
	sr_agg_users(e->agg, &u, NULL, 0);
	kpi_set(e, s, SR_KPI_USERS, "Users", "", (double)u.active_users, NAN,
	    NULL, 1);
	kpi_set(e, s, SR_KPI_SESSIONS, "Sessions", "",
	    (double)u.active_sessions, NAN, NULL, 1);
}

static void
build_metrics(struct sr_engine *e, struct sr_snapshot *s,
    const struct sr_view *v)
{
	size_t n = sr_series_set_count(e->series);

	s->n_metrics = n;
	s->metrics = sr_snapshot_alloc(s, n * sizeof(*s->metrics));
	for (size_t i = 0; i < n; i++) {
		struct sr_snap_metric *m = &s->metrics[i];
		const char *name = sr_series_set_name(e->series, i);
		const struct sr_series *ser = sr_series_set_at(e->series, i);

		m->name = sr_snapshot_strdup(s, name);
		m->unit =
		    sr_snapshot_strdup(s, sr_series_set_unit(e->series, name));
		m->value = sr_view_metric(v, name);
		m->ts_ms = sr_series_ts_at(ser, 0);
		m->hist_n =
		    (int)sr_series_last(ser, SR_SNAP_HIST, m->hist, NULL);
	}
}

static int
llm_row_cmp(const void *a, const void *b)
{
	const struct sr_snap_llm *x = a, *y = b;
	int c = strcmp(x->model, y->model);

	return c != 0 ? c : strcmp(x->server, y->server);
}

/*
 * One row per key (server and model) of the llm.<server>.<model>.<field>
 * metrics (core/llm.h), from the metrics just built; rows are found by
 * key (a model whose name continues another's with a dot sorts between
 * its fields), then sorted by model and server; a row whose every
 * figure is stale is left out.
 */
static void
build_llm(struct sr_snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_metrics; i++)
		if (sr_llm_split(s->metrics[i].name, NULL, NULL) >= 0)
			n++;
	if (n == 0)
		return;
	s->llm = sr_snapshot_alloc(s, n * sizeof(*s->llm));
	for (size_t i = 0; i < s->n_metrics; i++) {
		const struct sr_snap_metric *m = &s->metrics[i];
		const char *key;
		size_t len, k;
		int f = sr_llm_split(m->name, &key, &len);

		if (f < 0)
			continue;
		for (k = 0; k < s->n_llm; k++)
			if (strlen(s->llm[k].key) == len &&
			    strncmp(s->llm[k].key, key, len) == 0)
				break;
		if (k == s->n_llm) {
			/* "<key>\0<server>\0": the model is the key's tail */
			size_t sl = sr_llm_key_server(key, len);
			char *buf = sr_snapshot_alloc(s, len + 1 + sl + 1);

			memcpy(buf, key, len);
			buf[len] = '\0';
			memcpy(buf + len + 1, key, sl);
			buf[len + 1 + sl] = '\0';
			s->llm[k].key = buf;
			s->llm[k].server = buf + len + 1;
			s->llm[k].model = buf + sl + 1;
			for (int j = 0; j < SR_LLM__COUNT; j++)
				s->llm[k].v[j] = NAN;
			s->n_llm++;
		}
		s->llm[k].v[f] = m->value;
		if (m->ts_ms > s->llm[k].ts_ms)
			s->llm[k].ts_ms = m->ts_ms;
	}
	/* a row with no fresh figure left (its server stopped serving the
	 * model, or went away) is not shown */
	n = 0;
	for (size_t i = 0; i < s->n_llm; i++) {
		int fresh = 0;

		for (int f = 0; f < SR_LLM__COUNT && !fresh; f++)
			fresh = !isnan(s->llm[i].v[f]);
		if (fresh)
			s->llm[n++] = s->llm[i];
	}
	s->n_llm = n;
	qsort(s->llm, s->n_llm, sizeof(*s->llm), llm_row_cmp);
	for (size_t i = 0; i < s->n_llm; i++) {
		size_t j = 0;

		while (j < i && strcmp(s->llm[j].server, s->llm[i].server) != 0)
			j++;
		if (j == i)
			s->n_llm_servers++;
	}
}

/* The latest value of the metric "a.b.c" (c may be NULL: "a.b"), NAN
 * when none. */
static double
hosts_value(const struct sr_snapshot *s, const char *a, const char *b,
    const char *c)
{
	char name[300];
	const struct sr_snap_metric *m;
	int n = snprintf(name, sizeof(name), "%s.%s%s%s", a, b,
	    c != NULL ? "." : "", c != NULL ? c : "");

	if (n < 0 || (size_t)n >= sizeof(name))
		return NAN;
	m = sr_snapshot_metric(s, name);
	return m != NULL ? m->value : NAN;
}

/* host.<key>.cpu|mem|load|fs into row d (NAN where none). */
static void
hosts_figures(const struct sr_snapshot *s, struct sr_snap_hostrow *d,
    const char *key)
{
	d->cpu_pct = hosts_value(s, "host", key, "cpu");
	d->mem_pct = hosts_value(s, "host", key, "mem");
	d->load1 = hosts_value(s, "host", key, "load");
	d->fs_pct = hosts_value(s, "host", key, "fs");
}

/* The row named name, or the one named as job before its ":port". */
static struct sr_snap_hostrow *
hosts_find(struct sr_snapshot *s, const char *job)
{
	const char *colon = strrchr(job, ':');
	size_t hl = colon != NULL ? (size_t)(colon - job) : strlen(job);

	for (size_t i = 0; i < s->n_hosts; i++)
		if (strcmp(s->hosts[i].name, job) == 0)
			return &s->hosts[i];
	for (size_t i = 0; hl > 0 && i < s->n_hosts; i++)
		if (strlen(s->hosts[i].name) == hl &&
		    strncmp(s->hosts[i].name, job, hl) == 0)
			return &s->hosts[i];
	return NULL;
}

static int
hosts_row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sr_snap_hostrow *)a)->name,
	    ((const struct sr_snap_hostrow *)b)->name);
}

/*
 * The scraped hosts (snapshot.h, struct sr_snap_hostrow): every job with
 * a prom.<job>.up and a host.<job>.* series is a row, merged with the
 * event host of its name; once one is there, this machine is a row too.
 * Every row gets its figures.  Rows stay sorted by name.
 */
static void
build_hosts(struct sr_snapshot *s)
{
	size_t n_jobs = 0, cap;
	struct sr_snap_hostrow *rows;
	int scraped = 0;

	for (size_t i = 0; i < s->n_metrics; i++) {
		const char *nm = s->metrics[i].name;
		size_t len = strlen(nm);

		if (strncmp(nm, "prom.", 5) == 0 && len > 8 &&
		    strcmp(nm + len - 3, ".up") == 0)
			n_jobs++;
	}
	cap = s->n_hosts + n_jobs + 1;
	rows = sr_snapshot_alloc(s, cap * sizeof(*rows));
	if (s->n_hosts > 0)
		memcpy(rows, s->hosts, s->n_hosts * sizeof(*rows));
	s->hosts = rows;
	for (size_t i = 0; i < s->n_hosts; i++)
		hosts_figures(s, &s->hosts[i], s->hosts[i].name);
	for (size_t i = 0; i < s->n_metrics; i++) {
		const struct sr_snap_metric *up = &s->metrics[i];
		size_t len = strlen(up->name);
		struct sr_snap_hostrow *d, fig;
		char job[256];

		if (strncmp(up->name, "prom.", 5) != 0 || len <= 8 ||
		    strcmp(up->name + len - 3, ".up") != 0 ||
		    len - 8 >= sizeof(job))
			continue;
		memcpy(job, up->name + 5, len - 8);
		job[len - 8] = '\0';
		if (strchr(job, '.') != NULL) /* a job has no dot */
			continue;
		hosts_figures(s, &fig, job);
		/* a node-exporter: one of its host series exists */
		{
			static const char *const f[] = { "cpu", "mem", "load",
				"fs" };
			int any = 0;
			char nm[300];

			for (size_t k = 0; k < 4 && !any; k++) {
				(void)snprintf(nm, sizeof(nm), "host.%s.%s",
				    job, f[k]); /* fits: job < 256 */
				any = sr_snapshot_metric(s, nm) != NULL;
			}
			if (!any)
				continue;
		}
		if ((d = hosts_find(s, job)) == NULL) {
			d = &s->hosts[s->n_hosts++];
			memset(d, 0, sizeof(*d));
			d->name = sr_snapshot_strdup(s, job);
		}
		d->job = d->name == NULL || strcmp(d->name, job) != 0
		    ? sr_snapshot_strdup(s, job)
		    : d->name;
		d->cpu_pct = fig.cpu_pct;
		d->mem_pct = fig.mem_pct;
		d->load1 = fig.load1;
		d->fs_pct = fig.fs_pct;
		d->scrape_ms = up->ts_ms;
		d->scrape = isnan(up->value) ? SR_SNAP_SCRAPE_STALE
		    : up->value >= 1	     ? SR_SNAP_SCRAPE_UP
					     : SR_SNAP_SCRAPE_DOWN;
		scraped = 1;
	}
	if (scraped && s->host.hostname != NULL && *s->host.hostname != '\0') {
		struct sr_snap_hostrow *d = NULL;

		for (size_t i = 0; i < s->n_hosts && d == NULL; i++)
			if (strcmp(s->hosts[i].name, s->host.hostname) == 0)
				d = &s->hosts[i];
		if (d == NULL) {
			d = &s->hosts[s->n_hosts++];
			memset(d, 0, sizeof(*d));
			d->name = s->host.hostname;
		}
		if (d->job == NULL) {
			d->local = 1;
			d->cpu_pct = s->kpi[SR_KPI_CPU].value;
			d->mem_pct = s->kpi[SR_KPI_MEM].value;
			d->load1 = hosts_value(s, "load", "1", NULL);
			d->fs_pct = hosts_value(s, "fs", "/", "used_pct");
		}
	}
	if (s->n_hosts > 1)
		qsort(s->hosts, s->n_hosts, sizeof(*s->hosts), hosts_row_cmp);
}

struct rank {
	size_t i, k;
	uint64_t n;
};

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

/* rank_cmp, ties broken by k: the order a stable sort would give */
static int
rank_before(const struct rank *x, const struct rank *y)
{
	int c = rank_cmp(x, y);

	return c < 0 || (c == 0 && x->k < y->k);
}

/*
 * The first m entries of v in rank order, as a stable qsort with
 * rank_cmp would leave them (ties in insertion order, which is k order
 * here), without sorting all n: out gets min(n, m) entries.
 */
static size_t
rank_top(const struct rank *v, size_t n, struct rank *out, size_t m)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t at;

		if (k == m && !rank_before(&v[i], &out[k - 1]))
			continue;
		at = k < m ? k++ : m - 1;
		while (at > 0 && rank_before(&v[i], &out[at - 1])) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = v[i];
	}
	return k;
}

static void
build_services(struct sr_engine *e, struct sr_snapshot *s)
{
	size_t ns = sr_agg_n_services(e->agg), ne = 0;
	struct rank *rk,
	    *ek = NULL,
	    top[ENG_MAX_ENDPOINTS > ENG_TOP_ENDPOINTS ? ENG_MAX_ENDPOINTS
						      : ENG_TOP_ENDPOINTS];

	if (ns == 0)
		return;
	rk = sr_xcalloc(ns, sizeof(*rk));
	for (size_t i = 0; i < ns; i++) {
		const struct sr_agg_service *a = sr_agg_service_at(e->agg, i);

		rk[i].i = i;
		rk[i].n = a->win[SR_WIN_5M].requests;
		ne += a->n_endpoints;
	}
	qsort(rk, ns, sizeof(*rk), rank_cmp);
	s->n_services = ns;
	s->services = sr_snapshot_alloc(s, ns * sizeof(*s->services));
	if (ne > 0)
		ek = sr_xcalloc(ne, sizeof(*ek));
	ne = 0;
	for (size_t r = 0; r < ns; r++) {
		const struct sr_agg_service *a =
		    sr_agg_service_at(e->agg, rk[r].i);
		struct sr_snap_service *d = &s->services[r];
		struct rank *er = NULL;
		size_t n = a->n_endpoints;

		d->name = sr_snapshot_strdup(s, a->name);
		memcpy(d->win, a->win, sizeof(d->win));
		d->last_seen_ms = a->last_seen_ms;
		d->hist_n = a->hist_n;
		memcpy(d->hist_rps, a->hist_rps,
		    (size_t)a->hist_n * sizeof(float));
		memcpy(d->hist_p95, a->hist_p95,
		    (size_t)a->hist_n * sizeof(float));
		memcpy(d->hist_err, a->hist_err,
		    (size_t)a->hist_n * sizeof(float));
		if (n == 0)
			continue;
		er = sr_xcalloc(n, sizeof(*er));
		for (size_t k = 0; k < n; k++) {
			er[k].i = k;
			er[k].k = 0;
			er[k].n = sr_agg_ring_requests(e->agg,
			    a->endpoints[k]->ring, SR_WIN_5M);
			ek[ne].i = rk[r].i;
			ek[ne].k = k;
			ek[ne].n = er[k].n;
			ne++;
		}
		n = rank_top(er, n, top, ENG_MAX_ENDPOINTS);
		d->n_endpoints = n;
		d->endpoints = sr_snapshot_alloc(s, n * sizeof(*d->endpoints));
		for (size_t k = 0; k < n; k++) {
			const struct sr_agg_endpoint *ep =
			    a->endpoints[top[k].i];

			d->endpoints[k].name = sr_snapshot_strdup(s, ep->name);
			for (int w = 0; w < SR_WIN_COUNT; w++)
				sr_agg_ring_win(e->agg, ep->ring,
				    (enum sr_window)w, &d->endpoints[k].win[w]);
		}
		free(er);
	}
	if (ne > 0) {
		size_t n = rank_top(ek, ne, top, ENG_TOP_ENDPOINTS);

		while (n > 0 && top[n - 1].n == 0)
			n--;
		s->n_top_endpoints = n;
		s->top_endpoints =
		    sr_snapshot_alloc(s, n * sizeof(*s->top_endpoints));
		for (size_t j = 0; j < n; j++) {
			const struct sr_agg_service *a =
			    sr_agg_service_at(e->agg, top[j].i);
			const struct sr_agg_endpoint *ep =
			    a->endpoints[top[j].k];
			struct sr_snap_top_endpoint *t = &s->top_endpoints[j];
			struct sr_snap_win w;

			sr_agg_ring_win(e->agg, ep->ring, SR_WIN_5M, &w);
			t->service = sr_snapshot_strdup(s, a->name);
			t->endpoint = sr_snapshot_strdup(s, ep->name);
			t->requests = w.requests;
			t->req_per_s = w.req_per_s;
			t->p95 = w.p95;
			t->rate_5xx = w.rate_5xx;
		}
	}
	free(ek);
	free(rk);
}

static void
build_models_types_users(struct sr_engine *e, struct sr_snapshot *s)
{
	size_t nm = sr_agg_n_models(e->agg), nt;
	struct sr_snap_type *types;
	struct sr_snap_count top[ENG_TOP_USERS];

	s->n_models = nm;
	s->models = sr_snapshot_alloc(s, nm * sizeof(*s->models));
	for (size_t i = 0; i < nm; i++) {
		const struct sr_agg_model *m = sr_agg_model_at(e->agg, i);

		s->models[i].name = sr_snapshot_strdup(s, m->name);
		memcpy(s->models[i].win, m->win, sizeof(m->win));
	}
	sr_agg_types(e->agg, &types, &nt);
	s->n_types = nt;
	s->types = sr_snapshot_alloc(s, nt * sizeof(*s->types));
	for (size_t i = 0; i < nt; i++) {
		s->types[i] = types[i];
		s->types[i].name = sr_snapshot_strdup(s, types[i].name);
	}
	free(types);
	sr_agg_users(e->agg, &s->users, top, ENG_TOP_USERS);
	s->users.top_users = sr_snapshot_alloc(s,
	    s->users.n_top_users * sizeof(*s->users.top_users));
	for (size_t i = 0; i < s->users.n_top_users; i++) {
		s->users.top_users[i].name = sr_snapshot_strdup(s, top[i].name);
		s->users.top_users[i].count = top[i].count;
	}
}

static int
err_cmp(const void *a, const void *b)
{
	const struct sr_agg_template *const *x = a, *const *y = b;

	return ((*x)->last_seen_ms < (*y)->last_seen_ms) -
	    ((*x)->last_seen_ms > (*y)->last_seen_ms);
}

static void
build_errors(struct sr_engine *e, struct sr_snapshot *s)
{
	size_t n = sr_agg_n_templates(e->agg);
	const struct sr_agg_template **all;

	if (n == 0)
		return;
	all = sr_xcalloc(n, sizeof(*all));
	for (size_t i = 0; i < n; i++)
		all[i] = sr_agg_template_at(e->agg, i);
	qsort(all, n, sizeof(*all), err_cmp);
	if (n > ENG_MAX_ERRORS)
		n = ENG_MAX_ERRORS;
	s->n_errors = n;
	s->errors = sr_snapshot_alloc(s, n * sizeof(*s->errors));
	for (size_t i = 0; i < n; i++) {
		const struct sr_agg_template *t = all[i];
		struct sr_snap_error *d = &s->errors[i];

		d->template = sr_snapshot_strdup(s, t->tpl);
		d->example =
		    sr_snapshot_strdup(s, t->example ? t->example : "");
		d->count = t->count;
		d->count_1h = sr_agg_template_count_1h(e->agg, t);
		d->first_seen_ms = t->first_seen_ms;
		d->last_seen_ms = t->last_seen_ms;
		d->n_services = t->n_services;
		d->services =
		    sr_snapshot_alloc(s, t->n_services * sizeof(*d->services));
		for (size_t k = 0; k < t->n_services; k++)
			d->services[k] = sr_snapshot_strdup(s, t->services[k]);
	}
	free(all);
}

static int
ins_rank(const struct sr_snap_insight *x)
{
	return x->state == SR_INS_FIRING ? 0
	    : x->state == SR_INS_PENDING ? 1
					 : 2;
}

static int
ins_cmp(const void *a, const void *b)
{
	const struct sr_snap_insight *x = a, *y = b;

	if (ins_rank(x) != ins_rank(y))
		return ins_rank(x) - ins_rank(y);
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return (x->since_ms < y->since_ms) - (x->since_ms > y->since_ms);
}

static void
build_insights(struct sr_engine *e, struct sr_snapshot *s)
{
	size_t n = sr_insights_count(e->ins);

	s->n_insights = n;
	s->insights = sr_snapshot_alloc(s, n * sizeof(*s->insights));
	for (size_t i = 0; i < n; i++) {
		struct sr_snap_insight in, *d = &s->insights[i];

		sr_insights_get(e->ins, i, &in);
		*d = in;
		d->id = sr_snapshot_strdup(s, in.id);
		d->rule = sr_snapshot_strdup(s, in.rule);
		d->subject = sr_snapshot_strdup(s, in.subject);
		d->title = sr_snapshot_strdup(s, in.title);
		d->description = sr_snapshot_strdup(s, in.description);
		d->recommendation = sr_snapshot_strdup(s, in.recommendation);
		d->history =
		    sr_snapshot_alloc(s, in.n_history * sizeof(*d->history));
		if (in.n_history > 0)
			memcpy(d->history, in.history,
			    in.n_history * sizeof(*d->history));
		s->n_firing += in.state == SR_INS_FIRING;
		s->n_pending += in.state == SR_INS_PENDING;
	}
	if (n > 1)
		qsort(s->insights, n, sizeof(*s->insights), ins_cmp);
}

static void
build_events(struct sr_engine *e, struct sr_snapshot *s)
{
	s->n_events = e->recent_n;
	s->events = sr_snapshot_alloc(s, e->recent_n * sizeof(*s->events));
	for (size_t i = 0; i < e->recent_n; i++) {
		const struct eng_event *src =
		    &e->recent[(e->recent_head + i) % SR_SNAP_RECENT];
		struct sr_snap_event *d = &s->events[i];

		d->seq = src->seq;
		d->ev = src->ev;
		for (int k = 0; k < SR_FIELD__COUNT; k++) {
			const struct sr_field *f = &sr_fields[k];

			if (f->type == SR_FIELD_TEXT ||
			    f->type == SR_FIELD_JSON)
				*sr_field_text_at(f, &d->ev) =
				    sr_snapshot_strdup(s,
					sr_field_text(f, &src->ev));
		}
	}
	s->last_seq = e->seq;
}

static void
build_sources_procs(struct sr_engine *e, struct sr_snapshot *s)
{
	s->n_sources = e->n_src;
	s->sources = sr_snapshot_alloc(s, e->n_src * sizeof(*s->sources));
	for (size_t i = 0; i < e->n_src; i++) {
		const struct sr_snap_source *src = &e->src[i];
		struct sr_snap_source *d = &s->sources[i];

		*d = *src;
		d->name = sr_snapshot_strdup(s, src->name);
		d->kind = sr_snapshot_strdup(s, src->kind);
		d->last_error = sr_snapshot_strdup(s, src->last_error);
		d->notice = sr_snapshot_strdup(s, src->notice);
		d->rejected_by_reason = sr_snapshot_alloc(s,
		    src->n_rejected_by_reason * sizeof(*d->rejected_by_reason));
		for (size_t k = 0; k < src->n_rejected_by_reason; k++) {
			d->rejected_by_reason[k].name = sr_snapshot_strdup(s,
			    src->rejected_by_reason[k].name);
			d->rejected_by_reason[k].count =
			    src->rejected_by_reason[k].count;
		}
		s->totals.rejected += src->rejected;
	}
	for (int which = 0; which < 2; which++) {
		const struct eng_proc *p = which ? e->pmem : e->pcpu;
		size_t n = which ? e->n_pmem : e->n_pcpu;
		struct sr_snap_proc *d = sr_snapshot_alloc(s, n * sizeof(*d));

		for (size_t i = 0; i < n; i++) {
			d[i].pid = p[i].pid;
			d[i].name = sr_snapshot_strdup(s, p[i].name);
			d[i].user = p[i].has_user
			    ? sr_snapshot_strdup(s, p[i].user)
			    : NULL;
			d[i].cmdline = p[i].cmdline[0]
			    ? sr_snapshot_strdup(s, p[i].cmdline)
			    : NULL;
			d[i].cpu_pct = p[i].cpu_pct;
			d[i].rss_bytes = p[i].rss_bytes;
			d[i].mem_pct = engine_mem_pct(e, p[i].rss_bytes);
		}
		if (which) {
			s->procs_mem = d;
			s->n_procs_mem = n;
		} else {
			s->procs_cpu = d;
			s->n_procs_cpu = n;
		}
	}
}

static struct sr_snapshot *
engine_build(struct sr_engine *e, const struct sr_view *v)
{
	struct sr_snapshot *s = sr_snapshot_new();
	struct sr_snap_win w1;
	double ncpu = sr_view_metric(v, "cpu.count");

	s->tick = e->tick;
	s->now_ms = e->now_ms;
	s->interval_ms = e->cfg->general.interval_ms;
	s->host.hostname = sr_snapshot_strdup(s, e->hostname);
	s->host.kernel = sr_snapshot_strdup(s, e->kernel);
	s->host.uptime_s = sr_view_metric(v, "uptime_s");
	s->host.ncpu = isnan(ncpu) ? e->ncpu : (int)ncpu;
	build_metrics(e, s, v);
	build_llm(s);
	build_kpis(e, s, v);
	build_services(e, s);
	build_models_types_users(e, s);
	build_errors(e, s);
	build_insights(e, s);
	build_events(e, s);
	build_sources_procs(e, s);
	sr_agg_hosts(e->agg, s);
	build_hosts(s);
	sr_agg_total_win(e->agg, SR_WIN_1M, &w1);
	s->totals.events = sr_agg_events(e->agg);
	s->totals.events_per_s = w1.req_per_s;
	s->totals.old_events = sr_agg_old_events(e->agg);
	s->totals.newest_event_ms = sr_agg_newest_ms(e->agg);
	sr_agg_folded(e->agg, &s->folded);
	s->self_cpu_pct = e->self_cpu_pct;
	s->self_rss_bytes = e->self_rss;
	s->store = e->store;
	if (e->store_error[0] != '\0')
		s->store.error = sr_snapshot_strdup(s, e->store_error);
	s->otlp = e->otlp;
	s->otlp.url = sr_snapshot_strdup(s, e->otlp_url);
	if (e->otlp_error[0] != '\0')
		s->otlp.last_error = sr_snapshot_strdup(s, e->otlp_error);
	return s;
}
