/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/parse: JSON, logfmt, combined and auto lines, every
 * alias, every rejection reason, metadata, and the line splitter.
 * Expected instants were computed with GNU date, e.g.
 * `date -u -d 2026-11-28T12:00:00.123Z +%s%3N` = 1795867200123.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

void sr_test_parse_suite(void);

#define NOW 1700000000000LL    /* stamps lines without a time */
#define T_DEMO 1795867200123LL /* 2026-11-28T12:00:00.123Z */

/* Shared by the helpers below; rebuilt by each test. */
struct fx {
	struct sr_parser *p;
	struct sr_event ev;
	enum sr_reject why;
	struct sr_err err;
	cJSON *meta;
};

static void
fx_open(struct fx *f, enum sr_format fmt)
{
	memset(f, 0, sizeof *f);
	f->p = sr_parser_new(fmt);
	f->why = SR_REJ__COUNT;
}

static void
fx_close(struct fx *f)
{
	cJSON_Delete(f->meta);
	sr_parser_free(f->p);
}

/* Parse a C string; on success the metadata is parsed back into f->meta. */
static int
fx_line(struct fx *f, const char *line)
{
	int rc;

	cJSON_Delete(f->meta);
	f->meta = NULL;
	f->why = SR_REJ__COUNT;
	f->err.msg[0] = '\0';
	rc = sr_parser_line(f->p, line, strlen(line), NOW, &f->ev, &f->why,
	    &f->err);
	if (rc == 1 && f->ev.metadata != NULL) {
		f->meta = cJSON_Parse(f->ev.metadata);
		CU_ASSERT_PTR_NOT_NULL(f->meta);
		CU_ASSERT_TRUE(cJSON_IsObject(f->meta));
	}
	return rc;
}

static const char *
meta_str(struct fx *f, const char *key)
{
	cJSON *j = cJSON_GetObjectItemCaseSensitive(f->meta, key);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static double
meta_num(struct fx *f, const char *key)
{
	cJSON *j = cJSON_GetObjectItemCaseSensitive(f->meta, key);

	return cJSON_IsNumber(j) ? j->valuedouble : NAN;
}

static int
meta_has(struct fx *f, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(f->meta, key) != NULL;
}

static int
meta_count(struct fx *f)
{
	return f->meta ? cJSON_GetArraySize(f->meta) : 0;
}

#define STREQ(a, b) CU_ASSERT_TRUE((a) != NULL && strcmp((a), (b)) == 0)

static void
test_json_demo(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_JSON);
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"timestamp\":\"2026-11-28T12:00:00.123Z\","
		"\"service\":\"vllm\",\"endpoint\":\"/v1/chat/completions\","
		"\"status_code\":200,\"response_time_ms\":812.5,\"user_id\":"
		"\"u123\",\"session_id\":\"s456\",\"model\":\"llama-3-8b\","
		"\"tokens_in\":512,\"tokens_out\":128,\"ttft_ms\":95.2,"
		"\"event_id\":\"e1\",\"event_type\":\"llm\",\"host\":\"n1\","
		"\"message\":\"ok\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	STREQ(f.ev.service, "vllm");
	STREQ(f.ev.endpoint, "/v1/chat/completions");
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 812.5, 1e-9);
	STREQ(f.ev.user_id, "u123");
	STREQ(f.ev.session_id, "s456");
	STREQ(f.ev.model, "llama-3-8b");
	CU_ASSERT_EQUAL(f.ev.tokens_in, 512);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 128);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.ttft_ms, 95.2, 1e-9);
	STREQ(f.ev.event_id, "e1");
	STREQ(f.ev.event_type, "llm");
	STREQ(f.ev.host, "n1");
	STREQ(f.ev.message, "ok");
	CU_ASSERT_EQUAL(f.ev.has,
	    SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY | SR_EV_HAS_TOKENS_IN |
		SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT);
	CU_ASSERT_PTR_NULL(f.ev.metadata);
	fx_close(&f);
}

static void
test_json_defaults(void)
{
	struct fx f;
	char first[64];

	fx_open(&f, SR_FMT_JSON);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"service\":\"api\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, NOW);
	/* no status, latency or method: a log line, not a request */
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.ev.event_id);
	CU_ASSERT_TRUE(strlen(f.ev.event_id) > 0);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	CU_ASSERT_PTR_NULL(f.ev.endpoint);
	CU_ASSERT_PTR_NULL(f.ev.user_id);
	CU_ASSERT_PTR_NULL(f.ev.session_id);
	CU_ASSERT_PTR_NULL(f.ev.message);
	CU_ASSERT_PTR_NULL(f.ev.model);
	CU_ASSERT_PTR_NULL(f.ev.host);
	CU_ASSERT_PTR_NULL(f.ev.metadata);
	(void)strncpy(first, f.ev.event_id, sizeof first - 1);
	first[sizeof first - 1] = '\0';
	CU_ASSERT_EQUAL(fx_line(&f, "{}"), 1);
	CU_ASSERT_STRING_NOT_EQUAL(f.ev.event_id, first);
	CU_ASSERT_PTR_NULL(f.ev.service);
	/* a default service labels lines without one */
	sr_parser_set_default_service(f.p, "access.log");
	CU_ASSERT_EQUAL(fx_line(&f, "{}"), 1);
	STREQ(f.ev.service, "access.log");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"service\":\"x\"}"), 1);
	STREQ(f.ev.service, "x");
	sr_parser_set_default_service(f.p, NULL);
	CU_ASSERT_EQUAL(fx_line(&f, "{}"), 1);
	CU_ASSERT_PTR_NULL(f.ev.service);
	/* null is absent, "" is absent */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"status\":null,\"user\":\"\","
			    "\"ts\":null}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	CU_ASSERT_PTR_NULL(f.ev.user_id);
	CU_ASSERT_EQUAL(f.ev.ts_ms, NOW);
	fx_close(&f);
}

/* Each alias lands in its field. */
static void
test_json_aliases(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_JSON);
	/* time: ts, time, @timestamp, timestamp as numbers and strings */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"ts\":\"2026-11-28T12:00:00.123Z\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"time\":1795867200.123}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"@timestamp\":1795867200123}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"timestamp\":\"1795867200123\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"ts\":\"1795867200.123\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"__REALTIME_TIMESTAMP\":\"1795867200123456\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	/* status */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":404}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 404);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_STATUS);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"code\":503}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 503);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"http_status\":\"201\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 201);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status_code\":\"200\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	/* a non-numeric "code" is kept as metadata, not a status */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"code\":\"ECONNRESET\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	STREQ(meta_str(&f, "code"), "ECONNRESET");
	/* latency in ms */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"latency_ms\":12.5}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_LATENCY);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration_ms\":\"12.5\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"elapsed_ms\":7}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 7, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"response_time_ms\":0}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 0, 1e-9);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_LATENCY);
	/* latency in seconds */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration_s\":0.25}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 250, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"latency_s\":\"1.5\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 1500, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"request_time\":0.004}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 4, 1e-9);
	/* "latency" and "duration" alone are not known: kept as metadata */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"latency\":3,\"duration\":4}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "latency"), 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "duration"), 4, 1e-9);
	/* user, session: strings or numbers */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"user\":\"alice\",\"session\":\"x1\"}"),
	    1);
	STREQ(f.ev.user_id, "alice");
	STREQ(f.ev.session_id, "x1");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"uid\":1000,\"sid\":42}"), 1);
	STREQ(f.ev.user_id, "1000");
	STREQ(f.ev.session_id, "42");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"id\":7}"), 1);
	STREQ(f.ev.event_id, "7");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"id\":\"abc\"}"), 1);
	STREQ(f.ev.event_id, "abc");
	/* service */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"svc\":\"a\"}"), 1);
	STREQ(f.ev.service, "a");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"app\":\"b\"}"), 1);
	STREQ(f.ev.service, "b");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"_SYSTEMD_UNIT\":\"nginx.service\"}"),
	    1);
	STREQ(f.ev.service, "nginx");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"_SYSTEMD_UNIT\":\"cron.timer\"}"), 1);
	STREQ(f.ev.service, "cron.timer");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"SYSLOG_IDENTIFIER\":\"sshd\"}"), 1);
	STREQ(f.ev.service, "sshd");
	/* endpoint: query dropped; url gives its path */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"path\":\"/a/b?x=1\"}"), 1);
	STREQ(f.ev.endpoint, "/a/b");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"route\":\"/users/:id\"}"), 1);
	STREQ(f.ev.endpoint, "/users/:id");
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"url\":\"https://api.example.com:8443/v1/x?q=2#f\"}"),
	    1);
	STREQ(f.ev.endpoint, "/v1/x");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"url\":\"/v2/y?z\"}"), 1);
	STREQ(f.ev.endpoint, "/v2/y");
	/* type */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"type\":\"login\"}"), 1);
	STREQ(f.ev.event_type, "login");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"event\":\"logout\"}"), 1);
	STREQ(f.ev.event_type, "logout");
	/* a structured "event" (ECS style) is kept, not a type */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"event\":{\"kind\":\"x\"}}"), 1);
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(f.meta, "event")));
	/* message */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"msg\":\"hi\"}"), 1);
	STREQ(f.ev.message, "hi");
	CU_ASSERT_EQUAL(f.ev.has & SR_EV_IS_ERROR, 0);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"MESSAGE\":\"hey\"}"), 1);
	STREQ(f.ev.message, "hey");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"error\":\"boom\"}"), 1);
	STREQ(f.ev.message, "boom");
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"error\":true}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
	CU_ASSERT_PTR_NULL(f.ev.message);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"error\":false}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	/* LLM fields */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"prompt_tokens\":10,"
		"\"completion_tokens\":\"20\",\"time_to_first_token_ms\":33.5}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.tokens_in, 10);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 20);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.ttft_ms, 33.5, 1e-9);
	CU_ASSERT_EQUAL(f.ev.has,
	    SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"input_tokens\":1,"
			    "\"output_tokens\":2,\"model\":\"m\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.tokens_in, 1);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 2);
	STREQ(f.ev.model, "m");
	/* host only from "host"; hostname and _HOSTNAME stay in metadata */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"hostname\":\"a\",\"_HOSTNAME\":\"b\"}"),
	    1);
	CU_ASSERT_PTR_NULL(f.ev.host);
	STREQ(meta_str(&f, "hostname"), "a");
	STREQ(meta_str(&f, "_HOSTNAME"), "b");
	fx_close(&f);
}

