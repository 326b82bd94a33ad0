/* SPDX-License-Identifier: MIT */
/*
 * ingest: the reading pipeline shared by `sitrep ingest`, the TUI and
 * `serve`.  An sr_reader turns bytes from one fd into events: it reads a
 * bounded amount per call (so a flood cannot starve a loop), splits lines
 * (sr_lines), parses them (sr_parser), counts rejections per reason,
 * reports the first few, and hands each good event to a callback.
 *
 * The bulk path, sr_pipeline, runs a reader on a second thread and passes
 * finished batches of events (strings copied into the batch's arena) to
 * the thread that writes the store through a bounded queue, so parsing
 * and storing overlap.  Memory is bounded: a fixed number of batches
 * circulate, each capped in events and in arena bytes.
 */
#ifndef SR_CORE_INGEST_H
#define SR_CORE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/parse.h"
#include "core/util.h"

#define SR_READER_CHUNK (256 * 1024) /* bytes per sr_reader_read */
#define SR_READER_REPORT_MAX 5	     /* rejections shown */

struct sr_ingest_stats {
	uint64_t lines;	 /* lines seen, blank ones included */
	uint64_t events; /* accepted and handed on */
	uint64_t rejected;
	uint64_t by_reason[SR_REJ__COUNT];
	uint64_t bytes; /* bytes read */
};

/* Add b's counts to a. */
void
sr_ingest_stats_add(struct sr_ingest_stats *a, const struct sr_ingest_stats *b);

/*
 * Format "rejected K: not_json 3, too_long 1" (only reasons seen; "rejected
 * 0" when none) into out.
 */
void
sr_ingest_stats_reasons(const struct sr_ingest_stats *s, struct sr_buf *out);

/*
 * Called for each good event; its strings live for the call only.
 * Return 0 to go on, -1 to stop reading (sr_reader_read then fails).
 */
typedef int (*sr_ingest_event_fn)(void *ctx, const struct sr_event *ev);

/*
 * Called for each rejected line with the source name, the line number
 * (from 1), the reason and a one-line detail.
 */
typedef void (*sr_ingest_reject_fn)(void *ctx, const char *source,
    uint64_t lineno, enum sr_reject why, const char *detail);

struct sr_reader;

/*
 * A reader of fd (blocking or O_NONBLOCK; not closed by the reader) named
 * source in messages ("stdin", a path).  Without a reject callback the
 * first SR_READER_REPORT_MAX rejections are printed on stderr as
 * "sitrep: SOURCE line N: REASON: DETAIL"; when stderr is a terminal each
 * starts with "\r\033[K", clearing a progress line drawn there.
 */
struct sr_reader *sr_reader_new(const char *source, int fd,
    const struct sr_format_spec *fmt, sr_ingest_event_fn on_event, void *ctx);
void sr_reader_free(struct sr_reader *r);

/* Replace the default report of rejections (fn NULL: report nothing). */
void
sr_reader_set_reject_fn(struct sr_reader *r, sr_ingest_reject_fn fn, void *ctx);

/*
 * One read() of at most SR_READER_CHUNK bytes, then every complete line
 * is parsed and handed on.  Returns 1 when end of file was reached (a
 * final line without newline included), 0 when more may come (including
 * EAGAIN on a non-blocking fd), -1 on a read error or when the event
 * callback asked to stop, with detail in err.
 */
int sr_reader_read(struct sr_reader *r, struct sr_err *err);

/* Counts so far (borrowed while r lives). */
const struct sr_ingest_stats *sr_reader_stats(const struct sr_reader *r);

/*
 * Where a line of the input ends: its number (from 1) and the byte
 * offset just past it, its newline included, from where the reader
 * started.  Reading again from byte `end` starts at line `line` + 1.
 */
struct sr_ingest_pos {
	uint64_t line;
	uint64_t end;
};

/*
 * The line being handed on (inside the event callback), else the last
 * line taken; {0, 0} before the first.
 */
struct sr_ingest_pos sr_reader_pos(const struct sr_reader *r);
const char *sr_reader_source(const struct sr_reader *r);

/*
 * A batch of parsed events; strings point into the batch's own arena.
 * pos[i] is where the line of ev[i] ends in the input.
 */
struct sr_ingest_batch {
	struct sr_event *ev;
	const struct sr_ingest_pos *pos;
	size_t n;
};

struct sr_pipeline;

/*
 * Start a parsing thread reading fd (not closed by the pipeline) until end
 * of file.  Rejections are reported as by a default sr_reader.  Returns
 * NULL with detail in err when the thread cannot be started.
 */
struct sr_pipeline *sr_pipeline_start(const char *source, int fd,
    const struct sr_format_spec *fmt, struct sr_err *err);

/*
 * Wait at most timeout_ms for the next finished batch.  Returns 1 with
 * *batch set (borrowed until sr_pipeline_release), 0 on timeout, 2 when
 * the input is finished and every batch was taken, -1 when reading
 * failed (detail in err).
 */
int sr_pipeline_next(struct sr_pipeline *p, int timeout_ms,
    const struct sr_ingest_batch **batch, struct sr_err *err);

/* Give a batch back so the parsing thread can refill it. */
void
sr_pipeline_release(struct sr_pipeline *p, const struct sr_ingest_batch *batch);

/* A consistent copy of the counts so far (any thread). */
void sr_pipeline_stats(struct sr_pipeline *p, struct sr_ingest_stats *out);

/*
 * Stop the parsing thread (if still running), join it and free
 * everything; batches not yet taken are dropped.  NULL does nothing.
 */
void sr_pipeline_free(struct sr_pipeline *p);

#endif
