#!/usr/bin/env bash
# A fatal signal with the console up (kill -ABRT, kill -SEGV) leaves a
# usable terminal: alternate screen off, cursor shown, mouse reporting
# and keypad mode off, the terminal modes back (what is typed echoes),
# and the process dies of the signal (exit status 128 + signal), or of
# the sanitizer's report that was the action before.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuif-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
flags() { tm display -p -t s '#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{keypad_cursor_flag}'; }

tm new-session -d -s s -x 100 -y 30 "env PS1='PROMPT\$ ' bash --norc --noprofile"
for sig in ABRT SEGV; do
	num=$(kill -l "$sig")
	tm send-keys -t s "clear; '$SITREP' --db '$T/$sig.db' </dev/null; echo STATUS \$? >'$T/rc'" Enter
	for _ in $(seq 100); do
		[ "$(flags)" = "1 0 1 1" ] && break
		sleep 0.1
	done
	check "$sig: console up (alt screen, no cursor, mouse, keypad)" "$(flags)" "1 0 1 1"
	sleep 0.3
	pid=$(pgrep -f -- "--db $T/$sig.db" | head -n 1)
	[ -n "$pid" ] || fail "$sig: no sitrep process"
	kill -"$sig" "$pid"
	for _ in $(seq 100); do [ -s "$T/rc" ] && break; sleep 0.1; done
	want="STATUS $((128 + num))"
	# under ASan the earlier SEGV action is the sanitizer's report,
	# which exits with ASAN_OPTIONS' exitcode (99, tests/run.sh)
	if [ "${SAN:-0}" = 1 ] && [ "$sig" = SEGV ]; then want="STATUS 99"; fi
	check "$sig: died of the signal" "$(cat "$T/rc")" "$want"
	check "$sig: terminal restored" "$(flags)" "0 1 0 0"
	tm send-keys -t s "echo typed-$sig-back" Enter
	for _ in $(seq 50); do
		tm capture-pane -p -t s | grep -q "^typed-$sig-back" && break
		sleep 0.1
	done
	tm capture-pane -p -t s | grep -q "^PROMPT\$ echo typed-$sig-back" ||
		fail "$sig: the shell does not echo what is typed"
	tm capture-pane -p -t s | grep -q "^typed-$sig-back" ||
		fail "$sig: the shell did not run the command"
	echo "ok $sig: shell usable"
	rm -f "$T/rc"
done
echo "tui_fatal: ok"
