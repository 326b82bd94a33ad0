/* SPDX-License-Identifier: MIT */
/*
 * sitrep export: stored events, metric series or insights to stdout as
 * CSV, a JSON array or JSON lines (core/export).  Opens the store
 * read-only so a running writer is not disturbed.
 */
#include "cmd/cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "core/export.h"
#include "core/query.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"

int
sr_cmd_export(int argc, char **argv)
{
	struct sr_export_opts o = {
		.what = SR_EXPORT_EVENTS,
		.format = SR_EXPORT_CSV,
		.from_ms = INT64_MIN,
		.to_ms = INT64_MAX,
		.step_ms = 60000,
	};
	struct sr_opts op;
	const char *db, *v, *qtext;
	struct sr_query query;
	char *defdb = NULL;
	int have_what, have_step, c;
	struct sr_store *st;
	struct sr_err err;
	int64_t n;

	if ((c = sr_opts_parse("export", argc, argv, &op)) != 0)
		return c < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	db = sr_opts_str(&op, SR_O_DB, NULL);
	have_what = sr_opts_has(&op, SR_O_WHAT);
	if (have_what && sr_export_what_parse(op.v[SR_O_WHAT].s, &o.what) < 0)
		return sr_usage_error("export",
		    "bad --what "
		    "'%s': want events, metrics or insights",
		    op.v[SR_O_WHAT].s);
	if (sr_opts_has(&op, SR_O_FROM))
		o.from_ms = op.v[SR_O_FROM].i;
	if (sr_opts_has(&op, SR_O_TO))
		o.to_ms = op.v[SR_O_TO].i;
	have_step = sr_opts_has(&op, SR_O_STEP);
	if (have_step) {
		o.step_ms = op.v[SR_O_STEP].i;
		if (o.step_ms < 1)
			return sr_usage_error("export",
			    "bad --step "
			    "'%s': want a duration such as 60s",
			    op.v[SR_O_STEP].s);
	}
	o.name_glob = sr_opts_str(&op, SR_O_NAME, NULL);
	v = sr_opts_str(&op, SR_O_EXPORT_FORMAT, NULL);
	if (v != NULL && sr_export_format_parse(v, &o.format) < 0)
		return sr_usage_error("export",
		    "bad --format "
		    "'%s': want csv, json or jsonl",
		    v);
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
	qtext = sr_opts_str(&op, SR_O_QUERY, NULL);
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
