/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/query and its SQL compile in the store.  Events
 * are built by hand; which ones match is decided by reading the query
 * text, not by running the code.  The SQL is run by the test's own
 * sqlite3 connection on the store's file.
 */
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/field.h"
#include "core/query.h"
#include "core/store.h"
#include "core/template.h"

void sr_test_query_suite(void);

static struct sr_event
ev_make(const char *service, const char *endpoint, int status, double ms,
    int64_t ts)
{
	struct sr_event e;

	sr_event_clear(&e);
	e.service = service;
	e.endpoint = endpoint;
	e.event_type = "request";
	e.ts_ms = ts;
	if (status > 0) {
		e.status_code = status;
		e.has |= SR_EV_HAS_STATUS;
	}
	if (ms >= 0) {
		e.response_time_ms = ms;
		e.has |= SR_EV_HAS_LATENCY;
	}
	return e;
}

static void
test_filter(void)
{
	struct sr_query f;
	struct sr_err err;
	struct sr_event a = ev_make("vllm", "/v1/chat", 200, 120, 1000);
	struct sr_event b = ev_make("api", "/login", 503, 2500, 2000);
	struct sr_event c = ev_make("api", "/users", 404, -1, 3000);

	sr_query_init(&f);
	CU_ASSERT(sr_query_empty(&f));
	CU_ASSERT(sr_query_match(&f, &a));
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service=vllm", &err), 0);
	CU_ASSERT(sr_query_match(&f, &a));
	CU_ASSERT_FALSE(sr_query_match(&f, &b));
	CU_ASSERT_EQUAL(sr_query_parse(&f, "status>=500", &err), 0);
	CU_ASSERT_FALSE(sr_query_match(&f, &a));
	CU_ASSERT(sr_query_match(&f, &b));
	CU_ASSERT_FALSE(sr_query_match(&f, &c));
	CU_ASSERT_EQUAL(sr_query_parse(&f, "status=4xx", &err), 0);
	CU_ASSERT(sr_query_match(&f, &c));
	CU_ASSERT_FALSE(sr_query_match(&f, &b));
	/* two terms: both must hold; latency unknown never passes > */
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service=api latency>1000", &err),
	    0);
	CU_ASSERT(sr_query_match(&f, &b));
	CU_ASSERT_FALSE(sr_query_match(&f, &c));
	/* free text, any case, any field */
	CU_ASSERT_EQUAL(sr_query_parse(&f, "LOGIN", &err), 0);
	CU_ASSERT(sr_query_match(&f, &b));
	CU_ASSERT_FALSE(sr_query_match(&f, &a));
	/* glob and negation */
	CU_ASSERT_EQUAL(sr_query_parse(&f, "endpoint=/v1/*", &err), 0);
	CU_ASSERT(sr_query_match(&f, &a));
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service!=api", &err), 0);
	CU_ASSERT(sr_query_match(&f, &a));
	CU_ASSERT_FALSE(sr_query_match(&f, &c));
	/* time bounds from a drill-down */
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service=api", &err), 0);
	f.from_ms = 2500;
	CU_ASSERT_FALSE(sr_query_match(&f, &b));
	CU_ASSERT(sr_query_match(&f, &c));
	/* errors */
	CU_ASSERT_EQUAL(sr_query_parse(&f, "colour=red", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown field 'colour'");
	CU_ASSERT(sr_query_empty(&f));
	CU_ASSERT_EQUAL(sr_query_parse(&f, "status>=abc", &err), -1);
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service>3", &err), -1);
	CU_ASSERT_EQUAL(sr_query_parse(&f, "a b c d e f g h i", &err), -1);
	sr_query_release(&f);
}

/* sr_store_query_sql() of text: the condition, and binds as "t:x n:5". */
static void
sql_of(const char *text, struct sr_buf *where, struct sr_buf *binds, int *exact)
{
	struct sr_query f;
	struct sr_store_bind b[SR_STORE_BINDS_MAX];
	struct sr_err err;
	int nb;

	sr_query_init(&f);
	CU_ASSERT_EQUAL_FATAL(sr_query_parse(&f, text, &err), 0);
	sr_buf_reset(where);
	sr_buf_reset(binds);
	*exact = sr_store_query_sql(&f, where, b, &nb);
	for (int i = 0; i < nb; i++)
		if (b[i].is_text)
			sr_buf_addf(binds, "%st:%s", i ? " " : "", b[i].text);
		else
			sr_buf_addf(binds, "%sn:%g", i ? " " : "", b[i].num);
	sr_query_release(&f);
}

static void
test_filter_sql_text(void)
{
	struct sr_buf w, b;
	int exact;

	sr_buf_init(&w);
	sr_buf_init(&b);
	sql_of("", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data, "1");
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(exact, 1);
	sql_of("service=pay status>=500", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data,
	    "1 AND lower(coalesce(service, '')) "
	    "= lower(?) AND status >= ?");
	CU_ASSERT_STRING_EQUAL(b.data, "t:pay n:500");
	CU_ASSERT_EQUAL(exact, 1);
	sql_of("status=5xx latency<250 user!=bob", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data,
	    "1 AND status >= ? AND status < ? "
	    "AND latency_ms < ? AND lower(coalesce(user_id, '')) <> "
	    "lower(?)");
	CU_ASSERT_STRING_EQUAL(b.data, "n:500 n:600 n:250 t:bob");
	sql_of("status!=200 model~gpt", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data,
	    "1 AND (status IS NULL OR status <> ?)"
	    " AND instr(lower(model), lower(?)) > 0");
	CU_ASSERT_STRING_EQUAL(b.data, "n:200 t:gpt");
	/* a value is bound, never spliced into the text */
	sql_of("service=x';DROP", &w, &b, &exact);
	CU_ASSERT_PTR_NULL(strstr(w.data, "DROP"));
	CU_ASSERT_STRING_EQUAL(b.data, "t:x';DROP");
	/* free text: every string column, one bind each */
	sql_of("timeout", &w, &b, &exact);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.data,
	    "instr(lower(message), "
	    "lower(?))"));
	CU_ASSERT_STRING_EQUAL(b.data,
	    "t:timeout t:timeout t:timeout "
	    "t:timeout t:timeout t:timeout t:timeout t:timeout t:timeout");
	/* globs: = translates to GLOB; != and backslashes stay in C */
	sql_of("endpoint=/v1/*", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data, "1 AND coalesce(endpoint, '') GLOB ?");
	CU_ASSERT_EQUAL(exact, 1);
	sql_of("endpoint!=/v1/* service=api", &w, &b, &exact);
	CU_ASSERT_STRING_EQUAL(w.data,
	    "1 AND lower(coalesce(service, '')) "
	    "= lower(?)");
	CU_ASSERT_STRING_EQUAL(b.data, "t:api");
	CU_ASSERT_EQUAL(exact, 0);
	sr_buf_release(&w);
	sr_buf_release(&b);
}

