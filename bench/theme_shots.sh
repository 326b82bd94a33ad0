#!/usr/bin/env bash
# Pictures of the console in every theme on a white and on a black
# terminal: each theme in tmux at 120x40 on the same frozen data (a
# `sitrep demo --fast` file with a fixed seed and end, the proc/sys
# fixtures, the replay clock, paused), captured with `capture-pane -e`,
# turned into HTML by aha (Debian package aha) on the same background,
# and into a PNG by headless Chromium.  Writes doc/themes/THEME-BG.png
# (`--theme auto` takes light-white and default-black).  Not a test:
# `make` does not run it.  Usage: bench/theme_shots.sh [OUTDIR]
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-$PWD/$BUILD/sitrep}
OUT=${1:-doc/themes}
SOCK="sitrep-shots-$$"
T=$(mktemp -d)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT
for c in tmux aha chromium; do
	command -v "$c" >/dev/null || { echo "theme_shots: $c missing"; exit 1; }
done
tm() { tmux -L "$SOCK" "$@"; }
FIX="$PWD/tests/fixtures"
mkdir -p "$OUT"
"$SITREP" demo --fast --seed 1 --count 3000 --end 2026-12-01T12:00:00Z >"$T/ev.jsonl"
# shot THEME BG(white|black)
shot() {
	local theme=$1 bg=$2 s="$1-$2" style aha_bg=
	style='bg=colour231,fg=colour16'
	[ "$bg" = black ] && { style='bg=colour16,fg=colour231'; aha_bg=--black; }
	tm new-session -d -s "$s" -x 120 -y 40 \
		"read -r _; env LANG=C.UTF-8 TZ=UTC TERM=screen-256color \
		SITREP_PROC='$FIX/proc-busy/a' SITREP_SYS='$FIX/sys-busy/a' \
		'$SITREP' --db '$T/$s.db' --no-mouse --replay-clock --theme $theme <'$T/ev.jsonl'; sleep 60"
	tm set-option -t "$s" status off
	tm set-option -t "$s" window-style "$style"
	tm send-keys -t "$s" Enter
	for _ in $(seq 100); do
		tm capture-pane -p -t "$s" | grep -q "stdin ENDED" && break
		sleep 0.1
	done
	sleep 3
	tm send-keys -t "$s" Space
	sleep 0.5
	tm capture-pane -p -e -t "$s" |
		aha $aha_bg --title "sitrep, theme $theme on $bg" >"$T/$s.html"
	# aha's page: a 10 px margin; 120 x 40 cells of the default font
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1000,720 --screenshot="$OUT/$s.png" \
		"file://$T/$s.html" >/dev/null 2>&1
	echo "theme_shots: $OUT/$s.png"
}
for theme in default solar light mono; do
	for bg in white black; do
		shot "$theme" "$bg"
	done
done
