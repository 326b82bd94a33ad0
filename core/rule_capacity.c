/* SPDX-License-Identifier: MIT */
/*
 * rule_capacity: filesystems filling up.  A least-squares line through
 * the last `window` of a filesystem's used bytes (inodes: used %) gives
 * the growth rate; the time until full is what is left divided by it.
 * Levels are durations (warn = 24 h: less than a day left); lower is
 * worse, so the clear level is the longer one.
 */
#include "core/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Mount point of "fs.MOUNT.MEASURE" into out; 0 when not that measure. */
static int
fs_mount(const char *name, const char *measure, char *out, size_t len)
{
	size_t n = strlen(name), m = strlen(measure);

	if (strncmp(name, "fs.", 3) != 0 || n < 3 + m + 2 ||
	    strcmp(name + n - m, measure) != 0 || name[n - m - 1] != '.')
		return 0;
	n = n - m - 1 - 3;
	if (n >= len)
		n = len - 1;
	memcpy(out, name + 3, n);
	out[n] = '\0';
	return 1;
}

/* Finding for a time-until-full eta (s) with levels in ms; 0 if none. */
static struct sr_finding *
fill_level(const struct sr_rule_params *p, double eta_s, const char *mnt,
    struct sr_findings *out, size_t samples)
{
	double warn = p->warn / 1000, crit = p->crit / 1000,
	       clear = p->clear / 1000;
	struct sr_finding *f;

	if (isnan(eta_s) || eta_s > clear || eta_s < 0)
		return NULL;
	f = sr_findings_add(out, "%s", mnt);
	f->value = eta_s;
	f->samples = (double)samples;
	if (eta_s <= crit) {
		f->severity = SR_SEV_CRIT;
		f->threshold = crit;
	} else {
		f->severity = SR_SEV_WARN;
		f->threshold = warn;
		f->hold = eta_s > warn;
	}
	f->excess = warn > crit ? (warn - eta_s) / (warn - crit) : 1;
	f->excess = f->excess < 0 ? 0 : f->excess > 1 ? 1 : f->excess;
	return f;
}

static void
rule_disk_fill_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->series == NULL)
		return;
	for (size_t i = 0; i < sr_series_set_count(v->series); i++) {
		const char *name = sr_series_set_name(v->series, i);
		const struct sr_series *s = sr_series_set_at(v->series, i);
		char mnt[128], key[192], eta[64], rate[32], used_s[32],
		    tot_s[32];
		double slope, now_used, total, eta_s;
		size_t n;
		struct sr_finding *f;

		if (!fs_mount(name, "used_bytes", mnt, sizeof(mnt)))
			continue;
		n = sr_series_trend(s, v->now_ms, p->window_ms, &slope,
		    &now_used);
		if ((double)n < p->min_samples || isnan(slope) || slope <= 0)
			continue;
		(void)snprintf(key, sizeof(key), "fs.%s.total_bytes", mnt);
		total = sr_view_metric(v, key);
		if (isnan(total) || total <= 0)
			continue;
		now_used = sr_series_at(s, 0);
		eta_s = (total - now_used) / slope;
		f = fill_level(p, eta_s, mnt, out, n);
		if (f == NULL)
			continue;
		f->baseline = slope * 3600;
		sr_rule_fmt_duration(eta_s, eta, sizeof(eta));
		sr_rule_fmt_bytes(slope * 3600, rate, sizeof(rate));
		sr_rule_fmt_bytes(now_used, used_s, sizeof(used_s));
		sr_rule_fmt_bytes(total, tot_s, sizeof(tot_s));
		(void)snprintf(f->title, sizeof(f->title),
		    "%.80s full in about %s", mnt, eta);
		(void)snprintf(f->description, sizeof(f->description),
		    "%s full in about %s at %s/h (used %s of %s; trend over "
		    "the last %d min, %zu samples).",
		    mnt, eta, rate, used_s, tot_s, (int)(p->window_ms / 60000),
		    n);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Free space on %s (logs, caches, old data) or grow the "
		    "filesystem; find what writes at %s/h.",
		    mnt, rate);
	}
}

static void
rule_inode_fill_eval(const struct sr_rule *r, const struct sr_view *v,
    const struct sr_rule_params *p, struct sr_findings *out)
{
	(void)r;
	if (v->series == NULL)
		return;
	for (size_t i = 0; i < sr_series_set_count(v->series); i++) {
		const char *name = sr_series_set_name(v->series, i);
		const struct sr_series *s = sr_series_set_at(v->series, i);
		char mnt[128], eta[64];
		double slope, fit, pct, eta_s;
		size_t n;
		struct sr_finding *f;

		if (!fs_mount(name, "inodes_used_pct", mnt, sizeof(mnt)))
			continue;
		n = sr_series_trend(s, v->now_ms, p->window_ms, &slope, &fit);
		if ((double)n < p->min_samples || isnan(slope) || slope <= 0)
			continue;
		pct = sr_series_at(s, 0);
		eta_s = (100 - pct) / slope;
		f = fill_level(p, eta_s, mnt, out, n);
		if (f == NULL)
			continue;
		f->baseline = slope * 3600;
		sr_rule_fmt_duration(eta_s, eta, sizeof(eta));
		(void)snprintf(f->title, sizeof(f->title),
		    "%.80s out of inodes in about %s", mnt, eta);
		(void)snprintf(f->description, sizeof(f->description),
		    "%s inodes %.1f %% used, growing %.2f points/h: out of "
		    "inodes in about %s.",
		    mnt, pct, slope * 3600, eta);
		(void)snprintf(f->recommendation, sizeof(f->recommendation),
		    "Look for directories filling with many small files on "
		    "%s.",
		    mnt);
	}
}

const struct sr_rule sr_rule_disk_fill = {
	.id = "disk_fill",
	.reads = "window",
	.summary = "filesystem filling: time until full",
	.category = SR_CAT_CAPACITY,
	.flags = SR_RULE_DURATION_LEVELS,
	.defaults = { .enabled = 1,
	    .warn = 86400000,
	    .crit = 14400000,
	    .clear = 172800000,
	    .for_ms = 300000,
	    .keep_firing_for_ms = 600000,
	    .window_ms = 3600000,
	    .min_samples = 10 },
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_DISK,
	    .scale = 1 },
	.eval = rule_disk_fill_eval,
};

const struct sr_rule sr_rule_inode_fill = {
	.id = "inode_fill",
	.reads = "window",
	.summary = "inodes filling: time until none left",
	.category = SR_CAT_CAPACITY,
	.flags = SR_RULE_DURATION_LEVELS,
	.defaults = { .enabled = 1,
	    .warn = 86400000,
	    .crit = 14400000,
	    .clear = 172800000,
	    .for_ms = 300000,
	    .keep_firing_for_ms = 600000,
	    .window_ms = 3600000,
	    .min_samples = 10 },
	.chart = { .series = SR_RULE_SERIES_KPI,
	    .kpi = SR_KPI_DISK,
	    .scale = 1 },
	.eval = rule_inode_fill_eval,
};
