/* SPDX-License-Identifier: MIT */
/*
 * agg: live analytics updated as events arrive, keyed by event time
 * against the wall clock.
 *
 * Every keyed entity (service, endpoint of a service, model, event type)
 * owns a ring of buckets: 30 buckets of 10 s (the 1 min and 5 min
 * windows) and 12 buckets of 5 min (the 1 h window).  A bucket holds
 * counts and, lazily allocated, latency and TTFT sketches (core/sketch.h,
 * relative error 0.5 %).  Each level is allocated by the first event
 * that lands in it; an endpoint gives a level back once all of it is
 * older than its windows (checked each minute), so the many endpoints
 * seen once cost only the buckets they use.  A window is the merge of
 * the buckets it covers,
 * so windows slide in 10 s (1 h: 5 min) steps.  Rates divide by the
 * window length, or by the time covered since the first event when that
 * is shorter (a fresh start does not read as a traffic drop).
 *
 * Users and sessions live in bounded tables (id -> first/last seen,
 * events): unique counts per window are exact while nothing was folded
 * in that window, else a HyperLogLog estimate (4096 registers, standard
 * error 1.6 %).  Error messages are grouped by template (core/template.h).
 *
 * Memory is bounded by caps (services, endpoints per service and models
 * are the [limits] of core/limits.h); what a cap turns away is folded
 * into the one "(other)" entity (SR_OTHER) and counted (sr_agg_folded).
 * Endpoints are keyed by their template (sr_template_endpoint():
 * "/users/123" is "/users/:id"), services and models by
 * sr_template_name(), so no real name is the overflow's.  Only requests
 * (sr_event_is_request()) count as requests; every event counts in its
 * service's events and its type.  Events older than every window are
 * not aggregated, only counted (old_events).
 *
 * Baselines for the insight rules (EWMA with a robust deviation) are
 * updated once a minute by sr_agg_tick().  The agg is owned by one
 * thread; readers get pointers valid until the next add or tick.
 */
#ifndef SR_CORE_AGG_H
#define SR_CORE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/limits.h"
#include "core/snapshot.h"
#include "core/sketch.h"

/* The defaults of [limits] (sr_agg_set_limits()) */
#define SR_AGG_MAX_SERVICES SR_LIMIT_SERVICES
#define SR_AGG_MAX_ENDPOINTS SR_LIMIT_ENDPOINTS /* per service */
#define SR_AGG_MAX_MODELS SR_LIMIT_MODELS
#define SR_AGG_MAX_TYPES 64
#define SR_AGG_MAX_TEMPLATES 500
#define SR_AGG_MAX_USERS 50000 /* user and session tables each */
#define SR_AGG_EXACT_CAP SR_AGG_MAX_USERS
#define SR_AGG_TEMPLATE_SERVICES 8 /* services remembered per template */
#define SR_AGG_MAX_HOSTS 64
#define SR_AGG_OTHER SR_OTHER

#define SR_AGG_FINE_MS 10000
#define SR_AGG_FINE_N 30
#define SR_AGG_COARSE_MS 300000
#define SR_AGG_COARSE_N 12

struct sr_agg;

/*
 * A robust running baseline: EWMA of the value and EWMA of the absolute
 * deviation from it (a MAD-like spread); n counts the updates.  Updates
 * are clamped to mean +- 4 * dev (after the first 5), so one outlier or
 * an ongoing incident moves the baseline slowly.
 */
struct sr_baseline {
	double mean;
	double dev;
	uint64_t n;
};

/* Robust z score of x against b: (x - mean) / (1.4826 * dev), floored. */
double sr_baseline_z(const struct sr_baseline *b, double x);

/* Fold one observation into b with smoothing factor alpha. */
void sr_baseline_update(struct sr_baseline *b, double x, double alpha);

struct sr_agg_ring;

/* One endpoint of a service (read-only for callers). */
struct sr_agg_endpoint {
	char *name;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	struct sr_agg_ring *ring;
};

struct sr_agg_service {
	char *name;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	uint64_t events; /* since start */
	struct sr_agg_ring *ring;
	struct sr_agg_endpoint **endpoints;
	size_t n_endpoints;
	/* Baselines, updated each minute from the 1 min window (rps,
	 * p95) and the 5 min window (error ratio); gap from arrivals. */
	struct sr_baseline base_rps;
	struct sr_baseline base_p95;
	struct sr_baseline base_err;
	struct sr_baseline base_gap_ms; /* time between events */
	/* Per-tick history (1 min window values), last SR_SNAP_HIST. */
	float hist_rps[SR_SNAP_HIST];
	float hist_p95[SR_SNAP_HIST];
	float hist_err[SR_SNAP_HIST];
	int hist_n;
	/* Windows as of the last sr_agg_tick() (computed once a tick). */
	struct sr_snap_win win[SR_WIN_COUNT];
	size_t slot; /* internal */
};

struct sr_agg_model {
	char *name;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	struct sr_agg_ring *ring;
	struct sr_baseline base_ttft_p95;
	struct sr_baseline base_tps; /* tokens/s, 5 min window */
	/* Windows as of the last sr_agg_tick(). */
	struct sr_snap_model_win win[SR_WIN_COUNT];
};

