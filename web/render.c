/* SPDX-License-Identifier: MIT */
/*
 * render: a core snapshot to a web frame (see render.h).  Runs on the
 * main loop once per tick; HTTP threads only copy what it wrote.
 *
 * Prometheus names: system metrics "family.instance.field" become
 * sitrep_<family>_<field> with the instance as a label (core, device,
 * interface, mount, gpu, sensor); the instance "total" has no label.
 * Percentages become _ratio (0..1), _ms become _seconds, _per_s become
 * _per_second.  Request figures are over the 1 minute window.
 */
#include "web/render.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/metric.h"
#include "core/limits.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"

#define RENDER_TILE_HIST 120	 /* points of KPI history per tile */
#define RENDER_PROM_ENDPOINTS 10 /* endpoint series per service */
#define SR_STR_(x) #x
#define SR_STR(x) SR_STR_(x)

void
sr_web_json_num(struct sr_buf *b, double v)
{
	if (isnan(v) || isinf(v))
		sr_buf_adds(b, "null");
	else if (v == floor(v) && fabs(v) < 1e15)
		sr_buf_addf(b, "%.0f", v);
	else
		sr_buf_addf(b, "%.9g", v);
}

/* "key": value pairs, comma first unless first. */
static void
jkey(struct sr_buf *b, const char *key)
{
	if (b->len > 0 && b->data[b->len - 1] != '{' &&
	    b->data[b->len - 1] != '[')
		sr_buf_addc(b, ',');
	sr_buf_add_json_str(b, key);
	sr_buf_addc(b, ':');
}

static void
jstr(struct sr_buf *b, const char *key, const char *v)
{
	jkey(b, key);
	if (v == NULL)
		sr_buf_adds(b, "null");
	else
		sr_buf_add_json_str(b, v);
}

static void
jnum(struct sr_buf *b, const char *key, double v)
{
	jkey(b, key);
	sr_web_json_num(b, v);
}

static void
ju64(struct sr_buf *b, const char *key, uint64_t v)
{
	jkey(b, key);
	sr_buf_addf(b, "%" PRIu64, v);
}

static void
jtime(struct sr_buf *b, const char *key, int64_t ms)
{
	char iso[40];

	jkey(b, key);
	if (ms <= 0) {
		sr_buf_adds(b, "null");
		return;
	}
	sr_time_format_iso(ms, iso, sizeof(iso));
	sr_buf_add_json_str(b, iso);
}

/* Open an object/array value: comma if needed, then the bracket. */
static void
jopen(struct sr_buf *b, const char *key, char bracket)
{
	if (key != NULL)
		jkey(b, key);
	else if (b->len > 0 && b->data[b->len - 1] != '{' &&
	    b->data[b->len - 1] != '[')
		sr_buf_addc(b, ',');
	sr_buf_addc(b, bracket);
}

/* One field of an event as "key": value (null when absent). */
static void
render_field(struct sr_buf *b, const struct sr_field *f,
    const struct sr_event *ev)
{
	const char *t;
	double d;

	switch (f->type) {
	case SR_FIELD_TIME:
		jtime(b, f->json, ev->ts_ms);
		jkey(b, "ts_ms");
		sr_buf_addf(b, "%" PRId64, ev->ts_ms);
		return;
	case SR_FIELD_TEXT:
		t = sr_field_text(f, ev);
		jstr(b, f->json, t != NULL ? t : f->dflt);
		return;
	case SR_FIELD_JSON:
		t = sr_field_text(f, ev);
		jkey(b, f->json);
		if (t != NULL && t[0] == '{')
			sr_buf_adds(b, t); /* a JSON object already */
		else
			sr_buf_adds(b, "null");
		return;
	case SR_FIELD_INT:
	case SR_FIELD_REAL:
	case SR_FIELD_FLAG:
		jnum(b, f->json, sr_field_num(f, ev, &d) ? d : NAN);
		return;
	}
}

/*
 * The fields that have a JSON key, in the field table's order except that
 * the time (and its ts_ms) comes first; then "error" (sr_event_is_error()).
 */
void
sr_web_json_event(struct sr_buf *b, const char *idkey, uint64_t id,
    const struct sr_event *ev)
{
	jopen(b, NULL, '{');
	ju64(b, idkey, id);
	for (int i = 0; i < SR_FIELD__COUNT; i++)
		if (sr_fields[i].json != NULL &&
		    sr_fields[i].type == SR_FIELD_TIME)
			render_field(b, &sr_fields[i], ev);
	for (int i = 0; i < SR_FIELD__COUNT; i++)
		if (sr_fields[i].json != NULL &&
		    sr_fields[i].type != SR_FIELD_TIME)
			render_field(b, &sr_fields[i], ev);
	jkey(b, "error");
	sr_buf_adds(b, sr_event_is_error(ev) ? "true" : "false");
	sr_buf_addc(b, '}');
}

static void
render_hist(struct sr_buf *b, const char *key, const float *h, int n, int max)
{
	int i = n > max ? n - max : 0;

	jopen(b, key, '[');
	for (int first = 1; i < n; i++, first = 0) {
		if (!first)
			sr_buf_addc(b, ',');
		sr_web_json_num(b, (double)h[i]);
	}
	sr_buf_addc(b, ']');
}

/*
 * The health status: "failing" when the store's last commit failed or it
 * cannot be written (the only one answered 503), "degraded" when it is
 * retrying or a source is down or retrying, else "ok" ("starting" is the
 * route's answer before the first frame).
 */
static const char *
render_status(const struct sr_snapshot *s)
{
	if (s->store.state == SR_STORE_FAILING)
		return "failing";
	if (s->store.state == SR_STORE_RETRYING || s->otlp.retrying)
		return "degraded";
	for (size_t i = 0; i < s->n_sources; i++)
		if (s->sources[i].state == SR_SRC_DOWN ||
		    s->sources[i].state == SR_SRC_RETRYING)
			return "degraded";
	return "ok";
}

