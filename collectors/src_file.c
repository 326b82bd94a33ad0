/* SPDX-License-Identifier: MIT */
/*
 * src_file: follow a file of event lines like `tail -F`, woken by inotify
 * on its folder (never polled): from its end by default (?from=start reads
 * it all), through rotation by rename, truncation in place (copytruncate)
 * and a file that does not exist yet (waiting).  A last line without its
 * newline waits until it is completed.
 *
 * Rotation by rename: when another file appears at the path, it is queued
 * (held open, up to FILE_NEXT_MAX of them: several rotations in a row) and
 * the renamed file is still read, because its writer keeps writing to it
 * until it reopens its log (nginx after USR1).  Once the renamed file has
 * not grown for the grace period (grace=, default 2s) it is read out and
 * the next queued file is read from its start.  A copy nobody writes, or a
 * file with two files queued after it, is left at once.
 *
 * Cursor: "DEV:INO:OFFSET:FPLEN:FPHASH", the byte after the last line
 * handed out, and a fingerprint of the file's head: FNV-1a 64 of FPLEN
 * (the first min(OFFSET, 1024) bytes, all of them already read) and of
 * those bytes.  Today's "DEV:INO:OFFSET" is still accepted (no head to
 * check).  On resume (file_resume):
 *   - the same inode at the path, at least OFFSET long, same head: on;
 *   - else the cursor's file is looked for in the folder, by inode
 *     (rotated by rename while we were down) or by its head (a copy:
 *     copytruncate while down), and read from OFFSET; then the files
 *     rotated after it (siblings named PATH.* or PATH-*, newer, not
 *     compressed, oldest first) and the path from their starts;
 *   - else the path from 0.
 * Following a file, a size below what was read or a head that no longer
 * matches is a truncation: the same search finds the copy copytruncate
 * made, whose unread end is read first; then the file from 0.
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

#include "core/hmap.h"
#include "core/timeutil.h"

#define FILE_BUF 65536
#define FILE_PIECE 4096	   /* <= 2048 events: see SR_SOURCE_READ_MAX */
#define FILE_RETRY_MS 1000 /* folder missing, or following a moved file */
#define FILE_FP_MAX 1024   /* bytes of the head in the fingerprint */
#define FILE_NEXT_MAX 8	   /* files queued after the one read */
#define FILE_GRACE_MS 2000 /* a replaced file idle this long is done */

/* A file queued to be read after the current one, from its start. */
struct file_next {
	int fd;
	uint64_t dev, ino;
};

struct file_src {
	struct src_common c;
	char *path, *dir;
	int from_start;
	int64_t grace_ms;
	int ifd, wd;
	int fd;
	uint64_t dev, ino;
	int is_copy;	    /* fd is a copy nobody writes (copytruncate) */
	uint32_t fp_len;    /* fingerprint of fd's first fp_len bytes */
	uint64_t fp_hash;   /* (fp_len <= pos) */
	int64_t idle_since; /* at the end of a replaced file since (mono) */
	struct file_next next[FILE_NEXT_MAX];
	int nnext;
	int64_t off;	  /* file offset of buf's end */
	int64_t pos;	  /* after the last line handed */
	int64_t nl_end;	  /* after the last newline fed */
	int64_t take_pos; /* where fd was entered */
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
	uint32_t cur_fp_len; /* 0: no fingerprint (DEV:INO:OFFSET) */
	uint64_t cur_fp_hash;
	int sent; /* a cursor was reported */
	uint64_t sent_dev, sent_ino;
	int64_t sent_pos;
};

static const char *const file_keys[] = { "from", "format", "service", "grace",
	NULL };

