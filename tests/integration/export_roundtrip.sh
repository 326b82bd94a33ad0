#!/usr/bin/env bash
# sitrep export: events exported as JSON lines and ingested into a second
# database come back identical (every stored column but the rowid); CSV
# and JSON forms agree with the store; range, usage and missing-db checks.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
"$SITREP" ingest --help >/dev/null 2>&1 || skip "sitrep ingest is not in this build"

FX=$T/events.jsonl
A=$T/a.db
B=$T/b.db
awk -v n=3000 -v seed=11 -f "$ROOT/tests/fixtures/events-gen.awk" >"$FX"
"$SITREP" ingest --db "$A" --retain 36500d "$FX" 2>"$T/ingest.err" ||
	{ cat "$T/ingest.err"; fail "ingest into a failed"; }
check "stored in a" "$(sqlite3 "$A" 'SELECT COUNT(*) FROM events')" 3000

"$SITREP" export --db "$A" --what events --format jsonl >"$T/a.jsonl" ||
	fail "export exited $?"
check "jsonl lines" "$(wc -l <"$T/a.jsonl")" 3000
"$SITREP" ingest --db "$B" --retain 36500d "$T/a.jsonl" 2>"$T/ingest2.err" ||
	{ cat "$T/ingest2.err"; fail "ingest into b failed"; }

cols="event_id, event_type, ts, service, endpoint, status, latency_ms,
      user_id, session_id, message, model, tokens_in, tokens_out, ttft_ms,
      host, metadata"
dump() { sqlite3 -json "$1" "SELECT $cols FROM events ORDER BY ts, event_id"; }
dump "$A" >"$T/a.dump"
dump "$B" >"$T/b.dump"
[ -s "$T/a.dump" ] || fail "empty dump"
cmp -s "$T/a.dump" "$T/b.dump" || {
	diff <(jq -c '.[]' "$T/a.dump") <(jq -c '.[]' "$T/b.dump") | head -n 10
	fail "events differ after export | ingest"
}
echo "ok round trip: $(jq length "$T/a.dump") events identical"
# The fixture's fields that matter made it through (not vacuous).
check "with metadata" "$(sqlite3 "$B" "SELECT COUNT(*) > 0 FROM events WHERE metadata LIKE '%trace%'")" 1
check "with quotes" "$(sqlite3 "$B" "SELECT COUNT(*) > 0 FROM events WHERE message LIKE '%\"later\"%'")" 1
check "with host" "$(sqlite3 "$B" "SELECT COUNT(*) > 0 FROM events WHERE host = 'node-1'")" 1

# A range: [from, to) by event time.
F=2026-01-01T01:00:00Z
TO=2026-01-01T01:30:00.5Z
"$SITREP" export --db "$A" --what events --format json --from "$F" --to "$TO" >"$T/r.json"
check "json range count" "$(jq length "$T/r.json")" \
	"$(sqlite3 "$A" "SELECT COUNT(*) FROM events WHERE ts >= 1767229200000 AND ts < 1767231000500")"
check "json first" "$(jq -r '.[0].event_id' "$T/r.json")" \
	"$(sqlite3 "$A" "SELECT event_id FROM events WHERE ts >= 1767229200000 ORDER BY ts, id LIMIT 1")"
check "json nulls omitted" "$(jq '[.[] | select(has("model") and .model == null)] | length' "$T/r.json")" 0

# CSV: header, one record per event (quoted fields may hold commas), and
# the RFC 4180 doubling of quotes.
"$SITREP" export --db "$A" --what events --format csv >"$T/a.csv"
check "csv header" "$(head -n 1 "$T/a.csv" | tr -d '\r')" \
	"event_id,event_type,timestamp,service,endpoint,status_code,response_time_ms,user_id,session_id,message,model,tokens_in,tokens_out,ttft_ms,host,metadata"
check "csv records" "$(grep -c $'\r$' "$T/a.csv")" 3001
grep -q '"upstream down, retry ""later"""' "$T/a.csv" || fail "csv quoting"
echo "ok csv"

# --query: the event query language; counts from sqlite3 (errors: the
# error flag or a 5xx status).
"$SITREP" export --db "$A" --what events --format jsonl --query 'status=5xx' >"$T/q5.jsonl"
check "query 5xx" "$(wc -l <"$T/q5.jsonl")" \
	"$(sqlite3 "$A" "SELECT COUNT(*) FROM events WHERE status BETWEEN 500 AND 599")"
"$SITREP" export --db "$A" --what events --format jsonl -q 'is:error' >"$T/qe.jsonl"
check "query is:error" "$(wc -l <"$T/qe.jsonl")" \
	"$(sqlite3 "$A" "SELECT COUNT(*) FROM events WHERE (coalesce(flags, 0) & 1) OR status BETWEEN 500 AND 599")"
[ "$(wc -l <"$T/qe.jsonl")" -gt 0 ] || fail "query is:error: no errors in the fixture"
SVC=$(sqlite3 "$A" "SELECT service FROM events WHERE service IS NOT NULL LIMIT 1")
"$SITREP" export --db "$A" --what events --format csv --query "service=$SVC status>=400" >"$T/qs.csv"
check "query service+status" "$(($(grep -c $'\r$' "$T/qs.csv") - 1))" \
	"$(sqlite3 "$A" "SELECT COUNT(*) FROM events WHERE lower(service) = lower('$SVC') AND status >= 400")"

# Metrics and insights exports run on a store without them.
"$SITREP" export --db "$A" --what metrics --format csv --step 5m >"$T/m.csv" ||
	fail "metrics export exited $?"
check "metrics header" "$(head -n 1 "$T/m.csv" | tr -d '\r')" "name,ts,min,avg,max,n"
check "insights json" "$("$SITREP" export --db "$A" --what insights --format json | jq length)" 0

# Usage errors exit 2; a missing database exits 1.
"$SITREP" export --help | grep -q 'usage: sitrep export' || fail "--help"
for args in "" "--what nope" "--what events --format xml" "--what events --bogus" \
	"--what events --step 5m" "--what metrics --step x" \
	"--what events --from $TO --to $F" "--what events --query colour=red" \
	"--what metrics --query x"; do
	set +e; "$SITREP" export --db "$A" $args >/dev/null 2>&1; rc=$?; set -e
	check "exit for '$args'" "$rc" 2
done
set +e; "$SITREP" export --db "$T/none.db" --what events 2>/dev/null; rc=$?; set -e
check "missing db exit" "$rc" 1
echo "export: all checks passed"
