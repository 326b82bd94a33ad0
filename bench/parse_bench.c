/* SPDX-License-Identifier: MIT */
/*
 * parse_bench: lines per second through sr_lines + sr_parser_line for
 * demo-like JSON lines, logfmt and combined lines.  Prints figures only.
 * Build and run:
 *   make build/libsitrep.a && cc -O2 -std=c11 -D_DEFAULT_SOURCE -I. \
 *     bench/parse_bench.c build/libsitrep.a -lcjson -lm -o build/parse-bench \
 *     && ./build/parse-bench [LINES [NAME]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

static const char *only; /* run only this benchmark */

static void
bench(const char *name, enum sr_format fmt, const char *tmpl, int variants,
    long nlines)
{
	struct sr_buf in;
	struct sr_lines *l = sr_lines_new();
	struct sr_parser *p = sr_parser_new(fmt);
	struct sr_event ev;
	enum sr_reject why;
	const char *line;
	size_t len, off = 0;
	long ok = 0, bad = 0;
	int64_t t0, t1, now = sr_now_ms();
	double sum = 0;

	if (only != NULL && strcmp(only, name) != 0) {
		sr_parser_free(p);
		sr_lines_free(l);
		return;
	}
	sr_buf_init(&in);
	for (long i = 0; i < nlines; i++)
		sr_buf_addf(&in, tmpl, (int)(i % variants), (int)(i % 997),
		    (int)(100 + i % 900));
	t0 = sr_mono_us();
	while (off < in.len) {
		size_t k = in.len - off < 65536 ? in.len - off : 65536;

		sr_lines_feed(l, in.data + off, k);
		off += k;
		while (sr_lines_next(l, off == in.len, &line, &len) == 1) {
			int rc =
			    sr_parser_line(p, line, len, now, &ev, &why, NULL);

			if (rc == 1) {
				ok++;
				sum += ev.response_time_ms;
			} else if (rc < 0)
				bad++;
		}
	}
	t1 = sr_mono_us();
	printf("%-10s %8ld lines %6.1f MB  %8.0f lines/s  %6.1f MB/s  "
	       "(ok %ld, rejected %ld, check %.0f)\n",
	    name, nlines, in.len / 1e6, nlines / ((t1 - t0) / 1e6),
	    in.len / 1e6 / ((t1 - t0) / 1e6), ok, bad, sum);
	sr_buf_release(&in);
	sr_parser_free(p);
	sr_lines_free(l);
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;

	if (n <= 0)
		n = 1000000;
	only = argc > 2 ? argv[2] : NULL;
	bench("json", SR_FMT_JSON,
	    "{\"timestamp\":\"2026-11-28T12:00:00.123Z\",\"service\":\"vllm%d\","
	    "\"endpoint\":\"/v1/chat/completions\",\"status_code\":200,"
	    "\"response_time_ms\":%d.5,\"user_id\":\"u123\",\"session_id\":"
	    "\"s456\",\"model\":\"llama-3-8b\",\"tokens_in\":%d,"
	    "\"tokens_out\":128,\"ttft_ms\":95.2}\n",
	    8, n);
	bench("json+meta", SR_FMT_JSON,
	    "{\"ts\":\"2026-11-28T12:00:00.123Z\",\"service\":\"api%d\","
	    "\"path\":\"/v1/items\",\"status\":200,\"latency_ms\":%d,"
	    "\"user\":\"u1\",\"region\":\"eu\",\"retries\":%d,"
	    "\"metadata\":{\"trace\":\"abc\"}}\n",
	    8, n);
	bench("json-auto", SR_FMT_AUTO,
	    "{\"timestamp\":\"2026-11-28T12:00:00.123Z\",\"service\":\"vllm%d\","
	    "\"endpoint\":\"/v1/chat/completions\",\"status_code\":200,"
	    "\"response_time_ms\":%d.5,\"user_id\":\"u123\",\"session_id\":"
	    "\"s456\",\"model\":\"llama-3-8b\",\"tokens_in\":%d,"
	    "\"tokens_out\":128,\"ttft_ms\":95.2}\n",
	    8, n);
	bench("logfmt", SR_FMT_AUTO,
	    "ts=2026-11-28T12:00:00.123Z level=info service=api%d "
	    "path=/v1/items status=200 duration_ms=%d user=u1 "
	    "msg=\"request done %d\"\n",
	    8, n);
	bench("combined", SR_FMT_AUTO,
	    "10.0.0.%d - - [28/Nov/2026:12:00:00 +0000] \"GET /v1/items?q=%d "
	    "HTTP/1.1\" 200 %d \"-\" \"curl/8.0\" 0.012\n",
	    8, n);
	return 0;
}
