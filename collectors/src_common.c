/* SPDX-License-Identifier: MIT */
/*
 * src_common: state, counters, options, line-to-event and backoff shared
 * by the source kinds.  See src_common.h.
 */
#include "collectors/src_common.h"

#include <ctype.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
src_common_init(struct src_common *c, const char *name, const char *kind,
    enum sr_format fmt)
{
	memset(c, 0, sizeof(*c));
	c->name = sr_xstrdup(name);
	c->kind = kind;
	c->state = SR_SRC_WAITING;
	c->parser = sr_parser_new(fmt);
	/* Seed per source: jitter must differ between sources and runs. */
	c->rng = (uint64_t)sr_mono_us() ^ ((uint64_t)(uintptr_t)c << 17) ^
	    0x9e3779b97f4a7c15ULL;
}

void
src_common_set_format(struct src_common *c, const struct sr_format_spec *fmt)
{
	sr_parser_free(c->parser);
	c->parser = sr_parser_new_spec(fmt);
}

void
src_common_release(struct src_common *c)
{
	free(c->name);
	sr_parser_free(c->parser);
	c->name = NULL;
	c->parser = NULL;
}

void
src_common_status(const struct src_common *c, struct sr_source_status *st)
{
	memset(st, 0, sizeof(*st));
	st->name = c->name;
	st->kind = c->kind;
	st->state = c->state;
	snprintf(st->last_error, sizeof(st->last_error), "%s", c->last_error);
	(void)snprintf(st->notice, sizeof st->notice, "%s", c->notice);
	if (c->next_attempt_mono > 0 && c->state == SR_SRC_RETRYING)
		st->next_attempt_ms =
		    sr_now_ms() + (c->next_attempt_mono - sr_mono_ms());
	st->events = c->events;
	st->rejected = c->rejected;
	st->caught_up = c->caught_up;
	memcpy(st->rejected_by, c->rejected_by, sizeof(st->rejected_by));
}

static void
src_vset_error(struct src_common *c, const char *fmt, va_list ap)
{
	if (fmt == NULL)
		c->last_error[0] = '\0';
	else
		(void)vsnprintf(c->last_error, sizeof(c->last_error), fmt,
		    ap); /* truncation of a message is fine */
}

void
src_set_state(struct src_common *c, enum sr_source_state state, const char *fmt,
    ...)
{
	va_list ap;

	c->state = state;
	va_start(ap, fmt);
	src_vset_error(c, fmt, ap);
	va_end(ap);
}

/* xorshift64*: jitter only, no need for more. */
static uint64_t
src_rand(struct src_common *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ULL;
}

int64_t
src_fail(struct src_common *c, int64_t base_ms, int64_t max_ms, const char *fmt,
    ...)
{
	va_list ap;
	int64_t delay = base_ms > 0 ? base_ms : 1000;
	unsigned i;

	for (i = 0; i < c->failures && delay < max_ms; i++)
		delay *= 2;
	if (delay > max_ms)
		delay = max_ms;
	if (c->failures < 64)
		c->failures++;
	delay = delay / 2 + (int64_t)(src_rand(c) % (uint64_t)(delay / 2 + 1));
	c->state = SR_SRC_RETRYING;
	va_start(ap, fmt);
	src_vset_error(c, fmt, ap);
	va_end(ap);
	c->next_attempt_mono = sr_mono_ms() + delay;
	return c->next_attempt_mono;
}

void
src_ok(struct src_common *c)
{
	c->state = SR_SRC_OK;
	c->failures = 0;
	c->last_error[0] = '\0';
	c->next_attempt_mono = 0;
}

int
src_parse_line(struct src_common *c, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev)
{
	enum sr_reject why;
	int rc;

	rc = sr_parser_line(c->parser, line, len, now_ms, ev, &why, NULL);
	return src_parse_result(c, rc, why);
}

int
src_parse_result(struct src_common *c, int rc, enum sr_reject why)
{
	const char *notice = sr_parser_notice(c->parser);

	if (notice != NULL) {
		(void)snprintf(c->notice, sizeof c->notice, "%s", notice);
		/* once; not onto a terminal the console may be drawing on */
		if (!isatty(STDERR_FILENO))
			fprintf(stderr, "sitrep: %s: notice: %s\n", c->name,
			    notice);
	}
	if (rc < 0) {
		c->rejected++;
		if ((unsigned)why < SR_REJ__COUNT)
			c->rejected_by[why]++;
		return 0;
	}
	return rc;
}

int
src_deliver(struct src_common *c, const struct sr_sink *sink,
    struct sr_event *ev)
{
	if (c->host != NULL && ev->host == NULL)
		ev->host = c->host;
	if (sink->event(sink->ctx, ev) < 0)
		return -1;
	c->events++;
	return 1;
}

int
src_emit_line(struct src_common *c, const struct sr_sink *sink,
    const char *line, size_t len, int64_t now_ms)
{
	struct sr_event ev;

	enum sr_reject why;
	int rc, n = 0;

	if (src_parse_line(c, line, len, now_ms, &ev) <= 0)
		return 0;
	/* a line may hold several events (OTLP's log records) */
	do {
		if (src_deliver(c, sink, &ev) < 0)
			return -1;
		n++;
		while ((rc = sr_parser_more(c->parser, now_ms, &ev, &why,
			    NULL)) < 0)
			(void)src_parse_result(c, rc, why);
	} while (rc > 0);
	return n > 0;
}

static int
src_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n) into a new string ('+' stays '+'). */
static char *
src_decode(const char *s, size_t n)
{
	char *out = sr_xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n &&
		    (hi = src_hex((unsigned char)s[i + 1])) >= 0 &&
		    (lo = src_hex((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int
src_opts_parse(struct src_opts *o, const char *s, size_t len,
    const char *const *allowed, struct sr_err *err)
{
	const char *p = s, *end = s + len;

	memset(o, 0, sizeof(*o));
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *item_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(item_end - p));
		char *key;
		int ok = allowed == NULL;

		if (item_end == p) {
			p = item_end + 1;
			continue;
		}
		if (eq == NULL) {
			src_opts_release(o);
			return sr_err_set(err, "option '%.*s' has no value",
			    (int)(item_end - p), p);
		}
		key = src_decode(p, (size_t)(eq - p));
		for (int i = 0; allowed != NULL && allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = 1;
		if (!ok || o->n == 32) {
			sr_err_set(err, "%s option '%s'",
			    ok ? "too many" : "unknown", key);
			free(key);
			src_opts_release(o);
			return -1;
		}
		o->key[o->n] = key;
		o->val[o->n] = src_decode(eq + 1, (size_t)(item_end - eq - 1));
		o->n++;
		p = item_end + (amp != NULL);
	}
	return 0;
}

void
src_opts_release(struct src_opts *o)
{
	for (int i = 0; i < o->n; i++) {
		free(o->key[i]);
		free(o->val[i]);
	}
	o->n = 0;
}

const char *
src_opts_get(const struct src_opts *o, const char *key)
{
	for (int i = o->n - 1; i >= 0; i--)
		if (strcmp(o->key[i], key) == 0)
			return o->val[i];
	return NULL;
}

int
src_ms_until(int64_t mono)
{
	int64_t left;

	if (mono <= 0)
		return -1;
	left = mono - sr_mono_ms();
	if (left <= 0)
		return 0;
	return left > 3600000 ? 3600000 : (int)left;
}

int
src_fd_ready(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (fd < 0)
		return 0;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	return (p.revents & (events | POLLHUP | POLLERR)) != 0;
}