struct sr_agg_template {
	char *tpl;
	char *example;
	uint64_t count;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	char *services[SR_AGG_TEMPLATE_SERVICES];
	size_t n_services;
	/* counts per 5 min bucket (1 h) */
	uint32_t coarse[SR_AGG_COARSE_N];
	int64_t coarse_idx[SR_AGG_COARSE_N];
};

/* A minute of stored rollups (ev_minute), for replaying history. */
struct sr_agg_minute {
	int64_t minute_ms;
	const char *service, *endpoint, *model; /* may be "" */
	uint64_t requests, n_4xx, n_5xx, lat_n;
	double lat_sum;
	const void *lat_sketch; /* sr_sketch_encode() blob or NULL */
	size_t lat_sketch_len;
	uint64_t tokens_in, tokens_out;
	double gen_ms;
	const void *ttft_sketch;
	size_t ttft_sketch_len;
};

/*
 * Hosts (event.host, set on events followed from other nodes): per host a
 * ring and one ring per service of that host ("service@host" rows, at
 * most SR_SNAP_HOST_SERVICES a host, the rest go to "(other)").  Services
 * themselves stay keyed by service only, so single-host figures and the
 * insight rules are unchanged.  Live only: not rebuilt from history.
 * sr_agg_hosts() fills s->hosts (strings in the snapshot).
 */
size_t sr_agg_n_hosts(const struct sr_agg *a);
void sr_agg_hosts(const struct sr_agg *a, struct sr_snapshot *s);

/* now_ms: the wall clock at creation; active_session_ms: see snapshot. */
struct sr_agg *
sr_agg_new(int64_t now_ms, int64_t active_session_ms, int64_t baseline_ms);
void sr_agg_free(struct sr_agg *a);
/* Set the caps (before the first event; NULL: the defaults). */
void sr_agg_set_limits(struct sr_agg *a, const struct sr_limits *l);
const struct sr_limits *sr_agg_limits(const struct sr_agg *a);

/*
 * Fold one event (strings copied as needed).  Returns 1 when aggregated,
 * 0 when older than every window (counted as old).
 */
int sr_agg_add_event(struct sr_agg *a, const struct sr_event *ev);

/* Fold a stored rollup minute (history replay). */
void sr_agg_add_minute(struct sr_agg *a, const struct sr_agg_minute *m);
/* Fold n errors of a message for a service at ts (history replay). */
void sr_agg_add_error(struct sr_agg *a, int64_t ts_ms, const char *service,
    const char *message, uint64_t n);

/*
 * Advance the wall clock: expire buckets, update baselines on minute
 * boundaries, append one history point per service.
 */
void sr_agg_tick(struct sr_agg *a, int64_t now_ms);

int64_t sr_agg_now(const struct sr_agg *a);
/* When the agg's clock started (its first tick). */
int64_t sr_agg_start(const struct sr_agg *a);

/* ---- reading ---- */

size_t sr_agg_n_services(const struct sr_agg *a);
struct sr_agg_service *sr_agg_service_at(const struct sr_agg *a, size_t i);
struct sr_agg_service *sr_agg_service(const struct sr_agg *a, const char *name);
size_t sr_agg_n_models(const struct sr_agg *a);
struct sr_agg_model *sr_agg_model_at(const struct sr_agg *a, size_t i);
size_t sr_agg_n_templates(const struct sr_agg *a);
const struct sr_agg_template *
sr_agg_template_at(const struct sr_agg *a, size_t i);
/* Errors of a template in the last hour. */
uint64_t sr_agg_template_count_1h(const struct sr_agg *a,
    const struct sr_agg_template *t);

/* Request figures of a ring over a window ending at the agg's now. */
void sr_agg_ring_win(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_win *out);
void sr_agg_ring_model_win(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_model_win *out);

/* Counts and rates only (quantiles NAN): no sketch merging.  r NULL:
 * every event. */
void sr_agg_ring_counts(const struct sr_agg *a, const struct sr_agg_ring *r,
    enum sr_window w, struct sr_snap_win *out);

/* Requests of a ring over a window (counts only: cheap). */
uint64_t sr_agg_ring_requests(const struct sr_agg *a,
    const struct sr_agg_ring *r, enum sr_window w);

/* Totals, types, users (filled into the snapshot's structs). */
void sr_agg_types(const struct sr_agg *a, struct sr_snap_type **out,
    size_t *n); /* array is malloc'ed, names borrowed */
void sr_agg_users(const struct sr_agg *a, struct sr_snap_users *out,
    struct sr_snap_count *top, size_t max_top); /* names borrowed */
/* Events in a window across all services, and the 5xx ratio / p95. */
void sr_agg_total_win(const struct sr_agg *a, enum sr_window w,
    struct sr_snap_win *out);
/* The same over the window before (for trend arrows). */
void sr_agg_total_prev(const struct sr_agg *a, enum sr_window w,
    struct sr_snap_win *out);
uint64_t sr_agg_old_events(const struct sr_agg *a);
uint64_t sr_agg_events(const struct sr_agg *a);
int64_t sr_agg_newest_ms(const struct sr_agg *a);
void sr_agg_folded(const struct sr_agg *a, struct sr_snap_folded *out);

/* Users: total events and events of the top user over 1 h (rules). */
struct sr_agg_user_top {
	const char *id;
	uint64_t events;
	int64_t first_seen_ms;
};
size_t sr_agg_top_users(const struct sr_agg *a, struct sr_agg_user_top *out,
    size_t max);

#endif
