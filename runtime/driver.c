/* SPDX-License-Identifier: MIT */
/*
 * driver: see driver.h.  Each source keeps the fds it registered with the
 * loop on the last arm, so those it no longer wants are removed, and a
 * ready flag set by the loop's fd callback.  Committed counts follow the
 * store's own commit counter: a commit takes the whole open batch, so
 * when the store committed more events than when the driver last looked,
 * every event the driver had put in the batch is committed; when the
 * batch emptied without a commit (a failed commit rolls it back), they
 * were lost.
 */
#include "runtime/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest.h"
#include "core/store.h"
#include "runtime/loop.h"

struct driver_src {
	struct sr_driver *d;
	struct sr_source *src;
	struct sr_sink sink;
	int fds[SR_SOURCE_FDS_MAX];
	int nfds;
	int ready; /* an fd was ready (or never read yet) */
	int done;
	int rereadable;	    /* not stdin: can wait while the store fails */
	int coalesce;	    /* a line stream (stdin, file): may rest */
	int64_t rest_until; /* monotonic ms: fds not watched before */
	uint64_t accepted;
	uint64_t committed;
	uint64_t uncommitted; /* accepted, in the open batch */
};

struct sr_driver {
	struct sr_store *st;
	struct sr_loop *loop;
	struct sr_loop *own_loop; /* made here when none was given */
	struct sr_driver_hooks hooks;
	struct driver_src **srcs; /* stable: the loop holds them */
	size_t nsrcs;
	/* bulk inputs, and the one being read */
	struct sr_driver_counts bulk;
	uint64_t bulk_uncommitted;
	/* where the lines of the last event added / committed end */
	struct sr_ingest_pos bulk_added, bulk_done;
	struct sr_driver_bulk last; /* the last bulk input, once read */
	struct sr_pipeline *pipe;
	/* the store's counters when last looked at */
	uint64_t seen_committed, seen_pending;
	/* a store error without a hook: the sink refuses from then on */
	int failed;
	struct sr_err err;
};

/* Move what the store committed since the last look into committed. */
static void
driver_sync(struct sr_driver *d)
{
	uint64_t c = sr_store_committed(d->st), p = sr_store_pending(d->st);

	if (c != d->seen_committed || p < d->seen_pending) {
		int ok = c != d->seen_committed;

		for (size_t i = 0; i < d->nsrcs; i++) {
			struct driver_src *s = d->srcs[i];

			if (ok)
				s->committed += s->uncommitted;
			s->uncommitted = 0;
		}
		if (ok) {
			d->bulk.committed += d->bulk_uncommitted;
			d->bulk_done = d->bulk_added;
		}
		d->bulk_uncommitted = 0;
	}
	d->seen_committed = c;
	d->seen_pending = p;
}

/*
 * A store call failed with e: report it to the hook and go on (0), or
 * remember it and refuse from now on (-1).
 */
static int
driver_store_failed(struct sr_driver *d, const struct sr_err *e)
{
	if (d->hooks.store_error != NULL) {
		d->hooks.store_error(d->hooks.ctx, e->msg);
		return 0;
	}
	if (!d->failed) {
		d->failed = 1;
		d->err = *e;
	}
	return -1;
}

/*
 * Put one event into the batch; 0, 1 when the store dropped it (its hold
 * queue is full: counted there, not here), or -1 when it must be refused.
 */
static int
driver_store_event(struct sr_driver *d, const struct sr_event *ev)
{
	struct sr_err e;
	int rc;

	if (d->failed)
		return -1;
	if (d->hooks.event != NULL)
		d->hooks.event(d->hooks.ctx, ev);
	if ((rc = sr_store_add_event(d->st, ev, &e)) == -1)
		return driver_store_failed(d, &e);
	return rc;
}

static int
driver_sink_event(void *ctx, const struct sr_event *ev)
{
	struct driver_src *s = ctx;
	int rc = driver_store_event(s->d, ev);

	if (rc != 0)
		return rc == 1 ? 0 : -1; /* dropped: the source goes on */
	s->accepted++;
	s->uncommitted++;
	return 0;
}

