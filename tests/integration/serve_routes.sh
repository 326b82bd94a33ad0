#!/usr/bin/env bash
# sitrep serve: every route's status and JSON shape (jq), cursors and
# filters, auth, CORS, every error code, oversized and malformed requests,
# path traversal, posted events, SSE resume, and /api/summary against
# `sitrep report --json` on the same database.  Expected values come from
# jq/sqlite3 over the same input, never from the server itself.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

PORT=$(free_port)
B="http://127.0.0.1:$PORT"
"$SITREP" demo --fast --seed 1 --count 2000 > "$T/ev.jsonl"
N=$(grep -c . "$T/ev.jsonl")
check "demo lines" "$N" 2000

"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --accept-events \
	< "$T/ev.jsonl" 2> "$T/serve.log" &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_http "$B/api/health"

# Wait (bounded) until stdin is read to its end and committed.
for _ in $(seq 150); do
	st=$(curl -s "$B/api/health" | jq -r '[.sources[]? | select(.kind == "stdin") | .state][0] // ""')
	c=$(sqlite3 "$T/db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)
	[ "$st" = ended ] && [ "$c" = "$N" ] && break
	sleep 0.1
done
check "stdin source ended" "$st" ended
check "events stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" "$N"

# get URL [curl args]: body in $T/body, status in $CODE
get() {
	local url=$1; shift
	CODE=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$url")
}
# jqt NAME FILTER: the body satisfies a jq filter that yields true
jqt() { jq -e "$2" "$T/body" >/dev/null || fail "$1: jq '$2' on $(head -c 400 "$T/body")"; echo "ok $1"; }
# err NAME CODE URL [curl args]: a JSON error with that status
err() {
	local name=$1 code=$2 url=$3; shift 3
	get "$url" "$@"
	check "$name status" "$CODE" "$code"
	jqt "$name body" ".status == $code and (.error | type == \"string\" and length > 0)"
}

# ---- health, overview, services, insights ----------------------------
get "$B/api/health"
check "health" "$CODE" 200
jqt "health shape" '(.status == "ok" or .status == "degraded") and (.uptime_s | type == "number") and (.sources | type == "array") and (.store.path | type == "string")'
check "health version" "$(jq -r .version "$T/body")" "$("$SITREP" --version | awk 'NR == 1 { print $2 }')"

get "$B/api/metrics/overview"
check "overview" "$CODE" 200
jqt "overview kpis" '(.kpis | length > 0) and all(.kpis[]; has("id") and has("label") and has("unit") and has("value") and has("level") and has("trend") and (has("history") | not))'
jqt "overview level_name" 'all(.kpis[]; .level_name == (["ok", "warn", "crit"][.level]))'
jqt "overview trend rule" 'all(.kpis[]; if .value == null or .prev == null then .trend == null else ((.value - .prev) as $d | ($d | fabs) as $a | if $a <= 0.05 * (.prev | fabs) or $a < 1e-9 then .trend == "flat" elif $d > 0 then .trend == "up" else .trend == "down" end) end)'
cp "$T/body" "$T/ov_lean"
get "$B/api/metrics/overview?history=1"
check "overview with history" "$CODE" 200
jqt "overview history" 'all(.kpis[]; (.history | type == "array") and (.history | length <= 120))'
jq -e --slurpfile lean "$T/ov_lean" '.tick != $lean[0].tick or ([.kpis[] | del(.history)] == $lean[0].kpis)' "$T/body" >/dev/null || fail "overview ?history=1 differs from the lean one beyond history"
echo "ok overview ?history=1 = lean + history"
err "overview bad history" 400 "$B/api/metrics/overview?history=yes"
cp "$T/ov_lean" "$T/body"
jqt "overview totals" '(.totals.events | type == "number") and (.tick | type == "number") and (.time | test("Z$"))'
# The KPI ids the TUI tiles show are all there.
for k in cpu mem events errors p95; do
	jqt "overview kpi $k" "any(.kpis[]; .id == \"$k\")"
done

get "$B/api/services"
check "services" "$CODE" 200
jqt "services shape" '(.services | type == "array") and all(.services[]; (.name | type == "string") and (.windows["1m"] | has("requests") and has("p95_ms") and has("rate_5xx")) and (.endpoints | type == "array"))'

for s in all firing resolved; do
	get "$B/api/insights?state=$s"
	check "insights $s" "$CODE" 200
	jqt "insights $s shape" '.insights | type == "array"'
	[ "$s" = all ] || jqt "insights $s state" "all(.insights[]; .state == \"$s\")"
done
err "insights bad state" 400 "$B/api/insights?state=maybe"

# ---- history: performance, series ------------------------------------
get "$B/api/metrics/performance?hours=1"
check "performance" "$CODE" 200
jqt "performance shape" '(.series | has("cpu_busy_pct") and has("mem_used_pct") and has("net_rx_bytes_per_s") and has("disk_read_bytes_per_s")) and all(.series[]; (.points | length <= 500))'
get "$B/api/metrics/performance?hours=720"
jqt "performance at most 500 points" 'all(.series[]; (.points | length <= 500)) and .step_ms >= 5184000'
err "performance bad hours" 400 "$B/api/metrics/performance?hours=abc"
err "performance negative hours" 400 "$B/api/metrics/performance?hours=-1"
get "$B/api/metrics/series?name=cpu.total.busy_pct&from=$(( $(date +%s) - 600 ))&step=10s"
check "series" "$CODE" 200
jqt "series shape" '.name == "cpu.total.busy_pct" and (.points | type == "array") and .step_ms >= 10000'
err "series without name" 400 "$B/api/metrics/series"
err "series bad from" 400 "$B/api/metrics/series?name=x&from=yesterday-ish"
err "series bad step" 400 "$B/api/metrics/series?name=x&step=fast"

# ---- events: live, filters, cursors, history -------------------------
get "$B/api/events?limit=5"
check "events" "$CODE" 200
jqt "events shape" '(.events | length == 5) and (.cursor | type == "string") and all(.events[]; has("id") and has("time") and has("service") and has("status"))'
jqt "events oldest first" '[.events[].id] == ([.events[].id] | sort)'
# Without a cursor: the newest rows, and the cursor is the newest row id.
check "events newest ids" "$(jq -c '[.events[].id]' "$T/body")" \
	"$(sqlite3 "$T/db" 'SELECT json_group_array(id) FROM (SELECT id FROM (SELECT id FROM events ORDER BY id DESC LIMIT 5) ORDER BY id)')"
CUR=$(jq -r .cursor "$T/body")
check "events cursor is the newest row" "$CUR" "$(sqlite3 "$T/db" 'SELECT max(id) FROM events')"
# ?live=1: the in-memory recent events, with the stream's seq ids.
get "$B/api/events?limit=5&live=1"
jqt "live events shape" '(.events | length == 5) and all(.events[]; has("seq")) and ([.events[].seq] == ([.events[].seq] | sort))'
LIVECUR=$(jq -r .cursor "$T/body")
err "events bad live" 400 "$B/api/events?live=yes"
# The busiest service of the input, by jq.
SVC=$(jq -r 'select(.service) | .service' "$T/ev.jsonl" | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
get "$B/api/events?service=$SVC&limit=50"
jqt "events service filter" "(.events | length > 0) and all(.events[]; .service == \"$SVC\")"
get "$B/api/events?status=5xx&limit=1000"
jqt "events status filter" 'all(.events[]; .status >= 500 and .status < 600)'
get "$B/api/events?status=4xx,404&limit=1000"
jqt "events status list" 'all(.events[]; .status >= 400 and .status < 500)'
err "events bad status" 400 "$B/api/events?status=teapot"
err "events bad limit" 400 "$B/api/events?limit=0"
err "events big limit" 400 "$B/api/events?limit=100000"
err "events bad since" 400 "$B/api/events?since=abc"
err "events bad from" 400 "$B/api/events?from=notatime"

# Following: nothing new after the cursor, then a posted event appears.
get "$B/api/events?since=$CUR"
jqt "events since newest is empty" '.events | length == 0'
get "$B/api/events" -X POST -H 'Content-Type: application/json' \
	--data '{"service":"posted-svc","endpoint":"/p","status":503,"latency_ms":12.5,"message":"Posted Boom"}'
check "post one" "$CODE" 202
jqt "post one result" '.accepted == 1 and .rejected == 0 and .results[0].ok == true'
for _ in $(seq 50); do
	get "$B/api/events?since=$CUR"
	jq -e '.events | length > 0' "$T/body" >/dev/null && break
	sleep 0.1
done
jqt "posted event follows the cursor" '(.events | length == 1) and .events[0].service == "posted-svc" and .events[0].status == 503 and .events[0].latency_ms == 12.5'
CUR2=$(jq -r .cursor "$T/body")
[ "$CUR2" -gt "$CUR" ] || fail "cursor did not advance ($CUR -> $CUR2)"
check "posted event row" "$(jq -r '.events[0].id' "$T/body")" \
	"$(sqlite3 "$T/db" "SELECT id FROM events WHERE service = 'posted-svc'")"
get "$B/api/events?q=posted%20boom"
jqt "events q filter (case-insensitive)" '(.events | length == 1) and .events[0].message == "Posted Boom"'
# q= is the event query language, the same live and stored; "error" is
# the error flag or a 5xx status (counts from sqlite3).
want=$(sqlite3 "$T/db" "SELECT min(1000, count(*)) FROM events WHERE (coalesce(flags, 0) & 1) OR status BETWEEN 500 AND 599")
get "$B/api/events?q=is:error&limit=1000"
check "events q is:error" "$(jq '[.events[] | select(.error)] | length' "$T/body")" "$want"
check "events q is:error only errors" "$(jq '[.events[] | select(.error | not)] | length' "$T/body")" 0
get "$B/api/events?q=is:error&live=1&limit=1000"
jqt "live q is:error" '(.events | length > 0) and all(.events[]; .error)'
want=$(sqlite3 "$T/db" "SELECT min(1000, count(*)) FROM events WHERE lower(service) = lower('$SVC') AND status >= 400")
get "$B/api/events?q=service%3D$SVC%20status%3E%3D400&limit=1000"
check "events q terms" "$(jq '.events | length' "$T/body")" "$want"
err "events bad q" 400 "$B/api/events?q=colour%3Dred"

# Array with per-item results; bad items rejected, good ones queued.
get "$B/api/events" -X POST -H 'Content-Type: application/json' --data '[{"service":"a2","status":200},{"latency_ms":-1},42]'
check "post array" "$CODE" 202
jqt "post array results" '.accepted == 1 and .rejected == 2 and [.results[].ok] == [true,false,false] and .results[1].reason == "bad_field" and .results[2].reason == "not_object"'
err "post malformed" 400 "$B/api/events" -X POST -H 'Content-Type: application/json' --data '{"service":'
err "post all bad" 400 "$B/api/events" -X POST -H 'Content-Type: application/json' --data '[1,2]'
head -c 1100000 /dev/zero | tr '\0' 'x' > "$T/big"
err "post too large" 413 "$B/api/events" -X POST -H 'Content-Type: application/json' --data-binary "@$T/big"

# Stored events: from/to go to the store; page through with the cursor.
want=$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service = '$SVC'")
got=0 cursor="" pages=0
while [ $pages -lt 50 ]; do
	get "$B/api/events?from=0&service=$SVC&limit=100${cursor:+&since=$cursor}"
	check "stored page $pages" "$CODE" 200
	n=$(jq '.events | length' "$T/body")
	jq -e "all(.events[]; .service == \"$SVC\")" "$T/body" >/dev/null || fail "stored page: wrong service"
	got=$((got + n)); cursor=$(jq -r .cursor "$T/body"); pages=$((pages + 1))
	[ "$n" -lt 100 ] && break
done
check "stored events paged" "$got" "$want"
get "$B/api/events?service=$SVC&limit=5&since=h0"
jqt "legacy h cursor accepted" '.events | length == 5' 
lo=$(sqlite3 "$T/db" 'SELECT min(ts) FROM events'); hi=$(( lo + 3600000 ))
want=$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE ts >= $lo AND ts < $hi AND status >= 500 AND status < 600")
get "$B/api/events?from=$((lo / 1000)).$(printf %03d $((lo % 1000)))&to=$((hi / 1000)).$(printf %03d $((hi % 1000)))&status=5xx&limit=1000"
check "stored range + status" "$(jq '.events | length' "$T/body")" "$want"

# ---- summary equals `sitrep report --json` ---------------------------
now=$(date +%s)
FROM=$((now - 7 * 86400)); TO=$((now + 60))
get "$B/api/summary?from=$FROM&to=$TO"
check "summary" "$CODE" 200
"$SITREP" report --db "$T/db" --from "$FROM" --to "$TO" --json > "$T/report.json" ||
	fail "sitrep report failed"
strip='del(.generated_at, .generated, .now)'
jq -S "$strip" "$T/body" > "$T/a.json"; jq -S "$strip" "$T/report.json" > "$T/b.json"
diff -u "$T/b.json" "$T/a.json" || fail "summary differs from report --json"
echo "ok summary == report --json"
jqt "summary counts posted and demo events" ".total_events >= $N"
err "summary bad hours" 400 "$B/api/summary?hours=x"

# ---- Prometheus -------------------------------------------------------
CT=$(curl -s -o "$T/metrics" -w '%{content_type}' "$B/metrics")
check "metrics content type" "$CT" "text/plain; version=0.0.4; charset=utf-8"
grep -q '^# TYPE sitrep_events_ingested_total counter$' "$T/metrics" || fail "no events counter"
grep -q '^# TYPE sitrep_service_latency_seconds summary$' "$T/metrics" || fail "no latency summary"
grep -q "^sitrep_service_latency_seconds{service=\"$SVC\",quantile=\"0.95\"} " "$T/metrics" || fail "no p95 for $SVC"
grep -q '^sitrep_process_cpu_seconds_total ' "$T/metrics" || fail "no process cpu"
grep -q '^sitrep_store_size_bytes ' "$T/metrics" || fail "no store size"
ing=$(awk '$1 == "sitrep_events_ingested_total" {print $2}' "$T/metrics")
awk -v v="$ing" -v n="$N" 'BEGIN { exit !(v >= n) }' || fail "ingested $ing < $N"
# Summaries carry _sum and _count: per service the mean lies within the
# latencies sqlite3 holds for it, and the count within its stored rows.
awk '$1 ~ /^sitrep_service_latency_seconds_(sum|count)\{/' "$T/metrics" |
	sed -E 's/^sitrep_service_latency_seconds_(sum|count)\{service="([^"]*)"\} (.*)$/\2 \1 \3/' |
	sort > "$T/sumcount"
check "services with _sum and _count" "$(awk '$2 == "sum"' "$T/sumcount" | wc -l)" \
	"$(awk '$2 == "count"' "$T/sumcount" | wc -l)"
[ -s "$T/sumcount" ] || fail "no latency _sum/_count"
nsc=0
while read -r svc; do
	sum=$(awk -v s="$svc" '$1 == s && $2 == "sum" {print $3}' "$T/sumcount")
	cnt=$(awk -v s="$svc" '$1 == s && $2 == "count" {print $3}' "$T/sumcount")
	[ "$cnt" = 0 ] && continue
	read -r lo hi n <<<"$(sqlite3 -separator ' ' "$T/db" "SELECT min(latency_ms)/1000.0, max(latency_ms)/1000.0, count(latency_ms) FROM events WHERE service = '$svc'")"
	awk -v s="$sum" -v c="$cnt" -v lo="$lo" -v hi="$hi" -v n="$n" \
		'BEGIN { m = s / c; exit !(c <= n && m >= lo - 1e-6 && m <= hi + 1e-6) }' ||
		fail "latency summary of $svc: sum $sum count $cnt vs stored min $lo max $hi n $n"
	nsc=$((nsc + 1))
done < <(awk '{print $1}' "$T/sumcount" | sort -u)
[ "$nsc" -gt 0 ] || fail "no service had latencies in the last minute"
echo "ok latency _sum/_count agree with the store for $nsc services"
# Bounded endpoint labels: at most 10 named endpoints + "other" per service.
max_ep=$(awk -F'[{},]' '$1 == "sitrep_endpoint_requests_per_second" {print $2}' "$T/metrics" | sort | uniq -c | sort -rn | awk 'NR==1{print $1}')
[ "${max_ep:-0}" -le 11 ] || fail "$max_ep endpoint series for one service"
echo "ok endpoint series per service <= 11"
MODEL=$(jq -r 'select(.model) | .model' "$T/ev.jsonl" | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
if [ -n "$MODEL" ]; then
	grep -q "^sitrep_model_tokens{model=\"$MODEL\",direction=\"out\"} " "$T/metrics" || fail "no token gauge for $MODEL"
	grep -q "^sitrep_model_ttft_seconds{model=\"$MODEL\",quantile=\"0.95\"} " "$T/metrics" || fail "no TTFT for $MODEL"
	echo "ok model tokens and TTFT for $MODEL"
fi
if have promtool; then
	promtool check metrics < "$T/metrics" || fail "promtool rejects /metrics"
	echo "ok promtool check metrics"
fi

# ---- SSE: overview every tick, events, Last-Event-ID resume -----------
curl -sN --max-time 2.5 "$B/api/stream" > "$T/sse" || true
grep -q '^event: overview$' "$T/sse" || fail "no overview on the stream"
grep -q '^id: [0-9]*$' "$T/sse" || fail "no id lines on the stream"
grep -q '^retry: ' "$T/sse" || fail "no retry line"
data=$(grep -m1 '^data: {"tick"' "$T/sse" | cut -c7-)
echo "$data" | jq -e '.kpis | length > 0' >/dev/null || fail "overview data is not the overview JSON"
# Resume: events after the live cursor come again with their seq ids.
curl -sN --max-time 2 -H "Last-Event-ID: $LIVECUR" "$B/api/stream" > "$T/sse2" || true
grep -q "^id: $((LIVECUR + 1))$" "$T/sse2" || fail "resume did not replay event $((LIVECUR + 1))"
grep -A2 "^id: $((LIVECUR + 1))$" "$T/sse2" | grep -q 'posted-svc' || fail "replayed event is not the posted one"
echo "ok sse resume"
err "stream bad Last-Event-ID" 400 "$B/api/stream" -H 'Last-Event-ID: x'

# ---- static page, traversal ------------------------------------------
get "$B/"
check "page" "$CODE" 200
grep -q '<html' "$T/body" || fail "page is not HTML"
for f in app.js style.css; do get "$B/$f"; check "$f" "$CODE" 200; done
if [ -f /usr/share/javascript/chart.js/chart.min.js ]; then
	get "$B/chart.js"; check "chart.js" "$CODE" 200
	cmp -s "$T/body" /usr/share/javascript/chart.js/chart.min.js || fail "chart.js differs"
fi
for p in '/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/..%2f..%2fetc%2fpasswd' \
	'/index.html/../../../etc/passwd' '/static/../../etc/passwd' '//etc/passwd'; do
	err "traversal $p" 404 "$B$p" --path-as-is
	! grep -q 'root:' "$T/body" || fail "traversal $p leaked a file"
done
err "unknown route" 404 "$B/api/nope"

# ---- errors: methods, sizes ------------------------------------------
err "DELETE" 405 "$B/api/health" -X DELETE
err "PUT" 405 "$B/api/metrics/overview" -X PUT --data x
err "POST page" 405 "$B/" -X POST --data x
err "OPTIONS without cors" 405 "$B/api/health" -X OPTIONS
# allow NAME WANT CURL-ARGS...: the Allow header of a 405 lists the
# methods the URL's routes take on this server, no more
allow() {
	local name=$1 want=$2; shift 2
	check "$name Allow" "$(curl -s -o /dev/null -D - "$@" | tr -d '\r' |
		sed -n 's/^[Aa]llow: //p')" "$want"
}
allow "DELETE health" "GET, HEAD" "$B/api/health" -X DELETE
allow "POST page" "GET, HEAD" "$B/" -X POST --data x
allow "PUT events" "GET, HEAD, POST" "$B/api/events" -X PUT --data x
long=$(head -c 5000 /dev/zero | tr '\0' a)
err "long URL" 414 "$B/api/events?q=$long"
err "huge headers" 431 "$B/api/health" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' b)" -H "X-Big2: $(head -c 9000 /dev/zero | tr '\0' c)"
get "$B/api/health"
grep -qi 'access-control' <(curl -sI "$B/api/health") && fail "CORS headers without --cors"
echo "ok no CORS by default"

# ---- second server: token, CORS, per-IP limit, :memory: ---------------
P2=$(free_port)
B2="http://127.0.0.1:$P2"
printf 's3cret-token\n' > "$T/token"; chmod 600 "$T/token"
"$SITREP" serve --db :memory: --listen "127.0.0.1:$P2" --token-file "$T/token" \
	--cors https://dash.example --max-conns-per-ip 3 --no-system </dev/null 2> "$T/serve2.log" &
PIDS+=($!)
wait_http "$B2/api/health"
get "$B2/api/health"; check "auth: health open" "$CODE" 200
get "$B2/"; check "auth: page open" "$CODE" 200
err "auth: no token" 401 "$B2/api/metrics/overview"
err "auth: wrong token" 401 "$B2/api/metrics/overview" -H 'Authorization: Bearer s3cret-tokeX'
err "auth: prefix token" 401 "$B2/api/metrics/overview" -H 'Authorization: Bearer s3cret'
err "auth: metrics" 401 "$B2/metrics"
err "auth: stream" 401 "$B2/api/stream"
AUTH=(-H 'Authorization: Bearer s3cret-token')
get "$B2/api/metrics/overview" "${AUTH[@]}"; check "auth: right token" "$CODE" 200
err "memory: history 503" 503 "$B2/api/metrics/performance" "${AUTH[@]}"
err "memory: summary 503" 503 "$B2/api/summary" "${AUTH[@]}"
err "memory: stored events 503" 503 "$B2/api/events?from=0" "${AUTH[@]}"
err "post without --accept-events" 405 "$B2/api/events" "${AUTH[@]}" -X POST --data '{}'
allow "post without --accept-events" "OPTIONS, GET, HEAD" "$B2/api/events" "${AUTH[@]}" -X POST --data '{}'
allow "cors: DELETE health" "OPTIONS, GET, HEAD" "$B2/api/health" -X DELETE
h=$(curl -sI "$B2/api/health" | tr -d '\r')
grep -qx 'Access-Control-Allow-Origin: https://dash.example' <<<"$h" || fail "no CORS origin: $h"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$B2/api/events" \
	-H 'Origin: https://dash.example' -H 'Access-Control-Request-Method: GET' -D "$T/pre")
check "preflight" "$CODE" 204
grep -qi '^Access-Control-Allow-Headers: .*Authorization' "$T/pre" || fail "preflight allows no Authorization"
# Per-IP limit: hold 3 streams open, the 4th request gets 429.
for i in 1 2 3; do
	curl -sN --max-time 20 "${AUTH[@]}" "$B2/api/stream" > "$T/hold$i" &
	PIDS+=($!)
done
for _ in $(seq 100); do
	[ -s "$T/hold1" ] && [ -s "$T/hold2" ] && [ -s "$T/hold3" ] && break
	sleep 0.1
done
err "per-IP limit" 429 "$B2/api/health"
for i in 1 2 3; do kill "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'; done
sleep 0.3

# ---- bad options, SIGTERM -------------------------------------------
set +e
"$SITREP" serve --listen nonsense </dev/null 2>/dev/null; rc=$?
"$SITREP" serve --bogus </dev/null 2>/dev/null; rc2=$?
"$SITREP" serve --tls-cert x </dev/null 2>/dev/null; rc3=$?
set -e
check "bad listen address exit" "$rc" 1
check "bad option exit" "$rc2" 2
check "tls-cert without key exit" "$rc3" 2
"$SITREP" serve --help | grep -q -- '--listen' || fail "serve --help"

kill -TERM "$SERVE_PID"
for _ in $(seq 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE_PID" 2>/dev/null && fail "serve did not stop on SIGTERM"
rc=0; wait "$SERVE_PID" || rc=$?
check "SIGTERM exit" "$rc" 0
grep -q 'stopped' "$T/serve.log" || fail "no stop line in the log"
grep -q '404 GET /api/nope' "$T/serve.log" || fail "errors are not logged"
echo "serve_routes: all good"
