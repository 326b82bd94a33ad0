#!/usr/bin/env bash
# [layout] in the config file: the panels, their order and their share.
# panels = events:70%, chart:30% at 200x50: the header takes 2 lines and
# the status bar 1, leaving 47; the minimums are events 4 and chart 7
# (their largest preset slots), so 36 spare lines: events gets
# 36 * 70 / 100 = 25 more (29 lines, rows 2..30), the chart the rest
# (18 lines, from row 31).  No tiles, no services (not named).  A bad
# layout: the error on the status line and on stderr, the default layout
# (services shown); `sitrep config` shows the effective layout.
source "$(dirname "$0")/lib.sh"
tmux_open layoutconf

printf '[layout]\npanels = events:70%%, chart:30%%\n' >"$T/good.conf"
printf '[layout]\npanels = chart:25%%, bogus\n' >"$T/bad.conf"
printf '[layout]\npanels = chart:80%%, events:40%%\n' >"$T/over.conf"

out=$("$SITREP" config --config "$T/good.conf" 2>"$T/err")
grep -qx '; effective: events 70%, chart 30%' <<<"$out" ||
	fail "sitrep config: effective layout: $(grep -A1 '^\[layout' <<<"$out")"
[ ! -s "$T/err" ] || fail "sitrep config: no error for a good layout"
out=$("$SITREP" config --config "$T/bad.conf" 2>"$T/err")
grep -q "^; effective: the \[tui\] layout preset (\[layout\] panels: unknown panel 'bogus' (tiles, chart" <<<"$out" ||
	fail "sitrep config: a bad layout falls back to the preset"
grep -q "unknown panel 'bogus'" "$T/err" || fail "sitrep config: the error on stderr"
"$SITREP" config --config "$T/over.conf" 2>&1 >/dev/null |
	grep -q "the shares add up to 120 %, above 100 %" || fail "shares above 100 %"
echo "ok sitrep config: effective layout and errors"

tm new-session -d -s s -x 200 -y 50 \
	"'$SITREP' --db :memory: --no-mouse --config '$T/good.conf' </dev/null; sleep 30"
tm_wait s "Chart: "
scr=$(tm capture-pane -p -t s)
check "events title row" "$(grep -n '^.Events ' <<<"$scr" | cut -d: -f1)" 3
check "chart title row" "$(grep -n '^.Chart: ' <<<"$scr" | cut -d: -f1)" 32
grep -q '^.Services ' <<<"$scr" && fail "services is not in the layout"
grep -qE '^.CPU +Memory' <<<"$scr" && fail "tiles are not in the layout"
tm send-keys -t s '?'
tm_wait s "layout         [layout] events 70%, chart 30%"
tm send-keys -t s Escape
tm send-keys -t s q
tm kill-session -t s

tm new-session -d -s b -x 200 -y 50 \
	"'$SITREP' --db :memory: --no-mouse --config '$T/bad.conf' </dev/null 2>'$T/tui.err'; sleep 30"
tm_wait b "[layout] panels: unknown panel 'bogus'"
tm_wait b "Services "
tm send-keys -t b q
for _ in $(seq 50); do grep -q "unknown panel" "$T/tui.err" 2>/dev/null && break; sleep 0.1; done
grep -q "sitrep: \[layout\] panels: unknown panel 'bogus'.*; using the full layout" "$T/tui.err" ||
	fail "the console's stderr names the bad layout: $(cat "$T/tui.err")"
echo "ok a bad layout: the error and the default"
echo "tui_layout_conf: ok"
