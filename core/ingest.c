/* SPDX-License-Identifier: MIT */
/*
 * ingest: see ingest.h.  The pipeline's two threads share only the queue
 * state below its mutex: the parsing thread owns the batch it fills and
 * the reader; the caller's thread owns the batch it took until it gives it
 * back.  A fixed pool of batches circulates (free -> filling -> full ->
 * taken -> free), which bounds memory whatever the input.
 */
#include "core/ingest.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sr_reader {
	char *source;
	int fd;
	int eof;
	struct sr_parser *parser;
	struct sr_lines *lines;
	sr_ingest_event_fn on_event;
	void *ctx;
	sr_ingest_reject_fn on_reject;
	void *rctx;
	unsigned reported; /* by the default report */
	const char *clear; /* line clear on a terminal */
	struct sr_ingest_stats st;
	struct sr_ingest_pos pos; /* of the line last taken */
	char *buf;
};

void
sr_ingest_stats_add(struct sr_ingest_stats *a, const struct sr_ingest_stats *b)
{
	a->lines += b->lines;
	a->events += b->events;
	a->rejected += b->rejected;
	a->bytes += b->bytes;
	for (int i = 0; i < SR_REJ__COUNT; i++)
		a->by_reason[i] += b->by_reason[i];
}

void
sr_ingest_stats_reasons(const struct sr_ingest_stats *s, struct sr_buf *out)
{
	const char *sep = ": ";

	sr_buf_addf(out, "rejected %llu", (unsigned long long)s->rejected);
	for (int i = 0; i < SR_REJ__COUNT; i++) {
		if (s->by_reason[i] == 0)
			continue;
		sr_buf_addf(out, "%s%s %llu", sep,
		    sr_reject_name((enum sr_reject)i),
		    (unsigned long long)s->by_reason[i]);
		sep = ", ";
	}
}

/*
 * The default report: the first few rejections on stderr.  On a terminal
 * each message first clears the line, so that it replaces a progress
 * line another thread draws there (\r, no newline) instead of landing in
 * the middle of it; that thread redraws its line on its next refresh.
 * One fprintf per message: stdio locks the stream for the call, so the
 * two threads' writes never interleave.
 */
static void
reader_report(void *ctx, const char *source, uint64_t lineno,
    enum sr_reject why, const char *detail)
{
	struct sr_reader *r = ctx;

	if (r->reported >= SR_READER_REPORT_MAX)
		return;
	r->reported++;
	fprintf(stderr, "%ssitrep: %s line %llu: %s: %s\n", r->clear, source,
	    (unsigned long long)lineno, sr_reject_name(why), detail);
	if (r->reported == SR_READER_REPORT_MAX)
		fprintf(stderr,
		    "%ssitrep: %s: further rejected lines are "
		    "counted, not shown\n",
		    r->clear, source);
}

struct sr_reader *
sr_reader_new(const char *source, int fd, const struct sr_format_spec *fmt,
    sr_ingest_event_fn on_event, void *ctx)
{
	struct sr_reader *r = sr_xcalloc(1, sizeof *r);

	r->source = sr_xstrdup(source);
	r->fd = fd;
	r->parser = sr_parser_new_spec(fmt);
	r->lines = sr_lines_new();
	r->on_event = on_event;
	r->ctx = ctx;
	r->on_reject = reader_report;
	r->rctx = r;
	r->clear = isatty(STDERR_FILENO) ? "\r\033[K" : "";
	r->buf = sr_xmalloc(SR_READER_CHUNK);
	return r;
}

void
sr_reader_free(struct sr_reader *r)
{
	if (r == NULL)
		return;
	sr_parser_free(r->parser);
	sr_lines_free(r->lines);
	free(r->buf);
	free(r->source);
	free(r);
}

void
sr_reader_set_reject_fn(struct sr_reader *r, sr_ingest_reject_fn fn, void *ctx)
{
	r->on_reject = fn;
	r->rctx = ctx;
}

const struct sr_ingest_stats *
sr_reader_stats(const struct sr_reader *r)
{
	return &r->st;
}

struct sr_ingest_pos
sr_reader_pos(const struct sr_reader *r)
{
	return r->pos;
}

