/* SPDX-License-Identifier: MIT */
/*
 * sitrep ingest: read event lines from files or stdin into the store.
 * Parsing runs on a second thread (core/ingest's pipeline) while this
 * thread writes the store, so the two overlap.  Rejected lines are counted
 * per reason and summarised; they never make the command fail.
 *
 * --source SPEC (collectors/source.h) reads a source to its current end
 * and stops: a file to its end, a table to its last row, an HTTP endpoint
 * or another sitrep until a poll brings nothing new (the source's
 * caught_up); a source that is waiting (missing file), retrying or down
 * stops at once with its error.  Each source resumes from its stored
 * cursor and stores its cursor with the events it covers, so a second run
 * continues where the first stopped.  --follow keeps reading until SIGINT
 * or SIGTERM.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "collectors/source.h"
#include "core/ingest.h"
#include "core/parse.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"

#define INGEST_WAIT_MS 100	 /* longest wait for a batch */
#define INGEST_PROGRESS_MS 250	 /* progress line refresh */
#define INGEST_PRUNE_ROWS 10000	 /* rows per prune call */
#define INGEST_PRUNE_CALLS 10000 /* bound on the final prune loop */
#define INGEST_SOURCES_MAX 16	 /* --source options */

/* Set by SIGINT/SIGTERM; a signal flag is the one allowed global. */
static volatile sig_atomic_t ingest_stop;

struct ingest_run {
	struct sr_store *st;
	struct sr_ingest_stats done; /* inputs finished */
	uint64_t stored;
	int64_t pruned; /* rows removed by retention */
	int64_t t0_ms;
	int64_t next_progress_ms;
	int progress; /* stderr is a terminal */
};

static void
ingest_on_signal(int sig)
{
	(void)sig;
	ingest_stop = 1;
}

static double
ingest_secs(const struct ingest_run *r)
{
	return (double)(sr_mono_ms() - r->t0_ms) / 1000.0;
}

static void
ingest_progress(struct ingest_run *r, const struct sr_ingest_stats *cur)
{
	int64_t now = sr_mono_ms();
	double s;

	if (!r->progress || now < r->next_progress_ms)
		return;
	r->next_progress_ms = now + INGEST_PROGRESS_MS;
	s = ingest_secs(r);
	fprintf(stderr,
	    "\r\033[Kingesting: %llu events, %.0f/s, rejected "
	    "%llu",
	    (unsigned long long)r->stored, s > 0 ? (double)r->stored / s : 0.0,
	    (unsigned long long)(r->done.rejected + cur->rejected));
	fflush(stderr);
}

/*
 * Read one input to its end (or until interrupted).  Returns 0, 1 when the
 * input failed (reported; other inputs go on), -1 on a store error
 * (reported; fatal).
 */
static int
ingest_one(struct ingest_run *r, const char *path, enum sr_format fmt)
{
	const struct sr_ingest_batch *b;
	struct sr_ingest_stats cur;
	struct sr_pipeline *p;
	struct sr_err err;
	const char *source = path;
	int fd = STDIN_FILENO, rc = 0, k;

	if (strcmp(path, "-") == 0) {
		source = "stdin";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%ssitrep: cannot open '%s': %s\n",
		    r->progress ? "\r\033[K" : "", path, strerror(errno));
		return 1;
	}
	p = sr_pipeline_start(source, fd, fmt, &err);
	if (p == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		if (fd != STDIN_FILENO)
			close(fd);
		return -1;
	}
	memset(&cur, 0, sizeof cur);
	while (!ingest_stop) {
		k = sr_pipeline_next(p, INGEST_WAIT_MS, &b, &err);
		if (k == 1) {
			for (size_t i = 0; i < b->n && rc == 0; i++) {
				if (sr_store_add_event(r->st, &b->ev[i], &err) <
				    0)
					rc = -1;
				else
					r->stored++;
			}
			sr_pipeline_release(p, b);
		} else if (k == 2) {
			break;
		} else if (k < 0) {
			fprintf(stderr, "%ssitrep: %s\n",
			    r->progress ? "\r\033[K" : "", err.msg);
			rc = 1;
			break;
		}
		if (rc == 0 && sr_store_maybe_flush(r->st, &err) < 0)
			rc = -1;
		if (rc < 0) {
			fprintf(stderr, "%ssitrep: %s\n",
			    r->progress ? "\r\033[K" : "", err.msg);
			break;
		}
		sr_pipeline_stats(p, &cur);
		ingest_progress(r, &cur);
	}
	sr_pipeline_stats(p, &cur);
	sr_pipeline_free(p);
	sr_ingest_stats_add(&r->done, &cur);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

struct ingest_sink {
	struct ingest_run *r;
	struct sr_err err;
	int failed;
};

static int
ingest_sink_event(void *ctx, const struct sr_event *ev)
{
	struct ingest_sink *k = ctx;

	if (sr_store_add_event(k->r->st, ev, &k->err) < 0) {
		k->failed = 1;
		return -1;
	}
	k->r->stored++;
	return 0;
}

