/* SPDX-License-Identifier: MIT */
/*
 * sys_mem: memory and swap from PROC/meminfo, swap traffic from
 * PROC/vmstat, pressure stall information from PROC/pressure/ (absent, not
 * zero, when the kernel has none), and cgroup v2 limits of the cgroup this
 * process runs in.
 *
 * used = MemTotal - MemAvailable (what procps 4 `free` prints); cached =
 * Cached + SReclaimable.  Under a cgroup whose memory.max (or cpu.max) is
 * tighter than the machine, mem.used_pct (cpu.total.busy_pct) is taken
 * against the limit and the machine-wide figure moves to mem.host_used_pct
 * (cpu.total.host_busy_pct).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

/* The value in kB of "Key:" in a meminfo text, in bytes; -1 if absent. */
static int64_t
mem_field(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10) * 1024;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

/* The value of "key N" in a vmstat-like text; 0 or -1 if absent. */
static int
mem_kv(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*out = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

static void
mem_swap_rates(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "vmstat");
	uint64_t in, outp, d;
	long page = sysconf(_SC_PAGESIZE);

	if (text == NULL || mem_kv(text, "pswpin", &in) < 0 ||
	    mem_kv(text, "pswpout", &outp) < 0) {
		s->have_vmstat = 0;
		return;
	}
	if (page <= 0)
		page = 4096;
	if (s->have_vmstat && s->dt_s > 0) {
		if (sr_sysfs_delta(s->pswpin, in, &d))
			sr_metric_set_add(out, "swap.in_bytes_per_s", "bytes/s",
			    (double)d * page / s->dt_s);
		if (sr_sysfs_delta(s->pswpout, outp, &d))
			sr_metric_set_add(out, "swap.out_bytes_per_s",
			    "bytes/s", (double)d * page / s->dt_s);
	}
	s->pswpin = in;
	s->pswpout = outp;
	s->have_vmstat = 1;
}

void
sys_mem_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "meminfo");
	int64_t total, mfree, avail, buffers, cached, srecl, shmem;
	int64_t stotal, sfree, used;

	if (text != NULL && (total = mem_field(text, "MemTotal")) > 0) {
		mfree = mem_field(text, "MemFree");
		avail = mem_field(text, "MemAvailable");
		buffers = mem_field(text, "Buffers");
		cached = mem_field(text, "Cached");
		srecl = mem_field(text, "SReclaimable");
		shmem = mem_field(text, "Shmem");
		stotal = mem_field(text, "SwapTotal");
		sfree = mem_field(text, "SwapFree");
		if (buffers < 0)
			buffers = 0;
		if (cached < 0)
			cached = 0;
		if (srecl > 0)
			cached += srecl;
		if (avail < 0) /* kernels before 3.14 */
			avail = (mfree > 0 ? mfree : 0) + buffers + cached;
		if (avail > total)
			avail = total;
		used = total - avail;
		sr_metric_set_add(out, "mem.total_bytes", "bytes", total);
		sr_metric_set_add(out, "mem.available_bytes", "bytes", avail);
		sr_metric_set_add(out, "mem.used_bytes", "bytes", used);
		if (mfree >= 0)
			sr_metric_set_add(out, "mem.free_bytes", "bytes",
			    mfree);
		sr_metric_set_add(out, "mem.buffers_bytes", "bytes", buffers);
		sr_metric_set_add(out, "mem.cached_bytes", "bytes", cached);
		if (shmem >= 0)
			sr_metric_set_add(out, "mem.shared_bytes", "bytes",
			    shmem);
		sr_metric_set_add(out, "mem.used_pct", "%",
		    100.0 * (double)used / (double)total);
		if (stotal >= 0 && sfree >= 0) {
			int64_t sused = stotal > sfree ? stotal - sfree : 0;

			sr_metric_set_add(out, "swap.total_bytes", "bytes",
			    stotal);
			sr_metric_set_add(out, "swap.used_bytes", "bytes",
			    sused);
			sr_metric_set_add(out, "swap.used_pct", "%",
			    stotal > 0 ? 100.0 * (double)sused / (double)stotal
				       : 0.0);
		}
	}
	mem_swap_rates(s, out);
}

void
sys_psi_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	static const char *const res[] = { "cpu", "memory", "io" };

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		const char *text =
		    sr_sysfs_read(&s->rd, s->proc, "pressure/%s", res[i]);

		if (text == NULL)
			continue;
		for (const char *p = text; *p != '\0';) {
			const char *kind = NULL, *a;

			if (strncmp(p, "some ", 5) == 0)
				kind = "some";
			else if (strncmp(p, "full ", 5) == 0)
				kind = "full";
			a = strstr(p, "avg10=");
			if (kind != NULL && a != NULL &&
			    (strchr(p, '\n') == NULL || a < strchr(p, '\n')))
				sr_metric_set_addf(out, "%",
				    strtod(a + 6, NULL), "psi.%s.%s_avg10",
				    res[i], kind);
			p = strchr(p, '\n');
			if (p == NULL)
				break;
			p++;
		}
	}
}