/* The cursor goes into the same batch as the events it covers. */
static int
driver_sink_cursor(void *ctx, const char *source, const char *cursor)
{
	struct driver_src *s = ctx;
	struct sr_err e;

	if (s->d->failed)
		return -1;
	if (sr_store_set_cursor(s->d->st, source, cursor, &e) == -1)
		return driver_store_failed(s->d, &e);
	return 0;
}

static int
driver_sink_sample(void *ctx, const char *name, int64_t ts_ms, double value)
{
	struct driver_src *s = ctx;
	struct sr_driver *d = s->d;
	struct sr_err e;

	if (d->hooks.sample != NULL)
		d->hooks.sample(d->hooks.ctx, name, ts_ms, value);
	if (!d->failed &&
	    sr_store_add_sample(d->st, name, ts_ms, value, &e) == -1)
		(void)driver_store_failed(d, &e); /* samples carry no cursor */
	return 0;
}

struct sr_driver *
sr_driver_new(struct sr_store *st, struct sr_loop *loop,
    const struct sr_driver_hooks *hooks, struct sr_err *err)
{
	struct sr_driver *d = sr_xcalloc(1, sizeof(*d));

	d->st = st;
	if (hooks != NULL)
		d->hooks = *hooks;
	if (loop == NULL) {
		if ((d->own_loop = sr_loop_new(err)) == NULL) {
			free(d);
			return NULL;
		}
		loop = d->own_loop;
	}
	d->loop = loop;
	d->seen_committed = sr_store_committed(st);
	d->seen_pending = sr_store_pending(st);
	return d;
}

/* Stop watching a source's fds. */
static void
driver_unwatch(struct sr_driver *d, struct driver_src *s)
{
	for (int k = 0; k < s->nfds; k++)
		sr_loop_del_fd(d->loop, s->fds[k]);
	s->nfds = 0;
}

void
sr_driver_free(struct sr_driver *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nsrcs; i++) {
		driver_unwatch(d, d->srcs[i]);
		sr_source_close(d->srcs[i]->src);
		free(d->srcs[i]);
	}
	free(d->srcs);
	sr_loop_free(d->own_loop);
	free(d);
}

int
sr_driver_add_source(struct sr_driver *d, struct sr_source *src,
    struct sr_err *err)
{
	struct driver_src *s;
	struct sr_err e;
	char *cur = NULL;
	int rc = SR_DRIVER_ADDED;

	for (size_t i = 0; i < d->nsrcs; i++)
		if (strcmp(sr_source_name(d->srcs[i]->src),
			sr_source_name(src)) == 0) {
			sr_source_close(src); /* listed twice: read once */
			return SR_DRIVER_ADDED;
		}
	if (sr_store_get_cursor(d->st, sr_source_name(src), &cur, &e) == -1) {
		sr_err_set(err, "%s", e.msg);
		rc = SR_DRIVER_CURSOR_UNREADABLE;
	} else if (cur != NULL && sr_source_set_cursor(src, cur, &e) == -1) {
		sr_err_set(err, "stored cursor ignored: %s", e.msg);
		rc = SR_DRIVER_CURSOR_IGNORED;
	}
	free(cur);
	sr_source_set_series_max(src, d->hooks.prom_series);
	s = sr_xcalloc(1, sizeof(*s));
	s->d = d;
	s->src = src;
	s->sink = (struct sr_sink){ .ctx = s,
		.event = driver_sink_event,
		.cursor = driver_sink_cursor,
		.sample = driver_sink_sample };
	s->ready = 1; /* read once at the start, whatever it waits for */
	{
		struct sr_source_status ss;

		sr_source_status(src, &ss);
		s->rereadable = strcmp(ss.kind, "stdin") != 0;
		s->coalesce = strcmp(ss.kind, "stdin") == 0 ||
		    strcmp(ss.kind, "file") == 0;
	}
	d->srcs = sr_xrealloc(d->srcs, (d->nsrcs + 1) * sizeof(*d->srcs));
	d->srcs[d->nsrcs++] = s;
	return rc;
}