/* The OTLP exporter: "otlp_export":{url, state, ..., logs, metrics}. */
static void
render_otlp(struct sr_buf *b, const struct sr_snapshot *s)
{
	const struct sr_snap_otlp *o = &s->otlp;

	if (!o->on)
		return;
	jopen(b, "otlp_export", '{');
	jstr(b, "url", o->url);
	jstr(b, "state", o->retrying ? "retrying" : "ok");
	jstr(b, "last_error", o->last_error);
	jtime(b, "next_attempt", o->next_attempt_ms);
	for (int g = 0; g < SR_SNAP_OTLP__SIGNALS; g++) {
		const struct sr_snap_otlp_counts *c = &o->sig[g];

		jopen(b, sr_snap_otlp_signal_name((enum sr_snap_otlp_signal)g),
		    '{');
		ju64(b, "queued", c->queued);
		ju64(b, "sent", c->sent);
		ju64(b, "failures", c->failures);
		jopen(b, "dropped", '{');
		ju64(b, "queue_full", c->dropped_queue_full);
		ju64(b, "rejected", c->dropped_rejected);
		sr_buf_adds(b, "}}");
	}
	sr_buf_addc(b, '}');
}

static void
render_health(struct sr_buf *b, const struct sr_snapshot *s,
    const struct sr_web_render_info *in)
{
	sr_buf_addc(b, '{');
	jstr(b, "status", render_status(s));
	jstr(b, "version", SR_VERSION);
	jnum(b, "uptime_s", (double)(s->now_ms - in->started_ms) / 1000.0);
	ju64(b, "tick", s->tick);
	jtime(b, "time", s->now_ms);
	jkey(b, "interval_ms");
	sr_buf_addf(b, "%" PRId64, s->interval_ms);
	jstr(b, "hostname", s->host.hostname);
	jopen(b, "sources", '[');
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct sr_snap_source *src = &s->sources[i];

		jopen(b, NULL, '{');
		jstr(b, "name", src->name);
		jstr(b, "kind", src->kind);
		jstr(b, "state", sr_source_state_name(src->state));
		jstr(b, "last_error", src->last_error);
		jstr(b, "notice", src->notice);
		jtime(b, "next_attempt", src->next_attempt_ms);
		ju64(b, "events", src->events);
		ju64(b, "rejected", src->rejected);
		if (src->series_max > 0) {
			ju64(b, "series", src->series);
			ju64(b, "series_max", src->series_max);
			ju64(b, "series_dropped", src->series_dropped);
		}
		jopen(b, "rejected_by_reason", '{');
		for (size_t j = 0; j < src->n_rejected_by_reason; j++)
			ju64(b, src->rejected_by_reason[j].name,
			    src->rejected_by_reason[j].count);
		sr_buf_adds(b, "}}");
	}
	sr_buf_addc(b, ']');
	jopen(b, "hosts", '[');
	for (size_t i = 0; i < s->n_hosts; i++) {
		if (i > 0)
			sr_buf_addc(b, ',');
		sr_buf_add_json_str(b, s->hosts[i].name);
	}
	sr_buf_addc(b, ']');
	jopen(b, "store", '{');
	jstr(b, "path", in->db_path);
	jstr(b, "state", sr_store_state_name(s->store.state));
	jstr(b, "error", s->store.error);
	ju64(b, "committed", s->store.committed);
	ju64(b, "pending", in->store_pending);
	ju64(b, "held", s->store.held);
	ju64(b, "errors", s->store.errors);
	jopen(b, "dropped", '{');
	for (int r = 0; r < SR_DROP__COUNT; r++)
		ju64(b, sr_snap_drop_name((enum sr_snap_drop)r),
		    s->store.dropped[r]);
	sr_buf_addc(b, '}');
	ju64(b, "rows_dropped", s->store.rows_dropped);
	jnum(b, "size_bytes",
	    in->store_bytes >= 0 ? (double)in->store_bytes : NAN);
	sr_buf_addc(b, '}');
	render_otlp(b, s);
	/* events the [limits] caps folded into "(other)" since start */
	jopen(b, "folded", '{');
	ju64(b, "services", s->folded.services);
	ju64(b, "endpoints", s->folded.endpoints);
	ju64(b, "models", s->folded.models);
	sr_buf_addc(b, '}');
	jopen(b, "http", '{');
	ju64(b, "requests", in->http.requests);
	ju64(b, "errors", in->http.errors);
	ju64(b, "sse_clients", in->http.sse_clients);
	ju64(b, "posted", in->http.posted);
	sr_buf_adds(b, "}}");
}

static void render_win(struct sr_buf *b, const struct sr_snap_win *w);

/*
 * Multi-host: "hosts":[{name, events, last_seen, cpu_pct, mem_pct, load1,
 * fs_pct, local, scrape, 1m, 5m, services}]; scrape is null for a host
 * no prom: source scrapes, else {job, state (up, down, stale), last,
 * age_s}.
 */
static void
render_hosts(struct sr_buf *b, const struct sr_snapshot *s)
{
	jopen(b, "hosts", '[');
	for (size_t i = 0; i < s->n_hosts; i++) {
		const struct sr_snap_hostrow *h = &s->hosts[i];

		jopen(b, NULL, '{');
		jstr(b, "name", h->name);
		ju64(b, "events", h->events);
		jtime(b, "last_seen", h->last_seen_ms);
		jnum(b, "cpu_pct", h->cpu_pct);
		jnum(b, "mem_pct", h->mem_pct);
		jnum(b, "load1", h->load1);
		jnum(b, "fs_pct", h->fs_pct);
		jkey(b, "local");
		sr_buf_adds(b, h->local ? "true" : "false");
		if (h->scrape == SR_SNAP_SCRAPE_NONE) {
			jkey(b, "scrape");
			sr_buf_adds(b, "null");
		} else {
			jopen(b, "scrape", '{');
			jstr(b, "job", h->job);
			jstr(b, "state", sr_snap_scrape_name(h->scrape));
			jtime(b, "last", h->scrape_ms);
			jnum(b, "age_s",
			    h->scrape_ms > 0 && s->now_ms >= h->scrape_ms
				? (double)((s->now_ms - h->scrape_ms) / 1000)
				: NAN);
			sr_buf_addc(b, '}');
		}
		jkey(b, "1m");
		render_win(b, &h->win[SR_WIN_1M]);
		jkey(b, "5m");
		render_win(b, &h->win[SR_WIN_5M]);
		jopen(b, "services", '[');
		for (size_t k = 0; k < h->n_services; k++) {
			jopen(b, NULL, '{');
			jstr(b, "name", h->services[k].name);
			jkey(b, "5m");
			render_win(b, &h->services[k].win[SR_WIN_5M]);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "]}");
	}
	sr_buf_addc(b, ']');
}

