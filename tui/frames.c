/* SPDX-License-Identifier: MIT */
/*
 * frames: per-tick frames for time travel (see frames.h).  Each frame
 * owns its strings (plain malloc); a snapshot made from one copies them
 * into its own arena, so a frame may go while its snapshot is shown.
 */
#include "tui/frames.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/util.h"

struct frame_kpi {
	double value, value2, prev;
	int level;
};

struct frame_svc {
	char *name;
	struct sr_snap_win win[SR_WIN_COUNT];
	int64_t last_seen_ms;
};

struct frame {
	uint64_t tick;
	int64_t now_ms;
	uint64_t last_seq;
	struct frame_kpi kpi[SR_KPI_COUNT];
	struct frame_svc *svc;
	size_t n_svc;
	struct sr_snap_insight *ins; /* strings owned */
	size_t n_ins, n_firing, n_pending;
	struct sr_snap_error *err; /* strings owned */
	size_t n_err;
	struct sr_snap_proc *pcpu, *pmem; /* strings owned */
	size_t n_pcpu, n_pmem;
	struct sr_snap_totals totals;
	double self_cpu_pct;
	uint64_t self_rss_bytes;
	size_t bytes;
};

struct sr_tui_frames {
	struct frame **ring;
	int max, first, n;
	size_t max_bytes, bytes; /* bytes: the frames', strings aside */
	struct sr_hmap *strs;	 /* shared strings -> users */
	size_t str_bytes;	 /* their size */
};

struct sr_tui_frames *
sr_tui_frames_new(int max, size_t max_bytes)
{
	struct sr_tui_frames *f = sr_xcalloc(1, sizeof(*f));

	f->max = max > 0 ? max : 1;
	f->max_bytes = max_bytes;
	f->ring = sr_xcalloc((size_t)f->max, sizeof(*f->ring));
	f->strs = sr_hmap_new(256, SR_HMAP_OWN_KEYS, NULL);
	return f;
}

/*
 * Frames share their strings: a tick's insight texts, error templates,
 * service and process names are mostly those of the tick before, so each
 * distinct string is kept once in f->strs (owned key, value its count
 * of users) and counted once in f->str_bytes.
 */
#define FR_STR_SLOT 48 /* a 32-byte map slot, at the map's load */

/*
 * What malloc(n) takes from the heap (glibc): n and an 8-byte header,
 * rounded up to 16, at least 32.  Counted for every allocation, so that
 * the ring stays within history_bytes of heap, not of payload (a frame's
 * dozen small arrays cost a fifth more than their bytes).
 */
static size_t
fr_chunk(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;

	return n == 0 ? 0 : c < 32 ? 32 : c;
}

/* The heap a shared string takes: its chunk and its slot in the map. */
static size_t
fr_str_cost(const char *s)
{
	return fr_chunk(strlen(s) + 1) + FR_STR_SLOT;
}

/* The shared copy of s, one more user (NULL stays NULL). */
static char *
fr_dup(struct sr_tui_frames *f, const char *s)
{
	uintptr_t refs;

	if (s == NULL)
		return NULL;
	refs = (uintptr_t)sr_hmap_get(f->strs, s);
	if (refs == 0)
		f->str_bytes += fr_str_cost(s);
	return (char *)sr_hmap_put(f->strs, s, (void *)(refs + 1));
}

/* One user less of a shared string; the last one frees it. */
static void
fr_free_str(struct sr_tui_frames *f, const char *s)
{
	uintptr_t refs;

	if (s == NULL)
		return;
	refs = (uintptr_t)sr_hmap_get(f->strs, s);
	if (refs > 1) {
		(void)sr_hmap_put(f->strs, s, (void *)(refs - 1));
		return;
	}
	f->str_bytes -= fr_str_cost(s);
	(void)sr_hmap_del(f->strs, s); /* frees s: the map's key */
}

