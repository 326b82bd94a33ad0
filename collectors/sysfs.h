/* SPDX-License-Identifier: MIT */
/*
 * sysfs: file helpers of the system samplers.  Read a file under a root
 * (/proc, /sys, a cgroup directory or a test fixture) whole or its first
 * line, read one integer, build a path, and keep per-device counters from
 * one sample to the next.  Paths are ROOT + "/" + printf(fmt).  Nothing
 * here knows which files a sampler reads.
 */
#ifndef SR_COLLECTORS_SYSFS_H
#define SR_COLLECTORS_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/*
 * Counters of one named thing (a core, a disk, an interface) last time,
 * in a small table a sampler keeps between samples.
 */
#define SR_SYSFS_DEV_COUNTERS 16
struct sr_sysfs_dev {
	char name[64];
	uint64_t c[SR_SYSFS_DEV_COUNTERS];
	uint32_t seen; /* generation it was last seen in */
};

struct sr_sysfs_devtab {
	struct sr_sysfs_dev *v;
	size_t n;
	size_t cap;
	uint32_t gen;
};

/*
 * Read a whole file under root into rd (reset first); returns rd's text
 * (valid until rd changes) or NULL when it cannot be read.
 */
const char *sr_sysfs_read(struct sr_buf *rd, const char *root, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Read a small file's first line (newline dropped) into dst; 0 or -1. */
int sr_sysfs_read_line(const char *root, char *dst, size_t cap, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* Read a file holding one integer; 0 or -1. */
int sr_sysfs_read_i64(const char *root, int64_t *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Build ROOT/fmt into dst; -1 when it does not fit. */
int sr_sysfs_path(char *dst, size_t cap, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * cur - prev into *d and return 1; return 0 when the counter went down
 * (a reset or wrap: the rate is unknown for this interval).
 */
static inline int
sr_sysfs_delta(uint64_t prev, uint64_t cur, uint64_t *d)
{
	if (cur < prev)
		return 0;
	*d = cur - prev;
	return 1;
}

/* Start a pass over a table: entries not looked up by the end are stale. */
void sr_sysfs_devtab_begin(struct sr_sysfs_devtab *t);
/*
 * The entry for name; *fresh = 1 when it was just created (its counters
 * are zero and should be filled, no rate this time).
 */
struct sr_sysfs_dev *
sr_sysfs_devtab_get(struct sr_sysfs_devtab *t, const char *name, int *fresh);
/* Forget entries not looked up since sr_sysfs_devtab_begin(). */
void sr_sysfs_devtab_end(struct sr_sysfs_devtab *t);
void sr_sysfs_devtab_release(struct sr_sysfs_devtab *t);

#endif
