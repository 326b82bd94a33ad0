/* SPDX-License-Identifier: MIT */
/*
 * store_query: the store's read API (see store.h).  Events are read by
 * one statement builder and decoded by one row decoder (store_ev_row());
 * a parsed query (core/query.h) is compiled here into an SQL condition,
 * so SQL about the events table stays in the store.  Also: metric
 * series, insights, and the rollup rows an insight replay reads.
 */
#include "core/store.h"

#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/store_int.h"

/* --- compiling a query --- */

/* The events table column of a query term's field. */
static const char *
store_qcolumn(int field)
{
	return field >= 0 && field < SR_FIELD__COUNT ? sr_fields[field].sql
						     : NULL;
}

/* sr_event_is_error() over a row (flags as sr_store_add_event sets). */
#define STORE_SQL_IS_ERROR \
	"((coalesce(flags, 0) & 1) <> 0 OR (status >= 500 AND status <= 599))"
_Static_assert(SR_STORE_EV_ERROR == 1, "STORE_SQL_IS_ERROR tests bit 1");

static void
store_qbind_text(struct sr_store_bind *b, int *nb, const char *s)
{
	b[*nb].is_text = 1;
	b[*nb].text = s;
	b[*nb].num = 0;
	(*nb)++;
}

static void
store_qbind_num(struct sr_store_bind *b, int *nb, double v)
{
	b[*nb].is_text = 0;
	b[*nb].text = NULL;
	b[*nb].num = v;
	(*nb)++;
}

/* One term's condition appended to w (after " AND "); 0 when left to C. */
static int
store_qterm(const struct sr_query_term *t, struct sr_buf *w,
    struct sr_store_bind *b, int *nb)
{
	static const char *const cmp[] = { [SR_QOP_GE] = ">=",
		[SR_QOP_GT] = ">",
		[SR_QOP_LE] = "<=",
		[SR_QOP_LT] = "<" };
	/* the template through the store's own SQL sr_template() */
	const char *c = t->field == SR_QUERY_TEMPLATE ? "sr_template(message)"
						      : store_qcolumn(t->field);
	int glob;

	if (t->op == SR_QOP_IS_ERROR) {
		sr_buf_adds(w, " AND " STORE_SQL_IS_ERROR);
		return 1;
	}
	if (t->op == SR_QOP_STATUS_SET && t->n_codes == 0 && !t->error &&
	    (t->classes & (t->classes - 1)) == 0) {
		/* one class, status=5xx: a plain range */
		for (int k = 0; k <= 9; k++)
			if (t->classes & (1u << k)) {
				sr_buf_adds(w,
				    " AND status >= ? AND status < ?");
				store_qbind_num(b, nb, k * 100);
				store_qbind_num(b, nb, k * 100 + 100);
			}
		return 1;
	}
	if (t->op == SR_QOP_STATUS_SET) {
		sr_buf_adds(w, " AND (0");
		for (int k = 0; k <= 9; k++)
			if (t->classes & (1u << k)) {
				sr_buf_adds(w,
				    " OR (status >= ? AND status < ?)");
				store_qbind_num(b, nb, k * 100);
				store_qbind_num(b, nb, k * 100 + 100);
			}
		for (int i = 0; i < t->n_codes; i++) {
			sr_buf_adds(w, " OR status = ?");
			store_qbind_num(b, nb, t->codes[i]);
		}
		if (t->error)
			sr_buf_adds(w, " OR " STORE_SQL_IS_ERROR);
		sr_buf_adds(w, ")");
		return 1;
	}
	if (t->field == SR_QUERY_TEXT) {
		sr_buf_adds(w, " AND (0");
		for (int f = 0; f < SR_FIELD__COUNT; f++) {
			if (sr_fields[f].type != SR_FIELD_TEXT)
				continue;
			sr_buf_addf(w, " OR instr(lower(%s), lower(?)) > 0",
			    store_qcolumn(f));
			store_qbind_text(b, nb, t->text);
		}
		sr_buf_adds(w, ")");
		return 1;
	}
	if (sr_query_field_numeric(t->field)) {
		switch (t->op) {
		case SR_QOP_NE:
			sr_buf_addf(w, " AND (%s IS NULL OR %s <> ?)", c, c);
			break;
		case SR_QOP_EQ:
		case SR_QOP_HAS:
			sr_buf_addf(w, " AND %s = ?", c);
			break;
		default:
			sr_buf_addf(w, " AND %s %s ?", c, cmp[t->op]);
			break;
		}
		store_qbind_num(b, nb, t->num);
		return 1;
	}
	glob = strpbrk(t->text, "*?") != NULL;
	switch (t->op) {
	case SR_QOP_EQ:
		if (glob && strchr(t->text, '\\') != NULL)
			return 0;
		if (glob)
			sr_buf_addf(w, " AND coalesce(%s, '') GLOB ?", c);
		else
			sr_buf_addf(w,
			    " AND lower(coalesce(%s, '')) = "
			    "lower(?)",
			    c);
		break;
	case SR_QOP_NE:
		if (glob)
			return 0;
		sr_buf_addf(w, " AND lower(coalesce(%s, '')) <> lower(?)", c);
		break;
	default:
		sr_buf_addf(w, " AND instr(lower(%s), lower(?)) > 0", c);
		break;
	}
	store_qbind_text(b, nb, t->text);
	return 1;
}