static void
frame_free(struct sr_tui_frames *f, struct frame *fr)
{
	if (fr == NULL)
		return;
	for (size_t i = 0; i < fr->n_svc; i++)
		fr_free_str(f, fr->svc[i].name);
	free(fr->svc);
	for (size_t i = 0; i < fr->n_ins; i++) {
		struct sr_snap_insight *in = &fr->ins[i];

		fr_free_str(f, in->id);
		fr_free_str(f, in->rule);
		fr_free_str(f, in->subject);
		fr_free_str(f, in->title);
		fr_free_str(f, in->description);
		fr_free_str(f, in->recommendation);
		free(in->history);
	}
	free(fr->ins);
	for (size_t i = 0; i < fr->n_err; i++) {
		fr_free_str(f, fr->err[i].template);
		fr_free_str(f, fr->err[i].example);
		for (size_t j = 0; j < fr->err[i].n_services; j++)
			fr_free_str(f, fr->err[i].services[j]);
		free(fr->err[i].services);
	}
	free(fr->err);
	for (size_t i = 0; i < fr->n_pcpu; i++) {
		fr_free_str(f, fr->pcpu[i].name);
		fr_free_str(f, fr->pcpu[i].user);
	}
	for (size_t i = 0; i < fr->n_pmem; i++) {
		fr_free_str(f, fr->pmem[i].name);
		fr_free_str(f, fr->pmem[i].user);
	}
	free(fr->pcpu);
	free(fr->pmem);
	free(fr);
}

void
sr_tui_frames_free(struct sr_tui_frames *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->n; i++)
		frame_free(f, f->ring[(f->first + i) % f->max]);
	free(f->ring);
	sr_hmap_free(f->strs);
	free(f);
}

static struct sr_snap_proc *
procs_copy(struct sr_tui_frames *f, const struct sr_snap_proc *p, size_t n,
    size_t *bytes)
{
	struct sr_snap_proc *d;

	if (n == 0)
		return NULL;
	d = sr_xcalloc(n, sizeof(*d));
	*bytes += fr_chunk(n * sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		d[i] = p[i];
		d[i].name = fr_dup(f, p[i].name);
		d[i].user = fr_dup(f, p[i].user);
	}
	return d;
}

static struct frame *
frame_make(struct sr_tui_frames *f, const struct sr_snapshot *s)
{
	struct frame *fr = sr_xcalloc(1, sizeof(*fr));
	size_t b = fr_chunk(sizeof(*fr));

	fr->tick = s->tick;
	fr->now_ms = s->now_ms;
	fr->last_seq = s->last_seq;
	for (int i = 0; i < SR_KPI_COUNT; i++)
		fr->kpi[i] = (struct frame_kpi){ s->kpi[i].value,
			s->kpi[i].value2, s->kpi[i].prev, s->kpi[i].level };
	fr->n_svc = s->n_services;
	fr->svc =
	    s->n_services ? sr_xcalloc(s->n_services, sizeof(*fr->svc)) : NULL;
	b += fr_chunk(s->n_services * sizeof(*fr->svc));
	for (size_t i = 0; i < s->n_services; i++) {
		fr->svc[i].name = fr_dup(f, s->services[i].name);
		memcpy(fr->svc[i].win, s->services[i].win,
		    sizeof(fr->svc[i].win));
		fr->svc[i].last_seen_ms = s->services[i].last_seen_ms;
	}
	fr->n_ins = s->n_insights;
	fr->n_firing = s->n_firing;
	fr->n_pending = s->n_pending;
	fr->ins =
	    s->n_insights ? sr_xcalloc(s->n_insights, sizeof(*fr->ins)) : NULL;
	b += fr_chunk(s->n_insights * sizeof(*fr->ins));
	for (size_t i = 0; i < s->n_insights; i++) {
		const struct sr_snap_insight *in = &s->insights[i];
		struct sr_snap_insight *d = &fr->ins[i];

		*d = *in;
		d->id = fr_dup(f, in->id);
		d->rule = fr_dup(f, in->rule);
		d->subject = fr_dup(f, in->subject);
		d->title = fr_dup(f, in->title);
		d->description = fr_dup(f, in->description);
		d->recommendation = fr_dup(f, in->recommendation);
		d->history = NULL;
		if (in->n_history > 0) {
			d->history =
			    sr_xcalloc(in->n_history, sizeof(*d->history));
			memcpy(d->history, in->history,
			    in->n_history * sizeof(*d->history));
			b += fr_chunk(in->n_history * sizeof(*d->history));
		}
	}
	fr->n_err = s->n_errors;
	fr->err =
	    s->n_errors ? sr_xcalloc(s->n_errors, sizeof(*fr->err)) : NULL;
	b += fr_chunk(s->n_errors * sizeof(*fr->err));
	for (size_t i = 0; i < s->n_errors; i++) {
		const struct sr_snap_error *e = &s->errors[i];
		struct sr_snap_error *d = &fr->err[i];
		const char **sv = NULL;

		*d = *e;
		d->template = fr_dup(f, e->template);
		d->example = fr_dup(f, e->example);
		if (e->n_services > 0) {
			sv = sr_xcalloc(e->n_services, sizeof(*sv));
			b += fr_chunk(e->n_services * sizeof(*sv));
			for (size_t j = 0; j < e->n_services; j++)
				sv[j] = fr_dup(f, e->services[j]);
		}
		d->services = sv;
	}
	fr->pcpu = procs_copy(f, s->procs_cpu, s->n_procs_cpu, &b);
	fr->n_pcpu = s->n_procs_cpu;
	fr->pmem = procs_copy(f, s->procs_mem, s->n_procs_mem, &b);
	fr->n_pmem = s->n_procs_mem;
	fr->totals = s->totals;
	fr->self_cpu_pct = s->self_cpu_pct;
	fr->self_rss_bytes = s->self_rss_bytes;
	fr->bytes = b;
	return fr;
}

