/* SPDX-License-Identifier: MIT */
/*
 * store_summary: the reads behind a report (core/summary.c), which folds
 * what they deliver: event types, distinct identities and error
 * patterns over a range split into whole buckets (rollups) and partial
 * ends (raw events).  See store.h.
 */
#include "core/store.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/store_int.h"
#include "core/timeutil.h"

void
sr_store_split_range(int64_t from, int64_t to, int64_t grain,
    struct sr_store_split *sp)
{
	int64_t ca = -sr_floor_div(-from, grain) * grain; /* ceil */
	int64_t fb = sr_floor_div(to, grain) * grain;

	memset(sp, 0, sizeof *sp);
	if (ca < fb) {
		sp->roll = (struct sr_store_span){ ca, fb };
		sp->edge[0] = (struct sr_store_span){ from, ca };
		sp->edge[1] = (struct sr_store_span){ fb, to };
	} else {
		sp->edge[0] = (struct sr_store_span){ from, to };
	}
}

/* 1 when events hold a row with lo <= ts < hi (or on a failed read). */
static int
store_any_event(struct sr_store *st, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s;
	struct sr_err err;
	int brc = SQLITE_OK, rc;

	if (lo >= hi)
		return 0;
	if (store_prepare(st,
		"SELECT 1 FROM events WHERE ts >= ?1 AND ts < ?2 LIMIT 1", &s,
		&err, "cannot read events") < 0)
		return 1;
	store_bind_i64(s, 1, lo, &brc);
	store_bind_i64(s, 2, hi, &brc);
	rc = brc == SQLITE_OK ? sqlite3_step(s) : SQLITE_ERROR;
	sqlite3_finalize(s);
	return rc != SQLITE_DONE;
}

void
sr_store_split_exact(struct sr_store *st, int64_t from, int64_t to,
    int64_t grain, struct sr_store_split *sp)
{
	int64_t f0 = sr_floor_div(from, grain) * grain;
	int64_t t1 = -sr_floor_div(-to, grain) * grain; /* ceil */
	int64_t lo =
	    f0 == from || !store_any_event(st, f0, from) ? f0 : f0 + grain;
	int64_t hi = t1 == to || !store_any_event(st, to, t1) ? t1 : t1 - grain;

	if (lo >= hi) { /* inside one bucket, or no whole one */
		sr_store_split_range(from, to, grain, sp);
		return;
	}
	memset(sp, 0, sizeof *sp);
	sp->roll = (struct sr_store_span){ lo, hi };
	if (lo > from)
		sp->edge[0] = (struct sr_store_span){ from, lo };
	if (hi < to)
		sp->edge[1] = (struct sr_store_span){ hi, to };
}

static void
store_bind_span(sqlite3_stmt *s, int i, struct sr_store_span sp, int *brc)
{
	store_bind_i64(s, i, sp.lo, brc);
	store_bind_i64(s, i + 1, sp.hi, brc);
}

/*
 * Bind ?1..?6 from a split (or ?1, ?2 the whole range when raw) and ?7,
 * ?8 service and host.
 */
static int
store_bind_range(struct sr_store *st, sqlite3_stmt *s, int raw, int64_t from,
    int64_t to, const struct sr_store_split *sp, const char *service,
    const char *host, struct sr_err *err)
{
	int brc = SQLITE_OK;

	if (raw) {
		store_bind_i64(s, 1, from, &brc);
		store_bind_i64(s, 2, to, &brc);
	} else {
		store_bind_span(s, 1, sp->roll, &brc);
		store_bind_span(s, 3, sp->edge[0], &brc);
		store_bind_span(s, 5, sp->edge[1], &brc);
	}
	store_bind_str(s, 7, service, &brc);
	store_bind_str(s, 8, host, &brc);
	return store_bound(st, s, brc, err, "cannot read the report range");
}