static void
file_free(struct file_src *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		(void)close(s->fd); /* read-only: nothing to lose */
	if (s->ifd >= 0)
		(void)close(s->ifd);
	for (int i = 0; i < s->nnext; i++)
		(void)close(s->next[i].fd);
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
	int64_t grace = FILE_GRACE_MS;

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
	if ((v = src_opts_get(&o, "grace")) != NULL &&
	    (sr_duration_parse(v, &grace, NULL) < 0 || grace < 0)) {
		sr_err_set(err, "grace: bad duration '%s'", v);
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
	s->grace_ms = grace;
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
	uint64_t dev, ino, hash = 0;
	int64_t off;
	unsigned len = 0;
	int used = -1, n;

	n = sscanf(cursor,
	    "%" SCNu64 ":%" SCNu64 ":%" SCNd64 "%n:%u:%16" SCNx64 "%n", &dev,
	    &ino, &off, &used, &len, &hash, &used);
	if ((n != 3 && n != 5) || used < 0 || cursor[used] != '\0' || off < 0 ||
	    len > FILE_FP_MAX || (int64_t)len > off)
		return sr_err_set(err,
		    "cursor '%s' is not DEV:INO:OFFSET[:FPLEN:FPHASH]", cursor);
	s->have_cur = 1;
	s->cur_dev = dev;
	s->cur_ino = ino;
	s->cur_off = off;
	s->cur_fp_len = n == 5 ? len : 0;
	s->cur_fp_hash = hash;
	return 0;
}

/* The fingerprint of fd's first len bytes; -1 when it has fewer. */
static int
file_head(int fd, uint32_t len, uint64_t *hash)
{
	/* FNV-1a 64 (sr_hash_bytes) of the length, 4 bytes little-endian,
	 * then the bytes */
	unsigned char b[4 + FILE_FP_MAX];
	ssize_t r;

	if (len > FILE_FP_MAX)
		return -1;
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(len >> (8 * i));
	do
		r = pread(fd, b + 4, len, 0);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)len)
		return -1;
	*hash = sr_hash_bytes(b, 4 + (size_t)len);
	return 0;
}

/* Does fd (of size size) still hold what the cursor was taken in? */
static int
file_is_cursor_file(const struct file_src *s, int fd, int64_t size)
{
	uint64_t h;

	if (size < s->cur_off)
		return 0;
	return s->cur_fp_len == 0 ||
	    (file_head(fd, s->cur_fp_len, &h) == 0 && h == s->cur_fp_hash);
}

/* Forget what was buffered and continue at file offset off. */
static void
file_reset_at(struct file_src *s, int64_t off)
{
	sr_lines_free(s->lines);
	s->lines = sr_lines_new();
	s->buf_len = s->buf_used = 0;
	s->off = s->pos = s->nl_end = off;
	if ((int64_t)s->fp_len > off)
		s->fp_len = 0;
	s->idle_since = 0;
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
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->is_copy = 0;
	s->fp_len = 0;
	s->take_pos = off;
	file_reset_at(s, off);
	return 0;
}

/* Is (dev, ino) the followed file or one queued? */
static int
file_known(const struct file_src *s, uint64_t dev, uint64_t ino)
{
	if (s->fd >= 0 && s->dev == dev && s->ino == ino)
		return 1;
	for (int i = 0; i < s->nnext; i++)
		if (s->next[i].dev == dev && s->next[i].ino == ino)
			return 1;
	return 0;
}