struct qcase {
	const char *filter;
	const char *ids; /* the events it keeps, 1-based, by hand */
};

/* Collects the ids sr_store_events() delivers (events carry ts = id s). */
static int
collect_id(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct sr_buf *got = ctx;

	(void)id;
	sr_buf_addf(got, "%s%d", got->len ? " " : "", (int)(ev->ts_ms / 1000));
	return 0;
}

/* sr_template(message) on the test's connection, as the store has it. */
static void
sql_template(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *m = (const char *)sqlite3_value_text(argv[0]);
	char tpl[SR_TEMPLATE_MAX + 1];

	(void)argc;
	if (m == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, tpl,
		    (int)sr_template_make(m, tpl, sizeof(tpl)),
		    SQLITE_TRANSIENT);
}

/*
 * Store the events in a fresh file, then check for each case that the
 * compiled SQL (run by this test's own connection), the in-memory match,
 * sr_store_events() and sr_store_count_events() all keep case.ids.
 */
static void
check_cases(const struct sr_event *ev, int nev, const struct qcase *cases,
    size_t ncases)
{
	char dir[] = "/tmp/sitrep-query-XXXXXX", *path;
	struct sr_store *st;
	struct sr_err err;
	sqlite3 *db = NULL;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	path = sr_xasprintf("%s/q.db", dir);
	st = sr_store_open(path, SR_STORE_NO_LOCK, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < nev; i++)
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev[i], &err), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
			    NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(
	    sqlite3_create_function(db, "sr_template", 1, SQLITE_UTF8, NULL,
		sql_template, NULL, NULL) == SQLITE_OK);
	for (size_t c = 0; c < ncases; c++) {
		struct sr_query f;
		struct sr_store_bind b[SR_STORE_BINDS_MAX];
		struct sr_store_evq q;
		struct sr_buf sql, got, cgot, sgot;
		sqlite3_stmt *s = NULL;
		int64_t n = -1, want = 0;
		int nb, rc, exact;

		sr_query_init(&f);
		CU_ASSERT_EQUAL_FATAL(sr_query_parse(&f, cases[c].filter, &err),
		    0);
		sr_buf_init(&sql);
		sr_buf_init(&got);
		sr_buf_init(&cgot);
		sr_buf_init(&sgot);
		sr_buf_adds(&sql, "SELECT ts / 1000 FROM events WHERE ");
		exact = sr_store_query_sql(&f, &sql, b, &nb);
		sr_buf_adds(&sql, " ORDER BY ts");
		CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, sql.data, -1, &s,
					  NULL),
		    SQLITE_OK);
		for (int i = 0; i < nb; i++)
			CU_ASSERT_EQUAL(b[i].is_text
				? sqlite3_bind_text(s, i + 1, b[i].text, -1,
				      SQLITE_STATIC)
				: sqlite3_bind_double(s, i + 1, b[i].num),
			    SQLITE_OK);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			sr_buf_addf(&got, "%s%d", got.len ? " " : "",
			    sqlite3_column_int(s, 0));
		CU_ASSERT_EQUAL(rc, SQLITE_DONE);
		sqlite3_finalize(s);
		for (int i = 0; i < nev; i++)
			if (sr_query_match(&f, &ev[i]))
				sr_buf_addf(&cgot, "%s%d", cgot.len ? " " : "",
				    i + 1);
		sr_store_evq_init(&q);
		q.query = &f;
		q.order = SR_STORE_BY_TS;
		CU_ASSERT(
		    sr_store_events(st, &q, collect_id, &sgot, &err) >= 0);
		CU_ASSERT_EQUAL(sr_store_count_events(st, &q, &n, &err), 0);
		for (const char *p = cases[c].ids; *p; p++)
			want += p == cases[c].ids || p[-1] == ' ';
		/* an inexact condition selects a superset, matched again */
		if (exact)
			CU_ASSERT_STRING_EQUAL(got.len ? got.data : "",
			    cases[c].ids);
		CU_ASSERT_STRING_EQUAL(cgot.len ? cgot.data : "", cases[c].ids);
		CU_ASSERT_STRING_EQUAL(sgot.len ? sgot.data : "", cases[c].ids);
		CU_ASSERT_EQUAL(n, want);
		if ((exact &&
			strcmp(got.len ? got.data : "", cases[c].ids) != 0) ||
		    strcmp(cgot.len ? cgot.data : "", cases[c].ids) != 0)
			fprintf(stderr, "query '%s': sql %s, c %s, want %s\n",
			    cases[c].filter, got.data, cgot.data, cases[c].ids);
		sr_buf_release(&sql);
		sr_buf_release(&got);
		sr_buf_release(&cgot);
		sr_buf_release(&sgot);
		sr_query_release(&f);
	}
	sqlite3_close(db);
	sr_store_close(st);
	(void)unlink(path);
	free(path);
	path = sr_xasprintf("%s/q.db-wal", dir);
	(void)unlink(path);
	free(path);
	path = sr_xasprintf("%s/q.db-shm", dir);
	(void)unlink(path);
	free(path);
	(void)rmdir(dir);
}

