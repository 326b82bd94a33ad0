/* SPDX-License-Identifier: MIT */
/*
 * history: HTTP answers read from the store (see history.h).  Every call
 * opens a read-only handle, runs its queries and closes it: SQLite's WAL
 * lets these readers run beside the main loop's writer, and no handle is
 * shared between threads.  Opening costs well under a millisecond, small
 * beside the queries these routes run.
 */
#include "web/history.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/summary.h"
#include "web/render.h"

int
sr_web_hist_available(const char *db_path)
{
	return db_path != NULL && db_path[0] != '\0' &&
	    strcmp(db_path, ":memory:") != 0;
}

int
sr_web_evq_status(struct sr_web_evq *q, const char *s)
{
	char *copy = sr_xstrdup(s), *save = NULL, *tok;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v;

		if (strcmp(tok, "error") == 0) {
			q->classes |= 1u;
		} else if (strlen(tok) == 3 && tok[0] >= '1' && tok[0] <= '5' &&
		    (tok[1] == 'x' || tok[1] == 'X') &&
		    (tok[2] == 'x' || tok[2] == 'X')) {
			q->classes |= 1u << (tok[0] - '0');
		} else {
			v = strtol(tok, &end, 10);
			if (*end != '\0' || v < 100 || v > 599 ||
			    q->n_codes == 16) {
				rc = -1;
				break;
			}
			q->codes[q->n_codes++] = (int)v;
		}
	}
	free(copy);
	if (rc == 0 && q->classes == 0 && q->n_codes == 0)
		rc = -1;
	return rc;
}

int
sr_web_evq_status_match(const struct sr_web_evq *q, int status, int is_error)
{
	if (q->classes == 0 && q->n_codes == 0)
		return 1;
	if ((q->classes & 1u) && is_error)
		return 1;
	if (status >= 100 && status <= 599 &&
	    (q->classes & (1u << (status / 100))))
		return 1;
	for (int i = 0; i < q->n_codes; i++)
		if (q->codes[i] == status)
			return 1;
	return 0;
}

static struct sr_store *
hist_open(const char *db_path, int *status, struct sr_err *err)
{
	struct sr_store *st;

	st = sr_store_open(db_path, SR_STORE_READONLY, err);
	if (st == NULL)
		*status = 503;
	return st;
}

/* A column's text, or NULL. */
static const char *
hist_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return (const char *)t;
}

/* One stored row as the JSON object /api/events serves; returns its id. */
static int64_t
hist_event_row(sqlite3_stmt *stmt, struct sr_buf *out)
{
	struct sr_event ev;
	int64_t id = sqlite3_column_int64(stmt, 0);

	sr_event_clear(&ev);
	ev.ts_ms = sqlite3_column_int64(stmt, 1);
	ev.event_id = hist_text(stmt, 2);
	ev.event_type = hist_text(stmt, 3);
	ev.service = hist_text(stmt, 4);
	ev.endpoint = hist_text(stmt, 5);
	if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
		ev.status_code = sqlite3_column_int(stmt, 6);
		ev.has |= SR_EV_HAS_STATUS;
	}
	if (sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
		ev.response_time_ms = sqlite3_column_double(stmt, 7);
		ev.has |= SR_EV_HAS_LATENCY;
	}
	ev.user_id = hist_text(stmt, 8);
	ev.session_id = hist_text(stmt, 9);
	ev.message = hist_text(stmt, 10);
	ev.model = hist_text(stmt, 11);
	if (sqlite3_column_type(stmt, 12) != SQLITE_NULL) {
		ev.tokens_in = sqlite3_column_int64(stmt, 12);
		ev.has |= SR_EV_HAS_TOKENS_IN;
	}
	if (sqlite3_column_type(stmt, 13) != SQLITE_NULL) {
		ev.tokens_out = sqlite3_column_int64(stmt, 13);
		ev.has |= SR_EV_HAS_TOKENS_OUT;
	}
	if (sqlite3_column_type(stmt, 14) != SQLITE_NULL) {
		ev.ttft_ms = sqlite3_column_double(stmt, 14);
		ev.has |= SR_EV_HAS_TTFT;
	}
	ev.host = hist_text(stmt, 15);
	ev.metadata = hist_text(stmt, 16);
	sr_web_json_event(out, "id", (uint64_t)id, &ev);
	return id;
}

