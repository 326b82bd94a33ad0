/* SPDX-License-Identifier: MIT */
/*
 * sitrep export: stored events, metric series or insights to stdout as
 * CSV, a JSON array or JSON lines (core/export).  Opens the store
 * read-only so a running writer is not disturbed.
 */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export.h"
#include "core/query.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"

static void
export_usage(FILE *f)
{
	fprintf(f,
	    "usage: sitrep export [--db PATH] --what events|metrics|insights\n"
	    "                     [--from T] [--to T] [--step S] "
	    "[--name PATTERN]\n"
	    "                     [--format csv|json|jsonl] [--query Q]\n"
	    "\n"
	    "Write stored data to stdout.  Events carry every stored field;\n"
	    "their JSON lines can be fed back to 'sitrep ingest' without loss.\n"
	    "Metrics are written per step bucket (name, ts, min, avg, max, n).\n"
	    "\n"
	    "Options:\n"
	    "  --db PATH        the database (default: $XDG_DATA_HOME/sitrep/"
	    "sitrep.db)\n"
	    "  --what KIND      events, metrics or insights (required)\n"
	    "  --from T         start, inclusive (ISO-8601 or epoch; default: "
	    "all)\n"
	    "  --to T           end, exclusive (default: all)\n"
	    "  --step S         metrics bucket, e.g. 10s, 5m, 1h (default 60s)"
	    "\n"
	    "  --name PATTERN   metrics whose name matches this glob "
	    "(default *)\n"
	    "  --format F       csv (default), json (one array) or jsonl\n"
	    "  -q, --query Q    events the query matches (as the console's /\n"
	    "                   filter: text, service=api, status=5xx, "
	    "is:error)\n"
	    "  --help           this text\n"
	    "\n"
	    "Exit status: 0 ok, 1 the database is missing or unreadable,\n"
	    "2 bad command line.\n");
}

int
sr_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = { { "db", required_argument,
						      NULL, 'd' },
		{ "what", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "step", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ "query", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct sr_export_opts o = {
		.what = SR_EXPORT_EVENTS,
		.format = SR_EXPORT_CSV,
		.from_ms = INT64_MIN,
		.to_ms = INT64_MAX,
		.step_ms = 60000,
	};
	const char *db = NULL, *qtext = NULL;
	char *defdb = NULL;
	struct sr_query query;
	int have_what = 0, have_step = 0, c;
	struct sr_store *st;
	struct sr_err err;
	int64_t n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'w':
			if (sr_export_what_parse(optarg, &o.what) < 0)
				return sr_usage_error("export",
				    "bad --what "
				    "'%s': want events, metrics or insights",
				    optarg);
			have_what = 1;
			break;
		case 'f':
			if (sr_time_parse(optarg, strlen(optarg), &o.from_ms,
				&err) < 0)
				return sr_usage_error("export",
				    "bad --from "
				    "'%s': %s",
				    optarg, err.msg);
			break;
		case 't':
			if (sr_time_parse(optarg, strlen(optarg), &o.to_ms,
				&err) < 0)
				return sr_usage_error("export",
				    "bad --to "
				    "'%s': %s",
				    optarg, err.msg);
			break;
		case 's':
			if (sr_duration_parse(optarg, &o.step_ms, &err) < 0 ||
			    o.step_ms < 1)
				return sr_usage_error("export",
				    "bad --step "
				    "'%s': want a duration such as 60s",
				    optarg);
			have_step = 1;
			break;
		case 'n':
			o.name_glob = optarg;
			break;
		case 'F':
			if (sr_export_format_parse(optarg, &o.format) < 0)
				return sr_usage_error("export",
				    "bad --format "
				    "'%s': want csv, json or jsonl",
				    optarg);
			break;
		case 'q':
			qtext = optarg;
			break;
		case 'h':
			export_usage(stdout);
			return SR_EXIT_OK;
		case ':':
			return sr_usage_error("export",
			    "option '%s' needs a "
			    "value",
			    argv[optind - 1]);
		default:
			return sr_usage_error("export", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return sr_usage_error("export", "unexpected argument '%s'",
		    argv[optind]);
	if (!have_what)
		return sr_usage_error("export", "--what is required");
	if (o.what != SR_EXPORT_METRICS && (have_step || o.name_glob))
		return sr_usage_error("export",
		    "--step and --name apply to "
		    "--what metrics only");
	if (o.from_ms >= o.to_ms)
		return sr_usage_error("export",
		    "empty range: --from is not "
		    "before --to");
	if (qtext != NULL && o.what != SR_EXPORT_EVENTS)
		return sr_usage_error("export",
		    "--query applies to --what events only");
	sr_query_init(&query);
	if (qtext != NULL && sr_query_parse(&query, qtext, &err) < 0)
		return sr_usage_error("export", "bad --query '%s': %s", qtext,
		    err.msg);
	o.query = &query;

	if (db == NULL)
		db = defdb = sr_store_default_path();
	if (strcmp(db, ":memory:") != 0 && access(db, F_OK) != 0) {
		fprintf(stderr,
		    "sitrep export: no database at '%s' "
		    "(ingest events first, or pass --db)\n",
		    db);
		free(defdb);
		sr_query_release(&query);
		return SR_EXIT_FAIL;
	}
	st = sr_store_open(db, SR_STORE_READONLY, &err);
	free(defdb);
	if (st == NULL) {
		fprintf(stderr, "sitrep export: %s\n", err.msg);
		sr_query_release(&query);
		return SR_EXIT_FAIL;
	}
	n = sr_export_run(st, &o, stdout, &err);
	sr_store_close(st);
	sr_query_release(&query);
	if (n < 0) {
		fprintf(stderr, "sitrep export: %s\n", err.msg);
		return SR_EXIT_FAIL;
	}
	return SR_EXIT_OK;
}