/*
 * The condition run by SQLite over stored events selects what the C
 * match accepts.  Events (hand-made): 1 api /login 503 2500 ms,
 * 2 api /users 404 no latency, 3 vllm /v1/chat 200 120 ms model gpt-4,
 * 4 API /v1/embed no status.  Which ids each filter keeps is written
 * here from reading the filter.
 */
static void
test_filter_sql_store(void)
{
	static const struct qcase cases[] = {
		{ "service=api", "1 2 4" },
		{ "status>=500", "1" },
		{ "status=4xx", "2" },
		{ "status!=404", "1 3 4" },
		{ "latency>100", "1 3" },
		{ "endpoint=/v1/*", "3 4" },
		{ "model~GPT", "3" },
		{ "V1", "3 4" },
		{ "service=api endpoint~users", "2" },
		{ "user=", "1 2 3 4" },
		{ "service=nope", "" },
		{ "endpoint!=/v1/* service=api", "1 2" },
	};
	struct sr_event ev[4];

	ev[0] = ev_make("api", "/login", 503, 2500, 1000);
	ev[1] = ev_make("api", "/users", 404, -1, 2000);
	ev[2] = ev_make("vllm", "/v1/chat", 200, 120, 3000);
	ev[2].model = "gpt-4";
	ev[3] = ev_make("API", "/v1/embed", 0, -1, 4000);
	check_cases(ev, 4, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * "Error": the error flag (an error level) or a 5xx status.  Events:
 * 1 a 503, 2 a 200 flagged error, 3 a 200, 4 no status flagged error,
 * 5 a 404, 6 a 500 with message "timeout".
 */
static void
test_query_error(void)
{
	static const struct qcase cases[] = {
		{ "is:error", "1 2 4 6" },
		{ "IS:ERROR service=b", "2" },
		{ "status=error", "1 2 4 6" },
		{ "status=4xx,error", "1 2 4 5 6" },
		{ "status=404,200", "2 3 5" },
		{ "status=5xx", "1 6" },
		{ "status=2xx,4xx", "2 3 5" },
		{ "is:error timeout", "6" },
		{ "status!=200 is:error", "1 4 6" },
	};
	struct sr_event ev[6];
	struct sr_query q;
	struct sr_err err;

	ev[0] = ev_make("a", "/x", 503, 10, 1000);
	ev[1] = ev_make("b", "/x", 200, 10, 2000);
	ev[1].has |= SR_EV_IS_ERROR;
	ev[2] = ev_make("a", "/x", 200, 10, 3000);
	ev[3] = ev_make("a", "/x", 0, -1, 4000);
	ev[3].has |= SR_EV_IS_ERROR;
	ev[4] = ev_make("a", "/x", 404, 10, 5000);
	ev[5] = ev_make("a", "/x", 500, 10, 6000);
	ev[5].message = "upstream timeout";
	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(sr_event_is_error(&ev[i]),
		    i == 0 || i == 1 || i == 3 || i == 5);
	check_cases(ev, 6, cases, sizeof(cases) / sizeof(cases[0]));
	/* bad lists are refused */
	sr_query_init(&q);
	CU_ASSERT_EQUAL(sr_query_parse(&q, "status=5xx,abc", &err), -1);
	CU_ASSERT_EQUAL(sr_query_parse(&q, "status=5xx,,404", &err), -1);
	CU_ASSERT_EQUAL(sr_query_parse(&q, "status=5xx,700", &err), -1);
	CU_ASSERT(sr_query_empty(&q));
	/* sr_query_add ANDs more terms and keeps the text */
	CU_ASSERT_EQUAL(sr_query_parse(&q, "timeout", &err), 0);
	CU_ASSERT_EQUAL(sr_query_add(&q, "status=5xx", &err), 0);
	CU_ASSERT_STRING_EQUAL(q.src, "timeout status=5xx");
	CU_ASSERT(sr_query_match(&q, &ev[5]));
	CU_ASSERT_FALSE(sr_query_match(&q, &ev[0]));
	CU_ASSERT_EQUAL(sr_query_add(&q, "colour=red", &err), -1);
	CU_ASSERT_EQUAL(q.n, 2);
	sr_query_release(&q);
}

/*
 * template= and quoted values.  Events: 1 a 503 "timeout after 1500 ms",
 * 2 b 500 "timeout after 20 ms", 3 a 500 "connection refused", 4 a 200
 * no message, 5 c 502 "Timeout after 7 ms".  The template of 1, 2 and 5
 * is "timeout after <n> ms" (template.h's example masks "1500 ms" as
 * "<n> ms"), in any case.
 */
static void
test_query_template(void)
{
	static const struct qcase cases[] = {
		{ "template=\"timeout after <n> ms\"", "1 2 5" },
		{ "TEMPLATE=\"Timeout After <n> ms\" service=a", "1" },
		{ "template!=\"timeout after <n> ms\"", "3 4" },
		{ "template~refused", "3" },
		{ "template=conn*", "3" },
		{ "\"timeout after\"", "1 2 5" },
		{ "template=\"timeout after <n> ms\" is:error", "1 2 5" },
		{ "service=\"a\"", "1 3 4" },
	};
	struct sr_event ev[5];
	struct sr_query q;
	struct sr_err err;
	struct sr_buf b;

	ev[0] = ev_make("a", "/x", 503, 10, 1000);
	ev[0].message = "timeout after 1500 ms";
	ev[1] = ev_make("b", "/x", 500, 10, 2000);
	ev[1].message = "timeout after 20 ms";
	ev[2] = ev_make("a", "/x", 500, 10, 3000);
	ev[2].message = "connection refused";
	ev[3] = ev_make("a", "/x", 200, 10, 4000);
	ev[4] = ev_make("c", "/x", 502, 10, 5000);
	ev[4].message = "Timeout after 7 ms";
	check_cases(ev, 5, cases, sizeof(cases) / sizeof(cases[0]));
	sr_query_init(&q);
	CU_ASSERT_EQUAL(sr_query_parse(&q, "template=\"abc", &err), -1);
	CU_ASSERT_EQUAL(sr_query_parse(&q, "template>3", &err), -1);
	/* quoting: plain as it is; blanks, quotes, backslashes quoted */
	sr_buf_init(&b);
	sr_query_quote(&b, "plain");
	sr_buf_adds(&b, "|");
	sr_query_quote(&b, "a \"b\" \\c");
	sr_buf_adds(&b, "|");
	sr_query_quote(&b, "");
	CU_ASSERT_STRING_EQUAL(b.data, "plain|\"a \\\"b\\\" \\\\c\"|\"\"");
	sr_buf_release(&b);
	/* a quoted value parses back to itself */
	sr_buf_init(&b);
	sr_buf_adds(&b, "message=");
	sr_query_quote(&b, "a \"b\" \\c");
	CU_ASSERT_EQUAL(sr_query_parse(&q, b.data, &err), 0);
	CU_ASSERT_EQUAL(q.n, 1);
	CU_ASSERT_STRING_EQUAL(q.t[0].text, "a \"b\" \\c");
	sr_buf_release(&b);
	sr_query_release(&q);
}

static int
collect_group(void *ctx, const char *value, int64_t n, int64_t errors)
{
	struct sr_buf *b = ctx;

	sr_buf_addf(b, "%s%s:%d/%d", b->len ? " " : "", value, (int)n,
	    (int)errors);
	return 0;
}

/*
 * sr_store_count_by(): events (by hand) a 503, a 200, a 500 of service
 * a, a 200 of b, a 404 without a service.  By service, most first, ties
 * by value: a 3 (2 errors), then "" and b with 1 each.  service!=b* is
 * a glob SQL cannot negate exactly: counted in C, the same way.
 */
static void
test_count_by(void)
{
	char dir[] = "/tmp/sitrep-countby-XXXXXX", *path;
	struct sr_event ev[5];
	struct sr_store *st;
	struct sr_store_evq q;
	struct sr_query f;
	struct sr_err err;
	struct sr_buf got;

	ev[0] = ev_make("a", "/x", 503, 10, 1000);
	ev[1] = ev_make("a", "/x", 200, 10, 2000);
	ev[2] = ev_make("a", "/y", 500, 10, 3000);
	ev[3] = ev_make("b", "/x", 200, 10, 4000);
	ev[4] = ev_make(NULL, "/z", 404, 10, 5000);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	path = sr_xasprintf("%s/c.db", dir);
	st = sr_store_open(path, SR_STORE_NO_LOCK, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev[i], &err), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	sr_query_init(&f);
	sr_store_evq_init(&q);
	q.query = &f;
	sr_buf_init(&got);
	CU_ASSERT_EQUAL(sr_store_count_by(st, &q, SR_FIELD_SERVICE,
			    collect_group, &got, &err),
	    0);
	CU_ASSERT_STRING_EQUAL(got.data, "a:3/2 :1/0 b:1/0");
	sr_buf_release(&got);
	sr_buf_init(&got);
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service!=b*", &err), 0);
	CU_ASSERT_EQUAL(sr_store_count_by(st, &q, SR_FIELD_SERVICE,
			    collect_group, &got, &err),
	    0);
	CU_ASSERT_STRING_EQUAL(got.data, "a:3/2 :1/0");
	sr_buf_release(&got);
	sr_buf_init(&got);
	CU_ASSERT_EQUAL(sr_query_parse(&f, "service=a", &err), 0);
	CU_ASSERT_EQUAL(sr_store_count_by(st, &q, SR_FIELD_ENDPOINT,
			    collect_group, &got, &err),
	    0);
	CU_ASSERT_STRING_EQUAL(got.data, "/x:2/1 /y:1/1");
	sr_buf_release(&got);
	sr_query_release(&f);
	sr_store_close(st);
	for (int i = 0; i < 3; i++) {
		char *p = sr_xasprintf("%s%s", path,
		    i == 0	 ? ""
			: i == 1 ? "-wal"
				 : "-shm");

		(void)unlink(p);
		free(p);
	}
	(void)rmdir(dir);
	free(path);
}

void
sr_test_query_suite(void)
{
	CU_pSuite s = CU_add_suite("query", NULL, NULL);

	CU_add_test(s, "filter", test_filter);
	CU_add_test(s, "filter_sql_text", test_filter_sql_text);
	CU_add_test(s, "filter_sql_store", test_filter_sql_store);
	CU_add_test(s, "query_error", test_query_error);
	CU_add_test(s, "query_template", test_query_template);
	CU_add_test(s, "count_by", test_count_by);
}
