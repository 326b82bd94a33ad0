/* SPDX-License-Identifier: MIT */
/*
 * src_file: follow a file of event lines like `tail -F`, woken by inotify
 * on its folder (never polled): from its end by default (?from=start reads
 * it all), through rotation by rename (the old file is read to its end,
 * then the new one from its start), truncation in place (copytruncate:
 * back to offset 0) and a file that does not exist yet (waiting).  A last
 * line without its newline waits until it is completed.
 *
 * Cursor: "DEV:INO:OFFSET", the byte after the last line handed out.
 * On resume, the same file continues at OFFSET; when the path now holds
 * another file, the old one is looked for in the same folder by inode
 * (rotated while we were down) and read from OFFSET first.
 *
 * Offsets stay exact because the bytes read are fed to the line splitter
 * in pieces of FILE_PIECE and every piece is drained whole before the
 * position advances: the position is then the end of the piece's last
 * newline.
 */
#include "collectors/src_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_BUF 65536
#define FILE_PIECE 4096	   /* <= 2048 events: see SR_SOURCE_READ_MAX */
#define FILE_RETRY_MS 1000 /* folder missing, or following a moved file */

struct file_src {
	struct src_common c;
	char *path, *dir;
	int from_start;
	int ifd, wd;
	int fd;
	dev_t dev;
	ino_t ino;
	int64_t off;	/* file offset of buf's end */
	int64_t pos;	/* after the last line handed */
	int64_t nl_end; /* after the last newline fed */
	char *buf;
	size_t buf_len, buf_used;
	struct sr_lines *lines;
	int started;
	int more;
	int moved; /* fd is no longer at path */
	int64_t retry_mono;
	int have_cur;
	uint64_t cur_dev, cur_ino;
	int64_t cur_off;
	int sent; /* a cursor was reported */
	uint64_t sent_dev, sent_ino;
	int64_t sent_pos;
};

static const char *const file_keys[] = { "from", "format", "service", NULL };

static void
file_free(struct file_src *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		(void)close(s->fd); /* read-only: nothing to lose */
	if (s->ifd >= 0)
		(void)close(s->ifd);
	sr_lines_free(s->lines);
	free(s->buf);
	free(s->path);
	free(s->dir);
	src_common_release(&s->c);
	free(s);
}

static void *
file_open(const char *spec, struct sr_err *err)
{
	const char *p = spec + strlen("file:"), *q = strchr(p, '?');
	size_t plen = q ? (size_t)(q - p) : strlen(p);
	struct src_opts o;
	struct sr_format_spec fmt = { .fmt = SR_FMT_AUTO };
	const char *v, *slash;
	struct file_src *s;

	if (plen == 0) {
		sr_err_set(err, "missing file path (file:PATH)");
		return NULL;
	}
	if (src_opts_parse(&o, q ? q + 1 : "", q ? strlen(q + 1) : 0, file_keys,
		err) < 0)
		return NULL;
	if ((v = src_opts_get(&o, "format")) != NULL &&
	    sr_format_spec_parse(v, &fmt, err) < 0) {
		src_opts_release(&o);
		return NULL;
	}
	v = src_opts_get(&o, "from");
	if (v != NULL && strcmp(v, "start") != 0 && strcmp(v, "end") != 0) {
		sr_err_set(err, "from must be start or end, not '%s'", v);
		src_opts_release(&o);
		return NULL;
	}
	s = sr_xcalloc(1, sizeof(*s));
	src_common_init(&s->c, spec, "file", SR_FMT_AUTO);
	src_common_set_format(&s->c, &fmt);
	s->from_start = v != NULL && strcmp(v, "start") == 0;
	if ((v = src_opts_get(&o, "service")) != NULL && v[0] != '\0')
		sr_parser_set_default_service(s->c.parser, v);
	src_opts_release(&o);
	s->path = sr_xstrndup(p, plen);
	slash = strrchr(s->path, '/');
	if (slash == NULL)
		s->dir = sr_xstrdup(".");
	else if (slash == s->path)
		s->dir = sr_xstrdup("/");
	else
		s->dir = sr_xstrndup(s->path, (size_t)(slash - s->path));
	s->fd = -1;
	s->wd = -1;
	s->buf = sr_xmalloc(FILE_BUF);
	s->lines = sr_lines_new();
	s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ifd < 0) {
		sr_err_set(err, "cannot start inotify: %s", strerror(errno));
		file_free(s);
		return NULL;
	}
	return s;
}

