#!/usr/bin/env bash
# Bounded cardinality: endpoints are aggregated by their template and the
# [limits] caps (set small here: 3 services, 4 endpoints per service, 2
# models) fold the rest into one "(other)" series, in the rollups, the
# report, /api/summary and the live server (/metrics, /api/health, the
# cardinality insight).  Expected values come from awk over the
# generator's own list of templates (tests/fixtures/card-*.awk) and from
# sqlite3; a real endpoint named "(other)" stays apart as "\(other)".
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
command -v curl >/dev/null || skip "curl is not installed"

N=2000
BASE=1767225600000 # 2026-01-01T00:00:00Z
CONF=$T/sitrep.conf
printf '[store]\nevents = 36500d\n[limits]\nservices = 3\nendpoints_per_service = 4\nmodels = 2\n' >"$CONF"
awk -v n=$N -v base=$BASE -v side="$T/side.tsv" \
	-f "$ROOT/tests/fixtures/card-gen.awk" >"$T/ev.jsonl"
awk -F '\t' -v S=3 -v E=4 -v M=2 -f "$ROOT/tests/fixtures/card-expect.awk" \
	"$T/side.tsv" >"$T/want.tsv"
want() { awk -F '\t' -v a="$1" -v b="$2" '$1 == a && $2 == b { print $3 }' "$T/want.tsv"; }
# "service|endpoint|requests" rows, sorted
want_eps=$(awk -F '\t' '$1 == "ep" { print $2 "|" $3 "|" $4 }' "$T/want.tsv" | LC_ALL=C sort)
want_models=$(awk -F '\t' '$1 == "model" { print $2 "|" $3 }' "$T/want.tsv" | LC_ALL=C sort)
# the generator wrote one side line per event: the awk total is N
check "awk total" "$(awk -F '\t' '$1 == "total" { print $2 }' "$T/want.tsv")" $N

# ---- rollups -----------------------------------------------------------
DB=$T/card.db
"$SITREP" ingest --config "$CONF" --db "$DB" --retain 36500d "$T/ev.jsonl" \
	2>"$T/ingest.err" || { cat "$T/ingest.err"; fail "ingest failed"; }
q() { sqlite3 "$DB" "$1"; }
check "raw events kept" "$(q 'SELECT COUNT(*) FROM events')" $N
check "raw paths kept" "$(q "SELECT endpoint FROM events WHERE id = 1")" \
	"$(head -n 1 "$T/ev.jsonl" | jq -r .endpoint)"
check "rollup endpoints" \
	"$(q "SELECT service || '|' || endpoint || '|' || SUM(requests) FROM ev_minute
	      GROUP BY service, endpoint" | LC_ALL=C sort)" "$want_eps"
check "rollup services" "$(q 'SELECT COUNT(DISTINCT service) FROM ev_minute')" 4
check "rollup endpoints at most cap + 1 per service" \
	"$(q 'SELECT MAX(n) FROM (SELECT COUNT(DISTINCT endpoint) n FROM ev_minute GROUP BY service)')" 5
# one row per minute and kept names, not one per raw path
check "rollup rows" "$(q 'SELECT COUNT(*) FROM ev_minute')" \
	"$(awk -F '\t' '$1 == "rows" { print $2 }' "$T/want.tsv")"
check "rollup total" "$(q 'SELECT SUM(requests) FROM ev_minute')" $N
check "rollup models" \
	"$(q "SELECT model || '|' || SUM(requests) FROM ev_minute WHERE model <> ''
	      GROUP BY model" | LC_ALL=C sort)" "$want_models"

# ---- report ------------------------------------------------------------
F=2026-01-01T00:00:00Z
TO=2026-01-01T01:00:00Z
"$SITREP" report --config "$CONF" --db "$DB" --json --top 100 --from "$F" \
	--to "$TO" >"$T/r.json" || fail "report exited $?"
r() { jq -r "$1" "$T/r.json"; }
check "report total_events" "$(r .total_events)" $N
check "report total_requests" "$(r .total_requests)" $N
check "report endpoints" \
	"$(r '.services[] | .service as $s | .top_endpoints[] |
	      "\($s)|\(.endpoint)|\(.requests)"' | LC_ALL=C sort)" "$want_eps"
check "report endpoints add up to services" \
	"$(r '[.services[] | (.requests == ([.top_endpoints[].requests] | add))] | all')" true
check "report services add up" "$(r '[.services[].requests] | add')" $N
check "report (other) service" \
	"$(r '.services[] | select(.service == "(other)") | .requests')" \
	"$(awk -F '\t' '$1 == "ep" && $2 == "(other)" { n += $4 } END { print n }' "$T/want.tsv")"
check "report models" "$(r '.models[] | "\(.model)|\(.requests)"' | LC_ALL=C sort)" "$want_models"
check "report folded endpoints" "$(r .folded.endpoints)" \
	"$(awk -F '\t' '$1 == "ep" && $3 == "(other)" { n += $4 } END { print n }' "$T/want.tsv")"
check "report folded services" "$(r .folded.services)" "$(want folded services)"
check "report folded models" "$(r .folded.models)" "$(want folded models)"
# the default top 10 still shows (other), after the busiest
"$SITREP" report --config "$CONF" --db "$DB" --json --from "$F" --to "$TO" \
	>"$T/r10.json" || fail "report exited $?"