/* The WHERE clause of an event query (parameters ?1..?5). */
static void
hist_event_where(struct sr_buf *sql, const struct sr_web_evq *q)
{
	sr_buf_adds(sql, " WHERE id > ?1 AND ts >= ?2 AND ts < ?3");
	if (q->service != NULL)
		sr_buf_adds(sql, " AND service = ?4");
	if (q->q != NULL)
		sr_buf_adds(sql,
		    " AND (instr(lower(coalesce(message,'')), "
		    "?5) > 0 OR instr(lower(coalesce(endpoint,'')), ?5) > 0 OR "
		    "instr(lower(coalesce(service,'')), ?5) > 0)");
	if (q->classes != 0 || q->n_codes != 0) {
		sr_buf_adds(sql, " AND (0");
		for (int c = 1; c <= 5; c++)
			if (q->classes & (1u << c))
				sr_buf_addf(sql,
				    " OR (status >= %d AND "
				    "status < %d)",
				    c * 100, c * 100 + 100);
		if (q->classes & 1u)
			sr_buf_adds(sql, " OR status >= 500");
		for (int i = 0; i < q->n_codes; i++)
			sr_buf_addf(sql, " OR status = %d", q->codes[i]);
		sr_buf_adds(sql, ")");
	}
}

/*
 * Cursor rule: rows are read in one read transaction, so the page and
 * max(id) come from the same database snapshot.  A full page ends at its
 * last row (more may follow); a short page has seen every matching row up
 * to max(id), so the cursor moves there and a filtered follower does not
 * rescan rows it has already passed.  Rowids only grow (one writer,
 * oldest rows pruned first), so no row ever appears behind a cursor.
 */