static void
test_json_levels(void)
{
	static const char *const errs[] = { "error", "ERROR", "err", "fatal",
		"critical", NULL };
	struct fx f;
	char line[64];

	fx_open(&f, SR_FMT_JSON);
	for (int i = 0; errs[i] != NULL; i++) {
		(void)snprintf(line, sizeof line, "{\"level\":\"%s\"}",
		    errs[i]);
		CU_ASSERT_EQUAL(fx_line(&f, line), 1);
		CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
		STREQ(meta_str(&f, "level"), errs[i]); /* kept */
	}
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":\"info\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":\"warn\"}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	/* pino/bunyan numbers: 50 is error, 30 info */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":50}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":30}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, 0);
	/* syslog PRIORITY <= 3 is an error */
	for (int pr = 0; pr <= 7; pr++) {
		(void)snprintf(line, sizeof line, "{\"PRIORITY\":\"%d\"}", pr);
		CU_ASSERT_EQUAL(fx_line(&f, line), 1);
		CU_ASSERT_EQUAL(f.ev.has, pr <= 3 ? SR_EV_IS_ERROR : 0u);
	}
	CU_ASSERT_EQUAL(fx_line(&f, "{\"PRIORITY\":2}"), 1);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
	fx_close(&f);
}

static void
test_json_journald(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_AUTO);
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"__CURSOR\":\"s=abc;i=1\","
		"\"__REALTIME_TIMESTAMP\":\"1795867200123456\","
		"\"_HOSTNAME\":\"web1\",\"PRIORITY\":\"3\","
		"\"_SYSTEMD_UNIT\":\"nginx.service\",\"SYSLOG_IDENTIFIER\":\"nginx\","
		"\"MESSAGE\":\"upstream timed out\",\"_PID\":\"812\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	STREQ(f.ev.service, "nginx");
	STREQ(f.ev.message, "upstream timed out");
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_IS_ERROR);
	CU_ASSERT_PTR_NULL(f.ev.host);
	STREQ(meta_str(&f, "_HOSTNAME"), "web1");
	STREQ(meta_str(&f, "__CURSOR"), "s=abc;i=1");
	STREQ(meta_str(&f, "_PID"), "812");
	STREQ(meta_str(&f, "PRIORITY"), "3");
	/* the unit won; the identifier is kept */
	STREQ(meta_str(&f, "SYSLOG_IDENTIFIER"), "nginx");
	CU_ASSERT_EQUAL(meta_count(&f), 5);
	/* a MESSAGE journald gives as a byte array is its text; bytes that
	 * are not UTF-8 are written \xHH */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"MESSAGE\":[104,105]}"), 1);
	STREQ(f.ev.message, "hi");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"MESSAGE\":[104,255,105]}"), 1);
	STREQ(f.ev.message, "h\\xffi");
	/* not bytes: kept as sent */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"MESSAGE\":[\"a\"]}"), 1);
	CU_ASSERT_PTR_NULL(f.ev.message);
	CU_ASSERT_TRUE(cJSON_IsArray(cJSON_GetObjectItem(f.meta, "MESSAGE")));
	fx_close(&f);
}

static void
test_json_metadata(void)
{
	struct fx f;
	cJSON *j;

	fx_open(&f, SR_FMT_JSON);
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"service\":\"api\",\"region\":\"eu\","
		"\"retries\":3,\"ratio\":0.25,\"big\":12345678901234,"
		"\"ok\":true,\"no\":false,\"nil\":null,\"tags\":[\"a\",1],"
		"\"obj\":{\"k\":{\"n\":[1,2]}},\"q\":\"say \\\"hi\\\"\\n\","
		"\"u\":\"caf\xc3\xa9 \xe2\x82\xac\","
		"\"metadata\":{\"trace\":\"t1\",\"depth\":2}}"),
	    1);
	STREQ(f.ev.service, "api");
	CU_ASSERT_EQUAL(meta_count(&f), 13);
	STREQ(meta_str(&f, "region"), "eu");
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "retries"), 3, 0);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "ratio"), 0.25, 0);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "big"), 12345678901234.0, 0);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(f.meta, "ok")));
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(f.meta, "no")));
	CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(f.meta, "nil")));
	j = cJSON_GetObjectItem(f.meta, "tags");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 2);
	j = cJSON_GetObjectItem(cJSON_GetObjectItem(f.meta, "obj"), "k");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "n")), 2);
	STREQ(meta_str(&f, "q"), "say \"hi\"\n");
	STREQ(meta_str(&f, "u"), "caf\xc3\xa9 \xe2\x82\xac");
	/* members of "metadata" are merged in, not nested */
	STREQ(meta_str(&f, "trace"), "t1");
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "depth"), 2, 0);
	CU_ASSERT_FALSE(meta_has(&f, "metadata"));
	CU_ASSERT_FALSE(meta_has(&f, "service"));

	/* only a metadata object */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"metadata\":{\"a\":1}}"), 1);
	CU_ASSERT_EQUAL(meta_count(&f), 1);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "a"), 1, 0);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"metadata\":{}}"), 1);
	STREQ(f.ev.metadata, "{}");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"metadata\":null}"), 1);
	CU_ASSERT_PTR_NULL(f.ev.metadata);
	/* a member of metadata wins over a top-level duplicate */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"x\":1,\"metadata\":{\"x\":2}}"), 1);
	CU_ASSERT_EQUAL(meta_count(&f), 1);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "x"), 2, 0);

	/* two aliases of one field: the model's name wins, the other is kept */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"status\":500,\"status_code\":200,"
			    "\"latency_ms\":5,\"duration_s\":1,\"msg\":\"a\","
			    "\"message\":\"b\",\"error\":\"c\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 5, 1e-9);
	STREQ(f.ev.message, "b");
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "status"), 500, 0);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "duration_s"), 1, 0);
	STREQ(meta_str(&f, "msg"), "a");
	STREQ(meta_str(&f, "error"), "c");
	CU_ASSERT_EQUAL(meta_count(&f), 4);
	/* a displaced alias of the wrong type is kept, not rejected */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"user_id\":\"u\",\"user\":{\"a\":1}}"),
	    1);
	STREQ(f.ev.user_id, "u");
	CU_ASSERT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(f.meta, "user")));
	fx_close(&f);
}

