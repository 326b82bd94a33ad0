/* SPDX-License-Identifier: MIT */
/*
 * sitrep report: the analytics summary of a stored range (core/summary),
 * as aligned text or one JSON object.  Opens the store read-only so a
 * running writer is not disturbed.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "core/store.h"
#include "core/summary.h"
#include "core/timeutil.h"
#include "core/util.h"

int
sr_cmd_report(int argc, char **argv)
{
	struct sr_summary_opts o = { 0 };
	struct sr_opts op;
	const char *db;
	char *defdb = NULL;
	double hours = 0;
	int have_from, have_to, have_hours, json, c;
	int64_t from = 0, to = 0;
	struct sr_store *st;
	struct sr_summary *sum;
	struct sr_err err;
	struct sr_buf out;
	struct sr_limits lim;

	if ((c = sr_opts_parse("report", argc, argv, &op)) != 0)
		return c < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	if ((c = sr_cmd_limits("report", sr_opts_str(&op, SR_O_CONFIG, NULL),
		 &lim)) != 0)
		return c;
	o.limits = &lim;
	db = sr_opts_str(&op, SR_O_DB, NULL);
	have_hours = sr_opts_has(&op, SR_O_HOURS);
	if (have_hours) {
		hours = op.v[SR_O_HOURS].d;
		if (!(hours > 0) || hours > 24.0 * 365 * 100)
			return sr_usage_error("report",
			    "bad --hours '%s': want a positive number",
			    op.v[SR_O_HOURS].s);
	}
	have_from = sr_opts_has(&op, SR_O_FROM);
	from = op.v[SR_O_FROM].i;
	have_to = sr_opts_has(&op, SR_O_TO);
	to = op.v[SR_O_TO].i;
	o.service = sr_opts_str(&op, SR_O_SERVICE, NULL);
	if (sr_opts_has(&op, SR_O_REPORT_TOP)) {
		int64_t n = op.v[SR_O_REPORT_TOP].i;

		if (n < 1 || n > 10000)
			return sr_usage_error("report",
			    "bad --top '%s': want 1..10000",
			    op.v[SR_O_REPORT_TOP].s);
		o.top_n = (int)n;
	}
	json = sr_opts_has(&op, SR_O_JSON);
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
