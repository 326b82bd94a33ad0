/* SPDX-License-Identifier: MIT */
/*
 * sitrep metrics: sample this machine over one interval and print every
 * metric (or those matching glob patterns) with its value and unit, one per
 * line, or as one flat JSON object.  --top adds the process top lists.
 */
#include "cmd/cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/options.h"
#include "collectors/sys.h"
#include "core/metric.h"
#include "core/util.h"

static void
metrics_sleep(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
		.tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Print v compactly: integers without decimals, others with up to 2. */
static void
metrics_format(double v, char *out, size_t cap)
{
	if (!isfinite(v))
		snprintf(out, cap, "%s", "nan");
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(out, cap, "%.0f", v);
	else
		snprintf(out, cap, "%.2f", v);
}

static int
metrics_print_json(const struct sr_metric_set *set)
{
	cJSON *obj = cJSON_CreateObject();
	char *text;

	for (size_t i = 0; i < sr_metric_set_count(set); i++) {
		const struct sr_metric *m = sr_metric_set_at(set, i);

		cJSON_AddItemToObject(obj, m->name,
		    isfinite(m->value) ? cJSON_CreateNumber(m->value)
				       : cJSON_CreateNull());
	}
	text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (text == NULL)
		sr_fatal("out of memory");
	printf("%s\n", text);
	cJSON_free(text);
	return SR_EXIT_OK;
}

static void
metrics_print_text(const struct sr_metric_set *set)
{
	size_t width = 0;
	char val[64];

	for (size_t i = 0; i < sr_metric_set_count(set); i++) {
		size_t n = strlen(sr_metric_set_at(set, i)->name);

		if (n > width)
			width = n;
	}
	for (size_t i = 0; i < sr_metric_set_count(set); i++) {
		const struct sr_metric *m = sr_metric_set_at(set, i);

		metrics_format(m->value, val, sizeof(val));
		printf("%-*s %18s %s\n", (int)width, m->name, val, m->unit);
	}
}

static void
metrics_print_top(const char *title, const struct sr_procinfo *p, int n)
{
	printf("\n%s\n%7s %-12s %-16s %8s %12s\n", title, "PID", "USER",
	    "COMMAND", "CPU%", "RSS");
	for (int i = 0; i < n; i++)
		printf("%7d %-12.12s %-16.16s %8.1f %12llu\n", p[i].pid,
		    p[i].user, p[i].comm, p[i].cpu_pct,
		    (unsigned long long)p[i].rss_bytes);
}

int
sr_cmd_metrics(int argc, char **argv)
{
	struct sr_opts o;
	const char *proc_root, *sys_root;
	int json, top, rc;
	int64_t interval_us = 1000000;
	struct sr_metric_set *set;
	struct sr_err err;
	struct sr_sys *s;

	if ((rc = sr_opts_parse("metrics", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	json = sr_opts_has(&o, SR_O_JSON);
	top = sr_opts_has(&o, SR_O_METRICS_TOP);
	proc_root = sr_opts_str(&o, SR_O_PROC_ROOT, NULL);
	sys_root = sr_opts_str(&o, SR_O_SYS_ROOT, NULL);
	if (sr_opts_has(&o, SR_O_INTERVAL)) {
		if (o.v[SR_O_INTERVAL].i > 3600000)
			return sr_usage_error("metrics", "bad interval '%s'",
			    o.v[SR_O_INTERVAL].s);
		interval_us = o.v[SR_O_INTERVAL].i * 1000;
	}
	s = sr_sys_open(proc_root, sys_root, &err);
	if (s == NULL) {
		fprintf(stderr, "sitrep metrics: %s\n", err.msg);
		return SR_EXIT_FAIL;
	}
	set = sr_metric_set_new();
	rc = sr_sys_sample(s, sr_mono_us(), set, &err);
	if (rc == 0 && interval_us > 0) {
		metrics_sleep(interval_us);
		sr_metric_set_clear(set);
		sr_sys_want_procs(s, 1);
		rc = sr_sys_sample(s, sr_mono_us(), set, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "sitrep metrics: %s\n", err.msg);
		sr_metric_set_free(set);
		sr_sys_close(s);
		return SR_EXIT_FAIL;
	}
	sr_metric_set_filter(set, (const char *const *)o.argv, (size_t)o.argc);
	sr_metric_set_sort(set);
	if (json) {
		metrics_print_json(set);
	} else {
		metrics_print_text(set);
		if (top) {
			const struct sr_procinfo *p;
			int n;

			p = sr_sys_top_cpu(s, &n);
			metrics_print_top("Top processes by CPU", p, n);
			p = sr_sys_top_mem(s, &n);
			metrics_print_top("Top processes by memory", p, n);
		}
	}
	sr_metric_set_free(set);
	sr_sys_close(s);
	return fflush(stdout) == 0 ? SR_EXIT_OK : SR_EXIT_FAIL;
}