/* Each rejection names its reason and field. */
static void
test_json_reject(void)
{
	static const struct {
		const char *line;
		enum sr_reject why;
		const char *in_msg;
	} cases[] = {
		{ "{\"a\":", SR_REJ_NOT_JSON, "not JSON" },
		{ "{\"a\":1} x", SR_REJ_NOT_JSON, "not JSON" },
		{ "{'a':1}", SR_REJ_NOT_JSON, "not JSON" },
		{ "[1,", SR_REJ_NOT_JSON, "not JSON" },
		{ "[1,2]", SR_REJ_NOT_OBJECT, "array" },
		{ "42", SR_REJ_NOT_OBJECT, "number" },
		{ "\"str\"", SR_REJ_NOT_OBJECT, "string" },
		{ "null", SR_REJ_NOT_OBJECT, "null" },
		{ "hello", SR_REJ_NOT_JSON, "not JSON" },
		{ "{\"latency_ms\":-1}", SR_REJ_BAD_FIELD,
		    "field 'latency_ms': negative" },
		{ "{\"response_time_ms\":\"fast\"}", SR_REJ_BAD_FIELD,
		    "field 'response_time_ms'" },
		{ "{\"duration_s\":[1]}", SR_REJ_BAD_FIELD, "array" },
		{ "{\"tokens_in\":-5}", SR_REJ_BAD_FIELD, "field 'tokens_in'" },
		{ "{\"tokens_out\":1.5}", SR_REJ_BAD_FIELD, "whole" },
		{ "{\"ttft_ms\":-0.5}", SR_REJ_BAD_FIELD, "field 'ttft_ms'" },
		{ "{\"service\":5}", SR_REJ_BAD_FIELD,
		    "field 'service': expected a string, got number" },
		{ "{\"svc\":[\"a\"]}", SR_REJ_BAD_FIELD, "field 'svc'" },
		{ "{\"session_id\":true}", SR_REJ_BAD_FIELD,
		    "field 'session_id'" },
		{ "{\"endpoint\":1}", SR_REJ_BAD_FIELD, "field 'endpoint'" },
		{ "{\"host\":1}", SR_REJ_BAD_FIELD, "field 'host'" },
		{ "{\"type\":2}", SR_REJ_BAD_FIELD, "field 'type'" },
		{ "{\"metadata\":[1]}", SR_REJ_BAD_FIELD, "field 'metadata'" },
		{ "{\"timestamp\":\"yesterday\"}", SR_REJ_BAD_TIME,
		    "field 'timestamp'" },
		{ "{\"ts\":\"2026-13-01T00:00:00Z\"}", SR_REJ_BAD_TIME,
		    "field 'ts'" },
		{ "{\"time\":\"2026-01-32\"}", SR_REJ_BAD_TIME,
		    "field 'time'" },
		{ "{\"ts\":\"2026-01-01T25:00:00Z\"}", SR_REJ_BAD_TIME, "ts" },
		{ "{\"ts\":{}}", SR_REJ_BAD_TIME, "field 'ts'" },
		{ "{\"ts\":-5}", SR_REJ_BAD_TIME, "field 'ts'" },
		{ "{\"__REALTIME_TIMESTAMP\":\"x\"}", SR_REJ_BAD_TIME,
		    "__REALTIME_TIMESTAMP" },
		{ "{\"a\":\"\xff\"}", SR_REJ_BAD_UTF8, "UTF-8" },
		{ "{\"a\":\"\xc3\"}", SR_REJ_BAD_UTF8, "UTF-8" },
		{ "{\"a\":\"\xed\xa0\x80\"}", SR_REJ_BAD_UTF8, "UTF-8" },
	};
	struct fx f;

	fx_open(&f, SR_FMT_JSON);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = fx_line(&f, cases[i].line);

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_EQUAL(f.why, cases[i].why);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.err.msg, cases[i].in_msg));
		CU_ASSERT_PTR_NULL(strchr(f.err.msg, '\n'));
		if (rc != -1 || f.why != cases[i].why ||
		    strstr(f.err.msg, cases[i].in_msg) == NULL)
			fprintf(stderr, "\ncase %zu '%s': rc %d why %d '%s'\n",
			    i, cases[i].line, rc, (int)f.why, f.err.msg);
	}
	/* a good line after rejects parses */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":200}"), 1);
	/* what is no longer a reject (issue 13): a status that is not an
	 * HTTP status is kept in metadata; an object is walked */
	{
		static const char *const kept[] = { "{\"status\":{}}",
			"{\"status_code\":\"abc\"}", "{\"status\":700}",
			"{\"status\":99}", "{\"status\":200.5}",
			"{\"status\":true}", "{\"model\":{}}" };

		for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
			CU_ASSERT_EQUAL(fx_line(&f, kept[i]), 1);
			CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_STATUS);
			CU_ASSERT_EQUAL(meta_count(&f), 1);
		}
		CU_ASSERT_EQUAL(fx_line(&f, "{\"user\":{\"id\":1}}"), 1);
		STREQ(f.ev.user_id, "1"); /* ECS user.id */
	}
	fx_close(&f);
}

static void
test_lines_edge(void)
{
	struct fx f;
	char *big;
	size_t n = SR_LINE_MAX + 10;

	fx_open(&f, SR_FMT_AUTO);
	/* blank lines are not events */
	CU_ASSERT_EQUAL(fx_line(&f, ""), 0);
	CU_ASSERT_EQUAL(fx_line(&f, "   \t "), 0);
	CU_ASSERT_EQUAL(fx_line(&f, "\r"), 0);
	/* CRLF */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":200}\r"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	CU_ASSERT_EQUAL(fx_line(&f, "a=1 svc=x\r"), 1);
	STREQ(f.ev.service, "x");
	/* leading blanks before JSON */
	CU_ASSERT_EQUAL(fx_line(&f, "  {\"status\":201}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 201);
	/* valid multibyte UTF-8 (2, 3 and 4 byte sequences) */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"message\":\"\xc3\xa9\xe2\x82\xac"
			    "\xf0\x9f\x98\x80\",\"user\":\"\xe6\x97\xa5\"}"),
	    1);
	STREQ(f.ev.message, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	STREQ(f.ev.user_id, "\xe6\x97\xa5");
	/* invalid UTF-8 in every format */
	CU_ASSERT_EQUAL(fx_line(&f, "a=\xc0\xaf"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_BAD_UTF8);
	/* too long */
	big = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'a', n);
	CU_ASSERT_EQUAL(sr_parser_line(f.p, big, n, NOW, &f.ev, &f.why, &f.err),
	    -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_TOO_LONG);
	free(big);
	/* unrecognised */
	CU_ASSERT_EQUAL(fx_line(&f, "just some text"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	CU_ASSERT_EQUAL(fx_line(&f, "a = b"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	fx_close(&f);

	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_NOT_JSON), "not_json");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_NOT_OBJECT), "not_object");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_BAD_FIELD), "bad_field");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_BAD_TIME), "bad_time");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_TOO_LONG), "too_long");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_BAD_UTF8), "bad_utf8");
	CU_ASSERT_STRING_EQUAL(sr_reject_name(SR_REJ_UNRECOGNISED),
	    "unrecognised");
}

static void
test_format_names(void)
{
	enum sr_format fmt;

	CU_ASSERT_EQUAL(sr_format_parse("json", &fmt), 0);
	CU_ASSERT_EQUAL(fmt, SR_FMT_JSON);
	CU_ASSERT_EQUAL(sr_format_parse("logfmt", &fmt), 0);
	CU_ASSERT_EQUAL(fmt, SR_FMT_LOGFMT);
	CU_ASSERT_EQUAL(sr_format_parse("combined", &fmt), 0);
	CU_ASSERT_EQUAL(fmt, SR_FMT_COMBINED);
	CU_ASSERT_EQUAL(sr_format_parse("auto", &fmt), 0);
	CU_ASSERT_EQUAL(fmt, SR_FMT_AUTO);
	CU_ASSERT_EQUAL(sr_format_parse("xml", &fmt), -1);
	CU_ASSERT_EQUAL(sr_format_parse(NULL, &fmt), -1);
}

