#!/usr/bin/env bash
# The console's resources beside htop, in the same run: sitrep reading
# `sitrep demo --rate 50` and htop (1 s refresh), each in its own tmux
# session of 200x50, both running the whole time.  Every STEP seconds
# (default 60) it reads each one's CPU (utime + stime, /proc/PID/stat)
# and RSS (VmRSS), sitrep first and htop next, the order swapped each
# step, and prints a line per step; at the end sitrep's CPU against
# htop's, its RSS at the end, and how much its RSS moved over the second
# half (flat: the largest minus the smallest reading there).
# RES_DURATION: seconds (default 180; the issue's figure is
# RES_DURATION=3600).  Figures only: no pass/fail.  Needs tmux and htop.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-$PWD/$BUILD/sitrep}
DUR=${RES_DURATION:-180}
STEP=${RES_STEP:-60}
SOCK="sitrep-res-$$"
T=$(mktemp -d)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT
command -v tmux >/dev/null || { echo "tui_res_bench: tmux missing"; exit 0; }
command -v htop >/dev/null || { echo "tui_res_bench: htop missing (apt-get install htop)"; exit 0; }
tck=$(getconf CLK_TCK)

tmux -L "$SOCK" new-session -d -s a -x 200 -y 50 \
	"'$SITREP' demo --rate 50 --seed 1 | '$SITREP' --db '$T/res.db' --interval 1s; sleep 600"
tmux -L "$SOCK" new-session -d -s b -x 200 -y 50 "htop -d 10; sleep 600"
pid_of() {
	local p
	for _ in $(seq 50); do
		p=$(pgrep -n -f -- "$1") && { echo "$p"; return; }
		sleep 0.1
	done
}
sp=$(pid_of "--db $T/res.db --interval")
hp=$(pid_of "^htop -d 10")
[ -n "$sp" ] && [ -n "$hp" ] || { echo "tui_res_bench: did not start"; exit 0; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "== console resources beside htop (200x50, 1 s refresh, demo 50 ev/s, ${DUR} s)"
sleep 2 # start-up is not the steady state
s0=$(cpu "$sp") h0=$(cpu "$hp") sprev=$s0 hprev=$h0
: >"$T/rss"
for ((t = STEP; t <= DUR; t += STEP)); do
	sleep "$STEP"
	if (((t / STEP) % 2)); then
		s=$(cpu "$sp") r=$(rss "$sp") h=$(cpu "$hp") hr=$(rss "$hp")
	else
		h=$(cpu "$hp") hr=$(rss "$hp") s=$(cpu "$sp") r=$(rss "$sp")
	fi
	echo "$t $r" >>"$T/rss"
	awk -v t="$t" -v s=$((s - sprev)) -v h=$((h - hprev)) -v k="$tck" \
	    -v r="$r" -v hr="$hr" -v st="$STEP" 'BEGIN {
		printf "%5d s  sitrep cpu %5.2f s/%d s  rss %5.1f MiB  |  htop cpu %5.2f s/%d s  rss %5.1f MiB\n",
		    t, s / k, st, r / 1024, h / k, st, hr / 1024 }'
	sprev=$s hprev=$h
done
awk -v s=$((sprev - s0)) -v h=$((hprev - h0)) -v k="$tck" -v d="$DUR" \
    -v st="$STEP" '
	{ t[NR] = $1; r[NR] = $2 }
	END {
		lo = hi = r[NR]
		for (i = 1; i <= NR; i++)
			if (t[i] > d / 2) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
		printf "sitrep: cpu %.2f s per %d s, htop %.2f s: %.2fx htop\n",
		    s / k * st / d, st, h / k * st / d, (h > 0 ? s / h : 0)
		printf "sitrep: rss %.1f MiB at %d s; over the second half it moved %.1f MiB (%.1f..%.1f)\n",
		    r[NR] / 1024, d, (hi - lo) / 1024, lo / 1024, hi / 1024
	}' "$T/rss"
