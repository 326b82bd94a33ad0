#!/usr/bin/env bash
# HTTP figures for sitrep serve on loopback (prints, never fails on
# numbers): wrk req/s and p99 for /api/metrics/overview and /metrics,
# prometheus-node-exporter's /metrics as a peer when installed, and 500
# SSE clients each counting the overview events they receive.
# Targets: overview >= 20,000 req/s on 2 cores; /metrics >= 3x node-exporter.
# usage: bench/web_bench.sh [DURATION_S]   (SITREP=path to the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SITREP=${SITREP:-$PWD/${BUILD:-build}/sitrep}
D=${1:-5}
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT
command -v wrk >/dev/null || { echo "wrk not installed"; exit 77; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ulimit -n 4096 2>/dev/null || true

P=$(port)
"$SITREP" demo --fast --seed 1 --count 20000 > "$T/ev.jsonl"
# A fast tick first, so the tiles' histories fill (120 points) as they
# would after two minutes at 1 s; the figures are taken with full bodies.
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$P" --max-conns 2000 \
	--max-conns-per-ip 2000 --interval 100ms < "$T/ev.jsonl" 2>"$T/serve.log" &
PIDS+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$P/api/health" && break; sleep 0.1; done
for _ in $(seq 300); do
	h=$(curl -s "http://127.0.0.1:$P/api/metrics/overview?history=1" | jq '[.kpis[].history | length] | max // 0' 2>/dev/null || echo 0)
	[ "$h" -ge 120 ] && break
	sleep 0.1
done
echo "tile history points: $h"

run_wrk() {	# NAME URL
	wrk -t2 -c64 -d"${D}s" --latency "$2" > "$T/wrk" 2>&1
	local rps p99 size
	rps=$(awk '/^Requests\/sec/ {print $2}' "$T/wrk")
	p99=$(awk '$1 == "99%" {print $2}' "$T/wrk")
	size=$(curl -s "$2" | wc -c)
	printf '%-34s %10s req/s   p99 %8s   body %6d bytes\n' "$1" "$rps" "$p99" "$size"
	echo "$rps" > "$T/rps.$1"
}
echo "sitrep web bench: $(nproc) cores, wrk -t2 -c64 -d${D}s"
run_wrk overview "http://127.0.0.1:$P/api/metrics/overview"
run_wrk overview-history "http://127.0.0.1:$P/api/metrics/overview?history=1"
run_wrk sitrep-metrics "http://127.0.0.1:$P/metrics"
run_wrk health "http://127.0.0.1:$P/api/health"
if command -v prometheus-node-exporter >/dev/null; then
	NP=$(port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$NP" >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NP/metrics" && break; sleep 0.1; done
	run_wrk node-exporter-metrics "http://127.0.0.1:$NP/metrics"
	awk -v a="$(cat "$T/rps.sitrep-metrics")" -v b="$(cat "$T/rps.node-exporter-metrics")" \
		'BEGIN { printf "/metrics: sitrep / node-exporter = %.1fx (target >= 3x)\n", a / b }'
else
	echo "prometheus-node-exporter not installed: no peer figure"
fi
awk -v a="$(cat "$T/rps.overview")" 'BEGIN { printf "overview: %.0f req/s (target >= 20000 on 2 cores)\n", a }'

cc -O2 -o "$T/sse" bench/web_sse_clients.c
S=10
t0=$(curl -s "http://127.0.0.1:$P/api/health" | jq .tick)
"$T/sse" "$P" 500 "$S"
t1=$(curl -s "http://127.0.0.1:$P/api/health" | jq .tick)
echo "ticks published meanwhile: $((t1 - t0)) (each client should see about that many)"
ps -o rss=,time= -p "${PIDS[0]}" | awk '{printf "sitrep after the bench: rss %.1f MiB, cpu time %s\n", $1/1024, $2}'