int
sr_store_query_sql(const struct sr_query *q, struct sr_buf *where,
    struct sr_store_bind *b, int *nb)
{
	int exact = 1;

	*nb = 0;
	sr_buf_adds(where, "1");
	if (q->from_ms != 0) {
		sr_buf_adds(where, " AND ts >= ?");
		store_qbind_num(b, nb, (double)q->from_ms);
	}
	if (q->to_ms != 0) {
		sr_buf_adds(where, " AND ts <= ?");
		store_qbind_num(b, nb, (double)q->to_ms);
	}
	for (int i = 0; i < q->n; i++)
		if (!store_qterm(&q->t[i], where, b, nb))
			exact = 0;
	return exact;
}

/* --- reading events --- */

void
sr_store_evq_init(struct sr_store_evq *q)
{
	memset(q, 0, sizeof(*q));
	q->from_ms = INT64_MIN;
	q->to_ms = INT64_MAX;
	q->order = SR_STORE_BY_ID;
}

static const char *
store_col_text(sqlite3_stmt *s, int c)
{
	return (const char *)sqlite3_column_text(s, c);
}

/* Set an INT or TIME field of e from column c (not NULL). */
static void
store_col_int(sqlite3_stmt *s, int c, const struct sr_field *f,
    struct sr_event *e)
{
	void *p = (char *)e + f->off;

	if (f->size == sizeof(int64_t))
		*(int64_t *)p = sqlite3_column_int64(s, c);
	else
		*(int *)p = sqlite3_column_int(s, c);
}

/*
 * The one decoder of an events row (st->ev_cols: id, then a column per
 * field with an sql name, in field order); strings borrowed.
 */
static int64_t
store_ev_row(sqlite3_stmt *s, struct sr_event *e)
{
	int c = 1;

	sr_event_clear(e);
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (f->sql == NULL)
			continue;
		switch (f->type) {
		case SR_FIELD_TEXT:
		case SR_FIELD_JSON:
			*sr_field_text_at(f, e) = store_col_text(s, c);
			break;
		case SR_FIELD_TIME:
			store_col_int(s, c, f, e);
			break;
		case SR_FIELD_INT:
			if (sqlite3_column_type(s, c) != SQLITE_NULL) {
				store_col_int(s, c, f, e);
				e->has |= f->has;
			}
			break;
		case SR_FIELD_REAL:
			if (sqlite3_column_type(s, c) != SQLITE_NULL) {
				*(double *)(void *)((char *)e + f->off) =
				    sqlite3_column_double(s, c);
				e->has |= f->has;
			}
			break;
		case SR_FIELD_FLAG: /* the error: the flags column's bit */
			if (sqlite3_column_int(s, c) & SR_STORE_EV_ERROR)
				e->has |= f->has;
			break;
		}
		c++;
	}
	return sqlite3_column_int64(s, 0);
}

/* An int64 parameter of the statement being built. */
struct store_i64s {
	int64_t v[12];
	int n;
};

