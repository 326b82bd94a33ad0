/* SPDX-License-Identifier: MIT */
/*
 * parse: one input line to one sr_event.  Formats: JSON lines (cJSON),
 * logfmt, the combined access-log format of nginx/Apache (with an optional
 * trailing $request_time), or auto (detected per line).  Aliases map other
 * names onto the model (ts/time/@timestamp, status, latency_ms/duration_ms,
 * user, session, level=error + msg, journalctl's _SYSTEMD_UNIT, MESSAGE,
 * PRIORITY, prompt_tokens ...).  Keys the model does not know are kept in
 * metadata as a JSON object, so nothing a line carried is lost.
 *
 * A parser is not thread-safe; one per reading thread.
 */
#ifndef SR_CORE_PARSE_H
#define SR_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

#define SR_LINE_MAX (1024 * 1024) /* longer lines are rejected */

enum sr_format {
	SR_FMT_AUTO,
	SR_FMT_JSON,
	SR_FMT_LOGFMT,
	SR_FMT_COMBINED,
};

/* Why a line was rejected; counted per source. */
enum sr_reject {
	SR_REJ_NOT_JSON,     /* starts like JSON but does not parse */
	SR_REJ_NOT_OBJECT,   /* JSON, but not an object */
	SR_REJ_BAD_FIELD,    /* a known field with the wrong type/value */
	SR_REJ_BAD_TIME,     /* timestamp present but unparseable */
	SR_REJ_TOO_LONG,     /* over SR_LINE_MAX bytes */
	SR_REJ_BAD_UTF8,     /* not valid UTF-8 */
	SR_REJ_UNRECOGNISED, /* no format matched (auto) or not this format */
	SR_REJ__COUNT
};

/* Stable short name of a reason ("not_json", "too_long" ...). */
const char *sr_reject_name(enum sr_reject why);

/* Parse "json", "logfmt", "combined", "auto"; 0 or -1. */
int sr_format_parse(const char *s, enum sr_format *fmt);

struct sr_parser;

struct sr_parser *sr_parser_new(enum sr_format fmt);
void sr_parser_free(struct sr_parser *p);

/*
 * Label events that carry no service with name (a copy is kept; NULL
 * clears it), e.g. the name of the file being ingested.
 */
void sr_parser_set_default_service(struct sr_parser *p, const char *name);

/*
 * Parse one line (without its newline; a trailing '\r' is ignored).
 * now_ms stamps events that carry no timestamp; a missing event_id is
 * generated.  Returns 1 with *ev filled (its strings live until the next
 * call on this parser), 0 for an empty or blank line (not an event, not
 * an error), -1 for a rejected line with *why set and a one-line reason
 * in err.
 */
int sr_parser_line(struct sr_parser *p, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err);

/*
 * Line splitter over a byte stream with bounded memory: feed it what a
 * read() returned, take complete lines out.  A line longer than
 * SR_LINE_MAX is reported once as too long and its bytes are dropped as
 * they arrive (never held whole).
 */
struct sr_lines;

struct sr_lines *sr_lines_new(void);
void sr_lines_free(struct sr_lines *l);
/* Append bytes just read. */
void sr_lines_feed(struct sr_lines *l, const char *data, size_t n);
/*
 * Take the next complete line: returns 1 and sets *line and *len (borrowed
 * until the next call), 2 for a line that was too long (skipped; *len is
 * its length so far), 0 when no complete line is buffered.  With eof set,
 * a final line without newline is returned too.
 */
int sr_lines_next(struct sr_lines *l, int eof, const char **line, size_t *len);
/* Number of the line last returned, from 1. */
uint64_t sr_lines_lineno(const struct sr_lines *l);
/*
 * Bytes fed and held for lines not returned yet: after a line was
 * returned, bytes fed so far minus this is the offset just past it (its
 * newline included).
 */
size_t sr_lines_buffered(const struct sr_lines *l);

#endif
