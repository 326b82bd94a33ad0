/* SPDX-License-Identifier: MIT */
/*
 * sitrep demo: write synthetic events (collectors/demo) as JSON lines on
 * stdout, paced in real time, or as fast as possible with timestamps
 * spread over a span that ends now.  A reader that goes away ends the
 * stream quietly (exit 0).  With --llm-metrics it also serves, on that
 * address, the Prometheus text a vLLM server would expose for the chat
 * requests of the stream (collectors/demo.h), from the same loop.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/options.h"
#include "collectors/demo.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "web/textserve.h"

#define DEMO_OUT_CHUNK (64 * 1024) /* write when the buffer holds this */
#define DEMO_TICK_MS 20		   /* real-time pacing step */

struct demo_cfg {
	double rate;	     /* events/s */
	int64_t duration_ms; /* 0 = forever */
	int64_t span_ms;
	int64_t end_ms;
	long long count; /* -1 = rate x span */
	int fast;
	struct sr_demo_opts o;
	const char *llm_addr; /* --llm-metrics, or NULL */
};

/* The /metrics body: the vLLM text of the events written so far. */
static void
demo_metrics_body(void *ctx, struct sr_buf *out)
{
	sr_demo_vllm_render(ctx, sr_now_ms(), out);
}

/* Write all of b to stdout; 1 when the reader has gone, -1 on error. */
static int
demo_write(struct sr_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(STDOUT_FILENO, b->data + off, b->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				return 1;
			fprintf(stderr, "sitrep demo: write: %s\n",
			    strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	sr_buf_reset(b);
	return 0;
}

static void
demo_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * --fast: N events whose density follows the rate factor over the span
 * (inverse of its cumulative weight, bucketed), in time order.
 */
static int
demo_fast(const struct demo_cfg *c)
{
	int64_t start = c->end_ms - c->span_ms;
	int64_t bucket_ms =
	    c->span_ms / 100000 > 1000 ? c->span_ms / 100000 : 1000;
	size_t nb = (size_t)((c->span_ms + bucket_ms - 1) / bucket_ms), b = 0;
	double *w, total = 0, before = 0;
	struct sr_demo_opts o = c->o;
	struct sr_demo *d;
	struct sr_event ev;
	struct sr_buf out;
	long long n = c->count >= 0
	    ? c->count
	    : llround(c->rate * (double)c->span_ms / 1000.0);
	int rc = 0;

	if (nb == 0)
		nb = 1;
	o.start_ms = start;
	d = sr_demo_new(&o);
	w = sr_xmalloc(nb * sizeof *w);
	for (size_t i = 0; i < nb; i++) {
		int64_t lo = start + (int64_t)i * bucket_ms;
		int64_t len = i + 1 == nb ? c->end_ms - lo : bucket_ms;

		w[i] = sr_demo_rate_factor(d, lo + len / 2) * (double)len;
		total += w[i];
	}
	sr_buf_init(&out);
	for (long long i = 0; i < n && rc == 0; i++) {
		double target = ((double)i + 0.5) / (double)n * total;
		int64_t ts;

		while (b + 1 < nb && before + w[b] < target)
			before += w[b++];
		ts = start + (int64_t)b * bucket_ms +
		    (int64_t)((target - before) / w[b] * (double)bucket_ms);
		if (ts >= c->end_ms)
			ts = c->end_ms - 1;
		sr_demo_next(d, ts, &ev);
		sr_demo_format_json(&ev, &out);
		if (out.len >= DEMO_OUT_CHUNK)
			rc = demo_write(&out);
	}
	if (rc == 0)
		rc = demo_write(&out);
	sr_buf_release(&out);
	free(w);
	sr_demo_free(d);
	return rc < 0 ? SR_EXIT_FAIL : SR_EXIT_OK;
}

/* Real time: about rate x factor events per second, written per tick. */
static int
demo_paced(const struct demo_cfg *c)
{
	struct sr_demo_opts o = c->o;
	struct sr_demo *d;
	struct sr_event ev;
	struct sr_buf out;
	int64_t mono0 = sr_mono_ms(), last = mono0, wall0 = sr_now_ms();
	long long emitted = 0;
	double expected = 0;
	int rc = 0;
	struct sr_demo_vllm *vllm = NULL;
	struct sr_web_text *srv = NULL;
	struct sr_err err;

	if (c->llm_addr != NULL) {
		vllm = sr_demo_vllm_new();
		srv = sr_web_text_open(c->llm_addr, "/metrics",
		    "text/plain; version=0.0.4; charset=utf-8",
		    demo_metrics_body, vllm, &err);
		if (srv == NULL) {
			fprintf(stderr, "sitrep demo: --llm-metrics: %s\n",
			    err.msg);
			sr_demo_vllm_free(vllm);
			return SR_EXIT_FAIL;
		}
		fprintf(stderr,
		    "sitrep demo: vLLM metrics at http://%s/metrics (port "
		    "%u)\n",
		    c->llm_addr, sr_web_text_port(srv));
	}
	o.start_ms = wall0;
	d = sr_demo_new(&o);
	sr_buf_init(&out);
	while (rc == 0) {
		int64_t now = sr_mono_ms(), wall, dt;
		long long due;

		if (c->duration_ms > 0 && now - mono0 >= c->duration_ms)
			now = mono0 + c->duration_ms;
		dt = now - last;
		last = now;
		wall = wall0 + (now - mono0);
		expected += c->rate * sr_demo_rate_factor(d, wall) *
		    (double)dt / 1000.0;
		due = (long long)expected - emitted;
		if (c->count >= 0 && emitted + due > c->count)
			due = c->count - emitted;
		for (long long i = 0; i < due; i++) {
			/* Spread the tick's events over the tick. */
			int64_t ts = wall - dt +
			    (int64_t)((double)(i + 1) * (double)dt /
				(double)due);

			sr_demo_next(d, ts, &ev);
			sr_demo_format_json(&ev, &out);
			if (vllm != NULL)
				sr_demo_vllm_add(vllm, &ev);
		}
		emitted += due;
		rc = demo_write(&out);
		/* after the write: what /metrics counts is on stdout */
		if (srv != NULL)
			sr_web_text_run(srv);
		if ((c->duration_ms > 0 && now - mono0 >= c->duration_ms) ||
		    (c->count >= 0 && emitted >= c->count))
			break;
		demo_sleep_ms(DEMO_TICK_MS);
	}
	sr_buf_release(&out);
	sr_demo_free(d);
	sr_web_text_close(srv);
	sr_demo_vllm_free(vllm);
	return rc < 0 ? SR_EXIT_FAIL : SR_EXIT_OK;
}

int
sr_cmd_demo(int argc, char **argv)
{
	struct demo_cfg c = {
		.rate = 50,
		.span_ms = 3600000,
		.count = -1,
		.o = { .incidents = SR_DEMO_INCIDENTS_SOME },
	};
	struct sr_opts o;
	int have_seed, have_end, rc;
	const char *v;
	char *end;

	if ((rc = sr_opts_parse("demo", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	if (sr_opts_has(&o, SR_O_RATE)) {
		c.rate = o.v[SR_O_RATE].d;
		if (!(c.rate > 0) || c.rate > 1e7)
			return sr_usage_error("demo",
			    "bad rate '%s' (events per second > 0)",
			    o.v[SR_O_RATE].s);
	}
	if (sr_opts_has(&o, SR_O_DURATION))
		c.duration_ms = o.v[SR_O_DURATION].i;
	if (sr_opts_has(&o, SR_O_SPAN)) {
		c.span_ms = o.v[SR_O_SPAN].i;
		if (c.span_ms <= 0)
			return sr_usage_error("demo", "span must be positive");
	}
	have_seed = sr_opts_has(&o, SR_O_SEED);
	if (have_seed) {
		v = o.v[SR_O_SEED].s;
		errno = 0;
		c.o.seed = strtoull(v, &end, 0);
		if (errno || end == v || *end)
			return sr_usage_error("demo", "bad seed '%s'", v);
	}
	c.fast = sr_opts_has(&o, SR_O_FAST);
	if (sr_opts_has(&o, SR_O_COUNT)) {
		c.count = o.v[SR_O_COUNT].i;
		if (c.count < 0)
			return sr_usage_error("demo", "bad count '%s'",
			    o.v[SR_O_COUNT].s);
	}
	have_end = sr_opts_has(&o, SR_O_END);
	c.end_ms = o.v[SR_O_END].i;
	if ((v = sr_opts_str(&o, SR_O_INCIDENTS, NULL)) != NULL) {
		if (strcmp(v, "none") == 0)
			c.o.incidents = SR_DEMO_INCIDENTS_NONE;
		else if (strcmp(v, "some") == 0)
			c.o.incidents = SR_DEMO_INCIDENTS_SOME;
		else
			return sr_usage_error("demo",
			    "bad --incidents "
			    "'%s' (none or some)",
			    v);
	}
	c.llm_addr = sr_opts_str(&o, SR_O_LLM_METRICS, NULL);
	if (c.llm_addr != NULL && c.fast)
		return sr_usage_error("demo",
		    "--llm-metrics serves a live stream: not with --fast");
	if (!have_seed)
		c.o.seed = (uint64_t)sr_now_ms() ^ ((uint64_t)getpid() << 32);
	if (!have_end)
		c.end_ms = sr_now_ms();
	/* A reader that goes away is the normal end of a stream. */
	(void)signal(SIGPIPE, SIG_IGN);
	return c.fast ? demo_fast(&c) : demo_paced(&c);
}
