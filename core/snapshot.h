/* SPDX-License-Identifier: MIT */
/*
 * snapshot: everything a front end shows, frozen once per tick.
 *
 * The engine (core/engine.h) builds one snapshot per tick and publishes
 * it; the TUI, the JSON API, SSE and /metrics read the same snapshot, so
 * they always show the same numbers.  A snapshot is immutable after it is
 * published and reference counted with an atomic counter, so any thread
 * may hold one: take a reference with sr_snapshot_ref() (or get a new one
 * from sr_engine_snapshot()), drop it with sr_snapshot_unref().  Every
 * pointer inside (strings, arrays) lives exactly as long as the snapshot
 * and belongs to it; readers never free anything inside.
 *
 * Conventions for every field below:
 *   - Arrays are a pointer plus a count (n_x); the pointer may be NULL
 *     when the count is 0.  Readers just walk them.
 *   - Strings are never NULL unless the comment says "or NULL".
 *   - A number that is unknown (no data in the window, metric not
 *     collected) is NAN; test with isnan().
 *   - Times are UTC milliseconds since the epoch (_ms); durations end in
 *     _ms too.  Rates are per second.  Percentages are 0..100, ratios
 *     ("rate" of errors) are 0..1 unless named _pct.
 *   - History arrays (hist[]) hold up to SR_SNAP_HIST values, oldest
 *     first; hist_n is how many are valid and the newest is
 *     hist[hist_n - 1].  One value per tick (interval_ms apart); a tick
 *     without data holds NAN.
 *   - Windows are indexed by enum sr_window (1 min, 5 min, 1 h), keyed
 *     by event time against the wall clock (now_ms).
 */
#ifndef SR_CORE_SNAPSHOT_H
#define SR_CORE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/llm.h"

#define SR_SNAP_HIST 300      /* points in every history array */
#define SR_SNAP_RECENT 1000   /* recent events kept */
#define SR_INSIGHT_HISTORY 32 /* transitions kept per insight */

/* Sliding windows of the live aggregates. */
enum sr_window {
	SR_WIN_1M,
	SR_WIN_5M,
	SR_WIN_1H,
	SR_WIN_COUNT
};

/* "1m", "5m", "1h". */
const char *sr_window_name(enum sr_window w);
/* Length of the window in milliseconds. */
int64_t sr_window_ms(enum sr_window w);

/* Insight severity, ordered: a larger value is worse. */
enum sr_severity {
	SR_SEV_INFO,
	SR_SEV_WARN,
	SR_SEV_CRIT
};

enum sr_category {
	SR_CAT_PERFORMANCE,
	SR_CAT_CAPACITY,
	SR_CAT_RELIABILITY,
	SR_CAT_USAGE,
	SR_CAT_ERRORS
};

/*
 * Insight lifecycle: PENDING (condition true, waiting out the rule's
 * `for`), FIRING, RESOLVED (condition cleared below the clear level and
 * keep_firing_for elapsed).  A pending insight whose condition goes away
 * before `for` is dropped, never shown as resolved.
 */
enum sr_insight_state {
	SR_INS_PENDING,
	SR_INS_FIRING,
	SR_INS_RESOLVED
};

/* "info", "warning", "critical"; parse returns -1 when unknown. */
const char *sr_severity_name(enum sr_severity s);
int sr_severity_parse(const char *s);
/* "performance", "capacity", "reliability", "usage", "errors". */
const char *sr_category_name(enum sr_category c);
int sr_category_parse(const char *s);
/* "pending", "firing", "resolved". */
const char *sr_insight_state_name(enum sr_insight_state s);
int sr_insight_state_parse(const char *s);

/* Source state as shown in the sources panel and /api/sources. */
enum sr_source_state {
	SR_SRC_OK,	 /* reading */
	SR_SRC_WAITING,	 /* open, nothing new (e.g. file not there yet) */
	SR_SRC_RETRYING, /* failed, will retry */
	SR_SRC_ENDED,	 /* reached its end (stdin EOF, --once) */
	SR_SRC_DOWN	 /* failed, gave up */
};

/* "ok", "waiting", "retrying", "ended", "down". */
const char *sr_source_state_name(enum sr_source_state s);

/* ---- system metrics --------------------------------------------------- */

/*
 * One system metric (from collectors/sys: "cpu.busy_pct", "mem.used_pct",
 * "disk./var.used_bytes", ...).  hist[] holds its last values, one per
 * tick.  The metrics array of a snapshot is sorted by name (strcmp), so
 * sr_snapshot_metric() can bisect.
 */
