/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/otlp: the OTLP/JSON requests are read back with
 * cJSON and compared with values written out by hand below.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "core/otlp_enc.h"

void sr_test_otlp_enc_suite(void);

static struct sr_event
ev_make(const char *id, const char *service, const char *meta)
{
	struct sr_event e;

	sr_event_clear(&e);
	e.event_id = id;
	e.service = service;
	e.metadata = meta;
	e.ts_ms = 1700000000123;
	return e;
}

static void
test_severity(void)
{
	static const struct {
		const char *meta;
		int status;
		int number;
		const char *text;
	} cases[] = {
		{ NULL, 0, 9, "INFO" },			   /* nothing said */
		{ "{\"level\":\"warn\"}", 0, 13, "warn" }, /* as written */
		{ "{\"level\":\"WARNING\"}", 0, 13, "WARNING" },
		{ "{\"PRIORITY\":3}", 0, 17, "ERROR" },	       /* syslog err */
		{ "{\"PRIORITY\":7}", 0, 5, "DEBUG" },	       /* debug */
		{ "{\"level\":30}", 0, 9, "INFO" },	       /* pino info */
		{ "{\"level\":50}", 0, 17, "ERROR" },	       /* pino error */
		{ "{\"severityNumber\":21}", 0, 21, "FATAL" }, /* OTel */
		{ "{\"level\":\"debug\"}", 503, 17, "ERROR" }, /* 5xx wins */
		{ NULL, 503, 17, "ERROR" },
		{ "{\"level\":\"fatal\"}", 503, 21, "fatal" }, /* worse stays */
		{ "{\"level\":\"shouting\"}", 0, 9, "INFO" },  /* unknown */
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sr_event e = ev_make("x", "s", cases[i].meta);
		struct sr_otlp_enc_severity s;

		if (cases[i].status) {
			e.status_code = cases[i].status;
			e.has |= SR_EV_HAS_STATUS;
		}
		s = sr_otlp_enc_event_severity(&e, buf, sizeof(buf));
		CU_ASSERT_EQUAL(s.number, cases[i].number);
		CU_ASSERT_STRING_EQUAL(s.text, cases[i].text);
	}
}

/* The attribute key of list, as a cJSON AnyValue, or NULL. */
static const cJSON *
attr(const cJSON *list, const char *key)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, list)
	{
		const cJSON *k = cJSON_GetObjectItem(a, "key");

		if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
			return cJSON_GetObjectItem(a, "value");
	}
	return NULL;
}

/* How many attributes of list are named key. */
static int
attr_count(const cJSON *list, const char *key)
{
	const cJSON *a;
	int n = 0;

	cJSON_ArrayForEach(a, list)
	{
		const cJSON *k = cJSON_GetObjectItem(a, "key");

		n += cJSON_IsString(k) && strcmp(k->valuestring, key) == 0;
	}
	return n;
}

