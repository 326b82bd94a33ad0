/* SPDX-License-Identifier: MIT */
/*
 * sys_thermal: temperatures from SYS/class/hwmon (every tempK_input, named
 * temp.CHIP.LABEL.temp_c with the chip's name file and tempK_label, or
 * "tempK" without a label) and SYS/class/thermal (temp.zoneN.TYPE.temp_c).
 * Spaces in names become '_'.  A chip name seen twice gets its hwmon
 * number appended ("nvme_hwmon3").  No sensors: no metrics.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

static void
thermal_clean(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '\t')
			*s = '_';
}

static void
thermal_hwmon(struct sr_sys *s, struct sr_metric_set *out)
{
	char dir[4096], chips[32][64];
	size_t nchips = 0;
	struct dirent *e;
	DIR *d;

	if (sr_sysfs_path(dir, sizeof(dir), s->sys, "class/hwmon") < 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char chip[64], hw[4096], label[64];
		DIR *hd;
		struct dirent *f;
		int dup = 0;

		if (strncmp(e->d_name, "hwmon", 5) != 0)
			continue;
		if (sr_sysfs_path(hw, sizeof(hw), dir, "%s", e->d_name) < 0)
			continue;
		if (sr_sysfs_read_line(hw, chip, sizeof(chip), "name") < 0 ||
		    chip[0] == '\0')
			snprintf(chip, sizeof(chip), "%.63s", e->d_name);
		thermal_clean(chip);
		for (size_t i = 0; i < nchips; i++)
			dup |= strcmp(chips[i], chip) == 0;
		if (dup) {
			char both[64];

			snprintf(both, sizeof(both), "%.40s_%.20s", chip,
			    e->d_name);
			snprintf(chip, sizeof(chip), "%s", both);
		} else if (nchips < 32) {
			snprintf(chips[nchips++], sizeof(chips[0]), "%s", chip);
		}
		if ((hd = opendir(hw)) == NULL)
			continue;
		while ((f = readdir(hd)) != NULL) {
			int64_t milli;
			int k;
			char tail[16];

			if (sscanf(f->d_name, "temp%d_%15s", &k, tail) != 2 ||
			    strcmp(tail, "input") != 0)
				continue;
			if (sr_sysfs_read_i64(hw, &milli, "%s", f->d_name) < 0)
				continue;
			if (sr_sysfs_read_line(hw, label, sizeof(label),
				"temp%d_label", k) < 0 ||
			    label[0] == '\0')
				snprintf(label, sizeof(label), "temp%d", k);
			thermal_clean(label);
			sr_metric_set_addf(out, "C", (double)milli / 1000.0,
			    "temp.%s.%s.temp_c", chip, label);
		}
		closedir(hd);
	}
	closedir(d);
}

static void
thermal_zones(struct sr_sys *s, struct sr_metric_set *out)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;

	if (sr_sysfs_path(dir, sizeof(dir), s->sys, "class/thermal") < 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char type[64];
		int64_t milli;
		int n;

		if (sscanf(e->d_name, "thermal_zone%d", &n) != 1)
			continue;
		if (sr_sysfs_read_i64(dir, &milli, "%s/temp", e->d_name) < 0)
			continue;
		if (sr_sysfs_read_line(dir, type, sizeof(type), "%s/type",
			e->d_name) < 0 ||
		    type[0] == '\0')
			snprintf(type, sizeof(type), "zone");
		thermal_clean(type);
		sr_metric_set_addf(out, "C", (double)milli / 1000.0,
		    "temp.zone%d.%s.temp_c", n, type);
	}
	closedir(d);
}

void
sys_thermal_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	thermal_hwmon(s, out);
	thermal_zones(s, out);
}