struct sr_snap_metric {
	const char *name;
	const char *unit; /* "%", "bytes", "bytes/s", "" ... */
	double value;	  /* latest value, NAN when missing */
	int64_t ts_ms;	  /* when value was sampled */
	int hist_n;
	float hist[SR_SNAP_HIST];
};

/* ---- KPI tiles -------------------------------------------------------- */

enum sr_kpi_id {
	SR_KPI_CPU,	 /* cpu busy %, all cores */
	SR_KPI_MEM,	 /* memory used % */
	SR_KPI_LOAD,	 /* load1 (value) and load1 per core (value2) */
	SR_KPI_DISK,	 /* disk busy % (value), bytes/s r+w (value2) */
	SR_KPI_NET,	 /* net bytes/s rx+tx (value) */
	SR_KPI_EVENTS,	 /* events/s over the last minute */
	SR_KPI_ERRORS,	 /* 5xx/error ratio over the last minute, % */
	SR_KPI_P95,	 /* latency p95 over the last minute, ms */
	SR_KPI_USERS,	 /* unique users over the active window */
	SR_KPI_SESSIONS, /* active sessions */
	SR_KPI_COUNT
};

/*
 * One KPI tile.  id is the name used in [tui] tiles= ("cpu", "mem",
 * "load", "disk", "net", "events", "errors", "p95", "users",
 * "sessions").  level: 0 normal, 1 at/above warn, 2 at/above crit
 * (warn/crit from the config; NAN when the KPI has no levels).  prev is
 * the value over the previous window of the same length (for a trend
 * arrow; NAN when unknown).
 */
struct sr_snap_kpi {
	const char *id;
	const char *label; /* "CPU", "Memory", ... */
	const char *unit;
	double value;
	const char *unit2; /* secondary figure, or NULL */
	double value2;
	double prev;
	double warn, crit;
	int level;
	int hist_n;
	float hist[SR_SNAP_HIST];
};

/* ---- services, endpoints, models ------------------------------------- */

/* Request figures over one window.  Latencies in ms, NAN when no sample. */
struct sr_snap_win {
	uint64_t requests; /* events in the window */
	double req_per_s;  /* requests / window seconds */
	uint64_t n_4xx;
	uint64_t n_5xx;	 /* 5xx status or error events */
	double rate_4xx; /* n_4xx / requests, 0..1 */
	double rate_5xx; /* n_5xx / requests, 0..1 */
	uint64_t lat_n;	 /* events that carried a latency */
	double lat_sum;	 /* their latencies added, ms */
	double p50, p90, p95, p99, max;
};

struct sr_snap_endpoint {
	const char *name;
	struct sr_snap_win win[SR_WIN_COUNT];
};

struct sr_snap_service {
	const char *name; /* "(other)" collects folded services */
	struct sr_snap_win win[SR_WIN_COUNT];
	int64_t last_seen_ms; /* newest event time */
	/* Per-tick history for sparklines (same hist_n for all three). */
	int hist_n;
	float hist_rps[SR_SNAP_HIST];
	float hist_p95[SR_SNAP_HIST];
	float hist_err[SR_SNAP_HIST]; /* 5xx ratio */
	/* The busiest endpoints (at most 20), by 5 min requests
	 * descending; the rest are in the service totals. */
	struct sr_snap_endpoint *endpoints;
	size_t n_endpoints;
};

/*
 * Per LLM model.  tokens_per_s = tokens_out / generation seconds, where
 * generation seconds = sum of the latency of the events that carried
 * tokens_out (the same definition `sitrep report` uses).
 */
struct sr_snap_model_win {
	uint64_t requests;
	uint64_t tokens_in;
	uint64_t tokens_out;
	double tokens_per_s;
	double ttft_p50, ttft_p95; /* ms */
};

struct sr_snap_model {
	const char *name;
	struct sr_snap_model_win win[SR_WIN_COUNT];
};

/*
 * Per server and model of the LLM servers scrape sources read (the
 * series llm.<server>.<model>.<field>, core/llm.h): the latest value of
 * each field in its unit (v[SR_LLM_KV_PCT] is 0..100, latencies in ms,
 * rates per second, preemptions per minute), NAN when the server gave
 * none or it is older than the insight view's stale time; a row with no
 * fresh figure at all is left out.  Sorted by model, then server.
 */
struct sr_snap_llm {
	const char *key;    /* "<server>.<model>", as in the series names */
	const char *server; /* the prom: source's job */
	const char *model;
	double v[SR_LLM__COUNT];
	int64_t ts_ms; /* newest sample of the model */
};

