/* SPDX-License-Identifier: MIT */
/*
 * sys_int: what the dispatcher (sys.c) and the samplers of the sys
 * collector share (not for other modules): the handle and one sample
 * function per family (and a release function when it keeps state).
 * Each family lives in its own sys_<family>.c or gpu_<kind>.c; the file
 * reading helpers they use are in collectors/sysfs.h.
 */
#ifndef SR_COLLECTORS_SYS_INT_H
#define SR_COLLECTORS_SYS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/sys.h"
#include "collectors/sysfs.h"
#include "core/metric.h"
#include "core/util.h"

struct sys_procprev {
	int pid;
	uint64_t start; /* starttime: tells a reused pid */
	uint64_t ticks; /* utime + stime */
};

struct sys_user {
	unsigned uid;
	char name[32];
};

struct sys_nvml; /* gpu_nvml.c */

struct sr_sys {
	char *proc;
	char *sys;
	char *nvml_path;
	sr_sys_statfs_fn statfs;
	void *statfs_arg;
	struct sr_buf rd; /* the file being parsed */

	int64_t prev_us; /* 0: no sample yet */
	double dt_s;	 /* interval; 0 on the first */
	int cpu_count;

	/* sys_cpu.c */
	struct sr_sysfs_devtab cpus; /* "cpu", "cpu0", ... */
	uint64_t ctxt, intr, forks;
	int have_stat;
	/* sys_mem.c */
	uint64_t pswpin, pswpout;
	int have_vmstat;
	char *cg_path; /* cgroup v2 dir, NULL: none */
	uint64_t cg_usage_usec;
	int cg_checked;
	/* sys_disk.c, sys_net.c */
	struct sr_sysfs_devtab disks;
	struct sr_sysfs_devtab nets;
	/* sys_proc.c */
	int procs_every_tick;
	int64_t procs_last_us;
	struct sys_procprev *pprev;
	size_t npprev;
	struct sys_user users[64];
	size_t nusers;
	int procs_total, procs_zombie;
	int procs_scanned;
	struct sr_toplist top;
	/* gpu_nvml.c */
	struct sys_nvml *nvml;
	int nvml_tried;
};

/* The families, in the order sr_sys_sample() calls them. */
/* CPU, load, uptime; -1 (errno set) when PROC/stat cannot be read. */
int sys_cpu_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_mem_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_psi_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_cgroup_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_disk_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_fs_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_net_sample(struct sr_sys *s, struct sr_metric_set *out);
void sys_thermal_sample(struct sr_sys *s, struct sr_metric_set *out);
void
sys_proc_sample(struct sr_sys *s, int64_t mono_us, struct sr_metric_set *out);
/* GPUs: returns the next free index (NVML first, then sysfs cards). */
int gpu_nvml_sample(struct sr_sys *s, struct sr_metric_set *out);
int gpu_sysfs_sample(struct sr_sys *s, int first, struct sr_metric_set *out);

void sys_mem_release(struct sr_sys *s);
void sys_proc_release(struct sr_sys *s);
void gpu_nvml_release(struct sr_sys *s);

/* sys_fs.c: whether a mount (fields of a mounts line) is reported. */
int
sys_fs_wanted(const char *source, const char *mount_point, const char *fstype);
/* Undo the octal escapes (\040) of a mounts field, in place. */
void sys_fs_unescape(char *s);

#endif