/* The TUI's trend rule (tui/panel_tiles.c): flat within 5 % of prev. */
static const char *
render_trend(const struct sr_snap_kpi *k)
{
	double d;

	if (isnan(k->value) || isnan(k->prev))
		return NULL;
	d = k->value - k->prev;
	if (fabs(d) <= 0.05 * fabs(k->prev) || fabs(d) < 1e-9)
		return "flat";
	return d > 0 ? "up" : "down";
}

/* The overview; with_hist adds each tile's history (the sparkline). */
static void
render_overview(struct sr_buf *b, const struct sr_snapshot *s, int with_hist)
{
	sr_buf_addc(b, '{');
	ju64(b, "tick", s->tick);
	jtime(b, "time", s->now_ms);
	jkey(b, "ts_ms");
	sr_buf_addf(b, "%" PRId64, s->now_ms);
	jkey(b, "interval_ms");
	sr_buf_addf(b, "%" PRId64, s->interval_ms);
	jopen(b, "host", '{');
	jstr(b, "hostname", s->host.hostname);
	jstr(b, "kernel", s->host.kernel);
	jnum(b, "uptime_s", s->host.uptime_s);
	jnum(b, "ncpu", s->host.ncpu);
	sr_buf_addc(b, '}');
	jopen(b, "kpis", '[');
	for (int i = 0; i < SR_KPI_COUNT; i++) {
		const struct sr_snap_kpi *k = &s->kpi[i];

		if (k->id == NULL)
			continue;
		jopen(b, NULL, '{');
		jstr(b, "id", k->id);
		jstr(b, "label", k->label);
		jstr(b, "unit", k->unit);
		jnum(b, "value", k->value);
		jstr(b, "unit2", k->unit2);
		jnum(b, "value2", k->unit2 ? k->value2 : NAN);
		jnum(b, "prev", k->prev);
		jnum(b, "warn", k->warn);
		jnum(b, "crit", k->crit);
		jnum(b, "level", k->level);
		/* the same level by name, so clients need no table */
		jstr(b, "level_name",
		    k->level >= 2	? "crit"
			: k->level == 1 ? "warn"
					: "ok");
		jstr(b, "trend", render_trend(k));
		if (with_hist)
			render_hist(b, "history", k->hist, k->hist_n,
			    RENDER_TILE_HIST);
		sr_buf_addc(b, '}');
	}
	sr_buf_addc(b, ']');
	jopen(b, "totals", '{');
	ju64(b, "events", s->totals.events);
	ju64(b, "rejected", s->totals.rejected);
	jnum(b, "events_per_s", s->totals.events_per_s);
	ju64(b, "old_events", s->totals.old_events);
	jtime(b, "newest_event", s->totals.newest_event_ms);
	ju64(b, "last_seq", s->last_seq);
	sr_buf_addc(b, '}');
	jopen(b, "insights", '{');
	ju64(b, "firing", s->n_firing);
	ju64(b, "pending", s->n_pending);
	ju64(b, "total", s->n_insights);
	sr_buf_addc(b, '}');
	render_hosts(b, s);
	jopen(b, "self", '{');
	jnum(b, "cpu_pct", s->self_cpu_pct);
	ju64(b, "rss_bytes", s->self_rss_bytes);
	sr_buf_adds(b, "}}");
}

static void
render_win(struct sr_buf *b, const struct sr_snap_win *w)
{
	sr_buf_addc(b, '{');
	ju64(b, "requests", w->requests);
	jnum(b, "req_per_s", w->req_per_s);
	ju64(b, "n_4xx", w->n_4xx);
	ju64(b, "n_5xx", w->n_5xx);
	jnum(b, "rate_4xx", w->rate_4xx);
	jnum(b, "rate_5xx", w->rate_5xx);
	ju64(b, "lat_n", w->lat_n);
	jnum(b, "p50_ms", w->p50);
	jnum(b, "p90_ms", w->p90);
	jnum(b, "p95_ms", w->p95);
	jnum(b, "p99_ms", w->p99);
	jnum(b, "max_ms", w->max);
	sr_buf_addc(b, '}');
}

static void
render_wins(struct sr_buf *b, const struct sr_snap_win *w)
{
	jopen(b, "windows", '{');
	for (int i = 0; i < SR_WIN_COUNT; i++) {
		jkey(b, sr_window_name((enum sr_window)i));
		render_win(b, &w[i]);
	}
	sr_buf_addc(b, '}');
}

/*
 * "llm_serving": one object per model of each scraped server
 * (snapshot.llm): "server" (the prom: source's job), "model", "key"
 * ("<server>.<model>", as in the llm.* series names), every field under its series name (core/llm.h: running, waiting,
 * kv_cache_pct, ttft_p50_ms, ... success_per_s; null when the server
 * gives none or it is stale) and "updated", its newest sample.
 */
static void
render_llm(struct sr_buf *b, const struct sr_snapshot *s)
{
	jopen(b, "llm_serving", '[');
	for (size_t i = 0; i < s->n_llm; i++) {
		jopen(b, NULL, '{');
		jstr(b, "server", s->llm[i].server);
		jstr(b, "model", s->llm[i].model);
		jstr(b, "key", s->llm[i].key);
		for (int f = 0; f < SR_LLM__COUNT; f++)
			jnum(b, sr_llm_field_name((enum sr_llm_field)f),
			    s->llm[i].v[f]);
		jtime(b, "updated", s->llm[i].ts_ms);
		sr_buf_addc(b, '}');
	}
	sr_buf_addc(b, ']');
}

