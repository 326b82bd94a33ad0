#!/usr/bin/env bash
# `make fuzz`: run each libFuzzer harness (build/fuzz/fuzz-NAME, built
# from tests/fuzz/fuzz_NAME.c by `make fuzz`) for FUZZ_S seconds over a
# scratch corpus under build/fuzz/run/corpus/NAME, seeded from the test
# fixtures: tests/fuzz/seeds (*.txt for the line parsers, NAME/ for each
# harness), events from tests/fixtures/events-gen.awk, the keys of
# sitrep.conf.example and the query strings the integration tests send.
# Nothing is written into the repository.  FUZZ_JOBS harnesses run at a
# time (default 2); each prints its executions, crashes and corpus size;
# crash inputs land in build/fuzz/run/artifacts/NAME/ and make the run
# fail.
# Environment: FUZZ_S (seconds per harness, default 60), FUZZ_S_NAME
# (seconds for harness NAME, e.g. FUZZ_S_parse=600), FUZZ_ONLY (names,
# space-separated), FUZZ_JOBS.
set -euo pipefail
cd "$(dirname "$0")/../.."
S=${FUZZ_S:-60}
JOBS=${FUZZ_JOBS:-2}
OUT=build/fuzz/run
SEEDS=tests/fuzz/seeds

# The longest first, so the others share the second core beside it.
names=()
for f in tests/fuzz/fuzz_*.c; do
	n=${f#tests/fuzz/fuzz_}
	names+=("${n%.c}")
done
if [ -n "${FUZZ_ONLY:-}" ]; then
	read -r -a names <<<"$FUZZ_ONLY"
fi
secs() {
	local v="FUZZ_S_$1"
	echo "${!v:-$S}"
}
mapfile -t names < <(for n in "${names[@]}"; do
	echo "$(secs "$n") $n"; done | sort -k1,1nr -k2 | cut -d' ' -f2)

# seed NAME DIR: the seed corpus of harness NAME into DIR.
seed() {
	local n=$1 d=$2
	if [ -d "$SEEDS/$n" ]; then
		cp "$SEEDS/$n"/* "$d"/
	fi
	case $n in
	parse)
		cp "$SEEDS"/*.txt "$d"/
		awk -v n=400 -v seed=11 -f tests/fixtures/events-gen.awk |
			split -l 8 - "$d/fixture-events-"
		;;
	journald)
		cp "$SEEDS/journald.txt" "$d"/
		;;
	config)
		# sitrep.conf.example with every setting uncommented, by section
		sed -e 's/^# \([a-z_]* = .*\)/\1/' -e 's/^#;//' \
			sitrep.conf.example | awk -v d="$d" \
			'/^\[/ { f = d "/example-" ++k } { print > (f ? f : d "/example-0") }'
		;;
	webargs)
		grep -rhoE '/api/[a-z/]+\?[^"'"'"' ]+' tests/integration |
			sed 's/^[^?]*?//' | sort -u | split -l 1 - "$d/integration-"
		;;
	esac
}

run_one() {
	local n=$1 s bin=build/fuzz/fuzz-$1 max=4096
	s=$(secs "$n")
	[ "$n" = config ] && max=8192
	rm -rf "$OUT/corpus/$n" "$OUT/artifacts/$n"
	mkdir -p "$OUT/corpus/$n" "$OUT/artifacts/$n"
	seed "$n" "$OUT/corpus/$n"
	local t0=$SECONDS
	"$bin" -max_total_time="$s" -max_len="$max" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$n/" "$OUT/corpus/$n" \
		>"$OUT/$n.log" 2>&1 || true
	echo $((SECONDS - t0)) >"$OUT/$n.secs"
}

report() {
	local n=$1 execs crashes files bytes
	execs=$(awk '/^stat::number_of_executed_units/ { print $2 }' \
		"$OUT/$n.log")
	crashes=$(find "$OUT/artifacts/$n" -type f | wc -l)
	files=$(find "$OUT/corpus/$n" -type f | wc -l)
	bytes=$(du -sb "$OUT/corpus/$n" | cut -f1)
	printf '%-9s %5ss  executions %11s  crashes %s  corpus %s files, %s bytes\n' \
		"$n" "$(cat "$OUT/$n.secs")" "${execs:-?}" "$crashes" "$files" \
		"$bytes"
	if [ "$crashes" -gt 0 ]; then
		find "$OUT/artifacts/$n" -type f | sed 's/^/  input: /'
		grep -m1 -E 'ERROR: |runtime error|deadly signal' "$OUT/$n.log" |
			sed 's/^/  /' || true
		grep -m1 -E '#[0-9]+ .* in [a-zA-Z_]+ .*/(tests/fuzz|core|web|collectors)/' \
			"$OUT/$n.log" | sed 's/^ */  at: /' || true
		echo "  log: $OUT/$n.log"
		return 1
	fi
	[ -n "$execs" ] || { tail -n 5 "$OUT/$n.log"; return 1; }
}

mkdir -p "$OUT"
for n in "${names[@]}"; do
	[ -x "build/fuzz/fuzz-$n" ] || { echo "no build/fuzz/fuzz-$n (make fuzz builds it)"; exit 2; }
done
echo "fuzz: ${names[*]}, $JOBS at a time"
for n in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	run_one "$n" &
done
wait
rc=0
for n in "${names[@]}"; do
	report "$n" || rc=1
done
exit "$rc"
