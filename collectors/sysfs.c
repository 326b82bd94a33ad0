/* SPDX-License-Identifier: MIT */
/* sysfs: see sysfs.h. */
#include "collectors/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
sr_sysfs_path(char *dst, size_t cap, const char *root, const char *fmt, ...)
{
	va_list ap;
	int a, b;

	a = snprintf(dst, cap, "%s/", root);
	if (a < 0 || (size_t)a >= cap)
		return -1;
	va_start(ap, fmt);
	b = vsnprintf(dst + a, cap - (size_t)a, fmt, ap);
	va_end(ap);
	if (b < 0 || (size_t)b >= cap - (size_t)a)
		return -1;
	return 0;
}

static int
sysfs_vpath(char *dst, size_t cap, const char *root, const char *fmt,
    va_list ap)
{
	int a, b;

	a = snprintf(dst, cap, "%s/", root);
	if (a < 0 || (size_t)a >= cap)
		return -1;
	b = vsnprintf(dst + a, cap - (size_t)a, fmt, ap);
	if (b < 0 || (size_t)b >= cap - (size_t)a)
		return -1;
	return 0;
}

/* Read fd to the end into b (reset first); 0 or -1. */
static int
sysfs_slurp(int fd, struct sr_buf *b)
{
	sr_buf_reset(b);
	for (;;) {
		ssize_t r;

		sr_buf_grow(b, 4096);
		r = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
	return 0;
}

const char *
sr_sysfs_read(struct sr_buf *rd, const char *root, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int fd, rc;

	va_start(ap, fmt);
	rc = sysfs_vpath(path, sizeof(path), root, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	rc = sysfs_slurp(fd, rd);
	(void)close(fd); /* read-only: nothing to lose */
	return rc < 0 ? NULL : rd->data;
}

/* Read the first line of the file at path into dst; 0 or -1. */
static int
sysfs_line_at(const char *path, char *dst, size_t cap)
{
	ssize_t r;
	int fd;

	if (cap == 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = read(fd, dst, cap - 1);
	while (r < 0 && errno == EINTR);
	(void)close(fd); /* read-only: nothing to lose */
	if (r < 0)
		return -1;
	dst[r] = '\0';
	dst[strcspn(dst, "\n")] = '\0';
	return 0;
}

int
sr_sysfs_read_line(const char *root, char *dst, size_t cap, const char *fmt,
    ...)
{
	char path[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sysfs_vpath(path, sizeof(path), root, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	return sysfs_line_at(path, dst, cap);
}

int
sr_sysfs_read_i64(const char *root, int64_t *out, const char *fmt, ...)
{
	char path[4096], line[64], *end;
	va_list ap;
	long long v;
	int rc;

	va_start(ap, fmt);
	rc = sysfs_vpath(path, sizeof(path), root, fmt, ap);
	va_end(ap);
	if (rc < 0 || sysfs_line_at(path, line, sizeof(line)) < 0)
		return -1;
	errno = 0;
	v = strtoll(line, &end, 10);
	if (errno != 0 || end == line)
		return -1;
	*out = v;
	return 0;
}

void
sr_sysfs_devtab_begin(struct sr_sysfs_devtab *t)
{
	t->gen++;
}

struct sr_sysfs_dev *
sr_sysfs_devtab_get(struct sr_sysfs_devtab *t, const char *name, int *fresh)
{
	struct sr_sysfs_dev *d;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].name, name) == 0) {
			t->v[i].seen = t->gen;
			*fresh = 0;
			return &t->v[i];
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = sr_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	d = &t->v[t->n++];
	memset(d, 0, sizeof(*d));
	(void)snprintf(d->name, sizeof(d->name), "%s", name);
	d->seen = t->gen;
	*fresh = 1;
	return d;
}

void
sr_sysfs_devtab_end(struct sr_sysfs_devtab *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].seen == t->gen)
			t->v[kept++] = t->v[i];
	t->n = kept;
}

void
sr_sysfs_devtab_release(struct sr_sysfs_devtab *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