int
sr_driver_add(struct sr_driver *d, const char *spec, struct sr_err *err)
{
	struct sr_source *src;

	if (strcmp(spec, "-") == 0)
		spec = "stdin";
	for (size_t i = 0; i < d->nsrcs; i++)
		if (strcmp(sr_source_name(d->srcs[i]->src), spec) == 0)
			return SR_DRIVER_ADDED;
	if ((src = sr_source_open(spec, err)) == NULL)
		return -1;
	return sr_driver_add_source(d, src, err);
}

static void
driver_on_fd(struct sr_loop *l, int fd, unsigned rev, void *ctx)
{
	struct driver_src *s = ctx;

	(void)l;
	(void)fd;
	(void)rev;
	s->ready = 1;
}

/*
 * While the store is not ok (hold mode, core/store.h) a source that can
 * be read again later (a file, a database, a remote server) waits: it is
 * neither watched nor read, so its cursor does not move on and the store's
 * hold queue is left to stdin, whose lines would otherwise block the
 * writer (they are dropped, and counted, once the queue is full).
 */
static int
driver_src_paused(const struct sr_driver *d, const struct driver_src *s)
{
	return s->rereadable && sr_store_state(d->st) != SR_STORE_OK;
}

int
sr_driver_arm(struct sr_driver *d)
{
	int64_t now = sr_mono_ms();
	int wait = -1;

	for (size_t i = 0; i < d->nsrcs; i++) {
		struct driver_src *s = d->srcs[i];
		struct pollfd pf[SR_SOURCE_FDS_MAX];
		int n, to;

		if (s->done)
			continue;
		if (driver_src_paused(d, s)) {
			driver_unwatch(d, s);
			continue;
		}
		if (s->rest_until > now) {
			/* resting: what arrives meanwhile is read in one go */
			driver_unwatch(d, s);
			to = (int)(s->rest_until - now);
			if (wait < 0 || to < wait)
				wait = to;
			continue;
		}
		n = sr_source_fds(s->src, pf, SR_SOURCE_FDS_MAX);
		to = sr_source_timeout_ms(s->src);
		for (int k = 0; k < s->nfds; k++) {
			int keep = 0;

			for (int j = 0; j < n && !keep; j++)
				keep = pf[j].fd == s->fds[k];
			if (!keep)
				sr_loop_del_fd(d->loop, s->fds[k]);
		}
		s->nfds = 0;
		for (int j = 0; j < n; j++) {
			unsigned ev = 0;

			if (pf[j].fd < 0)
				continue;
			if (pf[j].events & POLLIN)
				ev |= SR_LOOP_READ;
			if (pf[j].events & POLLOUT)
				ev |= SR_LOOP_WRITE;
			if (sr_loop_add_fd(d->loop, pf[j].fd, ev, driver_on_fd,
				s, NULL) == 0)
				s->fds[s->nfds++] = pf[j].fd;
		}
		if (s->ready)
			to = 0;
		if (to >= 0 && (wait < 0 || to < wait))
			wait = to;
	}
	return wait;
}

int
sr_driver_read(struct sr_driver *d, int64_t now_ms, struct sr_err *err)
{
	uint64_t before = 0, after = 0, got;
	struct sr_err e;

	driver_sync(d);
	for (size_t i = 0; i < d->nsrcs; i++)
		before += d->srcs[i]->accepted;
	for (size_t i = 0; i < d->nsrcs && !d->failed; i++) {
		struct driver_src *s = d->srcs[i];

		if (s->done || driver_src_paused(d, s) ||
		    (!s->ready && sr_source_timeout_ms(s->src) != 0))
			continue;
		s->ready = 0;
		if (sr_store_pending(d->st) + SR_SOURCE_READ_MAX >=
		    SR_STORE_BATCH_MAX) {
			if (sr_store_flush(d->st, &e) == -1 &&
			    driver_store_failed(d, &e) == -1)
				break;
			driver_sync(d);
		}
		/* -1 only when the sink refused: d->failed says why; no
		 * commit inside the read, whatever its size */
		sr_store_defer_commits(d->st, 1);
		got = s->accepted;
		(void)sr_source_read(s->src, &s->sink, now_ms, &e);
		sr_store_defer_commits(d->st, 0);
		/* a trickle: wait for more before the next read */
		if (s->coalesce && s->accepted - got < SR_DRIVER_REST_EVENTS)
			s->rest_until = sr_mono_ms() + SR_DRIVER_REST_MS;
		d->seen_pending = sr_store_pending(d->st);
	}
	if (d->failed) {
		if (err != NULL)
			*err = d->err;
		return -1;
	}
	for (size_t i = 0; i < d->nsrcs; i++)
		after += d->srcs[i]->accepted;
	return (int)(after - before);
}