const char *
sr_reader_source(const struct sr_reader *r)
{
	return r->source;
}

static void
reader_reject(struct sr_reader *r, enum sr_reject why, const char *detail)
{
	r->st.rejected++;
	r->st.by_reason[why]++;
	if (r->on_reject)
		r->on_reject(r->rctx, r->source, sr_lines_lineno(r->lines), why,
		    detail);
}

int
sr_reader_read(struct sr_reader *r, struct sr_err *err)
{
	const char *line;
	struct sr_event ev;
	struct sr_err perr;
	const char *notice;
	enum sr_reject why;
	int64_t now_ms;
	size_t len;
	ssize_t n;
	int k;

	if (!r->eof) {
		n = read(r->fd, r->buf, SR_READER_CHUNK);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				return 0;
			return sr_err_set(err, "cannot read '%s': %s",
			    r->source, strerror(errno));
		}
		if (n == 0)
			r->eof = 1;
		else
			sr_lines_feed(r->lines, r->buf, (size_t)n);
		r->st.bytes += (uint64_t)n;
	}
	now_ms = sr_now_ms();
	while ((k = sr_lines_next(r->lines, r->eof, &line, &len)) != 0) {
		r->st.lines++;
		/* a too-long line (k 2) has no known end yet: keep the last */
		if (k == 1)
			r->pos = (struct sr_ingest_pos){
				.line = sr_lines_lineno(r->lines),
				.end =
				    r->st.bytes - sr_lines_buffered(r->lines),
			};
		if (k == 2) {
			char detail[96];

			(void)snprintf(detail, sizeof detail,
			    "line longer "
			    "than %d bytes",
			    SR_LINE_MAX);
			reader_reject(r, SR_REJ_TOO_LONG, detail);
			continue;
		}
		perr.msg[0] = '\0';
		k = sr_parser_line(r->parser, line, len, now_ms, &ev, &why,
		    &perr);
		/* a line may hold several events (OTLP's log records) */
		for (; k != 0;
		     k = sr_parser_more(r->parser, now_ms, &ev, &why, &perr)) {
			if (k < 0) {
				reader_reject(r, why, perr.msg);
				continue;
			}
			r->st.events++;
			if (r->on_event && r->on_event(r->ctx, &ev) < 0)
				return sr_err_set(err,
				    "'%s': stopped while "
				    "handing on events",
				    r->source);
		}
		if ((notice = sr_parser_notice(r->parser)) != NULL)
			fprintf(stderr, "%ssitrep: %s: notice: %s\n", r->clear,
			    r->source, notice);
	}
	return r->eof;
}

/* ---- the two-thread pipeline ---------------------------------------- */

#define PIPE_BATCHES 4 /* batches in circulation */
#define PIPE_BATCH_EVENTS 4096
#define PIPE_ARENA_MAX (4u << 20) /* seal a batch past this */

/* The string fields of an event, copied into a batch's arena. */
static const size_t pipe_str_fields[] = {
	offsetof(struct sr_event, event_id),
	offsetof(struct sr_event, event_type),
	offsetof(struct sr_event, service),
	offsetof(struct sr_event, endpoint),
	offsetof(struct sr_event, user_id),
	offsetof(struct sr_event, session_id),
	offsetof(struct sr_event, message),
	offsetof(struct sr_event, model),
	offsetof(struct sr_event, host),
	offsetof(struct sr_event, metadata),
};
#define PIPE_NSTR (sizeof pipe_str_fields / sizeof pipe_str_fields[0])

struct pipe_batch {
	struct sr_ingest_batch pub; /* first: handed out */
	struct sr_event *ev;
	struct sr_ingest_pos *pos;
	size_t (*off)[PIPE_NSTR]; /* arena offset + 1 */
	struct sr_buf arena;
};

struct sr_pipeline {
	pthread_t thread;
	int wake[2]; /* stops a poll() */
	struct sr_reader *reader;
	struct pipe_batch pool[PIPE_BATCHES];
	struct pipe_batch *filling; /* parsing thread's */

