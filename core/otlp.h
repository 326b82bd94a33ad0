/* SPDX-License-Identifier: MIT */
/*
 * otlp: the OTLP/HTTP wire formats sitrep serve's receiver speaks
 * (POST /v1/traces, /v1/logs).  A strict protobuf reader turns an
 * ExportTraceServiceRequest or ExportLogsServiceRequest into the same
 * cJSON tree the OTLP/JSON encoding gives (ids in hex, 64-bit integers
 * as decimal strings, enums as numbers, camelCase names), so that one
 * mapping (core/parse.c, sr_parser_otlp()) turns both encodings into
 * events; and the few protobuf answers the receiver writes.
 *
 * Field numbers: opentelemetry-proto v1.11.0 (common, resource, trace,
 * logs and collector/{trace,logs}/v1 *_service.proto).  Unknown fields
 * are skipped by wire type, as protobuf requires; a known field with the
 * wrong wire type, a truncated value, a group, bad UTF-8 in a string or
 * nesting deeper than SR_OTLP_DEPTH make the whole request undecodable.
 * Core layer: libc and cJSON only.
 */
#ifndef SR_CORE_OTLP_H
#define SR_CORE_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* The two signals the receiver takes. */
enum sr_otlp_signal {
	SR_OTLP_TRACES, /* resourceSpans/scopeSpans/spans */
	SR_OTLP_LOGS	/* resourceLogs/scopeLogs/logRecords */
};

/* Messages nested deeper than this (AnyValue in AnyValue ...) refuse. */
#define SR_OTLP_DEPTH 32

/* The name of the request's top list: "resourceSpans", "resourceLogs". */
const char *sr_otlp_top_name(enum sr_otlp_signal sig);
/* What one item is called in answers: "spans", "log records". */
const char *sr_otlp_item_name(enum sr_otlp_signal sig);

/*
 * Decode a protobuf Export{Trace,Logs}ServiceRequest of len bytes into
 * its OTLP/JSON tree (a cJSON object, the caller's to cJSON_Delete()).
 * NULL with a one-line reason in err when the bytes are not such a
 * message.  Returns void * so that this header does not need cJSON.
 */
void *sr_otlp_pb_decode(enum sr_otlp_signal sig, const void *buf, size_t len,
    struct sr_err *err);

/*
 * Append the protobuf Export{Trace,Logs}ServiceResponse: empty when
 * rejected is 0 and msg NULL, else partial_success {rejected, msg}.
 */
void sr_otlp_pb_response(struct sr_buf *out, int64_t rejected, const char *msg);

/* Append a protobuf google.rpc.Status {code, message}. */
void sr_otlp_pb_status(struct sr_buf *out, int code, const char *msg);

/*
 * Append the OTLP/JSON answer: {} when rejected is 0 and msg NULL, else
 * {"partialSuccess":{"rejectedSpans"|"rejectedLogRecords":"N",
 * "errorMessage":msg}}.
 */
void sr_otlp_json_response(struct sr_buf *out, enum sr_otlp_signal sig,
    int64_t rejected, const char *msg);

#endif
