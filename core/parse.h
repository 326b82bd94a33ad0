/* SPDX-License-Identifier: MIT */
/*
 * parse: one input line to sr_events.  Formats: JSON lines (cJSON, nested
 * objects read by dotted path), logfmt, the combined access-log format of
 * nginx/Apache, syslog, OTLP JSON lines, presets (common, vhost_combined,
 * timed_combined, traefik, haproxy, caddy, ecs, journald) and templates in
 * nginx log_format or Apache LogFormat syntax, or auto (detected per
 * line).  Aliases map other names onto the model (ts/time/t/@timestamp,
 * status, latency_ms/duration, user, session, level/lvl/log.level + msg,
 * journalctl's _SYSTEMD_UNIT, MESSAGE, PRIORITY, usage.prompt_tokens,
 * gen_ai.* ...).  Keys the model does not know are kept in metadata as a
 * JSON object (never with a key twice), so nothing a line carried is lost.
 * The unit of a bare number is never guessed: a latency is read only from
 * a name or a format that declares its unit, or a value that carries one.
 *
 * A parser is not thread-safe; one per reading thread.
 */
#ifndef SR_CORE_PARSE_H
#define SR_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/otlp.h"
#include "core/util.h"

#define SR_LINE_MAX (1024 * 1024) /* longer lines are rejected */

enum sr_format {
	SR_FMT_AUTO,
	SR_FMT_JSON,
	SR_FMT_LOGFMT,
	SR_FMT_COMBINED,
	SR_FMT_COMMON,
	SR_FMT_VHOST_COMBINED,
	SR_FMT_TIMED_COMBINED, /* nginx combined + $request_time ... */
	SR_FMT_TRAEFIK,
	SR_FMT_HAPROXY,
	SR_FMT_CADDY,
	SR_FMT_ECS,
	SR_FMT_SYSLOG,
	SR_FMT_JOURNALD,
	SR_FMT_OTLP,
	SR_FMT_NGINX,  /* nginx:'log_format template' */
	SR_FMT_APACHE, /* apache:'LogFormat template' */
	SR_FMT__COUNT
};

#define SR_FORMAT_TMPL_MAX 1024

/* A declared format: a preset, or a template and its syntax. */
struct sr_format_spec {
	enum sr_format fmt;
	char tmpl[SR_FORMAT_TMPL_MAX]; /* SR_FMT_NGINX, SR_FMT_APACHE */
};

/* A row of the format list (`sitrep formats`, the man page). */
struct sr_format_info {
	enum sr_format fmt;
	const char *name;    /* what --format takes */
	const char *aliases; /* more names it takes, space-separated, or "" */
	const char *summary;
	const char *example; /* one line in this format */
};

/* Every format, in the order `sitrep formats` lists them; *n rows. */
const struct sr_format_info *sr_format_list(size_t *n);

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

/* Parse a format name or alias ("json", "combined", "auto" ...); 0 or -1. */
int sr_format_parse(const char *s, enum sr_format *fmt);

/*
 * Parse a --format value: a name, or "nginx:TEMPLATE" / "apache:TEMPLATE"
 * (surrounding quotes of the template dropped; the template is compiled
 * to check it).  0, or -1 with the reason in err.
 */
int sr_format_spec_parse(const char *s, struct sr_format_spec *out,
    struct sr_err *err);

/* The name of a format ("combined"); "auto" for an unknown value. */
const char *sr_format_name(enum sr_format fmt);

struct sr_parser;

/* A parser for a format without a template (SR_FMT_NGINX/APACHE: use
 * sr_parser_new_spec). */
struct sr_parser *sr_parser_new(enum sr_format fmt);
/* A parser for a declared format; a template is compiled once, here
 * (spec must have passed sr_format_spec_parse). */
struct sr_parser *sr_parser_new_spec(const struct sr_format_spec *spec);
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
 * The next event of the line last parsed, for formats whose line holds
 * several (an OTLP line's log records): 1 with *ev filled as above, 0
 * when the line has no more, -1 for a rejected one (why, err set).
 */
int sr_parser_more(struct sr_parser *p, int64_t now_ms, struct sr_event *ev,
    enum sr_reject *why, struct sr_err *err);

/*
 * Read an OTLP export request already decoded into its OTLP/JSON tree
 * (root, a cJSON object: cJSON_Parse of a JSON body, or
 * sr_otlp_pb_decode() of a protobuf one), which the parser takes over and
 * frees with its next line.  Only sig's records are read: the spans of
 * resourceSpans (each a request: service, endpoint from http.route or the
 * span name, latency from start and end, status, error, gen_ai.* ...) or
 * the log records of resourceLogs.  Returns what sr_parser_line() does
 * for the first record (1, -1 for a rejected one, 0 when there is none);
 * sr_parser_more() gives the next, also after a rejected one.
 */
int sr_parser_otlp(struct sr_parser *p, void *root, enum sr_otlp_signal sig,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err);

/* The format the last line was read as ("json", "syslog" ...). */
const char *sr_parser_format_used(const struct sr_parser *p);

/*
 * A one-time notice (NULL after the first call that returned it, or when
 * there is none): an ambiguous line met in auto mode, naming the --format
 * to declare ("a bare number ends the access-log line ...").
 */
const char *sr_parser_notice(struct sr_parser *p);

/* Keep what sr_parser_explain() shows (off by default: it costs). */
void sr_parser_set_explain(struct sr_parser *p, int on);

/*
 * Append, as the members of a JSON object (no braces, each preceded by a
 * comma), what the last line was read as: "format", "fields" (each field
 * set and the key or position it came from) and "ignored" (each value
 * kept in metadata and why).  For `sitrep parse --explain`.
 */
void sr_parser_explain(const struct sr_parser *p, struct sr_buf *out);

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

/* cJSON's version for `sitrep --version` (sr_lib_version()). */
char *sr_parse_lib_version(void);

#endif
