#!/usr/bin/env bash
# Time travel while paused reaches back 300 ticks and more, and every
# panel shows that moment.  The events (alpha, 10 requests, all 200) are
# written into a FIFO only once the screen shows tick 5 or later, so at
# tick 1 the services table and the event log are empty: that is known
# from the test's own order of steps, not from sitrep's output.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuit-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { exec 3>&- 2>/dev/null || true; tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
screen() { tm capture-pane -p -t s; }
wait_for() {
	for _ in $(seq "${2:-100}"); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	screen >&2 || true
	fail "screen never showed '$1'"
}
tick() { screen | grep -o 'tick [0-9]*' | head -n 1 | awk '{ print $2 }'; }
wait_tick() {
	for _ in $(seq 600); do
		[ "$(tick)" -ge "$1" ] 2>/dev/null && return 0
		sleep 0.1
	done
	fail "never reached tick $1"
}

mkfifo "$T/in"
tm new-session -d -s s -x 120 -y 40 \
	"'$SITREP' --db '$T/db' --no-mouse --interval 20ms <'$T/in'; echo EXITED \$? >'$T/exit'; sleep 30"
exec 3>"$T/in"
wait_tick 5
now=$(( $(date +%s) * 1000 ))
for i in $(seq 10); do
	printf '{"ts":%d,"service":"alpha","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 1000))
done >&3
exec 3>&-
wait_for "stdin ENDED"
wait_tick 340
tm send-keys -t s Space
wait_for "PAUSED -[0-9]+s"
live=$(tick)
check "live table: alpha" "$(screen | awk '$1 == "alpha" { print $2; exit }')" 10

# 300 steps back: 300 ticks earlier
tm send-keys -t s -N 300 Left
for _ in $(seq 100); do [ "$(tick)" = "$((live - 300))" ] && break; sleep 0.1; done
check "300 ticks back" "$(tick)" "$((live - 300))"
screen | grep -qE "^ PAUSED -[0-9]+s " || fail "header should say PAUSED -Ns"
screen | grep -qE "of [0-9]+ ticks kept" || fail "status should count the ticks kept"

# Home: the oldest tick kept is tick 1, before any event was written
tm send-keys -t s Home
for _ in $(seq 100); do [ "$(tick)" = 1 ] && break; sleep 0.1; done
check "oldest tick kept" "$(tick)" 1
check "tick 1: no alpha row" "$(screen | awk '$1 == "alpha"' | wc -l)" 0
screen | grep -q "no requests yet" || fail "tick 1: services should be empty"
check "tick 1: no event in the log" "$(screen | grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] alpha')" 0
screen | grep -q "1 of " || fail "status should say frame 1"

# End: the newest tick kept (ticks went on while paused), alpha back
tm send-keys -t s End
for _ in $(seq 100); do [ "$(tick)" -ge "$live" ] && break; sleep 0.1; done
[ "$(tick)" -ge "$live" ] || fail "End should show the newest tick"
echo "ok End shows the newest tick"
check "newest: alpha" "$(screen | awk '$1 == "alpha" { print $2; exit }')" 10
[ "$(screen | grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] alpha')" -gt 0 ] ||
	fail "newest: alpha events should be in the log"
tm send-keys -t s Space
wait_for "^ LIVE "
tm send-keys -t s q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "exit" "$(cat "$T/exit")" "EXITED 0"
echo "tui_travel: ok"
