#!/usr/bin/env bash
# Keys and input.  The `/` prompt keeps its text when the query is bad
# and shows the error on the same line; the cursor moves (Home, Left,
# Right) and typing goes in at it; Up recalls a filter applied before.
# With the log focused and the screen paused, Home and End go to the
# log's oldest and newest rows (the first and last lines of the demo
# file, their times read here with awk in UTC).
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuii
screen() { tm capture-pane -p -t s; }
status() { screen | tail -n 1; }
"$SITREP" demo --fast --seed 1 --count 300 --end 2026-12-01T12:00:00Z >"$T/ev.jsonl"
first=$(head -n 1 "$T/ev.jsonl" | grep -o '"timestamp":"[^"]*"' | cut -c 25-32)
last=$(tail -n 1 "$T/ev.jsonl" | grep -o '"timestamp":"[^"]*"' | cut -c 25-32)
tm new-session -d -s s -x 120 -y 40 \
	"TZ=UTC '$SITREP' --db '$T/db' --no-mouse --replay-clock <'$T/ev.jsonl'; sleep 60"
tm_wait s "stdin ENDED"

# a bad query: the text stays, the error is shown beside it
tm send-keys -t s / 'status>>5' Enter
tm_wait s "error:"
status | grep -q '^filter: status>>5 *  error: ' || fail "prompt after a bad query: $(status)"
echo "ok bad query: text kept, error inline"
# edit at the cursor: Ctrl-U, "servce=vllm", Home, 4 x Right, "i"
tm send-keys -t s C-u servce=vllm Home Right Right Right Right i
for _ in $(seq 50); do status | grep -q '^filter: service=vllm' && break; sleep 0.1; done
status | grep -q '^filter: service=vllm' || fail "cursor editing: $(status)"
screen | grep -q "error:" && fail "the error stays after editing"
tm send-keys -t s Enter
tm_wait s "filter: service=vllm"
echo "ok edited at the cursor and applied"
# Up recalls it
tm send-keys -t s / C-u Up
for _ in $(seq 50); do status | grep -q '^filter: service=vllm' && break; sleep 0.1; done
status | grep -q '^filter: service=vllm' || fail "Up: $(status)"
echo "ok Up recalls the filter applied"
tm send-keys -t s Escape
tm send-keys -t s Escape	# the log focused: clears its filter
tm_wait s "following"

# paused, log focused: Home the oldest row, End the newest
tm send-keys -t s Space
tm_wait s "PAUSED"
tm_focus s Events
logrow() { screen | sed -n '/^>Events/{n;p;q}' | awk '{ print $1 }'; }
tm send-keys -t s Home
for _ in $(seq 50); do [ "$(logrow)" = "$first" ] && break; sleep 0.1; done
check "Home: the oldest row" "$(logrow)" "$first"
tm send-keys -t s End
for _ in $(seq 50); do screen | sed -n '/^>Events/,/Errors/p' | grep -q "^$last " && break; sleep 0.1; done
screen | sed -n '/^>Events/,/Errors/p' | grep -q "^$last " || fail "End: the newest row $last not shown"
echo "ok End: the newest row"
echo "tui_input: ok"
