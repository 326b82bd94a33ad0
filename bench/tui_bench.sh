#!/usr/bin/env bash
# Cost of the console: sitrep with no events at a 1 s tick against htop,
# both in tmux at 200x50 for DURATION seconds (default 60), then sitrep
# with `sitrep demo --rate 1000` piped in.  Prints CPU seconds (utime +
# stime from /proc/PID/stat) and RSS (VmRSS) of each.  Figures only: no
# pass/fail.  Needs tmux and htop (Debian package htop).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-$PWD/$BUILD/sitrep}
DUR=${DURATION:-60}
SOCK="sitrep-bench-$$"
T=$(mktemp -d)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT
command -v tmux >/dev/null || { echo "tui_bench: tmux missing"; exit 0; }
tck=$(getconf CLK_TCK)

# measure NAME PATTERN: wait DUR s, then CPU s and RSS of the process
measure() {
	local name=$1 pat=$2 pid cpu0 cpu1 rss
	for _ in $(seq 50); do
		pid=$(pgrep -n -f -- "$pat") && break
		sleep 0.1
	done
	[ -n "${pid:-}" ] || { echo "$name: did not start"; return; }
	sleep 2	# start-up is not the steady state
	cpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep "$DUR"
	cpu1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	awk -v n="$name" -v c=$((cpu1 - cpu0)) -v t="$tck" -v d="$DUR" \
	    -v r="$rss" 'BEGIN { printf "%-28s cpu %6.2f s in %d s (%5.2f %%)  rss %6.1f MiB\n",
	    n, c / t, d, 100 * c / t / d, r / 1024 }'
}

tmux -L "$SOCK" new-session -d -s a -x 200 -y 50 \
	"'$SITREP' --db '$T/a.db' --interval 1s </dev/null; sleep 600"
measure "sitrep (no events, 1 s)" "--db $T/a.db"
tmux -L "$SOCK" kill-session -t a

if command -v htop >/dev/null; then
	tmux -L "$SOCK" new-session -d -s b -x 200 -y 50 "htop -d 10; sleep 600"
	measure "htop (1 s refresh)" "^htop -d 10"
	tmux -L "$SOCK" kill-session -t b
else
	echo "htop: not installed (apt-get install htop)"
fi

tmux -L "$SOCK" new-session -d -s c -x 200 -y 50 \
	"'$SITREP' demo --rate 1000 --seed 1 | '$SITREP' --db '$T/c.db'; sleep 600"
measure "sitrep (demo 1000 ev/s)" "--db $T/c.db"
tmux -L "$SOCK" kill-session -t c
