/* SPDX-License-Identifier: MIT */
/*
 * fuzz_syslog: libFuzzer harness for the syslog reader (RFC 3164 with or
 * without a HOST, with a BSD or an RFC 3339 time; RFC 5424 with its
 * structured data) and HAProxy's HTTP log, which comes through syslog.
 * The input is one line; it goes to a syslog, a haproxy and an auto
 * parser as it is, and again behind each header shape the parsers take
 * apart (the input's first byte picks the PRI), so that mutations reach
 * the tag, structured data and message rather than dying in the header:
 *   <PRI>Mmm dd hh:mm:ss HOST INPUT         (the tag, pid and message)
 *   <PRI>Mmm dd hh:mm:ss INPUT              (no HOST: /dev/log)
 *   <PRI>1 2026-12-04T10:15:32.250Z h a - - INPUT (structured data)
 *   <PRI>Mmm dd hh:mm:ss haproxy[1]: INPUT  (an HAProxy log line)
 * Each event is checked as fuzz_event.h says, --explain's output too.
 * Not part of `make test`; run with `make fuzz FUZZ_ONLY=syslog`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "tests/fuzz/fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const heads[] = {
		"Dec  4 10:15:32 web1 ",
		"Dec  4 10:15:32 ",
		"1 2026-12-04T10:15:32.250Z web1 api 42 ID7 ",
		"Dec  4 10:15:32 haproxy[5123]: ",
		"2026-12-04T10:15:32+01:00 web1 ",
	};
	struct sr_parser *ps[3] = { sr_parser_new(SR_FMT_SYSLOG),
		sr_parser_new(SR_FMT_HAPROXY), sr_parser_new(SR_FMT_AUTO) };
	int pri = size > 0 ? data[0] % 200 : 13;
	size_t cap = size + 64;
	char *line = malloc(cap);

	if (line == NULL)
		abort();
	/* as it is, in an exact-size copy (reads past it are caught) */
	memcpy(line, data, size);
	for (int i = 0; i < 3; i++)
		fuzz_parse_all(ps[i], line, size, i == 2);
	for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
		int n = snprintf(line, cap, "<%d>%s", pri, heads[h]);

		if (n < 0 || (size_t)n + size > cap)
			abort();
		memcpy(line + n, data, size);
		for (int i = 0; i < 3; i++)
			fuzz_parse_all(ps[i], line, (size_t)n + size, i != 1);
	}
	free(line);
	for (int i = 0; i < 3; i++)
		sr_parser_free(ps[i]);
	return 0;
}
