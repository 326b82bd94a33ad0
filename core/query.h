/* SPDX-License-Identifier: MIT */
/*
 * query: sitrep's one event query language, used by the console's `/`
 * filter, drill-downs, the web `?q=` (live and stored) and `sitrep
 * export --query`.  A query is space-separated terms, all of which must
 * match:
 *
 *   text              the text appears (any case) in any string field
 *   is:error          the event is an error (sr_event_is_error())
 *   field=value       equal (any case; * and ? glob)
 *   field!=value      not equal
 *   field~text        contains (any case)
 *   field>=N  >N  <=N  <N   numeric (status, latency, tokens_in/out, ttft)
 *   status=5xx        a status class; status=5xx,404,error any of a list
 *                     of classes, codes (100..599) and error events
 *   template=T        the message's error template (core/template.h) is
 *                     T (any case; * and ? glob); also != and ~
 *
 * A value (or a text term) with spaces is written in double quotes,
 * with \" and \\ inside: template="timeout after <n> ms".
 *
 * Fields are the text and number fields of the event field table
 * (core/field.h), by query name, model name or column: service, endpoint
 * (path), status, latency (latency_ms, ms), user (user_id), session
 * (session_id), type (event_type), model, message (msg), host, id
 * (event_id), tokens_in, tokens_out, ttft (ttft_ms).  A drill-down may
 * also bound event time (from_ms, to_ms).
 *
 * Parsing and matching are pure (core/event.h values only); the store
 * compiles a parsed query into an SQL condition over its events table
 * (sr_store_query_sql() in core/store.h), so a query selects the same
 * events in memory and in stored history.
 */
#ifndef SR_CORE_QUERY_H
#define SR_CORE_QUERY_H

#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

#define SR_QUERY_TERMS_MAX 8
#define SR_QUERY_CODES_MAX 16 /* codes in one status list */

/*
 * A term's field: an enum sr_field_id (core/field.h), free text, or the
 * template of the message.
 */
#define SR_QUERY_TEXT (-1)
#define SR_QUERY_TEMPLATE (-2)

enum sr_query_op {
	SR_QOP_EQ,
	SR_QOP_NE,
	SR_QOP_HAS, /* contains; free text */
	SR_QOP_GE,
	SR_QOP_GT,
	SR_QOP_LE,
	SR_QOP_LT,
	SR_QOP_STATUS_SET, /* status=5xx,404,error */
	SR_QOP_IS_ERROR,   /* is:error */
};

struct sr_query_term {
	int field; /* enum sr_field_id, or SR_QUERY_TEXT */
	int op;	   /* enum sr_query_op */
	char *text;
	double num;
	/* SR_QOP_STATUS_SET: bit n of classes = n00..n99; error: error
	 * events; codes: exact statuses */
	unsigned classes;
	int error;
	int codes[SR_QUERY_CODES_MAX];
	int n_codes;
};

struct sr_query {
	struct sr_query_term t[SR_QUERY_TERMS_MAX];
	int n;
	int64_t from_ms; /* ts >= from_ms; 0: unbounded */
	int64_t to_ms;	 /* ts <= to_ms; 0: unbounded */
	char *src;	 /* the text parsed, or NULL */
};

/* An empty query (matches everything). */
void sr_query_init(struct sr_query *q);
void sr_query_release(struct sr_query *q);

/* Make dst (not released first) an owned copy of src. */
void sr_query_copy(struct sr_query *dst, const struct sr_query *src);

/*
 * Parse s into q (released and replaced; on failure q is left empty).
 * Returns 0, or -1 with "unknown field 'x'", "'status' needs a number",
 * "too many terms (at most 8)" ... in err.
 */
int sr_query_parse(struct sr_query *q, const char *s, struct sr_err *err);

/*
 * Add the terms of s to q (AND); q->src becomes both texts joined by a
 * space.  On failure q is unchanged and -1 returned with detail in err.
 */
int sr_query_add(struct sr_query *q, const char *s, struct sr_err *err);

/* 1 when ev passes every term and the time bounds. */
int sr_query_match(const struct sr_query *q, const struct sr_event *ev);

/* 1 when the query has no term and no time bound. */
int sr_query_empty(const struct sr_query *q);

/*
 * Append v to b as one query value: as it is when it has no space, quote
 * or backslash, else in double quotes with \" and \\ escaped.
 */
void sr_query_quote(struct sr_buf *b, const char *v);

/* 1 for a term field whose values are numbers (status, latency, ...). */
int sr_query_field_numeric(int field);

#endif