static int
ingest_sink_cursor(void *ctx, const char *source, const char *cursor)
{
	struct ingest_sink *k = ctx;

	if (sr_store_set_cursor(k->r->st, source, cursor, &k->err) < 0) {
		k->failed = 1;
		return -1;
	}
	return 0;
}

/* Has this source reached its current end (or failed for now)? */
static int
ingest_source_done(struct sr_source *src)
{
	struct sr_source_status st;

	sr_source_status(src, &st);
	/* waiting without an error: not answered yet (http) */
	return st.caught_up || st.state == SR_SRC_RETRYING ||
	    st.state == SR_SRC_DOWN || st.state == SR_SRC_ENDED ||
	    (st.state == SR_SRC_WAITING && st.last_error[0] != '\0');
}

/*
 * Read the sources (see the top of the file).  Events and their cursor
 * go into one store batch: the batch is committed only between reads, and
 * before a read that could overflow it.  Returns 0, 1 when a source
 * stopped failing (reported), -1 on a store error (reported).
 */
static int
ingest_sources(struct ingest_run *r, const char *const *specs, int n,
    int follow)
{
	struct sr_source *src[INGEST_SOURCES_MAX];
	int done[INGEST_SOURCES_MAX];
	struct ingest_sink k = { .r = r };
	struct sr_sink sink = { .ctx = &k,
		.event = ingest_sink_event,
		.cursor = ingest_sink_cursor };
	struct sr_ingest_stats none;
	int rc = 0, left = n;

	memset(&none, 0, sizeof(none));
	for (int i = 0; i < n; i++) {
		struct sr_err err;
		char *cur = NULL;

		if ((src[i] = sr_source_open(specs[i], &err)) == NULL)
			SR_BUG("checked source spec failed to open");
		done[i] = 0;
		if (sr_store_get_cursor(r->st, sr_source_name(src[i]), &cur,
			&err) < 0) {
			fprintf(stderr, "sitrep: %s\n", err.msg);
			rc = -1;
		} else if (cur != NULL &&
		    sr_source_set_cursor(src[i], cur, &err) < 0) {
			fprintf(stderr,
			    "sitrep: source '%s': stored cursor "
			    "ignored: %s\n",
			    specs[i], err.msg);
		}
		free(cur);
	}
	while (rc == 0 && !ingest_stop && (follow || left > 0)) {
		struct pollfd pf[INGEST_SOURCES_MAX * SR_SOURCE_FDS_MAX];
		int npf = 0, t = INGEST_WAIT_MS, d;

		for (int i = 0; i < n; i++) {
			int to;

			if (done[i])
				continue;
			npf +=
			    sr_source_fds(src[i], pf + npf, SR_SOURCE_FDS_MAX);
			if ((to = sr_source_timeout_ms(src[i])) >= 0 && to < t)
				t = to;
		}
		if ((d = sr_store_flush_due_ms(r->st)) >= 0 && d < t)
			t = d;
		(void)poll(pf, (nfds_t)npf, t); /* EINTR: the flag is set */
		for (int i = 0; i < n && rc == 0; i++) {
			if (done[i])
				continue;
			if (sr_store_pending(r->st) + SR_SOURCE_READ_MAX >=
				SR_STORE_BATCH_MAX &&
			    sr_store_flush(r->st, &k.err) < 0)
				k.failed = 1;
			if (!k.failed &&
			    sr_source_read(src[i], &sink, sr_now_ms(), &k.err) <
				0 &&
			    !k.failed)
				k.failed = 1;
			if (k.failed) {
				rc = -1;
				break;
			}
			if (!follow && ingest_source_done(src[i])) {
				done[i] = 1;
				left--;
			}
		}
		if (rc == 0 && sr_store_maybe_flush(r->st, &k.err) < 0)
			rc = -1;
		ingest_progress(r, &none);
	}
	if (rc < 0)
		fprintf(stderr, "%ssitrep: %s\n", r->progress ? "\r\033[K" : "",
		    k.err.msg);
	for (int i = 0; i < n; i++) {
		struct sr_source_status st;

		sr_source_status(src[i], &st);
		r->done.rejected += st.rejected;
		r->done.lines += st.events + st.rejected;
		for (int j = 0; j < SR_REJ__COUNT; j++)
			r->done.by_reason[j] += st.rejected_by[j];
		fprintf(stderr,
		    "%ssitrep: source '%s': %s, %llu events, %llu "
		    "rejected%s%s\n",
		    r->progress ? "\r\033[K" : "", st.name,
		    sr_source_state_name(st.state),
		    (unsigned long long)st.events,
		    (unsigned long long)st.rejected,
		    st.last_error[0] ? ": " : "", st.last_error);
		if (rc == 0 &&
		    (st.state == SR_SRC_RETRYING || st.state == SR_SRC_DOWN))
			rc = 1;
		sr_source_close(src[i]);
	}
	return rc;
}

