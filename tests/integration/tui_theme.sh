#!/usr/bin/env bash
# Themes and `--theme auto` (the default): the background comes from the
# terminal's answer to OSC 11 (tmux answers it from the pane's
# window-style), then from COLORFGBG, then the dark default; NO_COLOR
# draws no colour at all.  Which theme was taken is read from the help
# overlay's last line and from the colours of the header (the light
# theme's header is colour 24, the dark one's 235: tui/theme.c).
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuith
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
	tm_wait "$name" "stdin ENDED"
	tm send-keys -t "$name" '?'
	tm_wait "$name" "sitrep keys"
}
header_bg() { tm capture-pane -p -e -t "$1" | head -n 1 | grep -oE '48;5;(24|235)m' | head -n 1; }

run white 'bg=colour231' --
tm_wait white "theme auto: light, from the terminal's background (OSC 11)"
check "white pane: light header" "$(header_bg white)" "48;5;24m"

run black 'bg=colour16' COLORFGBG='0;15' --
tm_wait black "theme auto: default, from the terminal's background (OSC 11)"
check "black pane (COLORFGBG says light): dark header" "$(header_bg black)" "48;5;235m"

run fgbg '' COLORFGBG='0;15' --
tm_wait fgbg "theme auto: light, from COLORFGBG"
check "COLORFGBG 0;15: light header" "$(header_bg fgbg)" "48;5;24m"

run fgbgd '' COLORFGBG='15;default;0' --
tm_wait fgbgd "theme auto: default, from COLORFGBG"

run none '' --
tm_wait none "theme auto: default, from nothing"
check "no answer: dark header" "$(header_bg none)" "48;5;235m"

run nocolor 'bg=colour231' NO_COLOR=1 --
tm_wait nocolor "theme auto: mono, no colours"
check "NO_COLOR: no colour escapes" "$(tm capture-pane -p -e -t nocolor | grep -cE '\[(3|4)8;5;' || true)" 0

run forced 'bg=colour231' -- --theme default
check "--theme default on white: as asked" "$(header_bg forced)" "48;5;235m"
tm capture-pane -p -t forced | grep -q "theme auto" && fail "--theme default: no auto line"

run light '' -- --theme light
check "--theme light" "$(header_bg light)" "48;5;24m"
tm send-keys -t light q t
tm_wait light "theme: mono"

echo "tui_theme: ok"
