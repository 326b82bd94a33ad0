/* SPDX-License-Identifier: MIT */
/*
 * fuzz_webargs: libFuzzer harness for the HTTP routes' query strings
 * (web/args.h: ?limit= ?service= ?q= ?status= ?from= ?to= of
 * /api/events, its ?since= cursor, ?from= ?to= ?step= of
 * /api/metrics/series, ?hours= of /api/metrics/performance and
 * /api/summary).  The input is a query string (`from=...&q=...`); it is
 * split at & and = and %-decoded, '+' as a space, the way libmicrohttpd
 * hands arguments to the routes, and read by the same functions the
 * routes call.  What they accept must hold its promises: a limit in
 * 1..1000, from <= to, a step of at least 1 s that gives at most 500
 * points, hours in 0.001..8784, a cursor >= 0.  Not part of `make test`;
 * run with `make fuzz FUZZ_ONLY=webargs`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ARGS_MAX 32

struct fuzz_args {
	char *name[FUZZ_ARGS_MAX];
	char *value[FUZZ_ARGS_MAX];
	int n;
};

static const char *
fuzz_get(const void *ctx, const char *name)
{
	const struct fuzz_args *a = ctx;

	for (int i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0)
			return a->value[i];
	return NULL;
}

static int
fuzz_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..len) decoded into a new string: %XX, and '+' as a space. */
static char *
fuzz_unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (out == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    fuzz_hex(s[i + 1]) >= 0 && fuzz_hex(s[i + 2]) >= 0) {
			*o++ = (char)(fuzz_hex(s[i + 1]) * 16 +
			    fuzz_hex(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static void
fuzz_split(struct fuzz_args *a, const char *s, size_t size)
{
	size_t i = 0;

	while (i < size && a->n < FUZZ_ARGS_MAX) {
		size_t end = i, eq;

		while (end < size && s[end] != '&')
			end++;
		eq = i;
		while (eq < end && s[eq] != '=')
			eq++;
		a->name[a->n] = fuzz_unescape(s + i, eq - i);
		a->value[a->n] =
		    fuzz_unescape(s + eq + (eq < end), end - eq - (eq < end));
		a->n++;
		i = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_args fa = { .n = 0 };
	struct sr_web_args a = { fuzz_get, &fa };
	struct sr_web_evq q;
	struct sr_err why;
	const char *since;
	int64_t from = 1795867200000LL - 3600000, to = 1795867200000LL, step,
		row;
	double hours;

	fuzz_split(&fa, (const char *)data, size);
	if (sr_web_args_events(&a, &q, &why) == 0) {
		if (q.limit < 1 || q.limit > 1000 || q.from_ms > q.to_ms)
			abort();
		sr_query_release(&q.query);
	} else if (!sr_query_empty(&q.query) ||
	    memchr(why.msg, '\0', sizeof why.msg) == NULL)
		abort();
	if (sr_web_args_range(&a, &from, &to) == NULL) {
		if (from >= to ||
		    (sr_web_args_step(&a, from, to, &step) == NULL &&
			(step < 1000 || (to - from) / step > 500)))
			abort();
	}
	if (sr_web_args_hours(&a, 24, &hours) == NULL &&
	    !(hours >= 0.001 && hours <= 24.0 * 366))
		abort();
	if ((since = fuzz_get(&fa, "since")) != NULL)
		for (int stored = 0; stored < 2; stored++)
			if (sr_web_args_cursor(since, stored, &row) == 0 &&
			    row < 0)
				abort();
	for (int i = 0; i < fa.n; i++) {
		free(fa.name[i]);
		free(fa.value[i]);
	}
	return 0;
}