static const char *
str_of(const cJSON *any, const char *kind)
{
	const cJSON *v = any ? cJSON_GetObjectItem(any, kind) : NULL;

	return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static void
test_logs(void)
{
	struct sr_event e[3];
	const struct sr_event *p[3] = { &e[0], &e[1], &e[2] };
	struct sr_buf b;
	cJSON *root, *rl, *r0, *recs, *rec, *attrs, *kv;

	e[0] = ev_make("one", "b-svc", NULL);
	e[1] = ev_make("two", NULL, NULL);
	e[2] = ev_make("three", "b-svc",
	    "{\"region\":\"eu\",\"n\":2,\"f\":0.5,\"nested\":{\"x\":true},"
	    "\"http.route\":\"/spoof\"}");
	e[2].endpoint = "/chat";
	e[2].status_code = 503;
	e[2].response_time_ms = 12.5;
	e[2].model = "m1";
	e[2].tokens_in = 7;
	e[2].tokens_out = 9;
	e[2].has |= SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY | SR_EV_HAS_TOKENS_IN |
	    SR_EV_HAS_TOKENS_OUT;
	e[2].message = "upstream \"timeout\"";
	e[1].host = "node9";
	sr_buf_init(&b);
	sr_otlp_enc_logs_json(&b, p, 3, "h1");
	root = cJSON_Parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	rl = cJSON_GetObjectItem(root, "resourceLogs");
	/* (h1, b-svc) with one and three; (node9, unknown_service) */
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(rl), 2);
	r0 = cJSON_GetArrayItem(rl, 0);
	attrs = cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "resource"),
	    "attributes");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "service.name"),
				   "stringValue"),
	    "b-svc");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "host.name"), "stringValue"),
	    "h1");
	recs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r0,
							  "scopeLogs"),
				       0),
	    "logRecords");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(recs), 2);
	/* in the order given */
	CU_ASSERT_STRING_EQUAL(
	    str_of(attr(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0),
			    "attributes"),
		       "log.record.uid"),
		"stringValue"),
	    "one");
	rec = cJSON_GetArrayItem(recs, 1);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(rec, "timeUnixNano")
				   ->valuestring,
	    "1700000000123000000");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(rec, "severityNumber")->valueint,
	    17);
	CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetObjectItem(rec, "body"),
				   "stringValue"),
	    "upstream \"timeout\"");
	attrs = cJSON_GetObjectItem(rec, "attributes");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "http.route"), "stringValue"),
	    "/chat"); /* the event's, not the metadata's spoof */
	CU_ASSERT_EQUAL(attr_count(attrs, "http.route"), 1);
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "http.response.status_code"),
				   "intValue"),
	    "503");
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(attr(attrs,
						       "sitrep.latency_ms"),
				   "doubleValue")
				   ->valuedouble,
	    12.5, 1e-12);
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "gen_ai.usage.input_tokens"),
				   "intValue"),
	    "7");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "gen_ai.usage.output_tokens"),
				   "intValue"),
	    "9");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "gen_ai.request.model"),
				   "stringValue"),
	    "m1");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "region"), "stringValue"),
	    "eu");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "n"), "intValue"), "2");
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(attr(attrs, "f"),
				   "doubleValue")
				   ->valuedouble,
	    0.5, 0);
	kv = cJSON_GetObjectItem(cJSON_GetObjectItem(attr(attrs, "nested"),
				     "kvlistValue"),
	    "values");
	CU_ASSERT_TRUE(
	    cJSON_IsTrue(cJSON_GetObjectItem(attr(kv, "x"), "boolValue")));
	/* no ttft, user or session: no attribute */
	CU_ASSERT_PTR_NULL(attr(attrs, "sitrep.ttft_ms"));
	CU_ASSERT_PTR_NULL(attr(attrs, "enduser.id"));
	/* the event without a service, from its own host */
	attrs =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rl, 1),
				    "resource"),
		"attributes");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "service.name"),
				   "stringValue"),
	    "unknown_service");
	CU_ASSERT_STRING_EQUAL(str_of(attr(attrs, "host.name"), "stringValue"),
	    "node9");
	cJSON_Delete(root);
	/* none: an empty request, still JSON */
	sr_buf_reset(&b);
	sr_otlp_enc_logs_json(&b, p, 0, "h1");
	CU_ASSERT_STRING_EQUAL(b.data, "{\"resourceLogs\":[]}");
	sr_buf_release(&b);
}

static void
test_metrics(void)
{
	const struct sr_otlp_enc_point pts[] = {
		{ "a", "%", NULL, NULL, 1000, 1 },
		{ "b", "By", "mount", "/var", 1000, 2 },
		{ "a", "%", NULL, NULL, 2000, 3 },
	};
	struct sr_buf b;
	cJSON *root, *ms, *a, *dps;

	sr_buf_init(&b);
	sr_otlp_enc_metrics_json(&b, pts, 3, "h1");
	root = cJSON_Parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	ms = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root,
							   "resourceMetrics"),
					0),
		    "scopeMetrics"),
		0),
	    "metrics");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(ms), 2);
	a = cJSON_GetArrayItem(ms, 0);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(a, "name")->valuestring,
	    "a");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(a, "unit")->valuestring,
	    "%");
	dps =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(a, "gauge"), "dataPoints");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(dps), 2);
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(dps, 1),
				   "asDouble")
				   ->valuedouble,
	    3, 0);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(dps, 1),
				   "timeUnixNano")
				   ->valuestring,
	    "2000000000");
	dps = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(ms, 1),
				      "gauge"),
	    "dataPoints");
	CU_ASSERT_STRING_EQUAL(
	    str_of(attr(cJSON_GetObjectItem(cJSON_GetArrayItem(dps, 0),
			    "attributes"),
		       "mount"),
		"stringValue"),
	    "/var");
	cJSON_Delete(root);
	sr_buf_reset(&b);
	sr_otlp_enc_metrics_json(&b, pts, 0, "h1");
	root = cJSON_Parse(b.data);
	CU_ASSERT_PTR_NOT_NULL(root); /* none: still JSON */
	cJSON_Delete(root);
	sr_buf_release(&b);
}