static void
store_cond_i64(struct sr_buf *sql, struct store_i64s *p, const char *cond,
    int64_t v)
{
	sr_buf_adds(sql, cond);
	p->v[p->n++] = v;
}

/*
 * Prepare "SELECT what FROM events WHERE <q> ..." with every bound of q
 * (order and limit when with_order), binding all values.  *exact says
 * whether the SQL selects exactly what sr_query_match() accepts; LIMIT
 * is only added when it does.  min_id: a lower id bound too (0: none).
 */
static int
store_ev_prepare(struct sr_store *st, const struct sr_store_evq *q,
    const char *what, enum sr_store_order order, int with_order, int64_t min_id,
    const char *tail, sqlite3_stmt **s, int *exact, struct sr_err *err)
{
	struct sr_store_bind b[SR_STORE_BINDS_MAX];
	struct store_i64s p = { .n = 0 };
	struct sr_buf sql;
	int nb = 0, brc = SQLITE_OK, k = 1, desc;

	sr_buf_init(&sql);
	sr_buf_addf(&sql, "SELECT %s FROM events WHERE ", what);
	*exact = 1;
	if (q->query != NULL)
		*exact = sr_store_query_sql(q->query, &sql, b, &nb);
	else
		sr_buf_adds(&sql, "1");
	if (q->from_ms != INT64_MIN)
		store_cond_i64(&sql, &p, " AND ts >= ?", q->from_ms);
	if (q->to_ms != INT64_MAX)
		store_cond_i64(&sql, &p, " AND ts < ?", q->to_ms);
	if (q->after_id != 0)
		store_cond_i64(&sql, &p, " AND id > ?", q->after_id);
	if (q->before_id != 0)
		store_cond_i64(&sql, &p, " AND id < ?", q->before_id);
	if (min_id != 0)
		store_cond_i64(&sql, &p, " AND id >= ?", min_id);
	desc = order == SR_STORE_BY_TS_DESC;
	if (q->has_key) {
		store_cond_i64(&sql, &p,
		    order == SR_STORE_BY_TS ? " AND (ts > ?" : " AND (ts < ?",
		    q->key_ts);
		store_cond_i64(&sql, &p, " OR (ts = ?", q->key_ts);
		store_cond_i64(&sql, &p,
		    order == SR_STORE_BY_TS ? " AND id > ?))" : " AND id < ?))",
		    q->key_id);
	}
	if (q->service != NULL)
		sr_buf_adds(&sql, " AND service = ?");
	if (q->host != NULL)
		sr_buf_adds(&sql, " AND host = ?");
	if (tail != NULL)
		sr_buf_adds(&sql, tail);
	if (with_order) {
		sr_buf_adds(&sql,
		    order == SR_STORE_BY_TS ? " ORDER BY ts, id"
			: desc		    ? " ORDER BY ts DESC, id DESC"
			: order == SR_STORE_NEWEST ? " ORDER BY id DESC"
						   : " ORDER BY id");
		if (*exact && q->limit > 0)
			sr_buf_addf(&sql, " LIMIT %d", q->limit);
	}
	if (store_prepare(st, sql.data, s, err, "cannot query events") < 0) {
		sr_buf_release(&sql);
		return -1;
	}
	sr_buf_release(&sql);
	for (int i = 0; i < nb; i++, k++)
		if (b[i].is_text)
			store_bind_str(*s, k, b[i].text, &brc);
		else
			store_bind_dbl(*s, k, b[i].num, &brc);
	for (int i = 0; i < p.n; i++, k++)
		store_bind_i64(*s, k, p.v[i], &brc);
	if (q->service != NULL)
		store_bind_str(*s, k++, q->service, &brc);
	if (q->host != NULL)
		store_bind_str(*s, k++, q->host, &brc);
	if (store_bound(st, *s, brc, err, "cannot query events") < 0) {
		sqlite3_finalize(*s);
		*s = NULL;
		return -1;
	}
	return 0;
}

/* Step s, matching in C when not exact; up to limit rows to fn. */
static int64_t
store_ev_stream(struct sr_store *st, const struct sr_store_evq *q,
    enum sr_store_order order, int64_t min_id, sr_store_event_fn *fn, void *ctx,
    struct sr_err *err)
{
	sqlite3_stmt *s;
	int64_t n = 0;
	int exact, rc = SQLITE_DONE, stop = 0;