static void
render_services(struct sr_buf *b, const struct sr_snapshot *s)
{
	sr_buf_addc(b, '{');
	jtime(b, "time", s->now_ms);
	jopen(b, "services", '[');
	for (size_t i = 0; i < s->n_services; i++) {
		const struct sr_snap_service *sv = &s->services[i];

		jopen(b, NULL, '{');
		jstr(b, "name", sv->name);
		jtime(b, "last_seen", sv->last_seen_ms);
		render_wins(b, sv->win);
		render_hist(b, "history_req_per_s", sv->hist_rps, sv->hist_n,
		    60);
		render_hist(b, "history_p95_ms", sv->hist_p95, sv->hist_n, 60);
		render_hist(b, "history_rate_5xx", sv->hist_err, sv->hist_n,
		    60);
		jopen(b, "endpoints", '[');
		for (size_t j = 0; j < sv->n_endpoints; j++) {
			jopen(b, NULL, '{');
			jstr(b, "name", sv->endpoints[j].name);
			render_wins(b, sv->endpoints[j].win);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "]}");
	}
	sr_buf_addc(b, ']');
	jopen(b, "top_endpoints", '[');
	for (size_t i = 0; i < s->n_top_endpoints; i++) {
		const struct sr_snap_top_endpoint *t = &s->top_endpoints[i];

		jopen(b, NULL, '{');
		jstr(b, "service", t->service);
		jstr(b, "endpoint", t->endpoint);
		ju64(b, "requests", t->requests);
		jnum(b, "req_per_s", t->req_per_s);
		jnum(b, "p95_ms", t->p95);
		jnum(b, "rate_5xx", t->rate_5xx);
		sr_buf_addc(b, '}');
	}
	sr_buf_addc(b, ']');
	jopen(b, "models", '[');
	for (size_t i = 0; i < s->n_models; i++) {
		const struct sr_snap_model *m = &s->models[i];

		jopen(b, NULL, '{');
		jstr(b, "name", m->name);
		jopen(b, "windows", '{');
		for (int w = 0; w < SR_WIN_COUNT; w++) {
			jkey(b, sr_window_name((enum sr_window)w));
			sr_buf_addc(b, '{');
			ju64(b, "requests", m->win[w].requests);
			ju64(b, "tokens_in", m->win[w].tokens_in);
			ju64(b, "tokens_out", m->win[w].tokens_out);
			jnum(b, "tokens_per_s", m->win[w].tokens_per_s);
			jnum(b, "ttft_p50_ms", m->win[w].ttft_p50);
			jnum(b, "ttft_p95_ms", m->win[w].ttft_p95);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "}}");
	}
	sr_buf_addc(b, ']');
	render_llm(b, s);
	jopen(b, "users", '{');
	ju64(b, "active_users", s->users.active_users);
	ju64(b, "active_sessions", s->users.active_sessions);
	jnum(b, "session_len_avg_s", s->users.session_len_avg_s);
	jnum(b, "events_per_session", s->users.events_per_session);
	sr_buf_addc(b, '}');
	jopen(b, "errors", '[');
	for (size_t i = 0; i < s->n_errors && i < 50; i++) {
		const struct sr_snap_error *e = &s->errors[i];

		jopen(b, NULL, '{');
		jstr(b, "template", e->template);
		jstr(b, "example", e->example);
		ju64(b, "count", e->count);
		ju64(b, "count_1h", e->count_1h);
		jtime(b, "first_seen", e->first_seen_ms);
		jtime(b, "last_seen", e->last_seen_ms);
		jopen(b, "services", '[');
		for (size_t j = 0; j < e->n_services; j++) {
			if (j > 0)
				sr_buf_addc(b, ',');
			sr_buf_add_json_str(b, e->services[j]);
		}
		sr_buf_adds(b, "]}");
	}
	sr_buf_adds(b, "]}");
}

static void
render_insight(struct sr_buf *b, const struct sr_snap_insight *in)
{
	sr_buf_addc(b, '{');
	jstr(b, "id", in->id);
	jstr(b, "rule", in->rule);
	jstr(b, "subject", in->subject);
	jstr(b, "category", sr_category_name(in->category));
	jstr(b, "severity", sr_severity_name(in->severity));
	jstr(b, "state", sr_insight_state_name(in->state));
	jnum(b, "confidence", in->confidence);
	jstr(b, "title", in->title);
	jstr(b, "description", in->description);
	jstr(b, "recommendation", in->recommendation);
	jtime(b, "first_seen", in->first_seen_ms);
	jtime(b, "last_seen", in->last_seen_ms);
	jtime(b, "since", in->since_ms);
	ju64(b, "count", in->count);
	jnum(b, "value", in->value);
	jnum(b, "threshold", in->threshold);
	jnum(b, "baseline", in->baseline);
	jopen(b, "history", '[');
	for (size_t i = 0; i < in->n_history; i++) {
		jopen(b, NULL, '{');
		jtime(b, "time", in->history[i].ts_ms);
		jstr(b, "state", sr_insight_state_name(in->history[i].state));
		jstr(b, "severity", sr_severity_name(in->history[i].severity));
		jnum(b, "value", in->history[i].value);
		sr_buf_addc(b, '}');
	}
	sr_buf_adds(b, "]}");
}

/* ---- Prometheus ------------------------------------------------------- */

/* Append s with every byte outside [a-zA-Z0-9_] as '_'. */
static void
prom_name(struct sr_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		sr_buf_addc(b, isalnum((unsigned char)s[i]) ? s[i] : '_');
}

/* Append a label value, escaped as the text format wants. */
static void
prom_lval(struct sr_buf *b, const char *s)
{
	sr_buf_addc(b, '"');
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			sr_buf_addc(b, '\\');
		if (*s == '\n') {
			sr_buf_adds(b, "\\n");
			continue;
		}
		sr_buf_addc(b, *s);
	}
	sr_buf_addc(b, '"');
}