static void
test_logfmt(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_LOGFMT);
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"ts=2026-11-28T12:00:00.123Z level=error "
		"service=api path=/v1/x?y=1 status=502 duration_ms=12.5 "
		"user=u1 msg=\"upstream said \\\"no\\\" \\\\ bye\" cached "
		"region=eu empty="),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	STREQ(f.ev.service, "api");
	STREQ(f.ev.endpoint, "/v1/x");
	CU_ASSERT_EQUAL(f.ev.status_code, 502);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	STREQ(f.ev.user_id, "u1");
	STREQ(f.ev.message, "upstream said \"no\" \\ bye");
	CU_ASSERT_EQUAL(f.ev.has,
	    SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY | SR_EV_IS_ERROR);
	/* bare key = true; unknown keys and level kept */
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(f.meta, "cached")));
	STREQ(meta_str(&f, "region"), "eu");
	STREQ(meta_str(&f, "empty"), "");
	STREQ(meta_str(&f, "level"), "error");
	CU_ASSERT_EQUAL(meta_count(&f), 4);

	/* quoted values with spaces and = inside */
	CU_ASSERT_EQUAL(fx_line(&f, "a=\"x=1 y=2\" svc=\"my app\"\tu=\"\""), 1);
	STREQ(meta_str(&f, "a"), "x=1 y=2");
	STREQ(meta_str(&f, "u"), "");
	STREQ(f.ev.service, "my app");
	/* escapes \n \t */
	CU_ASSERT_EQUAL(fx_line(&f, "msg=\"a\\nb\\tc\\qd\""), 1);
	STREQ(f.ev.message, "a\nb\tc\\qd");
	/* numeric forms and tokens */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "tokens_in=5 tokens_out=6 ttft_ms=7.5 "
			    "request_time=0.5 time=1795867200.123"),
	    1);
	CU_ASSERT_EQUAL(f.ev.tokens_in, 5);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 6);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.ttft_ms, 7.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 500, 1e-9);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEMO);
	/* rejects */
	/* a status that is not one is kept, never a reject (issue 13) */
	CU_ASSERT_EQUAL(fx_line(&f, "status=abc"), 1);
	STREQ(meta_str(&f, "status"), "abc");
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_STATUS);
	CU_ASSERT_EQUAL(fx_line(&f, "ts=notatime a=1"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_BAD_TIME);
	CU_ASSERT_EQUAL(fx_line(&f, "msg=\"unterminated"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	CU_ASSERT_EQUAL(fx_line(&f, "only bare words"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	CU_ASSERT_EQUAL(fx_line(&f, "=x"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	CU_ASSERT_EQUAL(fx_line(&f, "a=\"b\"c"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	/* a JSON line in logfmt mode is not logfmt */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"a\":1}"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	fx_close(&f);
}

#define CLF                                               \
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] " \
	"\"GET /apache_pb.gif?x=1&y=2 HTTP/1.0\" 200 2326"
#define REF                                       \
	" \"http://www.example.com/start.html\" " \
	"\"Mozilla/4.08 [en] (Win98; I ;Nav)\""
/* date -u -d '2000-10-10T13:55:36-07:00' +%s%3N */
#define T_CLF 971211336000LL

static void
test_combined(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_COMBINED);
	CU_ASSERT_EQUAL(fx_line(&f, CLF REF), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_CLF);
	STREQ(f.ev.endpoint, "/apache_pb.gif");
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_STATUS);
	STREQ(f.ev.user_id, "frank");
	STREQ(f.ev.event_type, "request");
	CU_ASSERT_PTR_NULL(f.ev.service);
	CU_ASSERT_PTR_NOT_NULL(f.ev.event_id);
	STREQ(meta_str(&f, "method"), "GET");
	STREQ(meta_str(&f, "ip"), "127.0.0.1");
	STREQ(meta_str(&f, "protocol"), "HTTP/1.0");
	STREQ(meta_str(&f, "query"), "x=1&y=2");
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "bytes"), 2326, 0);
	STREQ(meta_str(&f, "referer"), "http://www.example.com/start.html");
	STREQ(meta_str(&f, "agent"), "Mozilla/4.08 [en] (Win98; I ;Nav)");

	/* nginx $request_time after the agent */
	CU_ASSERT_EQUAL(fx_line(&f, CLF REF " 0.123"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 123, 1e-6);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY);
	/* common format (no referer/agent), with and without request time */
	CU_ASSERT_EQUAL(fx_line(&f, CLF), 1);
	CU_ASSERT_EQUAL(f.ev.has, SR_EV_HAS_STATUS);
	CU_ASSERT_FALSE(meta_has(&f, "agent"));
	CU_ASSERT_EQUAL(fx_line(&f, CLF " 2.5"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 2500, 1e-6);

	/* "-" user, "-" bytes, escaped quote in the agent, +hhmm zone,
	 * a 5xx; date -u -d '2026-11-28T13:00:00+01:00' +%s%3N */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "::1 - - [28/Nov/2026:13:00:00 +0100] "
			    "\"POST /api/v1/items HTTP/2.0\" 503 - \"-\" "
			    "\"curl \\\"8\\\"\""),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1795867200000LL);
	/* no user: the visitor (address, day, agent) stands in */
	CU_ASSERT_TRUE(
	    f.ev.user_id != NULL && strncmp(f.ev.user_id, "v-", 2) == 0);
	CU_ASSERT_EQUAL(f.ev.status_code, 503);
	STREQ(f.ev.endpoint, "/api/v1/items");
	STREQ(meta_str(&f, "method"), "POST");
	CU_ASSERT_FALSE(meta_has(&f, "bytes"));
	CU_ASSERT_FALSE(meta_has(&f, "referer"));
	STREQ(meta_str(&f, "agent"), "curl \"8\"");

	/* a default service labels the file */
	sr_parser_set_default_service(f.p, "nginx");
	CU_ASSERT_EQUAL(fx_line(&f, CLF), 1);
	STREQ(f.ev.service, "nginx");
	sr_parser_set_default_service(f.p, NULL);

	/* a request line that is not METHOD PATH PROTO */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "
			    "\"-\" 400 0 \"-\" \"-\""),
	    1);
	CU_ASSERT_PTR_NULL(f.ev.endpoint);
	STREQ(meta_str(&f, "request"), "-");

	/* impossible date, bad status */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [32/Oct/2000:13:55:36 +0000] "
			    "\"GET / HTTP/1.1\" 200 1"),
	    -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_BAD_TIME);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [10/Foo/2000:13:55:36 +0000] "
			    "\"GET / HTTP/1.1\" 200 1"),
	    -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_BAD_TIME);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [10/Oct/2000:25:55:36 +0000] "
			    "\"GET / HTTP/1.1\" 200 1"),
	    -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_BAD_TIME);
	/* a status out of range is kept, the line is not rejected */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "
			    "\"GET / HTTP/1.1\" 999 1"),
	    1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_STATUS);
	STREQ(meta_str(&f, "status"), "999");
	/* a NUL where the byte count goes (found by the fuzzer) */
	{
		static const char nul[] =
		    "1.2.3.4 - - [10/Oct/2000:13:55:36 "
		    "+0000] \"GET / HTTP/1.1\" 200 \0\0\t23 0.1";

		CU_ASSERT_EQUAL(sr_parser_line(f.p, nul, sizeof nul - 1, NOW,
				    &f.ev, &f.why, &f.err),
		    -1);
		CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	}
	/* not this format */
	CU_ASSERT_EQUAL(fx_line(&f, "a=1 b=2"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "
			    "\"GET / HTTP/1.1\" 200"),
	    -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	fx_close(&f);
}

