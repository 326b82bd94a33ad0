#!/usr/bin/env bash
# Cardinality: BENCH_EVENTS (default 1,000,000) request events over as many
# distinct paths (half "/users/<n>/orders", which template to one endpoint,
# half "/t/<letters>", which do not and pass the endpoints cap), built
# with awk over the last 50 minutes.  Measures: `sitrep ingest`; `sitrep
# report` (best of 5); /api/summary answered by `sitrep serve` over that
# database (curl, best of 20); and the RSS growth of a fresh `sitrep
# serve` while it reads the same events on stdin (VmRSS once listening,
# then once every event is in and 10 /api/summary calls were answered),
# next to the same growth for the same events on one path (what the
# number of paths costs).  Prints figures only; nothing passes or fails
# on timing.
# Environment: BUILD (build folder) or SITREP (the binary), BENCH_EVENTS,
# BENCH_RUNS (report runs, default 5; /api/summary runs are 4 times that).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-"$PWD/$BUILD/sitrep"}
N=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-5}
W=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT

now() { date +%s.%N; }
best() {	# best wall time of $1 runs of a command, in seconds
	local runs=$1 b=999 t0 t1 d
	shift
	for _ in $(seq "$runs"); do
		t0=$(now); "$@" >/dev/null; t1=$(now)
		d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		b=$(awk -v a="$b" -v d="$d" 'BEGIN { print (d < a ? d : a) }')
	done
	echo "$b"
}
port() {	# a free loopback port
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}
up() {	# wait until the server answers (60 s)
	for _ in $(seq 300); do
		curl -fsS -o /dev/null "http://127.0.0.1:$1/api/health" 2>/dev/null && return
		sleep 0.2
	done
	echo "server on port $1 did not come up" >&2
	exit 1
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

LOG=$W/paths.jsonl
NOW=$(($(date +%s) * 1000))
awk -v n="$N" -v base=$((NOW - 3000000)) -v span=2990000 'BEGIN {
	for (i = 0; i < n; i++) {
		if (i % 2) p = "/users/" (1000000 + i) "/orders"
		else {	# letters only: no template applies
			p = "/t/"; k = i
			do { p = p sprintf("%c", 97 + k % 26); k = int(k / 26) } while (k > 0)
		}
		printf "{\"ts\":%.0f,\"service\":\"api\",\"endpoint\":\"%s\",\"status\":%d,\"latency_ms\":%d,\"user_id\":\"u%d\"}\n",
		    base + int(i * span / n), p, i % 50 ? 200 : 503, 1 + i % 300, i % 5000
	}
}' >"$LOG"
echo "== cardinality bench: $N events, $(awk -F'"endpoint":"' '{ split($2, a, "\""); print a[1] }' "$LOG" | sort -u | wc -l) distinct paths, $SITREP"

DB=$W/card.db
t0=$(now)
"$SITREP" ingest --db "$DB" "$LOG" 2>&1 | tail -n 1
t1=$(now)
printf 'ingest: %.2f s; ev_minute rows: %s; database %s bytes\n' \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	"$(sqlite3 "$DB" 'SELECT COUNT(*) FROM ev_minute')" "$(wc -c <"$DB")"

cat "$DB" >/dev/null	# warm the page cache
printf 'sitrep report --hours 2 (best of %s): %s s\n' "$RUNS" \
	"$(best "$RUNS" "$SITREP" report --db "$DB" --hours 2 --json)"
"$SITREP" report --db "$DB" --hours 2 --json >"$W/r.json"
printf '  report: %s requests, %s services, %s endpoints listed\n' \
	"$(jq '[.services[].requests] | add' "$W/r.json")" \
	"$(jq '.services | length' "$W/r.json")" \
	"$(jq '[.services[].top_endpoints[]] | length' "$W/r.json")"

P=$(port)
"$SITREP" serve --db "$DB" --listen "127.0.0.1:$P" --no-system </dev/null \
	2>"$W/serve1.log" &
PIDS+=($!)
up "$P"
URL="http://127.0.0.1:$P/api/summary?hours=2"
curl -fsS -o /dev/null "$URL"
b=999
for _ in $(seq $((RUNS * 4))); do
	t=$(curl -fsS -o /dev/null -w '%{time_total}' "$URL")
	b=$(awk -v a="$b" -v d="$t" 'BEGIN { print (d < a ? d : a) }')
done
printf '/api/summary (curl, best of %s): %.1f ms\n' $((RUNS * 4)) \
	"$(awk -v s="$b" 'BEGIN { print s * 1000 }')"
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

# serve_rss NAME LOG: a fresh serve reads LOG on stdin; its RSS growth
serve_rss() {
	local P SP r0 r1 n
	P=$(port)
	rm -f "$W/in" "$W/live.db"*
	mkfifo "$W/in"
	"$SITREP" serve --db "$W/live.db" --listen "127.0.0.1:$P" --no-system \
		<"$W/in" 2>"$W/serve2.log" &
	SP=$!
	PIDS+=($SP)
	exec 4>"$W/in"	# the writer end: serve waits on an open, empty stdin
	up "$P"
	sleep 2
	r0=$(rss_kib "$SP")
	cat "$2" >&4
	exec 4>&-
	for _ in $(seq 1200); do
		n=$(curl -fsS "http://127.0.0.1:$P/api/health" | jq '[.sources[].events] | add // 0')
		[ "$n" -ge "$N" ] && break
		sleep 0.5
	done
	for _ in $(seq 10); do
		curl -fsS -o /dev/null "http://127.0.0.1:$P/api/summary?hours=2"
	done
	sleep 3	# a few ticks: snapshots built over every entity
	r1=$(rss_kib "$SP")
	printf 'serve RSS, %s: %.1f MB listening, %.1f MB after %s events and 10 /api/summary: growth %.1f MB\n' \
		"$1" "$(awk -v k="$r0" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="$r1" 'BEGIN { print k / 1024 }')" "$n" \
		"$(awk -v a="$r0" -v b="$r1" 'BEGIN { print (b - a) / 1024 }')"
	kill "$SP"
	wait "$SP" 2>/dev/null || true
}
serve_rss "$N distinct paths" "$LOG"
sed 's/"endpoint":"[^"]*"/"endpoint":"\/same"/' "$LOG" >"$W/same.jsonl"
serve_rss "the same events on one path" "$W/same.jsonl"