static void
frames_drop_oldest(struct sr_tui_frames *f)
{
	struct frame *fr = f->ring[f->first];

	f->bytes -= fr->bytes;
	frame_free(f, fr);
	f->ring[f->first] = NULL;
	f->first = (f->first + 1) % f->max;
	f->n--;
}

void
sr_tui_frames_push(struct sr_tui_frames *f, const struct sr_snapshot *snap)
{
	struct frame *fr = frame_make(f, snap);

	/* a tick seen again (the same snapshot published twice) replaces */
	if (f->n > 0 &&
	    f->ring[(f->first + f->n - 1) % f->max]->tick >= snap->tick) {
		int last = (f->first + f->n - 1) % f->max;

		f->bytes -= f->ring[last]->bytes;
		frame_free(f, f->ring[last]);
		f->ring[last] = fr;
		f->bytes += fr->bytes;
		return;
	}
	/* fr's new strings are in str_bytes already */
	while (f->n > 0 &&
	    (f->n == f->max ||
		f->bytes + f->str_bytes + fr->bytes > f->max_bytes))
		frames_drop_oldest(f);
	f->ring[(f->first + f->n) % f->max] = fr;
	f->n++;
	f->bytes += fr->bytes;
}

int
sr_tui_frames_count(const struct sr_tui_frames *f)
{
	return f->n;
}

size_t
sr_tui_frames_bytes(const struct sr_tui_frames *f)
{
	return f->bytes + f->str_bytes;
}

static const struct frame *
frames_at(const struct sr_tui_frames *f, int i)
{
	if (i < 0 || i >= f->n)
		return NULL;
	return f->ring[(f->first + i) % f->max];
}

uint64_t
sr_tui_frames_tick(const struct sr_tui_frames *f, int i)
{
	const struct frame *fr = frames_at(f, i);

	return fr != NULL ? fr->tick : 0;
}

