#!/usr/bin/env bash
# Attention: a firing critical puts a badge in the header whose words
# say it without colour (" 1 CRITICAL "), --bell rings the terminal bell
# (tmux flags the window), and a title too long for one row wraps at a
# word boundary onto a second.  Fixture (made here, timestamps at now):
# service payments-gateway-checkout-europe-west-primary 60 requests, 40
# of them 503; with only the error_rate rule (for = 0s) it fires
# critical on the first tick (40/60 = 66.7 % >= crit 20 %).
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuia
{
	only_rules error_rate
	printf '[rule error_rate]
for = 0s
min_samples = 20
'
} >"$T/only.conf"
svc=payments-gateway-checkout-europe-west-primary
now=$(( $(date +%s) * 1000 ))
for i in $(seq 60); do
	st=503; [ $((i % 3)) = 0 ] && st=200
	printf '{"ts":%d,"service":"%s","endpoint":"/charge","status":%d,"latency_ms":40}\n' $((now - i * 500)) "$svc" "$st"
done >"$T/ev.jsonl"
for s in bell quiet; do
	opt=; [ "$s" = bell ] && opt=--bell
	tm new-session -d -s "$s" -x 80 -y 30 \
		"cat '$T/ev.jsonl' | '$SITREP' --db '$T/$s.db' --no-mouse --config '$T/only.conf' $opt; sleep 30"
	tm set-option -t "$s" monitor-bell on
done
for s in bell quiet; do
	tm_wait "$s" "stdin ENDED"
	tm_wait "$s" "1 firing"
done
line1=$(tm capture-pane -p -t bell | head -n 1)
grep -qE '^ LIVE  1 CRITICAL ' <<<"$line1" || fail "header badge: $line1"
echo "ok header: ' 1 CRITICAL ' badge"
check "--bell: the window's bell flag" "$(tm display-message -p -t bell '#{window_bell_flag}')" 1
check "no --bell: no bell" "$(tm display-message -p -t quiet '#{window_bell_flag}')" 0

# the title wraps at a word: its first row ends with a whole word and
# the second row carries on; no '~' cut
scr=$(tm capture-pane -p -t bell)
row=$(grep -n '\[CRIT\]' <<<"$scr" | head -n 1 | cut -d: -f1)
first=$(sed -n "${row}p" <<<"$scr")
second=$(sed -n "$((row + 1))p" <<<"$scr")
grep -q '~' <<<"$first" && fail "the title is cut: $first"
title=$(tr -s ' ' <<<"${first#*\[CRIT\] } ${second}" | sed 's/^ //')
grep -qF "$svc" <<<"$title" || fail "the service name is not whole over two rows: '$first' / '$second'"
echo "ok title wrapped over two rows at a word boundary"

# ranking and the info cap: service shop, first seen 1000 s ago on /old,
# then 4 new endpoints /n1../n4 with 20 requests each in the last 100 s
# (new_endpoint: 4 info insights), and pay with 15 of 30 requests 503
# (error_rate: critical).  The list: the critical first, two info rows,
# then "+2 more info insights"; i shows them all.
{
	only_rules new_endpoint error_rate
	printf '[rule new_endpoint]\nfor = 0s\nmin_samples = 5\n'
	printf '[rule error_rate]\nfor = 0s\nmin_samples = 5\n'
} >"$T/rank.conf"
{
	for i in $(seq 20); do
		printf '{"ts":%d,"service":"shop","endpoint":"/old","status":200,"latency_ms":5}\n' $((now - 1000000 + i * 1000))
	done
	for e in 1 2 3 4; do
		for i in $(seq 20); do
			printf '{"ts":%d,"service":"shop","endpoint":"/n%d","status":200,"latency_ms":5}\n' $((now - 100000 + i * 1000 + e)) "$e"
		done
	done
	for i in $(seq 30); do
		st=200; [ $((i % 2)) = 0 ] && st=503
		printf '{"ts":%d,"service":"pay","endpoint":"/c","status":%d,"latency_ms":5}\n' $((now - 60000 + i * 1000)) "$st"
	done
} | sort -t: -k2 -n >"$T/rank.jsonl"
tm new-session -d -s rank -x 120 -y 40 \
	"'$SITREP' --db '$T/rank.db' --no-mouse --config '$T/rank.conf' <'$T/rank.jsonl'; sleep 30"
tm_wait rank "5 firing"
tm_wait rank "+2 more info insights (i shows them)"
ins=$(tm capture-pane -p -t rank | grep -oE '\[(CRIT|WARN|info)\]')
check "first row: the critical" "$(head -n 1 <<<"$ins")" "[CRIT]"
check "info rows shown" "$(grep -c '^\[info\]' <<<"$ins")" 2
# focus the insights (Tab: chart, services, insights), i: all of them
tm send-keys -t rank Tab Tab Tab i
for _ in $(seq 50); do
	tm capture-pane -p -t rank | grep -q "more info insight" || break
	sleep 0.1
done
tm capture-pane -p -t rank | grep -q "more info insight" && fail "i should show every info row"
echo "ok i: every info row"
echo "tui_attention: ok"
