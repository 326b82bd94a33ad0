/* SPDX-License-Identifier: MIT */
/*
 * snapshot: reference counting (C11 atomics), an arena that owns every
 * string and array of one snapshot (freed at once), lookups and the
 * names of the shared enums.
 */
#include "core/snapshot.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct sr_snapshot_priv {
	atomic_int refs;
	struct arena_block *blocks;
};

static const char *const window_names[] = { "1m", "5m", "1h" };
static const int64_t window_ms[] = { 60000, 300000, 3600000 };
static const char *const sev_names[] = { "info", "warning", "critical" };
static const char *const cat_names[] = { "performance", "capacity",
	"reliability", "usage", "errors" };
static const char *const state_names[] = { "pending", "firing", "resolved" };
static const char *const src_names[] = { "ok", "waiting", "retrying", "ended",
	"down" };

const char *
sr_window_name(enum sr_window w)
{
	return (unsigned)w < SR_WIN_COUNT ? window_names[w] : "?";
}

int64_t
sr_window_ms(enum sr_window w)
{
	return (unsigned)w < SR_WIN_COUNT ? window_ms[w] : 0;
}

static int
name_parse(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
sr_severity_name(enum sr_severity s)
{
	return (unsigned)s <= SR_SEV_CRIT ? sev_names[s] : "?";
}

int
sr_severity_parse(const char *s)
{
	if (strcmp(s, "warn") == 0)
		return SR_SEV_WARN;
	if (strcmp(s, "crit") == 0)
		return SR_SEV_CRIT;
	return name_parse(sev_names, 3, s);
}

const char *
sr_category_name(enum sr_category c)
{
	return (unsigned)c <= SR_CAT_ERRORS ? cat_names[c] : "?";
}

int
sr_category_parse(const char *s)
{
	return name_parse(cat_names, 5, s);
}

const char *
sr_insight_state_name(enum sr_insight_state s)
{
	return (unsigned)s <= SR_INS_RESOLVED ? state_names[s] : "?";
}

int
sr_insight_state_parse(const char *s)
{
	return name_parse(state_names, 3, s);
}

const char *
sr_source_state_name(enum sr_source_state s)
{
	return (unsigned)s <= SR_SRC_DOWN ? src_names[s] : "?";
}

struct sr_snapshot *
sr_snapshot_new(void)
{
	struct sr_snapshot *s = sr_xcalloc(1, sizeof(*s));

	s->priv = sr_xcalloc(1, sizeof(*s->priv));
	atomic_init(&s->priv->refs, 1);
	return s;
}

void *
sr_snapshot_alloc(struct sr_snapshot *s, size_t n)
{
	struct sr_snapshot_priv *p = s->priv;
	struct arena_block *b = p->blocks;
	size_t need;
	void *r;

	if (n == 0)
		return NULL;
	need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (b == NULL || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		b = sr_xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = p->blocks;
		p->blocks = b;
	}
	r = (char *)b->data + b->used;
	b->used += need;
	memset(r, 0, n);
	return r;
}

const char *
sr_snapshot_strdup(struct sr_snapshot *s, const char *str)
{
	size_t n;
	char *d;

	if (str == NULL)
		return NULL;
	n = strlen(str) + 1;
	d = sr_snapshot_alloc(s, n);
	memcpy(d, str, n);
	return d;
}

struct sr_snapshot *
sr_snapshot_ref(struct sr_snapshot *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->priv->refs, 1);
	return s;
}

void
sr_snapshot_unref(struct sr_snapshot *s)
{
	struct arena_block *b, *next;

	if (s == NULL || atomic_fetch_sub(&s->priv->refs, 1) != 1)
		return;
	for (b = s->priv->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(s->priv);
	free(s);
}

const struct sr_snap_metric *
sr_snapshot_metric(const struct sr_snapshot *s, const char *name)
{
	size_t lo = 0, hi = s->n_metrics;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->metrics[mid].name, name);

		if (c == 0)
			return &s->metrics[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

double
sr_snapshot_value(const struct sr_snapshot *s, const char *name)
{
	const struct sr_snap_metric *m = sr_snapshot_metric(s, name);

	return m ? m->value : NAN;
}

const struct sr_snap_service *
sr_snapshot_service(const struct sr_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n_services; i++)
		if (strcmp(s->services[i].name, name) == 0)
			return &s->services[i];
	return NULL;
}

const struct sr_snap_insight *
sr_snapshot_insight(const struct sr_snapshot *s, const char *id)
{
	for (size_t i = 0; i < s->n_insights; i++)
		if (strcmp(s->insights[i].id, id) == 0)
			return &s->insights[i];
	return NULL;
}

const struct sr_snap_kpi *
sr_snapshot_kpi(const struct sr_snapshot *s, const char *id)
{
	for (size_t i = 0; i < SR_KPI_COUNT; i++)
		if (s->kpi[i].id != NULL && strcmp(s->kpi[i].id, id) == 0)
			return &s->kpi[i];
	return NULL;
}

size_t
sr_snapshot_events_after(const struct sr_snapshot *s, uint64_t after)
{
	size_t lo = 0, hi = s->n_events;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->events[mid].seq <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct sr_snapshot *
sr_snapshot_empty(void)
{
	static const char *const ids[SR_KPI_COUNT] = { "cpu", "mem", "load",
		"disk", "net", "events", "errors", "p95", "users", "sessions" };
	struct sr_snapshot *s = sr_snapshot_new();

	s->host.hostname = "";
	s->host.kernel = "";
	s->host.uptime_s = NAN;
	s->self_cpu_pct = NAN;
	for (int i = 0; i < SR_KPI_COUNT; i++) {
		s->kpi[i].id = ids[i];
		s->kpi[i].label = ids[i];
		s->kpi[i].unit = "";
		s->kpi[i].value = NAN;
		s->kpi[i].value2 = NAN;
		s->kpi[i].prev = NAN;
		s->kpi[i].warn = NAN;
		s->kpi[i].crit = NAN;
	}
	s->totals.events_per_s = NAN;
	s->users.session_len_avg_s = NAN;
	s->users.session_len_p50_s = NAN;
	s->users.events_per_session = NAN;
	return s;
}

const char *
sr_snap_drop_name(enum sr_snap_drop r)
{
	switch (r) {
	case SR_DROP_QUEUE_FULL:
	case SR_DROP__COUNT:
		break;
	}
	return "queue_full";
}

const char *
sr_snap_scrape_name(enum sr_snap_scrape st)
{
	switch (st) {
	case SR_SNAP_SCRAPE_UP:
		return "up";
	case SR_SNAP_SCRAPE_DOWN:
		return "down";
	case SR_SNAP_SCRAPE_STALE:
		return "stale";
	case SR_SNAP_SCRAPE_NONE:
		break;
	}
	return "-";
}

const char *
sr_snap_otlp_signal_name(enum sr_snap_otlp_signal s)
{
	return s == SR_SNAP_OTLP_METRICS ? "metrics" : "logs";
}
