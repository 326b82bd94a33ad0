#!/usr/bin/env bash
# CPU cost of one sys collection pass (bench/sys_bench.c, built here against
# $BUILD/libsitrep.a), and htop's CPU per refresh for comparison when htop
# and tmux are installed.  Prints figures only.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/libsitrep.a" ] || make -s "$BUILD/sitrep" >/dev/null
T=$(mktemp -d)
trap 'tmux -L sysbench kill-server 2>/dev/null; rm -rf "$T"' EXIT
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$T/sys_bench" bench/sys_bench.c \
	"$BUILD/libsitrep.a" -ldl -lm || { echo "sys_bench: build failed"; exit 1; }
"$T/sys_bench" "${SYS_BENCH_PASSES:-500}"

# htop: run it in a detached tmux for a few refreshes (-d 10 = 1 s) and read
# its CPU time from /proc/PID/schedstat (ns; falls back to stat ticks).
if command -v htop >/dev/null && command -v tmux >/dev/null; then
	secs=${SYS_BENCH_HTOP_SECS:-6}
	tmux -L sysbench new-session -d -x 200 -y 50 "htop -d 10"
	sleep 1.5
	pid=$(pgrep -n -x htop -P "$(tmux -L sysbench display -p '#{pane_pid}' 2>/dev/null || echo 0)" 2>/dev/null ||
		tmux -L sysbench display -p '#{pane_pid}')
	cpu_ns() {
		if [ -r "/proc/$1/schedstat" ]; then cut -d' ' -f1 "/proc/$1/schedstat"
		else awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) * 1e9 / hz }' "/proc/$1/stat"; fi
	}
	a=$(cpu_ns "$pid"); sleep "$secs"; b=$(cpu_ns "$pid")
	awk -v a="$a" -v b="$b" -v s="$secs" 'BEGIN {
		printf "sys_bench: htop (-d 10)           %8.1f us CPU/refresh (%d s, 1 refresh/s)\n",
			(b - a) / 1000 / s, s }'
else
	echo "sys_bench: htop or tmux not installed, no comparison"
fi
