/* SPDX-License-Identifier: MIT */
/*
 * sys: metrics of this machine read from /proc and /sys (no external
 * command): CPU, load, processes, memory and swap, pressure, disks,
 * filesystems, network, temperatures, GPUs, cgroup v2 limits, and the top
 * processes by CPU and memory.  Metric names are listed in man sitrep
 * (METRIC NAMES).
 *
 * Rates and percentages are deltas between two samples, so the first
 * sr_sys_sample() after open only primes the counters and reports gauges.
 * A counter that goes down (a device re-added, a 32-bit wrap) is taken as a
 * reset: the rates it feeds are left out of that one sample, never negative.
 * Things that appear (a hot-plugged core, a new interface) report rates from
 * their second sample on; things that vanish are forgotten.
 *
 * The roots default to $SITREP_PROC / $SITREP_SYS, else /proc and /sys, so
 * tests run on fixture trees.  A handle is used by one thread.
 */
#ifndef SR_COLLECTORS_SYS_H
#define SR_COLLECTORS_SYS_H

#include <stdint.h>

#include "core/metric.h"
#include "core/util.h"

struct sr_sys;

/*
 * Open a collector over proc_root and sys_root (NULL: environment, then
 * "/proc" and "/sys").  Fails (NULL, detail in err) only when proc_root
 * has no readable stat file.  The NVML library ($SITREP_NVML_LIB, else
 * "libnvidia-ml.so.1") is loaded on the first sample if it exists.
 */
struct sr_sys *
sr_sys_open(const char *proc_root, const char *sys_root, struct sr_err *err);
/* Unload everything; NULL does nothing. */
void sr_sys_close(struct sr_sys *s);

/*
 * Switch the roots of an open collector, keeping its counters (tests take
 * their two samples from two snapshots of a fixture tree).  NULL keeps the
 * current root.
 */
void
sr_sys_set_roots(struct sr_sys *s, const char *proc_root, const char *sys_root);

/* Use this NVML library path instead; call before the first sample. */
void sr_sys_set_nvml_lib(struct sr_sys *s, const char *path);

/* Usage of one filesystem, as statvfs gives it, in bytes and inodes. */
struct sr_fs_usage {
	uint64_t total_bytes;
	uint64_t free_bytes;  /* free to everyone (f_bfree) */
	uint64_t avail_bytes; /* free to unprivileged users */
	uint64_t inodes_total;
	uint64_t inodes_free;
};
/* Returns 0 and fills out, or -1 to skip that mount. */
typedef int (*sr_sys_statfs_fn)(const char *mount_point,
    struct sr_fs_usage *out, void *arg);
/*
 * Replace the function that measures a mount point (default: stat() to
 * skip non-directories, then statvfs()).  Tests use this with fixtures.
 */
void sr_sys_set_statfs(struct sr_sys *s, sr_sys_statfs_fn fn, void *arg);

/*
 * Take one sample at monotonic time mono_us and add its metrics to out
 * (out is not cleared first).  Returns 0, or -1 with detail in err when the
 * roots cannot be read at all; a missing or malformed file of one family
 * only leaves that family out.
 */
int sr_sys_sample(struct sr_sys *s, int64_t mono_us, struct sr_metric_set *out,
    struct sr_err *err);

/*
 * every_tick != 0: scan processes on every sample (someone shows the top
 * lists); 0: scan at most every 5 s (the default).
 */
void sr_sys_want_procs(struct sr_sys *s, int every_tick);

/*
 * The top lists of the latest process scan, heaviest first; *n gets the
 * length (0 before the second scan for CPU).  Borrowed until the next
 * sr_sys_sample() or sr_sys_close().
 */
const struct sr_procinfo *sr_sys_top_cpu(const struct sr_sys *s, int *n);
const struct sr_procinfo *sr_sys_top_mem(const struct sr_sys *s, int *n);
/* Both lists as one copyable value. */
void sr_sys_toplist(const struct sr_sys *s, struct sr_toplist *out);

struct sr_sys_host {
	char hostname[256];
	char kernel[128]; /* PROC/sys/kernel/osrelease */
	double uptime_s;
	int cpu_count; /* online cores, from the latest sample */
};
/* Fill host information (read now); fields that cannot be read are "". */
void sr_sys_host(struct sr_sys *s, struct sr_sys_host *out);

#endif