	if (store_ev_prepare(st, q, st->ev_cols, order, 1, min_id, NULL, &s,
		&exact, err) < 0)
		return -1;
	while ((q->limit <= 0 || n < q->limit) &&
	    (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sr_event ev;
		int64_t id = store_ev_row(s, &ev);

		if (!exact && !sr_query_match(q->query, &ev))
			continue;
		n++;
		if ((stop = fn(ctx, id, &ev)) != 0)
			break;
	}
	if (stop == 0 && (q->limit <= 0 || n < q->limit) &&
	    store_step_done(st, rc, err, "cannot read events") < 0)
		n = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : n;
}

/* Keeps the smallest id seen (NEWEST's first pass). */
static int
store_ev_low(void *ctx, int64_t id, const struct sr_event *ev)
{
	int64_t *low = ctx;

	(void)ev;
	*low = id;
	return 0;
}

int64_t
sr_store_events(struct sr_store *st, const struct sr_store_evq *q,
    sr_store_event_fn *fn, void *ctx, struct sr_err *err)
{
	int64_t low = 0, n;

	if (q->order != SR_STORE_NEWEST || q->limit <= 0)
		return store_ev_stream(st, q,
		    q->order == SR_STORE_NEWEST ? SR_STORE_BY_ID : q->order, 0,
		    fn, ctx, err);
	/* newest first to find where the newest `limit` start, then up */
	n = store_ev_stream(st, q, SR_STORE_NEWEST, 0, store_ev_low, &low, err);
	if (n <= 0)
		return n;
	return store_ev_stream(st, q, SR_STORE_BY_ID, low, fn, ctx, err);
}

static int
store_ev_count_cb(void *ctx, int64_t id, const struct sr_event *ev)
{
	(void)ctx;
	(void)id;
	(void)ev;
	return 0;
}

int
sr_store_count_events(struct sr_store *st, const struct sr_store_evq *q,
    int64_t *n, struct sr_err *err)
{
	struct sr_store_evq all = *q;
	sqlite3_stmt *s;
	int exact, rc;

	*n = 0;
	all.limit = 0;
	if (store_ev_prepare(st, &all, "count(*)", all.order, 0, 0, NULL, &s,
		&exact, err) < 0)
		return -1;
	if (!exact) {
		sqlite3_finalize(s);
		*n = store_ev_stream(st, &all, SR_STORE_BY_ID, 0,
		    store_ev_count_cb, NULL, err);
		return *n < 0 ? -1 : 0;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW
	    ? 0
	    : store_step_done(st, rc, err, "cannot count events");
}

/* Groups counted in C, for a query SQL cannot say exactly. */
struct store_groups {
	int field;
	struct store_group {
		char *value;
		int64_t n, errors;
	} * g;
	size_t n, cap;
};

static int
store_group_add(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct store_groups *gs = ctx;
	const char *v = sr_field_text(&sr_fields[gs->field], ev);
	size_t i;

	(void)id;
	v = v != NULL ? v : "";
	for (i = 0; i < gs->n && strcmp(gs->g[i].value, v) != 0; i++)
		;
	if (i == gs->n) {
		if (gs->n == gs->cap) {
			gs->cap = gs->cap ? gs->cap * 2 : 16;
			gs->g = sr_xrealloc(gs->g, gs->cap * sizeof(*gs->g));
		}
		gs->g[gs->n++] = (struct store_group){ sr_xstrdup(v), 0, 0 };
	}
	gs->g[i].n++;
	gs->g[i].errors += sr_event_is_error(ev);
	return 0;
}

static int
store_group_cmp(const void *a, const void *b)
{
	const struct store_group *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->value, y->value);
}

int
sr_store_count_by(struct sr_store *st, const struct sr_store_evq *q, int field,
    sr_store_group_fn *fn, void *ctx, struct sr_err *err)
{
	struct sr_store_evq all = *q;
	struct store_groups gs = { .field = field };
	const char *col = store_qcolumn(field);
	sqlite3_stmt *s;
	char *what;
	int exact, rc = SQLITE_DONE, stop = 0;

	if (col == NULL || sr_fields[field].type != SR_FIELD_TEXT)
		return sr_err_set(err, "cannot count events by field %d",
		    field);
	all.limit = 0;
	what = sr_xasprintf("coalesce(%s, ''), count(*), "
			    "sum(" STORE_SQL_IS_ERROR ")",
	    col);
	rc = store_ev_prepare(st, &all, what, all.order, 0, 0,
	    " GROUP BY 1 ORDER BY 2 DESC, 1", &s, &exact, err);
	free(what);
	if (rc < 0)
		return -1;
	if (!exact) {
		sqlite3_finalize(s);
		if (store_ev_stream(st, &all, SR_STORE_BY_ID, 0,
			store_group_add, &gs, err) < 0)
			stop = -1;
		if (gs.n > 0)
			qsort(gs.g, gs.n, sizeof(*gs.g), store_group_cmp);
		for (size_t i = 0; i < gs.n; i++) {
			if (stop == 0)
				stop = fn(ctx, gs.g[i].value, gs.g[i].n,
				    gs.g[i].errors);
			free(gs.g[i].value);
		}
		free(gs.g);
		return stop < 0 ? -1 : 0;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);

		if ((stop = fn(ctx, v ? v : "", sqlite3_column_int64(s, 1),
			 sqlite3_column_int64(s, 2))) != 0)
			break;
	}
	if (stop == 0 &&
	    store_step_done(st, rc, err, "cannot count events") < 0)
		stop = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : 0;
}