static void
prom_val(struct sr_buf *b, double v)
{
	if (isnan(v))
		sr_buf_adds(b, "NaN");
	else if (isinf(v))
		sr_buf_adds(b, v > 0 ? "+Inf" : "-Inf");
	else
		sr_buf_addf(b, "%.9g", v);
}

/* HELP and TYPE lines. */
static void
prom_head(struct sr_buf *b, const char *name, const char *type,
    const char *help)
{
	sr_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample; labels is "k1", v1, "k2", v2 ..., NULL. */
static void prom_sample(struct sr_buf *b, const char *name, double v, ...);

/* A series of one sample without labels, with its HELP and TYPE. */
static void
prom_one(struct sr_buf *b, const char *name, const char *type, const char *help,
    double v)
{
	prom_head(b, name, type, help);
	prom_sample(b, name, v, (const char *)NULL);
}

/* One sample; labels is "k1", v1, "k2", v2 ..., NULL. */
static void
prom_sample(struct sr_buf *b, const char *name, double v, ...)
{
	va_list ap;
	const char *k;
	int n = 0;

	sr_buf_adds(b, name);
	va_start(ap, v);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *lv = va_arg(ap, const char *);

		sr_buf_addc(b, n++ ? ',' : '{');
		sr_buf_adds(b, k);
		sr_buf_addc(b, '=');
		prom_lval(b, lv);
	}
	va_end(ap);
	if (n)
		sr_buf_addc(b, '}');
	sr_buf_addc(b, ' ');
	prom_val(b, v);
	sr_buf_addc(b, '\n');
}

/* A field name in base units: suffix rewrite and the scale to apply. */
static double
prom_field(struct sr_buf *b, const char *field, const char *unit)
{
	static const struct {
		const char *suffix, *repl;
		double scale;
	} map[] = {
		{ "_bytes_per_s", "_bytes_per_second", 1 },
		{ "_per_s", "_per_second", 1 },
		{ "_pct", "_ratio", 0.01 },
		{ "_ms", "_seconds", 0.001 },
		{ "_s", "_seconds", 1 },
	};
	size_t n = strlen(field);

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t sl = strlen(map[i].suffix);

		if (n > sl && strcmp(field + n - sl, map[i].suffix) == 0) {
			prom_name(b, field, n - sl);
			sr_buf_adds(b, map[i].repl);
			return map[i].scale;
		}
	}
	prom_name(b, field, n);
	/* _count and _total are reserved for summaries and counters */
	if (b->len >= 6 &&
	    (strcmp(b->data + b->len - 6, "_count") == 0 ||
		strcmp(b->data + b->len - 6, "_total") == 0)) {
		b->len -= 6;
		b->data[b->len] = '\0';
		sr_buf_adds(b, "_num");
	} else if (n == 5 &&
	    (strcmp(field, "count") == 0 || strcmp(field, "total") == 0)) {
		sr_buf_adds(b, "_num");
	}
	if (unit != NULL && strcmp(unit, "%") == 0) {
		sr_buf_adds(b, "_ratio");
		return 0.01;
	}
	if (unit != NULL && strcmp(unit, "C") == 0)
		sr_buf_adds(b, "_celsius");
	return 1;
}

/*
 * System metrics, grouped so each family name gets one HELP/TYPE block:
 * snapshot metrics are sorted by name, but "cpu.cpu0.x" and "cpu.total.x"
 * interleave, so collect (name, line) pairs and sort by name first.
 */
struct prom_line {
	char *name;
	char *line;
	const char *unit;
	const char *orig;
};

static int
prom_line_cmp(const void *a, const void *b)
{
	const struct prom_line *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->line, y->line);
}

static void
prom_system(struct sr_buf *b, const struct sr_snapshot *s)
{
	struct prom_line *lines;
	size_t n = 0;

	if (s->n_metrics == 0)
		return;
	lines = sr_xcalloc(s->n_metrics, sizeof(*lines));
	for (size_t i = 0; i < s->n_metrics; i++) {
		const struct sr_snap_metric *m = &s->metrics[i];
		const char *first = strchr(m->name, '.');
		const char *last = strrchr(m->name, '.');
		struct sr_buf nm, ln;
		double scale;

		/* a prom: source's raw series are another exporter's own,
		 * with labels of their own: Prometheus scrapes that exporter
		 * itself (its llm.* and host.* samples are exported) */
		if (isnan(m->value) || strncmp(m->name, "prom.", 5) == 0)
			continue;
		sr_buf_init(&nm);
		sr_buf_init(&ln);
		sr_buf_adds(&nm, "sitrep_");
		if (first == NULL) {
			scale = prom_field(&nm, m->name, m->unit);
			first = last = m->name; /* no instance */
		} else {
			prom_name(&nm, m->name, (size_t)(first - m->name));
			sr_buf_addc(&nm, '_');
			scale = prom_field(&nm, last + 1, m->unit);
		}
		if (nm.data[nm.len - 1] == '_') /* "load.1": field "1" */
			nm.data[--nm.len] = '\0';
		sr_buf_adds(&ln, nm.data);
		if (sr_llm_split(m->name, NULL, NULL) >= 0) {
			/* llm.<server>.<model>.<field>: two labels */
			size_t sl =
			    (size_t)(strchr(first + 1, '.') - first - 1);
			char *srv = sr_xstrndup(first + 1, sl);
			char *mod = sr_xstrndup(first + 2 + sl,
			    (size_t)(last - first - 2) - sl);

			sr_buf_adds(&ln, "{server=");
			prom_lval(&ln, srv);
			sr_buf_adds(&ln, ",model=");
			prom_lval(&ln, mod);
			sr_buf_addc(&ln, '}');
			free(srv);
			free(mod);
		} else if (first != last) {
			char *inst =
			    sr_xstrndup(first + 1, (size_t)(last - first - 1));

			if (strcmp(inst, "total") != 0) {
				sr_buf_addc(&ln, '{');
				sr_buf_adds(&ln,
				    sr_metric_instance_label(m->name,
					(size_t)(first - m->name)));
				sr_buf_addc(&ln, '=');
				prom_lval(&ln, inst);
				sr_buf_addc(&ln, '}');
			}
			free(inst);
		}
		sr_buf_addc(&ln, ' ');
		prom_val(&ln, m->value * scale);
		sr_buf_addc(&ln, '\n');
		lines[n].name = sr_buf_detach(&nm, NULL);
		lines[n].line = sr_buf_detach(&ln, NULL);
		lines[n].unit = m->unit;
		lines[n].orig = m->name;
		n++;
	}
	qsort(lines, n, sizeof(*lines), prom_line_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(lines[i].name, lines[i - 1].name) != 0)
			sr_buf_addf(b,
			    "# HELP %s system metric (sitrep "
			    "name %s, unit %s)\n# TYPE %s gauge\n",
			    lines[i].name, lines[i].orig,
			    lines[i].unit && *lines[i].unit ? lines[i].unit
							    : "count",
			    lines[i].name);
		sr_buf_adds(b, lines[i].line);
	}
	for (size_t i = 0; i < n; i++) {
		free(lines[i].name);
		free(lines[i].line);
	}
	free(lines);
}

