/* SPDX-License-Identifier: MIT */
/*
 * export: see export.h.  One row writer serves the three kinds: a row is a
 * list of typed cells (text, integer, real, time, JSON), rendered as CSV,
 * a JSON array element or a JSON line into a buffer that is flushed to the
 * FILE whenever it passes EXPORT_FLUSH bytes.  Rows come decoded from the
 * store's read API, one callback each.
 */
#include "core/export.h"

#include <cjson/cJSON.h>
#include <math.h>
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

/* Events: one column per field with an export header, in table order. */
struct export_events_ctx {
	struct export_writer w;
	struct export_col cols[SR_FIELD__COUNT];
	const struct sr_field *fields[SR_FIELD__COUNT];
	int ncol;
};

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

/* Writes stored events, one row each. */
static int
export_event_cb(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct export_events_ctx *x = ctx;
	struct export_cell c[SR_FIELD__COUNT];

	(void)id;
	memset(c, 0, sizeof c);
	for (int i = 0; i < x->ncol; i++) {
		const struct sr_field *f = x->fields[i];

		switch (x->cols[i].kind) {
		case K_TEXT:
		case K_JSON:
			c[i].s = sr_field_text(f, ev);
			c[i].null = c[i].s == NULL;
			break;
		case K_INT:
		case K_TIME:
			c[i].null = !sr_field_int(f, ev, &c[i].i);
			break;
		case K_REAL:
			c[i].null = !sr_field_num(f, ev, &c[i].d);
			break;
		}
	}
	export_row(&x->w, c);
	return x->w.failed ? 1 : 0;
}

static int
export_insight_cb(void *ctx, const struct sr_store_insight *in)
{
	struct export_writer *w = ctx;
	const char *txt[13] = { in->id, in->rule, in->subject, in->category,
		in->severity, NULL, in->title, in->description,
		in->recommendation, in->state, NULL, NULL, in->data_json };
	struct export_cell c[13];

	memset(c, 0, sizeof c);
	for (int i = 0; i < 13; i++) {
		c[i].s = txt[i];
		c[i].null = txt[i] == NULL;
	}
	c[5].d = in->confidence;
	c[5].null = !(in->has & SR_STORE_INS_CONFIDENCE);
	c[10].i = in->first_seen_ms;
	c[10].null = !(in->has & SR_STORE_INS_FIRST_SEEN);
	c[11].i = in->last_seen_ms;
	c[11].null = !(in->has & SR_STORE_INS_LAST_SEEN);
	export_row(w, c);
	return w->failed ? 1 : 0;
}

static int64_t
export_events(struct sr_store *st, const struct sr_export_opts *o, FILE *out,
    struct sr_err *err)
{
	struct export_events_ctx x;
	struct sr_store_evq q;

	x.ncol = 0;
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (f->export == NULL)
			continue;
		x.fields[x.ncol] = f;
		x.cols[x.ncol].name = f->export;
		x.cols[x.ncol].kind = export_field_kind(f);
		x.ncol++;
	}
	sr_store_evq_init(&q);
	q.from_ms = o->from_ms;
	q.to_ms = o->to_ms;
	q.query = o->query;
	q.order = SR_STORE_BY_TS;
	export_begin(&x.w, out, o->format, x.cols, x.ncol);
	if (sr_store_events(st, &q, export_event_cb, &x, err) < 0) {
		(void)export_end(&x.w, NULL);
		return -1;
	}
	return export_end(&x.w, err);
}

static int64_t
export_insights(struct sr_store *st, const struct sr_export_opts *o, FILE *out,
    struct sr_err *err)
{
	struct export_writer w;

	export_begin(&w, out, o->format, insight_cols,
	    (int)(sizeof insight_cols / sizeof *insight_cols));
	if (sr_store_insights_range(st, o->from_ms, o->to_ms, export_insight_cb,
		&w, err) < 0) {
		(void)export_end(&w, NULL);
		return -1;
	}
	return export_end(&w, err);
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
		if (sr_store_sample_span(st, &lo, &hi, err) < 0)
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
		return export_insights(st, o, out, err);
	case SR_EXPORT_METRICS:
		return export_metrics(st, o, out, err);
	}
	return sr_err_set(err, "unknown export kind");
}