/* Queue fd (read from its start after those queued); closes it if full. */
static void
file_push(struct file_src *s, int fd, const struct stat *st)
{
	if (s->nnext == FILE_NEXT_MAX ||
	    file_known(s, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) {
		(void)close(fd);
		return;
	}
	s->next[s->nnext++] = (struct file_next){ .fd = fd,
		.dev = (uint64_t)st->st_dev,
		.ino = (uint64_t)st->st_ino };
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

/* A rotated sibling of the path: its name, its change time. */
struct file_sib {
	char *name;
	struct timespec mt;
};

static int
file_sib_cmp(const void *a, const void *b)
{
	const struct file_sib *x = a, *y = b;

	if (x->mt.tv_sec != y->mt.tv_sec)
		return x->mt.tv_sec < y->mt.tv_sec ? -1 : 1;
	if (x->mt.tv_nsec != y->mt.tv_nsec)
		return x->mt.tv_nsec < y->mt.tv_nsec ? -1 : 1;
	return strcmp(y->name, x->name); /* PATH.2 before PATH.1 */
}

/* Is name a rotated, uncompressed copy of base (base.N, base-DATE)? */
static int
file_is_sibling(const char *name, const char *base)
{
	static const char *const packed[] = { ".gz", ".bz2", ".xz", ".zst",
		".lz4", ".Z", ".zip", NULL };
	size_t bl = strlen(base), nl = strlen(name);

	if (nl <= bl + 1 || strncmp(name, base, bl) != 0 ||
	    (name[bl] != '.' && name[bl] != '-' && name[bl] != '_'))
		return 0;
	for (int i = 0; packed[i] != NULL; i++) {
		size_t pl = strlen(packed[i]);

		if (nl > pl && strcmp(name + nl - pl, packed[i]) == 0)
			return 0;
	}
	return 1;
}

/* The path's last component. */
static const char *
file_base(const struct file_src *s)
{
	const char *base = strrchr(s->path, '/');

	return base ? base + 1 : s->path;
}

/*
 * Find the cursor's file in the folder, other than inode skip (the
 * path's): by inode, or else, with a fingerprint, by its head (a copy).
 * Returns an fd (*copy says which) or -1.
 */
static int
file_find_old(struct file_src *s, uint64_t skip, int *copy)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	int fd = -1, cfd = -1;
	const char *base = file_base(s);

	if (d == NULL)
		return -1;
	while (fd < 0 && (de = readdir(d)) != NULL) {
		int by_ino = (uint64_t)de->d_ino == s->cur_ino, f;
		struct stat st;

		/* Copies only among the path's siblings: opening and closing
		 * another program's file (a database) would drop its locks. */
		if ((uint64_t)de->d_ino == skip ||
		    (!by_ino &&
			(cfd >= 0 || s->cur_fp_len == 0 ||
			    !file_is_sibling(de->d_name, base))))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_size < s->cur_off ||
		    (by_ino && (uint64_t)st.st_dev != s->cur_dev))
			continue;
		f = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (f < 0)
			continue;
		if (fstat(f, &st) < 0 || (uint64_t)st.st_ino != de->d_ino ||
		    !file_is_cursor_file(s, f, st.st_size))
			(void)close(f);
		else if (by_ino)
			fd = f;
		else
			cfd = f;
	}
	(void)closedir(d);
	*copy = fd < 0 && cfd >= 0;
	if (fd >= 0 && cfd >= 0)
		(void)close(cfd);
	return fd >= 0 ? fd : cfd;
}

/*
 * Queue the files rotated after old while we were not reading (siblings
 * of the path changed later than old, oldest first), but not the path's
 * own file (inode skip), which comes last.
 */
static void
file_push_siblings(struct file_src *s, const struct stat *old, uint64_t skip)
{
	const char *base = file_base(s);
	struct file_sib sib[FILE_NEXT_MAX];
	int n = 0;
	DIR *d = opendir(s->dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if ((uint64_t)de->d_ino == skip ||
		    (uint64_t)de->d_ino == (uint64_t)old->st_ino ||
		    !file_is_sibling(de->d_name, base) ||
		    fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode) ||
		    st.st_mtim.tv_sec < old->st_mtim.tv_sec ||
		    (st.st_mtim.tv_sec == old->st_mtim.tv_sec &&
			st.st_mtim.tv_nsec <= old->st_mtim.tv_nsec))
			continue;
		if (n == FILE_NEXT_MAX - 1) {
			/* keep the oldest ones: they are read first */
			qsort(sib, (size_t)n, sizeof(sib[0]), file_sib_cmp);
			if (file_sib_cmp(&(struct file_sib){ .name = de->d_name,
					     .mt = st.st_mtim },
				&sib[n - 1]) >= 0)
				continue;
			free(sib[--n].name);
		}
		sib[n].name = sr_xstrdup(de->d_name);
		sib[n++].mt = st.st_mtim;
	}
	qsort(sib, (size_t)n, sizeof(sib[0]), file_sib_cmp);
	for (int i = 0; i < n; i++) {
		int f = openat(dirfd(d), sib[i].name,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		struct stat st;

		if (f >= 0 && fstat(f, &st) == 0)
			file_push(s, f, &st);
		else if (f >= 0)
			(void)close(f);
		free(sib[i].name);
	}
	(void)closedir(d);
}