static void
test_auto(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_AUTO);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":200}"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	CU_ASSERT_EQUAL(fx_line(&f, CLF REF " 0.010"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_CLF);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 10, 1e-6);
	STREQ(f.ev.endpoint, "/apache_pb.gif");
	CU_ASSERT_EQUAL(fx_line(&f, "status=404 svc=web"), 1);
	CU_ASSERT_EQUAL(f.ev.status_code, 404);
	STREQ(f.ev.service, "web");
	/* JSON reject reasons apply to lines starting with { or [ */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"a\":1"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_NOT_JSON);
	CU_ASSERT_EQUAL(fx_line(&f, "{a=1}"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_NOT_JSON);
	CU_ASSERT_EQUAL(fx_line(&f, "[1]"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_NOT_OBJECT);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":\"x\"}"), 1);
	STREQ(meta_str(&f, "status"), "x");
	CU_ASSERT_EQUAL(fx_line(&f, "plain words only"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	fx_close(&f);
}

/* Feed text in chunks of n bytes; collect lines as "a|b|..." text. */
static void
lines_run(const char *text, size_t len, size_t chunk, char *out, size_t outlen,
    int *longs)
{
	struct sr_lines *l = sr_lines_new();
	const char *line;
	size_t n, o = 0;
	int rc;

	*longs = 0;
	out[0] = '\0';
	for (size_t i = 0; i <= len; i += chunk) {
		size_t k = len - i < chunk ? len - i : chunk;
		int eof = i + chunk > len;

		if (k > 0)
			sr_lines_feed(l, text + i, k);
		while ((rc = sr_lines_next(l, eof, &line, &n)) != 0) {
			if (rc == 2) {
				(*longs)++;
				continue;
			}
			CU_ASSERT_EQUAL(line[n], '\0');
			if (o + n + 2 < outlen) {
				memcpy(out + o, line, n);
				o += n;
				out[o++] = '|';
				out[o] = '\0';
			}
		}
		if (eof)
			break;
	}
	sr_lines_free(l);
}

static void
test_lines(void)
{
	static const char text[] = "a\nbb\r\n\nccc\nlast";
	char out[128];
	int longs;

	/* every chunk size gives the same lines, the last without newline */
	for (size_t chunk = 1; chunk <= sizeof text; chunk++) {
		lines_run(text, sizeof text - 1, chunk, out, sizeof out,
		    &longs);
		CU_ASSERT_STRING_EQUAL(out, "a|bb\r||ccc|last|");
		CU_ASSERT_EQUAL(longs, 0);
	}
	lines_run("x\n", 2, 1, out, sizeof out, &longs);
	CU_ASSERT_STRING_EQUAL(out, "x|");
	lines_run("", 0, 1, out, sizeof out, &longs);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void
test_lines_lineno(void)
{
	struct sr_lines *l = sr_lines_new();
	const char *line;
	size_t n;

	sr_lines_feed(l, "one\ntwo\nthr", 11);
	CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 1);
	CU_ASSERT_EQUAL(sr_lines_lineno(l), 1);
	CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 1);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(memcmp(line, "two", 3), 0);
	CU_ASSERT_EQUAL(sr_lines_lineno(l), 2);
	CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 0);
	sr_lines_feed(l, "ee\n", 3);
	CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 1);
	CU_ASSERT_STRING_EQUAL(line, "three");
	CU_ASSERT_EQUAL(sr_lines_lineno(l), 3);
	CU_ASSERT_EQUAL(sr_lines_next(l, 1, &line, &n), 0);
	sr_lines_free(l);
	sr_lines_free(NULL);
}

/* A 3 MiB line fed in 64 KiB pieces, then a good line. */
static void
test_lines_too_long(void)
{
	struct sr_lines *l = sr_lines_new();
	struct sr_parser *p = sr_parser_new(SR_FMT_AUTO);
	char *chunk = malloc(65536);
	const char *line;
	size_t n, total = 3 * 1024 * 1024;
	int rc, longs = 0, goods = 0;
	struct sr_event ev;
	enum sr_reject why;

	CU_ASSERT_PTR_NOT_NULL_FATAL(chunk);
	memset(chunk, 'x', 65536);
	sr_lines_feed(l, "{\"status\":201}\n", 15);
	for (size_t sent = 0; sent < total; sent += 65536) {
		sr_lines_feed(l, chunk, 65536);
		while ((rc = sr_lines_next(l, 0, &line, &n)) != 0) {
			if (rc == 2) {
				longs++;
				CU_ASSERT_TRUE(n > SR_LINE_MAX);
			} else {
				goods++;
				CU_ASSERT_EQUAL(n, 14);
			}
		}
	}
	sr_lines_feed(l, "tail\n{\"status\":202}\n", 20);
	while ((rc = sr_lines_next(l, 1, &line, &n)) != 0) {
		if (rc == 2) {
			longs++;
			continue;
		}
		goods++;
		CU_ASSERT_EQUAL(sr_parser_line(p, line, n, NOW, &ev, &why,
				    NULL),
		    1);
		CU_ASSERT_EQUAL(ev.status_code, 202);
		CU_ASSERT_EQUAL(sr_lines_lineno(l), 3);
	}
	CU_ASSERT_EQUAL(longs, 1);
	CU_ASSERT_EQUAL(goods, 2);

	/* a too-long line that arrives whole with its newline */
	{
		char *big = malloc(SR_LINE_MAX + 3);

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		memset(big, 'y', SR_LINE_MAX + 1);
		big[SR_LINE_MAX + 1] = '\n';
		big[SR_LINE_MAX + 2] = 'z';
		sr_lines_feed(l, big, SR_LINE_MAX + 3);
		CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 2);
		CU_ASSERT_EQUAL(n, SR_LINE_MAX + 1);
		CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 0);
		CU_ASSERT_EQUAL(sr_lines_next(l, 1, &line, &n), 1);
		CU_ASSERT_STRING_EQUAL(line, "z");
		free(big);
	}
	/* exactly SR_LINE_MAX bytes is accepted */
	{
		char *big = malloc(SR_LINE_MAX + 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		memset(big, 'y', SR_LINE_MAX);
		big[SR_LINE_MAX] = '\n';
		sr_lines_feed(l, big, SR_LINE_MAX + 1);
		CU_ASSERT_EQUAL(sr_lines_next(l, 0, &line, &n), 1);
		CU_ASSERT_EQUAL(n, SR_LINE_MAX);
		free(big);
	}
	free(chunk);
	sr_parser_free(p);
	sr_lines_free(l);
}

/* 2026-12-04T10:15:32Z: `date -u -d 2026-12-04T10:15:32Z +%s` = 1796379332 */
#define T_DEC4 1796379332000LL

/* How often key is a member of object o (duplicates show as 2+). */
static int
json_key_count(const cJSON *o, const char *key)
{
	int n = 0;

	for (const cJSON *c = o ? o->child : NULL; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			n++;
	return n;
}

/* The access-log lines issue 13 measured as misread. */
static void
test_measured_access(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_AUTO);
	/* Traefik CLF: 17 is the request count, 3ms the duration */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "10.0.0.7 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET /v1/models HTTP/1.1\" 200 512 \"-\" "
			    "\"curl/8.5.0\" 17 \"api@docker\" "
			    "\"http://172.18.0.5:8000\" 3ms"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	STREQ(f.ev.endpoint, "/v1/models");
	CU_ASSERT_TRUE(f.ev.has & SR_EV_HAS_LATENCY);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 3, 1e-9);
	/* Apache %D (microseconds) at the end: the unit is not guessed */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET / HTTP/1.1\" 200 45 \"-\" \"curl/7.88.1\" "
			    "5123"),
	    1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_LATENCY);
	STREQ(meta_str(&f, "extra"), "5123");
	/* a trailing integer alone (Apache %T or a count): unknown too */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
		"\"GET / HTTP/1.1\" 200 45 \"-\" \"curl/7.88.1\" 17"),
	    1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_LATENCY);
	/* Apache vhost_combined: %v:%p first */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "www.example.com:80 127.0.0.1 - - "
			    "[04/Dec/2026:10:15:32 +0000] \"GET /x HTTP/1.1\" "
			    "200 45 \"-\" \"curl/7.88.1\""),
	    1);
	CU_ASSERT_EQUAL(f.ev.status_code, 200);
	STREQ(f.ev.endpoint, "/x");
	STREQ(f.ev.service, "www.example.com");
	STREQ(meta_str(&f, "ip"), "127.0.0.1");
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4);
	/* nginx log_format with rt=$request_time (seconds) */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET /a HTTP/1.1\" 200 45 \"-\" \"curl/8\" "
			    "rt=0.125 uct=\"0.000\" uht=\"0.120\" "
			    "urt=\"0.120\""),
	    1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_HAS_LATENCY);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 125, 1e-9);
	STREQ(meta_str(&f, "urt"), "0.120");
	/* a space in the URL */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET /a b?q=1 HTTP/1.1\" 404 0 \"-\" \"x\""),
	    1);
	STREQ(f.ev.endpoint, "/a b");
	STREQ(meta_str(&f, "method"), "GET");
	STREQ(meta_str(&f, "protocol"), "HTTP/1.1");
	STREQ(meta_str(&f, "query"), "q=1");
	/* the absolute form, with and without a path */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET http://h.example/p?q=1 HTTP/1.1\" 200 1"),
	    1);
	STREQ(f.ev.endpoint, "/p");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET http://h.example HTTP/1.1\" 200 1"),
	    1);
	STREQ(f.ev.endpoint, "/");
	/* nginx's 400 for TLS bytes sent to a plain port: the request as it
	 * came (escaped), the other fields kept */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"203.0.113.9 - - [04/Dec/2026:10:15:32 +0000] "
		"\"\\x16\\x03\\x01\\x02\\x00\\x01\" 400 157 \"-\" \"-\""),
	    1);
	CU_ASSERT_EQUAL(f.ev.status_code, 400);
	CU_ASSERT_PTR_NULL(f.ev.endpoint);
	STREQ(meta_str(&f, "request"), "\\x16\\x03\\x01\\x02\\x00\\x01");
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "bytes"), 157, 1e-9);
	/* a lower-case "method" is not a request line: kept whole */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "203.0.113.9 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"get / HTTP/1.1\" 400 0"),
	    1);
	STREQ(meta_str(&f, "request"), "get / HTTP/1.1");
	/* a quoted user, with a space in it */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"::1 - \"alice smith\" [04/Dec/2026:10:15:32 +0000] "
		"\"GET /a HTTP/1.1\" 200 1 \"-\" \"x\""),
	    1);
	STREQ(f.ev.user_id, "alice smith");
	STREQ(meta_str(&f, "ip"), "::1");
	fx_close(&f);
}

