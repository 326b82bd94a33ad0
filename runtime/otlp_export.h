/* SPDX-License-Identifier: MIT */
/*
 * otlp_export: push the live process's events and metrics to an
 * OpenTelemetry collector over OTLP/HTTP with the JSON encoding
 * (core/otlp_enc.h): events as log records to URL/v1/logs, sitrep's KPIs and
 * system metrics as gauges to URL/v1/metrics every interval.
 *
 * Each signal has a bounded queue in memory (queue_max items); an item
 * stays in it until the collector accepted the request that carried it,
 * so one that fails is sent again.  Items offered while the queue is full
 * are dropped and counted (the newest go, as an OpenTelemetry Collector's
 * sending queue does), never waited for.  One request per signal is in
 * flight at a time, carrying up to batch_max items: while it is out, new
 * items gather for the next one.
 *
 * A request that fails for a reason that may pass (no connection, a
 * timeout, HTTP 429, 502, 503 or 504, as the OTLP specification lists) is
 * retried after 1 s, 2 s, 4 s ... up to max_backoff (or the answer's
 * Retry-After); any other status drops its items as rejected, and a 2xx
 * answer's partialSuccess counts the items it rejected.  The transfers
 * run on the app's loop through the webhook carrier's watched mode
 * (actions/webhook.h): nothing here waits.
 *
 * The queues live in memory: what waits when the process stops is lost
 * (at a normal stop, sr_otlp_export_drain() gives it a few seconds).
 * Owned by the loop's thread.
 */
#ifndef SR_RUNTIME_OTLP_EXPORT_H
#define SR_RUNTIME_OTLP_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/snapshot.h"
#include "core/util.h"

struct sr_loop;
struct sr_config_otlp;
struct sr_otlp_export;

/*
 * An exporter for c's export_url on loop l, or NULL with err set: a bad
 * URL or header list, an unreadable token file, curl that cannot start.
 * The token is export_token_file's first line, else $SITREP_OTLP_TOKEN.
 * hostname names this machine in the resource (host.name).
 */
struct sr_otlp_export *sr_otlp_export_new(const struct sr_config_otlp *c,
    struct sr_loop *l, const char *hostname, struct sr_err *err);

/* Stop, dropping what waits; NULL does nothing. */
void sr_otlp_export_free(struct sr_otlp_export *x);

/* Queue one event (copied) as a log record. */
void sr_otlp_export_event(struct sr_otlp_export *x, const struct sr_event *ev);

/*
 * Called with each published snapshot: every interval, its KPIs and
 * metrics are queued as gauge points.
 */
void
sr_otlp_export_snapshot(struct sr_otlp_export *x, const struct sr_snapshot *s);

/* The exporter's counts and state (strings borrowed until the next call). */
void
sr_otlp_export_status(const struct sr_otlp_export *x, struct sr_snap_otlp *out);

/* Items waiting or in flight, all signals. */
size_t sr_otlp_export_pending(const struct sr_otlp_export *x);

/*
 * At a stop: run the loop until nothing waits, a request fails, or
 * timeout_ms passed.  Returns what is still waiting.
 */
size_t sr_otlp_export_drain(struct sr_otlp_export *x, int64_t timeout_ms);

#endif
