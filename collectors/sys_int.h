/* SPDX-License-Identifier: MIT */
/*
 * sys_int: what the files of the sys collector share (not for other
 * modules).  sys.c owns the handle, the roots and the file helpers; each
 * family lives in its own sys_<family>.c or gpu_<kind>.c and exports one
 * sample function (and a release function when it keeps state).
 */
#ifndef SR_COLLECTORS_SYS_INT_H
#define SR_COLLECTORS_SYS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/sys.h"
#include "core/metric.h"
#include "core/util.h"

/* Counters of one named thing (a core, a disk, an interface) last time. */
#define SYS_DEV_COUNTERS 16
struct sys_dev {
	char name[64];
	uint64_t c[SYS_DEV_COUNTERS];
	uint32_t seen; /* generation it was last seen in */
};

struct sys_devtab {
	struct sys_dev *v;
	size_t n;
	size_t cap;
	uint32_t gen;
};

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
	struct sys_devtab cpus; /* "cpu", "cpu0", ... */
	uint64_t ctxt, intr, forks;
	int have_stat;
	/* sys_mem.c */
	uint64_t pswpin, pswpout;
	int have_vmstat;
	char *cg_path; /* cgroup v2 dir, NULL: none */
	uint64_t cg_usage_usec;
	int cg_checked;
	/* sys_disk.c, sys_net.c */
	struct sys_devtab disks;
	struct sys_devtab nets;
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

/* sys.c: file helpers.  Paths are ROOT + "/" + printf(fmt). */

/*
 * Read a whole file under root into s->rd; returns its text (valid until
 * the next sys_read) or NULL when it cannot be read.
 */
const char *sys_read(struct sr_sys *s, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Read a small file's first line (newline dropped) into dst; 0 or -1. */
int sys_read_line(const char *root, char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read a file holding one integer; 0 or -1. */
int sys_read_i64(const char *root, int64_t *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Build ROOT/fmt into dst; -1 when it does not fit. */
int sys_path(char *dst, size_t cap, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * cur - prev into *d and return 1; return 0 when the counter went down
 * (a reset or wrap: the rate is unknown for this interval).
 */
static inline int
sys_delta(uint64_t prev, uint64_t cur, uint64_t *d)
{
	if (cur < prev)
		return 0;
	*d = cur - prev;
	return 1;
}

/* Start a pass over a table: entries not looked up by the end are stale. */
void sys_devtab_begin(struct sys_devtab *t);
/*
 * The entry for name; *fresh = 1 when it was just created (its counters
 * are zero and should be filled, no rate this time).
 */
struct sys_dev *
sys_devtab_get(struct sys_devtab *t, const char *name, int *fresh);
/* Forget entries not looked up since sys_devtab_begin(). */
void sys_devtab_end(struct sys_devtab *t);
void sys_devtab_release(struct sys_devtab *t);

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
