#!/usr/bin/env bash
# The console at several terminal sizes: no tile is cut ('~' marks a
# cut) at 120, 160 and 200 columns; the trend arrow sits by its own
# label; the status line's key hints are never cut; below 40 columns or
# 6 lines one terse line remains.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuis-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
wait_for() {	# SESSION TEXT
	for _ in $(seq 100); do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t "$1" >&2 || true
	fail "$1: screen never showed '$2'"
}

# a few events so the request tiles have values
now=$(( $(date +%s) * 1000 ))
for i in $(seq 30); do
	printf '{"ts":%d,"service":"alpha","endpoint":"/a","status":%d,"latency_ms":%d,"user_id":"u%d"}\n' \
		$((now - i * 1000)) $(( i % 10 ? 200 : 503 )) $((i * 7)) $((i % 4))
done >"$T/ev.jsonl"
for sz in 120x40 160x45 200x50 80x24 100x30 40x5 39x20; do
	w=${sz%x*} h=${sz#*x}
	tm new-session -d -s "s$sz" -x "$w" -y "$h" \
		"cat '$T/ev.jsonl' | env LANG=C.UTF-8 '$SITREP' --db '$T/$sz.db' --no-mouse; sleep 30"
done
for sz in 120x40 160x45 200x50 80x24 100x30; do
	wait_for "s$sz" "stdin ENDED"
	wait_for "s$sz" "alpha"
done
sleep 1.2
for sz in 120x40 160x45 200x50 80x24 100x30; do
	tm capture-pane -p -t "s$sz" >"$T/$sz.txt"
	w=${sz%x*}
	# tile rows: from the first label row (CPU) for 3 or 6 lines
	start=$(grep -n 'CPU' "$T/$sz.txt" | head -n 1 | cut -d: -f1)
	rows=3; [ "$w" -lt 110 ] && rows=6
	sed -n "${start},$((start + rows - 1))p" "$T/$sz.txt" >"$T/$sz.tiles"
	if grep -q '~' "$T/$sz.tiles"; then
		cat "$T/$sz.tiles" >&2
		fail "$sz: a tile is cut"
	fi
	# no arrow glued to the next tile's label
	if grep -qE '[↑↓→] [A-Za-z]' "$T/$sz.tiles"; then
		cat "$T/$sz.tiles" >&2
		fail "$sz: a trend arrow sits by the next tile's label"
	fi
	tail -n 1 "$T/$sz.txt" | grep -q '~' && fail "$sz: the status line is cut"
	tail -n 1 "$T/$sz.txt" | grep -q '^q quit  ? help' || fail "$sz: key hints"
	echo "ok $sz: tiles and status line fit"
done
# services and insights: side by side from 120 columns, stacked below
check "120: side by side" "$(grep -c ' Services .* Insights ' "$T/120x40.txt")" 1
check "100: stacked" "$(grep -c ' Services .* Insights ' "$T/100x30.txt")" 0
grep -q '^ Insights ' "$T/100x30.txt" || fail "100: insights below services"
# tiny: one line, nothing cut, the figures named
for sz in 40x5 39x20; do
	wait_for "s$sz" "cpu"
	line=$(tm capture-pane -p -t "s$sz" | head -n 1)
	grep -q '~' <<<"$line" && fail "$sz: the one-line status is cut: $line"
	grep -qE 'cpu [0-9.]+% mem [0-9.]+%' <<<"$line" || fail "$sz: cpu and mem: $line"
	check "$sz: nothing below the status line" "$(tm capture-pane -p -t "s$sz" | sed -n '2,$p' | tr -d ' \n')" ""
done
echo "tui_sizes: ok"
