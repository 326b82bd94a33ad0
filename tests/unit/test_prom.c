/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/prom: exposition text in the shapes the Prometheus
 * and OpenMetrics specifications give (escapes, timestamps, exemplars,
 * # EOF, suffixed families), and rate()/histogram_quantile() arithmetic
 * whose expected values are worked out by hand in the comments.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/prom.h"

void sr_test_prom_suite(void);

/* What the callback saw, flattened to one line per sample. */
struct seen {
	char text[4096];
	size_t n;
	int stop_after; /* 0: never */
};

static int
seen_add(void *ctx, const struct sr_prom_sample *s)
{
	struct seen *w = ctx;
	size_t used = strlen(w->text), i;
	int k;

	k = snprintf(w->text + used, sizeof(w->text) - used, "%s|%s|%s|%s|",
	    s->family, s->suffix, sr_prom_type_name(s->type), s->name);
	used += (size_t)k;
	for (i = 0; i < s->nlabels; i++) {
		k = snprintf(w->text + used, sizeof(w->text) - used, "%s=%s;",
		    s->labels[i].name, s->labels[i].value);
		used += (size_t)k;
	}
	k = snprintf(w->text + used, sizeof(w->text) - used, "|%g", s->value);
	used += (size_t)k;
	if (s->has_ts)
		(void)snprintf(w->text + used, sizeof(w->text) - used, "@%lld",
		    (long long)s->ts_ms);
	strncat(w->text, "\n", sizeof(w->text) - strlen(w->text) - 1);
	w->n++;
	return w->stop_after != 0 && w->n >= (size_t)w->stop_after;
}

static int64_t
parse(const char *text, unsigned flags, struct seen *w,
    struct sr_prom_stats *st)
{
	memset(w->text, 0, sizeof(w->text));
	w->n = 0;
	return sr_prom_parse(text, strlen(text), flags, seen_add, w, st);
}

/* The example of the Prometheus exposition format documentation. */
static void
test_text_format(void)
{
	static const char text[] =
	    "# HELP http_requests_total The total number of HTTP requests.\n"
	    "# TYPE http_requests_total counter\n"
	    "http_requests_total{method=\"post\",code=\"200\"} 1027 "
	    "1395066363000\n"
	    "http_requests_total{method=\"post\",code=\"400\"}    3 "
	    "1395066363000\n"
	    "\n"
	    "# Escaping in label values:\n"
	    "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\","
	    "error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
	    "metric_without_timestamp_and_labels 12.47\n"
	    "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
	    "# TYPE http_request_duration_seconds histogram\n"
	    "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
	    "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
	    "http_request_duration_seconds_sum 53423\n"
	    "http_request_duration_seconds_count 144320\n"
	    "# TYPE rpc_duration_seconds summary\n"
	    "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
	    "rpc_duration_seconds_count 2693\n";
	struct seen w = { .stop_after = 0 };
	struct sr_prom_stats st;

	CU_ASSERT_EQUAL(parse(text, 0, &w, &st), 11);
	CU_ASSERT_EQUAL(st.bad, 0);
	CU_ASSERT_EQUAL(st.lines, 17);
	CU_ASSERT_STRING_EQUAL(w.text,
	    "http_requests_total||counter|http_requests_total|method=post;"
	    "code=200;|1027@1395066363000\n"
	    "http_requests_total||counter|http_requests_total|method=post;"
	    "code=400;|3@1395066363000\n"
	    "msdos_file_access_time_seconds||untyped|"
	    "msdos_file_access_time_seconds|path=C:\\DIR\\FILE.TXT;"
	    "error=Cannot find file:\n\"FILE.TXT\";|1.45826e+09\n"
	    "metric_without_timestamp_and_labels||untyped|"
	    "metric_without_timestamp_and_labels||12.47\n"
	    "something_weird||untyped|something_weird|problem=division by "
	    "zero;|inf@-3982045\n"
	    "http_request_duration_seconds|_bucket|histogram|"
	    "http_request_duration_seconds_bucket|le=0.05;|24054\n"
	    "http_request_duration_seconds|_bucket|histogram|"
	    "http_request_duration_seconds_bucket|le=+Inf;|144320\n"
	    "http_request_duration_seconds|_sum|histogram|"
	    "http_request_duration_seconds_sum||53423\n"
	    "http_request_duration_seconds|_count|histogram|"
	    "http_request_duration_seconds_count||144320\n"
	    "rpc_duration_seconds||summary|rpc_duration_seconds|quantile=0.5;|"
	    "4773\n"
	    "rpc_duration_seconds|_count|summary|rpc_duration_seconds_count||"
	    "2693\n");
}

/* OpenMetrics: counter family without _total, seconds, exemplars, EOF. */
static void
test_openmetrics(void)
{
	static const char text[] =
	    "# TYPE vllm:prompt_tokens counter\n"
	    "# HELP vllm:prompt_tokens Prompt tokens.\n"
	    "vllm:prompt_tokens_total{model_name=\"llama\"} 812.0 1764840932.5\n"
	    "vllm:prompt_tokens_created{model_name=\"llama\"} 1.7e9\n"
	    "# TYPE foo histogram\n"
	    "foo_bucket{le=\"1\"} 2 # {trace_id=\"abc\"} 0.5 1764840932\n"
	    "# EOF\n"
	    "after_eof 1\n";
	struct seen w = { .stop_after = 0 };
	struct sr_prom_stats st;

	/* # EOF ends the parse; the text does not end in it, so without the
	 * flag the timestamp is read as milliseconds */
	CU_ASSERT_EQUAL(parse(text, 0, &w, &st), 3);
	CU_ASSERT_EQUAL(st.eof, 1);
	CU_ASSERT_EQUAL(st.bad, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.text, "|812@1764840932\n"));
	/* with the flag, the timestamp is seconds: .5 s -> 500 ms */
	CU_ASSERT_EQUAL(parse(text, SR_PROM_OPENMETRICS, &w, &st), 3);
	CU_ASSERT_EQUAL(st.eof, 1);
	CU_ASSERT_STRING_EQUAL(w.text,
	    "vllm:prompt_tokens|_total|counter|vllm:prompt_tokens_total|"
	    "model_name=llama;|812@1764840932500\n"
	    "vllm:prompt_tokens|_created|counter|vllm:prompt_tokens_created|"
	    "model_name=llama;|1.7e+09\n"
	    "foo|_bucket|histogram|foo_bucket|le=1;|2\n");
	/* ending in # EOF is enough to read seconds */
	CU_ASSERT_EQUAL(parse("a 1 2.5\n# EOF\n", 0, &w, &st), 1);
	CU_ASSERT_STRING_EQUAL(w.text, "a||untyped|a||1@2500\n");
}