/* The JSON, logfmt, syslog and journald lines issue 13 measured. */
static void
test_measured_json(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_AUTO);
	/* LiteLLM: "status":"success" is not rejected; it is an outcome */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"model\":\"gpt-4o-mini\",\"status\":\"success\","
			    "\"prompt_tokens\":812,\"completion_tokens\":95}"),
	    1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_STATUS);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR);
	STREQ(meta_str(&f, "status"), "success");
	STREQ(f.ev.event_type, "request");
	CU_ASSERT_EQUAL(f.ev.tokens_in, 812);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 95);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":\"failure\"}"), 1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":\"OK\"}"), 1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR);
	/* out of range: kept, never a reject */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":700,\"msg\":\"x\"}"), 1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_STATUS);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "status"), 700, 1e-9);
	/* LiteLLM with "usage":{...} (OpenAI's shape) */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":7,"
			    "\"completion_tokens\":3}}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.tokens_in, 7);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 3);
	/* timestamps: t=, log4j2 instant, OTel timeUnixNano, epoch ns */
	CU_ASSERT_EQUAL(fx_line(&f, "t=2026-12-04T10:15:32Z lvl=error msg=x"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	/* 1764840932 s = 2025-12-04T09:35:32Z (date -u -d @1764840932) */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"instant\":{\"epochSecond\":1764840932,"
			    "\"nanoOfSecond\":512000000},\"level\":\"ERROR\","
			    "\"loggerName\":\"a.B\",\"message\":\"boom\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932512LL);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	STREQ(f.ev.message, "boom");
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"timeUnixNano\":\"1764840932512000000\","
			    "\"severityText\":\"ERROR\",\"body\":\"x\"}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932512LL);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"ts\":1764840932512000000}"), 1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932512LL);
	/* levels */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"severity\":\"ERROR\"}"), 1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"levelname\":\"CRITICAL\"}"), 1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"log.level\":\"error\"}"), 1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"log\":{\"level\":\"error\"}}"), 1);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":50}"), 1); /* pino error */
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":30}"), 1); /* pino info */
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":3}"), 1); /* syslog err */
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"level\":6}"), 1); /* syslog info */
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR);
	/* Caddy: duration in float seconds, request.uri */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"level\":\"info\",\"ts\":1764840932.5,"
			    "\"logger\":\"http.log.access.log0\",\"msg\":"
			    "\"handled request\",\"request\":{\"remote_ip\":"
			    "\"127.0.0.1\",\"method\":\"GET\",\"uri\":"
			    "\"/api/x?y=1\"},\"duration\":0.000929675,"
			    "\"size\":10,\"status\":200}"),
	    1);
	STREQ(f.ev.endpoint, "/api/x");
	CU_ASSERT_TRUE(f.ev.has & SR_EV_HAS_LATENCY);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 0.929675, 1e-9);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932500LL);
	/* a bare "duration" number elsewhere: the unit is unknown */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration\":17,\"status\":200}"), 1);
	CU_ASSERT_FALSE(f.ev.has & SR_EV_HAS_LATENCY);
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "duration"), 17, 1e-9);
	/* duration strings */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration\":\"12.5ms\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"latency\":\"1.2s\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 1200, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration\":\"350\xc2\xb5s\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 0.35, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"elapsed\":\"1m2.5s\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 62500, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "{\"latency_ms\":\"12.5ms\"}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	/* nested paths and dotted keys */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"http\":{\"response\":{\"status_code\":503}},"
			    "\"url\":{\"path\":\"/v1/chat\"}}"),
	    1);
	CU_ASSERT_EQUAL(f.ev.status_code, 503);
	STREQ(f.ev.endpoint, "/v1/chat");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"gen_ai.request.model\":\"gpt-4o\","
			    "\"gen_ai.usage.input_tokens\":10,"
			    "\"gen_ai.usage.output_tokens\":20,"
			    "\"gen_ai.response.finish_reasons\":[\"stop\"]}"),
	    1);
	STREQ(f.ev.model, "gpt-4o");
	CU_ASSERT_EQUAL(f.ev.tokens_in, 10);
	CU_ASSERT_EQUAL(f.ev.tokens_out, 20);
	CU_ASSERT_TRUE(meta_has(&f, "gen_ai.response.finish_reasons"));
	/* the ECS service object is not a bad "service" string */
	CU_ASSERT_EQUAL(
	    fx_line(&f, "{\"service\":{\"name\":\"shop\"},\"message\":\"m\"}"),
	    1);
	STREQ(f.ev.service, "shop");
	/* a log line is a log event unless it has a status, duration or
	 * method */
	CU_ASSERT_EQUAL(fx_line(&f, "{\"msg\":\"hello\"}"), 1);
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"msg\":\"x\",\"method\":\"GET\"}"), 1);
	STREQ(f.ev.event_type, "request");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"status\":200}"), 1);
	STREQ(f.ev.event_type, "request");
	/* duplicate keys never reach the metadata twice */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"a\":1,\"a\":2,\"x\":{\"b\":1,\"b\":2}}"),
	    1);
	CU_ASSERT_EQUAL(json_key_count(f.meta, "a"), 1);
	CU_ASSERT_EQUAL(json_key_count(cJSON_GetObjectItemCaseSensitive(f.meta,
					   "x"),
			    "b"),
	    1);
	fx_close(&f);
}

static void
test_measured_syslog_journald(void)
{
	struct fx f;

	fx_open(&f, SR_FMT_AUTO);
	/* a syslog line with '=' in it is syslog, not logfmt */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"Dec  4 10:15:32 web1 sudo[812]: alice : TTY=pts/0 ; "
		"PWD=/home/alice ; USER=root ; COMMAND=/bin/ls"),
	    1);
	STREQ(f.ev.service, "sudo");
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_FALSE(meta_has(&f, ";"));
	STREQ(f.ev.message,
	    "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
	    "COMMAND=/bin/ls");
	STREQ(meta_str(&f, "hostname"), "web1");
	/* RFC 5424 with PRI 11 = facility 1, severity 3 (error) */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "<11>1 2026-12-04T10:15:32.250Z web1 api 42 ID7 - "
			    "disk a=b failed"),
	    1);
	STREQ(f.ev.service, "api");
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4 + 250);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	STREQ(f.ev.message, "disk a=b failed");
	/* journald: MESSAGE as bytes, the user unit, PRIORITY */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"MESSAGE\":[104,105],\"_SYSTEMD_UNIT\":"
			    "\"user@1000.service\",\"_SYSTEMD_USER_UNIT\":"
			    "\"app.service\",\"PRIORITY\":\"3\","
			    "\"__REALTIME_TIMESTAMP\":\"1764840932512000\"}"),
	    1);
	STREQ(f.ev.message, "hi");
	STREQ(f.ev.service, "app");
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932512LL);
	STREQ(f.ev.event_type, "log");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"MESSAGE\":null,\"_SYSTEMD_UNIT\":\"a.service\","
			    "\"PRIORITY\":\"6\"}"),
	    1);
	CU_ASSERT_PTR_NULL(f.ev.message);
	STREQ(f.ev.service, "a");
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR);
	/* a logfmt key must look like a key */
	CU_ASSERT_EQUAL(fx_line(&f, "a=1 ; b=2"), -1);
	fx_close(&f);
}

