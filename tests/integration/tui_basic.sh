#!/usr/bin/env bash
# The console in a real terminal: tmux on a private socket at 120x40,
# a small fixture piped in, capture-pane read back.  Expected values are
# worked out here from the fixture (10 alpha requests in the last 10 s,
# all 200; 5 beta requests, all 503; 3 gamma requests 2 minutes ago),
# not taken from sitrep's output.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tui-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT

# wait_for TEXT [TRIES]: poll the pane until it shows TEXT (bounded)
wait_for() {
	local tries=${2:-100}
	for _ in $(seq "$tries"); do
		tm capture-pane -p -t s | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t s >&2 || true
	fail "screen never showed '$1'"
}
screen() { tm capture-pane -p -t s; }

# a bare sitrep whose stdout is not a terminal exits 2 with a hint
set +e
"$SITREP" --db "$T/x.db" </dev/null >/dev/null 2>"$T/err"
rc=$?
set -e
check "not a terminal: exit" "$rc" 2
grep -q "sitrep serve" "$T/err" || fail "no hint naming 'sitrep serve'"
"$SITREP" tui --help | grep -q -- "--layout" || fail "tui --help"
set +e
"$SITREP" tui --bogus >/dev/null 2>&1; rc=$?
set -e
check "bad option: exit" "$rc" 2

now=$(( $(date +%s) * 1000 ))
for i in $(seq 10); do
	printf '{"ts":%d,"service":"alpha","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 1000))
done >"$T/events.jsonl"
for i in $(seq 5); do
	printf '{"ts":%d,"service":"beta","endpoint":"/b","status":503,"latency_ms":20,"message":"upstream down"}\n' $((now - i * 1000))
done >>"$T/events.jsonl"
for i in 1 2 3; do
	printf '{"ts":%d,"service":"gamma","endpoint":"/g","status":404}\n' $((now - 120000 - i * 1000))
done >>"$T/events.jsonl"

tm new-session -d -s s -x 120 -y 40 \
	"cat '$T/events.jsonl' | '$SITREP' --db '$T/db' --no-mouse; echo EXITED \$? | tee '$T/exit'; sleep 30"
wait_for "beta"
wait_for "stdin ENDED"		# the pipe ended: the header says so
screen >"$T/s1"
# services table (name reqs req/s 4xx% 5xx% ...), 5 min window:
# alpha 10 requests, 0/10 5xx; beta 5 requests, 5/5 5xx; gamma 3, 3/3 4xx
check "alpha reqs" "$(awk '$1 == "alpha" { print $2; exit }' "$T/s1")" 10
check "beta reqs" "$(awk '$1 == "beta" { print $2; exit }' "$T/s1")" 5
check "gamma reqs" "$(awk '$1 == "gamma" { print $2; exit }' "$T/s1")" 3
check "beta 5xx%" "$(awk '$1 == "beta" { print $5; exit }' "$T/s1")" "100%"
check "alpha 5xx%" "$(awk '$1 == "alpha" { print $5; exit }' "$T/s1")" "0.0%"
check "gamma 4xx%" "$(awk '$1 == "gamma" { print $4; exit }' "$T/s1")" "100%"
grep -q "18 ev" "$T/s1" || fail "header should count 18 events from stdin"

# 1: one-minute window: gamma (2 minutes old) has no request in it
tm send-keys -t s 1
wait_for "[1m]"
check "alpha reqs (1m)" "$(screen | awk '$1 == "alpha" { print $2; exit }')" 10
check "gamma reqs (1m)" "$(screen | awk '$1 == "gamma" && $2 != "0" { print $2; exit }')" ""
tm send-keys -t s 2
wait_for "[5m]"

# / filter: status>=500 matches the 5 beta events
tm send-keys -t s / 's' 't' 'a' 't' 'u' 's' '>' '=' '5' '0' '0' Enter
wait_for "filter: status>=500"
screen | grep -q "5 match" || fail "filter should match 5 events"
tm send-keys -t s Escape
wait_for "following"

# space pauses, space resumes
tm send-keys -t s Space
wait_for "PAUSED"
tm send-keys -t s Space
wait_for " LIVE "

# Tab moves the focus (the focused title starts with '>'):
# focus the services panel (Tab until its title is focused), Enter: endpoints
for _ in $(seq 8); do
	screen | grep -q '^>Services' && break
	tm send-keys -t s Tab; sleep 0.2
done
screen | grep -q '^>Services' || fail "services panel never focused"
tm send-keys -t s s
wait_for "sort: 4xx%"
tm send-keys -t s Enter
wait_for "Endpoints of"
tm send-keys -t s Escape
wait_for ">Services"

# ? shows the help, any key closes it
tm send-keys -t s '?'
wait_for "sitrep keys"
tm send-keys -t s x
for _ in $(seq 50); do screen | grep -q "sitrep keys" || break; sleep 0.1; done
screen | grep -q "sitrep keys" && fail "help did not close"

# resize to 40x5: a single status line; back to 120x40: panels again
tm resize-window -t s -x 40 -y 5
wait_for "firing"
[ "$(screen | grep -c .)" -le 1 ] || fail "40x5 should show one line"
tm resize-window -t s -x 1 -y 1
sleep 0.5
tm resize-window -t s -x 120 -y 40
wait_for "Services"
wait_for "Events"

# NO_COLOR is honoured by the theme (t says so), and the screen still draws
tm send-keys -t s t
wait_for "theme:"

# q quits; the terminal is back (no alternate screen) and exit is 0
tm send-keys -t s q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "exit status" "$(cat "$T/exit")" "EXITED 0"
check "alternate screen off" "$(tm display -p -t s '#{alternate_on}')" 0
screen | grep -q "EXITED 0" || fail "shell output not visible after quit"

# the events reached the store: 18 rows
check "stored events" "$(sqlite3 "$T/db" 'select count(*) from events')" 18
echo "tui_basic: ok"
