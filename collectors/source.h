/* SPDX-License-Identifier: MIT */
/*
 * source: event sources beyond a pipe, behind one small interface.  A
 * source spec names what to follow:
 *
 *   stdin, -                         standard input (lines)
 *   file:PATH[?from=start&format=F&service=S]
 *                                    follow a file like tail -F (inotify)
 *   sqlite:PATH?table=T[&from=start&every=1s&ts=COL&status=COL...]
 *                                    tail a table of another program's
 *                                    database by rowid, read-only
 *   http://URL, https://URL[#every=5s&timeout=10s&cacert=PATH&netrc=PATH]
 *                                    poll a JSON endpoint (curl multi)
 *   sitrep://HOST[:PORT][?token-file=PATH&every=1s], sitreps://...
 *                                    follow another `sitrep serve`
 *
 * The layer: collectors/ turn the outside world into sr_event values handed
 * to a sink; they compute nothing.  Nothing here blocks: the runtime polls
 * the fds a source gives, and calls sr_source_read() when one is ready or
 * when the source's timeout has passed (a spurious call is harmless).
 *
 * Exactly once across restarts: after the events a read covers, a source
 * calls sink->cursor(ctx, name, cursor) with a string that resumes right
 * after them (file "DEV:INO:OFFSET:FPLEN:FPHASH", sqlite rowid, the remote
 * cursor).  The runtime stores events and cursor in the same store batch
 * (sr_store_add_event, sr_store_set_cursor) and must not commit between an
 * event and the cursor that follows it: it commits only between
 * sr_source_read() calls, and before a read when the open batch holds more
 * than SR_STORE_BATCH_MAX - SR_SOURCE_READ_MAX events.  On start it reads
 * the stored cursor (sr_store_get_cursor(sr_source_name(src))) and passes
 * it to sr_source_set_cursor() before the first read.
 *
 * A source that cannot work right now (missing file or database, refused
 * connection, HTTP 500, invalid JSON, TLS error) never fails the program:
 * it shows it in its status (waiting, retrying with the last error and the
 * next attempt) and tries again, with backoff where that makes sense.
 * Only a bad spec fails, at sr_source_open() / sr_source_spec_check().
 *
 * A spec may hold a password or token: messages and the status show it
 * through sr_redact() (sr_source_shown()); only the cursor key and the
 * source's own requests use it as written.
 */
#ifndef SR_COLLECTORS_SOURCE_H
#define SR_COLLECTORS_SOURCE_H

#include <poll.h>
#include <stdint.h>

#include "core/event.h"
#include "core/parse.h"
#include "core/snapshot.h" /* enum sr_source_state, sr_source_state_name */
#include "core/util.h"

/* At most this many events reach the sink in one sr_source_read(). */
#define SR_SOURCE_READ_MAX 4096

/* Most pollfds one source asks for. */
#define SR_SOURCE_FDS_MAX 8

/* A source's visible state; strings are borrowed from the source. */
struct sr_source_status {
	const char *name; /* the spec as shown: sr_redact()ed */
	const char *kind; /* "stdin", "file", "sqlite" ... */
	enum sr_source_state state;
	char last_error[256];	 /* "" when none */
	char notice[480];	 /* an ambiguous format: the --format to
				    declare; "" when none */
	int64_t next_attempt_ms; /* UTC ms, 0 if none */
	uint64_t events;	 /* handed to the sink */
	uint64_t rejected;	 /* lines/rows refused */
	uint64_t rejected_by[SR_REJ__COUNT];
	/*
	 * 1 when the last complete round found nothing more: a file read
	 * to its end, a table with no row past the last one read, a poll
	 * answered with no new event (or 304).  `sitrep ingest` stops a
	 * source there.
	 */
	int caught_up;
	/*
	 * A prom: source's series (series_max 0 for other kinds): kept now,
	 * the cap, and the samples of series over it dropped in the last
	 * scrape.
	 */
	uint64_t series, series_max, series_dropped;
};

/*
 * Where a source hands its results.  event: the event's strings are
 * borrowed for the call; return 0, or -1 to make the source stop this read
 * (it then reports no cursor past the refused event, and retries it later).
 * cursor: called after the events it covers; return 0 or -1 (same).
 * sample (optional, NULL: none wanted): a measurement the source read, not
 * an event; a sitrep:// source hands the other node's KPI tiles as
 * "host.<HOST>.<kpi id>" every 5 s.  The return value is ignored.
 */
