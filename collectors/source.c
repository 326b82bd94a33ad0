/* SPDX-License-Identifier: MIT */
/*
 * source: picks a source kind by the spec's scheme and forwards to its
 * ops.  See source.h for the contract between sources and the runtime.
 */
#include "collectors/source.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/src_common.h"

struct sr_source {
	const struct sr_collector_ops *ops;
	void *self;
	char *name;  /* the spec as written: the cursor key */
	char *shown; /* sr_redact(name): what status and messages show */
};

/* The scheme of a spec, longest prefix first where they overlap. */
static const struct {
	const char *prefix;
	const struct sr_collector_ops *ops;
} source_kinds[] = {
	{ "file:", &sr_src_file_ops },
	{ "sqlite:", &sr_src_sqlite_ops },
	{ "http://", &sr_src_http_ops },
	{ "https://", &sr_src_http_ops },
	{ "sitrep://", &sr_src_http_ops },
	{ "sitreps://", &sr_src_http_ops },
	{ "prom:", &sr_src_http_ops },
};

static const struct sr_collector_ops *
source_pick(const char *spec, struct sr_err *err)
{
	size_t i;

	char *shown;

	if (spec == NULL || spec[0] == '\0') {
		sr_err_set(err, "empty source");
		return NULL;
	}
	if (strcmp(spec, "stdin") == 0 || strcmp(spec, "-") == 0 ||
	    strncmp(spec, "stdin?", 6) == 0)
		return &sr_src_stdin_ops;
	for (i = 0; i < sizeof(source_kinds) / sizeof(source_kinds[0]); i++)
		if (strncmp(spec, source_kinds[i].prefix,
			strlen(source_kinds[i].prefix)) == 0)
			return source_kinds[i].ops;
	shown = sr_redact(spec);
	sr_err_set(err,
	    "source '%s': unknown kind (want stdin, file:PATH, "
	    "sqlite:PATH?table=T, http(s)://URL, sitrep(s)://HOST or "
	    "prom:http(s)://URL)",
	    shown);
	free(shown);
	return NULL;
}

int
sr_source_spec_check(const char *spec, struct sr_err *err)
{
	struct sr_source *src = sr_source_open(spec, err);

	if (src == NULL)
		return -1;
	sr_source_close(src);
	return 0;
}

struct sr_source *
sr_source_open(const char *spec, struct sr_err *err)
{
	const struct sr_collector_ops *ops = source_pick(spec, err);
	void *self;

	if (ops == NULL)
		return NULL;
	if ((self = ops->open(spec, err)) == NULL) {
		char *shown = sr_redact(spec);

		sr_err_prefix(err, "source '%s'", shown);
		free(shown);
		return NULL;
	}
	return sr_source_new(ops, self, spec);
}

struct sr_source *
sr_source_new(const struct sr_collector_ops *ops, void *self, const char *name)
{
	struct sr_source *src = sr_xcalloc(1, sizeof(*src));

	src->ops = ops;
	src->self = self;
	src->name = sr_xstrdup(name);
	src->shown = sr_redact(name);
	return src;
}

void
sr_source_close(struct sr_source *src)
{
	if (src == NULL)
		return;
	src->ops->close(src->self);
	free(src->name);
	free(src->shown);
	free(src);
}

const char *
sr_source_name(const struct sr_source *src)
{
	return src->name;
}

const char *
sr_source_shown(const struct sr_source *src)
{
	return src->shown;
}

const char *
sr_source_kind(const struct sr_source *src)
{
	return src->ops->kind;
}

int
sr_source_fds(struct sr_source *src, struct pollfd *out, int max)
{
	if (src->ops->fds == NULL || max <= 0)
		return 0;
	return src->ops->fds(src->self, out, max);
}

int
sr_source_timeout_ms(struct sr_source *src)
{
	if (src->ops->timeout_ms == NULL)
		return -1;
	return src->ops->timeout_ms(src->self);
}

int
sr_source_read(struct sr_source *src, const struct sr_sink *sink,
    int64_t now_ms, struct sr_err *err)
{
	return src->ops->read(src->self, sink, now_ms, err);
}

void
sr_source_status(const struct sr_source *src, struct sr_source_status *st)
{
	src->ops->status(src->self, st);
	st->name = src->shown;
}

void
sr_source_set_series_max(struct sr_source *src, size_t n)
{
	if (src->ops->set_series_max != NULL && n > 0)
		src->ops->set_series_max(src->self, n);
}

int
sr_source_set_cursor(struct sr_source *src, const char *cursor,
    struct sr_err *err)
{
	if (cursor == NULL || src->ops->set_cursor == NULL)
		return 0;
	if (src->ops->set_cursor(src->self, cursor, err) < 0)
		return sr_err_prefix(err, "source '%s'", src->shown);
	return 0;
}