	pthread_mutex_t mu;		       /* guards everything below */
	pthread_cond_t cv_full;		       /* a batch is ready, or done */
	pthread_cond_t cv_free;		       /* a batch came back, or stop */
	struct pipe_batch *full[PIPE_BATCHES]; /* FIFO */
	unsigned full_head, full_n;
	struct pipe_batch *free_[PIPE_BATCHES]; /* stack */
	unsigned free_n;
	int done, failed, stop;
	struct sr_err err;
	struct sr_ingest_stats st;
};

/* Turn arena offsets into pointers: the batch's memory no longer moves. */
static void
pipe_seal(struct pipe_batch *b)
{
	for (size_t i = 0; i < b->pub.n; i++) {
		for (size_t k = 0; k < PIPE_NSTR; k++) {
			const char **slot =
			    (const char **)(void *)((char *)&b->ev[i] +
				pipe_str_fields[k]);
			size_t o = b->off[i][k];

			*slot = o ? b->arena.data + o - 1 : NULL;
		}
	}
	b->pub.ev = b->ev;
}

/* Parsing thread: queue the batch being filled, if it holds anything. */
static void
pipe_push(struct sr_pipeline *p)
{
	struct pipe_batch *b = p->filling;

	if (b == NULL || b->pub.n == 0)
		return;
	pipe_seal(b);
	p->filling = NULL;
	pthread_mutex_lock(&p->mu);
	p->full[(p->full_head + p->full_n) % PIPE_BATCHES] = b;
	p->full_n++;
	pthread_cond_signal(&p->cv_full);
	pthread_mutex_unlock(&p->mu);
}

/* Parsing thread: a free batch to fill; NULL when told to stop. */
static struct pipe_batch *
pipe_take_free(struct sr_pipeline *p)
{
	struct pipe_batch *b = NULL;

	pthread_mutex_lock(&p->mu);
	while (p->free_n == 0 && !p->stop)
		pthread_cond_wait(&p->cv_free, &p->mu);
	if (!p->stop)
		b = p->free_[--p->free_n];
	pthread_mutex_unlock(&p->mu);
	if (b) {
		b->pub.n = 0;
		sr_buf_reset(&b->arena);
	}
	return b;
}

/* The reader's event callback on the parsing thread: copy into a batch. */
static int
pipe_on_event(void *ctx, const struct sr_event *ev)
{
	struct sr_pipeline *p = ctx;
	struct pipe_batch *b = p->filling;
	size_t i;

	if (b &&
	    (b->pub.n == PIPE_BATCH_EVENTS || b->arena.len >= PIPE_ARENA_MAX))
		pipe_push(p);
	if (p->filling == NULL && (p->filling = pipe_take_free(p)) == NULL)
		return -1;
	b = p->filling;
	i = b->pub.n++;
	b->ev[i] = *ev;
	b->pos[i] = sr_reader_pos(p->reader);
	for (size_t k = 0; k < PIPE_NSTR; k++) {
		const char *s =
		    *(const char *const *)(const void *)((const char *)ev +
			pipe_str_fields[k]);

		if (s == NULL) {
			b->off[i][k] = 0;
			continue;
		}
		b->off[i][k] = b->arena.len + 1;
		sr_buf_add(&b->arena, s, strlen(s) + 1);
	}
	return 0;
}

