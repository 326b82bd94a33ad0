/* SPDX-License-Identifier: MIT */
/*
 * gpu_sysfs: AMD and Intel GPUs from SYS/class/drm/cardN/device, numbered
 * after the NVML ones.  AMD (vendor 0x1002, amdgpu): gpu_busy_percent,
 * mem_info_vram_used/total, and the card's hwmon temp1_input (millidegrees)
 * and power1_average or power1_input (microwatts).  Intel (0x8086, i915/xe):
 * the current GT frequency and hwmon temperature/power where the kernel
 * exposes them; the kernel gives no busy % for Intel.  NVIDIA cards are
 * left to NVML.  Whatever a card lacks is absent.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

/* The card's hwmon temperature and power, if it has a hwmon directory. */
static void
gpu_hwmon(const char *dev, int idx, struct sr_metric_set *out)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;
	int64_t v;

	if (sr_sysfs_path(dir, sizeof(dir), dev, "hwmon") < 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "hwmon", 5) != 0)
			continue;
		if (sr_sysfs_read_i64(dir, &v, "%s/temp1_input", e->d_name) ==
		    0)
			sr_metric_set_addf(out, "C", (double)v / 1000.0,
			    "gpu.%d.temp_c", idx);
		if (sr_sysfs_read_i64(dir, &v, "%s/power1_average",
			e->d_name) == 0 ||
		    sr_sysfs_read_i64(dir, &v, "%s/power1_input", e->d_name) ==
			0)
			sr_metric_set_addf(out, "W", (double)v / 1e6,
			    "gpu.%d.power_w", idx);
		break;
	}
	closedir(d);
}

static int
gpu_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
gpu_sysfs_sample(struct sr_sys *s, int first, struct sr_metric_set *out)
{
	char dir[4096], dev[4096], vendor[32];
	int cards[64], ncards = 0, idx = first;
	struct dirent *e;
	DIR *d;

	if (sr_sysfs_path(dir, sizeof(dir), s->sys, "class/drm") < 0 ||
	    (d = opendir(dir)) == NULL)
		return first;
	while ((e = readdir(d)) != NULL && ncards < 64) {
		char *end;
		long n;

		if (strncmp(e->d_name, "card", 4) != 0)
			continue;
		n = strtol(e->d_name + 4, &end, 10);
		if (end == e->d_name + 4 || *end != '\0' || n < 0)
			continue; /* card0-DP-1 is a connector */
		cards[ncards++] = (int)n;
	}
	closedir(d);
	qsort(cards, (size_t)ncards, sizeof(cards[0]), gpu_cmp);
	for (int i = 0; i < ncards; i++) {
		int64_t v, total;
		int amd;

		if (sr_sysfs_path(dev, sizeof(dev), dir, "card%d/device",
			cards[i]) < 0 ||
		    sr_sysfs_read_line(dev, vendor, sizeof(vendor), "vendor") <
			0)
			continue;
		amd = strcmp(vendor, "0x1002") == 0;
		if (!amd && strcmp(vendor, "0x8086") != 0)
			continue;
		if (amd) {
			if (sr_sysfs_read_i64(dev, &v, "gpu_busy_percent") == 0)
				sr_metric_set_addf(out, "%", (double)v,
				    "gpu.%d.util_pct", idx);
			if (sr_sysfs_read_i64(dev, &v, "mem_info_vram_used") ==
			    0)
				sr_metric_set_addf(out, "bytes", (double)v,
				    "gpu.%d.mem_used_bytes", idx);
			if (sr_sysfs_read_i64(dev, &total,
				"mem_info_vram_total") == 0) {
				sr_metric_set_addf(out, "bytes", (double)total,
				    "gpu.%d.mem_total_bytes", idx);
				if (total > 0 &&
				    sr_sysfs_read_i64(dev, &v,
					"mem_info_vram_used") == 0)
					sr_metric_set_addf(out, "%",
					    100.0 * (double)v / (double)total,
					    "gpu.%d.mem_used_pct", idx);
			}
		} else if (sr_sysfs_read_i64(dir, &v, "card%d/gt_cur_freq_mhz",
			       cards[i]) == 0) {
			sr_metric_set_addf(out, "MHz", (double)v,
			    "gpu.%d.freq_mhz", idx);
		}
		gpu_hwmon(dev, idx, out);
		idx++;
	}
	return idx;
}
