#!/usr/bin/env bash
# otlp_bench: how fast `sitrep serve --otlp-export` hands events to a
# collector, and what it costs.  Starts the stand-in receiver
# (tests/otlp_receiver.py, which parses every body with Python's json and
# writes it out) and `sitrep serve --accept-events --otlp-export`, posts N
# events (OTLP_N, default 20000) in POSTs of 1000 as fast as curl can,
# with [otlp] export_queue = N so none need be dropped, and prints the
# seconds from the first POST until the export queue is empty, the
# records received, dropped and per request, and sitrep's CPU seconds
# over the run (utime + stime).
# Figures only: nothing here passes or fails on timing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP="$PWD/$BUILD/sitrep"
N=${OTLP_N:-20000}
W=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
port() { echo $(( 20000 + RANDOM % 10000 )); }
R=$(port)
P=$(port)
mkdir "$W/rx"
python3 tests/otlp_receiver.py "$R" "$W/rx" &
pids+=("$!")
printf '[otlp]\nexport_queue = %d\n' "$N" >"$W/conf"
"$SITREP" serve --db "$W/db" --config "$W/conf" --listen "127.0.0.1:$P" \
	--accept-events --otlp-export "http://127.0.0.1:$R" 2>"$W/log" &
srv=$!
pids+=("$srv")
until curl -sf -o /dev/null "http://127.0.0.1:$P/api/health"; do sleep 0.1; done
until [ -f "$W/rx/ready" ]; do sleep 0.1; done
python3 - "$N" "$W" <<'PY'
import json, sys
n, w = int(sys.argv[1]), sys.argv[2]
for b in range(0, n, 1000):
    with open("%s/b%06d" % (w, b), "w") as f:
        json.dump([{"event_id": "b%d" % i, "service": "svc%d" % (i % 5),
                    "endpoint": "/e%d" % (i % 20), "status": 200,
                    "latency_ms": i % 100, "model": "m", "tokens_in": 10,
                    "tokens_out": 20} for i in range(b, min(n, b + 1000))], f)
PY
cpu() { awk '{ print $14 + $15 }' "/proc/$srv/stat"; }
hz=$(getconf CLK_TCK)
c0=$(cpu)
t0=$(date +%s.%N)
for f in "$W"/b*; do
	curl -sf -o /dev/null -H 'Content-Type: application/json' \
		--data-binary @"$f" "http://127.0.0.1:$P/api/events"
done
count() { python3 tests/otlp_check.py "$W/rx" count; }
logs() { curl -s "http://127.0.0.1:$P/api/health" | jq ".otlp_export.logs.$1"; }
until [ "$(logs queued)" = 0 ] && [ "$(logs sent)" -ge "$N" ] ||
	[ "$(logs 'dropped.queue_full + .otlp_export.logs.dropped.rejected')" -gt 0 ]; do
	sleep 0.05
done
t1=$(date +%s.%N)
c1=$(cpu)
echo "dropped: $(logs dropped | jq -c .)"
reqs=$(wc -l <"$W/rx/logs.jsonl")
awk -v n="$N" -v t0="$t0" -v t1="$t1" -v r="$reqs" -v c="$((c1 - c0))" -v hz="$hz" \
	-v got="$(count)" 'BEGIN {
	printf "otlp export: %d events posted, %d records received in %.2f s " \
	    "(%.0f records/s), %d requests (%.0f records each), sitrep CPU %.2f s\n",
	    n, got, t1 - t0, got / (t1 - t0), r, got / r, c / hz }'