struct sr_sink {
	void *ctx;
	int (*event)(void *ctx, const struct sr_event *ev);
	int (*cursor)(void *ctx, const char *source, const char *cursor);
	int (*sample)(void *ctx, const char *name, int64_t ts_ms, double value);
};

/*
 * One kind of source.  open() fails only for a bad spec; everything else
 * is state.  fds() fills at most max pollfds and returns how many;
 * timeout_ms() is how long the runtime may sleep before calling read()
 * anyway (-1: until an fd is ready, 0: now); read() returns the number of
 * events handed to the sink, or -1 when the sink refused one.
 * set_cursor() is called once, before the first read.
 */
struct sr_collector_ops {
	const char *kind;
	void *(*open)(const char *spec, struct sr_err *err);
	int (*fds)(void *self, struct pollfd *out, int max);
	int (*timeout_ms)(void *self);
	int (*read)(void *self, const struct sr_sink *sink, int64_t now_ms,
	    struct sr_err *err);
	void (*status)(const void *self, struct sr_source_status *st);
	int (*set_cursor)(void *self, const char *cursor, struct sr_err *err);
	void (*close)(void *self);
	/* optional: the series a source keeps at most, unless its spec
	 * says (prom: series=) */
	void (*set_series_max)(void *self, size_t n);
};

struct sr_source;

/*
 * Check a spec without opening anything: 0, or -1 with a message naming
 * what is wrong ("source 'sqlite:x.db': missing table=").  Commands call it
 * on every --source before starting, and exit 2 on failure.
 */
int sr_source_spec_check(const char *spec, struct sr_err *err);

/*
 * Open a source for spec (the scheme picks the kind).  Fails only for a
 * bad spec, as sr_source_spec_check() would.  Nothing is read yet; a
 * missing file, database or server shows in the status, not here.
 */
struct sr_source *sr_source_open(const char *spec, struct sr_err *err);

/*
 * A source of kind ops around an opened self (as ops->open() returns),
 * named name: for a kind that is not in the spec table (a test's fake).
 * Takes ownership of self (ops->close() frees it).
 */
struct sr_source *
sr_source_new(const struct sr_collector_ops *ops, void *self, const char *name);

/* Close and free; NULL does nothing. */
void sr_source_close(struct sr_source *src);

/*
 * The spec as given: the key of its cursor, never shown (it may hold a
 * password or token).  Borrowed while src lives.
 */
const char *sr_source_name(const struct sr_source *src);
/* The spec fit to show (sr_redact()); borrowed while src lives. */
const char *sr_source_shown(const struct sr_source *src);
const char *sr_source_kind(const struct sr_source *src);

/* Fill out with at most max fds to poll; returns how many. */
int sr_source_fds(struct sr_source *src, struct pollfd *out, int max);

/* Milliseconds until the source wants a read without an fd (-1: never). */
int sr_source_timeout_ms(struct sr_source *src);

/*
 * Read what is ready, without blocking: at most SR_SOURCE_READ_MAX events
 * to sink->event, then sink->cursor when the position moved.  now_ms (UTC
 * wall clock) stamps events that carry no time.  Returns the number of
 * events delivered, or -1 when the sink refused one (err says why).
 */
int sr_source_read(struct sr_source *src, const struct sr_sink *sink,
    int64_t now_ms, struct sr_err *err);

/*
 * The most series a source that keeps series (prom:) keeps, from the
 * config ([limits] prom_series); its spec's own series= wins.  Others
 * ignore it.
 */
void sr_source_set_series_max(struct sr_source *src, size_t n);

/* Current state and counters. */
void sr_source_status(const struct sr_source *src, struct sr_source_status *st);

/*
 * Resume after a stored cursor (call once, before the first read).  A
 * cursor this source cannot use (another kind's, garbage) fails with -1
 * and is ignored: the source then starts as if there were none.
 */
int sr_source_set_cursor(struct sr_source *src, const char *cursor,
    struct sr_err *err);

/* libcurl's version for `sitrep --version` (sr_lib_version()). */
char *sr_http_lib_version(void);

#endif
