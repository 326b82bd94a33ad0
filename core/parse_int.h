/* SPDX-License-Identifier: MIT */
/*
 * parse_int: what the line parser (core/parse.c) lends the declared
 * formats (core/parse_fmt.c: the nginx and Apache templates and the
 * presets built on them, syslog, HAProxy).  A format's line parser cuts
 * the parser's scratch copy of the line in place and hands each value
 * over with parse_set() (a field of the model) or parse_meta() (kept in
 * metadata); parse.c converts the fields, derives the event kind and
 * writes the metadata, the same way for every format.  Internal to
 * core/parse*.c.
 */
#ifndef SR_CORE_PARSE_INT_H
#define SR_CORE_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "core/parse.h"

/* A mutable copy of the line (NUL-terminated, len + 1 bytes), reused. */
char *parse_copy(struct sr_parser *p, const char *line, size_t len);

/*
 * The value s (NUL-terminated, inside the scratch copy, living until the
 * next line) for field f, read with conv (enum sr_field_read) and noted
 * as coming from key; "" and "-" are absent.  A later value for a field
 * that has one goes to metadata.
 */
void parse_set(struct sr_parser *p, enum sr_field_id f, unsigned conv,
    const char *key, char *s);
/* Keep s under key in metadata ("" and "-" are skipped). */
void parse_meta(struct sr_parser *p, const char *key, char *s);
/* The same, a count ("512") kept as a number. */
void parse_meta_num(struct sr_parser *p, const char *key, char *s);
/* Keep the number v under key in metadata. */
void parse_meta_number(struct sr_parser *p, const char *key, double v);
/* The line's instant, read by the format itself. */
void parse_set_time(struct sr_parser *p, int64_t ms);
/*
 * A visitor as GoAccess counts them (client address, day, user agent):
 * the user of an access-log line without an authenticated user is
 * "v-<hash>", so unique users are GoAccess's unique visitors.
 */
void parse_visitor(struct sr_parser *p, const char *ip, const char *day,
    size_t daylen, const char *agent);
/* Mark the line an error (SR_EV_IS_ERROR). */
void parse_mark_error(struct sr_parser *p);
/* The line carried an HTTP method (it is a request). */
void parse_mark_method(struct sr_parser *p);
/*
 * A request line "GET /a b?q HTTP/1.1" (cut in place): the method and
 * protocol (the last word when it starts with "HTTP/") go to metadata,
 * the target to the endpoint (an absolute-form target loses its scheme
 * and host; a target of only a host is "/"), its query to metadata.
 * Anything else ("-", junk) is kept whole as "request".
 */
void parse_request_line(struct sr_parser *p, char *req);
/*
 * A CLF time "10/Oct/2000:13:55:36 -0700" (optionally with ".mmm" after
 * the seconds, no zone meaning UTC) at s; 0 and *ms, or -1.
 */
int parse_clf_time(const char *s, size_t n, int64_t *ms);
/* 1 if s is a non-negative decimal number (digits, one optional '.'). */
int parse_is_number(const char *s);
/*
 * A duration with its unit: "12.5ms", "1.2s", "350us", "350µs", "90ns",
 * Go's "1h2m3.5s"; 0 and milliseconds in *ms, or -1 (no unit, junk).
 */
int parse_duration_text(const char *s, double *ms);

/* ---- parse_fmt.c ---- */

struct parse_plan;

/*
 * Compile an nginx log_format (apache = 0) or Apache LogFormat (1)
 * template; NULL with the reason in err.  Free with parse_plan_free().
 */
struct parse_plan *
parse_plan_compile(const char *tmpl, int apache, struct sr_err *err);
void parse_plan_free(struct parse_plan *pl);
/*
 * Run a plan over the scratch copy s[0..len): 1 when the line matched
 * (its values handed over), 0 when it is not in this format.
 */
int parse_plan_run(struct sr_parser *p, const struct parse_plan *pl, char *s,
    size_t len, int64_t now_ms);
/*
 * Syslog (RFC 3164 or 5424, with or without <PRI>) and HAProxy's HTTP log
 * over the scratch copy: 1 matched, 0 not this format.
 */
int parse_syslog(struct sr_parser *p, char *s, size_t len, int64_t now_ms);
int parse_haproxy(struct sr_parser *p, char *s, size_t len, int64_t now_ms);

/* The template a preset is built on, or NULL; *apache says its syntax. */
const char *parse_preset_template(enum sr_format fmt, int *apache);

#endif
