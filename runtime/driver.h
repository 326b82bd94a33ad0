/* SPDX-License-Identifier: MIT */
/*
 * driver: the one exactly-once source driver.  It owns event sources
 * (collectors/source.h), resumes each from its stored cursor, reads them
 * a bounded amount at a time, puts their events and cursors into the
 * store's open batch and orders the commits so that a cursor is always
 * committed with the events it covers.  The console and `sitrep serve`
 * (runtime/app.c) drive it from their main loop; `sitrep ingest` drives
 * it to the sources' current end (sr_driver_drain) and hands it bulk
 * inputs, parsed on a second thread (sr_driver_ingest_fd, core/ingest.h's
 * pipeline).
 *
 * Commit ordering: the driver commits (sr_store_flush) only between two
 * sr_source_read() calls, and before a read when the open batch could
 * overflow (SR_STORE_BATCH_MAX - SR_SOURCE_READ_MAX events).  Others may
 * commit the shared batch whenever no read is running (a flush timer, a
 * tick): a batch then holds whole reads only.
 *
 * Store errors: with a store_error hook the error is reported there and
 * the source goes on (the event stays in the live view; refusing it
 * would make the source hand it again and again).  Without one, the
 * sink refuses the event (no cursor is stored past it) and the read,
 * drain or ingest fails with the store's message: nothing is lost, a
 * later run resumes before that event.
 *
 * Threads: a driver belongs to the thread that made it; the pipeline
 * thread of sr_driver_ingest_fd() never touches it.
 */
#ifndef SR_RUNTIME_DRIVER_H
#define SR_RUNTIME_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/source.h"
#include "core/event.h"
#include "core/ingest.h"
#include "core/parse.h"
#include "core/util.h"

struct sr_driver;
struct sr_loop;
struct sr_store;

/* Longest wait of sr_driver_drain() and of a bulk input's batch. */
#define SR_DRIVER_WAIT_MS 100

/*
 * Coalesced reads: a line stream (stdin, a followed file) whose read
 * brought fewer than SR_DRIVER_REST_EVENTS events rests
 * SR_DRIVER_REST_MS: its fds are not watched meanwhile, so a trickle of
 * lines is read a tenth of a second's worth at a time instead of one
 * wake-up per line.  A flood never rests (every read is large), and
 * keys, timers and posts are not delayed.
 */
#define SR_DRIVER_REST_MS 100
#define SR_DRIVER_REST_EVENTS 64

/* What a driver did with one input, or with all of them. */
struct sr_driver_counts {
	uint64_t read;	   /* lines or rows seen: accepted + rejected */
	uint64_t accepted; /* events put into the store batch */
	uint64_t rejected; /* refused by the parser */
	uint64_t rejected_by[SR_REJ__COUNT];
	uint64_t committed; /* accepted events whose batch was committed */
};

/* One source's state and counts; strings borrowed until the next call. */
struct sr_driver_input {
	const char *name; /* the spec, also the cursor key */
	const char *kind; /* "stdin", "file", "sqlite", "http" */
	enum sr_source_state state;
	char last_error[256]; /* "" when none */
	char notice[480];     /* the format notice, "" when none */
	int64_t next_attempt_ms;
	int caught_up; /* the last round found nothing more */
	uint64_t series, series_max, series_dropped; /* prom: sources */
	int done; /* no longer read (drained to its end) */
	struct sr_driver_counts n;
};

/*
 * Optional callbacks (NULL: none), all on the driver's thread.  event:
 * after an event went into the batch (the console folds it into its
 * engine); strings borrowed for the call.  sample: a measurement a
 * source read (a remote sitrep's KPIs), after it went into the batch.
 * store_error: see the top of the file.
 */
struct sr_driver_hooks {
	void *ctx;
	void (*event)(void *ctx, const struct sr_event *ev);
	void (
	    *sample)(void *ctx, const char *name, int64_t ts_ms, double value);
	void (*store_error)(void *ctx, const char *msg);
	/* not a callback: the series a prom: source keeps at most
	 * ([limits] prom_series; 0: its default) */
	size_t prom_series;
};

/* What sr_driver_add() and sr_driver_add_source() return besides -1. */
enum sr_driver_added {
	SR_DRIVER_ADDED = 0,		 /* resumed, or nothing stored */
	SR_DRIVER_CURSOR_IGNORED = 1,	 /* the source refused it: err */
	SR_DRIVER_CURSOR_UNREADABLE = 2, /* the store failed: err */
};

