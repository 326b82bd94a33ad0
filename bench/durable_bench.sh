#!/usr/bin/env bash
# durable_bench: kill -9 during steady concurrent POST /api/events, RUNS
# times (default 20): each run starts `sitrep serve --accept-events` on a
# fresh database, posts batches of events with unique ids from THREADS
# client threads (tests/post_events.py) for SECONDS, kills the server with
# -9, then counts the events a 202 acknowledged and those of them the
# database holds (sqlite3), and runs PRAGMA integrity_check.  Prints one
# line a run and the totals; the goal is 0 lost and integrity ok.  Figures
# only: nothing here passes or fails on timing.
# Environment: BUILD (build folder), DURABLE_RUNS (20), DURABLE_THREADS (8),
# DURABLE_BATCH (20 events a POST), DURABLE_SECONDS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP="$PWD/$BUILD/sitrep"
RUNS=${DURABLE_RUNS:-20}
THREADS=${DURABLE_THREADS:-8}
BATCH=${DURABLE_BATCH:-20}
SECS=${DURABLE_SECONDS:-2}
W=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill -9 "$srv" 2>/dev/null; rm -rf "$W"' EXIT

port() { echo $(( 20000 + RANDOM % 10000 )); }
tot_acked=0 tot_lost=0 bad=0
echo "kill -9 during concurrent posts: $RUNS runs, $THREADS threads," \
	"$BATCH events a POST, ${SECS}s of load each"
for r in $(seq "$RUNS"); do
	rm -f "$W"/db*
	p=$(port)
	"$SITREP" serve --db "$W/db" --listen "127.0.0.1:$p" --accept-events \
		--no-system </dev/null 2>"$W/log" &
	srv=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$p/api/health" && break
		sleep 0.1
	done
	python3 tests/post_events.py "http://127.0.0.1:$p/api/events" \
		"$W/acked" "$THREADS" "$BATCH" "r$r" >"$W/client" &
	cli=$!
	sleep "$SECS"
	kill -9 "$srv"
	wait "$srv" 2>/dev/null || true
	srv=
	wait "$cli" || true
	acked=$(wc -l <"$W/acked")
	sqlite3 "$W/db" 'SELECT event_id FROM events' | sort -u >"$W/stored"
	sort -u "$W/acked" >"$W/acked.s"
	lost=$(comm -23 "$W/acked.s" "$W/stored" | wc -l)
	ic=$(sqlite3 "$W/db" 'PRAGMA integrity_check')
	[ "$ic" = ok ] || bad=$((bad + 1))
	printf 'run %2d: acknowledged %7d  stored %7d  lost %d  integrity %s\n' \
		"$r" "$acked" "$(wc -l <"$W/stored")" "$lost" "$ic"
	tot_acked=$((tot_acked + acked))
	tot_lost=$((tot_lost + lost))
done
echo "total: acknowledged $tot_acked, lost $tot_lost, integrity failures $bad (of $RUNS runs)"
