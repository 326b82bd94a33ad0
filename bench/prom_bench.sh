#!/usr/bin/env bash
# CPU cost of a prom: source taking a 1 MB exposition (bench/prom_bench.c,
# built here against $BUILD/libsitrep.a): the parse, and the source's whole
# work on it with and without the series cap.  Prints figures only.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/libsitrep.a" ] || make -s "$BUILD/sitrep" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$T/prom_bench" bench/prom_bench.c \
	"$BUILD/libsitrep.a" -lm || { echo "prom_bench: build failed"; exit 1; }
"$T/prom_bench" "${PROM_BENCH_SCRAPES:-50}"