/* A (name, count) pair for top lists. */
struct sr_snap_count {
	const char *name;
	uint64_t count;
};

/* Busiest endpoints across services (by 5 min requests). */
struct sr_snap_top_endpoint {
	const char *service;
	const char *endpoint;
	uint64_t requests; /* 5 min */
	double req_per_s;  /* 5 min */
	double p95;	   /* 5 min, ms */
	double rate_5xx;   /* 5 min */
};

/* Events by type: counts per window. */
struct sr_snap_type {
	const char *name;
	uint64_t count[SR_WIN_COUNT];
};

/* ---- users and sessions ----------------------------------------------- */

/*
 * unique_* are exact while a window holds at most
 * SR_AGG_EXACT_CAP ids, then a HyperLogLog estimate (standard error
 * 1.04/sqrt(4096) = 1.6 %); *_exact says which.
 */
struct sr_snap_users {
	uint64_t unique_users[SR_WIN_COUNT];
	uint64_t unique_sessions[SR_WIN_COUNT];
	int users_exact[SR_WIN_COUNT];
	int sessions_exact[SR_WIN_COUNT];
	uint64_t active_users;	  /* seen in active window */
	uint64_t active_sessions; /* seen in active window */
	int64_t active_window_ms; /* [insights] active_session */
	double session_len_avg_s; /* active sessions */
	double session_len_p50_s;
	double events_per_session;	 /* active sessions, mean */
	struct sr_snap_count *top_users; /* by events, 1 h */
	size_t n_top_users;
};

/* ---- error patterns --------------------------------------------------- */

/*
 * Errors grouped by normalised template (core/template.h): numbers,
 * hex ids, UUIDs, paths and quoted strings masked, e.g.
 * "upstream timeout after <n> ms (request <id>)".
 */
struct sr_snap_error {
	const char *template;
	const char *example; /* the latest raw message */
	uint64_t count;	     /* since start */
	uint64_t count_1h;   /* in the last hour */
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	const char **services; /* services that logged it */
	size_t n_services;
};

/* ---- insights ---------------------------------------------------------- */

struct sr_snap_transition {
	int64_t ts_ms;
	enum sr_insight_state state;
	enum sr_severity severity;
	double value;
};

/*
 * One insight.  id = "rule:subject" (e.g. "cpu:host", "error_rate:api").
 * count is how many times it fired (grouped: the same id fires again
 * after a resolve -> count + 1).  value/threshold/baseline are the
 * numbers behind the text (NAN when not applicable).  confidence is in
 * 0..1 (formula in sitrep(1), INSIGHT RULES).  history is oldest first,
 * at most SR_INSIGHT_HISTORY transitions.
 */
struct sr_snap_insight {
	const char *id;
	const char *rule;
	const char *subject;
	enum sr_category category;
	enum sr_severity severity;
	enum sr_insight_state state;
	double confidence;
	const char *title;
	const char *description;
	const char *recommendation;
	int64_t first_seen_ms; /* first pending */
	int64_t last_seen_ms;  /* condition last true */
	int64_t since_ms;      /* entered state */
	uint64_t count;
	double value;
	double threshold;
	double baseline;
	struct sr_snap_transition *history;
	size_t n_history;
};

/* ---- sources, processes, totals --------------------------------------- */

struct sr_snap_source {
	const char *name;
	const char *kind; /* "stdin", "file", "http" ... */
	enum sr_source_state state;
	const char *last_error;	 /* or NULL */
	const char *notice;	 /* an ambiguous format: the --format to
				    declare; or NULL */
	int64_t next_attempt_ms; /* UTC ms of the next
						    retry, 0 if none */
	uint64_t events;	 /* accepted */
	uint64_t rejected;	 /* total of by_reason */
	struct sr_snap_count *rejected_by_reason;
	size_t n_rejected_by_reason;
	/* prom: sources (series_max 0 for others): series kept, the cap,
	 * samples dropped by it in the last scrape */
	uint64_t series, series_max, series_dropped;
};

struct sr_snap_proc {
	int pid;
	const char *name;    /* comm */
	const char *user;    /* or NULL */
	const char *cmdline; /* full command line, or NULL */
	double cpu_pct;	     /* of one core: 200 = two cores busy */
	uint64_t rss_bytes;
	double mem_pct;
};

struct sr_snap_totals {
	uint64_t events;	 /* accepted by the engine since start */
	uint64_t rejected;	 /* sum over sources */
	double events_per_s;	 /* last minute */
	uint64_t old_events;	 /* older than every window: history only */
	int64_t newest_event_ms; /* 0 when none */
};

