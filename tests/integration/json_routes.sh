#!/usr/bin/env bash
# Every JSON answer is valid JSON without a duplicate key, at any depth:
# python3's json module with an object_pairs_hook that rejects them (jq
# would keep the last key silently), through json_check.py --doc.  serve
# reads demo events and hostile JSON lines (the same key twice, at the top
# and in metadata, dotted keys beside nested ones) on stdin, and every
# fixture of tests/fixtures/formats as a file: source in auto mode; then
# every /api/* route answers (each filter and history variant, the errors,
# a POST's answer, the SSE stream's data), and `sitrep report --json`,
# `insights --json`, `export --format json|jsonl` and `sitrep parse
# --explain` over every fixture are checked the same way.
source "$(dirname "$0")/lib.sh"
need curl jq python3
FX=$ROOT/tests/fixtures/formats
CHECK="$ROOT/tests/integration/json_check.py"

"$SITREP" demo --fast --seed 3 --count 400 >"$T/in.jsonl"
cat >>"$T/in.jsonl" <<'EOF'
{"service":"dup","service":"dup2","status":500,"status":502,"latency_ms":3}
{"service":"dup","metadata":{"k":1,"k":2},"extra":1,"extra":2,"latency_ms":4}
{"service":"dup","a.b":1,"a":{"b":2},"usage":{"prompt_tokens":3},"usage.prompt_tokens":4}
{"service":"dup","msg":"x","message":"y","level":"error","lvl":"warn","log.level":"info"}
{"service":"dup","ts":"2026-12-04T10:15:32Z","time":"2026-12-04T10:15:33Z","status":"success","status_code":201}
EOF
SRC=()
for f in "$FX"/*; do SRC+=(--source "file:$f?from=start"); done
NF=${#SRC[@]}
NF=$((NF / 2))
PORT=$(free_port)
B="http://127.0.0.1:$PORT"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --no-system --accept-events \
	--source - "${SRC[@]}" <"$T/in.jsonl" 2>"$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
# every source read: stdin ended, each file source has events
for _ in $(seq 150); do
	curl -s "$B/api/health" >"$T/h"
	jq -e --argjson nf "$NF" '([.sources[] | select(.kind == "stdin" and .state == "ended")] | length) == 1
		and ([.sources[] | select(.kind == "file" and .events > 0)] | length) == $nf' \
		"$T/h" >/dev/null && break
	sleep 0.1
done
jq -e --argjson nf "$NF" '([.sources[] | select(.kind == "file" and .events > 0)] | length) == $nf' \
	"$T/h" >/dev/null || fail "sources not read: $(jq -c '[.sources[] | [.name, .state, .events]]' "$T/h")"
echo "ok stdin and $NF fixtures read"

# get NAME URL [curl args]: the answer into $T/r/NAME
mkdir -p "$T/r"
get() {
	local n=$1 u=$2
	shift 2
	curl -s -o "$T/r/$n" "$@" "$u"
	[ -s "$T/r/$n" ] || fail "$n: empty answer from $u"
}
NOW=$(date +%s)
get health "$B/api/health"
get overview "$B/api/metrics/overview"
get overview_h "$B/api/metrics/overview?history=1"
get services "$B/api/services"
for s in active resolved all; do get "insights_$s" "$B/api/insights?state=$s"; done
get perf "$B/api/metrics/performance?hours=1"
get perf_720 "$B/api/metrics/performance?hours=720"
get series "$B/api/metrics/series?name=kpi.req_per_s&from=$((NOW - 600))&step=10s"
get series_none "$B/api/metrics/series?name=no.such&from=$((NOW - 600))"
get summary "$B/api/summary"
get summary_svc "$B/api/summary?service=dup"
get events "$B/api/events?limit=10000"
get events_live "$B/api/events?live=1&limit=10000"
get events_dup "$B/api/events?q=service%3Ddup&limit=100"
get events_err "$B/api/events?q=is:error&limit=1000"
get events_5xx "$B/api/events?status=5xx&limit=1000"
get post "$B/api/events" -X POST -H 'Content-Type: application/json' \
	--data '[{"service":"p","k":1,"k":2,"metadata":{"m":1,"m":2}},{"latency_ms":-1},7]'
# the errors are JSON too
get e_404 "$B/api/nope"
get e_400 "$B/api/events?limit=0"
get e_series "$B/api/metrics/series"
get e_post "$B/api/events" -X POST -H 'Content-Type: application/json' --data '{"service":'
get e_method "$B/api/health" -X DELETE
curl -sN --max-time 2.5 "$B/api/stream" >"$T/r/stream" || true
# the stream's data: lines are JSON objects; event names and ids are not
ANS=()
for f in "$T"/r/*; do [ "$f" = "$T/r/stream" ] || ANS+=("$f"); done
python3 "$CHECK" --doc "${ANS[@]}" "sse:$T/r/stream" || fail "an answer with a duplicate key"
echo "ok $(ls "$T/r" | wc -l) answers: valid JSON, no key twice"
# the hostile lines were read (not rejected), one value per key
check "dup events" "$(jq '.events | length' "$T/r/events_dup")" 5
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()

# the batch commands' JSON over the same database
"$SITREP" report --db "$T/db" --json >"$T/report.json" || fail "report --json"
"$SITREP" insights --db "$T/db" --json >"$T/insights.json" || fail "insights --json"
DOCS=("$T/report.json" "$T/insights.json")
for w in events metrics insights; do
	"$SITREP" export --db "$T/db" --what "$w" --format json >"$T/export_$w.json" ||
		fail "export $w json"
	"$SITREP" export --db "$T/db" --what "$w" --format jsonl >"$T/export_$w.jsonl" ||
		fail "export $w jsonl"
	DOCS+=("$T/export_$w.json")
	[ ! -s "$T/export_$w.jsonl" ] || python3 "$CHECK" "$T/export_$w.jsonl" ||
		fail "export $w jsonl"
done
python3 "$CHECK" --doc "${DOCS[@]}" || fail "a command's JSON with a duplicate key"
echo "ok report, insights, export: no key twice"

# sitrep parse --explain over every fixture, auto and, for the JSON ones,
# json: one object a line, no key twice (exit 1 only for the header lines
# a fixture starts with, which no format reads)
n=0
for f in "$FX"/*; do
	for fmt in auto $(case $f in *.jsonl) echo json ;; esac); do
		rc=0
		"$SITREP" parse --explain --format "$fmt" "$f" >"$T/p" 2>/dev/null || rc=$?
		[ "$rc" -le 1 ] || fail "parse $f: exit $rc"
		python3 "$CHECK" "$T/p" || fail "parse --explain $f ($fmt)"
		n=$((n + 1))
	done
done
echo "ok sitrep parse --explain: $n fixture runs, no key twice"
