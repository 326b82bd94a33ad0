/* SPDX-License-Identifier: MIT */
/*
 * src_stdin: event lines on standard input ("stdin" or "-").  Reads only
 * when fd 0 is ready, a bounded amount per call; ended at EOF.  A pipe
 * cannot be resumed, so there is no cursor.
 */
#include "collectors/src_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STDIN_CHUNK 65536
#define STDIN_CHUNKS 16 /* per read call */

struct stdin_src {
	struct src_common c;
	int fd;
	struct sr_lines *lines;
	int eof;
	int more; /* stopped at the bound */
};

static const char *const stdin_keys[] = { "format", "service", NULL };

static void *
stdin_open(const char *spec, struct sr_err *err)
{
	const char *q = strchr(spec, '?');
	struct sr_format_spec fmt = { .fmt = SR_FMT_AUTO };
	struct src_opts o;
	struct stdin_src *s;
	const char *v;

	/* stdin?format=F&service=NAME */
	if (src_opts_parse(&o, q ? q + 1 : "", q ? strlen(q + 1) : 0,
		stdin_keys, err) < 0)
		return NULL;
	if ((v = src_opts_get(&o, "format")) != NULL &&
	    sr_format_spec_parse(v, &fmt, err) < 0) {
		src_opts_release(&o);
		return NULL;
	}
	s = sr_xcalloc(1, sizeof(*s));
	src_common_init(&s->c, spec, "stdin", SR_FMT_AUTO);
	src_common_set_format(&s->c, &fmt);
	if ((v = src_opts_get(&o, "service")) != NULL && v[0] != '\0')
		sr_parser_set_default_service(s->c.parser, v);
	src_opts_release(&o);
	s->fd = STDIN_FILENO;
	s->lines = sr_lines_new();
	src_ok(&s->c);
	return s;
}

static int
stdin_fds(void *self, struct pollfd *out, int max)
{
	struct stdin_src *s = self;

	if (s->eof || max < 1)
		return 0;
	out[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	return 1;
}

/* Hand out the complete lines buffered; -1 when the sink refused. */
static int
stdin_drain(struct stdin_src *s, const struct sr_sink *sink, int64_t now_ms,
    int *n)
{
	const char *line;
	size_t len;
	int rc;

	while (*n < SR_SOURCE_READ_MAX &&
	    (rc = sr_lines_next(s->lines, s->eof, &line, &len)) != 0) {
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
	return 0;
}

static int
stdin_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct stdin_src *s = self;
	char buf[STDIN_CHUNK];
	int n = 0, i;

	if (stdin_drain(s, sink, now_ms, &n) < 0)
		return sr_err_set(err, "sink refused an event");
	for (i = 0; !s->eof && i < STDIN_CHUNKS && n < SR_SOURCE_READ_MAX;
	     i++) {
		ssize_t r;

		if (!src_fd_ready(s->fd, POLLIN))
			break;
		r = read(s->fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				break;
			src_set_state(&s->c, SR_SRC_DOWN,
			    "cannot read standard input: %s", strerror(errno));
			s->eof = 1;
		} else if (r == 0) {
			s->eof = 1;
		} else {
			sr_lines_feed(s->lines, buf, (size_t)r);
		}
		if (stdin_drain(s, sink, now_ms, &n) < 0)
			return sr_err_set(err, "sink refused an event");
	}
	s->more = n >= SR_SOURCE_READ_MAX;
	if (s->eof && !s->more && s->c.state == SR_SRC_OK)
		src_set_state(&s->c, SR_SRC_ENDED, NULL);
	return n;
}

static int
stdin_timeout_ms(void *self)
{
	struct stdin_src *s = self;

	/* Lines left over from a bounded read: come back at once. */
	return s->more ? 0 : -1;
}

static void
stdin_status(const void *self, struct sr_source_status *st)
{
	const struct stdin_src *s = self;

	src_common_status(&s->c, st);
}

static void
stdin_close(void *self)
{
	struct stdin_src *s = self;

	if (s == NULL)
		return;
	sr_lines_free(s->lines);
	src_common_release(&s->c);
	free(s);
}

const struct sr_collector_ops sr_src_stdin_ops = {
	.kind = "stdin",
	.open = stdin_open,
	.fds = stdin_fds,
	.timeout_ms = stdin_timeout_ms,
	.read = stdin_read,
	.status = stdin_status,
	.set_cursor = NULL,
	.close = stdin_close,
};
