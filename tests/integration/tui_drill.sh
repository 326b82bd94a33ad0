#!/usr/bin/env bash
# Insight drill-down in tmux.  Fixture (made here, timestamps at now):
# service pay 60 requests in the last 30 s, 40 of them 503 (every one
# whose index is not a multiple of 3); service web 30 requests, all 200.
# A config with only the error_rate rule (for = 0, so it fires on the
# first tick) makes error_rate:pay fire: 40/60 = 66.7 % >= crit 20 %.
# Enter shows the detail (numbers, description, recommendation,
# history), e filters the log to pay since first seen (all 60 pay
# events, no web event) and the chart shows pay's 5xx %.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
use_utf8_locale # the detail box is split on its border, U+2502

SOCK="sitrep-tuid-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
screen() { tm capture-pane -p -t s; }
wait_for() {
	for _ in $(seq "${2:-100}"); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	screen >&2 || true
	fail "screen never showed '$1'"
}

{
	for r in disk_fill inode_fill error_pattern ttft throughput latency \
	    silence cpu memory swap load iowait psi traffic heavy_user \
	    new_endpoint; do
		printf '[rule %s]\nenabled = no\n' "$r"
	done
	printf '[rule error_rate]\nfor = 0s\nmin_samples = 20\n'
} >"$T/only.conf"
now=$(( $(date +%s) * 1000 ))
{
	for i in $(seq 60); do
		st=503; [ $((i % 3)) = 0 ] && st=200
		printf '{"ts":%d,"service":"pay","endpoint":"/charge","status":%d,"latency_ms":40}\n' $((now - i * 500)) "$st"
	done
	for i in $(seq 30); do
		printf '{"ts":%d,"service":"web","endpoint":"/","status":200,"latency_ms":5}\n' $((now - i * 1000))
	done
} >"$T/ev.jsonl"
n5xx=$(grep -c '"service":"pay".*"status":503' "$T/ev.jsonl")
check "fixture: pay 5xx" "$n5xx" 40
value=$(awk -v n="$n5xx" 'BEGIN { printf "%.4g", n / 60 }')

tm new-session -d -s s -x 120 -y 40 \
	"cat '$T/ev.jsonl' | '$SITREP' --db '$T/db' --no-mouse --config '$T/only.conf'; echo EXITED \$? >'$T/exit'; sleep 30"
wait_for "stdin ENDED"
wait_for "1 firing"
screen | grep -q "\[CRIT\].*pay" || fail "a critical insight naming pay"

# focus the insights (Tab: chart, services, insights), Enter: detail
tm send-keys -t s Tab Tab Tab Enter
wait_for "Recommendation"
wait_for "History"
d=$(screen)
grep -q "rule error_rate  subject pay" <<<"$d" || fail "detail: rule and subject"
grep -q "value $value  threshold 0.2 " <<<"$d" || fail "detail: value $value and threshold 0.2"
grep -qE "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  firing   \[CRIT\] value $value" <<<"$d" ||
	fail "detail: history has the firing transition"
grep -q "40 of 60 requests" <<<"$d" || fail "detail: description with the fixture's counts"
rec=$(grep -A1 "Recommendation" <<<"$d" | tail -n 1 | awk -F'│' '{ gsub(/^ +| +$/, "", $2); print $2 }')
[ -n "$rec" ] || fail "detail: a recommendation under its heading"
echo "ok detail: rule, subject, value $value, threshold, description, recommendation, history"

# e: the log filtered to pay since first seen; the chart shows pay's 5xx %
tm send-keys -t s e
wait_for "60 match"
check "log: web rows" "$(screen | awk '$2 == "web"' | wc -l)" 0
[ "$(screen | awk '$2 == "pay"' | wc -l)" -gt 0 ] || fail "log: pay rows shown"
wait_for "Chart: 5xx % of pay (insight error_rate:pay"
# Esc in the log clears the filter and the chart goes back to the KPI
tm send-keys -t s Escape
wait_for "following"
screen | grep -q "Chart: 5xx % of pay" && fail "Esc should put the KPI chart back"
echo "ok Esc: filter cleared, KPI chart back"
tm send-keys -t s q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "exit" "$(cat "$T/exit")" "EXITED 0"
echo "tui_drill: ok"
