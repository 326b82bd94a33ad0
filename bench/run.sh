#!/usr/bin/env bash
# `make bench`: ingest throughput of sitrep against a minimal baseline
# (getline + cJSON + one prepared INSERT, batches of 10,000, WAL), over the
# same demo events, and sitrep's peak RSS at 100k and 1M events.  Prints
# figures only; nothing here passes or fails on timing.  Then runs every
# other executable bench/*_bench.sh, then bench/abuse.sh.
# Environment: BUILD (build folder), BENCH_EVENTS (default 1000000),
# BENCH_RUNS (best of, default 3: the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP="$PWD/$BUILD/sitrep"
N=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# Peak RSS (KiB) of a command with stdin from a file: /usr/bin/time -v when
# present, else n/a.
peak_rss() {
	local in=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" <"$in" 2>"$W/time.txt" >/dev/null || true
		awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/time.txt"
	else
		echo "n/a"
	fi
}

echo "== ingest bench ($N events)"
cc -O2 -o "$W/baseline" bench/baseline_ingest.c \
	$(pkg-config --cflags --libs libcjson sqlite3 2>/dev/null || echo -lcjson -lsqlite3)
"$SITREP" demo --fast --seed 1 --count "$N" >"$W/events.jsonl"
head -n 100000 "$W/events.jsonl" >"$W/events100k.jsonl"
printf 'input: %s lines, %s bytes\n' "$(wc -l <"$W/events.jsonl")" \
	"$(wc -c <"$W/events.jsonl")"

# Warm the page cache so both read from memory.
cat "$W/events.jsonl" >/dev/null

# best NAME CMD...: run CMD (stdin: the events) RUNS times on a fresh
# database, print the best wall time in seconds.
best() {
	local b="" t0 t1 d
	for _ in $(seq "$RUNS"); do
		rm -f "$W"/run.db*
		t0=$(now); "$@" <"$W/events.jsonl"; t1=$(now)
		d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
		b=$(awk -v d="$d" -v b="$b" 'BEGIN { print (b == "" || d < b) ? d : b }')
	done
	echo "$b"
}

tb=$(best "$W/baseline" "$W/run.db")
base=$(rate "$N" 0 "$tb")
printf 'baseline (cJSON + sqlite, 1 thread): %8s events/s  (best of %s: %.2f s)\n' \
	"$base" "$RUNS" "$tb"

ts=$(best "$SITREP" ingest --db "$W/run.db" 2>"$W/ingest.txt")
sr=$(rate "$N" 0 "$ts")
printf 'sitrep ingest (stdin, fresh file DB): %8s events/s  (best of %s: %.2f s)\n' \
	"$sr" "$RUNS" "$ts"
tail -n 1 "$W/ingest.txt" | sed 's/^/  /'
awk -v s="$sr" -v b="$base" 'BEGIN { printf "ratio sitrep/baseline: %.2f (target >= 0.8)\n", s / b }'
stored=$(sqlite3 "$W/run.db" 'SELECT count(*) FROM events' 2>/dev/null || echo '?')
echo "stored by sitrep: $stored"

rm -f "$W"/rss*.db*
r100k=$(peak_rss "$W/events100k.jsonl" "$SITREP" ingest --db "$W/rss100k.db")
r1m=$(peak_rss "$W/events.jsonl" "$SITREP" ingest --db "$W/rss1m.db")
echo "sitrep ingest peak RSS: 100k events ${r100k} KiB, $N events ${r1m} KiB"

for b in bench/*_bench.sh; do
	[ -x "$b" ] || continue
	echo "== $b"
	BUILD="$BUILD" "$b" || echo "$b: exit $?"
done

# Server abuse (README, Reliability): health latency under hostile clients.
echo "== bench/abuse.sh"
BUILD="$BUILD" bench/abuse.sh || echo "bench/abuse.sh: exit $?"
# Hostile remote sources: memory and loop liveness per attack.
echo "== bench/hostile_sources.sh"
BUILD="$BUILD" bench/hostile_sources.sh || echo "bench/hostile_sources.sh: exit $?"