/* Has this source reached its current end (or failed for now)? */
static int
driver_src_done(const struct driver_src *s)
{
	struct sr_source_status st;

	sr_source_status(s->src, &st);
	/* waiting without an error: not answered yet (http) */
	return st.caught_up || st.state == SR_SRC_RETRYING ||
	    st.state == SR_SRC_DOWN || st.state == SR_SRC_ENDED ||
	    (st.state == SR_SRC_WAITING && st.last_error[0] != '\0');
}

/* Commit when the batch is due; 0 or -1 (d->err) without a hook. */
static int
driver_maybe_flush(struct sr_driver *d)
{
	struct sr_err e;

	if (d->failed)
		return -1;
	if (sr_store_maybe_flush(d->st, &e) == -1 &&
	    driver_store_failed(d, &e) == -1)
		return -1;
	driver_sync(d);
	return 0;
}

int
sr_driver_drain(struct sr_driver *d, int follow, sr_driver_round_fn *round,
    void *ctx, struct sr_err *err)
{
	size_t left = 0;

	for (size_t i = 0; i < d->nsrcs; i++)
		left += !d->srcs[i]->done;
	while (follow || left > 0) {
		int t = SR_DRIVER_WAIT_MS, to = sr_driver_arm(d), due;

		if (to >= 0 && to < t)
			t = to;
		if ((due = sr_store_flush_due_ms(d->st)) >= 0 && due < t)
			t = due;
		/* a failed poll (EINTR: a signal) is one more round */
		(void)sr_loop_run_once(d->loop, t, NULL);
		if (sr_driver_read(d, sr_now_ms(), err) == -1)
			return -1;
		for (size_t i = 0; i < d->nsrcs && !follow; i++) {
			struct driver_src *s = d->srcs[i];

			if (!s->done && driver_src_done(s)) {
				s->done = 1;
				driver_unwatch(d, s);
				left--;
			}
		}
		if (driver_maybe_flush(d) == -1) {
			if (err != NULL)
				*err = d->err;
			return -1;
		}
		if (round != NULL && round(ctx, d))
			break;
	}
	return 0;
}

/*
 * Store one event of a bulk input whose line ends at pos; 0 or -1.  A
 * commit the store makes while adding it (a full batch) covers it and
 * everything added before, so the committed position is exact.
 */
static int
driver_bulk_event(struct sr_driver *d, const struct sr_event *ev,
    const struct sr_ingest_pos *pos)
{
	if (driver_store_event(d, ev) == -1)
		return -1;
	d->bulk.accepted++;
	d->bulk_uncommitted++;
	d->bulk_added = *pos;
	driver_sync(d);
	return 0;
}

int
sr_driver_ingest_fd(struct sr_driver *d, const char *name, int fd,
    const struct sr_format_spec *fmt, sr_driver_round_fn *round, void *ctx,
    struct sr_err *err)
{
	const struct sr_ingest_batch *b;
	struct sr_ingest_stats cur;
	struct sr_err e;
	uint64_t committed0;
	int rc = 0, k, complete = 0;

