/* SPDX-License-Identifier: MIT */
/*
 * store_bench: events/s through sr_store_add_event + sr_store_maybe_flush
 * into a fresh database file, with demo-like events (a few services,
 * endpoints, models, hosts; users and sessions; latency, tokens, ttft).
 * Prints figures only.
 *
 *   make build/libsitrep.a && cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. \
 *     bench/store_bench.c build/libsitrep.a -lsqlite3 -lm \
 *     -o build/store_bench && ./build/store_bench [N] [DIR]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"

static uint64_t
bench_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int
main(int argc, char **argv)
{
	static const char *const svc[] = { "api", "auth", "search", "llm",
		"billing" };
	static const char *const ep[] = { "/v1/items", "/v1/login", "/v1/q",
		"/v1/chat", "/v1/pay", "/health", "/v1/users", "/v1/embed" };
	static const char *const model[] = { "small", "large", "embed" };
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[4096], id[32], (*user)[8], (*sess)[8];
	struct sr_store *st;
	struct sr_event ev;
	struct sr_err err;
	uint64_t r = 88172645463325252ULL;
	int64_t t0, t1, c0, c1, ts = 1700000000000LL;

	snprintf(path, sizeof(path), "%s/store_bench.%d.db", dir,
	    (int)getpid());
	if ((st = sr_store_open(path, 0, &err)) == NULL) {
		fprintf(stderr, "store_bench: %s\n", err.msg);
		return 1;
	}
	/* strings made up front: the loop times the store, not snprintf */
	user = calloc(5000, sizeof(*user));
	sess = calloc(20000, sizeof(*sess));
	for (int i = 0; i < 20000; i++) {
		snprintf(sess[i], sizeof(sess[i]), "s%d", i);
		if (i < 5000)
			snprintf(user[i], sizeof(user[i]), "u%d", i);
	}
	t0 = sr_mono_us();
	c0 = sr_cpu_us();
	for (long i = 0; i < n; i++) {
		uint64_t x = bench_rnd(&r);

		sr_event_clear(&ev);
		ts += (int64_t)(x % 7); /* ~3.5 ms apart */
		ev.ts_ms = ts;
		for (int k = 0; k < 8; k++)
			id[k] = (char)('a' + ((x >> (k * 4)) & 15));
		id[8] = '\0';
		ev.event_id = id;
		ev.service = svc[(x >> 3) % 5];
		ev.endpoint = ep[(x >> 6) % 8];
		ev.user_id = user[(x >> 8) % 5000];
		ev.session_id = sess[(x >> 20) % 20000];
		ev.host = "node1";
		ev.status_code = (x >> 30) % 50 == 0 ? 500
		    : (x >> 30) % 20 == 0	     ? 404
						     : 200;
		ev.response_time_ms = 5.0 + (double)((x >> 36) % 5000) / 10.0;
		ev.has = SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
		if (ev.status_code == 500) {
			ev.message = "upstream timeout";
			ev.has |= SR_EV_IS_ERROR;
		}
		if (ev.service == svc[3]) {
			ev.model = model[(x >> 40) % 3];
			ev.tokens_in = (int64_t)((x >> 44) % 2000);
			ev.tokens_out = (int64_t)((x >> 50) % 800);
			ev.ttft_ms = 50.0 + (double)((x >> 12) % 400);
			ev.has |= SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT |
			    SR_EV_HAS_TTFT;
		}
		if (sr_store_add_event(st, &ev, &err) < 0 ||
		    ((i & 255) == 0 && sr_store_maybe_flush(st, &err) < 0)) {
			fprintf(stderr, "store_bench: %s\n", err.msg);
			return 1;
		}
	}
	if (sr_store_flush(st, &err) < 0) {
		fprintf(stderr, "store_bench: %s\n", err.msg);
		return 1;
	}
	t1 = sr_mono_us();
	c1 = sr_cpu_us();
	{
		/* a sanity figure: every event is counted once in ev_minute */
		sqlite3_stmt *q = NULL;
		sqlite3 *db = NULL;

		/* its own connection: the store keeps its handle to itself */
		if (strcmp(sr_store_path(st), ":memory:") != 0 &&
		    sqlite3_open_v2(sr_store_path(st), &db,
			SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db,
			"SELECT (SELECT count(*)"
			" FROM events), (SELECT sum(requests) FROM ev_minute),"
			" (SELECT count(*) FROM ev_minute), (SELECT count(*) FROM"
			" ident_hour)",
			-1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			printf("store_bench: events %lld, ev_minute requests "
			       "%lld in %lld rows, ident_hour %lld rows\n",
			    sqlite3_column_int64(q, 0),
			    sqlite3_column_int64(q, 1),
			    sqlite3_column_int64(q, 2),
			    sqlite3_column_int64(q, 3));
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	sr_store_close(st);
	free(user);
	free(sess);
	printf("store_bench: %ld events in %.3f s: %.0f events/s, "
	       "%.2f us/event wall, %.2f us/event cpu\n",
	    n, (double)(t1 - t0) / 1e6, (double)n * 1e6 / (double)(t1 - t0),
	    (double)(t1 - t0) / (double)n, (double)(c1 - c0) / (double)n);
	for (const char *sfx = "";; sfx = sfx[0] ? NULL : "-wal") {
		char p[4200];

		if (sfx == NULL)
			break;
		snprintf(p, sizeof(p), "%s%s", path, sfx);
		(void)unlink(p);
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-shm");
	(void)unlink(path);
	return 0;
}
