/* SPDX-License-Identifier: MIT */
/*
 * otlp_export: push the live process's events and metrics to an
 * OpenTelemetry collector over OTLP/HTTP with the JSON encoding
 * (core/otlp_enc.h): events as log records to URL/v1/logs, sitrep's KPIs and
 * system metrics as gauges to URL/v1/metrics every interval.
 *
 * Events are read from the store (st, the app's one writer handle): the
 * committed events after a cursor, the id of the last event the collector
 * acknowledged (or refused for good), which is kept in the store's
 * cursors table under "otlp-export:logs" and written in its open batch
 * when the collector answers.  After a kill -9 or a restart the export
 * resumes after the stored cursor: at least once (the request in flight,
 * and those acknowledged since the store's last commit, a tick at most, may be sent
 * again), nothing lost.  Only committed events are read: reads stop at
 * the newest id seen while no batch was open (sr_otlp_export_committed()).
 * The backlog is bounded by queue_max: past it the oldest events are
 * skipped and counted as dropped (queue_full), at most OTLP_SKIP_MAX rows
 * a call, so a long backlog never stalls the loop.  A first run starts at
 * the newest stored event.
 *
 * Metric points are current values: a bounded queue in memory
 * (queue_max); a point stays in it until the collector accepted the
 * request that carried it, so one that fails is sent again; points
 * offered while it is full are dropped and counted (the newest go, as an
 * OpenTelemetry Collector's sending queue does), never waited for.
 *
 * One request per signal is in flight at a time, carrying up to batch_max
 * items: while it is out, new items gather for the next one.
 *
 * A request that fails for a reason that may pass (no connection, a
 * timeout, HTTP 429, 502, 503 or 504, as the OTLP specification lists) is
 * retried after 1 s, 2 s, 4 s ... up to max_backoff (or the answer's
 * Retry-After); any other status drops its items as rejected, and a 2xx
 * answer's partialSuccess counts the items it rejected.  The transfers
 * run on the app's loop through the webhook carrier's watched mode
 * (actions/webhook.h): nothing here waits.
 *
 * At a normal stop sr_otlp_export_drain() gives what waits a few seconds
 * (metric points left then are lost; events wait in the store).
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
struct sr_store;
struct sr_config_otlp;
struct sr_otlp_export;

/*
 * An exporter for c's export_url on loop l, reading events from st (the
 * app's store, borrowed for the exporter's life; its cursor is read now),
 * or NULL with err set: a bad URL or header list, an unreadable token
 * file, a store that cannot be read, curl that cannot start.
 * The token is export_token_file's first line, else $SITREP_OTLP_TOKEN.
 * hostname names this machine in the resource (host.name).
 */
struct sr_otlp_export *
sr_otlp_export_new(const struct sr_config_otlp *c, struct sr_loop *l,
    struct sr_store *st, const char *hostname, struct sr_err *err);

/* Stop, dropping what waits; NULL does nothing. */
void sr_otlp_export_free(struct sr_otlp_export *x);

/*
 * After anything that may have committed: when no batch is open and the
 * store is ok, every stored event is committed, so the newest id is the
 * end of what may be read and sent.
 */
void sr_otlp_export_committed(struct sr_otlp_export *x);

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