/* A parser for a --format value; the test fails when it does not parse. */
static void
fx_open_spec(struct fx *f, const char *spec)
{
	struct sr_format_spec fs;
	struct sr_err err;

	memset(f, 0, sizeof *f);
	CU_ASSERT_EQUAL_FATAL(sr_format_spec_parse(spec, &fs, &err), 0);
	f->p = sr_parser_new_spec(&fs);
	f->why = SR_REJ__COUNT;
}

#define CLF_HEAD "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "

/* Declared formats: the presets and templates, values by hand. */
static void
test_declared(void)
{
	struct fx f;
	struct sr_format_spec fs;
	struct sr_err err;
	struct sr_event ev;
	enum sr_reject why;

	/* spec parsing */
	CU_ASSERT_EQUAL(sr_format_spec_parse("traefik", &fs, &err), 0);
	CU_ASSERT_EQUAL(fs.fmt, SR_FMT_TRAEFIK);
	CU_ASSERT_EQUAL(sr_format_spec_parse("nginx_timed", &fs, &err), 0);
	CU_ASSERT_EQUAL(fs.fmt, SR_FMT_TIMED_COMBINED);
	CU_ASSERT_EQUAL(sr_format_spec_parse("apache:'%h %>s'", &fs, &err), 0);
	STREQ(fs.tmpl, "%h %>s");
	CU_ASSERT_EQUAL(sr_format_spec_parse("nope", &fs, &err), -1);
	CU_ASSERT_EQUAL(sr_format_spec_parse("apache:%Z", &fs, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "%Z"));
	CU_ASSERT_EQUAL(sr_format_spec_parse("nginx:$a$b", &fs, &err), -1);
	CU_ASSERT_EQUAL(sr_format_spec_parse("nginx:", &fs, &err), -1);

	/* Apache %D: microseconds, declared */
	fx_open_spec(&f, "apache:%h %l %u %t \"%r\" %>s %b %D");
	CU_ASSERT_EQUAL(fx_line(&f,
			    CLF_HEAD "\"GET /a?x=1 HTTP/1.1\" 200 45 5123"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 5.123, 1e-9);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4);
	STREQ(f.ev.endpoint, "/a");
	STREQ(meta_str(&f, "query"), "x=1");
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "bytes"), 45, 1e-9);
	CU_ASSERT_EQUAL(fx_line(&f, "not an access line"), -1);
	CU_ASSERT_EQUAL(f.why, SR_REJ_UNRECOGNISED);
	fx_close(&f);
	/* %{ms}T, %T, %v */
	fx_open_spec(&f, "apache:%v %h %t \"%r\" %>s %{ms}T");
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"shop.example 10.0.0.1 [04/Dec/2026:10:15:32 +0000] "
		"\"POST /pay HTTP/1.1\" 502 37"),
	    1);
	STREQ(f.ev.service, "shop.example");
	CU_ASSERT_EQUAL(f.ev.status_code, 502);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 37, 1e-9);
	fx_close(&f);
	/* nginx log_format with $request_time and an unknown variable */
	fx_open_spec(&f,
	    "nginx:$remote_addr [$time_local] \"$request\" "
	    "$status $request_time $upstream_response_time "
	    "$request_id");
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"::1 [04/Dec/2026:10:15:32 +0000] \"GET /q HTTP/2.0\" "
		"404 0.250 0.249 abc123"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 250, 1e-9);
	CU_ASSERT_EQUAL(f.ev.status_code, 404);
	STREQ(meta_str(&f, "upstream_response_time"), "0.249");
	STREQ(meta_str(&f, "request_id"), "abc123");
	STREQ(meta_str(&f, "ip"), "::1");
	fx_close(&f);
	/* presets */
	fx_open_spec(&f, "timed_combined");
	CU_ASSERT_EQUAL(fx_line(&f,
			    CLF_HEAD "\"GET /t HTTP/1.1\" 200 5 \"-\" "
				     "\"ua\" 0.012 0.010 ."),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12, 1e-9);
	/* the trailing fields may be missing */
	CU_ASSERT_EQUAL(fx_line(&f,
			    CLF_HEAD "\"GET /t HTTP/1.1\" 200 5 \"-\" "
				     "\"ua\" 0.5"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 500, 1e-9);
	fx_close(&f);
	fx_open_spec(&f, "traefik");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "10.0.0.7 - - [04/Dec/2026:10:15:32 +0000] "
			    "\"GET /v1/models HTTP/1.1\" 200 512 \"-\" "
			    "\"curl/8.5.0\" 17 \"api@docker\" "
			    "\"http://172.18.0.5:8000\" 3ms"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 3, 1e-9);
	STREQ(meta_str(&f, "request_count"), "17");
	STREQ(meta_str(&f, "router_name"), "api@docker");
	fx_close(&f);
	fx_open_spec(&f, "vhost_combined");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "www.example.com:443 127.0.0.1 - bob "
			    "[04/Dec/2026:10:15:32 +0000] \"GET / HTTP/1.1\" "
			    "200 3477 \"-\" \"curl/7.88.1\""),
	    1);
	STREQ(f.ev.service, "www.example.com");
	STREQ(f.ev.user_id, "bob");
	STREQ(meta_str(&f, "port"), "443");
	fx_close(&f);
	fx_open_spec(&f, "common");
	CU_ASSERT_EQUAL(fx_line(&f, CLF_HEAD "\"GET /c HTTP/1.0\" 200 2326"),
	    1);
	STREQ(f.ev.endpoint, "/c");
	fx_close(&f);
	/* HAProxy HTTP log, with the syslog header */
	fx_open_spec(&f, "haproxy");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "Dec  4 10:15:32 lb1 haproxy[14389]: "
			    "10.0.1.2:33317 [04/Dec/2026:10:15:32.655] http-in "
			    "static/srv1 10/0/30/69/109 200 2750 - - ---- "
			    "1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html "
			    "HTTP/1.1\""),
	    1);
	CU_ASSERT_EQUAL(f.ev.ts_ms, T_DEC4 + 655);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 109, 1e-9);
	STREQ(f.ev.service, "static");
	STREQ(f.ev.endpoint, "/index.html");
	STREQ(meta_str(&f, "server"), "srv1");
	STREQ(meta_str(&f, "ip"), "10.0.1.2");
	fx_close(&f);
	/* syslog RFC 3164 with PRI, declared */
	fx_open_spec(&f, "syslog");
	CU_ASSERT_EQUAL(fx_line(&f, "<30>Dec  4 10:15:32 web1 nginx: started"),
	    1);
	STREQ(f.ev.service, "nginx");
	CU_ASSERT_FALSE(f.ev.has & SR_EV_IS_ERROR); /* severity 6 */
	CU_ASSERT_DOUBLE_EQUAL(meta_num(&f, "facility"), 3, 1e-9);
	/* what a program writes to /dev/log: no hostname, TAG[PID]: */
	CU_ASSERT_EQUAL(fx_line(&f,
			    "<134>Dec  4 10:15:32 haproxy[5123]: "
			    "10.0.0.1:4 boot"),
	    1);
	STREQ(f.ev.service, "haproxy");
	STREQ(meta_str(&f, "pid"), "5123");
	CU_ASSERT_FALSE(meta_has(&f, "hostname"));
	STREQ(f.ev.message, "10.0.0.1:4 boot");
	CU_ASSERT_EQUAL(fx_line(&f, "<30>Dec  4 10:15:32 cron: ran"), 1);
	STREQ(f.ev.service, "cron");
	STREQ(f.ev.message, "ran");
	fx_close(&f);
	/* auto: an HAProxy HTTP log line is one, raw or after a syslog
	 * header with or without a hostname */
	fx_open(&f, SR_FMT_AUTO);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "<134>Dec  4 10:15:32 haproxy[5123]: "
			    "127.0.0.1:41234 [04/Dec/2026:10:15:32.123] web "
			    "app/s1 0/0/0/1/7 404 160 - - ---- 1/1/0/0/0 0/0 "
			    "\"GET /docs/a.json?i=1 HTTP/1.1\""),
	    1);
	STREQ(f.ev.service, "app");
	STREQ(f.ev.endpoint, "/docs/a.json");
	CU_ASSERT_EQUAL(f.ev.status_code, 404);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 7, 1e-9);
	STREQ(f.ev.event_type, "request");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "10.0.1.2:33317 [04/Dec/2026:10:15:32.655] http-in "
			    "static/srv1 10/0/30/69/109 200 2750 - - ---- "
			    "1/1/1/1/0 0/0 \"GET /index.html HTTP/1.1\""),
	    1);
	STREQ(f.ev.service, "static");
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 109, 1e-9);
	fx_close(&f);
	/* Caddy declared: duration in seconds */
	fx_open_spec(&f, "caddy");
	CU_ASSERT_EQUAL(fx_line(&f, "{\"duration\":0.5,\"status\":200}"), 1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 500, 1e-9);
	/* Caddy: no user_id, so GoAccess's visitor: the client address,
	 * the day and the agent; another agent or day is another visitor */
	{
		char u1[32], u2[32];
#define CADDY_LINE(agent)                                                   \
	"{\"ts\":1796669048.18,\"logger\":\"http.log.access\",\"request\":" \
	"{\"remote_ip\":\"10.0.0.1\",\"headers\":{\"User-Agent\":[\"" agent \
	"\"]}},\"user_id\":\"\",\"duration\":0.5,\"status\":200}"

		CU_ASSERT_EQUAL(fx_line(&f, CADDY_LINE("curl/8")), 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.ev.user_id);
		CU_ASSERT_EQUAL(strncmp(f.ev.user_id, "v-", 2), 0);
		(void)snprintf(u1, sizeof u1, "%s", f.ev.user_id);
		CU_ASSERT_EQUAL(fx_line(&f, CADDY_LINE("curl/8")), 1);
		STREQ(f.ev.user_id, u1);
		CU_ASSERT_EQUAL(fx_line(&f, CADDY_LINE("wget/1")), 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.ev.user_id);
		(void)snprintf(u2, sizeof u2, "%s", f.ev.user_id);
#undef CADDY_LINE
		CU_ASSERT_STRING_NOT_EQUAL(u1, u2);
	}
	fx_close(&f);
	/* ECS: event.duration is nanoseconds */
	fx_open_spec(&f, "ecs");
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"@timestamp\":\"2026-12-04T10:15:32.000Z\","
			    "\"log.level\":\"error\",\"event\":{\"duration\":"
			    "12500000},\"http\":{\"response\":{\"status_code\":"
			    "503}}}"),
	    1);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 12.5, 1e-9);
	CU_ASSERT_EQUAL(f.ev.status_code, 503);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	fx_close(&f);
	/* OTLP: one event per log record */
	fx_open(&f, SR_FMT_AUTO);
	CU_ASSERT_EQUAL(fx_line(&f,
			    "{\"resourceLogs\":[{\"resource\":{\"attributes\":"
			    "[{\"key\":\"service.name\",\"value\":{"
			    "\"stringValue\":\"chat-api\"}}]},\"scopeLogs\":[{"
			    "\"logRecords\":[{\"timeUnixNano\":"
			    "\"1764840932512000000\",\"severityNumber\":17,"
			    "\"severityText\":\"ERROR\",\"body\":{"
			    "\"stringValue\":\"model overloaded\"}},"
			    "{\"timeUnixNano\":\"1764840933000000000\","
			    "\"severityNumber\":9,\"body\":{\"stringValue\":"
			    "\"ok\"},\"attributes\":[{\"key\":"
			    "\"gen_ai.usage.input_tokens\",\"value\":{"
			    "\"intValue\":\"42\"}}]}]}]}]}"),
	    1);
	STREQ(f.ev.service, "chat-api");
	STREQ(f.ev.message, "model overloaded");
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932512LL);
	CU_ASSERT_TRUE(f.ev.has & SR_EV_IS_ERROR);
	STREQ(sr_parser_format_used(f.p), "otlp");
	CU_ASSERT_EQUAL(sr_parser_more(f.p, NOW, &ev, &why, &err), 1);
	STREQ(ev.message, "ok");
	STREQ(ev.service, "chat-api");
	CU_ASSERT_EQUAL(ev.tokens_in, 42);
	CU_ASSERT_EQUAL(ev.ts_ms, 1764840933000LL);
	CU_ASSERT_FALSE(ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(sr_parser_more(f.p, NOW, &ev, &why, &err), 0);
	/* OTLP traces: one request per span; http.route beats the name, the
	 * duration is end - start (2.5 s), a span ending before it starts is
	 * rejected and the next one still read */
	CU_ASSERT_EQUAL(
	    fx_line(&f,
		"{\"resourceSpans\":[{\"resource\":{\"attributes\""
		":[{\"key\":\"service.name\",\"value\":{"
		"\"stringValue\":\"rag\"}}]},\"scopeSpans\":[{"
		"\"spans\":[{\"spanId\":\"0a0b\",\"name\":\"GET\","
		"\"startTimeUnixNano\":\"1764840932000000000\","
		"\"endTimeUnixNano\":1764840934500000000,"
		"\"attributes\":[{\"key\":\"http.route\",\"value\":"
		"{\"stringValue\":\"/q/:id\"}},{\"key\":"
		"\"http.response.status_code\",\"value\":{"
		"\"intValue\":\"502\"}}]},{\"name\":\"bad\","
		"\"startTimeUnixNano\":\"2\",\"endTimeUnixNano\":"
		"\"1\"},{\"name\":\"ok\",\"startTimeUnixNano\":"
		"\"1764840935000000000\",\"endTimeUnixNano\":"
		"\"1764840935000000000\",\"status\":{\"code\":1}}]}]}]}"),
	    1);
	STREQ(f.ev.service, "rag");
	STREQ(f.ev.endpoint, "/q/:id");
	STREQ(f.ev.event_id, "0a0b");
	STREQ(f.ev.event_type, "request");
	CU_ASSERT_EQUAL(f.ev.status_code, 502);
	CU_ASSERT_DOUBLE_EQUAL(f.ev.response_time_ms, 2500, 1e-9);
	CU_ASSERT_EQUAL(f.ev.ts_ms, 1764840932000LL);
	CU_ASSERT_EQUAL(sr_parser_more(f.p, NOW, &ev, &why, &err), -1);
	CU_ASSERT_EQUAL(why, SR_REJ_BAD_TIME);
	CU_ASSERT_EQUAL(sr_parser_more(f.p, NOW, &ev, &why, &err), 1);
	STREQ(ev.endpoint, "ok");
	CU_ASSERT_DOUBLE_EQUAL(ev.response_time_ms, 0, 1e-9);
	CU_ASSERT_FALSE(ev.has & SR_EV_IS_ERROR);
	CU_ASSERT_EQUAL(sr_parser_more(f.p, NOW, &ev, &why, &err), 0);
	/* the one-time notice on a bare trailing number */
	CU_ASSERT_EQUAL(fx_line(&f,
			    CLF_HEAD "\"GET / HTTP/1.1\" 200 1 \"-\" "
				     "\"x\" 5123"),
	    1);
	{
		const char *n = sr_parser_notice(f.p);

		CU_ASSERT_TRUE(n != NULL && strstr(n, "%D") != NULL);
	}
	CU_ASSERT_PTR_NULL(sr_parser_notice(f.p));
	fx_close(&f);
}