/* One int64 from a statement without parameters (NULL reads as 0). */
static int
store_one_i64(struct sr_store *st, const char *sql, int64_t *v,
    struct sr_err *err, const char *what)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if (store_prepare(st, sql, &s, err, what) < 0)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_step_done(st, rc, err, what);
}

int
sr_store_max_event_id(struct sr_store *st, int64_t *id, struct sr_err *err)
{
	return store_one_i64(st, "SELECT coalesce(max(id), 0) FROM events", id,
	    err, "cannot read events");
}

int
sr_store_event_span(struct sr_store *st, int64_t after_id, int64_t to_id,
    int64_t max, int64_t *n, int64_t *last, struct sr_err *err)
{
	static const char sql[] =
	    "SELECT count(*), coalesce(max(id), ?1) FROM (SELECT id FROM events"
	    " WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3)";
	const char *what = "cannot read events";
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	*last = after_id;
	if (max <= 0 || to_id <= after_id)
		return 0;
	if (store_prepare(st, sql, &s, err, what) < 0)
		return -1;
	rc = sqlite3_bind_int64(s, 1, after_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, to_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, max);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		*last = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_step_done(st, rc, err, what);
}

/* --- samples --- */

/* --- reading --- */

/* Bucketed series from one table; *rows set to the points delivered. */
static int
store_series_from(struct sr_store *st, int res, const char *name,
    int64_t from_ms, int64_t to_ms, int64_t step_ms,
    void (*fn)(void *, const struct sr_series_point *), void *ctx, int *rows,
    struct sr_err *err)
{
	static const char *const sql[3] = {
		"SELECT ts / ?1 * ?1 AS b, min(value), avg(value), max(value),"
		" count(*) FROM samples WHERE name = ?2 AND ts >= ?3"
		" AND ts <= ?4 GROUP BY b ORDER BY b",
		"SELECT ts / ?1 * ?1 AS b, min(min), sum(avg * n) / sum(n),"
		" max(max), sum(n) FROM samples_1m WHERE name = ?2"
		" AND ts >= ?3 AND ts <= ?4 GROUP BY b ORDER BY b",
		"SELECT ts / ?1 * ?1 AS b, min(min), sum(avg * n) / sum(n),"
		" max(max), sum(n) FROM samples_1h WHERE name = ?2"
		" AND ts >= ?3 AND ts <= ?4 GROUP BY b ORDER BY b",
	};
	static const int64_t width[3] = { 1, STORE_MINUTE_MS, STORE_HOUR_MS };
	sqlite3_stmt *s;
	int rc, brc = SQLITE_OK;

