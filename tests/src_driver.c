/* SPDX-License-Identifier: MIT */
/*
 * src_driver: a small harness for the source integration tests around
 * the runtime's source driver (runtime/driver.h): it resumes each source
 * from its stored cursor and follows them for a bounded time, storing
 * events and cursors through a real store in the same batch.  Prints
 * the cursor each source resumes from, one line per state change and a
 * final status per source.
 *
 *   src_driver --db PATH [--for MS] [--until N] SPEC...
 *
 * Exit 0, 2 for a bad spec or option, 1 for a store failure.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/source.h"
#include "core/store.h"
#include "runtime/driver.h"

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
	enum sr_source_state last[MAXSRC];
	int64_t deadline;
	long long until;
	struct sr_store *st;
};

static void
print_status(const char *what, const struct sr_driver_input *st)
{
	printf("%s %s %s events=%llu rejected=%llu", what, st->name,
	    sr_source_state_name(st->state), (unsigned long long)st->n.accepted,
	    (unsigned long long)st->n.rejected);
	for (int i = 0; i < SR_REJ__COUNT; i++)
		if (st->n.rejected_by[i] > 0)
			printf(" %s=%llu", sr_reject_name((enum sr_reject)i),
			    (unsigned long long)st->n.rejected_by[i]);
	if (st->last_error[0])
		printf(" error=%s", st->last_error);
	if (st->next_attempt_ms > 0)
		printf(" next_in_ms=%lld",
		    (long long)(st->next_attempt_ms - sr_now_ms()));
	printf("\n");
	fflush(stdout);
}

/* After each round: state changes, then stop at the deadline or count. */
static int
drv_round(void *ctx, const struct sr_driver *d)
{
	struct drv *v = ctx;

	for (size_t i = 0; i < sr_driver_count(d); i++) {
		struct sr_driver_input in;

		sr_driver_input(d, i, &in);
		if (in.state != v->last[i]) {
			print_status("state", &in);
			v->last[i] = in.state;
		}
	}
	if (v->until >= 0 &&
	    (long long)(sr_store_committed(v->st) + sr_store_pending(v->st)) >=
		v->until)
		return 1;
	return stop_flag || sr_mono_ms() >= v->deadline;
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
	struct drv v = { .until = -1 };
	struct sr_driver *d;
	struct sr_err err;
	const char *db = NULL;
	long long for_ms = 5000;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			for_ms = atoll(optarg);
			break;
		case 'u':
			v.until = atoll(optarg);
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
		if (sr_source_spec_check(argv[i], &err) < 0) {
			fprintf(stderr, "src_driver: %s\n", err.msg);
			return 2;
		}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((v.st = sr_store_open(db, 0, &err)) == NULL ||
	    (d = sr_driver_new(v.st, NULL, NULL, &err)) == NULL) {
		fprintf(stderr, "src_driver: %s\n", err.msg);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		char *cur = NULL;
		int added;

		if (sr_store_get_cursor(v.st, argv[i], &cur, &err) == 0 &&
		    cur != NULL)
			printf("resume %s %s\n", argv[i], cur);
		free(cur);
		added = sr_driver_add(d, argv[i], &err);
		if (added == -1)
			SR_BUG("checked spec failed to open");
		if (added == SR_DRIVER_CURSOR_UNREADABLE) {
			fprintf(stderr, "src_driver: %s\n", err.msg);
			return 1;
		}
		if (added == SR_DRIVER_CURSOR_IGNORED)
			printf("bad-cursor %s\n", err.msg);
		v.last[i - optind] = (enum sr_source_state) - 1;
	}
	v.deadline = sr_mono_ms() + for_ms;
	if (sr_driver_drain(d, 1, drv_round, &v, &err) == -1) {
		fprintf(stderr, "src_driver: %s\n", err.msg);
		rc = 1;
	}
	for (size_t i = 0; i < sr_driver_count(d); i++) {
		struct sr_driver_input in;

		sr_driver_input(d, i, &in);
		print_status("final", &in);
	}
	sr_driver_free(d);
	if (sr_store_flush(v.st, &err) < 0) {
		fprintf(stderr, "src_driver: %s\n", err.msg);
		rc = 1;
	}
	sr_store_close(v.st);
	return rc;
}
