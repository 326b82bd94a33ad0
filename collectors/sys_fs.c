/* SPDX-License-Identifier: MIT */
/*
 * sys_fs: usage of the real filesystems listed in PROC/self/mounts (or
 * PROC/mounts), measured through the handle's statfs hook (statvfs by
 * default, a fake in tests).
 *
 * Left out: kernel and virtual filesystems (proc, sysfs, cgroup, devpts,
 * debugfs, ...), tmpfs/devtmpfs/ramfs (memory: counted in mem.shared_bytes),
 * squashfs (read-only images such as snaps, always full), overlay mounts
 * other than "/" (other containers' roots seen from the host), anything
 * under /proc, /sys, /dev, /run/user, /var/lib/docker, /snap, and a block
 * device already reported at an earlier mount point (bind mounts).
 * used = total - free (df's Used); used_pct = used / (used + available),
 * as df computes Use%.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

static const char *const fs_skip_types[] = {
	"proc",
	"sysfs",
	"cgroup",
	"cgroup2",
	"devtmpfs",
	"tmpfs",
	"ramfs",
	"devpts",
	"mqueue",
	"securityfs",
	"debugfs",
	"tracefs",
	"pstore",
	"bpf",
	"configfs",
	"fusectl",
	"hugetlbfs",
	"autofs",
	"binfmt_misc",
	"efivarfs",
	"rpc_pipefs",
	"nsfs",
	"squashfs",
	"selinuxfs",
	"nfsd",
	"fuse.lxcfs",
	"fuse.gvfsd-fuse",
	"fuse.portal",
	"fuse.snapfuse",
	"overlay_lower",
	"iso9660",
	NULL,
};

static const char *const fs_skip_dirs[] = {
	"/proc",
	"/sys",
	"/dev",
	"/run/user",
	"/var/lib/docker",
	"/var/lib/containers",
	"/snap",
	NULL,
};

int
sys_fs_wanted(const char *source, const char *mount_point, const char *fstype)
{
	(void)source;
	for (size_t i = 0; fs_skip_types[i] != NULL; i++)
		if (strcmp(fstype, fs_skip_types[i]) == 0)
			return 0;
	if (strcmp(fstype, "overlay") == 0 && strcmp(mount_point, "/") != 0)
		return 0;
	for (size_t i = 0; fs_skip_dirs[i] != NULL; i++) {
		size_t n = strlen(fs_skip_dirs[i]);

		if (strncmp(mount_point, fs_skip_dirs[i], n) == 0 &&
		    (mount_point[n] == '\0' || mount_point[n] == '/'))
			return 0;
	}
	return 1;
}

void
sys_fs_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
			    (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Whether source (a /dev path) appeared among the first n kept sources. */
static int
fs_seen(char (*seen)[256], size_t n, const char *source)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], source) == 0)
			return 1;
	return 0;
}

void
sys_fs_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "self/mounts");
	char(*seen)[256] = NULL;
	size_t nseen = 0, capseen = 0;
	char *copy;

	if (text == NULL)
		text = sr_sysfs_read(&s->rd, s->proc, "mounts");
	if (text == NULL)
		return;
	/* The statfs hook may not touch s->rd, but keep our own copy. */
	copy = sr_xstrdup(text);
	for (char *line = copy, *next; line != NULL && *line != '\0';
	     line = next) {
		char src[256], mnt[1024], type[64];
		struct sr_fs_usage u;
		uint64_t used;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (sscanf(line, "%255s %1023s %63s", src, mnt, type) != 3)
			continue;
		sys_fs_unescape(src);
		sys_fs_unescape(mnt);
		if (!sys_fs_wanted(src, mnt, type))
			continue;
		if (src[0] == '/' && fs_seen(seen, nseen, src))
			continue;
		memset(&u, 0, sizeof(u));
		if (s->statfs(mnt, &u, s->statfs_arg) < 0 || u.total_bytes == 0)
			continue;
		if (src[0] == '/') {
			if (nseen == capseen) {
				capseen = capseen ? capseen * 2 : 8;
				seen =
				    sr_xrealloc(seen, capseen * sizeof(*seen));
			}
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", src);
		}
		used = u.total_bytes > u.free_bytes
		    ? u.total_bytes - u.free_bytes
		    : 0;
		sr_metric_set_addf(out, "bytes", (double)u.total_bytes,
		    "fs.%s.total_bytes", mnt);
		sr_metric_set_addf(out, "bytes", (double)used,
		    "fs.%s.used_bytes", mnt);
		sr_metric_set_addf(out, "bytes", (double)u.avail_bytes,
		    "fs.%s.free_bytes", mnt);
		sr_metric_set_addf(out, "%",
		    used + u.avail_bytes > 0
			? 100.0 * (double)used / (double)(used + u.avail_bytes)
			: 0.0,
		    "fs.%s.used_pct", mnt);
		if (u.inodes_total > 0)
			sr_metric_set_addf(out, "%",
			    100.0 *
				(double)(u.inodes_total -
				    (u.inodes_free > u.inodes_total
					    ? u.inodes_total
					    : u.inodes_free)) /
				(double)u.inodes_total,
			    "fs.%s.inodes_used_pct", mnt);
	}
	free(seen);
	free(copy);
}
