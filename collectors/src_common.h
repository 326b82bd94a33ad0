/* SPDX-License-Identifier: MIT */
/*
 * src_common: what every source kind shares (not for use outside
 * collectors/src_*.c and source.c): the state and counters behind
 * sr_source_status, "key=value&..." option lists, turning a line into an
 * event for the sink, and retry backoff with jitter.
 */
#ifndef SR_COLLECTORS_SRC_COMMON_H
#define SR_COLLECTORS_SRC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/source.h"
#include "core/parse.h"

/* State embedded first in every source kind's struct. */
struct src_common {
	char *name;
	const char *kind;
	enum sr_source_state state;
	char last_error[256];
	char notice[480]; /* the parser's one-time notice, "" if none */
	int64_t next_attempt_mono; /* 0 if none */
	uint64_t events, rejected;
	uint64_t rejected_by[SR_REJ__COUNT];
	struct sr_parser *parser;
	const char *host;  /* label for events without one */
	unsigned failures; /* consecutive, for backoff */
	int caught_up;	   /* see sr_source_status */
	uint64_t rng;
};

void src_common_init(struct src_common *c, const char *name, const char *kind,
    enum sr_format fmt);
/* Read lines in the declared format fmt from now on. */
void
src_common_set_format(struct src_common *c, const struct sr_format_spec *fmt);
void src_common_release(struct src_common *c);
void src_common_status(const struct src_common *c, struct sr_source_status *st);

/* Set state; msg (printf) becomes last_error, NULL clears it. */
void src_set_state(struct src_common *c, enum sr_source_state state,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A failure: state retrying with msg, next attempt after base_ms doubled
 * per consecutive failure up to max_ms, with jitter (a random point in the
 * upper half of the delay).  Returns the monotonic time of the attempt.
 */
int64_t src_fail(struct src_common *c, int64_t base_ms, int64_t max_ms,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A success: state ok, failures reset, error cleared. */
void src_ok(struct src_common *c);

/*
 * Parse one line: 1 with *ev filled (strings live until the next call),
 * 0 for a blank or rejected line (counted).
 */
int src_parse_line(struct src_common *c, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev);
/*
 * Count what a parse returned (rc, and why for a reject) and keep the
 * parser's notice; rc, or 0 for a reject.
 */
int src_parse_result(struct src_common *c, int rc, enum sr_reject why);

/* Label (host, when the event has none) and hand to the sink: 1 or -1. */
int src_deliver(struct src_common *c, const struct sr_sink *sink,
    struct sr_event *ev);

/*
 * Parse one line and hand the event to the sink.  Returns 1 (delivered),
 * 0 (blank or rejected: counted), -1 (the sink refused).
 */
int src_emit_line(struct src_common *c, const struct sr_sink *sink,
    const char *line, size_t len, int64_t now_ms);

/*
 * Options "k=v&k2=v2" (percent-decoded).  src_opts_parse() fails on an
 * item without '=' or a key not in allowed (NULL-terminated list, NULL =
 * anything).  Values live while the opts do.
 */
struct src_opts {
	int n;
	char *key[32], *val[32];
};
int src_opts_parse(struct src_opts *o, const char *s, size_t len,
    const char *const *allowed, struct sr_err *err);
void src_opts_release(struct src_opts *o);
const char *src_opts_get(const struct src_opts *o, const char *key);

/* Milliseconds until mono (0 when past, -1 when mono is 0). */
int src_ms_until(int64_t mono);

/* Is fd readable (or hung up) right now?  Never blocks. */
int src_fd_ready(int fd, short events);

/* The kinds (source.c picks one by scheme). */
extern const struct sr_collector_ops sr_src_stdin_ops;
extern const struct sr_collector_ops sr_src_file_ops;
extern const struct sr_collector_ops sr_src_sqlite_ops;
extern const struct sr_collector_ops sr_src_http_ops;

#endif
