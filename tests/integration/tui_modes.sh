#!/usr/bin/env bash
# The console's modes in tmux: NO_COLOR + LANG=C (ASCII only, readable),
# --ascii, --layout, --ticks N, SIGTERM (clean exit, terminal restored,
# store flushed), the processes toggle, pause with time travel, insight
# detail, and the demo generator piped in.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"

SOCK="sitrep-tuim-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
wait_for() {
	local tries=${2:-100}
	for _ in $(seq "$tries"); do
		tm capture-pane -p -t "$S" | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t "$S" >&2 || true
	fail "screen never showed '$1'"
}
screen() { tm capture-pane -p -t "$S"; }
wait_exit() {
	for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done
	fail "sitrep did not exit"
}

now=$(( $(date +%s) * 1000 ))
for i in $(seq 20); do
	printf '{"ts":%d,"service":"caf\xc3\xa9","endpoint":"/x","status":200,"latency_ms":5}\n' $((now - i * 500))
done >"$T/ev.jsonl"

# NO_COLOR, LANG=C: no byte outside ASCII on screen, panels still there
S=a
tm new-session -d -s a -x 120 -y 40 \
	"cat '$T/ev.jsonl' | env NO_COLOR=1 LANG=C LC_ALL=C '$SITREP' --db '$T/a.db'; echo EXITED \$? | tee '$T/a.exit'; sleep 30"
wait_for "Services"
wait_for "caf?"		# non-ASCII data shown as '?' in the C locale
screen >"$T/a.txt"
if LC_ALL=C grep -q $'[\x80-\xff]' "$T/a.txt"; then fail "non-ASCII bytes under LANG=C"; fi
echo "ok LANG=C screen is ASCII"
tm send-keys -t a t
wait_for "no colours"		# t says why there is no colour theme
tm send-keys -t a q
wait_exit "$T/a.exit"
check "LANG=C exit" "$(cat "$T/a.exit")" "EXITED 0"

# --ascii in a UTF-8 locale: still only ASCII glyphs for sparks/charts
if locale -a 2>/dev/null | grep -qiE '^(C\.utf-?8|en_US\.utf-?8)$'; then
	loc=$(locale -a | grep -iE '^(C\.utf-?8|en_US\.utf-?8)$' | head -n 1)
	S=b
	tm new-session -d -s b -x 120 -y 40 \
		"env LANG=$loc LC_ALL=$loc '$SITREP' --db :memory: --ascii --ticks 3 </dev/null; echo EXITED \$? | tee '$T/b.exit'; sleep 30"
	wait_for "Services"
	screen | sed -n '1,6p' >"$T/b.txt"
	# tiles rows (sparklines) must be ASCII
	if LC_ALL=C grep -q $'[\x80-\xff]' "$T/b.txt"; then fail "--ascii drew non-ASCII"; fi
	echo "ok --ascii"
	# --ticks 3 ends by itself, exit 0
	wait_exit "$T/b.exit"
	check "--ticks exit" "$(cat "$T/b.exit")" "EXITED 0"
fi

# --layout events: the log fills the screen; p shows processes
S=c
tm new-session -d -s c -x 100 -y 30 \
	"'$SITREP' --db '$T/c.db' --layout events </dev/null; echo EXITED \$? | tee '$T/c.exit'; sleep 30"
wait_for "Events"
screen | grep -q "Services" && fail "events layout should not show services"
tm send-keys -t c p
wait_for "Processes"
wait_for "PID"
# SIGTERM: clean exit 0, terminal restored
pid=$(pgrep -f -- "--db $T/c.db" | head -n 1)
[ -n "$pid" ] || fail "no sitrep process"
kill -TERM "$pid"
wait_exit "$T/c.exit"
check "SIGTERM exit" "$(cat "$T/c.exit")" "EXITED 0"
check "alternate screen off after SIGTERM" "$(tm display -p -t c '#{alternate_on}')" 0

# the demo generator piped in; pause and step back in time; detail
S=d
"$SITREP" demo --fast --seed 1 --count 3000 >"$T/demo.jsonl"
tm new-session -d -s d -x 120 -y 40 \
	"cat '$T/demo.jsonl' | '$SITREP' --db '$T/d.db' --interval 500ms; echo EXITED \$? | tee '$T/d.exit'; sleep 30"
wait_for "litellm"
wait_for "stdin ENDED"
for _ in $(seq 100); do
	n=$(screen | grep -o 'tick [0-9]*' | awk '{ print $2 }')
	[ "${n:-0}" -ge 4 ] && break
	sleep 0.1
done
tm send-keys -t d Space
wait_for "PAUSED at"
tick() { screen | grep -o 'tick [0-9]*' | head -n 1 | awk '{ print $2 }'; }
t1=$(tick)
tm send-keys -t d Left Left
sleep 0.5
check "time travel steps back two ticks" "$(tick)" "$((t1 - 2))"
tm send-keys -t d Right
sleep 0.3
check "and forward one" "$(tick)" "$((t1 - 1))"
tm send-keys -t d Space
wait_for " LIVE "
tm send-keys -t d q
wait_exit "$T/d.exit"
check "demo exit" "$(cat "$T/d.exit")" "EXITED 0"
check "demo events stored" "$(sqlite3 "$T/d.db" 'select count(*) from events')" \
	"$(grep -c . "$T/demo.jsonl")"
echo "tui_modes: ok"
