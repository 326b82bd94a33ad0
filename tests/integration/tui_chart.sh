#!/usr/bin/env bash
# The chart's time axis fits the data: a few ticks into a run, the
# 1-minute chart of memory (never zero on a live machine) spreads them
# over its full width (the first chart column, right of the 8-column
# scale, is drawn) and its axis says how far back they go (-Ns, not
# -1m).  An errors panel with no pattern takes two lines, not its share.
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuic
screen() { tm capture-pane -p -t s; }
tick() { screen | grep -o 'tick [0-9]*' | head -n 1 | awk '{ print $2 }'; }
tm new-session -d -s s -x 120 -y 40 \
	"'$SITREP' --db :memory: --no-mouse --interval 200ms </dev/null; sleep 30"
for _ in $(seq 100); do [ "$(tick)" -ge 6 ] 2>/dev/null && break; sleep 0.1; done
[ "$(tick)" -ge 6 ] || fail "never reached tick 6"
# the chart: Tab from the tiles, Right to memory, 1: the 1-minute window
tm send-keys -t s Tab Right 1 Space
for _ in $(seq 50); do screen | grep -q 'Chart: Memory  \[1m\]' && break; sleep 0.1; done
screen | grep -q 'Chart: Memory  \[1m\]' || fail "the memory chart over 1 min"
axis=$(screen | sed -n '/^ *-[0-9]/{p;q}')
grep -qE '^ +-[0-9]+s +now$' <<<"$axis" || fail "the axis spans the data: '$axis'"
# the bottom chart row: the line above the axis, from column 9
bottom=$(screen | sed -n '/^ *-[0-9]/{x;p;q};h')
cell=$(cut -c 9 <<<"$bottom")
[ -n "$cell" ] && [ "$cell" != " " ] || fail "the first chart column is empty: '$bottom'"
echo "ok the chart uses its full width and its axis says ${axis%% now*}"
# no error pattern: the errors panel is its title and one line, the
# line after that is the next panel (or the status bar), not blank
after=$(screen | sed -n '/^ Errors /{n;n;p;q}')
[ -n "$(tr -d ' ' <<<"$after")" ] || fail "an empty errors panel keeps blank rows"
screen | sed -n '/^ Errors /{n;p;q}' | grep -q "no errors logged" || fail "errors: no errors logged"
echo "ok an empty errors panel takes two lines"
echo "tui_chart: ok"