/*
 * A latency summary over the window: quantiles, _sum and _count, in
 * seconds.  The window slides, so _sum and _count can go down: divide
 * them for the window's mean, do not rate() them.
 */
static void
prom_latency(struct sr_buf *b, const char *name, const struct sr_snap_win *w,
    const char *k1, const char *v1, const char *k2, const char *v2)
{
	static const char *q[] = { "0.5", "0.9", "0.95", "0.99" };
	double v[] = { w->p50, w->p90, w->p95, w->p99 };
	char nm[128];

	for (int i = 0; i < 4; i++)
		prom_sample(b, name, v[i] / 1000.0, k1, v1, "quantile", q[i],
		    k2, v2, (const char *)NULL);
	snprintf(nm, sizeof(nm), "%s_sum", name);
	prom_sample(b, nm, w->lat_sum / 1000.0, k1, v1, k2, v2,
	    (const char *)NULL);
	snprintf(nm, sizeof(nm), "%s_count", name);
	prom_sample(b, nm, (double)w->lat_n, k1, v1, k2, v2,
	    (const char *)NULL);
}

/*
 * Endpoints per service that get their own series; the rest, with the
 * agg's own "(other)", are the one endpoint="(other)" (SR_OTHER) series,
 * a name no real endpoint is aggregated under (core/template.h).
 */
static size_t
prom_n_endpoints(const struct sr_snap_service *sv)
{
	return sv->n_endpoints < RENDER_PROM_ENDPOINTS ? sv->n_endpoints
						       : RENDER_PROM_ENDPOINTS;
}

static int
prom_is_other(const struct sr_snap_endpoint *ep)
{
	return strcmp(ep->name, SR_OTHER) == 0;
}

/*
 * The requests of a service's endpoints beyond the listed ones (the
 * service total minus the listed endpoints), or 0 when there are none.
 */
static double
prom_other_rps(const struct sr_snap_service *sv, enum sr_window w)
{
	double rest = sv->win[w].req_per_s;
	uint64_t n = sv->win[w].requests;

	for (size_t j = 0; j < prom_n_endpoints(sv); j++) {
		if (prom_is_other(&sv->endpoints[j]))
			continue;
		rest -= sv->endpoints[j].win[w].req_per_s;
		n -= sv->endpoints[j].win[w].requests;
	}
	return n > 0 && rest > 0 ? rest : 0;
}

/* One sample per signal of an OTLP export count: v[signal]. */
static void
prom_otlp_signals(struct sr_buf *b, const char *name, const char *type,
    const char *help, const uint64_t v[SR_SNAP_OTLP__SIGNALS])
{
	prom_head(b, name, type, help);
	for (int g = 0; g < SR_SNAP_OTLP__SIGNALS; g++)
		prom_sample(b, name, (double)v[g], "signal",
		    sr_snap_otlp_signal_name((enum sr_snap_otlp_signal)g),
		    (const char *)NULL);
}

/* The OTLP exporter's series, when it is on. */
static void
prom_otlp(struct sr_buf *b, const struct sr_snapshot *s)
{
	const struct sr_snap_otlp_counts *c = s->otlp.sig;

	if (!s->otlp.on)
		return;
	prom_otlp_signals(b, "sitrep_otlp_export_queued", "gauge",
	    "items waiting for the OTLP collector, in flight included",
	    (const uint64_t[]){ c[0].queued, c[1].queued });
	prom_otlp_signals(b, "sitrep_otlp_export_sent_total", "counter",
	    "log records and metric points the OTLP collector accepted",
	    (const uint64_t[]){ c[0].sent, c[1].sent });
	prom_otlp_signals(b, "sitrep_otlp_export_failures_total", "counter",
	    "export requests that failed and were retried",
	    (const uint64_t[]){ c[0].failures, c[1].failures });
	prom_head(b, "sitrep_otlp_export_dropped_total", "counter",
	    "items never exported: past the queue's bound (queue_full) or "
	    "refused by the collector (rejected)");
	for (int g = 0; g < SR_SNAP_OTLP__SIGNALS; g++) {
		const char *sig =
		    sr_snap_otlp_signal_name((enum sr_snap_otlp_signal)g);

		prom_sample(b, "sitrep_otlp_export_dropped_total",
		    (double)s->otlp.sig[g].dropped_queue_full, "signal", sig,
		    "reason", "queue_full", (const char *)NULL);
		prom_sample(b, "sitrep_otlp_export_dropped_total",
		    (double)s->otlp.sig[g].dropped_rejected, "signal", sig,
		    "reason", "rejected", (const char *)NULL);
	}
	prom_one(b, "sitrep_otlp_export_up", "gauge",
	    "1 while the OTLP collector takes what is sent, 0 while retrying",
	    s->otlp.retrying ? 0 : 1);
}

