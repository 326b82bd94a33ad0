/* SPDX-License-Identifier: MIT */
/*
 * export: see export.h.  One row writer serves the three kinds: a row is a
 * list of typed cells (text, integer, real, time, JSON), rendered as CSV,
 * a JSON array element or a JSON line into a buffer that is flushed to the
 * FILE whenever it passes EXPORT_FLUSH bytes.
 */
#include "core/export.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/field.h"
#include "core/timeutil.h"

#define EXPORT_FLUSH (64 * 1024)

enum export_kind {
	K_TEXT,
	K_INT,
	K_REAL,
	K_TIME,
	K_JSON
};

struct export_col {
	const char *name;
	enum export_kind kind;
};

/* One typed cell; null set when the value is absent. */
struct export_cell {
	int null;
	const char *s; /* K_TEXT, K_JSON */
	int64_t i;     /* K_INT, K_TIME */
	double d;      /* K_REAL */
};

struct export_writer {
	FILE *out;
	enum sr_export_format fmt;
	const struct export_col *cols;
	int ncol;
	int64_t rows;
	int failed;
	struct sr_buf buf;
};

int
sr_export_what_parse(const char *s, enum sr_export_what *out)
{
	if (strcmp(s, "events") == 0)
		*out = SR_EXPORT_EVENTS;
	else if (strcmp(s, "metrics") == 0)
		*out = SR_EXPORT_METRICS;
	else if (strcmp(s, "insights") == 0)
		*out = SR_EXPORT_INSIGHTS;
	else
		return -1;
	return 0;
}

int
sr_export_format_parse(const char *s, enum sr_export_format *out)
{
	if (strcmp(s, "csv") == 0)
		*out = SR_EXPORT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = SR_EXPORT_JSON;
	else if (strcmp(s, "jsonl") == 0)
		*out = SR_EXPORT_JSONL;
	else
		return -1;
	return 0;
}

static void
export_iso(struct sr_buf *b, int64_t ms)
{
	char t[32];

	sr_time_format_iso(ms, t, sizeof(t));
	sr_buf_adds(b, t);
}

void
sr_export_json_num(struct sr_buf *b, double v)
{
	char tmp[40];

	if (!isfinite(v)) {
		sr_buf_adds(b, "null");
		return;
	}
	(void)snprintf(tmp, sizeof tmp, "%.15g", v);
	if (strtod(tmp, NULL) != v)
		(void)snprintf(tmp, sizeof tmp, "%.17g", v);
	sr_buf_adds(b, tmp);
}

/* A CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180). */
static void
export_csv_str(struct sr_buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sr_buf_adds(b, s);
		return;
	}
	sr_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sr_buf_addc(b, '"');
		sr_buf_addc(b, *s);
	}
	sr_buf_addc(b, '"');
}

/* 1 when s is a JSON object or array that can be embedded as is. */
static int
export_is_json(const char *s)
{
	cJSON *j;
	int ok;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s != '{' && *s != '[')
		return 0;
	j = cJSON_Parse(s);
	ok = j != NULL && (cJSON_IsObject(j) || cJSON_IsArray(j));
	cJSON_Delete(j);
	return ok;
}

static void
export_flush(struct export_writer *w, int force)
{
	if (w->buf.len == 0 || (!force && w->buf.len < EXPORT_FLUSH))
		return;
	if (!w->failed &&
	    fwrite(w->buf.data, 1, w->buf.len, w->out) != w->buf.len)
		w->failed = 1;
	sr_buf_reset(&w->buf);
}

static void
export_begin(struct export_writer *w, FILE *out, enum sr_export_format fmt,
    const struct export_col *cols, int ncol)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->fmt = fmt;
	w->cols = cols;
	w->ncol = ncol;
	sr_buf_init(&w->buf);
	if (fmt == SR_EXPORT_CSV) {
		for (int c = 0; c < ncol; c++) {
			if (c)
				sr_buf_addc(&w->buf, ',');
			sr_buf_adds(&w->buf, cols[c].name);
		}
		sr_buf_adds(&w->buf, "\r\n");
	} else if (fmt == SR_EXPORT_JSON) {
		sr_buf_addc(&w->buf, '[');
	}
}

