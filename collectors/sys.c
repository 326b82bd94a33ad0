/* SPDX-License-Identifier: MIT */
/*
 * sys: the system metrics collector's handle, roots and the order in which
 * the families are sampled.  Each family is one file (sys_cpu.c,
 * sys_mem.c, ...); they share collectors/sys_int.h and read their files
 * with collectors/sysfs.h.
 */
#include "collectors/sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "collectors/sys_int.h"

/* The default filesystem probe: directories only (skips bind-mounted files). */
static int
sys_statvfs(const char *mount_point, struct sr_fs_usage *out, void *arg)
{
	struct statvfs v;
	struct stat st;

	(void)arg;
	if (stat(mount_point, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	if (statvfs(mount_point, &v) < 0)
		return -1;
	out->total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
	out->free_bytes = (uint64_t)v.f_bfree * v.f_frsize;
	out->avail_bytes = (uint64_t)v.f_bavail * v.f_frsize;
	out->inodes_total = v.f_files;
	out->inodes_free = v.f_ffree;
	return 0;
}

static const char *
sys_pick_root(const char *given, const char *env, const char *def)
{
	const char *e;

	if (given != NULL && given[0] != '\0')
		return given;
	e = getenv(env);
	if (e != NULL && e[0] != '\0')
		return e;
	return def;
}

struct sr_sys *
sr_sys_open(const char *proc_root, const char *sys_root, struct sr_err *err)
{
	struct sr_sys *s;
	const char *lib;
	char line[64];

	proc_root = sys_pick_root(proc_root, "SITREP_PROC", "/proc");
	sys_root = sys_pick_root(sys_root, "SITREP_SYS", "/sys");
	if (sr_sysfs_read_line(proc_root, line, sizeof(line), "stat") < 0) {
		sr_err_set(err, "cannot read '%s/stat': %s", proc_root,
		    strerror(errno));
		return NULL;
	}
	s = sr_xcalloc(1, sizeof(*s));
	s->proc = sr_xstrdup(proc_root);
	s->sys = sr_xstrdup(sys_root);
	lib = getenv("SITREP_NVML_LIB");
	s->nvml_path = sr_xstrdup(
	    lib != NULL && lib[0] != '\0' ? lib : "libnvidia-ml.so.1");
	s->statfs = sys_statvfs;
	sr_buf_init(&s->rd);
	return s;
}

void
sr_sys_close(struct sr_sys *s)
{
	if (s == NULL)
		return;
	gpu_nvml_release(s);
	sys_proc_release(s);
	sys_mem_release(s);
	sr_sysfs_devtab_release(&s->cpus);
	sr_sysfs_devtab_release(&s->disks);
	sr_sysfs_devtab_release(&s->nets);
	sr_buf_release(&s->rd);
	free(s->proc);
	free(s->sys);
	free(s->nvml_path);
	free(s);
}

void
sr_sys_set_roots(struct sr_sys *s, const char *proc_root, const char *sys_root)
{
	if (proc_root != NULL) {
		free(s->proc);
		s->proc = sr_xstrdup(proc_root);
	}
	if (sys_root != NULL) {
		free(s->sys);
		s->sys = sr_xstrdup(sys_root);
	}
	sys_mem_release(s); /* the cgroup directory is found again */
	s->cg_checked = 0;
}

void
sr_sys_set_nvml_lib(struct sr_sys *s, const char *path)
{
	free(s->nvml_path);
	s->nvml_path = sr_xstrdup(path);
}

void
sr_sys_set_statfs(struct sr_sys *s, sr_sys_statfs_fn fn, void *arg)
{
	s->statfs = fn != NULL ? fn : sys_statvfs;
	s->statfs_arg = fn != NULL ? arg : NULL;
}

void
sr_sys_want_procs(struct sr_sys *s, int every_tick)
{
	s->procs_every_tick = every_tick != 0;
}

int
sr_sys_sample(struct sr_sys *s, int64_t mono_us, struct sr_metric_set *out,
    struct sr_err *err)
{
	int next;

	s->dt_s = s->prev_us != 0 && mono_us > s->prev_us
	    ? (double)(mono_us - s->prev_us) / 1e6
	    : 0.0;
	if (sys_cpu_sample(s, out) < 0)
		return sr_err_set(err, "cannot read '%s/stat': %s", s->proc,
		    strerror(errno));
	sys_mem_sample(s, out);
	sys_psi_sample(s, out);
	sys_cgroup_sample(s, out);
	sys_disk_sample(s, out);
	sys_fs_sample(s, out);
	sys_net_sample(s, out);
	sys_thermal_sample(s, out);
	next = gpu_nvml_sample(s, out);
	next = gpu_sysfs_sample(s, next, out);
	if (next > 0)
		sr_metric_set_add(out, "gpu.count", "", next);
	sys_proc_sample(s, mono_us, out);
	s->prev_us = mono_us;
	return 0;
}

const struct sr_procinfo *
sr_sys_top_cpu(const struct sr_sys *s, int *n)
{
	*n = s->top.n_cpu;
	return s->top.cpu;
}

const struct sr_procinfo *
sr_sys_top_mem(const struct sr_sys *s, int *n)
{
	*n = s->top.n_mem;
	return s->top.mem;
}

void
sr_sys_toplist(const struct sr_sys *s, struct sr_toplist *out)
{
	*out = s->top;
}

void
sr_sys_host(struct sr_sys *s, struct sr_sys_host *out)
{
	char line[128];

	memset(out, 0, sizeof(*out));
	(void)sr_sysfs_read_line(s->proc, out->hostname, sizeof(out->hostname),
	    "sys/kernel/hostname");
	(void)sr_sysfs_read_line(s->proc, out->kernel, sizeof(out->kernel),
	    "sys/kernel/osrelease");
	if (sr_sysfs_read_line(s->proc, line, sizeof(line), "uptime") == 0)
		out->uptime_s = strtod(line, NULL);
	out->cpu_count = s->cpu_count;
}