/* 1 when fd has no data ready right now (the writer is slower than us). */
static int
pipe_idle(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

static void *
pipe_main(void *arg)
{
	struct sr_pipeline *p = arg;
	struct sr_err err;
	int rc = 0, stopped = 0;

	err.msg[0] = '\0';
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = p->reader->fd, .events = POLLIN },
			{ .fd = p->wake[0], .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = sr_err_set(&err, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents) {
			stopped = 1;
			break;
		}
		rc = sr_reader_read(p->reader, &err);
		pthread_mutex_lock(&p->mu);
		p->st = *sr_reader_stats(p->reader);
		stopped = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (rc != 0 || stopped)
			break;
		if (pipe_idle(p->reader->fd))
			pipe_push(p);
	}
	if (!stopped && rc >= 0)
		pipe_push(p);
	pthread_mutex_lock(&p->mu);
	if (rc < 0 && !p->stop) {
		p->failed = 1;
		p->err = err;
	}
	p->done = 1;
	pthread_cond_broadcast(&p->cv_full);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
pipe_release_pool(struct sr_pipeline *p)
{
	for (int i = 0; i < PIPE_BATCHES; i++) {
		free(p->pool[i].ev);
		free(p->pool[i].pos);
		free(p->pool[i].off);
		sr_buf_release(&p->pool[i].arena);
	}
}

struct sr_pipeline *
sr_pipeline_start(const char *source, int fd, const struct sr_format_spec *fmt,
    struct sr_err *err)
{
	struct sr_pipeline *p = sr_xcalloc(1, sizeof *p);
	pthread_condattr_t ca;
	sigset_t all, old;
	int e;

	if (pipe(p->wake) < 0) {
		e = errno;
		free(p);
		sr_err_set(err, "cannot create a pipe: %s", strerror(e));
		return NULL;
	}
	p->reader = sr_reader_new(source, fd, fmt, pipe_on_event, p);
	for (int i = 0; i < PIPE_BATCHES; i++) {
		struct pipe_batch *b = &p->pool[i];

		b->ev = sr_xcalloc(PIPE_BATCH_EVENTS, sizeof *b->ev);
		b->off = sr_xcalloc(PIPE_BATCH_EVENTS, sizeof *b->off);
		b->pos = sr_xcalloc(PIPE_BATCH_EVENTS, sizeof *b->pos);
		b->pub.pos = b->pos;
		sr_buf_init(&b->arena);
		b->pub.ev = b->ev;
		p->free_[p->free_n++] = b;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv_full, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&p->cv_free, NULL);

	/* Signals go to the caller's thread, never to the parser. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&p->thread, NULL, pipe_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		sr_err_set(err, "cannot start the parsing thread: %s",
		    strerror(e));
		sr_reader_free(p->reader);
		pipe_release_pool(p);
		pthread_cond_destroy(&p->cv_full);
		pthread_cond_destroy(&p->cv_free);
		pthread_mutex_destroy(&p->mu);
		close(p->wake[0]);
		close(p->wake[1]);
		free(p);
		return NULL;
	}
	return p;
}

int
sr_pipeline_next(struct sr_pipeline *p, int timeout_ms,
    const struct sr_ingest_batch **batch, struct sr_err *err)
{
	struct timespec dl;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (p->full_n == 0 && !p->done)
		if (pthread_cond_timedwait(&p->cv_full, &p->mu, &dl) ==
		    ETIMEDOUT)
			break;
	if (p->full_n > 0) {
		*batch = &p->full[p->full_head]->pub;
		p->full_head = (p->full_head + 1) % PIPE_BATCHES;
		p->full_n--;
		rc = 1;
	} else if (p->done) {
		if (p->failed) {
			if (err)
				*err = p->err;
			rc = -1;
		} else {
			rc = 2;
		}
	} else {
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void
sr_pipeline_release(struct sr_pipeline *p, const struct sr_ingest_batch *batch)
{
	/* pub is the first member: the batch is its pipe_batch. */
	struct pipe_batch *b = (struct pipe_batch *)(void *)batch;

	pthread_mutex_lock(&p->mu);
	p->free_[p->free_n++] = b;
	pthread_cond_signal(&p->cv_free);
	pthread_mutex_unlock(&p->mu);
}

void
sr_pipeline_stats(struct sr_pipeline *p, struct sr_ingest_stats *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->st;
	pthread_mutex_unlock(&p->mu);
}

void
sr_pipeline_free(struct sr_pipeline *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv_free);
	pthread_mutex_unlock(&p->mu);
	/* Wakes a poll(); a full pipe already means "stop". */
	(void)!write(p->wake[1], "x", 1);
	pthread_join(p->thread, NULL);
	sr_reader_free(p->reader);
	pipe_release_pool(p);
	pthread_cond_destroy(&p->cv_full);
	pthread_cond_destroy(&p->cv_free);
	pthread_mutex_destroy(&p->mu);
	close(p->wake[0]);
	close(p->wake[1]);
	free(p);
}
