/* SPDX-License-Identifier: MIT */
/*
 * otlp: the OpenTelemetry protocol's JSON encoding (OTLP/JSON, the
 * proto3 JSON mapping of opentelemetry-proto's collector services) of
 * what sitrep exports, and the reading of a collector's answer.  Pure
 * text in and out: no I/O, no clock; runtime/otlp_export.c carries it.
 *
 * Events become log records of an ExportLogsServiceRequest, grouped into
 * one resourceLogs per (host, service): the resource carries
 * service.name (the event's service, "unknown_service" when it has none)
 * and host.name (the event's host, else this machine's).  A record's
 * time is the event's; its severity comes from the level the line
 * carried (kept in metadata: level, severity, PRIORITY, severityNumber
 * ...), raised to ERROR for an error event (sr_event_is_error()); its
 * body is the event's message, when it has one.  The other fields are
 * attributes, under the OpenTelemetry semantic conventions' names where
 * one exists (http.route, http.response.status_code,
 * gen_ai.request.model, gen_ai.usage.input_tokens and output_tokens,
 * enduser.id, session.id, log.record.uid) and sitrep's otherwise
 * (sitrep.latency_ms, sitrep.ttft_ms, sitrep.event_type); the members
 * of the event's metadata follow under their own names.
 *
 * Metrics are gauges of an ExportMetricsServiceRequest, one resource
 * (service.name "sitrep", host.name), one metric per name with its data
 * points.  Numbers that proto3 types as 64-bit integers (times, intValue)
 * are written as JSON strings, as the mapping says.
 */
#ifndef SR_CORE_OTLP_H
#define SR_CORE_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/snapshot.h"
#include "core/util.h"

/* What a log record's severityNumber and severityText are. */
struct sr_otlp_enc_severity {
	int number;	  /* 1..24 (TRACE 1, DEBUG 5, INFO 9, WARN 13,
			     ERROR 17, FATAL 21) */
	const char *text; /* as the line wrote it, else "INFO" ... */
};

/*
 * The severity of ev: from its metadata's level (text, syslog PRIORITY
 * or an OTel severityNumber) when it has one, else INFO; at least ERROR
 * for an error event.  text is borrowed from ev's metadata or static;
 * buf (at least 32 bytes) holds it when it came from the metadata.
 */
struct sr_otlp_enc_severity
sr_otlp_enc_event_severity(const struct sr_event *ev, char *buf, size_t bufsz);

/*
 * Append the ExportLogsServiceRequest of n events (pointers, borrowed)
 * to b.  hostname stands for events without a host (NULL or "" leaves
 * host.name out).
 */
void sr_otlp_enc_logs_json(struct sr_buf *b, const struct sr_event *const *evs,
    size_t n, const char *hostname);

/*
 * One gauge data point: name ("sitrep.cpu.busy_pct"), unit (UCUM: "%",
 * "By", "By/s", "ms" ...), an optional attribute (key NULL when none)
 * and the value at ts_ms.
 */
struct sr_otlp_enc_point {
	const char *name;
	const char *unit;
	const char *key; /* or NULL */
	const char *val;
	int64_t ts_ms;
	double value;
};

/*
 * Append the ExportMetricsServiceRequest of n points to b: one gauge per
 * name (points of the same name together, in the order given).
 */
void sr_otlp_enc_metrics_json(struct sr_buf *b,
    const struct sr_otlp_enc_point *pts, size_t n, const char *hostname);

/*
 * The gauges of one snapshot: every KPI tile with a value as
 * "sitrep.kpi.<id>", every system and source metric as
 * "sitrep.<family>.<measure>" with its instance as an attribute named
 * by sr_metric_instance_label() (none for "total"), all at s->now_ms.
 * Calls fn once per point (its strings live for the call); returns how
 * many.
 */
typedef void sr_otlp_enc_point_fn(void *ctx, const struct sr_otlp_enc_point *p);
size_t sr_otlp_enc_snapshot_points(const struct sr_snapshot *s,
    sr_otlp_enc_point_fn *fn, void *ctx);

/* UCUM for a sitrep unit: "bytes" -> "By", "C" -> "Cel", "" -> "1". */
const char *sr_otlp_enc_unit(const char *unit);

/*
 * Read a collector's 2xx answer (len bytes, not NUL-terminated): the
 * items its partialSuccess rejected (rejectedLogRecords or
 * rejectedDataPoints, a number or a string) into *rejected and its
 * errorMessage into msg (cut to msgsz).  An empty or foreign body is a
 * full success.  Returns 1 when something was rejected or a message
 * given, else 0.
 */
int sr_otlp_enc_partial(const char *body, size_t len, uint64_t *rejected,
    char *msg, size_t msgsz);

#endif
