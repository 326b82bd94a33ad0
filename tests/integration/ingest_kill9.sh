#!/usr/bin/env bash
# kill -9 in the middle of an ingest fed slowly through a pipe: the
# database passes integrity_check and holds exactly the events 1..N of the
# input for some N > 0 (committed batches survive whole, in order).
source "$(dirname "$0")/lib.sh"

ts=$(date -u +%Y-%m-%dT%H:%M:%S)
awk -v ts="$ts" 'BEGIN { for (i = 1; i <= 200000; i++)
	printf "{\"timestamp\":\"%s.%03dZ\",\"event_id\":\"%d\",\"service\":\"s%d\",\"status_code\":200,\"response_time_ms\":%d}\n", ts, i % 1000, i, i % 7, i % 500 }' >"$T/in.jsonl"
split -l 2000 -d -a 3 "$T/in.jsonl" "$T/part."

mkfifo "$T/fifo"
"$SITREP" ingest --db "$T/k.db" <"$T/fifo" 2>"$T/err" &
ing=$!
PIDS+=("$ing")
( for p in "$T"/part.*; do cat "$p"; sleep 0.05; done ) >"$T/fifo" &
PIDS+=("$!")

# Wait (bounded) until some events are committed, then kill.
n=0
for _ in $(seq 200); do
	[ -s "$T/k.db" ] &&
		n=$(sqlite3 -readonly "$T/k.db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.05
done
[ "${n:-0}" -gt 0 ] || fail "nothing committed while ingesting"
sleep 0.3
kill -9 "$ing"
wait "$ing" 2>/dev/null || true

check integrity "$(sqlite3 "$T/k.db" 'PRAGMA integrity_check')" ok
read -r cnt lo hi distinct < <(sqlite3 -separator ' ' "$T/k.db" \
	'SELECT count(*), min(CAST(event_id AS INTEGER)), max(CAST(event_id AS INTEGER)), count(DISTINCT event_id) FROM events')
echo "stored $cnt events, ids $lo..$hi"
[ "$cnt" -gt 0 ] || fail "no events survived"
check first_id "$lo" 1
check no_gap "$hi" "$cnt"
check no_duplicate "$distinct" "$cnt"
[ "$cnt" -lt 200000 ] || echo "note: the whole input was stored before the kill"
