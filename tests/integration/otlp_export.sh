#!/usr/bin/env bash
# otlp_export: `sitrep serve --otlp-export` against a stand-in OTLP/HTTP
# collector (tests/otlp_receiver.py, Python's http.server): every event
# posted arrives once as a log record with its fields as attributes,
# gauges arrive under their names, the token and headers of the config
# are sent, nothing is lost while the collector is away within the
# queue's bound, and past it the oldest of the backlog are skipped and the
# drop counter is the excess, exactly.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || skip "python3 not installed"
source "$ROOT/tests/otlp_receiver.sh"

# bad values are usage errors
set +e
"$SITREP" serve --db :memory: --otlp-export ftp://x >/dev/null 2>"$T/err"
check "ftp URL exit" "$?" 2
set -e
grep -q "bad --otlp-export" "$T/err" || fail "no message: $(cat "$T/err")"

P=$(free_port)
start_receiver

# the token in a file, never on the command line
echo "s3cret-otlp-token" >"$T/token"
chmod 600 "$T/token"
cat >"$T/conf" <<EOF
[otlp]
export_queue = 50
export_interval = 1s
export_max_backoff = 2s
export_token_file = $T/token
export_headers = X-Scope-OrgID=tenant-7, x-extra = two words
export_headers_file = $T/headers
EOF
printf '# secret headers\nx-api-key = k3y-s3cret\n\n' >"$T/headers"
"$SITREP" config --config "$T/conf" >"$T/config.out"
grep -q k3y-s3cret "$T/config.out" && fail "sitrep config shows a header file's secret"
# a header file that cannot be read stops serve with the reason
printf '[otlp]\nexport_headers_file = %s\n' "$T/none" >"$T/badconf"
set +e
"$SITREP" serve --db :memory: --config "$T/badconf" --listen "127.0.0.1:$(free_port)" \
	--otlp-export http://127.0.0.1:1 2>"$T/err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "serve ran with an unreadable headers file"
grep -q "cannot read headers file '$T/none'" "$T/err" || fail "message: $(cat "$T/err")"
echo "ok headers file errors"
"$SITREP" serve --db "$T/db" --config "$T/conf" --listen "127.0.0.1:$P" \
	--accept-events --otlp-export "http://127.0.0.1:$R/" 2>"$T/serve.log" &
SPID=$!
PIDS+=("$SPID")
wait_http "http://127.0.0.1:$P/api/health"
grep -q s3cret "/proc/$SPID/cmdline" && fail "token on the command line"

# post_events FROM TO: events eFROM..eTO, one POST
BASE=$(($(date +%s) * 1000))
post_events() {
	python3 - "$1" "$2" "$BASE" >"$T/body" <<'EOF'
import json, sys
a, b, base = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
evs = []
for i in range(a, b + 1):
    e = {"event_id": "e%d" % i, "timestamp": base + i,
         "service": "api" if i % 2 else "llm", "endpoint": "/v1/chat",
         "status": 503 if i % 10 == 0 else 200, "latency_ms": i * 1.5}
    if i % 2 == 0:
        e.update(model="gpt-x", tokens_in=i * 10, tokens_out=i * 3)
    if i % 10 == 0:
        e["message"] = "boom %d" % i
    if i % 7 == 0:
        e["level"] = "warn"
    evs.append(e)
print(json.dumps(evs))
EOF
	curl -sf -o /dev/null -H 'Content-Type: application/json' \
		--data-binary @"$T/body" "http://127.0.0.1:$P/api/events" ||
		fail "POST e$1..e$2 refused"
}
health() { curl -s "http://127.0.0.1:$P/api/health"; }
# health_is JQ: /api/health satisfies the jq condition
health_is() { health >"$T/h"; jq -e "$1" "$T/h" >/dev/null; }
# metrics_has ERE: a line of /metrics matches
metrics_has() { curl -s "http://127.0.0.1:$P/metrics" >"$T/m"; grep -qE "$1" "$T/m"; }
count_is() { [ "$(CHK count)" = "$1" ]; }
logs_idle() { [ "$(health | jq '.otlp_export.logs.queued')" = 0 ]; }

