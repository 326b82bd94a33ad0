/* SPDX-License-Identifier: MIT */
/*
 * sitrep report: the analytics summary of a stored range (core/summary),
 * as aligned text or one JSON object.  Opens the store read-only so a
 * running writer is not disturbed.
 */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/summary.h"
#include "core/timeutil.h"
#include "core/util.h"

static void
report_usage(FILE *f)
{
	fprintf(f,
	    "usage: sitrep report [--db PATH] [--hours N | --from T --to T]\n"
	    "                     [--service S] [--top N] [--json]\n"
	    "\n"
	    "Summarise the stored events of a time range: totals, distinct\n"
	    "users and sessions, events by type, per-service requests, rates,\n"
	    "4xx/5xx, error rate, latency avg/p50/p95/p99/max, top endpoints\n"
	    "and top errors, and per-model tokens, tokens/s and TTFT.\n"
	    "\n"
	    "Options:\n"
	    "  --db PATH      the database (default: $XDG_DATA_HOME/sitrep/"
	    "sitrep.db)\n"
	    "  --hours N      the N hours before now (default 24)\n"
	    "  --from T       range start, inclusive (ISO-8601 or epoch)\n"
	    "  --to T         range end, exclusive (default now)\n"
	    "  --service S    only events of service S\n"
	    "  --top N        endpoints and errors listed per service "
	    "(default 10)\n"
	    "  --json         one JSON object instead of text\n"
	    "  --help         this text\n"
	    "\n"
	    "Exit status: 0 ok, 1 the database is missing or unreadable,\n"
	    "2 bad command line.\n");
}

/* Parse an instant option; 0 or a usage error. */
static int
report_time(const char *opt, const char *s, int64_t *ms)
{
	struct sr_err err;

	if (sr_time_parse(s, strlen(s), ms, &err) < 0) {
		sr_usage_error("report", "bad --%s '%s': %s", opt, s, err.msg);
		return -1;
	}
	return 0;
}

int
sr_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = { { "db", required_argument,
						      NULL, 'd' },
		{ "hours", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "service", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct sr_summary_opts o = { 0 };
	const char *db = NULL;
	char *defdb = NULL, *end;
	double hours = 0;
	int have_from = 0, have_to = 0, have_hours = 0, json = 0, c;
	int64_t from = 0, to = 0;
	struct sr_store *st;
	struct sr_summary *sum;
	struct sr_err err;
	struct sr_buf out;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'H':
			hours = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(hours > 0) ||
			    hours > 24.0 * 365 * 100)
				return sr_usage_error("report",
				    "bad --hours '%s': want a positive number",
				    optarg);
			have_hours = 1;
			break;
		case 'f':
			if (report_time("from", optarg, &from) < 0)
				return SR_EXIT_USAGE;
			have_from = 1;
			break;
		case 't':
			if (report_time("to", optarg, &to) < 0)
				return SR_EXIT_USAGE;
			have_to = 1;
			break;
		case 's':
			o.service = optarg;
			break;
		case 'n': {
			long n = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || n < 1 ||
			    n > 10000)
				return sr_usage_error("report",
				    "bad --top '%s': want 1..10000", optarg);
			o.top_n = (int)n;
			break;
		}
		case 'j':
			json = 1;
			break;
		case 'h':
			report_usage(stdout);
			return SR_EXIT_OK;
		case ':':
			return sr_usage_error("report",
			    "option '%s' needs a "
			    "value",
			    argv[optind - 1]);
		default:
			return sr_usage_error("report", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return sr_usage_error("report", "unexpected argument '%s'",
		    argv[optind]);
	if (have_hours && have_from)
		return sr_usage_error("report",
		    "--hours and --from cannot be combined");
	if (!have_to)
		to = sr_now_ms();
	if (!have_from)
		from = to - (int64_t)((have_hours ? hours : 24) * 3600000.0);
	if (from >= to)
		return sr_usage_error("report",
		    "empty range: --from is not "
		    "before --to");
	o.from_ms = from;
	o.to_ms = to;

	if (db == NULL)
		db = defdb = sr_store_default_path();
	if (strcmp(db, ":memory:") != 0 && access(db, F_OK) != 0) {
		fprintf(stderr,
		    "sitrep report: no database at '%s' "
		    "(ingest events first, or pass --db)\n",
		    db);
		free(defdb);
		return SR_EXIT_FAIL;
	}
	st = sr_store_open(db, SR_STORE_READONLY, &err);
	if (st == NULL) {
		fprintf(stderr, "sitrep report: %s\n", err.msg);
		free(defdb);
		return SR_EXIT_FAIL;
	}
	free(defdb);
	if (sr_summary_query(st, &o, &sum, &err) < 0) {
		fprintf(stderr, "sitrep report: %s\n", err.msg);
		sr_store_close(st);
		return SR_EXIT_FAIL;
	}
	sr_buf_init(&out);
	if (json)
		sr_summary_json(sum, &out);
	else
		sr_summary_text(sum, &out);
	sr_summary_free(sum);
	sr_store_close(st);
	c = fwrite(out.data, 1, out.len, stdout) == out.len &&
		fflush(stdout) == 0
	    ? SR_EXIT_OK
	    : SR_EXIT_FAIL;
	if (c != SR_EXIT_OK)
		fprintf(stderr, "sitrep report: cannot write the report\n");
	sr_buf_release(&out);
	return c;
}
