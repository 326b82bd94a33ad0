#!/usr/bin/env bash
# Keys and input.  The `/` prompt keeps its text when the query is bad
# and shows the error on the same line; the cursor moves (Home, Left,
# Right) and typing goes in at it; Up recalls a filter applied before.
# With the log focused and the screen paused, Home and End go to the
# log's oldest and newest rows (the first and last lines of the demo
# file, their times read here with awk in UTC).
source "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then
	[ "${CI:-}" = true ] && fail "tmux not installed"
	skip "tmux not installed"
fi
use_utf8_locale

SOCK="sitrep-tuii-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
screen() { tm capture-pane -p -t s; }
wait_for() {
	for _ in $(seq 150); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	screen >&2 || true
	fail "screen never showed '$1'"
}
status() { screen | tail -n 1; }
"$SITREP" demo --fast --seed 1 --count 300 --end 2026-12-01T12:00:00Z >"$T/ev.jsonl"
first=$(head -n 1 "$T/ev.jsonl" | grep -o '"timestamp":"[^"]*"' | cut -c 25-32)
last=$(tail -n 1 "$T/ev.jsonl" | grep -o '"timestamp":"[^"]*"' | cut -c 25-32)
tm new-session -d -s s -x 120 -y 40 \
	"TZ=UTC '$SITREP' --db '$T/db' --no-mouse --replay-clock <'$T/ev.jsonl'; sleep 60"
wait_for "stdin ENDED"

# a bad query: the text stays, the error is shown beside it
tm send-keys -t s / 'status>>5' Enter
wait_for "error:"
status | grep -q '^filter: status>>5 *  error: ' || fail "prompt after a bad query: $(status)"
echo "ok bad query: text kept, error inline"
# edit at the cursor: Ctrl-U, "servce=vllm", Home, 4 x Right, "i"
tm send-keys -t s C-u servce=vllm Home Right Right Right Right i
for _ in $(seq 50); do status | grep -q '^filter: service=vllm' && break; sleep 0.1; done
status | grep -q '^filter: service=vllm' || fail "cursor editing: $(status)"
screen | grep -q "error:" && fail "the error stays after editing"
tm send-keys -t s Enter
wait_for "filter: service=vllm"
echo "ok edited at the cursor and applied"
# Up recalls it
tm send-keys -t s / C-u Up
for _ in $(seq 50); do status | grep -q '^filter: service=vllm' && break; sleep 0.1; done
status | grep -q '^filter: service=vllm' || fail "Up: $(status)"
echo "ok Up recalls the filter applied"
tm send-keys -t s Escape
tm send-keys -t s Escape	# the log focused: clears its filter
wait_for "following"

# paused, log focused: Home the oldest row, End the newest
tm send-keys -t s Space
wait_for "PAUSED"
for _ in $(seq 10); do
	screen | grep -q '^>Events' && break
	tm send-keys -t s Tab
	sleep 0.2
done
screen | grep -q '^>Events' || fail "cannot focus the event log"
logrow() { screen | sed -n '/^>Events/{n;p;q}' | awk '{ print $1 }'; }
tm send-keys -t s Home
for _ in $(seq 50); do [ "$(logrow)" = "$first" ] && break; sleep 0.1; done
check "Home: the oldest row" "$(logrow)" "$first"
tm send-keys -t s End
for _ in $(seq 50); do screen | sed -n '/^>Events/,/Errors/p' | grep -q "^$last " && break; sleep 0.1; done
screen | sed -n '/^>Events/,/Errors/p' | grep -q "^$last " || fail "End: the newest row $last not shown"
echo "ok End: the newest row"
echo "tui_input: ok"
