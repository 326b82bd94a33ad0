#!/usr/bin/env bash
# CPU cost a tick of the LLM serving rules (bench/serving_bench.c, built
# here against $BUILD/libsitrep.a), for 4 and 20 models with a full hour
# of series each.  Prints figures only.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/libsitrep.a" ] || make -s "$BUILD/sitrep" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$T/serving_bench" \
	bench/serving_bench.c "$BUILD/libsitrep.a" \
	$(pkg-config --libs sqlite3 libcurl libcjson inih 2>/dev/null || echo -lsqlite3 -lcurl -lcjson -linih) \
	-lm -lpthread || { echo "serving_bench: build failed"; exit 1; }
for n in 4 20; do "$T/serving_bench" "$n"; done
