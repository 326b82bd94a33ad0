/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query: libFuzzer harness for the event query language (the
 * console's `/`, ?q=, `sitrep export --query`).  The input's first line
 * is a query; what follows, when there is any, is an event line (JSON,
 * logfmt or combined) to match it against, else a few fixed events are.
 * A query that parses must copy to one that matches the same, compile to
 * an SQL condition with exactly one `?` per bound value (within
 * SR_STORE_BINDS_MAX), and add to itself; one that does not leaves the
 * query empty with a message.  Not part of `make test`; run with
 * `make fuzz FUZZ_ONLY=query`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/query.h"
#include "core/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_match(const struct sr_query *q, const struct sr_query *copy,
    const struct sr_event *ev)
{
	if (sr_query_match(q, ev) != sr_query_match(copy, ev))
		abort();
}

static void
fuzz_sql(const struct sr_query *q)
{
	static struct sr_store_bind b[SR_STORE_BINDS_MAX];
	struct sr_buf where;
	int nb = -1, marks = 0;

	sr_buf_init(&where);
	(void)sr_store_query_sql(q, &where, b, &nb);
	for (size_t i = 0; i < where.len; i++)
		marks += where.data[i] == '?';
	if (nb < 0 || nb > SR_STORE_BINDS_MAX || marks != nb)
		abort();
	for (int i = 0; i < nb; i++)
		if (b[i].is_text && b[i].text == NULL)
			abort();
	sr_buf_release(&where);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sr_event fixed[3] = {
		{ .ts_ms = 1795867200123LL,
		    .event_id = "a",
		    .event_type = "request",
		    .service = "api",
		    .endpoint = "/v1/users",
		    .status_code = 503,
		    .response_time_ms = 812.5,
		    .message = "db timeout",
		    .has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY },
		{ .ts_ms = 1795867201000LL,
		    .event_id = "b",
		    .event_type = "llm",
		    .service = "llm",
		    .model = "qwen-14b",
		    .tokens_in = 120,
		    .tokens_out = 900,
		    .ttft_ms = 95,
		    .user_id = "u1",
		    .session_id = "s1" },
		{ .ts_ms = 0, .event_id = "c", .event_type = "error" },
	};
	char *s = malloc(size + 1), *nl;
	struct sr_query q, copy;
	struct sr_err err;

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = '\0';
	sr_query_init(&q);
	if (sr_query_parse(&q, s, &err) < 0) {
		if (!sr_query_empty(&q) ||
		    memchr(err.msg, '\0', sizeof err.msg) == NULL)
			abort();
	} else {
		sr_query_copy(&copy, &q);
		for (int i = 0; i < 3; i++)
			fuzz_match(&q, &copy, &fixed[i]);
		if (nl != NULL) {
			struct sr_parser *p = sr_parser_new(SR_FMT_AUTO);
			struct sr_event ev;
			enum sr_reject why;
			size_t len = size - (size_t)(nl + 1 - s);

			if (sr_parser_line(p, nl + 1, len, 1795867200123LL, &ev,
				&why, &err) == 1)
				fuzz_match(&q, &copy, &ev);
			sr_parser_free(p);
		}
		fuzz_sql(&q);
		if (sr_query_add(&copy, s, &err) == 0)
			fuzz_sql(&copy);
		sr_query_release(&copy);
	}
	sr_query_release(&q);
	free(s);
	return 0;
}
