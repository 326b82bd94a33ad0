/* SPDX-License-Identifier: MIT */
/*
 * summary: the analytics summary of stored events over a time range
 * [from, to), as `sitrep report` prints it.  Answered from the store's
 * rollups: whole minutes from ev_minute / type_minute / error_minute,
 * whole hours from ident_hour; the partial minutes (and, for distinct
 * users and sessions, the partial hours) at both ends of the range are
 * read from the raw events table (index on ts), so every count is exact
 * for the range, not rounded to minutes.
 *
 * Definitions:
 *   - total_events: every stored event in the range (any event_type).
 *   - total_requests: the events that are requests
 *     (sr_event_is_request(): a status, a latency, or type "request";
 *     a plain log line is an event, not a request).
 *   - endpoints are the templated ones (core/template.h: "/users/:id");
 *     the [limits] caps (core/limits.h) keep the first services,
 *     endpoints per service and models met in the range (the rollups
 *     were capped when written); the rest are one "(other)" row, and
 *     folded_* count the requests in those rows.
 *   - unique_users / unique_sessions: EXACT distinct non-empty user_id /
 *     session_id values (the union of ident_hour ids of the whole hours and
 *     of raw events in the partial hours, counted with COUNT(DISTINCT)).
 *   - per service: requests = the requests of that service (events
 *     without a service are listed under service "" (JSON null); a
 *     service of log events only is listed with 0 requests);
 *     rate_per_s = requests / range_s; status_4xx / status_5xx = events
 *     with a status in 400..499 / 500..599; error_rate = status_5xx /
 *     requests (0..1); latency over the events that carry a latency:
 *     avg and max exact, p50/p95/p99 nearest-rank within 0.5 % (sketch).
 *   - top_endpoints: the N endpoints (non-empty) with most requests
 *     (ties by name), each with requests, error_rate (5xx / requests) and
 *     p95 latency.
 *   - top_errors: the N most frequent error patterns (events with a
 *     message and a 5xx status or SR_EV_IS_ERROR, grouped by
 *     sr_template_make() of the message, as the live engine groups
 *     them), each with its count and an example message (the newest
 *     minute's, cut to SR_STORE_MSG_MAX bytes), as the store's
 *     error_minute counts them.  In the partial minutes at the ends the
 *     raw events' flags column says which are errors (events stored by
 *     schema 1 have none: their error level is recovered from the
 *     metadata the parser kept, level or PRIORITY).
 *   - per model (events with a model): requests, tokens_in, tokens_out
 *     (sums), tokens_per_s = tokens_out / (gen_ms / 1000) where gen_ms is
 *     the summed latency of the events that report tokens_out: the
 *     generation throughput of one request stream; TTFT p50/p95.
 *
 * With a service filter, events_by_type and the distinct users/sessions
 * are counted from raw events of that service (the type and identity
 * rollups carry no service); everything stays exact.  With a host
 * filter (events whose host column equals it, as the sitrep:// source
 * labels them) the service/endpoint/model figures come from ev_minute's
 * host column plus raw edge events of that host; types, distinct ids and
 * error patterns from raw events of that host (their rollups carry no
 * host).
 */
#ifndef SR_CORE_SUMMARY_H
#define SR_CORE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/store.h"
#include "core/util.h"

#define SR_SUMMARY_TOP_DEFAULT 10

struct sr_summary_opts {
	int64_t from_ms;		/* inclusive, UTC ms */
	int64_t to_ms;			/* exclusive; must be > from_ms */
	const char *service;		/* NULL = all */
	int top_n;			/* <= 0 means SR_SUMMARY_TOP_DEFAULT */
	const char *host;		/* NULL = all; else event.host */
	const struct sr_limits *limits; /* [limits]; NULL = the defaults */
};

/* Latency-like distribution; every field NAN when n == 0. */
struct sr_summary_dist {
	int64_t n;
	double avg, p50, p95, p99, max;
};

struct sr_summary_count {
	char *name;
	int64_t n;
};

/* One error pattern of a service. */
struct sr_summary_error {
	char *tpl;     /* sr_template_make() of messages */
	char *example; /* one message of the pattern */
	int64_t n;
};

struct sr_summary_endpoint {
	char *endpoint;
	int64_t requests;
	int64_t status_5xx;
	double error_rate; /* status_5xx / requests */
	double p95_ms;	   /* NAN when no latency */
};

struct sr_summary_service {
	char *service; /* "" for events without a service */
	int64_t requests;
	double rate_per_s;
	int64_t status_4xx, status_5xx;
	double error_rate;
	struct sr_summary_dist latency_ms;
	/* top N by requests, then "(other)" (SR_OTHER) when the
	 * endpoints cap folded any */
	struct sr_summary_endpoint *endpoints;
	size_t n_endpoints;
	struct sr_summary_error *errors; /* top N patterns by count */
	size_t n_errors;
};

struct sr_summary_model {
	char *model;
	int64_t requests;
	int64_t tokens_in, tokens_out;
	double gen_ms;	     /* latency sum of events with tokens_out */
	double tokens_per_s; /* NAN when gen_ms == 0 */
	struct sr_summary_dist ttft_ms;
};

struct sr_summary {
	int64_t from_ms, to_ms;
	char *service; /* the filter, or NULL */
	int top_n;
	int64_t total_events;	/* every event (the sum of by_type) */
	int64_t total_requests; /* the requests of the services */
	int64_t unique_users, unique_sessions;
	/* requests in the "(other)" series: services, endpoints, models */
	int64_t folded_services, folded_endpoints, folded_models;
	struct sr_summary_count *by_type; /* by count desc, then name */
	size_t n_types;
	struct sr_summary_service *services; /* by requests desc, name */
	size_t n_services;
	struct sr_summary_model *models; /* by requests desc, name */
	size_t n_models;
};

/*
 * Compute the summary of o's range.  On success *out is a new summary
 * the caller frees with sr_summary_free() and 0 is returned; -1 with
 * detail in err on a bad range or a failing query.
 */
int sr_summary_query(struct sr_store *st, const struct sr_summary_opts *o,
    struct sr_summary **out, struct sr_err *err);

void sr_summary_free(struct sr_summary *s);

/*
 * Append the summary as one JSON object (keys: from, to, range_s,
 * service, total_events, unique_users, unique_sessions, events_by_type,
 * services, models); unknown numbers are null.  Ends with a newline.
 */
void sr_summary_json(const struct sr_summary *s, struct sr_buf *out);

/* Append the summary as aligned text tables, numbers formatted for people. */
void sr_summary_text(const struct sr_summary *s, struct sr_buf *out);

#endif