	*rows = 0;
	if (store_prepare(st, sql[res], &s, err, "cannot query series") < 0)
		return -1;
	store_bind_i64(s, 1, step_ms, &brc);
	store_bind_str(s, 2, name, &brc);
	/* a rollup bucket that starts before from still overlaps it */
	store_bind_i64(s, 3, store_floor(from_ms, width[res]), &brc);
	store_bind_i64(s, 4, to_ms, &brc);
	if (store_bound(st, s, brc, err, "cannot query series") < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sr_series_point pt = {
			.ts_ms = sqlite3_column_int64(s, 0),
			.min = sqlite3_column_double(s, 1),
			.avg = sqlite3_column_double(s, 2),
			.max = sqlite3_column_double(s, 3),
			.n = sqlite3_column_int64(s, 4),
		};

		fn(ctx, &pt);
		(*rows)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sr_err_set(err,
		    "database '%s': cannot query series: "
		    "%s",
		    st->path, sqlite3_errstr(rc));
	return 0;
}

int
sr_store_series(struct sr_store *st, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms,
    void (*fn)(void *ctx, const struct sr_series_point *pt), void *ctx,
    struct sr_err *err)
{
	int res, rows;

	if (step_ms <= 0)
		return sr_err_set(err, "series step must be positive");
	res = step_ms < STORE_MINUTE_MS ? 0 : step_ms < STORE_HOUR_MS ? 1 : 2;
	/* Fall back to finer data when the chosen table has none in range. */
	for (; res >= 0; res--) {
		if (store_series_from(st, res, name, from_ms, to_ms, step_ms,
			fn, ctx, &rows, err) < 0)
			return -1;
		if (rows > 0)
			break;
	}
	return 0;
}

int
sr_store_metric_names(struct sr_store *st, const char *glob,
    void (*fn)(void *ctx, const char *name), void *ctx, struct sr_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
		"SELECT name FROM samples_1m UNION"
		" SELECT name FROM samples ORDER BY 1",
		-1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "cannot list metrics");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name && (glob == NULL || sr_glob(glob, name)))
			fn(ctx, name);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sr_err_set(err, "database '%s': cannot list metrics: %s",
		    st->path, sqlite3_errstr(rc));
	return 0;
}

int
sr_store_sample_span(struct sr_store *st, int64_t *lo, int64_t *hi,
    struct sr_err *err)
{
	static const char sql[] =
	    "SELECT MIN(a), MAX(b) FROM ("
	    "SELECT MIN(ts) AS a, MAX(ts) AS b FROM samples"
	    " UNION ALL SELECT MIN(ts), MAX(ts) FROM samples_1m"
	    " UNION ALL SELECT MIN(ts), MAX(ts) FROM samples_1h)";
	sqlite3_stmt *s;
	int rc;

	*lo = *hi = 0;
	if (store_prepare(st, sql, &s, err, "cannot query samples") < 0)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*lo = sqlite3_column_int64(s, 0); /* NULL reads as 0 */
		*hi = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW
	    ? 0
	    : store_step_done(st, rc, err, "cannot read samples");
}

/* --- insights --- */

#define STORE_INS_COLS                                              \
	"id, rule, subject, category, severity, confidence, title," \
	" description, recommendation, state, first_seen, last_seen, data"

static void
store_ins_row(sqlite3_stmt *s, struct sr_store_insight *in)
{
	memset(in, 0, sizeof(*in));
	in->id = store_col_text(s, 0);
	in->rule = store_col_text(s, 1);
	in->subject = store_col_text(s, 2);
	in->category = store_col_text(s, 3);
	in->severity = store_col_text(s, 4);
	if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
		in->confidence = sqlite3_column_double(s, 5);
		in->has |= SR_STORE_INS_CONFIDENCE;
	}
	in->title = store_col_text(s, 6);
	in->description = store_col_text(s, 7);
	in->recommendation = store_col_text(s, 8);
	in->state = store_col_text(s, 9);
	if (sqlite3_column_type(s, 10) != SQLITE_NULL) {
		in->first_seen_ms = sqlite3_column_int64(s, 10);
		in->has |= SR_STORE_INS_FIRST_SEEN;
	}
	if (sqlite3_column_type(s, 11) != SQLITE_NULL) {
		in->last_seen_ms = sqlite3_column_int64(s, 11);
		in->has |= SR_STORE_INS_LAST_SEEN;
	}
	in->data_json = store_col_text(s, 12);
}