int
sr_store_type_counts(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_split *min, const char *service, const char *host,
    int (*fn)(void *ctx, const char *type, int64_t n), void *ctx,
    struct sr_err *err)
{
	static const char sql_all[] =
	    "SELECT t, SUM(n) FROM ("
	    "SELECT event_type AS t, n FROM type_minute"
	    " WHERE minute >= ?1 AND minute < ?2"
	    " UNION ALL SELECT event_type, 1 FROM events"
	    " WHERE ts >= ?3 AND ts < ?4"
	    " UNION ALL SELECT event_type, 1 FROM events"
	    " WHERE ts >= ?5 AND ts < ?6) WHERE ?7 IS NULL AND ?8 IS NULL"
	    " GROUP BY t";
	static const char sql_svc[] =
	    "SELECT event_type, COUNT(*) FROM events"
	    " WHERE ts >= ?1 AND ts < ?2 AND (?7 IS NULL OR service = ?7)"
	    " AND (?8 IS NULL OR host = ?8) GROUP BY 1";
	int raw = service != NULL || host != NULL, rc = SQLITE_DONE, stop = 0;
	sqlite3_stmt *s;

	if (store_prepare(st, raw ? sql_svc : sql_all, &s, err,
		"cannot query event types") < 0)
		return -1;
	if (store_bind_range(st, s, raw, from_ms, to_ms, min, service, host,
		err) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		int64_t n = sqlite3_column_int64(s, 1);

		if (n <= 0)
			continue;
		if ((stop = fn(ctx, t ? (const char *)t : "", n)) != 0)
			break;
	}
	if (stop == 0 &&
	    store_step_done(st, rc, err, "cannot read event types") < 0)
		stop = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : 0;
}

int
sr_store_distinct_ids(struct sr_store *st, int kind, int64_t from_ms,
    int64_t to_ms, const struct sr_store_split *hour, const char *service,
    const char *host, int64_t *out, struct sr_err *err)
{
	const char *col = kind ? "session_id" : "user_id";
	int raw = service != NULL || host != NULL, rc, k;
	char sql[640];
	sqlite3_stmt *s;

	*out = 0;
	if (raw)
		k = snprintf(sql, sizeof sql,
		    "SELECT COUNT(DISTINCT %s) FROM events WHERE ts >= ?1"
		    " AND ts < ?2 AND (?7 IS NULL OR service = ?7)"
		    " AND (?8 IS NULL OR host = ?8) AND %s <> ''",
		    col, col);
	else
		k = snprintf(sql, sizeof sql,
		    "SELECT COUNT(*) FROM ("
		    "SELECT id FROM ident_hour WHERE hour >= ?1 AND hour < ?2"
		    " AND kind = %d AND id <> ''"
		    " UNION SELECT %s FROM events WHERE ts >= ?3 AND ts < ?4"
		    " AND %s <> ''"
		    " UNION SELECT %s FROM events WHERE ts >= ?5 AND ts < ?6"
		    " AND %s <> '') WHERE ?7 IS NULL AND ?8 IS NULL",
		    kind ? 1 : 0, col, col, col, col);
	if (k < 0 || (size_t)k >= sizeof sql)
		SR_BUG("distinct query too long");
	if (store_prepare(st, sql, &s, err, "cannot count identities") < 0)
		return -1;
	if (store_bind_range(st, s, raw, from_ms, to_ms, hour, service, host,
		err) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW
	    ? 0
	    : store_step_done(st, rc, err, "cannot count identities");
}

/* 1 when a level value (string or bunyan number) names an error level. */
static int
store_level_is_error(const cJSON *v)
{
	static const char *const levels[] = { "error", "err", "fatal",
		"critical", "crit", "alert", "emerg", "emergency", "panic",
		NULL };

	if (cJSON_IsString(v)) {
		for (int i = 0; levels[i] != NULL; i++)
			if (strcasecmp(v->valuestring, levels[i]) == 0)
				return 1;
	}
	return cJSON_IsNumber(v) && v->valuedouble >= 50;
}

/*
 * SQL store_err(status, metadata), for events stored by schema 1 (no
 * flags): 1 when a raw event counts as an error as the store's
 * error_minute rollup counts it: a 5xx status, or an error level /
 * syslog PRIORITY <= 3, which the parser keeps in metadata.
 */
static void
store_sql_err(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *meta;
	cJSON *j, *v;
	int st, yes = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
		st = sqlite3_value_int(argv[0]);
		if (st >= 500 && st <= 599) {
			sqlite3_result_int(ctx, 1);
			return;
		}
	}
	meta = sqlite3_value_text(argv[1]);
	if (meta == NULL || (j = cJSON_Parse((const char *)meta)) == NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "level")) != NULL)
		yes = store_level_is_error(v);
	if (!yes &&
	    (v = cJSON_GetObjectItemCaseSensitive(j, "PRIORITY")) != NULL) {
		double d = cJSON_IsNumber(v) ? v->valuedouble
		    : cJSON_IsString(v) && v->valuestring[0]
		    ? strtod(v->valuestring, NULL)
		    : -1;

		yes = d >= 0 && d <= 3;
	}
	cJSON_Delete(j);
	sqlite3_result_int(ctx, yes);
}