int
sr_web_hist_events(const char *db_path, const struct sr_web_evq *q,
    struct sr_buf *out, int *status, struct sr_err *err)
{
	static const char cols[] =
	    "SELECT id, ts, event_id, event_type, "
	    "service, endpoint, status, latency_ms, user_id, session_id, "
	    "message, model, tokens_in, tokens_out, ttft_ms, host, metadata "
	    "FROM events";
	struct sr_store *st;
	sqlite3 *db;
	sqlite3_stmt *stmt = NULL;
	struct sr_buf sql;
	int64_t last = q->after_row, max_id = 0;
	int rc, n = 0;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	db = sr_store_db(st);
	sr_buf_init(&sql);
	if (q->newest)
		sr_buf_adds(&sql, "SELECT * FROM (");
	sr_buf_adds(&sql, cols);
	hist_event_where(&sql, q);
	sr_buf_adds(&sql,
	    q->newest ? " ORDER BY id DESC LIMIT ?6) ORDER BY id"
		      : " ORDER BY id LIMIT ?6");
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_prepare_v2(db, sql.data, -1, &stmt, NULL);
	sr_buf_release(&sql);
	if (rc != SQLITE_OK) {
		sr_err_set(err, "cannot query events: %s", sqlite3_errmsg(db));
		sr_store_close(st);
		*status = 503;
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, q->after_row);
	sqlite3_bind_int64(stmt, 2, q->from_ms);
	sqlite3_bind_int64(stmt, 3, q->to_ms);
	if (q->service != NULL)
		sqlite3_bind_text(stmt, 4, q->service, -1, SQLITE_STATIC);
	if (q->q != NULL) {
		char *lower = sr_xstrdup(q->q);

		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		sqlite3_bind_text(stmt, 5, lower, -1, free);
	}
	sqlite3_bind_int(stmt, 6, q->limit);
	sr_buf_adds(out, "{\"events\":[");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		n++;
		last = hist_event_row(stmt, out); /* adds its comma */
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc == SQLITE_DONE && (q->newest || n < q->limit)) {
		rc = sqlite3_prepare_v2(db,
		    "SELECT coalesce(max(id), 0) "
		    "FROM events",
		    -1, &stmt, NULL);
		if (rc == SQLITE_OK &&
		    (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			max_id = sqlite3_column_int64(stmt, 0);
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(stmt);
		if (max_id > last)
			last = max_id;
	}
	if (rc != SQLITE_DONE) {
		sr_err_set(err, "cannot read events: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sr_store_close(st);
		*status = 503;
		return -1;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sr_store_close(st);
	sr_buf_addf(out, "],\"cursor\":\"%" PRId64 "\",\"truncated\":false}",
	    last);
	return 0;
}

/* Collects series points as JSON. */
struct hist_pts {
	struct sr_buf *out;
	int n;
};

static void
hist_point(void *ctx, const struct sr_series_point *pt)
{
	struct hist_pts *p = ctx;

	if (p->n >= SR_WEB_MAX_POINTS)
		return;
	if (p->n++ > 0)
		sr_buf_addc(p->out, ',');
	sr_buf_addf(p->out, "[%" PRId64 ",", pt->ts_ms);
	sr_web_json_num(p->out, pt->min);
	sr_buf_addc(p->out, ',');
	sr_web_json_num(p->out, pt->avg);
	sr_buf_addc(p->out, ',');
	sr_web_json_num(p->out, pt->max);
	sr_buf_addc(p->out, ']');
}

/* One series object into out, on an open store. */
static int
hist_series_on(struct sr_store *st, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms, struct sr_buf *out, struct sr_err *err)
{
	struct hist_pts p = { out, 0 };

	sr_buf_adds(out, "{\"name\":");
	sr_buf_add_json_str(out, name);
	sr_buf_addf(out,
	    ",\"from_ms\":%" PRId64 ",\"to_ms\":%" PRId64
	    ",\"step_ms\":%" PRId64 ",\"columns\":[\"ts_ms\",\"min\",\"avg\","
	    "\"max\"],\"points\":[",
	    from_ms, to_ms, step_ms);
	if (sr_store_series(st, name, from_ms, to_ms, step_ms, hist_point, &p,
		err) < 0)
		return -1;
	sr_buf_adds(out, "]}");
	return 0;
}

int
sr_web_hist_series(const char *db_path, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms, struct sr_buf *out, int *status,
    struct sr_err *err)
{
	struct sr_store *st;
	int rc;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	rc = hist_series_on(st, name, from_ms, to_ms, step_ms, out, err);
	if (rc < 0)
		*status = 503;
	sr_store_close(st);
	return rc;
}

int
sr_web_hist_performance(const char *db_path, int64_t now_ms, double hours,
    struct sr_buf *out, int *status, struct sr_err *err)
{
	static const struct {
		const char *key, *metric;
	} series[] = {
		{ "cpu_busy_pct", "cpu.total.busy_pct" },
		{ "mem_used_pct", "mem.used_pct" },
		{ "load1", "load.1" },
		{ "disk_read_bytes_per_s", "disk.total.read_bytes_per_s" },
		{ "disk_write_bytes_per_s", "disk.total.write_bytes_per_s" },
		{ "net_rx_bytes_per_s", "net.total.rx_bytes_per_s" },
		{ "net_tx_bytes_per_s", "net.total.tx_bytes_per_s" },
	};
	int64_t span = (int64_t)(hours * 3600000.0), from = now_ms - span;
	int64_t step = (span + SR_WEB_MAX_POINTS - 1) / SR_WEB_MAX_POINTS;
	struct sr_store *st;

	if (step < 1000)
		step = 1000;
	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	sr_buf_addf(out, "{\"hours\":");
	sr_web_json_num(out, hours);
	sr_buf_addf(out,
	    ",\"from_ms\":%" PRId64 ",\"to_ms\":%" PRId64
	    ",\"step_ms\":%" PRId64 ",\"series\":{",
	    from, now_ms, step);
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		if (i > 0)
			sr_buf_addc(out, ',');
		sr_buf_add_json_str(out, series[i].key);
		sr_buf_addc(out, ':');
		if (hist_series_on(st, series[i].metric, from, now_ms, step,
			out, err) < 0) {
			sr_store_close(st);
			*status = 503;
			return -1;
		}
	}
	sr_buf_adds(out, "}}");
	sr_store_close(st);
	return 0;
}

int
sr_web_hist_summary(const char *db_path, int64_t from_ms, int64_t to_ms,
    struct sr_buf *out, int *status, struct sr_err *err)
{
	struct sr_summary_opts o;
	struct sr_summary *sum = NULL;
	struct sr_store *st;
	size_t len;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.from_ms = from_ms;
	o.to_ms = to_ms;
	if (sr_summary_query(st, &o, &sum, err) < 0) {
		sr_store_close(st);
		*status = 503;
		return -1;
	}
	sr_summary_json(sum, out);
	sr_summary_free(sum);
	sr_store_close(st);
	len = out->len;
	while (len > 0 && out->data[len - 1] == '\n')
		out->data[--len] = '\0';
	out->len = len;
	return 0;
}
