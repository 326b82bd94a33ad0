/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/otlp.c: the protobuf reader on requests encoded by
 * hand from trace.proto, logs.proto and common.proto (opentelemetry-proto
 * v1.11.0; each byte's meaning is in a comment), what it refuses, the
 * answers it writes, and spans read as events by sr_parser_otlp().
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/otlp.h"
#include "core/parse.h"

void sr_test_otlp_suite(void);

/* A message under construction: bytes appended by the helpers below. */
struct msg {
	unsigned char b[512];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	CU_ASSERT_FATAL(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
varint(struct msg *m, unsigned long long v)
{
	unsigned char c;

	while (v >= 0x80) {
		c = (unsigned char)(v | 0x80);
		put(m, &c, 1);
		v >>= 7;
	}
	c = (unsigned char)v;
	put(m, &c, 1);
}

/* field num with wire type 2 holding the bytes of sub */
static void
len_field(struct msg *m, unsigned num, const void *p, size_t n)
{
	varint(m, (unsigned long long)num << 3 | 2);
	varint(m, n);
	put(m, p, n);
}

static void
fixed64(struct msg *m, unsigned num, unsigned long long v)
{
	unsigned char le[8];

	varint(m, (unsigned long long)num << 3 | 1);
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	put(m, le, 8);
}

/* KeyValue {key = 1, value = 2 (AnyValue)} with AnyValue bytes av */
static void
attr(struct msg *m, unsigned num, const char *key, const struct msg *av)
{
	struct msg kv = { .n = 0 };

	len_field(&kv, 1, key, strlen(key));
	len_field(&kv, 2, av->b, av->n);
	len_field(m, num, kv.b, kv.n);
}

static const char *
str_at(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL, *tok;

	(void)snprintf(buf, sizeof buf, "%s", path); /* short test paths */
	for (tok = strtok_r(buf, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		o = (*tok >= '0' && *tok <= '9')
		    ? cJSON_GetArrayItem(o, atoi(tok))
		    : cJSON_GetObjectItemCaseSensitive(o, tok);
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

static double
num_at(const cJSON *o, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(c) ? c->valuedouble : -12345;
}

#define STREQ(a, b)                                      \
	do {                                             \
		const char *a_ = (a);                    \
		CU_ASSERT_PTR_NOT_NULL(a_);              \
		if (a_ != NULL)                          \
			CU_ASSERT_STRING_EQUAL(a_, (b)); \
	} while (0)

/*
 * ExportTraceServiceRequest { resourceSpans (1) { resource (1) {
 * attributes (1): service.name = "chat" } scopeSpans (2) { spans (2) {
 * trace_id (1) 16 bytes, span_id (2) 8 bytes, name (5) "chat gpt-4o",
 * kind (6) = 3, start (7), end (8) = start + 1.25 s, attributes (9):
 * gen_ai.usage.input_tokens intValue 812, neg intValue -5, d doubleValue
 * 0.5, b boolValue true, raw bytesValue 01 02 03; events (11): a
 * gen_ai.first_token at start + 300 ms; status (15) { message (2)
 * "boom", code (3) = 2 }, and an unknown field 99 (varint) } } } }
 */
static void
build_trace(struct msg *req)
{
	struct msg span = { .n = 0 }, av, ev = { .n = 0 }, st = { .n = 0 };
	struct msg scope = { .n = 0 }, res = { .n = 0 }, rs = { .n = 0 };
	unsigned char tid[16], sid[8];
	const unsigned long long t0 = 1764840932000000000ULL;
	const double half = 0.5;
	unsigned long long dbits;

	for (int i = 0; i < 16; i++)
		tid[i] = (unsigned char)(0xa0 + i);
	for (int i = 0; i < 8; i++)
		sid[i] = (unsigned char)(0x10 + i);
	len_field(&span, 1, tid, 16);
	len_field(&span, 2, sid, 8);
	len_field(&span, 5, "chat gpt-4o", 11);
	varint(&span, 6 << 3 | 0);
	varint(&span, 3);
	fixed64(&span, 7, t0);
	fixed64(&span, 8, t0 + 1250000000ULL);
	av.n = 0; /* intValue (3) 812 */
	varint(&av, 3 << 3 | 0);
	varint(&av, 812);
	attr(&span, 9, "gen_ai.usage.input_tokens", &av);
	av.n = 0; /* intValue -5: ten bytes of two's complement */
	varint(&av, 3 << 3 | 0);
	varint(&av, (unsigned long long)-5LL);
	attr(&span, 9, "neg", &av);
	av.n = 0; /* doubleValue (4) 0.5 */
	memcpy(&dbits, &half, sizeof dbits);
	fixed64(&av, 4, dbits);
	attr(&span, 9, "d", &av);
	av.n = 0; /* boolValue (2) true */
	varint(&av, 2 << 3 | 0);
	varint(&av, 1);
	attr(&span, 9, "b", &av);
	av.n = 0; /* bytesValue (7) 01 02 03 */
	len_field(&av, 7, "\x01\x02\x03", 3);
	attr(&span, 9, "raw", &av);
	fixed64(&ev, 1, t0 + 300000000ULL);
	len_field(&ev, 2, "gen_ai.first_token", 18);
	len_field(&span, 11, ev.b, ev.n);
	len_field(&st, 2, "boom", 4);
	varint(&st, 3 << 3 | 0);
	varint(&st, 2);
	len_field(&span, 15, st.b, st.n);
	varint(&span, 99 << 3 | 0); /* unknown: skipped */
	varint(&span, 123456);
	len_field(&scope, 2, span.b, span.n);
	av.n = 0;
	len_field(&av, 1, "chat", 4);
	attr(&res, 1, "service.name", &av);
	len_field(&rs, 1, res.b, res.n);
	len_field(&rs, 2, scope.b, scope.n);
	req->n = 0;
	len_field(req, 1, rs.b, rs.n);
}

static void
test_decode_trace(void)
{
	struct msg req;
	struct sr_err err;
	cJSON *root, *sp, *a;

	build_trace(&req);
	root = sr_otlp_pb_decode(SR_OTLP_TRACES, req.b, req.n, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	STREQ(str_at(root,
		  "resourceSpans.0.resource.attributes.0.value.stringValue"),
	    "chat");
	sp = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(
		    cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
					       root, "resourceSpans"),
			    0),
			"scopeSpans"),
		    0),
		"spans"),
	    0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
	STREQ(str_at(sp, "traceId"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
	STREQ(str_at(sp, "spanId"), "1011121314151617");
	STREQ(str_at(sp, "name"), "chat gpt-4o");
	CU_ASSERT_EQUAL(num_at(sp, "kind"), 3);
	STREQ(str_at(sp, "startTimeUnixNano"), "1764840932000000000");
	STREQ(str_at(sp, "endTimeUnixNano"), "1764840933250000000");
	a = cJSON_GetObjectItemCaseSensitive(sp, "attributes");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(a), 5);
	STREQ(str_at(a, "0.value.intValue"), "812");
	STREQ(str_at(a, "1.value.intValue"), "-5");
	CU_ASSERT_DOUBLE_EQUAL(num_at(cJSON_GetObjectItemCaseSensitive(
					  cJSON_GetArrayItem(a, 2), "value"),
				   "doubleValue"),
	    0.5, 0);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(a, 3), "value"),
	    "boolValue")));
	STREQ(str_at(a, "4.value.bytesValue"), "AQID");
	STREQ(str_at(sp, "events.0.name"), "gen_ai.first_token");
	STREQ(str_at(sp, "events.0.timeUnixNano"), "1764840932300000000");
	STREQ(str_at(sp, "status.message"), "boom");
	CU_ASSERT_EQUAL(num_at(cJSON_GetObjectItemCaseSensitive(sp, "status"),
			    "code"),
	    2);
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(sp, "99"));
	cJSON_Delete(root);
}

