#!/usr/bin/env bash
# Themes and `--theme auto` (the default): the background comes from the
# terminal's answer to OSC 11 (tmux answers it from the pane's
# window-style), then from COLORFGBG, then the dark default; NO_COLOR
# draws no colour at all.  Which theme was taken is read from the help
# overlay's last line and from the colours of the header (the light
# theme's header is colour 24, the dark one's 235: tui/theme.c).
source "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then
	[ "${CI:-}" = true ] && fail "tmux not installed"
	skip "tmux not installed"
fi
use_utf8_locale

SOCK="sitrep-tuith-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
wait_for() {	# SESSION TEXT
	for _ in $(seq 150); do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t "$1" >&2 || true
	fail "$1: screen never showed '$2'"
}
# run NAME STYLE ENV... -- ARGS...: the console in a pane whose
# background is STYLE ('' for tmux's default, which it does not report)
run() {
	local name=$1 style=$2 envs=() envq=
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	[ ${#envs[@]} -eq 0 ] || envq=$(printf '%q ' "${envs[@]}")
	# the console starts once the pane's style is set (it asks at start)
	tm new-session -d -s "$name" -x 120 -y 40 \
		"read -r _; env -u COLORFGBG -u NO_COLOR $envq \
		TERM=screen-256color '$SITREP' --db '$T/$name.db' --no-mouse $* </dev/null; sleep 30"
	tm set-option -t "$name" status off
	[ -z "$style" ] || tm set-option -t "$name" window-style "$style"
	tm send-keys -t "$name" Enter
	wait_for "$name" "stdin ENDED"
	tm send-keys -t "$name" '?'
	wait_for "$name" "sitrep keys"
}
header_bg() { tm capture-pane -p -e -t "$1" | head -n 1 | grep -oE '48;5;(24|235)m' | head -n 1; }

run white 'bg=colour231' --
wait_for white "theme auto: light, from the terminal's background (OSC 11)"
check "white pane: light header" "$(header_bg white)" "48;5;24m"

run black 'bg=colour16' COLORFGBG='0;15' --
wait_for black "theme auto: default, from the terminal's background (OSC 11)"
check "black pane (COLORFGBG says light): dark header" "$(header_bg black)" "48;5;235m"

run fgbg '' COLORFGBG='0;15' --
wait_for fgbg "theme auto: light, from COLORFGBG"
check "COLORFGBG 0;15: light header" "$(header_bg fgbg)" "48;5;24m"

run fgbgd '' COLORFGBG='15;default;0' --
wait_for fgbgd "theme auto: default, from COLORFGBG"

run none '' --
wait_for none "theme auto: default, from nothing"
check "no answer: dark header" "$(header_bg none)" "48;5;235m"

run nocolor 'bg=colour231' NO_COLOR=1 --
wait_for nocolor "theme auto: mono, no colours"
check "NO_COLOR: no colour escapes" "$(tm capture-pane -p -e -t nocolor | grep -cE '\[(3|4)8;5;' || true)" 0

run forced 'bg=colour231' -- --theme default
check "--theme default on white: as asked" "$(header_bg forced)" "48;5;235m"
tm capture-pane -p -t forced | grep -q "theme auto" && fail "--theme default: no auto line"

run light '' -- --theme light
check "--theme light" "$(header_bg light)" "48;5;24m"
tm send-keys -t light q t
wait_for light "theme: mono"

echo "tui_theme: ok"