check "report top 10 ends with (other)" \
	"$(jq -r '.services[] | select(.service == "api") | .top_endpoints[-1].endpoint' "$T/r10.json")" "(other)"
# without the config: the default caps (500) keep every name
"$SITREP" report --config /dev/null --db "$DB" --json --top 100 --from "$F" \
	--to "$TO" >"$T/rdef.json" || fail "report exited $?"
check "report default caps" "$(jq -r .total_requests "$T/rdef.json")" $N

# ---- /api/summary: the same JSON from serve ----------------------------
PORT=$(free_port)
"$SITREP" serve --config "$CONF" --db "$DB" --listen "127.0.0.1:$PORT" \
	--no-system </dev/null 2>"$T/serve1.log" &
SERVE_PID=$!
wait_http "http://127.0.0.1:$PORT/api/health"
curl -fsS "http://127.0.0.1:$PORT/api/summary?from=$F&to=$TO" >"$T/s.json" ||
	fail "/api/summary failed"
check "/api/summary endpoints" \
	"$(jq -r '.services[] | .service as $s | .top_endpoints[] |
	      "\($s)|\(.endpoint)|\(.requests)"' "$T/s.json" | LC_ALL=C sort)" \
	"$(jq -r '.services[] | .service as $s | .top_endpoints[] |
	      "\($s)|\(.endpoint)|\(.requests)"' "$T/r10.json" | LC_ALL=C sort)"
check "/api/summary folded" "$(jq -c .folded "$T/s.json")" "$(r '.folded | tojson')"
check "/api/summary total" "$(jq .total_requests "$T/s.json")" $N
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null

# ---- live: the aggregates, /metrics, /api/health, the insight ----------
NOW=$(($(date +%s) * 1000))
awk -v n=$N -v base=$((NOW - N * 1000)) -v side="$T/side2.tsv" \
	-f "$ROOT/tests/fixtures/card-gen.awk" >"$T/live.jsonl"
PORT=$(free_port)
"$SITREP" serve --config "$CONF" --db "$T/live.db" --listen "127.0.0.1:$PORT" \
	--no-system <"$T/live.jsonl" 2>"$T/serve2.log" &
SERVE_PID=$!
wait_http "http://127.0.0.1:$PORT/api/health"
for _ in $(seq 100); do
	n=$(curl -fsS "http://127.0.0.1:$PORT/api/health" | jq '[.sources[].events] | add')
	[ "$n" = $N ] && break
	sleep 0.2
done
check "live events" "$n" $N
# the folded counts are those of a tick after the last event
for _ in $(seq 50); do
	curl -fsS "http://127.0.0.1:$PORT/api/health" >"$T/h.json"
	[ "$(jq .folded.endpoints "$T/h.json")" != 0 ] && break
	sleep 0.2
done
check "health folded endpoints" "$(jq .folded.endpoints "$T/h.json")" "$(want folded endpoints)"
check "health folded services" "$(jq .folded.services "$T/h.json")" "$(want folded services)"
check "health folded models" "$(jq .folded.models "$T/h.json")" "$(want folded models)"
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$T/metrics.txt" || fail "/metrics failed"
check "metrics folded endpoints" \
	"$(awk '$1 == "sitrep_cardinality_folded_total{kind=\"endpoints\"}" { print $2 }' "$T/metrics.txt")" \
	"$(want folded endpoints)"
check "metrics one (other) series of api" \
	"$(grep -c '^sitrep_endpoint_requests_per_second{service="api",endpoint="(other)"}' "$T/metrics.txt")" 1
check "metrics real \\(other) apart" \
	"$(grep -c '^sitrep_endpoint_requests_per_second{service="api",endpoint="\\\\(other)"}' "$T/metrics.txt")" 1
check "metrics no duplicate series" \
	"$(grep -v '^#' "$T/metrics.txt" | awk '{ print $1 }' | sort | uniq -d | head -n 3)" ""
for _ in $(seq 50); do
	curl -fsS "http://127.0.0.1:$PORT/api/insights" >"$T/i.json"
	jq -e '.. | objects | select(.rule? == "cardinality")' "$T/i.json" >/dev/null && break
	sleep 0.2
done
check "cardinality insight subjects" \
	"$(jq -r '[.. | objects | select(.rule? == "cardinality") | .subject] | unique | join(",")' "$T/i.json")" \
	"(other),api,models,s1,services"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
# a cap below 1 is a config error naming the file and line: exit 2
printf '[limits]\nendpoints_per_service = 0\n' >"$T/bad.conf"
for cmd in report ingest; do
	rc=0
	"$SITREP" $cmd --config "$T/bad.conf" --db "$T/bad.db" </dev/null \
		>/dev/null 2>"$T/bad.err" || rc=$?
	check "$cmd with a bad cap exits" "$rc" 2
	grep -q "bad.conf:2: bad value '0' for 'endpoints_per_service'" "$T/bad.err" ||
		fail "$cmd: no clear error: $(cat "$T/bad.err")"
done
echo "cardinality: all good"