static void
render_metrics(struct sr_buf *b, const struct sr_snapshot *s,
    const struct sr_web_render_info *in)
{
	const enum sr_window W = SR_WIN_1M;

	prom_system(b, s);

	prom_head(b, "sitrep_service_requests_per_second", "gauge",
	    "requests per second over the last minute");
	for (size_t i = 0; i < s->n_services; i++)
		prom_sample(b, "sitrep_service_requests_per_second",
		    s->services[i].win[W].req_per_s, "service",
		    s->services[i].name, (const char *)NULL);
	prom_head(b, "sitrep_service_responses_ratio", "gauge",
	    "share of the last minute's requests by status class (0-1)");
	for (size_t i = 0; i < s->n_services; i++) {
		prom_sample(b, "sitrep_service_responses_ratio",
		    s->services[i].win[W].rate_4xx, "service",
		    s->services[i].name, "status_class", "4xx",
		    (const char *)NULL);
		prom_sample(b, "sitrep_service_responses_ratio",
		    s->services[i].win[W].rate_5xx, "service",
		    s->services[i].name, "status_class", "5xx",
		    (const char *)NULL);
	}
	prom_head(b, "sitrep_service_latency_seconds", "summary",
	    "request latency over the last minute");
	for (size_t i = 0; i < s->n_services; i++)
		prom_latency(b, "sitrep_service_latency_seconds",
		    &s->services[i].win[W], "service", s->services[i].name,
		    NULL, NULL);
	prom_head(b, "sitrep_endpoint_requests_per_second", "gauge",
	    "requests per second over the last minute, per endpoint (the "
	    "busiest " SR_STR(
		RENDER_PROM_ENDPOINTS) " of each service, the "
				       "rest as endpoint=\"" SR_OTHER "\")");
	for (size_t i = 0; i < s->n_services; i++) {
		const struct sr_snap_service *sv = &s->services[i];

		for (size_t j = 0; j < prom_n_endpoints(sv); j++)
			if (!prom_is_other(&sv->endpoints[j]))
				prom_sample(b,
				    "sitrep_endpoint_requests_per_second",
				    sv->endpoints[j].win[W].req_per_s,
				    "service", sv->name, "endpoint",
				    sv->endpoints[j].name, (const char *)NULL);
		if (sv->n_endpoints > 0)
			prom_sample(b, "sitrep_endpoint_requests_per_second",
			    prom_other_rps(sv, W), "service", sv->name,
			    "endpoint", SR_OTHER, (const char *)NULL);
	}
	prom_head(b, "sitrep_endpoint_latency_seconds", "summary",
	    "request latency over the last minute, per endpoint (the "
	    "busiest " SR_STR(RENDER_PROM_ENDPOINTS) " of each service)");
	for (size_t i = 0; i < s->n_services; i++)
		for (size_t j = 0; j < prom_n_endpoints(&s->services[i]); j++)
			if (!prom_is_other(&s->services[i].endpoints[j]))
				prom_latency(b,
				    "sitrep_endpoint_latency_seconds",
				    &s->services[i].endpoints[j].win[W],
				    "service", s->services[i].name, "endpoint",
				    s->services[i].endpoints[j].name);
	prom_head(b, "sitrep_host_requests_per_second", "gauge",
	    "events per second over the last minute, per host");
	for (size_t i = 0; i < s->n_hosts; i++)
		prom_sample(b, "sitrep_host_requests_per_second",
		    s->hosts[i].win[W].req_per_s, "host", s->hosts[i].name,
		    (const char *)NULL);
	prom_head(b, "sitrep_host_errors_ratio", "gauge",
	    "share of the last minute's events that were 5xx, per host");
	for (size_t i = 0; i < s->n_hosts; i++)
		prom_sample(b, "sitrep_host_errors_ratio",
		    s->hosts[i].win[W].rate_5xx, "host", s->hosts[i].name,
		    (const char *)NULL);
	prom_head(b, "sitrep_host_latency_seconds", "summary",
	    "latency over the last minute, per host");
	for (size_t i = 0; i < s->n_hosts; i++)
		prom_latency(b, "sitrep_host_latency_seconds",
		    &s->hosts[i].win[W], "host", s->hosts[i].name, NULL, NULL);
	prom_head(b, "sitrep_model_tokens_per_second", "gauge",
	    "generated tokens per generation second over the last minute");
	for (size_t i = 0; i < s->n_models; i++)
		prom_sample(b, "sitrep_model_tokens_per_second",
		    s->models[i].win[W].tokens_per_s, "model",
		    s->models[i].name, (const char *)NULL);
	prom_head(b, "sitrep_model_requests", "gauge",
	    "requests per model over the last minute");
	for (size_t i = 0; i < s->n_models; i++)
		prom_sample(b, "sitrep_model_requests",
		    (double)s->models[i].win[W].requests, "model",
		    s->models[i].name, (const char *)NULL);
	prom_head(b, "sitrep_model_tokens", "gauge",
	    "tokens per model over the last minute, prompt (in) and "
	    "generated (out)");
	for (size_t i = 0; i < s->n_models; i++) {
		prom_sample(b, "sitrep_model_tokens",
		    (double)s->models[i].win[W].tokens_in, "model",
		    s->models[i].name, "direction", "in", (const char *)NULL);
		prom_sample(b, "sitrep_model_tokens",
		    (double)s->models[i].win[W].tokens_out, "model",
		    s->models[i].name, "direction", "out", (const char *)NULL);
	}
	prom_head(b, "sitrep_model_ttft_seconds", "summary",
	    "time to first token per model over the last minute");
	for (size_t i = 0; i < s->n_models; i++) {
		prom_sample(b, "sitrep_model_ttft_seconds",
		    s->models[i].win[W].ttft_p50 / 1000.0, "model",
		    s->models[i].name, "quantile", "0.5", (const char *)NULL);
		prom_sample(b, "sitrep_model_ttft_seconds",
		    s->models[i].win[W].ttft_p95 / 1000.0, "model",
		    s->models[i].name, "quantile", "0.95", (const char *)NULL);
	}
	prom_one(b, "sitrep_active_users", "gauge",
	    "users seen in the active-session window",
	    (double)s->users.active_users);
	prom_one(b, "sitrep_active_sessions", "gauge",
	    "sessions seen in the active-session window",
	    (double)s->users.active_sessions);
	prom_head(b, "sitrep_insights", "gauge", "insights by state");
	{
		size_t resolved = s->n_insights - s->n_firing - s->n_pending;

		prom_sample(b, "sitrep_insights", (double)s->n_firing, "state",
		    "firing", (const char *)NULL);
		prom_sample(b, "sitrep_insights", (double)s->n_pending, "state",
		    "pending", (const char *)NULL);
		prom_sample(b, "sitrep_insights", (double)resolved, "state",
		    "resolved", (const char *)NULL);
	}
	prom_head(b, "sitrep_insight_firing", "gauge",
	    "1 for each firing insight");
	for (size_t i = 0; i < s->n_insights; i++)
		if (s->insights[i].state == SR_INS_FIRING)
			prom_sample(b, "sitrep_insight_firing", 1, "id",
			    s->insights[i].id, "severity",
			    sr_severity_name(s->insights[i].severity),
			    (const char *)NULL);

	prom_one(b, "sitrep_events_ingested_total", "counter",
	    "events accepted since start", (double)s->totals.events);
	prom_head(b, "sitrep_events_rejected_total", "counter",
	    "input lines rejected since start, by source and reason");
	for (size_t i = 0; i < s->n_sources; i++)
		for (size_t j = 0; j < s->sources[i].n_rejected_by_reason; j++)
			prom_sample(b, "sitrep_events_rejected_total",
			    (double)s->sources[i].rejected_by_reason[j].count,
			    "source", s->sources[i].name, "reason",
			    s->sources[i].rejected_by_reason[j].name,
			    (const char *)NULL);
	prom_one(b, "sitrep_process_cpu_seconds_total", "counter",
	    "CPU time used by sitrep (user and system)",
	    (double)in->cpu_us / 1e6);
	prom_one(b, "sitrep_process_resident_memory_bytes", "gauge",
	    "resident memory of sitrep", (double)s->self_rss_bytes);
	if (in->store_bytes >= 0) {
		prom_one(b, "sitrep_store_size_bytes", "gauge",
		    "size of the database file and its WAL",
		    (double)in->store_bytes);
	}
	prom_one(b, "sitrep_store_errors_total", "counter",
	    "failed commits and writes of the database since start",
	    (double)s->store.errors);
	prom_one(b, "sitrep_store_state", "gauge",
	    "the store: 0 ok, 1 retrying, 2 failing", (double)s->store.state);
	prom_one(b, "sitrep_store_held_events", "gauge",
	    "events held in memory until their commit", (double)s->store.held);
	prom_head(b, "sitrep_events_dropped_total", "counter",
	    "events read but never stored, by reason");
	for (int r = 0; r < SR_DROP__COUNT; r++)
		prom_sample(b, "sitrep_events_dropped_total",
		    (double)s->store.dropped[r], "reason",
		    sr_snap_drop_name((enum sr_snap_drop)r),
		    (const char *)NULL);
	prom_one(b, "sitrep_store_rows_dropped_total", "counter",
	    "samples and insight rows not written while the store failed",
	    (double)s->store.rows_dropped);
	prom_otlp(b, s);
	prom_head(b, "sitrep_cardinality_folded_total", "counter",
	    "events the [limits] caps folded into the \"" SR_OTHER
	    "\" series since start, by kind");
	prom_sample(b, "sitrep_cardinality_folded_total",
	    (double)s->folded.services, "kind", "services", (const char *)NULL);
	prom_sample(b, "sitrep_cardinality_folded_total",
	    (double)s->folded.endpoints, "kind", "endpoints",
	    (const char *)NULL);
	prom_sample(b, "sitrep_cardinality_folded_total",
	    (double)s->folded.models, "kind", "models", (const char *)NULL);
	prom_one(b, "sitrep_http_requests_total", "counter",
	    "HTTP requests answered", (double)in->http.requests);
	prom_one(b, "sitrep_http_errors_total", "counter",
	    "HTTP answers with a status of 400 or more",
	    (double)in->http.errors);
	prom_one(b, "sitrep_sse_clients", "gauge", "open /api/stream clients",
	    (double)in->http.sse_clients);
}

