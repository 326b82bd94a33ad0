/* SPDX-License-Identifier: MIT */
/*
 * sitrep ingest: read event lines from files or stdin into the store.
 * The source driver (runtime/driver.h) does the reading and the commit
 * order; this file has the command line, the progress line and the
 * summary.  Files and stdin are parsed on a second thread (the driver's
 * bulk input, core/ingest's pipeline) while this thread writes the
 * store, so the two overlap.  Rejected lines are counted
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
#include "runtime/driver.h"

#define INGEST_PROGRESS_MS 250	 /* progress line refresh */
#define INGEST_PRUNE_ROWS 10000	 /* rows per prune call */
#define INGEST_PRUNE_CALLS 10000 /* bound on the final prune loop */
#define INGEST_SOURCES_MAX 16	 /* --source options */

/* Set by SIGINT/SIGTERM; a signal flag is the one allowed global. */
static volatile sig_atomic_t ingest_stop;

struct ingest_run {
	struct sr_store *st;
	struct sr_driver *drv; /* sources, bulk inputs, commit order */
	int64_t pruned;	       /* rows removed by retention */
	int64_t t0_ms;
	int64_t next_progress_ms;
	int progress;	      /* stderr is a terminal */
	int store_failed;     /* a commit (or a write) failed */
	uint64_t uncommitted; /* lines or events known not committed */
	int not_read;	      /* inputs and sources left after the error */
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

/* "\r\033[K" before a message when a progress line may be on stderr. */
static const char *
ingest_clear(const struct ingest_run *r)
{
	return r->progress ? "\r\033[K" : "";
}

/* The driver's round: refresh the progress line; stop on a signal. */
static int
ingest_round(void *ctx, const struct sr_driver *d)
{
	struct ingest_run *r = ctx;
	struct sr_driver_counts n;
	int64_t now = sr_mono_ms();
	double s;

	if (!r->progress || now < r->next_progress_ms)
		return ingest_stop != 0;
	r->next_progress_ms = now + INGEST_PROGRESS_MS;
	sr_driver_totals(d, &n);
	s = ingest_secs(r);
	/* committed events only: a count the store may still lose is none */
	fprintf(stderr,
	    "\r\033[Kingesting: %llu events committed, %.0f/s, rejected "
	    "%llu",
	    (unsigned long long)n.committed,
	    s > 0 ? (double)n.committed / s : 0.0,
	    (unsigned long long)n.rejected);
	fflush(stderr);
	return ingest_stop != 0;
}

/*
 * After a store error on a bulk input: what of it was committed, what
 * was not (every line after the last committed event's, which the
 * driver read to the end to count them), and where a rerun resumes.
 */
static void
ingest_one_lost(struct ingest_run *r, const char *source, int is_stdin)
{
	struct sr_driver_bulk b;
	uint64_t left, line, byte;

	sr_driver_bulk_last(r->drv, &b);
	left = b.lines - b.resume.line;
	line = b.resume.line + 1;
	byte = b.resume.end;
	r->uncommitted += left;
	fprintf(stderr,
	    "%ssitrep: '%s': committed %llu events (through line %llu); "
	    "not committed: %llu lines from line %llu (byte %llu)%s\n",
	    ingest_clear(r), source, (unsigned long long)b.committed,
	    (unsigned long long)b.resume.line, (unsigned long long)left,
	    (unsigned long long)line, (unsigned long long)byte,
	    b.complete ? " to the end"
		       : ", and the rest of the input was not read");
	if (is_stdin)
		fprintf(stderr,
		    "sitrep: stdin cannot resume: feed it again from "
		    "line %llu (byte %llu), e.g. through tail -n +%llu\n",
		    (unsigned long long)line, (unsigned long long)byte,
		    (unsigned long long)line);
	else
		fprintf(stderr,
		    "sitrep: '%s': a rerun resumes at byte %llu: "
		    "tail -c +%llu '%s' | sitrep ingest [options]\n",
		    source, (unsigned long long)byte,
		    (unsigned long long)byte + 1, source);
}

/*
 * Read one input to its end (or until interrupted).  Returns 0, 1 when the
 * input failed (reported; other inputs go on), -1 on a store error
 * (reported; fatal).
 */
static int
ingest_one(struct ingest_run *r, const char *path,
    const struct sr_format_spec *fmt)
{
	struct sr_err err;
	const char *source = path;
	int fd = STDIN_FILENO, rc;

	if (strcmp(path, "-") == 0) {
		source = "stdin";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%ssitrep: cannot open '%s': %s\n",
		    ingest_clear(r), path, strerror(errno));
		return 1;
	}
	rc =
	    sr_driver_ingest_fd(r->drv, source, fd, fmt, ingest_round, r, &err);
	if (rc != 0)
		fprintf(stderr, "%ssitrep: %s\n", ingest_clear(r), err.msg);
	if (rc < 0) {
		r->store_failed = 1;
		ingest_one_lost(r, source, fd == STDIN_FILENO);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

/*
 * Read the sources (see the top of the file) through the driver, which
 * resumes each from its cursor and commits events with their cursor.
 * Returns 0, 1 when a source stopped failing (reported), -1 on a store
 * error (reported).
 */
static int
ingest_sources(struct ingest_run *r, const char *const *specs, int n,
    int follow)
{
	struct sr_err err;
	int rc = 0;

	for (int i = 0; i < n; i++) {
		int added = sr_driver_add(r->drv, specs[i], &err);

		if (added == -1)
			SR_BUG("checked source spec failed to open");
		if (added == SR_DRIVER_CURSOR_UNREADABLE) {
			fprintf(stderr, "sitrep: %s\n", err.msg);
			rc = -1;
		} else if (added == SR_DRIVER_CURSOR_IGNORED) {
			char *shown = sr_redact(specs[i]);

			fprintf(stderr, "sitrep: source '%s': %s\n", shown,
			    err.msg);
			free(shown);
		}
	}
	if (rc == 0) {
		struct sr_err ferr;
		int drained =
		    sr_driver_drain(r->drv, follow, ingest_round, r, &err);

		/*
		 * Commit before the counts below, which say what is
		 * committed; after a failed write this commits the whole
		 * reads still in the batch, or drops them.
		 */
		if (sr_store_flush(r->st, &ferr) == -1 && drained == 0) {
			err = ferr;
			drained = -1;
		}
		if (drained == -1) {
			fprintf(stderr, "%ssitrep: %s\n", ingest_clear(r),
			    err.msg);
			r->store_failed = 1;
			rc = -1;
		}
	}
	for (size_t i = 0; i < sr_driver_count(r->drv); i++) {
		struct sr_driver_input in;

		sr_driver_input(r->drv, i, &in);
		fprintf(stderr,
		    "%ssitrep: source '%s': %s, %llu events committed, %llu "
		    "rejected%s%s\n",
		    ingest_clear(r), in.name, sr_source_state_name(in.state),
		    (unsigned long long)in.n.committed,
		    (unsigned long long)in.n.rejected,
		    in.last_error[0] ? ": " : "", in.last_error);
		if (rc == 0 &&
		    (in.state == SR_SRC_RETRYING || in.state == SR_SRC_DOWN))
			rc = 1;
	}
	return rc;
}

/*
 * After a store error, once the last commit was tried: per source, its
 * events read but not committed and the stored cursor a rerun resumes
 * from (the cursor is committed with the events it covers).
 */
static void
ingest_sources_lost(struct ingest_run *r)
{
	for (size_t i = 0; i < sr_driver_count(r->drv); i++) {
		struct sr_driver_input in;
		struct sr_err err;
		char *cur = NULL;
		uint64_t lost;

		sr_driver_input(r->drv, i, &in);
		lost = in.n.accepted - in.n.committed;
		r->uncommitted += lost;
		if (sr_store_get_cursor(r->st, in.name, &cur, &err) < 0) {
			fprintf(stderr,
			    "sitrep: source '%s': committed %llu events, not "
			    "committed %llu; %s\n",
			    in.name, (unsigned long long)in.n.committed,
			    (unsigned long long)lost, err.msg);
			continue;
		}
		fprintf(stderr,
		    "sitrep: source '%s': committed %llu events, not "
		    "committed %llu read events (the rest was not read); "
		    "a rerun resumes %s%s%s\n",
		    in.name, (unsigned long long)in.n.committed,
		    (unsigned long long)lost,
		    cur ? "at its stored cursor '" : "from the start",
		    cur ? cur : "", cur ? "'" : "");
		free(cur);
	}
}

static void
ingest_summary(const struct ingest_run *r, int interrupted)
{
	struct sr_driver_counts n;
	struct sr_ingest_stats rej;
	struct sr_buf b;
	double s = ingest_secs(r);

	sr_driver_totals(r->drv, &n);
	memset(&rej, 0, sizeof(rej));
	rej.rejected = n.rejected;
	memcpy(rej.by_reason, n.rejected_by, sizeof(rej.by_reason));
	sr_buf_init(&b);
	if (r->store_failed) {
		sr_buf_addf(&b,
		    "ingest failed: committed %llu events, not committed "
		    "%llu, from %llu lines in %.2f s; ",
		    (unsigned long long)n.committed,
		    (unsigned long long)r->uncommitted,
		    (unsigned long long)n.read, s);
		if (r->not_read > 0)
			sr_buf_addf(&b, "%d more input%s not read; ",
			    r->not_read, r->not_read == 1 ? "" : "s");
	} else {
		sr_buf_addf(&b,
		    "ingested %llu events from %llu lines in %.2f s "
		    "(%.0f/s); ",
		    (unsigned long long)n.committed, (unsigned long long)n.read,
		    s, s > 0 ? (double)n.committed / s : 0.0);
	}
	sr_ingest_stats_reasons(&rej, &b);
	if (r->pruned > 0)
		sr_buf_addf(&b, "; pruned %lld rows older than the retention",
		    (long long)r->pruned);
	fprintf(stderr, "%ssitrep: %s%s\n", ingest_clear(r), b.data,
	    interrupted ? " (interrupted)" : "");
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
	struct sr_format_spec fmt = { .fmt = SR_FMT_AUTO };
	struct sr_limits lim;
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
	    sr_format_spec_parse(o.v[SR_O_INGEST_FORMAT].s, &fmt, &err) < 0)
		return sr_usage_error("ingest", "--format: %s", err.msg);
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
	if ((rc = sr_cmd_limits("ingest", sr_opts_str(&o, SR_O_CONFIG, NULL),
		 &lim)) != 0)
		return rc;
	if (db == NULL)
		db = db_default = sr_store_default_path();

	memset(&run, 0, sizeof run);
	run.st = sr_store_open(db, flags, &err);
	if (run.st != NULL)
		sr_store_set_limits(run.st, &lim);
	if (run.st == NULL ||
	    (run.drv = sr_driver_new(run.st, NULL, NULL, &err)) == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		sr_store_close(run.st);
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

	for (int i = 0; i < ninputs && !ingest_stop; i++) {
		if (rc < 0) { /* after a store error */
			fprintf(stderr, "sitrep: '%s': not read\n", inputs[i]);
			run.not_read++;
			continue;
		}
		rc = ingest_one(&run, inputs[i], &fmt);
		if (rc != 0)
			status = SR_EXIT_FAIL;
	}
	if (nspecs > 0 && !ingest_stop && rc >= 0) {
		rc = ingest_sources(&run, specs, nspecs, follow);
		if (rc != 0)
			status = SR_EXIT_FAIL;
	} else if (nspecs > 0 && rc < 0) {
		for (int i = 0; i < nspecs; i++)
			fprintf(stderr, "sitrep: source '%s': not read\n",
			    specs[i]);
		run.not_read += nspecs;
	}
	if (sr_store_flush(run.st, &err) < 0) {
		if (!run.store_failed) /* else reported: the same cause */
			fprintf(stderr, "sitrep: %s\n", err.msg);
		run.store_failed = 1;
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
	if (run.store_failed)
		ingest_sources_lost(&run);
	ingest_summary(&run, ingest_stop != 0);
	sr_driver_free(run.drv);
	sr_store_close(run.st);
	free(db_default);
	return status;
}