static void
export_row(struct export_writer *w, const struct export_cell *cell)
{
	struct sr_buf *b = &w->buf;
	int first = 1;

	if (w->fmt == SR_EXPORT_JSON)
		sr_buf_adds(b, w->rows ? ",\n" : "\n");
	if (w->fmt != SR_EXPORT_CSV)
		sr_buf_addc(b, '{');
	for (int c = 0; c < w->ncol; c++) {
		const struct export_cell *v = &cell[c];
		enum export_kind k = w->cols[c].kind;

		if (w->fmt == SR_EXPORT_CSV) {
			if (c)
				sr_buf_addc(b, ',');
			if (v->null)
				continue;
		} else {
			if (v->null)
				continue;
			if (!first)
				sr_buf_addc(b, ',');
			first = 0;
			sr_buf_add_json_str(b, w->cols[c].name);
			sr_buf_addc(b, ':');
		}
		switch (k) {
		case K_INT:
			sr_buf_addf(b, "%lld", (long long)v->i);
			break;
		case K_REAL:
			sr_export_json_num(b, v->d);
			break;
		case K_TIME:
			if (w->fmt != SR_EXPORT_CSV)
				sr_buf_addc(b, '"');
			export_iso(b, v->i);
			if (w->fmt != SR_EXPORT_CSV)
				sr_buf_addc(b, '"');
			break;
		case K_JSON:
			if (w->fmt != SR_EXPORT_CSV && export_is_json(v->s)) {
				sr_buf_adds(b, v->s);
				break;
			}
			/* not JSON: written as a string */
			/* FALLTHROUGH */
		case K_TEXT:
			if (w->fmt == SR_EXPORT_CSV)
				export_csv_str(b, v->s);
			else
				sr_buf_add_json_str(b, v->s);
			break;
		}
	}
	if (w->fmt == SR_EXPORT_CSV)
		sr_buf_adds(b, "\r\n");
	else if (w->fmt == SR_EXPORT_JSON)
		sr_buf_addc(b, '}');
	else
		sr_buf_adds(b, "}\n");
	w->rows++;
	export_flush(w, 0);
}

/* Finish the output; returns rows written, or -1 on a write error. */
static int64_t
export_end(struct export_writer *w, struct sr_err *err)
{
	int64_t rows = w->rows;

	if (w->fmt == SR_EXPORT_JSON)
		sr_buf_adds(&w->buf, w->rows ? "\n]\n" : "]\n");
	export_flush(w, 1);
	if (!w->failed && fflush(w->out) != 0)
		w->failed = 1;
	sr_buf_release(&w->buf);
	if (w->failed)
		return sr_err_set(err, "cannot write the export output");
	return rows;
}

/* Stream the rows of a prepared statement whose columns match cols. */
static int64_t
export_stmt(sqlite3 *db, sqlite3_stmt *s, const struct export_col *cols,
    int ncol, const struct sr_export_opts *o, FILE *out, struct sr_err *err)
{
	struct export_writer w;
	struct export_cell cell[32];
	int rc;

	if (ncol > 32)
		SR_BUG("too many export columns");
	export_begin(&w, out, o->format, cols, ncol);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && !w.failed) {
		for (int c = 0; c < ncol; c++) {
			struct export_cell *v = &cell[c];

			memset(v, 0, sizeof *v);
			v->null = sqlite3_column_type(s, c) == SQLITE_NULL;
			if (v->null)
				continue;
			switch (cols[c].kind) {
			case K_INT:
			case K_TIME:
				v->i = sqlite3_column_int64(s, c);
				break;
			case K_REAL:
				v->d = sqlite3_column_double(s, c);
				break;
			case K_TEXT:
			case K_JSON:
				v->s = (const char *)sqlite3_column_text(s, c);
				v->null = v->s == NULL;
				break;
			}
		}
		export_row(&w, cell);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sr_err_set(err, "cannot read the store: %s",
		    sqlite3_errmsg(db));
		(void)export_end(&w, NULL);
		return -1;
	}
	return export_end(&w, err);
}

