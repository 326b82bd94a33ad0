#!/usr/bin/env bash
# tui_frame_writes: the console sends each frame to the terminal in one
# write, not in a write per cursor move (ncurses flushes after every move
# until the screen was once left and resumed) with a keyboard poll per
# line.  The console runs 6 ticks at 160x45 with the demo piped in and its
# database in memory, so its write calls are terminal writes (and a few
# wake-ups): /proc/PID/io's syscw, read until it exits, must stay under
# 20 a frame (6 frames, the first a full screen).  Before the fix it was
# about 80 a frame.
source "$(dirname "$0")/lib.sh"
tmux_open tuiw

tm new-session -d -s w -x 160 -y 45 \
	"env PS1='PROMPT\$ ' bash --norc --noprofile"
ln -s "$SITREP" "$T/console"
tm send-keys -t w "clear; '$SITREP' demo --rate 50 --seed 1 | '$T/console' --db :memory: --ticks 6; echo EXITED" Enter
pid=$(pid_of "^$T/console --db")
last=0
while [ -r "/proc/$pid/io" ]; do
	v=$(awk '$1 == "syscw:" { print $2 }' "/proc/$pid/io" 2>/dev/null)
	[ -n "$v" ] && last=$v
	sleep 0.05
done
tm_wait w "EXITED"
echo "write calls: $last for 6 frames"
[ "$last" -gt 0 ] || fail "no write call counted"
[ "$last" -le 120 ] || fail "$last write calls for 6 frames (more than 20 a frame)"
echo "tui_frame_writes: ok"
