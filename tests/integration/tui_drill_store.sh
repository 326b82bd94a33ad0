#!/usr/bin/env bash
# Drill-downs from the store, in tmux.  A log ingested first holds
# errors of the template "db timeout after <n> ms" 30 minutes old (api
# 7, web 4, worker 2 by an error level, no status) and of another
# template; the console then reads one more api timeout on stdin, so
# memory holds 1 of them.  Enter on the pattern filters the log by the
# template (every service, errors only) and counts the stored matches by
# service: the counts are compared with sqlite3's over the same store.
# e on a service row counts that service's stored events by endpoint,
# again against sqlite3.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
tmux_open drillstore

now=$(($(date +%s) * 1000))
old=$((now - 1800 * 1000))
{
	for i in $(seq 7); do
		printf '{"ts":%d,"service":"api","endpoint":"/q","status":503,"message":"db timeout after %d ms"}\n' $((old + i * 1000)) $((100 + i))
	done
	for i in $(seq 4); do
		printf '{"ts":%d,"service":"web","endpoint":"/","status":500,"message":"db timeout after %d ms"}\n' $((old + 10000 + i * 1000)) $((2000 + i))
	done
	for i in $(seq 2); do
		printf '{"ts":%d,"service":"worker","level":"error","message":"db timeout after %d ms"}\n' $((old + 20000 + i * 1000)) $((30 + i))
	done
	for i in $(seq 3); do
		printf '{"ts":%d,"service":"api","endpoint":"/q","status":500,"message":"cache miss for key %d"}\n' $((old + 30000 + i * 1000)) "$i"
	done
	for i in $(seq 40); do
		printf '{"ts":%d,"service":"api","endpoint":"/ok","status":200,"latency_ms":5}\n' $((old + 40000 + i * 1000))
	done
} >"$T/old.jsonl"
"$SITREP" ingest --db "$T/db" "$T/old.jsonl" >"$T/ingest.out" 2>&1 ||
	{ cat "$T/ingest.out"; fail "ingest"; }
printf '{"ts":%d,"service":"api","endpoint":"/q","status":503,"message":"db timeout after 999 ms"}\n' "$now" >"$T/new.jsonl"
printf '{"ts":%d,"service":"web","endpoint":"/","status":200,"latency_ms":3}\n' "$now" >>"$T/new.jsonl"

tm new-session -d -s s -x 200 -y 50 \
	"cat '$T/new.jsonl' | '$SITREP' --db '$T/db' --no-mouse; sleep 30"
tm_wait s "stdin ENDED"
tm_wait s "db timeout after <n> ms"
tm_focus s Errors
tm send-keys -t s Enter
tm_wait s "stored:"
tm_wait_re s "stored: [0-9]+ events"
# sqlite3 over the same store: the template's errors, by service
want=$(sqlite3 "$T/db" "SELECT service, count(*) FROM events
	WHERE message LIKE 'db timeout after % ms'
	AND ((flags & 1) OR status BETWEEN 500 AND 599)
	GROUP BY service ORDER BY 2 DESC, 1" |
	awk -F'|' '{ printf "  %s %d (%d err)", $1, $2, $2 }')
total=$(sqlite3 "$T/db" "SELECT count(*) FROM events
	WHERE message LIKE 'db timeout after % ms'
	AND ((flags & 1) OR status BETWEEN 500 AND 599)")
check "sqlite3: the template's stored errors" "$total" 14
# the store's error_minute rollup counts them alike
check "sqlite3: error_minute" "$(sqlite3 "$T/db" "SELECT SUM(n) FROM error_minute
	WHERE message = 'db timeout after <n> ms'")" 14
line=$(tm capture-pane -p -t s | grep -o "stored: .*" | sed 's/ *$//')
check "drill counts" "$line" "stored: $total events, $total errors  by service:$want"
tm capture-pane -p -t s | grep -q 'filter: is:error template="db timeout after <n> ms"' ||
	fail "the log's filter is the template"

# a service row: e counts its stored events by endpoint
tm send-keys -t s Escape
tm_focus s Services
tm send-keys -t s e
tm_wait s "by endpoint:"
svc=$(tm capture-pane -p -t s | grep -o 'filter: service=[a-z]*' | cut -d= -f2)
[ -n "$svc" ] || fail "the log's filter is a service"
want=$(sqlite3 "$T/db" "SELECT coalesce(endpoint, ''), count(*),
	sum((coalesce(flags, 0) & 1) OR coalesce(status BETWEEN 500 AND 599, 0))
	FROM events WHERE service = '$svc'
	GROUP BY 1 ORDER BY 2 DESC, 1" |
	awk -F'|' '{ printf "  %s %d", ($1 == "" ? "-" : $1), $2; if ($3 > 0) printf " (%d err)", $3 }')
read -r total errs < <(sqlite3 -separator ' ' "$T/db" "SELECT count(*),
	sum((coalesce(flags, 0) & 1) OR coalesce(status BETWEEN 500 AND 599, 0))
	FROM events WHERE service = '$svc'")
line=$(tm capture-pane -p -t s | grep -o "stored: .*" | sed 's/ *$//')
check "service $svc counts" "$line" "stored: $total events, $errs errors  by endpoint:$want"
tm send-keys -t s q
for _ in $(seq 100); do pgrep -f -- "--db $T/db" >/dev/null || break; sleep 0.1; done

# the same template through the web API's stored events (?q=)
command -v jq >/dev/null || skip "jq not installed"
PORT=$(free_port)
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" </dev/null 2>"$T/serve.log" &
PIDS+=("$!")
wait_http "http://127.0.0.1:$PORT/api/health"
n=$(curl -s "http://127.0.0.1:$PORT/api/events?limit=1000&q=template%3D%22db%20timeout%20after%20%3Cn%3E%20ms%22%20is%3Aerror" |
	jq -r '"\(.events | length) \([.events[] | select(.message | test("^db timeout after [0-9]+ ms$"))] | length)"')
check "?q=template=...: stored events, all of the template" "$n" "14 14"
echo "tui_drill_store: ok"
