/* SPDX-License-Identifier: MIT */
/*
 * baseline_ingest: the simplest reasonable ingest, for comparison with
 * `sitrep ingest`: getline, cJSON, one prepared INSERT into a table with
 * one index (ts), transactions of 10,000 rows, WAL, synchronous=NORMAL.
 * Usage: baseline_ingest DB < events.jsonl   (prints nothing; time it)
 */
#define _DEFAULT_SOURCE
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 10000

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "baseline: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

/* "2026-11-28T13:01:10.123Z" to UTC ms; -1 when malformed. */
static int64_t
iso_ms(const char *s)
{
	struct tm tm;
	int ms = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

static void
bind_str(sqlite3_stmt *st, int i, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		sqlite3_bind_text(st, i, v->valuestring, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_num(sqlite3_stmt *st, int i, const cJSON *o, const char *key, int real)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		sqlite3_bind_null(st, i);
	else if (real)
		sqlite3_bind_double(st, i, v->valuedouble);
	else
		sqlite3_bind_int64(st, i, (sqlite3_int64)v->valuedouble);
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *ins;
	char *line = NULL, *meta;
	size_t cap = 0;
	ssize_t len;
	long n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: baseline_ingest DB < events\n");
		return 2;
	}
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		die(db, "open");
	if (sqlite3_exec(db,
		"PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=NORMAL;"
		"CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY,"
		" ts INTEGER NOT NULL, event_id TEXT, event_type TEXT NOT NULL,"
		" service TEXT, endpoint TEXT, status INTEGER, latency_ms REAL,"
		" user_id TEXT, session_id TEXT, message TEXT, model TEXT,"
		" tokens_in INTEGER, tokens_out INTEGER, ttft_ms REAL,"
		" metadata TEXT);"
		"CREATE INDEX IF NOT EXISTS events_ts ON events(ts);",
		NULL, NULL, NULL) != SQLITE_OK)
		die(db, "schema");
	if (sqlite3_prepare_v2(db,
		"INSERT INTO events(ts, event_id,"
		" event_type, service, endpoint, status, latency_ms, user_id,"
		" session_id, message, model, tokens_in, tokens_out, ttft_ms,"
		" metadata) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		-1, &ins, NULL) != SQLITE_OK)
		die(db, "prepare");
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
		const cJSON *ts, *md;

		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			continue;
		}
		ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
		sqlite3_bind_int64(ins, 1,
		    cJSON_IsString(ts) ? iso_ms(ts->valuestring) : 0);
		bind_str(ins, 2, o, "event_id");
		bind_str(ins, 3, o, "event_type");
		bind_str(ins, 4, o, "service");
		bind_str(ins, 5, o, "endpoint");
		bind_num(ins, 6, o, "status_code", 0);
		bind_num(ins, 7, o, "response_time_ms", 1);
		bind_str(ins, 8, o, "user_id");
		bind_str(ins, 9, o, "session_id");
		bind_str(ins, 10, o, "message");
		bind_str(ins, 11, o, "model");
		bind_num(ins, 12, o, "tokens_in", 0);
		bind_num(ins, 13, o, "tokens_out", 0);
		bind_num(ins, 14, o, "ttft_ms", 1);
		md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
		meta = md ? cJSON_PrintUnformatted(md) : NULL;
		if (meta)
			sqlite3_bind_text(ins, 15, meta, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(ins, 15);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die(db, "insert");
		sqlite3_reset(ins);
		free(meta);
		cJSON_Delete(o);
		if (++n % BATCH == 0 &&
		    (sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) !=
			SQLITE_OK))
			die(db, "commit");
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(db, "commit");
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(line);
	return 0;
}