int
sr_tui_frames_find(const struct sr_tui_frames *f, uint64_t tick)
{
	int lo = 0, hi = f->n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		uint64_t t = frames_at(f, mid)->tick;

		if (t == tick)
			return mid;
		if (t < tick)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The first n of a history of hist_n points: cut `age` newest. */
static int
hist_cut(int hist_n, uint64_t age)
{
	return (uint64_t)hist_n > age ? hist_n - (int)age : 0;
}

/* A history's last value after the cut (NAN when none). */
static double
hist_last(const float *h, int n)
{
	return n > 0 ? (double)h[n - 1] : NAN;
}

static struct sr_snap_proc *
procs_to_snap(struct sr_snapshot *s, const struct sr_snap_proc *p, size_t n)
{
	struct sr_snap_proc *d = sr_snapshot_alloc(s, n * sizeof(*d));

	for (size_t i = 0; i < n; i++) {
		d[i] = p[i];
		d[i].name = sr_snapshot_strdup(s, p[i].name);
		d[i].user = sr_snapshot_strdup(s, p[i].user);
	}
	return d;
}

struct sr_snapshot *
sr_tui_frames_snapshot(const struct sr_tui_frames *f, int i,
    const struct sr_snapshot *base)
{
	const struct frame *fr = frames_at(f, i);
	struct sr_snapshot *s;
	struct sr_snapshot_priv *priv;
	uint64_t age;

	if (fr == NULL)
		return NULL;
	age = base->tick > fr->tick ? base->tick - fr->tick : 0;
	s = sr_snapshot_new();
	priv = s->priv;
	*s = *base;
	s->priv = priv;
	s->tick = fr->tick;
	s->now_ms = fr->now_ms;
	s->last_seq = fr->last_seq;
	s->totals = fr->totals;
	s->self_cpu_pct = fr->self_cpu_pct;
	s->self_rss_bytes = fr->self_rss_bytes;
	/* KPIs: the frame's values, the base's history cut back */
	for (int k = 0; k < SR_KPI_COUNT; k++) {
		s->kpi[k].value = fr->kpi[k].value;
		s->kpi[k].value2 = fr->kpi[k].value2;
		s->kpi[k].prev = fr->kpi[k].prev;
		s->kpi[k].level = fr->kpi[k].level;
		s->kpi[k].hist_n = hist_cut(base->kpi[k].hist_n, age);
	}
	/* metrics: the base's, cut back; the value is the last point */
	s->metrics =
	    sr_snapshot_alloc(s, base->n_metrics * sizeof(*s->metrics));
	for (size_t m = 0; m < base->n_metrics; m++) {
		struct sr_snap_metric *d = &s->metrics[m];

		*d = base->metrics[m];
		d->hist_n = hist_cut(d->hist_n, age);
		d->value = hist_last(d->hist, d->hist_n);
		if (d->ts_ms > fr->now_ms)
			d->ts_ms = fr->now_ms;
	}
	/* services: the frame's rows; sparklines from the base, cut back */
	s->n_services = fr->n_svc;
	s->services = sr_snapshot_alloc(s, fr->n_svc * sizeof(*s->services));
	for (size_t k = 0; k < fr->n_svc; k++) {
		struct sr_snap_service *d = &s->services[k];
		const struct sr_snap_service *b =
		    sr_snapshot_service(base, fr->svc[k].name);

		d->name = sr_snapshot_strdup(s, fr->svc[k].name);
		memcpy(d->win, fr->svc[k].win, sizeof(d->win));
		d->last_seen_ms = fr->svc[k].last_seen_ms;
		if (b != NULL) {
			d->hist_n = hist_cut(b->hist_n, age);
			memcpy(d->hist_rps, b->hist_rps, sizeof(d->hist_rps));
			memcpy(d->hist_p95, b->hist_p95, sizeof(d->hist_p95));
			memcpy(d->hist_err, b->hist_err, sizeof(d->hist_err));
		}
		/* endpoints are not kept per tick */
	}
	s->n_top_endpoints = 0;
	s->top_endpoints = NULL;
	/* insights and error patterns as they were */
	s->n_insights = fr->n_ins;
	s->n_firing = fr->n_firing;
	s->n_pending = fr->n_pending;
	s->insights = sr_snapshot_alloc(s, fr->n_ins * sizeof(*s->insights));
	for (size_t k = 0; k < fr->n_ins; k++) {
		const struct sr_snap_insight *in = &fr->ins[k];
		struct sr_snap_insight *d = &s->insights[k];

		*d = *in;
		d->id = sr_snapshot_strdup(s, in->id);
		d->rule = sr_snapshot_strdup(s, in->rule);
		d->subject = sr_snapshot_strdup(s, in->subject);
		d->title = sr_snapshot_strdup(s, in->title);
		d->description = sr_snapshot_strdup(s, in->description);
		d->recommendation = sr_snapshot_strdup(s, in->recommendation);
		d->history =
		    sr_snapshot_alloc(s, in->n_history * sizeof(*d->history));
		if (in->n_history > 0)
			memcpy(d->history, in->history,
			    in->n_history * sizeof(*d->history));
	}
	s->n_errors = fr->n_err;
	s->errors = sr_snapshot_alloc(s, fr->n_err * sizeof(*s->errors));
	for (size_t k = 0; k < fr->n_err; k++) {
		const struct sr_snap_error *e = &fr->err[k];
		struct sr_snap_error *d = &s->errors[k];
		const char **sv =
		    sr_snapshot_alloc(s, e->n_services * sizeof(*sv));

		*d = *e;
		d->template = sr_snapshot_strdup(s, e->template);
		d->example = sr_snapshot_strdup(s, e->example);
		for (size_t j = 0; j < e->n_services; j++)
			sv[j] = sr_snapshot_strdup(s, e->services[j]);
		d->services = sv;
	}
	s->procs_cpu = procs_to_snap(s, fr->pcpu, fr->n_pcpu);
	s->n_procs_cpu = fr->n_pcpu;
	s->procs_mem = procs_to_snap(s, fr->pmem, fr->n_pmem);
	s->n_procs_mem = fr->n_pmem;
	/* the event log up to the frame's last event (oldest first) */
	s->n_events = sr_snapshot_events_after(base, fr->last_seq);
	if (s->n_events == 0)
		s->events = NULL;
	return s;
}
