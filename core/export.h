/* SPDX-License-Identifier: MIT */
/*
 * export: stored data (events, metric series, insights) written out as CSV
 * (header row, RFC 4180 quoting, CRLF line ends), one JSON array, or JSON
 * lines.  Rows are streamed one by one from the store; nothing holds all
 * rows in memory.
 *
 * Events carry every stored field under the event model's names, so JSON
 * lines output re-ingests without loss: event_id, event_type, timestamp
 * (ISO-8601 UTC, ms, Z), service, endpoint, status_code,
 * response_time_ms, user_id, session_id, message, model, tokens_in,
 * tokens_out, ttft_ms, host, metadata (a JSON object).  JSON omits NULL
 * fields; CSV leaves them empty.  Metrics: name, ts, min, avg, max, n per
 * step bucket (sr_store_series).  Insights: the insights table.
 */
#ifndef SR_CORE_EXPORT_H
#define SR_CORE_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/store.h"
#include "core/util.h"

enum sr_export_what {
	SR_EXPORT_EVENTS,
	SR_EXPORT_METRICS,
	SR_EXPORT_INSIGHTS,
};

enum sr_export_format {
	SR_EXPORT_CSV,
	SR_EXPORT_JSON,	 /* one array */
	SR_EXPORT_JSONL, /* one object per line */
};

struct sr_export_opts {
	enum sr_export_what what;
	enum sr_export_format format;
	int64_t from_ms;       /* inclusive; INT64_MIN = all */
	int64_t to_ms;	       /* exclusive; INT64_MAX = all */
	int64_t step_ms;       /* metrics; <= 0 means 60 s */
	const char *name_glob; /* metrics; NULL = all */
	/* events: only those the query matches (core/query.h); NULL = all */
	const struct sr_query *query;
};

/*
 * Append v in the shortest decimal form that reads back as the same
 * double, or null when it is not finite (JSON and CSV numbers).
 */
void sr_export_json_num(struct sr_buf *b, double v);

/* Parse "events"/"metrics"/"insights" and "csv"/"json"/"jsonl"; 0 or -1. */
int sr_export_what_parse(const char *s, enum sr_export_what *out);
int sr_export_format_parse(const char *s, enum sr_export_format *out);

/*
 * Write the selected data to out.  Returns the number of rows written, or
 * -1 with detail in err when a query or a write fails (output written
 * before the failure stays written).
 */
int64_t sr_export_run(struct sr_store *st, const struct sr_export_opts *o,
    FILE *out, struct sr_err *err);

#endif
