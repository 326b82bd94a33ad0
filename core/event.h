/* SPDX-License-Identifier: MIT */
/*
 * event: the application event model (what the old analytics engine called
 * AnalyticsEvent, plus LLM fields).  A plain value that crosses layers.
 * Strings are borrowed: whoever fills an sr_event says how long they live;
 * whoever keeps one copies it.  Only what a line carried is known: a field
 * absent from the input is NULL (strings) or has its SR_EV_HAS_* bit clear
 * (numbers), never zero.
 */
#ifndef SR_CORE_EVENT_H
#define SR_CORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum sr_event_has {
	SR_EV_HAS_STATUS = 1 << 0,  /* status_code */
	SR_EV_HAS_LATENCY = 1 << 1, /* response_time_ms */
	SR_EV_HAS_TOKENS_IN = 1 << 2,
	SR_EV_HAS_TOKENS_OUT = 1 << 3,
	SR_EV_HAS_TTFT = 1 << 4, /* ttft_ms */
	SR_EV_IS_ERROR = 1 << 5, /* level=error, PRIORITY<=3 ... */
};

struct sr_event {
	int64_t ts_ms;		/* UTC milliseconds since the epoch */
	const char *event_id;	/* never NULL once parsed */
	const char *event_type; /* "request" when absent */
	const char *service;
	const char *endpoint;
	const char *user_id;
	const char *session_id;
	const char *message; /* error text */
	const char *model;
	const char *host;     /* origin node, NULL = this one */
	const char *metadata; /* JSON object text, or NULL */
	int status_code;
	double response_time_ms;
	int64_t tokens_in;
	int64_t tokens_out;
	double ttft_ms;
	unsigned has; /* enum sr_event_has bits */
};

/* Zero an event: every string NULL, every number unknown. */
void sr_event_clear(struct sr_event *ev);

/*
 * Deep-copy src into dst: the numbers as they are, every string (the
 * TEXT and JSON fields of core/field.h) into one new allocation that dst
 * owns.  Free it with sr_event_release(dst).  The copy's string pointers
 * must not be replaced: release finds the block through them.
 */
void sr_event_copy(struct sr_event *dst, const struct sr_event *src);
/*
 * The same into memory the caller owns: block holds
 * sr_event_strings_size(src) bytes (nothing is read or written when that
 * is 0), and the copy must not be released.
 */
size_t sr_event_strings_size(const struct sr_event *src);
void sr_event_copy_into(struct sr_event *dst, const struct sr_event *src,
    char *block);
/*
 * Free the strings of an event filled by sr_event_copy() and clear it;
 * an event without strings (or cleared) is only cleared.
 */
void sr_event_release(struct sr_event *ev);

/* 1 for a 5xx status; events without a status never count. */
int sr_event_is_5xx(const struct sr_event *ev);

/*
 * 1 when the event is an error: its SR_EV_IS_ERROR flag is set (the
 * parser sets it from an error level, a syslog PRIORITY <= 3 ...) or its
 * status is 500..599.  The one definition of "error" in sitrep: the
 * query language's is:error, the Errors panel's drill-down, the event
 * log's colouring, the web page and the store's error rollups use it.
 */
int sr_event_is_error(const struct sr_event *ev);

/*
 * 1 when the event is a request: it carries a status or a latency, or
 * its type is "request" (what the parser calls a line with an HTTP
 * method, and any line that names no type yet has a status, a latency
 * or a method).  Any other event (a plain log line) is an event, not a
 * request: the request counts, rates and ratios of the aggregates, the
 * rollups and the report leave it out.
 */
int sr_event_is_request(const struct sr_event *ev);

#endif