static int
file_set_cursor(void *self, const char *cursor, struct sr_err *err)
{
	struct file_src *s = self;
	uint64_t dev, ino;
	int64_t off;
	char tail;

	if (sscanf(cursor, "%" SCNu64 ":%" SCNu64 ":%" SCNd64 "%c", &dev, &ino,
		&off, &tail) != 3 ||
	    off < 0)
		return sr_err_set(err, "cursor '%s' is not DEV:INO:OFFSET",
		    cursor);
	s->have_cur = 1;
	s->cur_dev = dev;
	s->cur_ino = ino;
	s->cur_off = off;
	return 0;
}

/* Forget what was buffered and continue at file offset off. */
static void
file_reset_at(struct file_src *s, int64_t off)
{
	sr_lines_free(s->lines);
	s->lines = sr_lines_new();
	s->buf_len = s->buf_used = 0;
	s->off = s->pos = s->nl_end = off;
}

/* Close the followed file (read-only: close cannot lose data). */
static void
file_drop(struct file_src *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	s->moved = 0;
}

/* Start following fd at off. */
static int
file_take(struct file_src *s, int fd, const struct stat *st, int64_t off)
{
	if (lseek(fd, (off_t)off, SEEK_SET) < 0) {
		src_fail(&s->c, FILE_RETRY_MS, 60000, "cannot seek '%s': %s",
		    s->path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	file_drop(s);
	s->fd = fd;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	file_reset_at(s, off);
	return 0;
}

/* Offset just after the last newline in the file's last FILE_BUF bytes. */
static int64_t
file_end_offset(struct file_src *s, int fd, int64_t size)
{
	int64_t from = size > FILE_BUF ? size - FILE_BUF : 0;
	ssize_t r = pread(fd, s->buf, (size_t)(size - from), (off_t)from);

	if (r > 0) {
		for (ssize_t i = r - 1; i >= 0; i--)
			if (s->buf[i] == '\n')
				return from + i + 1;
	}
	return size;
}

/* Find the cursor's file in the folder by inode (rotated while down). */
static int
file_find_old(struct file_src *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	int fd = -1;

	if (d == NULL)
		return -1;
	while (fd < 0 && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if ((uint64_t)de->d_ino != s->cur_ino)
			continue;
		p = sr_xasprintf("%s/%s", s->dir, de->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 &&
		    (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
			(uint64_t)st.st_ino != s->cur_ino ||
			(uint64_t)st.st_dev != s->cur_dev ||
			st.st_size < s->cur_off)) {
			(void)close(fd);
			fd = -1;
		}
		free(p);
	}
	(void)closedir(d);
	return fd;
}

/*
 * Open the file at path when nothing is followed: where to start depends
 * on whether this is the first open (cursor, or end/start) or a file that
 * appeared later (its start).
 */
static void
file_open_path(struct file_src *s)
{
	struct stat st;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int64_t off = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			src_set_state(&s->c, SR_SRC_WAITING,
			    "file '%s' does not exist yet", s->path);
		else
			src_fail(&s->c, FILE_RETRY_MS, 60000,
			    "cannot open '%s': %s", s->path, strerror(errno));
		if (!s->started && s->have_cur && errno == ENOENT &&
		    (fd = file_find_old(s)) >= 0 && fstat(fd, &st) == 0 &&
		    file_take(s, fd, &st, s->cur_off) == 0) {
			s->started = 1;
			s->moved = 1;
			src_ok(&s->c);
		}
		/* A file that appears later is read from its start. */
		s->started = 1;
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		src_fail(&s->c, FILE_RETRY_MS, 60000,
		    "'%s' is not a regular "
		    "file",
		    s->path);
		(void)close(fd);
		return;
	}
	if (!s->started) {
		if (s->have_cur && (uint64_t)st.st_ino == s->cur_ino &&
		    (uint64_t)st.st_dev == s->cur_dev) {
			off = s->cur_off <= st.st_size ? s->cur_off : 0;
		} else if (s->have_cur) {
			int old = file_find_old(s);

			if (old >= 0) {
				struct stat ost;

				(void)close(fd);
				if (fstat(old, &ost) == 0 &&
				    file_take(s, old, &ost, s->cur_off) == 0) {
					s->started = 1;
					s->moved = 1;
					src_ok(&s->c);
				}
				return;
			}
			off = 0; /* rotated while down: a new file */
		} else if (!s->from_start) {
			off = file_end_offset(s, fd, st.st_size);
		}
	}
	if (file_take(s, fd, &st, off) < 0)
		return;
	s->started = 1;
	src_ok(&s->c);
}

/* Hand out every complete line fed so far; -1 when the sink refused. */
static int
file_drain(struct file_src *s, const struct sr_sink *sink, int64_t now_ms,
    int eof, int *n)
{
	const char *line;
	size_t len;
	int rc;

	while ((rc = sr_lines_next(s->lines, eof, &line, &len)) != 0) {
		if (rc == 2) {
			s->c.rejected++;
			s->c.rejected_by[SR_REJ_TOO_LONG]++;
			continue;
		}
		rc = src_emit_line(&s->c, sink, line, len, now_ms);
		if (rc < 0)
			return -1;
		*n += rc;
	}
	s->pos = eof ? s->off : s->nl_end;
	return 0;
}

/* Feed one piece of buf to the splitter and drain it. */
static int
file_piece(struct file_src *s, const struct sr_sink *sink, int64_t now_ms,
    int *n)
{
	size_t k = s->buf_len - s->buf_used;
	const char *p = s->buf + s->buf_used;
	int64_t piece_off;

	if (k > FILE_PIECE)
		k = FILE_PIECE;
	piece_off = s->off - (int64_t)(s->buf_len - s->buf_used);
	for (size_t i = k; i > 0; i--)
		if (p[i - 1] == '\n') {
			s->nl_end = piece_off + (int64_t)i;
			break;
		}
	sr_lines_feed(s->lines, p, k);
	s->buf_used += k;
	/* Until the whole buffer is fed, the position is the piece's end. */
	return file_drain(s, sink, now_ms, 0, n);
}

static int
file_report(struct file_src *s, const struct sr_sink *sink)
{
	char cur[96];

	if (s->fd < 0 ||
	    (s->sent && s->sent_dev == (uint64_t)s->dev &&
		s->sent_ino == (uint64_t)s->ino && s->sent_pos == s->pos))
		return 0;
	snprintf(cur, sizeof(cur), "%" PRIu64 ":%" PRIu64 ":%" PRId64,
	    (uint64_t)s->dev, (uint64_t)s->ino, s->pos);
	if (sink->cursor(sink->ctx, s->c.name, cur) < 0)
		return -1;
	s->sent = 1;
	s->sent_dev = (uint64_t)s->dev;
	s->sent_ino = (uint64_t)s->ino;
	s->sent_pos = s->pos;
	return 0;
}

/* At the end of what fd holds: truncated, replaced, or just caught up. */
static void
file_at_eof(struct file_src *s, const struct sr_sink *sink, int64_t now_ms,
    int *n, int *again)
{
	struct stat fst, pst;
	int have_path = stat(s->path, &pst) == 0;

	if (fstat(s->fd, &fst) == 0 && fst.st_size < s->off) {
		/* copytruncate: the same file starts over */
		if (lseek(s->fd, 0, SEEK_SET) == 0) {
			file_reset_at(s, 0);
			*again = 1;
		}
		return;
	}
	if (have_path && (pst.st_ino != s->ino || pst.st_dev != s->dev)) {
		/* Rotated: the old file is read out; its last line is done. */
		if (file_drain(s, sink, now_ms, 1, n) < 0)
			return;
		file_drop(s);
		file_open_path(s);
		*again = s->fd >= 0;
		return;
	}
	s->moved = !have_path;
}

static int
file_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct file_src *s = self;
	char ev[4096];
	int n = 0, again, rounds = 0;

	/* Empty the inotify queue: any event means "look again". */
	while (s->ifd >= 0 && read(s->ifd, ev, sizeof(ev)) > 0)
		;
	if (s->wd < 0) {
		if (s->retry_mono > sr_mono_ms())
			return 0;
		s->wd = inotify_add_watch(s->ifd, s->dir,
		    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY |
			IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB |
			IN_DELETE_SELF | IN_MOVE_SELF);
		if (s->wd < 0) {
			s->retry_mono = sr_mono_ms() + FILE_RETRY_MS;
			if (errno == ENOENT)
				s->started = 1;
			if (errno == ENOENT)
				src_set_state(&s->c, SR_SRC_WAITING,
				    "folder "
				    "'%s' does not exist yet",
				    s->dir);
			else
				src_fail(&s->c, FILE_RETRY_MS, 60000,
				    "cannot watch '%s': %s", s->dir,
				    strerror(errno));
			return 0;
		}
	}
	if (s->fd < 0)
		file_open_path(s);
	do {
		again = 0;
		while (s->fd >= 0 && n < SR_SOURCE_READ_MAX / 2) {
			ssize_t r;

			if (s->buf_used < s->buf_len) {
				if (file_piece(s, sink, now_ms, &n) < 0)
					goto refused;
				continue;
			}
			r = read(s->fd, s->buf, FILE_BUF);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				src_fail(&s->c, FILE_RETRY_MS, 60000,
				    "cannot read '%s': %s", s->path,
				    strerror(errno));
				file_drop(s);
				break;
			}
			if (r == 0) {
				file_at_eof(s, sink, now_ms, &n, &again);
				break;
			}
			s->buf_len = (size_t)r;
			s->buf_used = 0;
			s->off += r;
		}
		if (file_report(s, sink) < 0)
			goto refused;
	} while (again && n < SR_SOURCE_READ_MAX / 2 && ++rounds < 8);
	s->more = s->fd >= 0 && (n >= SR_SOURCE_READ_MAX / 2 || again);
	s->c.caught_up = s->fd >= 0 && !s->more;
	return n;
