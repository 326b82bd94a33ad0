/* SPDX-License-Identifier: MIT */
/*
 * sitrep insights: evaluate the insight rules once over stored history
 * (the per-minute rollups, replayed at 1-minute ticks through the same
 * rule code the live engine runs) and print what fired, as a table or a
 * JSON list.
 */
#include "cmd/cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "core/config.h"
#include "core/insight.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"

static void
print_json(const struct sr_snap_insight *in, int first, struct sr_buf *b)
{
	char fs[32], ls[32];

	sr_time_format_iso(in->first_seen_ms, fs, sizeof(fs));
	sr_time_format_iso(in->last_seen_ms, ls, sizeof(ls));
	sr_buf_adds(b, first ? "\n  {" : ",\n  {");
	sr_buf_adds(b, "\"id\":");
	sr_buf_add_json_str(b, in->id);
	sr_buf_adds(b, ",\"rule\":");
	sr_buf_add_json_str(b, in->rule);
	sr_buf_adds(b, ",\"subject\":");
	sr_buf_add_json_str(b, in->subject);
	sr_buf_addf(b,
	    ",\"category\":\"%s\",\"severity\":\"%s\","
	    "\"confidence\":%.2f",
	    sr_category_name(in->category), sr_severity_name(in->severity),
	    in->confidence);
	sr_buf_adds(b, ",\"title\":");
	sr_buf_add_json_str(b, in->title);
	sr_buf_adds(b, ",\"description\":");
	sr_buf_add_json_str(b, in->description);
	sr_buf_adds(b, ",\"recommendation\":");
	sr_buf_add_json_str(b, in->recommendation);
	sr_buf_addf(b,
	    ",\"state\":\"%s\",\"first_seen\":\"%s\","
	    "\"last_seen\":\"%s\",\"count\":%llu",
	    sr_insight_state_name(in->state), fs, ls,
	    (unsigned long long)in->count);
	if (isnan(in->value))
		sr_buf_adds(b, ",\"value\":null");
	else
		sr_buf_addf(b, ",\"value\":%.6g", in->value);
	sr_buf_adds(b, "}");
}

/* Severity first, then newest. */
static int
ins_cmp(const void *a, const void *b)
{
	const struct sr_snap_insight *x = a, *y = b;

	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return (x->first_seen_ms < y->first_seen_ms) -
	    (x->first_seen_ms > y->first_seen_ms);
}

int
sr_cmd_insights(int argc, char **argv)
{
	struct sr_opts op;
	const char *db, *conf;
	double hours = 24;
	int json, c, rc = SR_EXIT_OK;
	struct sr_config cfg;
	struct sr_err err;
	struct sr_store *st;
	struct sr_insights *ins;
	struct sr_snap_insight *list;
	struct sr_buf out;
	char *path = NULL;
	int64_t to, from;
	size_t n, k = 0;

	if ((c = sr_opts_parse("insights", argc, argv, &op)) != 0)
		return c < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	db = sr_opts_str(&op, SR_O_DB, NULL);
	conf = sr_opts_str(&op, SR_O_CONFIG, NULL);
	json = sr_opts_has(&op, SR_O_JSON);
	if (sr_opts_has(&op, SR_O_HOURS)) {
		hours = op.v[SR_O_HOURS].d;
		if (!(hours > 0) || hours > 24 * 3650)
			return sr_usage_error("insights",
			    "bad --hours '%s': a positive number",
			    op.v[SR_O_HOURS].s);
	}
	if (sr_config_load(&cfg, conf, &err) < 0) {
		fprintf(stderr, "sitrep insights: %s\n", err.msg);
		sr_config_release(&cfg);
		return SR_EXIT_USAGE;
	}
	if (db == NULL)
		db = cfg.general.db;
	if (db == NULL)
		db = path = sr_store_default_path();
	st = sr_store_open(db, SR_STORE_READONLY, &err);
	if (st == NULL) {
		fprintf(stderr, "sitrep insights: %s\n", err.msg);
		free(path);
		sr_config_release(&cfg);
		return SR_EXIT_FAIL;
	}
	to = sr_insights_newest_minute(st) + 60000;
	from = to - (int64_t)(hours * 3600000.0);
	if (sr_insights_replay(st, &cfg, from, to, &ins, &err) < 0) {
		fprintf(stderr, "sitrep insights: %s\n", err.msg);
		sr_store_close(st);
		free(path);
		sr_config_release(&cfg);
		return SR_EXIT_FAIL;
	}
	n = sr_insights_count(ins);
	list = n ? sr_xcalloc(n, sizeof(*list)) : NULL;
	for (size_t i = 0; i < n; i++) {
		sr_insights_get(ins, i, &list[k]);
		/* what fired (now or earlier), or is about to */
		if (list[k].count > 0 || list[k].state != SR_INS_RESOLVED)
			k++;
	}
	if (k > 1)
		qsort(list, k, sizeof(*list), ins_cmp);
	sr_buf_init(&out);
	if (json) {
		sr_buf_adds(&out, "[");
		for (size_t i = 0; i < k; i++)
			print_json(&list[i], i == 0, &out);
		sr_buf_adds(&out, k ? "\n]\n" : "]\n");
	} else if (k == 0) {
		sr_buf_addf(&out, "no insights in the last %g h\n", hours);
	} else {
		sr_buf_addf(&out, "%-8s  %-8s  %4s  %-19s  %s\n", "SEVERITY",
		    "STATE", "CONF", "FIRST SEEN (UTC)", "INSIGHT");
		for (size_t i = 0; i < k; i++) {
			char fs[32];

			sr_time_format_iso(list[i].first_seen_ms, fs,
			    sizeof(fs));
			fs[19] = '\0';
			fs[10] = ' ';
			sr_buf_addf(&out, "%-8s  %-8s  %4.2f  %-19s  %s\n",
			    sr_severity_name(list[i].severity),
			    sr_insight_state_name(list[i].state),
			    list[i].confidence, fs, list[i].title);
			sr_buf_addf(&out, "%48s%s\n", "", list[i].description);
		}
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0)
		rc = SR_EXIT_FAIL;
	sr_buf_release(&out);
	free(list);
	sr_insights_free(ins);
	sr_store_close(st);
	free(path);
	sr_config_release(&cfg);
	return rc;
}
