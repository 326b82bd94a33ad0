#!/usr/bin/env bash
# Engine figures: insight evaluation per tick with 100 services x 100
# endpoints active (bench/engine_bench.c), and `sitrep insights --hours 48`
# over a database of BENCH_EVENTS (default 1,000,000) demo events.
# Prints figures only; nothing passes or fails on timing.
# Environment: BUILD (build folder), BENCH_EVENTS, BENCH_DB (reuse a db).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP="$PWD/$BUILD/sitrep"
N=${BENCH_EVENTS:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$W/engine_bench" \
	bench/engine_bench.c "$BUILD/libsitrep.a" \
	$(pkg-config --libs sqlite3 inih libcjson) -lm -lpthread
"$W/engine_bench"

DB=${BENCH_DB:-$W/insights.db}
if [ ! -s "$DB" ]; then
	"$SITREP" demo --fast --span 48h --count "$N" --seed 11 |
		"$SITREP" ingest --db "$DB" >/dev/null 2>&1
fi
best=999
for _ in 1 2 3; do
	t0=$(date +%s.%N)
	"$SITREP" insights --db "$DB" --hours 48 --json >"$W/out.json"
	t1=$(date +%s.%N)
	best=$(awk -v a="$t0" -v b="$t1" -v c="$best" \
		'BEGIN { d = b - a; print (d < c ? d : c) }')
done
printf 'sitrep insights --hours 48 over %d events: %.3f s (best of 3, target < 1 s), %d insights\n' \
	"$N" "$best" "$(jq length "$W/out.json")"