refused:
	/* Read again from the last reported position next time. */
	if (s->fd >= 0 && s->sent &&
	    lseek(s->fd, (off_t)s->sent_pos, SEEK_SET) >= 0)
		file_reset_at(s, s->sent_pos);
	return sr_err_set(err, "sink refused an event");
}

static int
file_fds(void *self, struct pollfd *out, int max)
{
	struct file_src *s = self;

	if (max < 1 || s->ifd < 0)
		return 0;
	out[0] = (struct pollfd){ .fd = s->ifd, .events = POLLIN };
	return 1;
}

static int
file_timeout_ms(void *self)
{
	struct file_src *s = self;

	if (s->more)
		return 0;
	if (s->wd < 0)
		return src_ms_until(s->retry_mono > 0 ? s->retry_mono : 1);
	if (s->c.state == SR_SRC_RETRYING)
		return src_ms_until(s->c.next_attempt_mono);
	/* A file moved out of the watched folder sends no more events. */
	return s->moved ? FILE_RETRY_MS : -1;
}

static void
file_status(const void *self, struct sr_source_status *st)
{
	const struct file_src *s = self;

	src_common_status(&s->c, st);
}

static void
file_close(void *self)
{
	file_free(self);
}

const struct sr_collector_ops sr_src_file_ops = {
	.kind = "file",
	.open = file_open,
	.fds = file_fds,
	.timeout_ms = file_timeout_ms,
	.read = file_read,
	.status = file_status,
	.set_cursor = file_set_cursor,
	.close = file_close,
};