struct sr_web_frame *
sr_web_render(const struct sr_snapshot *s, const struct sr_web_render_info *in)
{
	struct sr_web_frame *f = sr_web_frame_new();
	struct sr_buf b;

	f->tick = s->tick;
	f->ts_ms = s->now_ms;
	sr_buf_init(&b);
	render_health(&b, s, in);
	f->health = sr_buf_detach(&b, NULL);
	f->health_failing = s->store.state == SR_STORE_FAILING;
	render_overview(&b, s, 0);
	f->overview = sr_buf_detach(&b, NULL);
	render_overview(&b, s, 1);
	f->overview_hist = sr_buf_detach(&b, NULL);
	render_services(&b, s);
	f->services = sr_buf_detach(&b, NULL);
	render_metrics(&b, s, in);
	f->metrics = sr_buf_detach(&b, NULL);
	for (size_t i = 0; i < s->n_events; i++) {
		const struct sr_snap_event *e = &s->events[i];

		sr_buf_reset(&b);
		sr_web_json_event(&b, "seq", e->seq, &e->ev);
		sr_web_frame_add_event(f, e->seq, &e->ev, b.data);
	}
	if (s->last_seq > f->events_seq)
		f->events_seq = s->last_seq;
	for (size_t i = 0; i < s->n_insights; i++) {
		const struct sr_snap_insight *in2 = &s->insights[i];
		char key[128];

		sr_buf_reset(&b);
		render_insight(&b, in2);
		snprintf(key, sizeof(key), "%d/%d/%" PRId64 "/%" PRIu64,
		    (int)in2->state, (int)in2->severity, in2->since_ms,
		    in2->count);
		sr_web_frame_add_insight(f, in2->id, (int)in2->state, key,
		    b.data);
	}
	sr_buf_release(&b);
	return f;
}
