/* SPDX-License-Identifier: MIT */
/*
 * src_driver: a small runtime for the source integration tests.  Opens
 * sources, resumes each from its stored cursor, runs a poll() loop for a
 * bounded time and stores events and cursors through a real store, in the
 * same batch, committing only between reads (the contract in source.h).
 * Prints one line per state change and a final status per source.
 *
 *   src_driver --db PATH [--for MS] [--until N] SPEC...
 *
 * Exit 0, 2 for a bad spec or option, 1 for a store failure.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/source.h"
#include "core/store.h"

#define MAXSRC 16

/* Set by SIGTERM/SIGINT: leave the loop and close cleanly. */
static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct drv {
	struct sr_store *st;
	struct sr_err err;
	int failed;
};

static int
drv_event(void *ctx, const struct sr_event *ev)
{
	struct drv *d = ctx;

	if (sr_store_add_event(d->st, ev, &d->err) < 0) {
		d->failed = 1;
		return -1;
	}
	return 0;
}

static int
drv_cursor(void *ctx, const char *source, const char *cursor)
{
	struct drv *d = ctx;

	if (sr_store_set_cursor(d->st, source, cursor, &d->err) < 0) {
		d->failed = 1;
		return -1;
	}
	return 0;
}

static void
print_status(const char *what, struct sr_source *src)
{
	struct sr_source_status st;

	sr_source_status(src, &st);
	printf("%s %s %s events=%llu rejected=%llu", what, st.name,
	    sr_source_state_name(st.state), (unsigned long long)st.events,
	    (unsigned long long)st.rejected);
	for (int i = 0; i < SR_REJ__COUNT; i++)
		if (st.rejected_by[i] > 0)
			printf(" %s=%llu", sr_reject_name((enum sr_reject)i),
			    (unsigned long long)st.rejected_by[i]);
	if (st.last_error[0])
		printf(" error=%s", st.last_error);
	if (st.next_attempt_ms > 0)
		printf(" next_in_ms=%lld",
		    (long long)(st.next_attempt_ms - sr_now_ms()));
	printf("\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "for", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct sr_source *src[MAXSRC];
	enum sr_source_state last[MAXSRC];
	struct drv d = { 0 };
	struct sr_sink sink = { .ctx = &d,
		.event = drv_event,
		.cursor = drv_cursor };
	const char *db = NULL;
	long long for_ms = 5000, until = -1;
	int nsrc = 0, c, rc = 0;
	int64_t deadline;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			for_ms = atoll(optarg);
			break;
		case 'u':
			until = atoll(optarg);
			break;
		default:
			return 2;
		}
	}
	if (db == NULL || optind >= argc || argc - optind > MAXSRC) {
		fprintf(stderr,
		    "usage: src_driver --db PATH [--for MS] "
		    "[--until N] SPEC...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (sr_source_spec_check(argv[i], &d.err) < 0) {
			fprintf(stderr, "src_driver: %s\n", d.err.msg);
			return 2;
		}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((d.st = sr_store_open(db, 0, &d.err)) == NULL) {
		fprintf(stderr, "src_driver: %s\n", d.err.msg);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		char *cur = NULL;

		src[nsrc] = sr_source_open(argv[i], &d.err);
		if (src[nsrc] == NULL)
			SR_BUG("checked spec failed to open");
		if (sr_store_get_cursor(d.st, sr_source_name(src[nsrc]), &cur,
			&d.err) < 0) {
			fprintf(stderr, "src_driver: %s\n", d.err.msg);
			return 1;
		}
		if (cur != NULL) {
			printf("resume %s %s\n", argv[i], cur);
			if (sr_source_set_cursor(src[nsrc], cur, &d.err) < 0)
				printf("bad-cursor %s\n", d.err.msg);
		}
		free(cur);
		last[nsrc] = (enum sr_source_state) - 1;
		nsrc++;
	}
	deadline = sr_mono_ms() + for_ms;
	while (!stop_flag && !d.failed && sr_mono_ms() < deadline) {
		struct pollfd pf[MAXSRC * SR_SOURCE_FDS_MAX];
		int npf = 0;
		int64_t t = deadline - sr_mono_ms();

		for (int i = 0; i < nsrc; i++) {
			int to = sr_source_timeout_ms(src[i]);

			npf +=
			    sr_source_fds(src[i], pf + npf, SR_SOURCE_FDS_MAX);
			if (to >= 0 && to < t)
				t = to;
		}
		c = sr_store_flush_due_ms(d.st);
		if (c >= 0 && c < t)
			t = c;
		if (t > 100)
			t = 100; /* state lines stay fresh */
		if (t < 0)
			t = 0;
		(void)poll(pf, (nfds_t)npf, (int)t); /* EINTR: go on */
		for (int i = 0; i < nsrc && !d.failed; i++) {
			struct sr_source_status st;

			if (sr_store_pending(d.st) + SR_SOURCE_READ_MAX >=
				SR_STORE_BATCH_MAX &&
			    sr_store_flush(d.st, &d.err) < 0)
				d.failed = 1;
			if (sr_source_read(src[i], &sink, sr_now_ms(), &d.err) <
			    0)
				d.failed = 1;
			sr_source_status(src[i], &st);
			if (st.state != last[i]) {
				print_status("state", src[i]);
				last[i] = st.state;
			}
		}
		if (!d.failed && sr_store_maybe_flush(d.st, &d.err) < 0)
			d.failed = 1;
		if (until >= 0 &&
		    (long long)(sr_store_committed(d.st) +
			sr_store_pending(d.st)) >= until)
			break;
	}
	if (d.failed) {
		fprintf(stderr, "src_driver: %s\n", d.err.msg);
		rc = 1;
	}
	for (int i = 0; i < nsrc; i++) {
		print_status("final", src[i]);
		sr_source_close(src[i]);
	}
	if (sr_store_flush(d.st, &d.err) < 0) {
		fprintf(stderr, "src_driver: %s\n", d.err.msg);
		rc = 1;
	}
	sr_store_close(d.st);
	return rc;
}
