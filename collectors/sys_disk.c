/* SPDX-License-Identifier: MIT */
/*
 * sys_disk: block device I/O from PROC/diskstats.
 *
 * Only whole disks are reported: a device is a whole disk when
 * SYS/block/NAME exists (partitions live below their disk there).  Without
 * SYS/block every device is kept.  loop, ram and zram devices that have
 * never done any I/O are skipped; once they do, they are reported.
 * util_pct is the share of the interval the device was busy (io_ticks),
 * capped at 100; await_ms is the mean time per I/O completed in the
 * interval (queue plus service), 0 when none completed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

enum {
	D_READS,
	D_RSECT,
	D_RTICKS,
	D_WRITES,
	D_WSECT,
	D_WTICKS,
	D_IOTICKS,
	D_N
};

/* Whether a line of diskstats names a device to report. */
static int
disk_wanted(struct sr_sys *s, const char *name, int have_block,
    const uint64_t c[D_N])
{
	char path[4096], dev[64];

	if ((strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
		strncmp(name, "zram", 4) == 0) &&
	    c[D_READS] == 0 && c[D_WRITES] == 0)
		return 0;
	if (!have_block)
		return 1;
	/* sysfs spells '/' in a device name as '!' (cciss!c0d0). */
	snprintf(dev, sizeof(dev), "%s", name);
	for (char *p = dev; *p != '\0'; p++)
		if (*p == '/')
			*p = '!';
	if (sr_sysfs_path(path, sizeof(path), s->sys, "block/%s", dev) < 0)
		return 0;
	return access(path, F_OK) == 0;
}

void
sys_disk_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "diskstats");
	char path[4096];
	int have_block;
	double sum_r = 0, sum_w = 0;
	int nrates = 0;

	if (text == NULL)
		return;
	have_block = sr_sysfs_path(path, sizeof(path), s->sys, "block") == 0 &&
	    access(path, F_OK) == 0;
	sr_sysfs_devtab_begin(&s->disks);
	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		unsigned long long v[11];
		unsigned maj, min;
		char name[64];
		uint64_t c[D_N], d[D_N];
		struct sr_sysfs_dev *dev;
		int fresh, ok = 1;

		if (sscanf(p,
			"%u %u %63s %llu %llu %llu %llu %llu %llu %llu "
			"%llu %llu %llu %llu",
			&maj, &min, name, &v[0], &v[1], &v[2], &v[3], &v[4],
			&v[5], &v[6], &v[7], &v[8], &v[9], &v[10]) != 14)
			goto next;
		c[D_READS] = v[0];
		c[D_RSECT] = v[2];
		c[D_RTICKS] = v[3];
		c[D_WRITES] = v[4];
		c[D_WSECT] = v[6];
		c[D_WTICKS] = v[7];
		c[D_IOTICKS] = v[9];
		if (!disk_wanted(s, name, have_block, c))
			goto next;
		dev = sr_sysfs_devtab_get(&s->disks, name, &fresh);
		for (int i = 0; i < D_N; i++) {
			if (!fresh && !sr_sysfs_delta(dev->c[i], c[i], &d[i]))
				ok = 0;
			dev->c[i] = c[i];
		}
		if (fresh || !ok || s->dt_s <= 0)
			goto next;
		{
			double dt = s->dt_s,
			       ios = (double)(d[D_READS] + d[D_WRITES]), util;
			double rb = (double)d[D_RSECT] * 512.0 / dt;
			double wb = (double)d[D_WSECT] * 512.0 / dt;

			util = 100.0 * (double)d[D_IOTICKS] / (dt * 1000.0);
			if (util > 100.0)
				util = 100.0;
			sr_metric_set_addf(out, "bytes/s", rb,
			    "disk.%s.read_bytes_per_s", name);
			sr_metric_set_addf(out, "bytes/s", wb,
			    "disk.%s.write_bytes_per_s", name);
			sr_metric_set_addf(out, "1/s", (double)d[D_READS] / dt,
			    "disk.%s.reads_per_s", name);
			sr_metric_set_addf(out, "1/s", (double)d[D_WRITES] / dt,
			    "disk.%s.writes_per_s", name);
			sr_metric_set_addf(out, "1/s", ios / dt, "disk.%s.iops",
			    name);
			sr_metric_set_addf(out, "%", util, "disk.%s.util_pct",
			    name);
			sr_metric_set_addf(out, "ms",
			    ios > 0 ? (double)(d[D_RTICKS] + d[D_WTICKS]) / ios
				    : 0.0,
			    "disk.%s.await_ms", name);
			sum_r += rb;
			sum_w += wb;
			nrates++;
		}
	next:
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	sr_sysfs_devtab_end(&s->disks);
	if (nrates > 0) {
		sr_metric_set_add(out, "disk.total.read_bytes_per_s", "bytes/s",
		    sum_r);
		sr_metric_set_add(out, "disk.total.write_bytes_per_s",
		    "bytes/s", sum_w);
	}
}
