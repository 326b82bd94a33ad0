/* SPDX-License-Identifier: MIT */
/* Unit tests for core/ingest: the reader and the two-thread pipeline. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ingest.h"

/* const: the format these tests read (JSON lines). */
static const struct sr_format_spec json_fmt = { .fmt = SR_FMT_JSON };

void sr_test_ingest_suite(void);

struct got {
	int n;
	char ids[16][16];
	int status[16];
	int stop_after; /* -1 never */
	int rejects;
	uint64_t reject_line[8];
	enum sr_reject reject_why[8];
};

static int
got_event(void *ctx, const struct sr_event *ev)
{
	struct got *g = ctx;

	if (g->n < 16) {
		(void)snprintf(g->ids[g->n], sizeof g->ids[0], "%s",
		    ev->event_id);
		g->status[g->n] = ev->status_code;
	}
	g->n++;
	return g->stop_after >= 0 && g->n >= g->stop_after ? -1 : 0;
}

static void
got_reject(void *ctx, const char *source, uint64_t lineno, enum sr_reject why,
    const char *detail)
{
	struct got *g = ctx;

	CU_ASSERT_STRING_EQUAL(source, "test");
	CU_ASSERT(detail != NULL);
	if (g->rejects < 8) {
		g->reject_line[g->rejects] = lineno;
		g->reject_why[g->rejects] = why;
	}
	g->rejects++;
}

static void
put(int fd, const char *s)
{
	CU_ASSERT_EQUAL(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Non-blocking pipe: partial lines wait, EAGAIN is "more may come". */
static void
test_reader_pipe(void)
{
	struct got g = { .stop_after = -1 };
	struct sr_reader *r;
	const struct sr_ingest_stats *st;
	struct sr_err err;
	int fds[2];

	CU_ASSERT_FATAL(pipe(fds) == 0);
	CU_ASSERT_FATAL(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	r = sr_reader_new("test", fds[0], &json_fmt, got_event, &g);
	sr_reader_set_reject_fn(r, got_reject, &g);
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 0); /* EAGAIN */
	put(fds[1],
	    "{\"event_id\":\"a\",\"status_code\":200}\n"
	    "{\"event_id\":\"b\",\"sta");
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 0);
	CU_ASSERT_EQUAL(g.n, 1);
	put(fds[1], "tus_code\":404}\n\n[1]\n{\"event_id\":\"c\"}");
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 0);
	CU_ASSERT_EQUAL(g.n, 2);
	close(fds[1]);
	/* End of file: the last line has no newline and still counts. */
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 1);
	CU_ASSERT_EQUAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.ids[0], "a");
	CU_ASSERT_STRING_EQUAL(g.ids[1], "b");
	CU_ASSERT_EQUAL(g.status[1], 404);
	CU_ASSERT_STRING_EQUAL(g.ids[2], "c");
	st = sr_reader_stats(r);
	CU_ASSERT_EQUAL(st->lines, 5);
	CU_ASSERT_EQUAL(st->events, 3);
	CU_ASSERT_EQUAL(st->rejected, 1);
	CU_ASSERT_EQUAL(st->by_reason[SR_REJ_NOT_OBJECT], 1);
	CU_ASSERT_EQUAL(g.rejects, 1);
	CU_ASSERT_EQUAL(g.reject_line[0], 4);
	CU_ASSERT_EQUAL(g.reject_why[0], SR_REJ_NOT_OBJECT);
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 1); /* stays at EOF */
	sr_reader_free(r);
	close(fds[0]);
}

static FILE *
temp_lines(int n, int bad_every)
{
	FILE *f = tmpfile();

	for (int i = 1; i <= n; i++) {
		if (bad_every && i % bad_every == 0)
			fprintf(f, "{not json\n");
		else
			fprintf(f,
			    "{\"timestamp\":1795870870,\"event_id\":"
			    "\"id%d\",\"service\":\"svc%d\",\"status_code\":"
			    "%d}\n",
			    i, i % 5, 200 + i % 3);
	}
	fflush(f);
	rewind(f);
	return f;
}

/* One call reads at most SR_READER_CHUNK bytes; the callback can stop. */
static void
test_reader_bounded(void)
{
	struct got g = { .stop_after = -1 };
	FILE *f = temp_lines(20000, 0);
	struct sr_reader *r =
	    sr_reader_new("test", fileno(f), &json_fmt, got_event, &g);
	struct sr_err err;
	int calls = 0, rc;

	CU_ASSERT_EQUAL(sr_reader_read(r, &err), 0);
	CU_ASSERT(sr_reader_stats(r)->bytes <= SR_READER_CHUNK);
	CU_ASSERT(g.n > 0 && g.n < 20000);
	while ((rc = sr_reader_read(r, &err)) == 0 && calls < 1000)
		calls++;
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(g.n, 20000);
	CU_ASSERT(calls >= 3); /* > 800 KB in 256 KiB steps */
	sr_reader_free(r);

	rewind(f);
	memset(&g, 0, sizeof g);
	g.stop_after = 10;
	r = sr_reader_new("test", fileno(f), &json_fmt, got_event, &g);
	CU_ASSERT_EQUAL(sr_reader_read(r, &err), -1);
	CU_ASSERT(strstr(err.msg, "test") != NULL);
	sr_reader_free(r);
	fclose(f);
}