/* The same request read as an event, as POST /v1/traces does. */
static void
test_span_event(void)
{
	struct msg req;
	struct sr_err err;
	struct sr_parser *p = sr_parser_new(SR_FMT_OTLP);
	struct sr_event ev;
	enum sr_reject why;
	void *root;

	build_trace(&req);
	root = sr_otlp_pb_decode(SR_OTLP_TRACES, req.b, req.n, &err);
	CU_ASSERT_EQUAL_FATAL(sr_parser_otlp(p, root, SR_OTLP_TRACES, 1, &ev,
				  &why, &err),
	    1);
	STREQ(ev.service, "chat");
	STREQ(ev.endpoint, "chat gpt-4o"); /* no http.route: the name */
	STREQ(ev.event_id, "1011121314151617");
	STREQ(ev.event_type, "request");
	STREQ(ev.message, "boom");
	CU_ASSERT_EQUAL(ev.ts_ms, 1764840932000LL);
	CU_ASSERT_DOUBLE_EQUAL(ev.response_time_ms, 1250, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ev.ttft_ms, 300, 1e-9);
	CU_ASSERT_EQUAL(ev.tokens_in, 812);
	CU_ASSERT_TRUE(ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(sr_parser_more(p, 1, &ev, &why, &err), 0);
	sr_parser_free(p);
	/* not a logs request: a span's trace_id (1, bytes) where a log
	 * record has its time (1, fixed64) */
	CU_ASSERT_PTR_NULL(sr_otlp_pb_decode(SR_OTLP_LOGS, req.b, req.n, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "wrong type"));
}

/* Each undecodable body, and why. */
static void
test_refused(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *why;
	} bad[] = {
		{ "\x0a\x05\x0a", 3, "length past the end" },
		{ "\x0a", 1, "truncated varint" },
		{ "\x4b", 1, "group" },		 /* field 9, wire 3 */
		{ "\x09\x01", 2, "wrong type" }, /* resourceSpans as I64 */
		{ "\x0a\x02\x1a\x00", 4, NULL }, /* schemaUrl (3): fine */
		{ "\x00", 1, "field number" },	 /* field 0 */
		{ "\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11,
		    "varint" }, /* 11-byte varint */
		{ "\x0a\x04\x1a\x02\xc3\x28", 6, "UTF-8" },
		{ "\x0a\x04\x1a\x02\x61\x00", 6, "NUL" },
	};
	struct sr_err err;
	void *root;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err.msg[0] = '\0';
		root = sr_otlp_pb_decode(SR_OTLP_TRACES, bad[i].bytes, bad[i].n,
		    &err);
		if (bad[i].why == NULL) {
			CU_ASSERT_PTR_NOT_NULL(root);
			cJSON_Delete(root);
			continue;
		}
		CU_ASSERT_PTR_NULL(root);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].why));
	}
}