post_events 1 30
wait_for "30 records" count_is 30
check "records" "$(CHK count)" 30
check "distinct ids" "$(CHK uids | sort -u | wc -l)" 30
seq 1 30 | sed 's/^/e/' | sort >"$T/want"
CHK uids >"$T/got"
diff "$T/want" "$T/got" || fail "ids differ"

H=$(hostname)
# e10: llm, 503 (an error: ERROR), its message is the body
check "e10" "$(CHK record e10)" \
	"{\"attr:gen_ai.request.model\": \"gpt-x\", \"attr:gen_ai.usage.input_tokens\": 100, \"attr:gen_ai.usage.output_tokens\": 30, \"attr:http.response.status_code\": 503, \"attr:http.route\": \"/v1/chat\", \"attr:log.record.uid\": \"e10\", \"attr:sitrep.event_type\": \"request\", \"attr:sitrep.latency_ms\": 15.0, \"body\": \"boom 10\", \"host\": \"$H\", \"service\": \"llm\", \"severity_number\": 17, \"severity_text\": \"ERROR\", \"time_ms\": $((BASE + 10))}"
# e7: api, level warn (kept as an attribute too), no body
check "e7" "$(CHK record e7)" \
	"{\"attr:http.response.status_code\": 200, \"attr:http.route\": \"/v1/chat\", \"attr:level\": \"warn\", \"attr:log.record.uid\": \"e7\", \"attr:sitrep.event_type\": \"request\", \"attr:sitrep.latency_ms\": 10.5, \"body\": null, \"host\": \"$H\", \"service\": \"api\", \"severity_number\": 13, \"severity_text\": \"warn\", \"time_ms\": $((BASE + 7))}"
check "e1 severity" "$(CHK record e1 | jq -c '[.severity_number, .severity_text]')" '[9,"INFO"]'
check "token sent" "$(CHK header authorization)" "Bearer s3cret-otlp-token"
check "header sent" "$(CHK header x-scope-orgid)" "tenant-7"
check "header with spaces" "$(CHK header x-extra)" "two words"
check "header from the file" "$(CHK header x-api-key)" "k3y-s3cret"
check "content type" "$(CHK header content-type)" "application/json"

# gauges: the KPIs and this machine's metrics, under sitrep.*
has_gauges() {
	CHK gauges >"$T/gauges"
	grep -qx sitrep.kpi.events "$T/gauges" && grep -qx sitrep.cpu.busy_pct "$T/gauges"
}
wait_for "gauges" has_gauges
for g in sitrep.kpi.events sitrep.kpi.cpu sitrep.kpi.mem sitrep.cpu.busy_pct sitrep.mem.used_pct sitrep.cpu.count; do
	grep -qx "$g" "$T/gauges" || fail "no gauge $g in $(tr '\n' ' ' <"$T/gauges")"
done
echo "ok gauges"
# a per-core metric's instance is an attribute named as /metrics' label
[ "$(CHK gauge sitrep.cpu.busy_pct core=0)" != None ] ||
	fail "no sitrep.cpu.busy_pct{core=0}"
wait_for '/metrics: sitrep_cpu_busy_ratio{core="0"}' \
	metrics_has '^sitrep_cpu_busy_ratio\{core="0"\} '
echo "ok core attribute"
wait_for "health: 30 sent" health_is \
	'.otlp_export.logs.sent == 30 and .otlp_export.logs.dropped.queue_full == 0'
wait_for "/metrics: 30 sent" \
	metrics_has '^sitrep_otlp_export_sent_total\{signal="logs"\} 30$'
grep -q s3cret "$T/h" "$T/m" && fail "token in /api/health or /metrics"

# the collector goes away: 20 events (< 50) wait and all arrive later
wait_for "logs idle" logs_idle
stop_receiver
post_events 31 50
retrying() { [ "$(health | jq -r '.otlp_export.state')" = retrying ]; }
wait_for "retrying" retrying
check "health degraded" "$(health | jq -r .status)" degraded
health_is '.otlp_export.last_error | test("Connection refused|connect")' ||
	fail "last_error: $(jq -c .otlp_export.last_error "$T/h")"
start_receiver
wait_for "50 records" count_is 50
check "after restart" "$(CHK count)" 50
check "distinct after restart" "$(CHK uids | sort -u | wc -l)" 50
wait_for "logs idle" logs_idle