/*
 * The pipeline delivers every event, in order, with intact strings and
 * the number and end of its line (the ends counted with getline here).
 */
static void
test_pipeline(void)
{
	FILE *f = temp_lines(30000, 7);
	struct sr_pipeline *p;
	const struct sr_ingest_batch *b;
	struct sr_ingest_stats st;
	struct sr_err err;
	int rc, next = 1, bad = 0, badpos = 0, loops = 0, saved, devnull;
	long n = 0;
	uint64_t *end = calloc(30001, sizeof(*end));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	CU_ASSERT_FATAL(end != NULL);
	for (int k = 1; (len = getline(&line, &cap, f)) > 0 && k <= 30000; k++)
		end[k] = end[k - 1] + (uint64_t)len;
	free(line);
	rewind(f);

	/* Quiet the default report of the rejected lines meanwhile. */
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	CU_ASSERT_FATAL(saved >= 0 && devnull >= 0);
	dup2(devnull, STDERR_FILENO);
	close(devnull);
	p = sr_pipeline_start("test", fileno(f), &json_fmt, &err);
	CU_ASSERT_FATAL(p != NULL);
	while ((rc = sr_pipeline_next(p, 1000, &b, &err)) != 2 &&
	    loops++ < 100000) {
		CU_ASSERT_FATAL(rc >= 0);
		if (rc == 0)
			continue;
		for (size_t i = 0; i < b->n; i++) {
			char want[32], svc[16];

			if (next % 7 == 0)
				next++;
			(void)snprintf(want, sizeof want, "id%d", next);
			(void)snprintf(svc, sizeof svc, "svc%d", next % 5);
			if (strcmp(b->ev[i].event_id, want) != 0 ||
			    strcmp(b->ev[i].service, svc) != 0 ||
			    b->ev[i].status_code != 200 + next % 3 ||
			    b->ev[i].user_id != NULL)
				bad++;
			if (b->pos[i].line != (uint64_t)next ||
			    b->pos[i].end != end[next])
				badpos++;
			next++;
			n++;
		}
		sr_pipeline_release(p, b);
	}
	CU_ASSERT_EQUAL(rc, 2);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(badpos, 0);
	CU_ASSERT_EQUAL(n, 30000 - 30000 / 7);
	sr_pipeline_stats(p, &st);
	CU_ASSERT_EQUAL(st.lines, 30000);
	CU_ASSERT_EQUAL(st.events, (uint64_t)n);
	CU_ASSERT_EQUAL(st.by_reason[SR_REJ_NOT_JSON], 30000 / 7);
	sr_pipeline_free(p);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fclose(f);
	free(end);
}

/* Freeing a pipeline whose input is still open stops its thread. */
static void
test_pipeline_stop(void)
{
	const struct sr_ingest_batch *b;
	struct sr_pipeline *p;
	struct sr_err err;
	int fds[2], rc, tries = 0;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	p = sr_pipeline_start("test", fds[0], &json_fmt, &err);
	CU_ASSERT_FATAL(p != NULL);
	put(fds[1], "{\"event_id\":\"x\"}\n");
	while ((rc = sr_pipeline_next(p, 100, &b, &err)) == 0 && tries++ < 50)
		;
	CU_ASSERT_EQUAL(rc, 1);
	if (rc == 1) {
		CU_ASSERT_EQUAL(b->n, 1);
		CU_ASSERT_STRING_EQUAL(b->ev[0].event_id, "x");
		sr_pipeline_release(p, b);
	}
	CU_ASSERT_EQUAL(sr_pipeline_next(p, 10, &b, &err), 0);
	sr_pipeline_free(p); /* the writer is still open: must not hang */
	close(fds[0]);
	close(fds[1]);
}

static void
test_reasons(void)
{
	struct sr_ingest_stats a = { 0 }, b = { 0 };
	struct sr_buf s;

	sr_buf_init(&s);
	sr_ingest_stats_reasons(&a, &s);
	CU_ASSERT_STRING_EQUAL(s.data, "rejected 0");
	a.rejected = 3;
	a.by_reason[SR_REJ_NOT_JSON] = 2;
	b.rejected = 1;
	b.by_reason[SR_REJ_TOO_LONG] = 1;
	b.lines = 7;
	sr_ingest_stats_add(&a, &b);
	sr_buf_reset(&s);
	sr_ingest_stats_reasons(&a, &s);
	CU_ASSERT_STRING_EQUAL(s.data, "rejected 4: not_json 2, too_long 1");
	CU_ASSERT_EQUAL(a.lines, 7);
	sr_buf_release(&s);
}

void
sr_test_ingest_suite(void)
{
	CU_pSuite s = CU_add_suite("ingest", NULL, NULL);

	CU_add_test(s, "reader_pipe", test_reader_pipe);
	CU_add_test(s, "reader_bounded", test_reader_bounded);
	CU_add_test(s, "pipeline", test_pipeline);
	CU_add_test(s, "pipeline_stop", test_pipeline_stop);
	CU_add_test(s, "reasons", test_reasons);
}