static void
ingest_summary(const struct ingest_run *r, int interrupted)
{
	struct sr_buf b;
	double s = ingest_secs(r);

	sr_buf_init(&b);
	sr_buf_addf(&b,
	    "ingested %llu events from %llu lines in %.2f s "
	    "(%.0f/s); ",
	    (unsigned long long)r->stored, (unsigned long long)r->done.lines, s,
	    s > 0 ? (double)r->stored / s : 0.0);
	sr_ingest_stats_reasons(&r->done, &b);
	if (r->pruned > 0)
		sr_buf_addf(&b, "; pruned %lld rows older than the retention",
		    (long long)r->pruned);
	fprintf(stderr, "%ssitrep: %s%s\n", r->progress ? "\r\033[K" : "",
	    b.data, interrupted ? " (interrupted)" : "");
	sr_buf_release(&b);
}

int
sr_cmd_ingest(int argc, char **argv)
{
	static const char *const stdin_only[] = { "-" };
	struct ingest_run run;
	struct sr_retention ret;
	struct sr_err err;
	struct sigaction sa;
	struct sr_opts o;
	enum sr_format fmt = SR_FMT_AUTO;
	const char *db;
	const char *const *inputs;
	char *db_default = NULL;
	const char *specs[INGEST_SOURCES_MAX];
	unsigned flags = 0;
	int nspecs = 0, follow;
	int ninputs, status = SR_EXIT_OK, rc = 0;
	size_t nsrc;

	sr_retention_defaults(&ret);
	if ((rc = sr_opts_parse("ingest", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	db = sr_opts_str(&o, SR_O_DB, NULL);
	if (sr_opts_has(&o, SR_O_INGEST_FORMAT) &&
	    sr_format_parse(o.v[SR_O_INGEST_FORMAT].s, &fmt) < 0)
		return sr_usage_error("ingest",
		    "unknown format "
		    "'%s' (json, logfmt, combined or auto)",
		    o.v[SR_O_INGEST_FORMAT].s);
	if (sr_opts_has(&o, SR_O_RETAIN))
		ret.events_ms = o.v[SR_O_RETAIN].i;
	if (sr_opts_has(&o, SR_O_DURABLE))
		flags |= SR_STORE_DURABLE;
	nsrc = sr_opts_all(&o, SR_O_SOURCE, specs, INGEST_SOURCES_MAX);
	if (nsrc > INGEST_SOURCES_MAX)
		return sr_usage_error("ingest", "at most %d --source options",
		    INGEST_SOURCES_MAX);
	nspecs = (int)nsrc;
	follow = sr_opts_has(&o, SR_O_FOLLOW);
	if (follow && nspecs == 0)
		return sr_usage_error("ingest", "--follow needs --source");
	rc = 0;
	if (o.argc > 0) {
		inputs = (const char *const *)o.argv;
		ninputs = o.argc;
	} else if (nspecs > 0) {
		inputs = NULL;
		ninputs = 0;
	} else {
		inputs = stdin_only;
		ninputs = 1;
	}
	if (db == NULL)
		db = db_default = sr_store_default_path();

	memset(&run, 0, sizeof run);
	run.st = sr_store_open(db, flags, &err);
	if (run.st == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		free(db_default);
		return SR_EXIT_FAIL;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ingest_on_signal; /* no SA_RESTART: wake up */
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	run.progress = isatty(STDERR_FILENO);
	run.t0_ms = sr_mono_ms();
	run.next_progress_ms = run.t0_ms + INGEST_PROGRESS_MS;

	for (int i = 0; i < ninputs && !ingest_stop && rc >= 0; i++) {
		rc = ingest_one(&run, inputs[i], fmt);
		if (rc != 0)
			status = SR_EXIT_FAIL;
	}
	if (nspecs > 0 && !ingest_stop && rc >= 0) {
		rc = ingest_sources(&run, specs, nspecs, follow);
		if (rc != 0)
			status = SR_EXIT_FAIL;
	}
	if (sr_store_flush(run.st, &err) < 0) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		status = SR_EXIT_FAIL;
	} else if (rc >= 0) {
		int64_t now = sr_now_ms(), n = 1;

		/* Retention, in bounded steps so no statement runs long. */
		for (int i = 0; i < INGEST_PRUNE_CALLS && n > 0 && !ingest_stop;
		     i++) {
			n = sr_store_prune(run.st, now, &ret, INGEST_PRUNE_ROWS,
			    &err);
			if (n < 0) {
				fprintf(stderr, "sitrep: %s\n", err.msg);
				status = SR_EXIT_FAIL;
			} else {
				run.pruned += n;
			}
		}
	}
	ingest_summary(&run, ingest_stop != 0);
	sr_store_close(run.st);
	free(db_default);
	return status;
}