/* AnyValue arrays nested past SR_OTLP_DEPTH are refused, not recursed. */
static void
test_depth(void)
{
	struct msg cur = { .n = 0 }, arr, rec = { .n = 0 }, sl = { .n = 0 },
		   rl = { .n = 0 }, req = { .n = 0 };
	struct sr_err err;
	void *root;

	len_field(&cur, 1, "x", 1); /* AnyValue { stringValue "x" } */
	for (int d = 0; d < 40; d++) {
		arr.n = 0; /* ArrayValue { values (1) cur } */
		len_field(&arr, 1, cur.b, cur.n);
		cur.n = 0; /* AnyValue { arrayValue (5) arr } */
		len_field(&cur, 5, arr.b, arr.n);
	}
	len_field(&rec, 5, cur.b, cur.n); /* LogRecord { body (5) } */
	len_field(&sl, 2, rec.b, rec.n);
	len_field(&rl, 2, sl.b, sl.n);
	len_field(&req, 1, rl.b, rl.n);
	root = sr_otlp_pb_decode(SR_OTLP_LOGS, req.b, req.n, &err);
	CU_ASSERT_PTR_NULL(root);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nested too deep"));
}

/* A later member of a oneof replaces the earlier; a message met twice is
 * merged. */
static void
test_oneof_merge(void)
{
	struct msg av = { .n = 0 }, rec = { .n = 0 }, sl = { .n = 0 },
		   rl = { .n = 0 }, req = { .n = 0 };
	struct sr_err err;
	cJSON *root, *body;

	len_field(&av, 1, "text", 4); /* stringValue, then intValue 7 */
	varint(&av, 3 << 3 | 0);
	varint(&av, 7);
	len_field(&rec, 5, av.b, av.n);
	fixed64(&rec, 1, 1000000000000000000ULL);
	len_field(&sl, 2, rec.b, rec.n);
	len_field(&rl, 2, sl.b, sl.n);
	len_field(&rl, 1, "", 0); /* resource, empty, then again: merged */
	len_field(&req, 1, rl.b, rl.n);
	root = sr_otlp_pb_decode(SR_OTLP_LOGS, req.b, req.n, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	body = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
						   root, "resourceLogs"),
				0),
			    "scopeLogs"),
			0),
		    "logRecords"),
		0),
	    "body");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(body), 1);
	STREQ(str_at(body, "intValue"), "7");
	STREQ(str_at(root,
		  "resourceLogs.0.scopeLogs.0.logRecords.0."
		  "timeUnixNano"),
	    "1000000000000000000");
	cJSON_Delete(root);
}

static void
test_answers(void)
{
	struct sr_buf b;

	sr_buf_init(&b);
	sr_otlp_pb_response(&b, 0, NULL);
	CU_ASSERT_EQUAL(b.len, 0);
	/* partial_success (1) { rejected (1) = 3, error_message (2) "x" } */
	sr_otlp_pb_response(&b, 3, "x");
	CU_ASSERT_EQUAL(b.len, 7);
	CU_ASSERT_EQUAL(memcmp(b.data, "\x0a\x05\x08\x03\x12\x01x", 7), 0);
	sr_buf_reset(&b);
	/* google.rpc.Status { code (1) = 14, message (2) "m" } */
	sr_otlp_pb_status(&b, 14, "m");
	CU_ASSERT_EQUAL(b.len, 5);
	CU_ASSERT_EQUAL(memcmp(b.data, "\x08\x0e\x12\x01m", 5), 0);
	sr_buf_reset(&b);
	sr_otlp_json_response(&b, SR_OTLP_LOGS, 0, NULL);
	CU_ASSERT_STRING_EQUAL(b.data, "{}");
	sr_buf_reset(&b);
	sr_otlp_json_response(&b, SR_OTLP_TRACES, 2, "a \"b\"");
	CU_ASSERT_STRING_EQUAL(b.data,
	    "{\"partialSuccess\":{\"rejectedSpans\":\"2\","
	    "\"errorMessage\":\"a \\\"b\\\"\"}}");
	sr_buf_release(&b);
}

void
sr_test_otlp_suite(void)
{
	CU_pSuite s = CU_add_suite("otlp", NULL, NULL);

	CU_add_test(s, "decode_trace", test_decode_trace);
	CU_add_test(s, "span_event", test_span_event);
	CU_add_test(s, "refused", test_refused);
	CU_add_test(s, "depth", test_depth);
	CU_add_test(s, "oneof_merge", test_oneof_merge);
	CU_add_test(s, "answers", test_answers);
}