/*
 * A raw event that error_minute counts: a message and an error (flags
 * bit 1, or a 5xx status; rows of schema 1 have no flags: their
 * metadata decides).
 */
#define ERR_COND                                              \
	"message IS NOT NULL AND (status BETWEEN 500 AND 599" \
	" OR (flags & 1) OR (flags IS NULL AND store_err(status, metadata)))"
#define ERR_RAW                                           \
	"COALESCE(service, ''), sr_template(message), 1," \
	" sr_message(message), ts"
_Static_assert(SR_STORE_EV_ERROR == 1, "ERR_COND tests flags bit 1");

int
sr_store_error_patterns(struct sr_store *st, int64_t from_ms, int64_t to_ms,
    const struct sr_store_split *min, const char *service, const char *host,
    int (*fn)(void *ctx, const char *service, const char *tpl, int64_t n,
	const char *example),
    void *ctx, struct sr_err *err)
{
	/* the example comes from the newest row (SQLite's bare column
	 * with max()) */
	static const char sql[] =
	    "SELECT svc, tpl, SUM(n), ex, MAX(t) FROM ("
	    "SELECT service AS svc, message AS tpl, n, example AS ex,"
	    " minute AS t FROM error_minute"
	    " WHERE minute >= ?1 AND minute < ?2"
	    " AND (?7 IS NULL OR service = ?7)"
	    " UNION ALL SELECT " ERR_RAW
	    " FROM events WHERE ts >= ?3 AND ts < ?4 AND " ERR_COND
	    " AND (?7 IS NULL OR service = ?7) AND (?8 IS NULL OR host = ?8)"
	    " UNION ALL SELECT " ERR_RAW
	    " FROM events WHERE ts >= ?5 AND ts < ?6 AND " ERR_COND
	    " AND (?7 IS NULL OR service = ?7) AND (?8 IS NULL OR host = ?8)"
	    ") GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2";
	struct sr_store_split whole;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, stop = 0;

	if (sqlite3_create_function(st->db, "store_err", 2,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_sql_err, NULL,
		NULL) != SQLITE_OK)
		return store_sqlerr(st, err,
		    "cannot set up the report queries");
	if (host) {
		/* error_minute carries no host: raw events of the range */
		memset(&whole, 0, sizeof whole);
		whole.edge[0] = (struct sr_store_span){ from_ms, to_ms };
		min = &whole;
	}
	if (store_prepare(st, sql, &s, err, "cannot query error patterns") < 0)
		return -1;
	if (store_bind_range(st, s, 0, from_ms, to_ms, min, service, host,
		err) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *tpl = (const char *)sqlite3_column_text(s, 1);
		const char *ex = (const char *)sqlite3_column_text(s, 3);
		const char *svc = (const char *)sqlite3_column_text(s, 0);

		tpl = tpl ? tpl : "";
		if ((stop = fn(ctx, svc ? svc : "", tpl,
			 sqlite3_column_int64(s, 2), ex ? ex : tpl)) != 0)
			break;
	}
	if (stop == 0 &&
	    store_step_done(st, rc, err, "cannot read error patterns") < 0)
		stop = -1;
	sqlite3_finalize(s);
	return stop < 0 ? -1 : 0;
}
