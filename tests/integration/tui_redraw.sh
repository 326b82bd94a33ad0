#!/usr/bin/env bash
# Redraws: after any sequence of resizes (paused, with the help overlay
# open, while typing a filter) the screen equals a fresh instance started
# at that size on the same frozen data; Ctrl-L repaints a screen that
# something else wrote over.  The data: one `sitrep demo --fast` file with a fixed seed
# and end, the system read from the proc/sys fixtures, the replay clock;
# each instance is paused on the same kept tick (Home, then Right x4).
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuir
# the screen, without what moves with wall time while paused
screen() {
	tm capture-pane -p -t "$1" | sed -E 's/tick [0-9]+/tick N/;
		s/[0-9]+ of [0-9]+ ticks kept/N of N ticks kept/;
		s/-[0-9]+s/-Ns/g; s/sitrep [0-9.]+% cpu [0-9.]+ [kMG]?B/sitrep N/'
}
tick() { tm capture-pane -p -t "$1" | grep -o 'tick [0-9]*' | head -n 1 | awk '{ print $2 }'; }
FIX="$ROOT/tests/fixtures"
"$SITREP" demo --fast --seed 1 --count 1500 --end 2026-12-01T12:00:00Z >"$T/ev.jsonl"
# start NAME COLS LINES: an instance paused on kept tick 5
start() {
	tm new-session -d -s "$1" -x "$2" -y "$3" \
		"env TZ=UTC SITREP_PROC='$FIX/proc-busy/a' SITREP_SYS='$FIX/sys-busy/a' \
		'$SITREP' --db '$T/$1.db' --no-mouse --replay-clock --interval 200ms <'$T/ev.jsonl'; sleep 60"
}
pause() {
	tm_wait_re "$1" "stdin ENDED"
	for _ in $(seq 300); do
		[ "$(tick "$1")" -ge 8 ] 2>/dev/null && break
		sleep 0.1
	done
	tm send-keys -t "$1" Space
	tm_wait_re "$1" "PAUSED"
	tm send-keys -t "$1" Home
	tm send-keys -t "$1" -N 4 Right
	tm_wait_re "$1" "tick 5( |$)"
}
# same NAME REF WHAT: the two screens are equal
same() {
	local a b
	for _ in $(seq 30); do
		a=$(screen "$1"); b=$(screen "$2")
		[ "$a" = "$b" ] && { echo "ok $3"; return 0; }
		sleep 0.1
	done
	diff <(echo "$a") <(echo "$b") >&2 || true
	fail "$3: $1 differs from a fresh start ($2)"
}
resize() {	# SESSION then COLSxLINES...
	local s=$1 sz
	shift
	for sz in "$@"; do
		tm resize-window -t "$s" -x "${sz%x*}" -y "${sz#*x}"
		sleep 0.3
	done
}

start r 120 40		# resized while paused
start h 120 40		# resized with the help open
start p 120 40		# resized while typing a filter
start f1 120 40		# fresh, 120x40
start f2 100 30		# fresh, 100x30
for s in r h p f1 f2; do pause "$s"; done
same r f1 "paused, before any resize"

resize r 80x24 200x50 60x20 150x45 120x40
same r f1 "paused, resized 80x24 200x50 60x20 150x45 back to 120x40"
resize r 100x30
same r f2 "paused, resized to 100x30"

tm send-keys -t h '?'
tm send-keys -t f1 '?'
tm_wait_re h "sitrep keys"
resize h 70x20 200x50 120x40
same h f1 "help open, resized 70x20 200x50 back to 120x40"
tm send-keys -t h q
tm send-keys -t f1 q
same h f1 "help closed after the resizes"

tm send-keys -t p / 'service=vl'
tm send-keys -t f2 / 'service=vl'
tm_wait_re p "service=vl"
resize p 90x25 160x45 100x30
same p f2 "typing a filter, resized 90x25 160x45 to 100x30"
tm send-keys -t p Escape
tm send-keys -t f2 Escape
same p f2 "filter prompt left after the resizes"

# Ctrl-L: write over the pane behind the console's back, then repaint
tty=$(tm display-message -p -t f1 '#{pane_tty}')
printf '\033[5;5HGARBAGE GARBAGE GARBAGE\033[20;40HMORE GARBAGE' >"$tty"
tm capture-pane -p -t f1 | grep -q GARBAGE || fail "the garbage was not written"
tm send-keys -t f1 C-l
for _ in $(seq 30); do
	tm capture-pane -p -t f1 | grep -q GARBAGE || break
	sleep 0.1
done
tm capture-pane -p -t f1 | grep -q GARBAGE && fail "Ctrl-L left the garbage on screen"
same f1 h "Ctrl-L repaints the whole screen"

echo "tui_redraw: ok"
