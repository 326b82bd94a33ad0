/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse: libFuzzer harness for the event line parser and the line
 * splitter.  The input is split into lines (fed in pieces whose sizes come
 * from the first byte) and every line goes through a parser of each
 * format; the whole input also goes to sr_parser_line directly, unsplit.
 * Each parsed event is checked for the parser's promises (event_id and
 * event_type set, metadata a JSON object).  Not part of `make test`.
 *
 * Build and run (clang):
 *   clang -g -O1 -std=c11 -D_DEFAULT_SOURCE -I. -I/usr/include/cjson \
 *     -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_parse.c \
 *     core/parse.c core/parse_fmt.c core/timeutil.c core/util.c \
 *     core/event.c core/field.c core/hmap.c \
 *     -lcjson -lm -o build/fuzz-parse
 *   mkdir -p build/fuzz-corpus && ./build/fuzz-parse -max_total_time=60 \
 *     -artifact_prefix=build/ \
 *     -max_len=4096 build/fuzz-corpus tests/fuzz/seeds
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/parse.h"
#include "tests/fuzz/fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_line(struct sr_parser **ps, const char *line, size_t len)
{
	for (int f = 0; f < 4; f++) {
		struct sr_event ev;
		enum sr_reject why = SR_REJ__COUNT;
		struct sr_err err;
		int rc = sr_parser_line(ps[f], line, len, 1795867200123LL, &ev,
		    &why, &err);

		if (rc == 1)
			fuzz_check(&ev);
		else if (rc == -1 &&
		    (why >= SR_REJ__COUNT ||
			memchr(err.msg, '\0', sizeof err.msg) == NULL))
			abort();
		else if (rc != 0 && rc != 1 && rc != -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sr_format fmts[4] = { SR_FMT_AUTO, SR_FMT_JSON,
		SR_FMT_LOGFMT, SR_FMT_COMBINED };
	struct sr_parser *ps[4];
	struct sr_lines *l = sr_lines_new();
	const char *line;
	size_t n, piece = size > 0 ? (size_t)(data[0] % 64) + 1 : 1;
	char *copy;
	int rc;

	for (int f = 0; f < 4; f++)
		ps[f] = sr_parser_new(fmts[f]);
	if (size > 0 && (data[0] & 1))
		sr_parser_set_default_service(ps[0], "fuzz");
	for (size_t off = 0; off < size; off += piece) {
		size_t k = size - off < piece ? size - off : piece;

		sr_lines_feed(l, (const char *)data + off, k);
		while ((rc = sr_lines_next(l, off + k == size, &line, &n)) != 0)
			if (rc == 1)
				fuzz_line(ps, line, n);
	}
	while ((rc = sr_lines_next(l, 1, &line, &n)) != 0)
		if (rc == 1)
			fuzz_line(ps, line, n);
	/* The whole input as one line, in an exact-size heap copy. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	fuzz_line(ps, copy, size);
	free(copy);
	for (int f = 0; f < 4; f++)
		sr_parser_free(ps[f]);
	sr_lines_free(l);
	return 0;
}
