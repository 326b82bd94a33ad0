/* SPDX-License-Identifier: MIT */
/*
 * sitrep parse: read lines from files (or stdin) and print each as the
 * event sitrep makes of it, one JSON object per line, without storing
 * anything: the debugging aid for --format.  An event is the object the
 * web API serves (web/render.h) with "line" (its number in its input) and
 * "format" (what it was read as) added; a rejected line is {"line","file",
 * "rejected" (the reason's name),"reason"}.  --explain adds each field's
 * source and what was kept in metadata, and why (core/parse.h).
 * Exit: 0 every line read, 1 a line rejected or an input unreadable,
 * 2 usage.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "core/parse.h"
#include "core/util.h"
#include "web/render.h"

struct parse_run {
	struct sr_parser *p;
	int explain;
	int rejected;
	struct sr_buf out;
};

/* One event (or reject) as a line of JSON on stdout. */
static void
parse_print(struct parse_run *r, const char *file, uint64_t lineno, int rc,
    const struct sr_event *ev, enum sr_reject why, const struct sr_err *err)
{
	struct sr_buf *b = &r->out;

	sr_buf_reset(b);
	if (rc > 0) {
		sr_web_json_event(b, "line", lineno, ev);
		b->len--; /* reopen the object */
	} else {
		sr_buf_addf(b,
		    "{\"line\":%llu,\"rejected\":", (unsigned long long)lineno);
		sr_buf_add_json_str(b, sr_reject_name(why));
		sr_buf_adds(b, ",\"reason\":");
		sr_buf_add_json_str(b, err->msg);
	}
	sr_buf_adds(b, ",\"file\":");
	sr_buf_add_json_str(b, file);
	if (r->explain) {
		sr_parser_explain(r->p, b);
	} else {
		sr_buf_adds(b, ",\"format\":");
		sr_buf_add_json_str(b, sr_parser_format_used(r->p));
	}
	sr_buf_adds(b, "}\n");
	(void)fwrite(b->data, 1, b->len, stdout); /* checked at the end */
}

/* Read one input to its end; 0, or 1 when it could not be read. */
static int
parse_input(struct parse_run *r, const char *path)
{
	const char *file = strcmp(path, "-") == 0 ? "stdin" : path;
	int fd = STDIN_FILENO;
	struct sr_lines *l;
	char buf[65536];
	const char *line, *notice;
	size_t len;
	ssize_t n;
	int k, eof = 0;

	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "sitrep parse: cannot open '%s': %s\n", path,
		    strerror(errno));
		return 1;
	}
	l = sr_lines_new();
	while (!eof) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "sitrep parse: cannot read '%s': %s\n",
			    file, strerror(errno));
			break;
		}
		if (n == 0)
			eof = 1;
		else
			sr_lines_feed(l, buf, (size_t)n);
		while ((k = sr_lines_next(l, eof, &line, &len)) != 0) {
			uint64_t no = sr_lines_lineno(l);
			struct sr_event ev;
			enum sr_reject why = SR_REJ__COUNT;
			struct sr_err err = { { 0 } };
			int rc;

			if (k == 2) {
				why = SR_REJ_TOO_LONG;
				(void)snprintf(err.msg, sizeof err.msg,
				    "line longer than %d bytes", SR_LINE_MAX);
				rc = -1;
			} else {
				rc = sr_parser_line(r->p, line, len,
				    sr_now_ms(), &ev, &why, &err);
			}
			for (; rc != 0; rc = sr_parser_more(r->p, sr_now_ms(),
					    &ev, &why, &err)) {
				if (rc < 0)
					r->rejected = 1;
				parse_print(r, file, no, rc, &ev, why, &err);
				if (k == 2)
					break;
			}
			if ((notice = sr_parser_notice(r->p)) != NULL)
				fprintf(stderr,
				    "sitrep parse: %s: notice: %s\n", file,
				    notice);
		}
	}
	sr_lines_free(l);
	if (fd != STDIN_FILENO)
		(void)close(fd); /* read-only: nothing to lose */
	return n < 0;
}

int
sr_cmd_parse(int argc, char **argv)
{
	static const char *const stdin_only[] = { "-" };
	struct sr_format_spec fmt = { .fmt = SR_FMT_AUTO };
	const char *const *inputs = stdin_only;
	struct parse_run r = { 0 };
	struct sr_opts o;
	struct sr_err err;
	int n = 1, rc, failed = 0;

	if ((rc = sr_opts_parse("parse", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	if (sr_opts_has(&o, SR_O_INGEST_FORMAT) &&
	    sr_format_spec_parse(o.v[SR_O_INGEST_FORMAT].s, &fmt, &err) < 0)
		return sr_usage_error("parse", "--format: %s", err.msg);
	r.explain = sr_opts_has(&o, SR_O_EXPLAIN);
	if (o.argc > 0) {
		inputs = (const char *const *)o.argv;
		n = o.argc;
	}
	r.p = sr_parser_new_spec(&fmt);
	sr_parser_set_explain(r.p, r.explain);
	sr_buf_init(&r.out);
	for (int i = 0; i < n; i++)
		failed |= parse_input(&r, inputs[i]);
	sr_buf_release(&r.out);
	sr_parser_free(r.p);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sitrep parse: cannot write: %s\n",
		    strerror(errno));
		return SR_EXIT_FAIL;
	}
	return failed || r.rejected ? SR_EXIT_FAIL : SR_EXIT_OK;
}