# away again: 80 events into a queue of 50, so 30 are dropped
stop_receiver
post_events 51 130
wait_for "30 dropped" metrics_has \
	'^sitrep_otlp_export_dropped_total\{signal="logs",reason="queue_full"\} 30$'
check "queued" "$(health | jq .otlp_export.logs.queued)" 50
check "health dropped" "$(health | jq .otlp_export.logs.dropped.queue_full)" 30
start_receiver
wait_for "100 records" count_is 100
check "records in all" "$(CHK count)" 100
check "distinct in all" "$(CHK uids | sort -u | wc -l)" 100
# the backlog keeps the newest 50 (the oldest are skipped): e81..e130
{ seq 1 50; seq 81 130; } | sed 's/^/e/' | sort >"$T/want"
CHK uids >"$T/got"
diff "$T/want" "$T/got" || fail "ids differ after the overflow"

# a partialSuccess from the collector counts as rejected
wait_for "logs idle" logs_idle
echo 2 >"$T/rx/partial"
post_events 131 135
rejected() { [ "$(health | jq .otlp_export.logs.dropped.rejected)" = 2 ]; }
wait_for "2 rejected" rejected
health_is '.otlp_export.last_error | test("rejected 2 of 5")' ||
	fail "last_error: $(jq -c .otlp_export.last_error "$T/h")"
echo "ok partial success"

# 503 is retried until the collector takes the records: none lost
wait_for "logs idle" logs_idle
n0=$(CHK count)
echo 503 >"$T/rx/status"
post_events 136 137
wait_for "retrying on 503" retrying
rm "$T/rx/status"
wait_for "two more records" count_is $((n0 + 2))
check "e137 after 503" "$(CHK uids | grep -cx e137)" 1
# 400 is not retried: those records are dropped as rejected
wait_for "logs idle" logs_idle
echo 400 >"$T/rx/status"
post_events 138 140
rejected5() { [ "$(health | jq .otlp_export.logs.dropped.rejected)" = 5 ]; }
wait_for "5 rejected" rejected5
check "idle after 400" "$(health | jq .otlp_export.logs.queued)" 0
rm "$T/rx/status"
check "nothing of e138-e140" "$(CHK uids | grep -cE '^e1(38|39|40)$')" 0

kill "$SPID"
wait "$SPID" || fail "serve exited $?: $(cat "$T/serve.log")"
grep -q s3cret "$T/serve.log" && fail "token or key in the log"

# the console exports too: events piped into it arrive as records
tmux_open otlp
for i in 1 2 3 4 5; do
	printf '{"event_id":"c%d","service":"console","status":200}\n' "$i"
done >"$T/console.jsonl"
tm new-session -d -s c -x 120 -y 40 \
	"cat '$T/console.jsonl' | '$SITREP' --db '$T/cdb' --config '$T/conf' --no-mouse --otlp-export 'http://127.0.0.1:$R'; echo EXITED \$? >'$T/cexit'; sleep 30"
console_sent() { [ "$(CHK uids | grep -c '^c[1-5]$')" = 5 ]; }
wait_for "console records" console_sent
check "console service" "$(CHK record c3 | jq -r .service)" console
tm send-keys -t c q
wait_for "console exit" test -s "$T/cexit"
check "console exit" "$(cat "$T/cexit")" "EXITED 0"

# a password in the URL is never shown, not even in the error
Q=$(free_port)
D=$(free_port) # nothing listens there
"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$Q" \
	--accept-events --otlp-export "http://u:pw-s3cret@127.0.0.1:$D" \
	2>"$T/serve2.log" &
PIDS+=("$!")
wait_http "http://127.0.0.1:$Q/api/health"
P=$Q
post_events 1 1
wait_for "retrying (nothing listens)" retrying
health >"$T/h2"
grep -q pw-s3cret "$T/h2" && fail "password in /api/health: $(cat "$T/h2")"
check "url masked" "$(jq -r .otlp_export.url "$T/h2")" "http://u:***@127.0.0.1:$D"
jq -r .otlp_export.last_error "$T/h2" >"$T/le"
grep -qE "http://u:\*\*\*@127\.0\.0\.1:$D/v1/(logs|metrics)" "$T/le" ||
	fail "last_error: $(jq -r .otlp_export.last_error "$T/h2")"
echo "ok otlp_export"
