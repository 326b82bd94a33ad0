/* SPDX-License-Identifier: MIT */
/*
 * sys_cpu: CPU time split (total and per online core) and scheduler
 * counters from PROC/stat, load and task counts from PROC/loadavg, uptime
 * from PROC/uptime.
 *
 * Percentages are shares of the jiffies that passed on that line between
 * two samples: user (guest time is already inside user/nice), nice, system,
 * idle, iowait, irq, softirq, steal; busy = 100 - idle - iowait.  Only the
 * cores listed in PROC/stat are online; cpu.count is their number, so a
 * core that goes offline simply disappears and one that comes back reports
 * from its second sample on.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

enum {
	CPU_USER,
	CPU_NICE,
	CPU_SYSTEM,
	CPU_IDLE,
	CPU_IOWAIT,
	CPU_IRQ,
	CPU_SOFTIRQ,
	CPU_STEAL,
	CPU_NFIELDS
};

static const char *const cpu_field_names[CPU_NFIELDS] = {
	"user_pct",
	"nice_pct",
	"system_pct",
	"idle_pct",
	"iowait_pct",
	"irq_pct",
	"softirq_pct",
	"steal_pct",
};

/* One "cpu..." line: fields after the name, into c (missing ones 0). */
static void
cpu_parse(const char *p, uint64_t c[CPU_NFIELDS])
{
	for (int i = 0; i < CPU_NFIELDS; i++) {
		char *end;

		c[i] = strtoull(p, &end, 10);
		if (end == p) {
			for (; i < CPU_NFIELDS; i++)
				c[i] = 0;
			return;
		}
		p = end;
	}
}

/* Report the split of one line ("total" or the core number). */
static void
cpu_report(struct sr_sys *s, const char *label, const char *name,
    const uint64_t c[CPU_NFIELDS], struct sr_metric_set *out)
{
	uint64_t d[CPU_NFIELDS], total = 0;
	struct sr_sysfs_dev *dev;
	int fresh, ok = 1;
	double pct[CPU_NFIELDS];

	dev = sr_sysfs_devtab_get(&s->cpus, name, &fresh);
	for (int i = 0; i < CPU_NFIELDS; i++) {
		if (!fresh && !sr_sysfs_delta(dev->c[i], c[i], &d[i]))
			ok = 0;
		if (ok && !fresh)
			total += d[i];
		dev->c[i] = c[i];
	}
	if (fresh || !ok || total == 0)
		return;
	for (int i = 0; i < CPU_NFIELDS; i++) {
		pct[i] = 100.0 * (double)d[i] / (double)total;
		sr_metric_set_addf(out, "%", pct[i], "cpu.%s.%s", label,
		    cpu_field_names[i]);
	}
	sr_metric_set_addf(out, "%", 100.0 - pct[CPU_IDLE] - pct[CPU_IOWAIT],
	    "cpu.%s.busy_pct", label);
}

/* A per-second rate of a scheduler counter, if both samples had it. */
static void
cpu_rate(struct sr_sys *s, int had, uint64_t *prev, uint64_t cur,
    const char *name, struct sr_metric_set *out)
{
	uint64_t d;

	if (had && s->dt_s > 0 && sr_sysfs_delta(*prev, cur, &d))
		sr_metric_set_add(out, name, "1/s", (double)d / s->dt_s);
	*prev = cur;
}

static int
cpu_stat(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "stat");
	uint64_t ctxt = 0, intr = 0, forks = 0;
	int count = 0, have = 0;

	if (text == NULL)
		return -1;
	sr_sysfs_devtab_begin(&s->cpus);
	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		uint64_t c[CPU_NFIELDS];

		if (strncmp(p, "cpu", 3) == 0) {
			char name[32], label[32];
			size_t n = strcspn(p, " \t\n");

			if (n < sizeof(name)) {
				memcpy(name, p, n);
				name[n] = '\0';
				cpu_parse(p + n, c);
				if (n == 3) {
					snprintf(label, sizeof(label), "total");
				} else {
					snprintf(label, sizeof(label), "%s",
					    name + 3);
					count++;
				}
				cpu_report(s, label, name, c, out);
			}
		} else if (strncmp(p, "ctxt ", 5) == 0) {
			ctxt = strtoull(p + 5, NULL, 10);
			have |= 1;
		} else if (strncmp(p, "intr ", 5) == 0) {
			intr = strtoull(p + 5, NULL, 10);
			have |= 2;
		} else if (strncmp(p, "processes ", 10) == 0) {
			forks = strtoull(p + 10, NULL, 10);
			have |= 4;
		} else if (strncmp(p, "procs_running ", 14) == 0) {
			sr_metric_set_add(out, "procs.running", "",
			    strtod(p + 14, NULL));
		} else if (strncmp(p, "procs_blocked ", 14) == 0) {
			sr_metric_set_add(out, "procs.blocked", "",
			    strtod(p + 14, NULL));
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	sr_sysfs_devtab_end(&s->cpus);
	s->cpu_count = count;
	sr_metric_set_add(out, "cpu.count", "", count);
	if (have & 1)
		cpu_rate(s, s->have_stat & 1, &s->ctxt, ctxt, "cpu.ctxt_per_s",
		    out);
	if (have & 2)
		cpu_rate(s, s->have_stat & 2, &s->intr, intr, "cpu.intr_per_s",
		    out);
	if (have & 4)
		cpu_rate(s, s->have_stat & 4, &s->forks, forks,
		    "procs.forks_per_s", out);
	s->have_stat = have;
	return 0;
}

static void
cpu_loadavg(struct sr_sys *s, struct sr_metric_set *out)
{
	char line[256];
	double l1, l5, l15;
	unsigned running, total;

	if (sr_sysfs_read_line(s->proc, line, sizeof(line), "loadavg") < 0)
		return;
	if (sscanf(line, "%lf %lf %lf %u/%u", &l1, &l5, &l15, &running,
		&total) != 5)
		return;
	sr_metric_set_add(out, "load.1", "", l1);
	sr_metric_set_add(out, "load.5", "", l5);
	sr_metric_set_add(out, "load.15", "", l15);
	sr_metric_set_add(out, "load.running_tasks", "", running);
	sr_metric_set_add(out, "load.total_tasks", "", total);
}

int
sys_cpu_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	char line[128];
	char *end;
	double up;

	if (cpu_stat(s, out) < 0)
		return -1;
	cpu_loadavg(s, out);
	if (sr_sysfs_read_line(s->proc, line, sizeof(line), "uptime") == 0) {
		up = strtod(line, &end);
		if (end != line)
			sr_metric_set_add(out, "uptime_s", "s", up);
	}
	return 0;
}