static int64_t
export_table(struct sr_store *st, const char *sql,
    const struct export_col *cols, int ncol, const struct sr_export_opts *o,
    FILE *out, struct sr_err *err)
{
	sqlite3 *db = sr_store_db(st);
	sqlite3_stmt *s;
	int64_t n;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sr_err_set(err, "cannot query the store: %s",
		    sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, o->from_ms);
	sqlite3_bind_int64(s, 2, o->to_ms);
	n = export_stmt(db, s, cols, ncol, o, out, err);
	sqlite3_finalize(s);
	return n;
}

/* The kind of cell a field's column holds. */
static enum export_kind
export_field_kind(const struct sr_field *f)
{
	switch (f->type) {
	case SR_FIELD_INT:
	case SR_FIELD_FLAG:
		return K_INT;
	case SR_FIELD_REAL:
		return K_REAL;
	case SR_FIELD_TIME:
		return K_TIME;
	case SR_FIELD_JSON:
		return K_JSON;
	case SR_FIELD_TEXT:
		break;
	}
	return K_TEXT;
}

/* Events: one column per exported field, in the field table's order. */
static int64_t
export_events(struct sr_store *st, const struct sr_export_opts *o, FILE *out,
    struct sr_err *err)
{
	struct export_col cols[SR_FIELD__COUNT];
	struct sr_buf sql;
	int ncol = 0;
	int64_t n;

	sr_buf_init(&sql);
	sr_buf_adds(&sql, "SELECT ");
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (f->export == NULL || f->sql == NULL)
			continue;
		if (ncol > 0)
			sr_buf_adds(&sql, ", ");
		sr_buf_adds(&sql, f->sql);
		cols[ncol].name = f->export;
		cols[ncol].kind = export_field_kind(f);
		ncol++;
	}
	sr_buf_adds(&sql,
	    " FROM events WHERE ts >= ?1 AND ts < ?2 ORDER BY ts, id");
	n = export_table(st, sql.data, cols, ncol, o, out, err);
	sr_buf_release(&sql);
	return n;
}

static const struct export_col insight_cols[] = {
	{ "id", K_TEXT },
	{ "rule", K_TEXT },
	{ "subject", K_TEXT },
	{ "category", K_TEXT },
	{ "severity", K_TEXT },
	{ "confidence", K_REAL },
	{ "title", K_TEXT },
	{ "description", K_TEXT },
	{ "recommendation", K_TEXT },
	{ "state", K_TEXT },
	{ "first_seen", K_TIME },
	{ "last_seen", K_TIME },
	{ "data", K_JSON },
};

static const struct export_col metric_cols[] = {
	{ "name", K_TEXT },
	{ "ts", K_TIME },
	{ "min", K_REAL },
	{ "avg", K_REAL },
	{ "max", K_REAL },
	{ "n", K_INT },
};

/* Metric names, collected before any series is read. */
struct export_names {
	char **v;
	size_t n, cap;
};

static void
export_name_cb(void *ctx, const char *name)
{
	struct export_names *nm = ctx;

	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 16;
		nm->v = sr_xrealloc(nm->v, nm->cap * sizeof *nm->v);
	}
	nm->v[nm->n++] = sr_xstrdup(name);
}

struct export_series_ctx {
	struct export_writer *w;
	const char *name;
};