/*
 * A driver writing into st (borrowed; it must outlive the driver) and
 * watching its sources' fds on loop (borrowed), or on a loop of its own
 * when loop is NULL.  hooks is copied (NULL: none).  Returns NULL with
 * err set when a loop of its own cannot be made.
 */
struct sr_driver *sr_driver_new(struct sr_store *st, struct sr_loop *loop,
    const struct sr_driver_hooks *hooks, struct sr_err *err);

/*
 * Close the sources and stop watching their fds; does not commit (the
 * store's owner flushes or closes it).  NULL does nothing.
 */
void sr_driver_free(struct sr_driver *d);

/*
 * Open the source spec ("-" is "stdin") and resume it from its stored
 * cursor.  A spec already added is not added again (returns 0).
 * Returns -1 with err set for a bad spec; otherwise the source was added
 * and the result is an enum sr_driver_added, with err set for the
 * cursor problems (the source then starts as if none was stored).
 */
int sr_driver_add(struct sr_driver *d, const char *spec, struct sr_err *err);

/*
 * Takes ownership of src (an opened source, whatever made it) and
 * resumes it as sr_driver_add() does; a name already added closes src
 * and returns 0.
 */
int sr_driver_add_source(struct sr_driver *d, struct sr_source *src,
    struct sr_err *err);

/*
 * Watch the fds every source wants now on the loop (they change: curl's
 * sockets, a file that appeared) and return the shortest source timeout
 * in ms (-1: none).  Call before each wait of the loop.
 */
int sr_driver_arm(struct sr_driver *d);

/*
 * Read every source whose fd was ready or whose timeout passed, each at
 * most SR_SOURCE_READ_MAX events; now_ms (UTC) stamps events without a
 * time.  Commits before a read that could overflow the batch.  Returns
 * the number of events accepted, or -1 with err set on a store error
 * without a store_error hook.
 */
int sr_driver_read(struct sr_driver *d, int64_t now_ms, struct sr_err *err);

/*
 * Called after each round of sr_driver_drain() and each batch of
 * sr_driver_ingest_fd() (progress lines, a stop flag); return 1 to stop.
 */
typedef int sr_driver_round_fn(void *ctx, const struct sr_driver *d);

/*
 * Run the driver's loop: arm, wait (at most SR_DRIVER_WAIT_MS and the
 * store's next flush), read, commit when due, round.  Without follow a
 * source is done once it caught up, or failed for now (retrying, down,
 * ended, waiting with an error), and the drain returns when all are;
 * with follow it goes on until round asks to stop.  Returns 0, or -1
 * with err set as sr_driver_read().
 */
int sr_driver_drain(struct sr_driver *d, int follow, sr_driver_round_fn *round,
    void *ctx, struct sr_err *err);

/*
 * Read a bulk input from fd (not closed) to its end with a parsing
 * thread (core/ingest.h's sr_pipeline, rejections reported by its
 * default report), storing each batch, committing when due and once
 * more at the end of the input; no cursor.  After a store error (without
 * a store_error hook) nothing more is stored, but the input is still
 * read to its end (or until round asks to stop), so that its lines can
 * be counted and a writer into a pipe is not cut off.  round runs after
 * each batch (or wait).  Returns 0, 1 when reading the input failed, -1
 * on a store error or when the thread cannot start; err says why.
 * sr_driver_bulk_last() then says what was committed.
 */
int sr_driver_ingest_fd(struct sr_driver *d, const char *name, int fd,
    const struct sr_format_spec *fmt, sr_driver_round_fn *round, void *ctx,
    struct sr_err *err);

/* The last input sr_driver_ingest_fd() read, once it returned. */
struct sr_driver_bulk {
	uint64_t lines;	    /* lines read, blank ones included */
	uint64_t committed; /* its events that were committed */
	uint64_t rejected;
	/*
	 * The end of the line of its last committed event ({0, 0}: none):
	 * every event before it is committed and none after it, so a rerun
	 * of the rest starts at line resume.line + 1, byte resume.end.
	 */
	struct sr_ingest_pos resume;
	int complete; /* read to its end (else stopped by round) */
};

void sr_driver_bulk_last(const struct sr_driver *d, struct sr_driver_bulk *out);

/* Number of sources, and the state and counts of source i (in order). */
size_t sr_driver_count(const struct sr_driver *d);
void sr_driver_input(const struct sr_driver *d, size_t i,
    struct sr_driver_input *out);

/* The counts of every source and bulk input together (live). */
void sr_driver_totals(const struct sr_driver *d, struct sr_driver_counts *out);

#endif
