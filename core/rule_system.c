/* SPDX-License-Identifier: MIT */
/*
 * rule_system: performance rules over the host's metrics (cpu, memory,
 * swap, load per core, iowait, pressure stall).  Each compares the
 * latest sample with warn/crit levels (higher is worse) and names the
 * heaviest processes in its description.
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ", top: comm (pid) 95 %, ..." from a process list, into out. */
static void
top_procs(const struct sr_snap_proc *p, size_t n, int by_mem, char *out,
    size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	if (n > 3)
		n = 3;
	for (size_t i = 0; i < n && at < len; i++) {
		char sz[32];
		int k;

		if (by_mem)
			sr_rule_fmt_bytes((double)p[i].rss_bytes, sz,
			    sizeof(sz));
		else
			(void)snprintf(sz, sizeof(sz), "%.0f %%", p[i].cpu_pct);
		k = snprintf(out + at, len - at, "%s%s (pid %d) %s",
		    i == 0 ? " Top processes: " : ", ",
		    p[i].name ? p[i].name : "?", p[i].pid, sz);
		if (k < 0)
			break;
		at += (size_t)k;
	}
	if (at > 0 && at < len - 1) {
		out[at++] = '.';
		out[at] = '\0';
	}
}

/* The shared shape: one metric, one subject, levels on the value. */
static void
level_rule(const struct sr_view *v, const struct sr_rule_params *p,
    struct sr_findings *out, const char *subject, double value,
    const char *what, const char *unit, int by_mem, const char *advice)
{
	struct sr_finding tmp, *f;
	char procs[256];

	memset(&tmp, 0, sizeof(tmp));
	if (!sr_rule_level(p, value, &tmp))
		return;
	f = sr_findings_add(out, "%s", subject);
	f->severity = tmp.severity;
	f->hold = tmp.hold;
	f->value = value;
	f->threshold = tmp.threshold;
	f->excess = tmp.excess;
	f->samples = 1;
	top_procs(by_mem ? v->procs_mem : v->procs_cpu,
	    by_mem ? v->n_procs_mem : v->n_procs_cpu, by_mem, procs,
	    sizeof(procs));
	(void)snprintf(f->title, sizeof(f->title), "%s high: %.1f%s", what,
	    value, unit);
	(void)snprintf(f->description, sizeof(f->description),
	    "%s is %.1f%s (warning at %.4g%s, critical at %.4g%s).%s", what,
	    value, unit, p->warn, unit, p->crit, unit, procs);
	(void)snprintf(f->recommendation, sizeof(f->recommendation), "%s",
	    advice);
}

static void
rule_cpu_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	level_rule(v, p, out, "host", sr_view_metric(v, "cpu.total.busy_pct"),
	    "CPU busy", " %", 0,
	    "Check the top processes; scale out or throttle the busiest.");
}

static void
rule_memory_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	level_rule(v, p, out, "host", sr_view_metric(v, "mem.used_pct"),
	    "Memory used", " %", 1,
	    "Find the largest processes; add memory or lower their limits.");
}

static void
rule_swap_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	level_rule(v, p, out, "host", sr_view_metric(v, "swap.used_pct"),
	    "Swap used", " %", 1,
	    "The host is short of memory; reduce the working set.");
}

static void
rule_load_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	double load = sr_view_metric(v, "load.1");
	double ncpu = sr_view_metric(v, "cpu.count");

	(void)r;
	if (isnan(ncpu) || ncpu < 1)
		ncpu = v->ncpu > 0 ? v->ncpu : 1;
	level_rule(v, p, out, "host", load / ncpu, "Load per core", "", 0,
	    "More runnable tasks than cores: look for CPU or I/O bound "
	    "processes.");
}

static void
rule_iowait_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	level_rule(v, p, out, "host", sr_view_metric(v, "cpu.total.iowait_pct"),
	    "CPU iowait", " %", 0,
	    "Storage is the bottleneck; check disk utilisation and latency.");
}

static void
rule_psi_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	static const char *const res[] = { "cpu", "memory", "io" };

	(void)r;
	for (size_t i = 0; i < 3; i++) {
		char name[64], what[64];

		(void)snprintf(name, sizeof(name), "psi.%s.some_avg10", res[i]);
		(void)snprintf(what, sizeof(what), "%s pressure stall", res[i]);
		level_rule(v, p, out, res[i], sr_view_metric(v, name), what,
		    " %", strcmp(res[i], "memory") == 0,
		    "Tasks are stalled waiting for this resource.");
	}
}

#define LEVEL_DEFAULTS(w, c, cl, fr)                                   \
	{                                                              \
		.enabled = 1, .warn = (w), .crit = (c), .clear = (cl), \
		.for_ms = (fr), .keep_firing_for_ms = 60000            \
	}

const struct sr_rule sr_rule_cpu = {
	.id = "cpu",
	.summary = "CPU busy above its levels",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(85, 95, 75, 120000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_CPU,
	    .scale = 1 },
	.eval = rule_cpu_eval,
};
const struct sr_rule sr_rule_memory = {
	.id = "memory",
	.summary = "memory used above its levels",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(90, 97, 85, 120000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_MEM,
	    .scale = 1 },
	.eval = rule_memory_eval,
};
const struct sr_rule sr_rule_swap = {
	.id = "swap",
	.summary = "swap used above its levels",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(50, 80, 40, 300000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_MEM,
	    .scale = 1 },
	.eval = rule_swap_eval,
};
const struct sr_rule sr_rule_load = {
	.id = "load",
	.summary = "1 min load per core above its levels",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(1.5, 3, 1.2, 300000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_LOAD,
	    .scale = 1 },
	.eval = rule_load_eval,
};
const struct sr_rule sr_rule_iowait = {
	.id = "iowait",
	.summary = "CPU time waiting for I/O",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(20, 40, 15, 120000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_CPU,
	    .scale = 1 },
	.eval = rule_iowait_eval,
};
const struct sr_rule sr_rule_psi = {
	.id = "psi",
	.summary = "pressure stall (some, avg10) per resource",
	.category = SR_CAT_PERFORMANCE,
	.defaults = LEVEL_DEFAULTS(20, 50, 10, 120000),
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_CPU,
	    .scale = 1 },
	.eval = rule_psi_eval,
};