/* Prepare sql, bind a and b (as ?1, ?2) and deliver every insight row. */
static int64_t
store_ins_read(struct sr_store *st, const char *sql, int nbind, int64_t a,
    int64_t b, sr_store_insight_fn *fn, void *ctx, struct sr_err *err)
{
	sqlite3_stmt *s;
	int64_t n = 0;
	int rc = SQLITE_DONE, brc = SQLITE_OK, stop = 0;

	if (store_prepare(st, sql, &s, err, "cannot read insights") < 0)
		return -1;
	store_bind_i64(s, 1, a, &brc);
	if (nbind > 1)
		store_bind_i64(s, 2, b, &brc);
	if (store_bound(st, s, brc, err, "cannot read insights") < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sr_store_insight in;

		store_ins_row(s, &in);
		n++;
		if ((stop = fn(ctx, &in)) != 0)
			break;
	}
	if (stop == 0 &&
	    store_step_done(st, rc, err, "cannot read insights") < 0)
		n = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : n;
}

int
sr_store_insights_open(struct sr_store *st, int64_t since_ms,
    sr_store_insight_fn *fn, void *ctx, struct sr_err *err)
{
	return store_ins_read(st,
		   "SELECT " STORE_INS_COLS " FROM insights"
		   " WHERE state != 'resolved' OR last_seen >= ?1",
		   1, since_ms, 0, fn, ctx, err) < 0
	    ? -1
	    : 0;
}

int64_t
sr_store_insights_range(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    sr_store_insight_fn *fn, void *ctx, struct sr_err *err)
{
	return store_ins_read(st,
	    "SELECT " STORE_INS_COLS " FROM insights"
	    " WHERE COALESCE(last_seen, first_seen, 0) >= ?1"
	    " AND COALESCE(first_seen, 0) < ?2 ORDER BY first_seen, id",
	    2, from_ms, to_ms, fn, ctx, err);
}

/* --- rollups --- */

static const char *
store_col_str(sqlite3_stmt *s, int c)
{
	const char *t = store_col_text(s, c);

	return t ? t : "";
}

/* Columns: minute, service, endpoint, model, host, then the numbers. */
#define STORE_MIN_COLS                                                  \
	"minute, service, endpoint, model, host, requests, status_4xx," \
	" status_5xx, lat_n, lat_sum, lat_max, lat_sketch, tokens_in,"  \
	" tokens_out, gen_ms, ttft_sketch"

static void
store_min_row(sqlite3_stmt *s, struct sr_store_minute *m)
{
	int n;

	memset(m, 0, sizeof(*m));
	m->minute_ms = sqlite3_column_int64(s, 0);
	m->service = store_col_str(s, 1);
	m->endpoint = store_col_str(s, 2);
	m->model = store_col_str(s, 3);
	m->host = store_col_str(s, 4);
	m->requests = sqlite3_column_int64(s, 5);
	m->status_4xx = sqlite3_column_int64(s, 6);
	m->status_5xx = sqlite3_column_int64(s, 7);
	m->lat_n = sqlite3_column_int64(s, 8);
	m->lat_sum = sqlite3_column_double(s, 9);
	m->lat_max = sqlite3_column_type(s, 10) == SQLITE_NULL
	    ? NAN
	    : sqlite3_column_double(s, 10);
	m->lat_sketch = sqlite3_column_blob(s, 11);
	n = sqlite3_column_bytes(s, 11);
	m->lat_sketch_len = n > 0 ? (size_t)n : 0;
	m->tokens_in = sqlite3_column_int64(s, 12);
	m->tokens_out = sqlite3_column_int64(s, 13);
	m->gen_ms = sqlite3_column_double(s, 14);
	m->ttft_sketch = sqlite3_column_blob(s, 15);
	n = sqlite3_column_bytes(s, 15);
	m->ttft_sketch_len = n > 0 ? (size_t)n : 0;
}