/* Find this process's cgroup v2 directory under SYS/fs/cgroup, once. */
static void
cg_resolve(struct sr_sys *s)
{
	const char *text, *p;
	static const char *const mounts[] = { "fs/cgroup",
		"fs/cgroup/unified" };
	char rel[1024], path[4096];

	s->cg_checked = 1;
	text = sr_sysfs_read(&s->rd, s->proc, "self/cgroup");
	if (text == NULL)
		return;
	for (p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, "0::", 3) == 0)
			break;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL || *p == '\0')
		return;
	p += 3;
	snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(p, "\n"), p);
	while (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	for (size_t i = 0; i < 2; i++) {
		char probe[4096];

		if (sr_sysfs_path(path, sizeof(path), s->sys, "%s%s", mounts[i],
			strcmp(rel, "/") == 0 ? "" : rel) < 0)
			continue;
		/* Every cgroup v2 directory has cgroup.controllers. */
		if (sr_sysfs_path(probe, sizeof(probe), path,
			"cgroup.controllers") < 0 ||
		    access(probe, F_OK) < 0)
			continue;
		s->cg_path = sr_xstrdup(path);
		return;
	}
}

/* The tightest memory.max and cpu.max from dir up to the cgroup root. */
static void
cg_limits(struct sr_sys *s, int64_t *mem_max, double *cpu_cores)
{
	char dir[4096], line[128];
	char *slash;
	size_t base;

	*mem_max = -1;
	*cpu_cores = -1;
	snprintf(dir, sizeof(dir), "%s", s->cg_path);
	base = strlen(s->sys) + strlen("/fs/cgroup");
	for (;;) {
		int64_t m;
		long long q, per;

		if (sr_sysfs_read_i64(dir, &m, "memory.max") == 0 && m > 0 &&
		    (*mem_max < 0 || m < *mem_max))
			*mem_max = m;
		if (sr_sysfs_read_line(dir, line, sizeof(line), "cpu.max") ==
			0 &&
		    sscanf(line, "%lld %lld", &q, &per) == 2 && q > 0 &&
		    per > 0 && (*cpu_cores < 0 || (double)q / per < *cpu_cores))
			*cpu_cores = (double)q / (double)per;
		slash = strrchr(dir, '/');
		if (slash == NULL || (size_t)(slash - dir) < base)
			break;
		*slash = '\0';
	}
}

void
sys_cgroup_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	int64_t mem_max, cur;
	double cores, v;
	const char *text;
	uint64_t usage, d, inactive = 0;

	if (!s->cg_checked)
		cg_resolve(s);
	if (s->cg_path == NULL)
		return;
	cg_limits(s, &mem_max, &cores);
	if (mem_max > 0 &&
	    sr_sysfs_read_i64(s->cg_path, &cur, "memory.current") == 0) {
		text = sr_sysfs_read(&s->rd, s->cg_path, "memory.stat");
		if (text != NULL)
			(void)mem_kv(text, "inactive_file", &inactive);
		if ((uint64_t)cur > inactive)
			cur -= (int64_t)inactive;
		else
			cur = 0;
		sr_metric_set_add(out, "cgroup.memory.max_bytes", "bytes",
		    mem_max);
		sr_metric_set_add(out, "cgroup.memory.used_bytes", "bytes",
		    cur);
		sr_metric_set_add(out, "cgroup.memory.used_pct", "%",
		    100.0 * (double)cur / (double)mem_max);
		if (sr_metric_set_value(out, "mem.total_bytes", &v) &&
		    (double)mem_max < v) {
			if (sr_metric_set_value(out, "mem.used_pct", &v))
				sr_metric_set_add(out, "mem.host_used_pct", "%",
				    v);
			sr_metric_set_add(out, "mem.used_pct", "%",
			    100.0 * (double)cur / (double)mem_max);
		}
	}
	if (cores <= 0)
		return;
	sr_metric_set_add(out, "cgroup.cpu.max_cores", "", cores);
	text = sr_sysfs_read(&s->rd, s->cg_path, "cpu.stat");
	if (text == NULL || mem_kv(text, "usage_usec", &usage) < 0)
		return;
	if (s->cg_usage_usec != 0 && s->dt_s > 0 &&
	    sr_sysfs_delta(s->cg_usage_usec, usage, &d)) {
		double pct = 100.0 * ((double)d / 1e6) / (s->dt_s * cores);

		sr_metric_set_add(out, "cgroup.cpu.used_pct", "%", pct);
		if (cores < s->cpu_count &&
		    sr_metric_set_value(out, "cpu.total.busy_pct", &v)) {
			sr_metric_set_add(out, "cpu.total.host_busy_pct", "%",
			    v);
			sr_metric_set_add(out, "cpu.total.busy_pct", "%", pct);
		}
	}
	s->cg_usage_usec = usage;
}

void
sys_mem_release(struct sr_sys *s)
{
	free(s->cg_path);
	s->cg_path = NULL;
}
