/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/evfilter (compiled in: the unit runner links core
 * only).  Events are built by hand; which ones match is decided by
 * reading the filter text, not by running the code.
 */
#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "core/store.h"

#include "tui/evfilter.c"

void sr_test_tui_filter_suite(void);

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
	struct sr_evfilter f;
	struct sr_err err;
	struct sr_event a = ev_make("vllm", "/v1/chat", 200, 120, 1000);
	struct sr_event b = ev_make("api", "/login", 503, 2500, 2000);
	struct sr_event c = ev_make("api", "/users", 404, -1, 3000);

	sr_evfilter_init(&f);
	CU_ASSERT(sr_evfilter_empty(&f));
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=vllm", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status>=500", &err), 0);
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &a));
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status=4xx", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &c));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	/* two terms: both must hold; latency unknown never passes > */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=api latency>1000", &err),
	    0);
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	/* free text, any case, any field */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "LOGIN", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &b));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &a));
	/* glob and negation */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "endpoint=/v1/*", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service!=api", &err), 0);
	CU_ASSERT(sr_evfilter_match(&f, &a));
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &c));
	/* time bounds from a drill-down */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service=api", &err), 0);
	f.from_ms = 2500;
	CU_ASSERT_FALSE(sr_evfilter_match(&f, &b));
	CU_ASSERT(sr_evfilter_match(&f, &c));
	/* errors */
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "colour=red", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown field 'colour'");
	CU_ASSERT(sr_evfilter_empty(&f));
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "status>=abc", &err), -1);
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "service>3", &err), -1);
	CU_ASSERT_EQUAL(sr_evfilter_parse(&f, "a b c d e f g h i", &err), -1);
	sr_evfilter_release(&f);
}

/* sr_evfilter_sql() of text: the condition, and binds as "t:x n:5". */
static void
sql_of(const char *text, struct sr_buf *where, struct sr_buf *binds, int *exact)
{
	struct sr_evfilter f;
	struct sr_evf_bind b[SR_EVF_BINDS_MAX];
	struct sr_err err;
	int nb;

	sr_evfilter_init(&f);
	CU_ASSERT_EQUAL_FATAL(sr_evfilter_parse(&f, text, &err), 0);
	sr_buf_reset(where);
	sr_buf_reset(binds);
	*exact = sr_evfilter_sql(&f, where, b, &nb);
	for (int i = 0; i < nb; i++)
		if (b[i].is_text)
			sr_buf_addf(binds, "%st:%s", i ? " " : "", b[i].text);
		else
			sr_buf_addf(binds, "%sn:%g", i ? " " : "", b[i].num);
	sr_evfilter_release(&f);
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
	static const struct {
		const char *filter;
		const char *ids;
	} cases[] = {
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
	};
	struct sr_event ev[4];
	struct sr_store *st;
	struct sr_err err;

	ev[0] = ev_make("api", "/login", 503, 2500, 1000);
	ev[1] = ev_make("api", "/users", 404, -1, 2000);
	ev[2] = ev_make("vllm", "/v1/chat", 200, 120, 3000);
	ev[2].model = "gpt-4";
	ev[3] = ev_make("API", "/v1/embed", 0, -1, 4000);
	st = sr_store_open(":memory:", SR_STORE_NO_LOCK, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(sr_store_add_event(st, &ev[i], &err), 0);
	CU_ASSERT_EQUAL(sr_store_flush(st, &err), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sr_evfilter f;
		struct sr_evf_bind b[SR_EVF_BINDS_MAX];
		struct sr_buf sql, got, cgot;
		sqlite3_stmt *q = NULL;
		int nb;

		sr_evfilter_init(&f);
		CU_ASSERT_EQUAL_FATAL(sr_evfilter_parse(&f, cases[c].filter,
					  &err),
		    0);
		sr_buf_init(&sql);
		sr_buf_init(&got);
		sr_buf_init(&cgot);
		sr_buf_adds(&sql, "SELECT ts / 1000 FROM events WHERE ");
		sr_evfilter_sql(&f, &sql, b, &nb);
		sr_buf_adds(&sql, " ORDER BY ts");
		CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(sr_store_db(st),
					  sql.data, -1, &q, NULL),
		    SQLITE_OK);
		for (int i = 0; i < nb; i++)
			if (b[i].is_text)
				sqlite3_bind_text(q, i + 1, b[i].text, -1,
				    SQLITE_STATIC);
			else
				sqlite3_bind_double(q, i + 1, b[i].num);
		while (sqlite3_step(q) == SQLITE_ROW)
			sr_buf_addf(&got, "%s%d", got.len ? " " : "",
			    sqlite3_column_int(q, 0));
		sqlite3_finalize(q);
		for (int i = 0; i < 4; i++)
			if (sr_evfilter_match(&f, &ev[i]))
				sr_buf_addf(&cgot, "%s%d", cgot.len ? " " : "",
				    i + 1);
		CU_ASSERT_STRING_EQUAL(got.len ? got.data : "", cases[c].ids);
		CU_ASSERT_STRING_EQUAL(cgot.len ? cgot.data : "", cases[c].ids);
		if (strcmp(got.len ? got.data : "", cases[c].ids) != 0)
			fprintf(stderr, "filter '%s': sql %s, want %s\n",
			    cases[c].filter, got.data, cases[c].ids);
		sr_buf_release(&sql);
		sr_buf_release(&got);
		sr_buf_release(&cgot);
		sr_evfilter_release(&f);
	}
	sr_store_close(st);
}

void
sr_test_tui_filter_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_filter", NULL, NULL);

	CU_add_test(s, "filter", test_filter);
	CU_add_test(s, "filter_sql_text", test_filter_sql_text);
	CU_add_test(s, "filter_sql_store", test_filter_sql_store);
}