static void
export_point_cb(void *ctx, const struct sr_series_point *pt)
{
	struct export_series_ctx *c = ctx;
	struct export_cell cell[6];

	memset(cell, 0, sizeof cell);
	cell[0].s = c->name;
	cell[1].i = pt->ts_ms;
	cell[2].d = pt->min;
	cell[3].d = pt->avg;
	cell[4].d = pt->max;
	cell[5].i = pt->n;
	if (pt->n <= 0)
		return; /* an empty bucket is not a row */
	export_row(c->w, cell);
}

/* The time span of stored samples, to bound an open-ended range. */
static int
export_sample_span(sqlite3 *db, int64_t *lo, int64_t *hi, struct sr_err *err)
{
	static const char sql[] =
	    "SELECT MIN(a), MAX(b) FROM ("
	    "SELECT MIN(ts) AS a, MAX(ts) AS b FROM samples"
	    " UNION ALL SELECT MIN(ts), MAX(ts) FROM samples_1m"
	    " UNION ALL SELECT MIN(ts), MAX(ts) FROM samples_1h)";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sr_err_set(err, "cannot query the store: %s",
		    sqlite3_errmsg(db));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*lo = sqlite3_column_type(s, 0) == SQLITE_NULL
		    ? 0
		    : sqlite3_column_int64(s, 0);
		*hi = sqlite3_column_type(s, 1) == SQLITE_NULL
		    ? 0
		    : sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return sr_err_set(err, "cannot read the store: %s",
		    sqlite3_errmsg(db));
	return 0;
}

static int64_t
export_metrics(struct sr_store *st, const struct sr_export_opts *o, FILE *out,
    struct sr_err *err)
{
	struct export_names nm = { 0 };
	struct export_writer w;
	int64_t from = o->from_ms, to = o->to_ms, lo = 0, hi = 0;
	int64_t step = o->step_ms > 0 ? o->step_ms : 60000, rc;
	int failed = 0;

	if (sr_store_metric_names(st, o->name_glob ? o->name_glob : "*",
		export_name_cb, &nm, err) < 0)
		return -1;
	if (from == INT64_MIN || to == INT64_MAX) {
		if (export_sample_span(sr_store_db(st), &lo, &hi, err) < 0)
			failed = 1;
		if (from == INT64_MIN)
			from = sr_floor_div(lo, step) * step;
		if (to == INT64_MAX)
			to = hi + 1;
	}
	export_begin(&w, out, o->format, metric_cols, 6);
	for (size_t i = 0; i < nm.n && !failed && !w.failed; i++) {
		struct export_series_ctx c = { &w, nm.v[i] };

		if (from < to &&
		    sr_store_series(st, nm.v[i], from, to - 1, step,
			export_point_cb, &c, err) < 0)
			failed = 1;
	}
	for (size_t i = 0; i < nm.n; i++)
		free(nm.v[i]);
	free(nm.v);
	if (failed) {
		(void)export_end(&w, NULL);
		return -1;
	}
	rc = export_end(&w, err);
	return rc;
}

int64_t
sr_export_run(struct sr_store *st, const struct sr_export_opts *o, FILE *out,
    struct sr_err *err)
{
	switch (o->what) {
	case SR_EXPORT_EVENTS:
		return export_events(st, o, out, err);
	case SR_EXPORT_INSIGHTS:
		return export_table(st,
		    "SELECT id, rule, subject, category, severity, confidence,"
		    " title, description, recommendation, state, first_seen,"
		    " last_seen, data FROM insights"
		    " WHERE COALESCE(last_seen, first_seen, 0) >= ?1"
		    " AND COALESCE(first_seen, 0) < ?2"
		    " ORDER BY first_seen, id",
		    insight_cols,
		    (int)(sizeof insight_cols / sizeof *insight_cols), o, out,
		    err);
	case SR_EXPORT_METRICS:
		return export_metrics(st, o, out, err);
	}
	return sr_err_set(err, "unknown export kind");
}
