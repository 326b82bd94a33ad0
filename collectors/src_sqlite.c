/* SPDX-License-Identifier: MIT */
/*
 * src_sqlite: tail a table of another program's SQLite database by rowid.
 * The database is opened read-only (SQLITE_OPEN_READONLY) and read with
 * short queries (rowid > last ORDER BY rowid LIMIT SQLITE_ROWS), each one
 * reset at once so no read transaction is held between polls.  Every
 * `every` (default 1 s), sooner while rows keep coming.
 *
 * Columns map onto the event model: by default a column named like a
 * model field (event_id, event_type, timestamp, service, endpoint,
 * status_code, response_time_ms, user_id, session_id, metadata, message,
 * model, tokens_in, tokens_out, ttft_ms, host: the old analytics engine's
 * events table) is that field; options name other columns (ts=created_at,
 * status=code, latency=ms ...).  Each row becomes a JSON object read by the
 * JSON event parser, so rows and lines obey the same rules.
 *
 * Cursor: the last rowid handed out, as decimal text.
 */
#include "collectors/src_common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#define SQLITE_ROWS 1000 /* rows per query */
#define SQLITE_MAX_BACKOFF_MS 60000

enum {
	SQ_NUM = 1,
	SQ_META = 2
};

/* The model's fields, the option that renames each, and its kind. */
static const struct {
	const char *field, *opt;
	int kind;
} sq_fields[] = {
	{ "event_id", "id", 0 },
	{ "event_type", "type", 0 },
	{ "timestamp", "ts", 0 },
	{ "service", "service", 0 },
	{ "endpoint", "endpoint", 0 },
	{ "status_code", "status", SQ_NUM },
	{ "response_time_ms", "latency", SQ_NUM },
	{ "user_id", "user", 0 },
	{ "session_id", "session", 0 },
	{ "metadata", "metadata", SQ_META },
	{ "message", "message", 0 },
	{ "model", "model", 0 },
	{ "tokens_in", "tokens_in", SQ_NUM },
	{ "tokens_out", "tokens_out", SQ_NUM },
	{ "ttft_ms", "ttft", SQ_NUM },
	{ "host", "host", 0 },
};
#define SQ_NFIELDS (sizeof(sq_fields) / sizeof(sq_fields[0]))

static const char *const sq_keys[] = { "table", "from", "every", "id", "type",
	"ts", "service", "endpoint", "status", "latency", "user", "session",
	"metadata", "message", "model", "tokens_in", "tokens_out", "ttft",
	"host", NULL };

struct sq_src {
	struct src_common c;
	char *path, *table;
	char *col[SQ_NFIELDS]; /* NULL: by field name */
	int explicit_col[SQ_NFIELDS];
	int idx[SQ_NFIELDS]; /* result column, -1 */
	int from_start;
	int64_t every_ms;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int64_t last, sent;
	int started, have_sent;
	int64_t next_mono;
};

static void *
sq_open(const char *spec, struct sr_err *err)
{
	const char *p = spec + strlen("sqlite:"), *q = strchr(p, '?');
	size_t plen = q ? (size_t)(q - p) : strlen(p);
	struct src_opts o;
	const char *v;
	struct sq_src *s;
	int64_t every = 1000;
	size_t i;

	if (plen == 0) {
		sr_err_set(err, "missing database path (sqlite:PATH?table=T)");
		return NULL;
	}
	if (src_opts_parse(&o, q ? q + 1 : "", q ? strlen(q + 1) : 0, sq_keys,
		err) < 0)
		return NULL;
	if ((v = src_opts_get(&o, "table")) == NULL || v[0] == '\0') {
		src_opts_release(&o);
		sr_err_set(err, "missing table= (sqlite:PATH?table=T)");
		return NULL;
	}
	if ((v = src_opts_get(&o, "every")) != NULL &&
	    (sr_duration_parse(v, &every, NULL) < 0 || every <= 0)) {
		sr_err_set(err, "every: bad duration '%s'", v);
		src_opts_release(&o);
		return NULL;
	}
	v = src_opts_get(&o, "from");
	if (v != NULL && strcmp(v, "start") != 0 && strcmp(v, "end") != 0) {
		sr_err_set(err, "from must be start or end, not '%s'", v);
		src_opts_release(&o);
		return NULL;
	}
	s = sr_xcalloc(1, sizeof(*s));
	src_common_init(&s->c, spec, "sqlite", SR_FMT_JSON);
	s->from_start = v != NULL && strcmp(v, "start") == 0;
	s->every_ms = every;
	s->path = sr_xstrndup(p, plen);
	s->table = sr_xstrdup(src_opts_get(&o, "table"));
	for (i = 0; i < SQ_NFIELDS; i++) {
		v = src_opts_get(&o, sq_fields[i].opt);
		if (v == NULL)
			v = src_opts_get(&o, sq_fields[i].field);
		if (v != NULL) {
			s->col[i] = sr_xstrdup(v); /* "" = no column */
			s->explicit_col[i] = 1;
		}
	}
	src_opts_release(&o);
	return s;
}