void
sr_test_parse_suite(void)
{
	CU_pSuite s = CU_add_suite("parse", NULL, NULL);

	CU_add_test(s, "json_demo", test_json_demo);
	CU_add_test(s, "json_defaults", test_json_defaults);
	CU_add_test(s, "json_aliases", test_json_aliases);
	CU_add_test(s, "json_levels", test_json_levels);
	CU_add_test(s, "json_journald", test_json_journald);
	CU_add_test(s, "json_metadata", test_json_metadata);
	CU_add_test(s, "json_reject", test_json_reject);
	CU_add_test(s, "lines_edge", test_lines_edge);
	CU_add_test(s, "format_names", test_format_names);
	CU_add_test(s, "logfmt", test_logfmt);
	CU_add_test(s, "combined", test_combined);
	CU_add_test(s, "auto", test_auto);
	CU_add_test(s, "lines", test_lines);
	CU_add_test(s, "lines_lineno", test_lines_lineno);
	CU_add_test(s, "lines_too_long", test_lines_too_long);
	CU_add_test(s, "measured_access", test_measured_access);
	CU_add_test(s, "measured_json", test_measured_json);
	CU_add_test(s, "measured_syslog_journald",
	    test_measured_syslog_journald);
	CU_add_test(s, "declared", test_declared);
}