/* Malformed lines are counted and skipped; the rest is read. */
static void
test_bad_lines(void)
{
	static const char text[] =
	    "ok_1 1\n"
	    "9bad 1\n"		  /* name starts with a digit */
	    "x{a=\"1\" 2\n"	  /* unterminated label set */
	    "x{a=1} 2\n"	  /* unquoted value */
	    "x{a=\"1\"} two\n"	  /* bad value */
	    "x 1 12 13\n"	  /* text after the timestamp */
	    "# TYPE y nonsense\n" /* unknown type */
	    "x{a=\"1\",} 3\r\n"	  /* trailing comma, CRLF: fine */
	    "x{a=\"\\q\"} 4\n"	  /* unknown escape kept as is */
	    "x 5";		  /* last line without \n */
	struct seen w = { .stop_after = 0 };
	struct sr_prom_stats st;

	CU_ASSERT_EQUAL(parse(text, 0, &w, &st), 4);
	CU_ASSERT_EQUAL(st.bad, 6);
	CU_ASSERT_EQUAL(st.first_bad_line, 2);
	CU_ASSERT_STRING_EQUAL(st.first_bad, "bad metric name");
	CU_ASSERT_STRING_EQUAL(w.text,
	    "ok_1||untyped|ok_1||1\n"
	    "x||untyped|x|a=1;|3\n"
	    "x||untyped|x|a=q;|4\n"
	    "x||untyped|x||5\n");
	/* the callback stops the parse */
	w.stop_after = 2;
	CU_ASSERT_EQUAL(parse("a 1\nb 2\nc 3\n", 0, &w, &st), -1);
	CU_ASSERT_EQUAL(w.n, 2);
	/* NaN, -Inf, a label named like a keyword, many labels */
	w.stop_after = 0;
	CU_ASSERT_EQUAL(parse("n NaN\nm -Inf\n", 0, &w, &st), 2);
	CU_ASSERT_STRING_EQUAL(w.text,
	    "n||untyped|n||nan\nm||untyped|m||-inf\n");
}

static void
test_labels_cap(void)
{
	char text[8192];
	size_t used = 0;
	int i;
	struct seen w = { .stop_after = 0 };
	struct sr_prom_stats st;

	used += (size_t)snprintf(text, sizeof(text), "many{");
	for (i = 0; i < SR_PROM_LABELS_MAX + 1; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "l%d=\"v\",", i);
	(void)snprintf(text + used, sizeof(text) - used,
	    "} 1\nfew{a=\"b\"} 2\n");
	CU_ASSERT_EQUAL(parse(text, 0, &w, &st), 1);
	CU_ASSERT_EQUAL(st.bad, 1);
	CU_ASSERT_STRING_EQUAL(st.first_bad, "too many labels");
}