/*
 * Continue after the cursor (cur_*), with pfd the file now at the path
 * (or -1): see the top of the file.  Takes pfd.
 */
static void
file_resume(struct file_src *s, int pfd, const struct stat *pst)
{
	uint64_t skip = pfd >= 0 ? (uint64_t)pst->st_ino : 0;
	int old = -1, copy = 0;
	struct stat ost;

	if (pfd >= 0 && (uint64_t)pst->st_ino == s->cur_ino &&
	    (uint64_t)pst->st_dev == s->cur_dev &&
	    file_is_cursor_file(s, pfd, pst->st_size)) {
		(void)file_take(s, pfd, pst, s->cur_off);
		return;
	}
	if (s->cur_off > 0)
		old = file_find_old(s, skip, &copy);
	if (old >= 0 && fstat(old, &ost) == 0 &&
	    file_take(s, old, &ost, s->cur_off) == 0) {
		s->is_copy = copy;
		file_push_siblings(s, &ost, skip);
		if (pfd >= 0)
			file_push(s, pfd, pst);
		return;
	}
	if (old >= 0)
		(void)close(old);
	if (pfd >= 0)
		(void)file_take(s, pfd, pst, 0); /* another file: its start */
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
		if (!s->started && s->have_cur && errno == ENOENT) {
			file_resume(s, -1, NULL);
			if (s->fd >= 0)
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
	if (!s->started && s->have_cur) {
		file_resume(s, fd, &st);
		s->started = 1;
		if (s->fd >= 0)
			src_ok(&s->c);
		return;
	}
	if (!s->started && !s->from_start)
		off = file_end_offset(s, fd, st.st_size);
	if (file_take(s, fd, &st, off) < 0)
		return;
	s->started = 1;
	src_ok(&s->c);
}

/*
 * Look at the path: another file there is queued (rotation by rename).
 * Then at the followed file: shorter than what was read, or another head,
 * it was truncated (copytruncate): 1, else 0.
 */
static int
file_watch(struct file_src *s)
{
	struct stat st;
	uint64_t h;

	if (stat(s->path, &st) < 0 || !S_ISREG(st.st_mode)) {
		s->moved = 1;
	} else if ((uint64_t)st.st_ino == s->ino &&
	    (uint64_t)st.st_dev == s->dev) {
		s->moved = 0;
	} else {
		s->moved = 1;
		if (!file_known(s, (uint64_t)st.st_dev, (uint64_t)st.st_ino)) {
			int f =
			    open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

			if (f >= 0 && fstat(f, &st) == 0 && S_ISREG(st.st_mode))
				file_push(s, f, &st);
			else if (f >= 0)
				(void)close(f);
		}
	}
	if (fstat(s->fd, &st) < 0)
		return 0;
	return st.st_size < s->off ||
	    (s->fp_len > 0 &&
		(file_head(s->fd, s->fp_len, &h) < 0 || h != s->fp_hash));
}

/*
 * The followed file was truncated: the lines after pos may be in the
 * copy copytruncate made; read them there first, then the file from 0.
 */
static void
file_truncated(struct file_src *s)
{
	struct stat st = { 0 };
	int pfd;

	if (s->moved || s->nnext > 0 || s->pos == 0) {
		if (lseek(s->fd, 0, SEEK_SET) == 0)
			file_reset_at(s, 0);
		return;
	}
	s->cur_dev = s->dev;
	s->cur_ino = s->ino;
	s->cur_off = s->pos;
	s->cur_fp_len = s->fp_len;
	s->cur_fp_hash = s->fp_hash;
	file_drop(s);
	pfd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (pfd >= 0 && (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode))) {
		(void)close(pfd);
		pfd = -1;
	}
	file_resume(s, pfd, &st);
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

/* Extend the fingerprint to the head read so far (up to FILE_FP_MAX). */
static void
file_fp_update(struct file_src *s)
{
	uint32_t want = s->pos > FILE_FP_MAX ? FILE_FP_MAX : (uint32_t)s->pos;
	uint64_t h;

	if (want > s->fp_len && file_head(s->fd, want, &h) == 0) {
		s->fp_len = want;
		s->fp_hash = h;
	}
}

static int
file_report(struct file_src *s, const struct sr_sink *sink)
{
	char cur[128];

	if (s->fd < 0)
		return 0;
	file_fp_update(s);
	if (s->sent && s->sent_dev == s->dev && s->sent_ino == s->ino &&
	    s->sent_pos == s->pos)
		return 0;
	snprintf(cur, sizeof(cur),
	    "%" PRIu64 ":%" PRIu64 ":%" PRId64 ":%" PRIu32 ":%016" PRIx64,
	    s->dev, s->ino, s->pos, s->fp_len, s->fp_hash);
	if (sink->cursor(sink->ctx, s->c.name, cur) < 0)
		return -1;
	s->sent = 1;
	s->sent_dev = s->dev;
	s->sent_ino = s->ino;
	s->sent_pos = s->pos;
	return 0;
}

/*
 * At the end of what fd holds, with a file queued after it: read it out
 * and go on to the next one, once its writer has moved on (the grace
 * period without growth).  0, or -1 when the sink refused.
 */
static int
file_at_eof(struct file_src *s, const struct sr_sink *sink, int64_t now_ms,
    int *n, int *again)
{
	int64_t now = sr_mono_ms();
	struct file_next nx;
	struct stat st;

	if (s->nnext == 0)
		return 0;
	if (!s->is_copy && s->nnext == 1) {
		if (s->idle_since == 0)
			s->idle_since = now;
		if (now - s->idle_since < s->grace_ms)
			return 0;
	}
	/* Its last line is done; the cursor moves past it first. */
	if (file_drain(s, sink, now_ms, 1, n) < 0 || file_report(s, sink) < 0)
		return -1;
	nx = s->next[0];
	memmove(s->next, s->next + 1, (size_t)(--s->nnext) * sizeof(nx));
	if (fstat(nx.fd, &st) < 0) {
		(void)close(nx.fd);
		*again = 1;
		return 0;
	}
	*again = file_take(s, nx.fd, &st, 0) == 0;
	return 0;
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
		if (s->fd >= 0 && file_watch(s))
			file_truncated(s);
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
				if (file_watch(s)) {
					file_truncated(s);
					again = 1;
				} else if (file_at_eof(s, sink, now_ms, &n,
					       &again) < 0)
					goto refused;
				break;
			}
			s->idle_since = 0;
			s->buf_len = (size_t)r;
			s->buf_used = 0;
			s->off += r;
		}
		if (file_report(s, sink) < 0)
			goto refused;
	} while (again && n < SR_SOURCE_READ_MAX / 2 && ++rounds < 8);
	s->more = s->fd >= 0 && (n >= SR_SOURCE_READ_MAX / 2 || again);
	/* A file queued after this one is not read yet. */
	s->c.caught_up = s->fd >= 0 && !s->more && s->nnext == 0;
	return n;
refused:
	/* Read again from the last reported position next time. */
	if (s->fd >= 0) {
		/* or where this file was entered, after the last report */
		int64_t at =
		    s->sent && s->sent_dev == s->dev && s->sent_ino == s->ino
		    ? s->sent_pos
		    : s->take_pos;

		if (lseek(s->fd, (off_t)at, SEEK_SET) >= 0)
			file_reset_at(s, at);
	}
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
	int t = -1;

	if (s->more)
		return 0;
	if (s->wd < 0)
		return src_ms_until(s->retry_mono > 0 ? s->retry_mono : 1);
	if (s->c.state == SR_SRC_RETRYING)
		return src_ms_until(s->c.next_attempt_mono);
	/* The end of a replaced file: switch when the grace is over. */
	if (s->fd >= 0 && s->nnext > 0)
		t = s->idle_since > 0
		    ? src_ms_until(s->idle_since + s->grace_ms)
		    : 0;
	/* A file moved out of the watched folder sends no more events. */
	if (s->moved && (t < 0 || t > FILE_RETRY_MS))
		t = FILE_RETRY_MS;
	return t;
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
