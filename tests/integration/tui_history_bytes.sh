#!/usr/bin/env bash
# [tui] history_bytes caps the frames kept for pause and time travel.
# At a 20 ms tick, after 100 ticks, the default (4 MiB, about 4 KiB a
# tick) keeps every tick; history_bytes = 20000 keeps only a few (a
# frame here holds at least its own ~600 bytes of numbers and the top
# processes), and never fewer than one.  The status line while paused
# says "N of M ticks kept".
source "$(dirname "$0")/lib.sh"
tmux_open histbytes
tick() { tm capture-pane -p -t "$1" | grep -o 'tick [0-9]*' | head -n 1 | awk '{ print $2 }'; }
kept() {
	tm send-keys -t "$1" Space
	tm_wait_re "$1" "of [0-9]+ ticks kept"
	tm capture-pane -p -t "$1" | grep -oE "of [0-9]+ ticks kept" | awk '{ print $2 }'
}
run() { # SESSION CONFIG
	tm new-session -d -s "$1" -x 120 -y 40 \
		"'$SITREP' --db :memory: --no-mouse --interval 20ms --config '$2' </dev/null; sleep 30"
	for _ in $(seq 300); do [ "$(tick "$1")" -ge 100 ] 2>/dev/null && break; sleep 0.1; done
	[ "$(tick "$1")" -ge 100 ] || fail "$1: never reached tick 100"
}
: >"$T/default.conf"
printf '[tui]\nhistory_bytes = 20000\n' >"$T/small.conf"
"$SITREP" config --config "$T/small.conf" | grep -q '^history_bytes = 20000 ' ||
	fail "sitrep config shows history_bytes"
run d "$T/default.conf"
n=$(kept d)
[ "$n" -ge 100 ] || fail "default: every tick kept (got $n)"
echo "ok default: $n ticks kept"
run s "$T/small.conf"
n=$(kept s)
[ "$n" -ge 1 ] && [ "$n" -lt 40 ] || fail "history_bytes = 20000: a few ticks kept (got $n)"
echo "ok history_bytes = 20000: $n ticks kept"
echo "tui_history_bytes: ok"
