#!/usr/bin/env bash
# Terminal capabilities in tmux: a 256-colour terminal gets 256-colour
# SGR sequences, an 8-colour one only the 8 basic colours, NO_COLOR none
# at all (attributes such as reverse only); and the mouse (SGR 1006
# reports typed into the pane): a click focuses a panel and picks a
# tile, the wheel scrolls the event log.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuiterm-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
wait_for() {	# SESSION TEXT
	for _ in $(seq 100); do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t "$1" >&2 || true
	fail "$1: screen never showed '$2'"
}
sgr() { tm capture-pane -e -p -t "$1" | grep -o $'\e\\[[0-9;]*m' | sort -u; }

tm new-session -d -s c256 -x 120 -y 40 "env TERM=xterm-256color '$SITREP' --db :memory: </dev/null; sleep 30"
tm new-session -d -s c8 -x 120 -y 40 "env TERM=xterm '$SITREP' --db :memory: </dev/null; sleep 30"
tm new-session -d -s none -x 120 -y 40 "env TERM=xterm-256color NO_COLOR=1 '$SITREP' --db :memory: </dev/null; sleep 30"
for s in c256 c8 none; do wait_for "$s" "Services"; done
sleep 0.5
sgr c256 >"$T/c256"
sgr c8 >"$T/c8"
sgr none >"$T/none"
# 256 colours: 38;5;N / 48;5;N sequences
grep -q '38;5;' "$T/c256" || fail "256: no 256-colour foreground"
grep -q '48;5;' "$T/c256" || fail "256: no 256-colour background"
echo "ok 256 colours used"
# 8 colours: basic 3N/4N only (39/49 are the defaults)
grep -q '5;' "$T/c8" && fail "8: a 256-colour sequence on an 8-colour terminal"
grep -qE '\[(0;)?(1;)?3[0-7]m|;3[0-7]m' "$T/c8" || fail "8: no basic foreground colour"
grep -qE '\[4[0-7]m|;4[0-7]m' "$T/c8" || fail "8: no basic background colour"
echo "ok 8 colours only"
# NO_COLOR: no colour at all, reverse video for the bars
grep -qE '5;|[[;]3[0-7]m|[[;]4[0-7]m|[[;]3[0-7];|[[;]4[0-7];' "$T/none" &&
	fail "NO_COLOR: a colour sequence: $(cat -v "$T/none" | tr '\n' ' ')"
grep -qE '\[7m|;7m|\[7;' "$T/none" || fail "NO_COLOR: no reverse video"
echo "ok NO_COLOR has no colour"
cmp -s "$T/c256" "$T/c8" && fail "256 and 8 colours drew the same"
tm kill-session -t c256; tm kill-session -t c8; tm kill-session -t none

# mouse: TERM=xterm reports in SGR 1006 form (kmous=\E[<)
now=$(( $(date +%s) * 1000 ))
for i in $(seq 40); do
	printf '{"ts":%d,"service":"alpha","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 1000))
done >"$T/ev.jsonl"
tm new-session -d -s m -x 120 -y 40 "cat '$T/ev.jsonl' | env TERM=xterm '$SITREP' --db '$T/m.db'; sleep 30"
wait_for m "stdin ENDED"
wait_for m "Chart: CPU"
scr() { tm capture-pane -p -t m; }
click() { tm send-keys -t m -l $'\e'"[<0;$(($2 + 1));$(($1 + 1))M"$'\e'"[<0;$(($2 + 1));$(($1 + 1))m"; }
wheel() { tm send-keys -t m -l $'\e'"[<$3;$(($2 + 1));$(($1 + 1))M"; }
# a click on the Memory tile's label picks it: the chart shows Memory
row=$(scr | grep -n 'Memory' | head -n 1 | cut -d: -f1)
col=$(scr | sed -n "${row}p" | awk '{ print index($0, "Memory") }')
click $((row - 1)) $((col - 1))
wait_for m "Chart: Memory"
echo "ok click picks a tile"
# a click on a service row focuses the services table: s then sorts it
row=$(scr | grep -n '^alpha ' | head -n 1 | cut -d: -f1)
click $((row - 1)) 2
tm send-keys -t m s
wait_for m "s sort: 4xx%"
echo "ok click focuses the services table"
# the wheel over the event log scrolls it back (no longer following)
row=$(scr | grep -n '^ Events ' | head -n 1 | cut -d: -f1)
scr | sed -n "${row}p" | grep -q "following" || fail "log should follow at first"
wheel $((row + 2)) 10 64
wait_for m "G follow"
wheel $((row + 2)) 10 65
wheel $((row + 2)) 10 65
wait_for m "following"
echo "ok wheel scrolls the log"
echo "tui_term: ok"
