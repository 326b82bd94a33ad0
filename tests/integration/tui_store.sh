#!/usr/bin/env bash
# tui_store: the console tells when its database cannot be written.  The
# database's folder is deleted (and a file put in its way, so it cannot
# be created again) under a running console: the bottom line must say
# "STORE FAILING: <reason>", in red where colour is on, and in words
# alone under NO_COLOR; nothing is written over the screen, and the line
# on the change is printed on stderr once the console quits.
source "$(dirname "$0")/lib.sh"
tmux_open tuis

for mode in colour mono; do
	d="$T/$mode"
	mkdir "$d"
	env=""
	[ "$mode" = mono ] && env="NO_COLOR=1"
	tm new-session -d -s "$mode" -x 120 -y 30 \
		"env PS1='PROMPT\$ ' bash --norc --noprofile"
	tm send-keys -t "$mode" "clear; $env '$SITREP' --db '$d/sub/db' </dev/null; echo EXITED" Enter
	tm_wait "$mode" "LIVE"
	screen_before=$(tm capture-pane -p -t "$mode")
	grep -q "STORE" <<<"$screen_before" && fail "$mode: STORE shown while ok"
	rm -rf "$d/sub"
	touch "$d/sub"
	tm_wait "$mode" "STORE FAILING: "
	line=$(tm capture-pane -p -t "$mode" | grep "STORE FAILING: ")
	grep -q "database" <<<"$line" || fail "$mode: no reason: $line"
	echo "ok $mode: $line"
	if [ "$mode" = colour ]; then
		# the line's cells carry red (SGR 31 or 91 or 38;5;160/196)
		tm capture-pane -e -p -t "$mode" | grep "STORE FAILING" |
			grep -qE $'\e\\[([0-9;]*;)?(31|91|38;5;(160|196))[;m]' ||
			fail "colour: the STORE FAILING line is not red"
		echo "ok colour: red"
	fi
	# nothing but the screen: no stderr line drawn over it
	tm capture-pane -p -t "$mode" | grep -q "^sitrep: store" &&
		fail "$mode: a stderr line over the screen"
	rm -f "$d/sub"
	for _ in $(seq 200); do
		tm capture-pane -p -t "$mode" | grep -q "STORE FAILING" || break
		sleep 0.1
	done
	tm capture-pane -p -t "$mode" | grep -q "STORE FAILING" &&
		fail "$mode: still failing once the path is free"
	echo "ok $mode: the line is gone once the store is written again"
	tm send-keys -t "$mode" q
	tm_wait "$mode" "EXITED"
	tm capture-pane -p -t "$mode" -S -50 |
		grep -q "^sitrep: store failing: database file '$d/sub/db' was deleted" ||
		{ tm capture-pane -p -t "$mode" >&2; fail "$mode: no stderr line after quitting"; }
	echo "ok $mode: stderr line after the console closed"
done
echo "tui_store: ok"
