#!/usr/bin/env bash
# sitrep demo --llm-metrics: the synthetic vLLM /metrics is valid
# Prometheus text (promtool from Debian's prometheus package, and a strict
# parse in python), counters only go up, histogram buckets are cumulative,
# and the figures equal what the events written so far add up to (same
# models, same token counts).  Bad addresses and hostile requests get
# clear answers.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || skip "promtool not installed (Debian: prometheus)"
command -v python3 >/dev/null || skip "python3 not installed"
here=$(dirname "$0")

port=$(free_port)
"$SITREP" demo --rate 200 --seed 11 --llm-metrics "127.0.0.1:$port" \
	>"$T/events.jsonl" 2>"$T/demo.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$port/metrics"
for i in 1 2 3; do
	sleep 1
	curl -sf -D "$T/h$i" -o "$T/m$i" "http://127.0.0.1:$port/metrics" ||
		fail "scrape $i failed"
done
grep -qi '^content-type: text/plain; version=0.0.4' "$T/h3" ||
	fail "content type: $(grep -i content-type "$T/h3")"
echo "ok content type 0.0.4"
grep -q "vLLM metrics at http://127.0.0.1:$port/metrics" "$T/demo.log" ||
	fail "no address on stderr: $(cat "$T/demo.log")"

# promtool: no parse error (exit 1); its only lint is vLLM's own colons.
rc=0
promtool check metrics <"$T/m3" >"$T/lint" 2>&1 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "promtool: rc $rc: $(cat "$T/lint")"
other=$(grep -v "metric names should not contain ':'" "$T/lint" | grep -c . || true)
check promtool_other_problems "$other" 0

python3 "$here/demo_llm_metrics.py" "$T/events.jsonl" "$T/m1" "$T/m2" "$T/m3" ||
	fail "scrapes do not match the stream"

# Hostile or wrong requests: clear statuses, and the demo goes on serving.
check post "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$port/metrics")" 405
check other_path "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" 404
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; cat <&3 >/dev/null" || true
check still_serving "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" 200

# The port is taken: a clear error, exit 1; a bad address; not with --fast.
rc=0
"$SITREP" demo --llm-metrics "127.0.0.1:$port" --duration 1s >/dev/null 2>"$T/busy" || rc=$?
check busy_rc "$rc" 1
grep -q "cannot listen on '127.0.0.1:$port'" "$T/busy" || fail "busy: $(cat "$T/busy")"
rc=0
"$SITREP" demo --llm-metrics nonsense --duration 1s >/dev/null 2>"$T/bad" || rc=$?
check bad_addr_rc "$rc" 1
grep -q "nonsense" "$T/bad" || fail "bad address: $(cat "$T/bad")"
rc=0
"$SITREP" demo --fast --llm-metrics "127.0.0.1:$port" >/dev/null 2>"$T/fast" || rc=$?
check fast_rc "$rc" 2