struct got {
	char line[8][96];
	int n;
};

static void
got_point(void *ctx, const struct sr_otlp_enc_point *p)
{
	struct got *g = ctx;

	if (g->n < 8)
		(void)snprintf(g->line[g->n++], sizeof(g->line[0]),
		    "%s %s %s=%s %.1f", p->name, p->unit, p->key ? p->key : "-",
		    p->key ? p->val : "-", p->value);
}

static void
test_snapshot_points(void)
{
	struct sr_snapshot s;
	struct sr_snap_metric m[4];
	struct got g = { .n = 0 };

	memset(&s, 0, sizeof(s));
	memset(m, 0, sizeof(m));
	for (int i = 0; i < SR_KPI_COUNT; i++)
		s.kpi[i].value = NAN;
	s.kpi[0] =
	    (struct sr_snap_kpi){ .id = "cpu", .unit = "%", .value = 42 };
	s.kpi[1] =
	    (struct sr_snap_kpi){ .id = "events", .unit = "/s", .value = 3 };
	m[0] = (struct sr_snap_metric){ .name = "cpu.0.busy_pct",
		.unit = "%",
		.value = 50 };
	m[1] = (struct sr_snap_metric){ .name = "cpu.total.busy_pct",
		.unit = "%",
		.value = 40 };
	m[2] = (struct sr_snap_metric){ .name = "fs./var/lib.used_bytes",
		.unit = "bytes",
		.value = 7 };
	m[3] = (struct sr_snap_metric){ .name = "mem.used_pct",
		.unit = "%",
		.value = NAN };
	s.metrics = m;
	s.n_metrics = 4;
	s.now_ms = 5;
	CU_ASSERT_EQUAL(sr_otlp_enc_snapshot_points(&s, got_point, &g), 5);
	CU_ASSERT_EQUAL_FATAL(g.n, 5);
	CU_ASSERT_STRING_EQUAL(g.line[0], "sitrep.kpi.cpu % -=- 42.0");
	CU_ASSERT_STRING_EQUAL(g.line[1], "sitrep.kpi.events 1/s -=- 3.0");
	CU_ASSERT_STRING_EQUAL(g.line[2], "sitrep.cpu.busy_pct % core=0 50.0");
	CU_ASSERT_STRING_EQUAL(g.line[3], "sitrep.cpu.busy_pct % -=- 40.0");
	CU_ASSERT_STRING_EQUAL(g.line[4],
	    "sitrep.fs.used_bytes By mount=/var/lib 7.0");
}

static void
test_partial(void)
{
	static const struct {
		const char *body;
		int rc;
		uint64_t rejected;
		const char *msg;
	} cases[] = {
		{ "{\"partialSuccess\":{\"rejectedLogRecords\":\"3\","
		  "\"errorMessage\":\"too old\"}}",
		    1, 3, "too old" },
		{ "{\"partialSuccess\":{\"rejectedDataPoints\":5}}", 1, 5, "" },
		{ "{\"partialSuccess\":{\"errorMessage\":\"warn\"}}", 1, 0,
		    "warn" },
		{ "{\"partialSuccess\":{}}", 0, 0, "" },
		{ "{}", 0, 0, "" },
		{ "", 0, 0, "" },
		{ "not json", 0, 0, "" },
		{ "{\"partialSuccess\":{\"rejectedLogRecords\":-4}}", 0, 0,
		    "" },
	};
	char msg[64];
	uint64_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(sr_otlp_enc_partial(cases[i].body,
				    strlen(cases[i].body), &n, msg,
				    sizeof(msg)),
		    cases[i].rc);
		CU_ASSERT_EQUAL(n, cases[i].rejected);
		CU_ASSERT_STRING_EQUAL(msg, cases[i].msg);
	}
}

void
sr_test_otlp_enc_suite(void)
{
	CU_pSuite s = CU_add_suite("otlp_enc", NULL, NULL);

	CU_add_test(s, "severity from level, status and flags", test_severity);
	CU_add_test(s, "logs grouped by resource, fields as attributes",
	    test_logs);
	CU_add_test(s, "gauges grouped by name", test_metrics);
	CU_add_test(s, "a snapshot's KPIs and metrics as points",
	    test_snapshot_points);
	CU_add_test(s, "partialSuccess read back", test_partial);
}