static int
sq_set_cursor(void *self, const char *cursor, struct sr_err *err)
{
	struct sq_src *s = self;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(cursor, &end, 10);
	if (errno != 0 || end == cursor || *end != '\0' || v < 0)
		return sr_err_set(err, "cursor '%s' is not a rowid", cursor);
	s->last = s->sent = v;
	s->started = s->have_sent = 1;
	return 0;
}

static void
sq_disconnect(struct sq_src *s)
{
	sqlite3_finalize(s->stmt);
	s->stmt = NULL;
	(void)sqlite3_close(s->db); /* statements finalized: cannot fail */
	s->db = NULL;
}

/* SQL identifier in double quotes. */
static void
sq_ident(struct sr_buf *b, const char *name)
{
	sr_buf_addc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sr_buf_addc(b, '"');
		sr_buf_addc(b, *p);
	}
	sr_buf_addc(b, '"');
}

/* Does the table have column name (case-insensitive, as SQL)? */
static int
sq_has_col(char **cols, int ncols, const char *name)
{
	for (int i = 0; i < ncols; i++)
		if (sqlite3_stricmp(cols[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Open the database and prepare the tail query.  0, or -1 with state set
 * (retrying, or down for a mapping that names a missing column).
 */
static int
sq_connect(struct sq_src *s)
{
	struct sr_buf sql;
	sqlite3_stmt *ti = NULL;
	char *cols[256];
	int ncols = 0, rc, k = 1;
	size_t i;

	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		src_fail(&s->c, s->every_ms, SQLITE_MAX_BACKOFF_MS,
		    "cannot open database '%s': %s", s->path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sq_disconnect(s);
		return -1;
	}
	sr_buf_init(&sql);
	sr_buf_adds(&sql, "SELECT name FROM pragma_table_info(?1)");
	rc = sqlite3_prepare_v2(s->db, sql.data, -1, &ti, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(ti, 1, s->table, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(ti)) == SQLITE_ROW && ncols < 256)
			cols[ncols++] = sr_xstrdup(
			    (const char *)sqlite3_column_text(ti, 0));
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
	}
	sqlite3_finalize(ti);
	sr_buf_reset(&sql);
	if (rc != SQLITE_DONE) {
		src_fail(&s->c, s->every_ms, SQLITE_MAX_BACKOFF_MS,
		    "cannot read database '%s': %s", s->path,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	if (ncols == 0) {
		src_fail(&s->c, s->every_ms, SQLITE_MAX_BACKOFF_MS,
		    "no table '%s' in database '%s'", s->table, s->path);
		goto fail;
	}
	sr_buf_adds(&sql, "SELECT rowid");
	for (i = 0; i < SQ_NFIELDS; i++) {
		const char *name = s->col[i] ? s->col[i] : sq_fields[i].field;

		s->idx[i] = -1;
		if (name[0] == '\0')
			continue;
		if (!sq_has_col(cols, ncols, name)) {
			if (!s->explicit_col[i])
				continue;
			src_set_state(&s->c, SR_SRC_DOWN,
			    "no column '%s' in "
			    "table '%s' (for %s)",
			    name, s->table, sq_fields[i].field);
			goto fail;
		}
		sr_buf_adds(&sql, ", ");
		sq_ident(&sql, name);
		s->idx[i] = k++;
	}
	sr_buf_adds(&sql, " FROM ");
	sq_ident(&sql, s->table);
	sr_buf_addf(&sql, " WHERE rowid > ?1 ORDER BY rowid LIMIT %d",
	    SQLITE_ROWS);
	rc = sqlite3_prepare_v2(s->db, sql.data, -1, &s->stmt, NULL);
	if (rc != SQLITE_OK) {
		src_fail(&s->c, s->every_ms, SQLITE_MAX_BACKOFF_MS,
		    "cannot query table '%s' in '%s': %s", s->table, s->path,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	for (int j = 0; j < ncols; j++)
		free(cols[j]);
	sr_buf_release(&sql);
	return 0;
fail:
	for (int j = 0; j < ncols; j++)
		free(cols[j]);
	sr_buf_release(&sql);
	sq_disconnect(s);
	return -1;
}

/* A TEXT value of a numeric field, as a number when it is one. */
static cJSON *
sq_num_text(const char *t)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(t, &end);
	if (end != t && *end == '\0' && errno == 0)
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(t);
}

/* The current row as a JSON object of model fields, printed. */
static char *
sq_row_json(struct sq_src *s)
{
	cJSON *obj = cJSON_CreateObject();
	char *out;
	size_t i;

	for (i = 0; i < SQ_NFIELDS; i++) {
		int k = s->idx[i];
		cJSON *v = NULL;
		const char *t;

		if (k < 0)
			continue;
		switch (sqlite3_column_type(s->stmt, k)) {
		case SQLITE_INTEGER:
			v = cJSON_CreateNumber(
			    (double)sqlite3_column_int64(s->stmt, k));
			break;
		case SQLITE_FLOAT:
			v = cJSON_CreateNumber(
			    sqlite3_column_double(s->stmt, k));
			break;
		case SQLITE_TEXT:
			t = (const char *)sqlite3_column_text(s->stmt, k);
			if (sq_fields[i].kind == SQ_NUM) {
				v = sq_num_text(t);
			} else if (sq_fields[i].kind == SQ_META) {
				v = cJSON_Parse(t);
				if (v != NULL && !cJSON_IsObject(v)) {
					cJSON_Delete(v);
					v = NULL;
				}
				if (v == NULL && t[0] != '\0') {
					v = cJSON_CreateObject();
					cJSON_AddStringToObject(v, "value", t);
				}
			} else {
				v = cJSON_CreateString(t);
			}
			break;
		default: /* NULL and BLOB: not known */
			break;
		}
		if (v != NULL)
			cJSON_AddItemToObject(obj, sq_fields[i].field, v);
	}
	out = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (out == NULL)
		SR_BUG("sqlite source: cannot print a row");
	return out;
}

/* The table's last rowid now (to start at its end). */
static int
sq_max_rowid(struct sq_src *s, int64_t *out)
{
	struct sr_buf sql;
	sqlite3_stmt *st = NULL;
	int rc;

	sr_buf_init(&sql);
	sr_buf_adds(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
	sq_ident(&sql, s->table);
	rc = sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sr_buf_release(&sql);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
sq_read(void *self, const struct sr_sink *sink, int64_t now_ms,
    struct sr_err *err)
{
	struct sq_src *s = self;
	int n = 0, rows = 0, rc;
	int64_t now = sr_mono_ms();

	if (s->c.state == SR_SRC_DOWN || now < s->next_mono)
		return 0;
	if (s->db == NULL && sq_connect(s) < 0) {
		s->next_mono = s->c.next_attempt_mono;
		return 0;
	}
	if (!s->started) {
		if (!s->from_start && sq_max_rowid(s, &s->last) < 0) {
			s->next_mono =
			    src_fail(&s->c, s->every_ms, SQLITE_MAX_BACKOFF_MS,
				"cannot read table '%s' in "
				"'%s': %s",
				s->table, s->path, sqlite3_errmsg(s->db));
			sq_disconnect(s);
			return 0;
		}
		s->started = 1;
	}
	sqlite3_bind_int64(s->stmt, 1, s->last);
	while ((rc = sqlite3_step(s->stmt)) == SQLITE_ROW) {
		char *json = sq_row_json(s);
		int r = src_emit_line(&s->c, sink, json, strlen(json), now_ms);

		free(json);
		if (r < 0) {
			(void)sqlite3_reset(s->stmt); /* ends the read */
			s->last = s->sent;
			return sr_err_set(err, "sink refused an event");
		}
		n += r;
		rows++;
		s->last = sqlite3_column_int64(s->stmt, 0);
	}
	(void)sqlite3_reset(s->stmt); /* rc carries the error */
	if (rc != SQLITE_DONE && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
		s->next_mono = src_fail(&s->c, s->every_ms,
		    SQLITE_MAX_BACKOFF_MS, "cannot read table '%s' in '%s': %s",
		    s->table, s->path, sqlite3_errmsg(s->db));
		sq_disconnect(s);
	} else {
		src_ok(&s->c);
		s->c.caught_up = rows < SQLITE_ROWS;
		/* A full page: more rows are likely waiting. */
		s->next_mono = rows == SQLITE_ROWS ? now : now + s->every_ms;
	}
	if (!s->have_sent || s->sent != s->last) {
		char cur[32];

		snprintf(cur, sizeof(cur), "%" PRId64, s->last);
		if (sink->cursor(sink->ctx, s->c.name, cur) < 0)
			return sr_err_set(err, "sink refused a cursor");
		s->sent = s->last;
		s->have_sent = 1;
	}
	return n;
}

static int
sq_timeout_ms(void *self)
{
	struct sq_src *s = self;

	if (s->c.state == SR_SRC_DOWN)
		return -1;
	return src_ms_until(s->next_mono > 0 ? s->next_mono : 1);
}

static void
sq_status(const void *self, struct sr_source_status *st)
{
	const struct sq_src *s = self;

	src_common_status(&s->c, st);
}

static void
sq_close(void *self)
{
	struct sq_src *s = self;

	if (s == NULL)
		return;
	sq_disconnect(s);
	for (size_t i = 0; i < SQ_NFIELDS; i++)
		free(s->col[i]);
	free(s->path);
	free(s->table);
	src_common_release(&s->c);
	free(s);
}

const struct sr_collector_ops sr_src_sqlite_ops = {
	.kind = "sqlite",
	.open = sq_open,
	.fds = NULL,
	.timeout_ms = sq_timeout_ms,
	.read = sq_read,
	.status = sq_status,
	.set_cursor = sq_set_cursor,
	.close = sq_close,
};