/*
 * The store's health (runtime/app.c fills it from sr_store_status(); see
 * core/store.h): one copy so /api/health, /metrics and the console agree.
 */
enum sr_snap_drop {
	SR_DROP_QUEUE_FULL, /* events beyond [store] queue_max while failing */
	SR_DROP__COUNT
};

struct sr_snap_store {
	int known;	    /* 0 before the app reported (empty snapshot) */
	int state;	    /* enum sr_store_state: ok, retrying, failing */
	const char *error;  /* why not ok; NULL when ok */
	uint64_t errors;    /* failed commits and writes since start */
	uint64_t committed; /* events committed since start */
	uint64_t held;	    /* events waiting for a commit */
	uint64_t dropped[SR_DROP__COUNT]; /* events dropped, by reason */
	uint64_t rows_dropped; /* samples and insight rows not written */
};

/* "queue_full": the reason label of sitrep_events_dropped_total. */
const char *sr_snap_drop_name(enum sr_snap_drop r);

/*
 * The OTLP exporter (runtime/otlp_export.c), when --otlp-export or
 * [otlp] export_url is set: per signal, what waits (in flight included),
 * what the collector accepted, what was dropped (past the queue's bound,
 * or refused by the collector: a status it says not to retry, or a
 * partialSuccess) and the failed attempts that were retried.
 */
enum sr_snap_otlp_signal {
	SR_SNAP_OTLP_LOGS,    /* events, as log records */
	SR_SNAP_OTLP_METRICS, /* KPIs and system metrics, as gauge points */
	SR_SNAP_OTLP__SIGNALS
};

struct sr_snap_otlp_counts {
	uint64_t queued;
	uint64_t sent;
	uint64_t dropped_queue_full;
	uint64_t dropped_rejected;
	uint64_t failures;
};

struct sr_snap_otlp {
	int on;			 /* 0: no export configured */
	const char *url;	 /* the base URL, masked (sr_redact) */
	int retrying;		 /* the last attempt failed */
	const char *last_error;	 /* or NULL */
	int64_t next_attempt_ms; /* UTC ms of the next retry, 0 if none */
	struct sr_snap_otlp_counts sig[SR_SNAP_OTLP__SIGNALS];
};

/* "logs", "metrics": the signal label of the sitrep_otlp_export_* series. */
const char *sr_snap_otlp_signal_name(enum sr_snap_otlp_signal s);

/* What cardinality caps folded into "(other)" (counts of events folded). */
struct sr_snap_folded {
	uint64_t services; /* events of services past the cap */
	uint64_t endpoints;
	uint64_t models;
	uint64_t users; /* ids not tracked in the user table */
	uint64_t templates;
	uint64_t types;
};

struct sr_snap_host {
	const char *hostname;
	const char *kernel; /* "Linux 6.1.0-18-amd64" */
	double uptime_s;    /* NAN when unknown */
	int ncpu;
};

/*
 * Multi-host: one row per event.host seen (events followed from other
 * nodes carry it, see the sitrep:// source), sorted by name.  Windows as
 * for services; services: that host's services (by 5 min requests, at
 * most SR_SNAP_HOST_SERVICES), so a front end can filter by host.
 */
#define SR_SNAP_HOST_SERVICES 50
struct sr_snap_host_service {
	const char *name;
	struct sr_snap_win win[SR_WIN_COUNT];
};
/*
 * A host a prom: source scrapes (a node-exporter: its job has
 * host.<job>.* series, core/promscrape.c) is a row too, named by the job,
 * merged with the event host of the same name (or the job's name before
 * its ":port"); once there is one, this machine is a row as well
 * (local), so the panel shows it beside the others.  The scrape's state
 * comes from prom.<job>.up: up (1), down (0, the last scrape failed) or
 * stale (no scrape within the view's stale time).
 */
enum sr_snap_scrape {
	SR_SNAP_SCRAPE_NONE, /* not scraped */
	SR_SNAP_SCRAPE_UP,
	SR_SNAP_SCRAPE_DOWN,
	SR_SNAP_SCRAPE_STALE
};

/* "-", "up", "down", "stale". */
const char *sr_snap_scrape_name(enum sr_snap_scrape st);

struct sr_snap_hostrow {
	const char *name;
	uint64_t events; /* since start */
	int64_t last_seen_ms;
	struct sr_snap_win win[SR_WIN_COUNT];
	struct sr_snap_host_service *services;
	size_t n_services;
	/* The host's own figures, NAN when none or stale: a scraped host's
	 * host.<job>.cpu|mem|load|fs, another sitrep's host.<name>.* KPIs,
	 * this machine's own (local). */
	double cpu_pct, mem_pct, load1, fs_pct;
	int local;		    /* this machine */
	const char *job;	    /* the prom: source's job, or NULL */
	enum sr_snap_scrape scrape; /* NONE when job is NULL */
	int64_t scrape_ms;	    /* the last scrape (UTC ms), 0 none */
};

