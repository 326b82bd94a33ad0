/* SPDX-License-Identifier: MIT */
/*
 * fuzz_format: libFuzzer harness for the declared formats of the line
 * parser: the nginx log_format and Apache LogFormat template compilers
 * (core/parse_fmt.c), the plans they make run over lines, and the syslog,
 * HAProxy and OTLP JSON lines parsers.  The input's first line is a
 * template (its first byte picks nginx or Apache); every later line goes
 * through a parser of that template and of the syslog, haproxy, otlp and
 * traefik presets.  Each event is checked for the parser's promises
 * (event_id and event_type set, metadata a JSON object without a
 * duplicate key, a status 100-599, a latency >= 0).  Not part of `make
 * test`.
 *
 * Build and run (clang):
 *   clang -g -O1 -std=c11 -D_DEFAULT_SOURCE -I. -I/usr/include/cjson \
 *     -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_format.c \
 *     core/parse.c core/parse_fmt.c core/timeutil.c core/util.c \
 *     core/event.c core/field.c core/hmap.c -lcjson -lm \
 *     -o build/fuzz-format
 *   mkdir -p build/fuzz-format-corpus && ./build/fuzz-format \
 *     -max_total_time=60 -artifact_prefix=build/ -max_len=4096 \
 *     build/fuzz-format-corpus tests/fuzz/seeds
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/parse.h"
#include "tests/fuzz/fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sr_format presets[] = { SR_FMT_SYSLOG, SR_FMT_HAPROXY,
		SR_FMT_OTLP, SR_FMT_TRAEFIK, SR_FMT_AUTO };
	struct sr_parser *ps[6] = { NULL };
	const char *s = (const char *)data, *end = s + size, *nl;
	const char *pre;
	char *spec;
	struct sr_format_spec fs;
	struct sr_err err;
	size_t n;

	if (size == 0)
		return 0;
	/* the first line: a selector byte (odd: Apache), then a template */
	nl = memchr(s, '\n', size);
	n = nl ? (size_t)(nl - s) : size;
	if (n == 0) /* no selector byte: an empty first line, no template */
		n = 1;
	pre = (data[0] & 1) ? "apache:" : "nginx:";
	spec = malloc(strlen(pre) + n);
	if (spec == NULL)
		return 0;
	memcpy(spec, pre, strlen(pre));
	memcpy(spec + strlen(pre), s + 1, n - 1);
	spec[strlen(pre) + n - 1] = '\0';
	if (memchr(s + 1, '\0', n - 1) == NULL &&
	    sr_format_spec_parse(spec, &fs, &err) == 0)
		ps[5] = sr_parser_new_spec(&fs);
	free(spec);
	for (int i = 0; i < 5; i++)
		ps[i] = sr_parser_new(presets[i]);
	for (s = nl ? nl + 1 : end; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		for (int i = 0; i < 6; i++)
			if (ps[i] != NULL)
				fuzz_parse_all(ps[i], s, (size_t)(nl - s), 0);
		if (nl == end)
			break;
	}
	for (int i = 0; i < 6; i++)
		sr_parser_free(ps[i]);
	return 0;
}
