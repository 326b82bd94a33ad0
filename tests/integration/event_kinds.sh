#!/usr/bin/env bash
# A log line is an event, and a request only when it is one (a status, a
# latency or an HTTP method): a mixed fixture of JSON and logfmt request
# lines and plain log lines, whose request counts (and 5xx ratio) awk
# computes from the fixture, checked in the rollups (sqlite3), the report
# and the live server's /api/services.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
command -v curl >/dev/null || skip "curl is not installed"

N=600
NOW=$(($(date +%s) * 1000))
# one line a second over the last N seconds; kind k = i % 6:
#   0 JSON request (status, latency; every 12th a 503)   request
#   1 JSON log line (level info)                          log
#   2 logfmt log line (level warn)                        log
#   3 logfmt line with an HTTP method, no status          request
#   4 JSON error log line (level error)                   log
#   5 JSON line with a latency only                       request
awk -v n=$N -v base=$((NOW - N * 1000)) 'BEGIN {
	for (i = 0; i < n; i++) {
		ts = sprintf("%.0f", base + i * 1000); k = i % 6
		if (k == 0)
			printf "{\"ts\":%s,\"service\":\"api\",\"endpoint\":\"/a\",\"status\":%d,\"latency_ms\":%d}\n", ts, i % 12 == 0 ? 503 : 200, 1 + i % 40
		else if (k == 1)
			printf "{\"ts\":%s,\"service\":\"api\",\"level\":\"info\",\"message\":\"cache warmed\"}\n", ts
		else if (k == 2)
			printf "ts=%s service=worker level=warn msg=\"queue slow\"\n", ts
		else if (k == 3)
			printf "ts=%s service=api method=GET endpoint=/b\n", ts
		else if (k == 4)
			printf "{\"ts\":%s,\"service\":\"worker\",\"level\":\"error\",\"message\":\"disk full\"}\n", ts
		else
			printf "{\"ts\":%s,\"service\":\"worker\",\"latency_ms\":12,\"message\":\"job done\"}\n", ts
	}
}' >"$T/mixed.log"
# the expected counts, from the lines themselves: a request has a status,
# a latency or a method
awk '{ svc = ($0 ~ /service=api|"service":"api"/) ? "api" : "worker"
	ev[svc]++
	if ($0 ~ /"status":|"latency_ms":|method=/) req[svc]++
	if ($0 ~ /"status":5/) e5[svc]++ }
	END { printf "%d %d %d %d %d\n", ev["api"], ev["worker"], req["api"], req["worker"], e5["api"] }' \
	"$T/mixed.log" >"$T/want"
read -r ev_api ev_worker req_api req_worker e5_api <"$T/want"
check "fixture lines" "$((ev_api + ev_worker))" $N
echo "want: api $req_api of $ev_api, worker $req_worker of $ev_worker, api 5xx $e5_api"

DB=$T/kinds.db
"$SITREP" ingest --db "$DB" "$T/mixed.log" 2>"$T/ingest.err" ||
	{ cat "$T/ingest.err"; fail "ingest failed"; }
q() { sqlite3 "$DB" "$1"; }
check "stored events" "$(q 'SELECT COUNT(*) FROM events')" $N
check "rollup requests api" "$(q "SELECT SUM(requests) FROM ev_minute WHERE service = 'api'")" "$req_api"
check "rollup requests worker" "$(q "SELECT SUM(requests) FROM ev_minute WHERE service = 'worker'")" "$req_worker"

"$SITREP" report --db "$DB" --json --hours 1 >"$T/r.json" || fail "report exited $?"
r() { jq -r "$1" "$T/r.json"; }
check "report total_events" "$(r .total_events)" $N
check "report total_requests" "$(r .total_requests)" "$((req_api + req_worker))"
check "report api requests" "$(r '.services[] | select(.service == "api") | .requests')" "$req_api"
check "report worker requests" "$(r '.services[] | select(.service == "worker") | .requests')" "$req_worker"
check_near "report api error_rate" "$(r '.services[] | select(.service == "api") | .error_rate')" \
	"$(awk -v a="$e5_api" -v b="$req_api" 'BEGIN { printf "%.12g", a / b }')" 1e-9
check "report log lines by type" "$(r '.events_by_type.log')" "$((ev_api + ev_worker - req_api - req_worker))"

# live: the 1 h window of each service counts its requests only
PORT=$(free_port)
"$SITREP" serve --db "$T/live.db" --listen "127.0.0.1:$PORT" --no-system \
	<"$T/mixed.log" 2>"$T/serve.log" &
SERVE_PID=$!
wait_http "http://127.0.0.1:$PORT/api/health"
got=
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$PORT/api/services" >"$T/s.json"
	got=$(jq -r '[.services[] | select(.name == "api" or .name == "worker")
		| "\(.name)=\(.windows["1h"].requests)"] | sort | join(" ")' "$T/s.json")
	[ "$got" = "api=$req_api worker=$req_worker" ] && break
	sleep 0.2
done
check "live 1h requests" "$got" "api=$req_api worker=$req_worker"
check_near "live api rate_5xx" \
	"$(jq -r '.services[] | select(.name == "api") | .windows["1h"].rate_5xx' "$T/s.json")" \
	"$(awk -v a="$e5_api" -v b="$req_api" 'BEGIN { printf "%.12g", a / b }')" 1e-9
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
echo "event_kinds: all good"