/* One recent event; ev's strings belong to the snapshot. */
struct sr_snap_event {
	uint64_t seq; /* 1, 2, 3 ... across the run: a stream cursor */
	struct sr_event ev;
};

/* ---- the snapshot ----------------------------------------------------- */

struct sr_snapshot {
	uint64_t tick; /* 1 for the first */
	int64_t now_ms;
	int64_t interval_ms;
	struct sr_snap_host host;

	struct sr_snap_metric *metrics; /* sorted by name */
	size_t n_metrics;

	struct sr_snap_kpi kpi[SR_KPI_COUNT];

	struct sr_snap_service *services; /* by 5 min req desc */
	size_t n_services;
	struct sr_snap_top_endpoint *top_endpoints; /* at most 20 */
	size_t n_top_endpoints;
	struct sr_snap_model *models; /* by 1 h requests */
	size_t n_models;
	struct sr_snap_llm *llm; /* scraped LLM servers, by model, server */
	size_t n_llm;
	size_t n_llm_servers; /* distinct servers among them */
	struct sr_snap_users users;
	struct sr_snap_type *types; /* by 1 h count desc */
	size_t n_types;
	struct sr_snap_error *errors; /* by last_seen desc */
	size_t n_errors;

	/* Firing and pending first (critical before warning), then
	 * resolved within the last hour, newest first. */
	struct sr_snap_insight *insights;
	size_t n_insights;
	size_t n_firing;
	size_t n_pending;

	/* Recent events, oldest first; events[i].seq strictly increasing. */
	struct sr_snap_event *events;
	size_t n_events;
	uint64_t last_seq; /* 0 when none yet */

	struct sr_snap_source *sources;
	size_t n_sources;

	struct sr_snap_hostrow *hosts; /* by name */
	size_t n_hosts;

	struct sr_snap_totals totals;
	struct sr_snap_folded folded;

	struct sr_snap_proc *procs_cpu; /* top by cpu */
	size_t n_procs_cpu;
	struct sr_snap_proc *procs_mem; /* top by rss */
	size_t n_procs_mem;

	struct sr_snap_store store;
	struct sr_snap_otlp otlp; /* the OTLP exporter's state */

	double self_cpu_pct; /* sitrep itself */
	uint64_t self_rss_bytes;

	/* Private: reference count and memory; do not touch. */
	struct sr_snapshot_priv *priv;
};

/*
 * Take another reference (any thread); returns s.  sr_snapshot_ref(NULL)
 * returns NULL.
 */
struct sr_snapshot *sr_snapshot_ref(struct sr_snapshot *s);

/* Drop a reference (any thread); the last one frees.  NULL does nothing. */
void sr_snapshot_unref(struct sr_snapshot *s);

/* Metric by exact name, or NULL.  Borrowed while you hold s. */
const struct sr_snap_metric *
sr_snapshot_metric(const struct sr_snapshot *s, const char *name);

/* Latest value of a metric, NAN when absent. */
double sr_snapshot_value(const struct sr_snapshot *s, const char *name);

/* Service by name, insight by id, KPI by tile id; NULL when absent. */
const struct sr_snap_service *
sr_snapshot_service(const struct sr_snapshot *s, const char *name);
const struct sr_snap_insight *
sr_snapshot_insight(const struct sr_snapshot *s, const char *id);
const struct sr_snap_kpi *
sr_snapshot_kpi(const struct sr_snapshot *s, const char *id);

/*
 * Index of the first recent event with seq > after (events[i]), or
 * s->n_events when none: a stream resumes from its last cursor.
 */
size_t sr_snapshot_events_after(const struct sr_snapshot *s, uint64_t after);

/*
 * An empty snapshot (tick 0, no data, every number NAN or 0), with one
 * reference: what a front end shows before the first publish.
 */
struct sr_snapshot *sr_snapshot_empty(void);

/*
 * For the engine, which builds snapshots: a new empty snapshot (one
 * reference) and memory that lives as long as it (zeroed; n == 0 gives
 * NULL).  Not for readers.
 */
struct sr_snapshot *sr_snapshot_new(void);
void *sr_snapshot_alloc(struct sr_snapshot *s, size_t n);
const char *sr_snapshot_strdup(struct sr_snapshot *s, const char *str);

#endif