	memset(&d->last, 0, sizeof(d->last));
	if ((d->pipe = sr_pipeline_start(name, fd, fmt, err)) == NULL)
		return -1;
	driver_sync(d);
	committed0 = d->bulk.committed;
	d->bulk_added = d->bulk_done = (struct sr_ingest_pos){ 0, 0 };
	for (;;) {
		k = sr_pipeline_next(d->pipe, SR_DRIVER_WAIT_MS, &b, &e);
		if (k == 1) {
			/* after a store error: only read on, to count */
			for (size_t i = 0; i < b->n && !d->failed; i++)
				(void)driver_bulk_event(d, &b->ev[i],
				    &b->pos[i]);
			sr_pipeline_release(d->pipe, b);
		} else if (k == 2) {
			complete = 1;
			break;
		} else if (k < 0) {
			rc = 1;
			if (err != NULL)
				*err = e;
			break;
		}
		(void)driver_maybe_flush(d); /* d->failed says */
		if (round != NULL && round(ctx, d))
			break;
	}
	/*
	 * The input's events are committed before the next one's.  After
	 * a failed write (not a failed commit) the batch may still be open
	 * with whole events: this commits them or, failing, drops them, so
	 * the counts below are final either way.
	 */
	if (sr_store_flush(d->st, &e) == -1 && !d->failed)
		(void)driver_store_failed(d, &e);
	driver_sync(d);
	sr_pipeline_stats(d->pipe, &cur);
	sr_pipeline_free(d->pipe);
	d->pipe = NULL;
	d->bulk.read += cur.lines;
	d->bulk.rejected += cur.rejected;
	for (int i = 0; i < SR_REJ__COUNT; i++)
		d->bulk.rejected_by[i] += cur.by_reason[i];
	d->last = (struct sr_driver_bulk){ .lines = cur.lines,
		.committed = d->bulk.committed - committed0,
		.rejected = cur.rejected,
		.resume = d->bulk_done,
		.complete = complete };
	if (d->failed) {
		rc = -1;
		if (err != NULL)
			*err = d->err;
	}
	return rc;
}

void
sr_driver_bulk_last(const struct sr_driver *d, struct sr_driver_bulk *out)
{
	*out = d->last;
}

size_t
sr_driver_count(const struct sr_driver *d)
{
	return d->nsrcs;
}

/* Committed counts as driver_sync() would make them, without moving. */
static uint64_t
driver_committed(const struct sr_driver *d, uint64_t committed,
    uint64_t uncommitted)
{
	return sr_store_committed(d->st) != d->seen_committed
	    ? committed + uncommitted
	    : committed;
}

void
sr_driver_input(const struct sr_driver *d, size_t i,
    struct sr_driver_input *out)
{
	const struct driver_src *s = d->srcs[i];
	struct sr_source_status st;

	sr_source_status(s->src, &st);
	memset(out, 0, sizeof(*out));
	out->name = st.name;
	out->kind = st.kind;
	out->state = st.state;
	memcpy(out->last_error, st.last_error, sizeof(out->last_error));
	memcpy(out->notice, st.notice, sizeof(out->notice));
	out->next_attempt_ms = st.next_attempt_ms;
	out->caught_up = st.caught_up;
	out->series = st.series;
	out->series_max = st.series_max;
	out->series_dropped = st.series_dropped;
	out->done = s->done;
	out->n.read = st.events + st.rejected;
	out->n.accepted = s->accepted;
	out->n.rejected = st.rejected;
	memcpy(out->n.rejected_by, st.rejected_by, sizeof(out->n.rejected_by));
	out->n.committed = driver_committed(d, s->committed, s->uncommitted);
}

void
sr_driver_totals(const struct sr_driver *d, struct sr_driver_counts *out)
{
	*out = d->bulk;
	out->committed =
	    driver_committed(d, d->bulk.committed, d->bulk_uncommitted);
	if (d->pipe != NULL) {
		struct sr_ingest_stats cur;

		sr_pipeline_stats(d->pipe, &cur);
		out->read += cur.lines;
		out->rejected += cur.rejected;
		for (int r = 0; r < SR_REJ__COUNT; r++)
			out->rejected_by[r] += cur.by_reason[r];
	}
	for (size_t i = 0; i < d->nsrcs; i++) {
		struct sr_driver_input in;

		sr_driver_input(d, i, &in);
		out->read += in.n.read;
		out->accepted += in.n.accepted;
		out->rejected += in.n.rejected;
		out->committed += in.n.committed;
		for (int r = 0; r < SR_REJ__COUNT; r++)
			out->rejected_by[r] += in.n.rejected_by[r];
	}
}