static void
test_counter_increase(void)
{
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_counter_increase(10, 25), 15, 1e-12);
	/* reset: 100 -> 7 means 7 since the restart */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_counter_increase(100, 7), 7, 1e-12);
	CU_ASSERT(isnan(sr_prom_counter_increase(NAN, 7)));
}

static void
test_histogram_quantile(void)
{
	/*
	 * Buckets (cumulative): le 0.1: 10, le 0.5: 30, le 1: 40, +Inf: 40.
	 * p50: rank 20, in (0.1, 0.5] holding 20 (10..30):
	 *   0.1 + 0.4 * (20 - 10) / 20 = 0.3.
	 * p95: rank 38, in (0.5, 1] holding 10 (30..40):
	 *   0.5 + 0.5 * (38 - 30) / 10 = 0.9.
	 * p10: rank 4, first bucket from 0: 0.1 * 4 / 10 = 0.04.
	 */
	struct sr_prom_bucket b[] = { { INFINITY, 40 }, { 0.5, 30 },
		{ 0.1, 10 }, { 1, 40 } };
	struct sr_prom_bucket c[] = { { 0.1, 10 }, { 1, 20 },
		{ INFINITY, 25 } };
	struct sr_prom_bucket none[] = { { 0.1, 0 }, { INFINITY, 0 } };
	struct sr_prom_bucket noinf[] = { { 0.1, 1 }, { 1, 2 } };
	struct sr_prom_bucket racing[] = { { 0.1, 10 }, { 1, 8 },
		{ INFINITY, 20 } };

	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.5, b, 4), 0.3,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.95, b, 4), 0.9,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.1, b, 4), 0.04,
	    1e-12);
	/* p99 of c: rank 24.75, in +Inf: the highest finite bound, 1 */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.99, c, 3), 1,
	    1e-12);
	CU_ASSERT(isnan(sr_prom_histogram_quantile(0.5, none, 2)));
	CU_ASSERT(isnan(sr_prom_histogram_quantile(0.5, noinf, 2)));
	CU_ASSERT(isnan(sr_prom_histogram_quantile(1.5, c, 3)));
	/*
	 * racing: le 1 (8) below le 0.1 (10) is raised to 10; p50: rank 10,
	 * first bucket with count >= 10 is le 0.1: 0.1 * 10 / 10 = 0.1.
	 * p75: rank 15, in +Inf: 1.
	 */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.5, racing, 3), 0.1,
	    1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.75, racing, 3), 1,
	    1e-12);
}

static void
test_histogram_increase(void)
{
	struct sr_prom_bucket a[] = { { 0.1, 10 }, { 1, 20 },
		{ INFINITY, 25 } };
	struct sr_prom_bucket b[] = { { 0.1, 14 }, { 1, 30 },
		{ INFINITY, 40 } };
	struct sr_prom_bucket r[] = { { 0.1, 1 }, { 1, 2 }, { INFINITY, 3 } };
	struct sr_prom_bucket other[] = { { 0.2, 14 }, { 1, 30 },
		{ INFINITY, 40 } };
	struct sr_prom_bucket out[3];

	CU_ASSERT_EQUAL(sr_prom_histogram_increase(a, b, 3, out), 0);
	CU_ASSERT_DOUBLE_EQUAL(out[0].count, 4, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[1].count, 10, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[2].count, 15, 1e-12);
	/* the window's p50: rank 7.5 in (0.1, 1] (4..10): 0.1+0.9*3.5/6 */
	CU_ASSERT_DOUBLE_EQUAL(sr_prom_histogram_quantile(0.5, out, 3),
	    0.1 + 0.9 * 3.5 / 6, 1e-12);
	/* a reset: b -> r went down, r's counts are the increase */
	CU_ASSERT_EQUAL(sr_prom_histogram_increase(b, r, 3, out), 0);
	CU_ASSERT_DOUBLE_EQUAL(out[2].count, 3, 1e-12);
	CU_ASSERT_EQUAL(sr_prom_histogram_increase(a, other, 3, out), -1);
}

void
sr_test_prom_suite(void)
{
	CU_pSuite s = CU_add_suite("prom", NULL, NULL);

	CU_add_test(s, "text_format", test_text_format);
	CU_add_test(s, "openmetrics", test_openmetrics);
	CU_add_test(s, "bad_lines", test_bad_lines);
	CU_add_test(s, "labels_cap", test_labels_cap);
	CU_add_test(s, "counter_increase", test_counter_increase);
	CU_add_test(s, "histogram_quantile", test_histogram_quantile);
	CU_add_test(s, "histogram_increase", test_histogram_increase);
}
