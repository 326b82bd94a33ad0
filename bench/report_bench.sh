#!/usr/bin/env bash
# `sitrep report --hours 24` over a database of BENCH_EVENTS (default
# 1,000,000) demo events spanning 48 h, against one direct SQL pass over
# the raw events of the same range (counts, distinct users/sessions,
# per-service counts and average latency: less than the report computes).
# Prints figures only; nothing passes or fails on timing.
# Environment: BUILD (build folder), BENCH_EVENTS, BENCH_DB (reuse a
# database built earlier instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP="$PWD/$BUILD/sitrep"
N=${BENCH_EVENTS:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

now() { date +%s.%N; }
best() {	# best wall time of 5 runs of a command, in seconds
	local b=999 t0 t1 d
	for _ in 1 2 3 4 5; do
		t0=$(now); "$@" >/dev/null; t1=$(now)
		d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		b=$(awk -v a="$b" -v d="$d" 'BEGIN { print (d < a ? d : a) }')
	done
	echo "$b"
}

DB=${BENCH_DB:-$W/report.db}
if [ ! -s "$DB" ]; then
	echo "== report bench: building $N events over 48 h"
	"$SITREP" demo --fast --seed 1 --span 48h --count "$N" |
		"$SITREP" ingest --db "$DB" 2>&1 | tail -n 1
fi
read -r n lo hi < <(sqlite3 -separator ' ' "$DB" 'SELECT COUNT(*), MIN(ts), MAX(ts) FROM events')
printf 'database: %s events over %.1f h, %s bytes\n' "$n" \
	"$(awk -v a="$lo" -v b="$hi" 'BEGIN { print (b - a) / 3600000 }')" "$(wc -c <"$DB")"

# The last 24 h of the data, not minute-aligned at either end.
to=$((hi - 777))
from=$((to - 86400000 + 12345))
cat "$DB" >/dev/null	# warm the page cache for both
r=$(best "$SITREP" report --db "$DB" --from "$from" --to "$to" --json)
printf 'sitrep report (24 h of 48 h, rollups + exact edges): %s s\n' "$r"
sql="SELECT COUNT(*), COUNT(DISTINCT user_id), COUNT(DISTINCT session_id)
     FROM events WHERE ts >= $from AND ts < $to;
     SELECT service, COUNT(*), SUM(status BETWEEN 400 AND 499),
     SUM(status BETWEEN 500 AND 599), AVG(latency_ms) FROM events
     WHERE ts >= $from AND ts < $to GROUP BY service;"
s=$(best sqlite3 "$DB" "$sql")
printf 'direct SQL pass over raw events (subset of the numbers): %s s\n' "$s"
awk -v r="$r" -v s="$s" 'BEGIN { if (r > 0) printf "speed-up: %.1fx (target: report < 0.2 s)\n", s / r }'
# The same totals both ways (a sanity line, not a test).
"$SITREP" report --db "$DB" --from "$from" --to "$to" --json |
	jq -r '"report: \(.total_events) events, \(.unique_users) users, \(.unique_sessions) sessions"'
sqlite3 -separator ' ' "$DB" "SELECT 'sql:    ' || COUNT(*) || ' events, ' ||
	COUNT(DISTINCT user_id) || ' users, ' || COUNT(DISTINCT session_id) ||
	' sessions' FROM events WHERE ts >= $from AND ts < $to"
