#!/usr/bin/env bash
# Hostile remote sources: one http:// source pointed at each attack of
# tests/hostile_httpd.py (an endless body, a 1 GB single line, a gzip bomb
# of 4 GB of zeros, a slow drip, a redirect loop, non-JSON, JSON nested
# 100,000 deep, an array of 3.5 million values), and a well-behaved
# endpoint for comparison.  Per attack, for SECS seconds (default 10):
#   - `sitrep serve`: peak RSS (VmHWM), the loop's ticks (from /api/health;
#     1 per second when the loop never stalls), the slowest /api/health
#     answer of a poll every 0.2 s, and the source's last_error;
#   - the console in tmux: how many distinct header clocks a capture every
#     0.25 s saw, over how many seconds (equal when it keeps redrawing).
# Each source polls every second with a 5 s timeout.  Prints figures only;
# nothing here passes or fails.
# Environment: BUILD (build folder), SITREP (another binary to compare),
# SECS.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-$PWD/$BUILD/sitrep}
SECS=${SECS:-10}
W=$(mktemp -d)
SOCK="sitrep-hostile-bench-$$"
PIDS=()
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

echo '{"service":"s","status":200}' >"$W/ev.jsonl"
HP=$(port)
python3 tests/hostile_httpd.py "$HP" "$W/ev.jsonl" "$W/http.log" u p t &
PIDS+=($!)
up "http://127.0.0.1:$HP/events"

echo "== hostile remote sources (${SECS} s each; every=1s&timeout=5s)"
printf '%-9s %9s %11s %10s %13s  %s\n' attack "peak RSS" "loop ticks" "health max" "console clocks" "last_error"
for a in events endless bigline gzipbomb drip redirect nonjson deep wide; do
	spec="http://127.0.0.1:$HP/$a#every=1s&timeout=5s"
	P=$(port)
	"$SITREP" serve --db "$W/$a.db" --listen "127.0.0.1:$P" --no-system \
		--source "$spec" </dev/null 2>"$W/serve.log" &
	SV=$!
	PIDS+=("$SV")
	up "http://127.0.0.1:$P/api/health"
	curl -s "http://127.0.0.1:$P/api/health" >"$W/h"
	t0=$(jq .tick "$W/h")
	u0=$(jq .uptime_s "$W/h")
	maxms=0
	end=$(( $(date +%s) + SECS ))
	while [ "$(date +%s)" -lt "$end" ]; do
		ms=$(curl -s -m 10 -o "$W/h" -w '%{time_total}' "http://127.0.0.1:$P/api/health" |
			awk '{ printf "%d", $1 * 1000 }')
		[ "$ms" -gt "$maxms" ] && maxms=$ms
		sleep 0.2
	done
	t1=$(jq .tick "$W/h")
	secs=$(jq -r --argjson u0 "$u0" '.uptime_s - $u0 | floor' "$W/h")
	err=$(jq -r '.sources[0].last_error // "-"' "$W/h" | cut -c1-70)
	hwm=$(awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$SV/status")
	kill "$SV"; wait "$SV" 2>/dev/null || true

	tmux -L "$SOCK" new-session -d -s s -x 200 -y 30 \
		"'$SITREP' --db '$W/tui-$a.db' --no-mouse --source '$spec' 2>/dev/null"
	sleep 1
	: >"$W/clocks"
	c0=$(date +%s.%N)
	for _ in $(seq $((SECS * 4))); do
		tmux -L "$SOCK" capture-pane -p -t s | head -n 1 |
			grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -n 1 >>"$W/clocks" || true
		sleep 0.25
	done
	csecs=$(awk -v a="$c0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
	redraws=$(sort -u "$W/clocks" | grep -c . || true)
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	printf '%-9s %9s %11s %7s ms %13s  %s\n' "$a" "$hwm" "$((t1 - t0)) in ${secs} s" \
		"$maxms" "$redraws in ${csecs} s" "$err"
done
