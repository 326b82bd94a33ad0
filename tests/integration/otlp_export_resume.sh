#!/usr/bin/env bash
# otlp_export_resume: the OTLP export reads the events to send from the
# store after a cursor it stores there, so a kill -9 loses nothing.  The
# collector (tests/otlp_receiver.py) goes away, events wait, sitrep is
# killed with -9 and restarted, the collector comes back: every stored
# event arrives, checked field by field against the store with sqlite3,
# and none twice (nothing was in flight to a live collector).  Then the
# bound: a backlog of 100 events written by `sitrep ingest` while sitrep
# was stopped, against export_queue = 40 at the restart: the oldest 60
# are skipped and counted as dropped, exactly, and the newest 40 arrive.
source "$(dirname "$0")/lib.sh"
need python3 sqlite3 jq curl
source "$ROOT/tests/otlp_receiver.sh"
P=$(free_port)
# conf QUEUE: small batches, so the backlog goes out in several requests
conf() {
	printf '[otlp]\nexport_queue = %s\nexport_batch = 7\nexport_interval = 1s\nexport_max_backoff = 1s\n' \
		"$1" >"$T/conf"
}
start_serve() {
	"$SITREP" serve --db "$T/db" --config "$T/conf" --no-system \
		--listen "127.0.0.1:$P" --accept-events \
		--otlp-export "http://127.0.0.1:$R" 2>>"$T/serve.log" &
	SPID=$!
	PIDS+=("$SPID")
	wait_http "http://127.0.0.1:$P/api/health"
}
# events FROM TO: JSON lines eFROM..eTO
BASE=$(($(date +%s) * 1000))
events() {
	python3 - "$1" "$2" "$BASE" <<'EOF'
import json, sys
a, b, base = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(a, b + 1):
    e = {"event_id": "e%d" % i, "timestamp": base + i,
         "service": "api" if i % 2 else "llm", "endpoint": "/v1/chat/%d" % (i % 3),
         "status": 503 if i % 10 == 0 else 200, "latency_ms": i * 1.5}
    if i % 10 == 0:
        e["message"] = "boom %d" % i
    print(json.dumps(e))
EOF
}
post_events() {
	events "$1" "$2" | jq -s . >"$T/body"
	curl -sf -o /dev/null -H 'Content-Type: application/json' \
		--data-binary @"$T/body" "http://127.0.0.1:$P/api/events" ||
		fail "POST e$1..e$2 refused"
}
health() { curl -s "http://127.0.0.1:$P/api/health"; }
q() { sqlite3 "$T/db" "$1"; }
cursor() { q "SELECT cursor FROM cursors WHERE source = 'otlp-export:logs'"; }
cursor_at_end() { [ "$(cursor)" = "$(q 'SELECT max(id) FROM events')" ]; }
count_is() { [ "$(CHK count)" = "$1" ]; }
retrying() { [ "$(health | jq -r '.otlp_export.state')" = retrying ]; }
# the store's events as otlp_check.py rows prints the records
store_rows() {
	q "SELECT event_id, service, ts, status, endpoint, latency_ms,
		coalesce(message, '') FROM events ${1:-}" | sort
}

conf 1000
start_receiver
start_serve
post_events 1 20
wait_for "20 records" count_is 20
# the cursor is stored once the collector answered
wait_for "cursor stored at the last event" cursor_at_end

# the collector goes away; 30 events are committed and wait
stop_receiver
post_events 21 50
wait_for "retrying" retrying
check "cursor still at e20" "$(cursor)" "$(q "SELECT id FROM events WHERE event_id = 'e20'")"
kill -9 "$SPID"
wait "$SPID" 2>/dev/null || true
check "stored before the kill" "$(q 'SELECT count(*) FROM events')" 50

# restart with the collector still away: 10 more wait behind the 30
start_serve
post_events 51 60
wait_for "retrying after the restart" retrying
queued40() { [ "$(health | jq '.otlp_export.logs.queued')" = 40 ]; }
wait_for "40 queued after the restart" queued40
start_receiver
wait_for "60 records" count_is 60
store_rows >"$T/want"
CHK rows >"$T/got"
diff "$T/want" "$T/got" || fail "records differ from the store"
check "records, each once" "$(CHK count)" 60
check "distinct" "$(CHK uids | sort -u | wc -l)" 60
check "none dropped" "$(health | jq '.otlp_export.logs.dropped.queue_full')" 0
wait_for "cursor stored at the end" cursor_at_end

# the bound: 100 events ingested while sitrep is stopped
kill -9 "$SPID"
wait "$SPID" 2>/dev/null || true
events 101 200 >"$T/offline.jsonl"
"$SITREP" ingest --db "$T/db" "$T/offline.jsonl" 2>"$T/ingest.err" ||
	fail "ingest: $(cat "$T/ingest.err")"
stop_receiver
conf 40
start_serve
dropped60() { [ "$(health | jq '.otlp_export.logs.dropped.queue_full')" = 60 ]; }
wait_for "60 dropped" dropped60
check "queued within the bound" "$(health | jq '.otlp_export.logs.queued')" 40
curl -s "http://127.0.0.1:$P/metrics" >"$T/m"
grep -qx 'sitrep_otlp_export_dropped_total{signal="logs",reason="queue_full"} 60' "$T/m" ||
	fail "/metrics: $(grep otlp_export_dropped "$T/m")"
echo "ok dropped on /metrics"
start_receiver
wait_for "100 records" count_is 100
# e1..e60 from before, then the newest 40 of the backlog
{
	store_rows "WHERE event_id IN ($(seq -s, 1 60 | sed 's/[0-9]*/'"'e&'"'/g'))"
	store_rows "ORDER BY id DESC LIMIT 40"
} | sort >"$T/want"
CHK rows >"$T/got"
diff "$T/want" "$T/got" || fail "records differ after the bound"
check "the skipped ones never sent" "$(CHK uids | grep -cE '^e(1[0-5][0-9]|160)$')" 0
check "dropped, exactly" "$(health | jq '.otlp_export.logs.dropped.queue_full')" 60
kill "$SPID"
wait "$SPID" || fail "serve exited $?: $(cat "$T/serve.log")"
echo "ok otlp_export_resume"