int
sr_store_minutes(struct sr_store *st, struct sr_store_span sp,
    const char *service, const char *host, sr_store_minute_fn *fn, void *ctx,
    struct sr_err *err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, brc = SQLITE_OK, stop = 0;

	if (sp.lo >= sp.hi)
		return 0;
	if (store_prepare(st,
		"SELECT " STORE_MIN_COLS " FROM ev_minute"
		" WHERE minute >= ?1 AND minute < ?2"
		" AND (?3 IS NULL OR service = ?3)"
		" AND (?4 IS NULL OR host = ?4) ORDER BY minute",
		&s, err, "cannot read ev_minute") < 0)
		return -1;
	store_bind_i64(s, 1, sp.lo, &brc);
	store_bind_i64(s, 2, sp.hi, &brc);
	store_bind_str(s, 3, service, &brc);
	store_bind_str(s, 4, host, &brc);
	if (store_bound(st, s, brc, err, "cannot read ev_minute") < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sr_store_minute m;

		store_min_row(s, &m);
		if ((stop = fn(ctx, &m)) != 0)
			break;
	}
	if (stop == 0 &&
	    store_step_done(st, rc, err, "cannot read ev_minute") < 0)
		stop = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : 0;
}

int64_t
sr_store_newest_minute(struct sr_store *st)
{
	int64_t best = 0;
	struct sr_err e;

	/* 0 is "nothing stored", which a failed read also means here */
	if (store_one_i64(st,
		"SELECT max(m) FROM (SELECT max(minute) AS m FROM ev_minute"
		" UNION ALL SELECT max(ts) FROM samples_1m)",
		&best, &e, "cannot read rollups") < 0)
		return 0;
	return best;
}

int
sr_store_replay(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_replay_ops *ops, void *ctx, struct sr_err *err)
{
	static const char *const sql[3] = {
		"SELECT " STORE_MIN_COLS " FROM ev_minute"
		" WHERE minute >= ?1 AND minute < ?2 ORDER BY minute",
		"SELECT minute, service, message, n FROM error_minute"
		" WHERE minute >= ?1 AND minute < ?2 ORDER BY minute",
		"SELECT ts, name, avg FROM samples_1m"
		" WHERE ts >= ?1 AND ts < ?2 ORDER BY ts",
	};
	sqlite3_stmt *s[3] = { NULL, NULL, NULL };
	int rc[3], brc = SQLITE_OK, ret = -1;

	for (int i = 0; i < 3; i++) {
		if (store_prepare(st, sql[i], &s[i], err,
			"cannot read history") < 0)
			goto out;
		store_bind_i64(s[i], 1, from_ms, &brc);
		store_bind_i64(s[i], 2, to_ms, &brc);
		if (store_bound(st, s[i], brc, err, "cannot read history") < 0)
			goto out;
		rc[i] = sqlite3_step(s[i]);
	}
	for (int64_t m = from_ms; m < to_ms; m += STORE_MINUTE_MS) {
		while (
		    rc[0] == SQLITE_ROW && sqlite3_column_int64(s[0], 0) <= m) {
			struct sr_store_minute x;

			store_min_row(s[0], &x);
			if (ops->minute)
				ops->minute(ctx, &x);
			rc[0] = sqlite3_step(s[0]);
		}
		while (
		    rc[1] == SQLITE_ROW && sqlite3_column_int64(s[1], 0) <= m) {
			if (ops->error)
				ops->error(ctx, sqlite3_column_int64(s[1], 0),
				    store_col_str(s[1], 1),
				    store_col_str(s[1], 2),
				    sqlite3_column_int64(s[1], 3));
			rc[1] = sqlite3_step(s[1]);
		}
		while (
		    rc[2] == SQLITE_ROW && sqlite3_column_int64(s[2], 0) <= m) {
			if (ops->sample)
				ops->sample(ctx, sqlite3_column_int64(s[2], 0),
				    store_col_str(s[2], 1),
				    sqlite3_column_double(s[2], 2));
			rc[2] = sqlite3_step(s[2]);
		}
		if (ops->tick)
			ops->tick(ctx, m);
	}
	ret = 0;
	for (int i = 0; i < 3 && ret == 0; i++)
		if (rc[i] != SQLITE_ROW &&
		    store_step_done(st, rc[i], err, "cannot read history") < 0)
			ret = -1;
out:
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(s[i]);
	return ret;
}
