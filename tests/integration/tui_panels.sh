#!/usr/bin/env bash
# The errors panel and the services table's 24 h window, in tmux at
# 120x40.  Fixture (made here): alpha 10 requests in the last 10 s, all
# 200; beta 6 requests 1..6 s ago, all 503 with "db timeout after N ms"
# (one pattern, N masked); old 6 requests 3 hours ago, one of them 503.
# Expected values are worked out here from the fixture.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuip-$$"
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

now=$(( $(date +%s) * 1000 ))
{
	for i in $(seq 10); do
		printf '{"ts":%d,"service":"alpha","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 1000))
	done
	for i in $(seq 6); do
		printf '{"ts":%d,"service":"beta","endpoint":"/b","status":503,"latency_ms":20,"message":"db timeout after %d ms"}\n' \
			$((now - i * 1000)) $((1000 + i * 7))
	done
	for i in $(seq 6); do
		st=200; [ "$i" = 3 ] && st=503
		printf '{"ts":%d,"service":"old","endpoint":"/o","status":%d,"latency_ms":30}\n' \
			$((now - 3 * 3600000 - i * 1000)) "$st"
	done
} >"$T/ev.jsonl"
first=$(date -d "@$(( (now - 6000) / 1000 ))" +%H:%M:%S)
last=$(date -d "@$(( (now - 1000) / 1000 ))" +%H:%M:%S)

tm new-session -d -s s -x 120 -y 40 \
	"cat '$T/ev.jsonl' | '$SITREP' --db '$T/db' --no-mouse; echo EXITED \$? >'$T/exit'; sleep 30"
wait_for "stdin ENDED"
wait_for " Errors "
wait_for "db timeout"
# the errors panel: count in the last hour, total, first, last, services
row=$(screen | grep -F "db timeout after <n> ms")
check "error pattern 1h" "$(awk '{ print $1 }' <<<"$row")" 6
check "error pattern total" "$(awk '{ print $2 }' <<<"$row")" 6
check "error pattern first seen" "$(awk '{ print $3 }' <<<"$row")" "$first"
check "error pattern last seen" "$(awk '{ print $4 }' <<<"$row")" "$last"
check "error pattern services" "$(awk '{ print $5 }' <<<"$row")" beta
check "one pattern" "$(screen | grep -cF 'db timeout after <n> ms')" 1
screen | grep -q "1 pattern " || fail "errors title should count 1 pattern"

# 5 min window: old (3 h ago) is not in the table; the title says [5m]
wait_for "Services  [5m]"
check "old not in 5m" "$(screen | awk '$1 == "old"' | wc -l)" 0
# 24 h from the store: old 6 requests, 1 of them 5xx; alpha 10; beta 6
tm send-keys -t s 4
wait_for "[24h from the store]"
sleep 0.3
check "old reqs (24h)" "$(screen | awk '$1 == "old" { print $2; exit }')" 6
check "old 5xx% (24h)" "$(screen | awk '$1 == "old" { print $5; exit }')" \
	"$(awk 'BEGIN { printf "%.1f%%", 100 / 6 }')"
check "alpha reqs (24h)" "$(screen | awk '$1 == "alpha" { print $2; exit }')" 10
check "beta reqs (24h)" "$(screen | awk '$1 == "beta" { print $2; exit }')" 6
check "beta 5xx% (24h)" "$(screen | awk '$1 == "beta" { print $5; exit }')" "100%"
# back to 1 h: the snapshot's window again
tm send-keys -t s 3
wait_for "Services  [1h]"

# Enter on the error pattern filters the log to beta's 5xx in its span:
# Tab from the tiles: chart, services, insights, events, errors
tm send-keys -t s Tab Tab Tab Tab Tab Enter
wait_for "events of error pattern"
wait_for "6 match"
check "filtered log: beta rows" "$(screen | awk '$2 == "beta" && $3 == "503"' | wc -l)" 6
check "filtered log: no alpha rows" "$(screen | awk '$2 == "alpha"' | wc -l)" 0
tm send-keys -t s q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "exit" "$(cat "$T/exit")" "EXITED 0"
echo "tui_panels: ok"
