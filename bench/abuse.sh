#!/usr/bin/env bash
# Server abuse: sitrep serve with its default limits while a poller on
# 127.0.0.1 asks /api/health every 50 ms (a new connection each time) and
# attackers connect from 127.0.0.2 .. 127.0.0.254, one phase after the
# other: 2,000 idle connections, 200 slowloris clients, 1,000 SSE clients
# that never read, a 100 MB POST body (with Content-Length, then chunked),
# a JSON document nested 100,000 deep, a 1M-key object, everything at
# once; then normal service (a posted event committed, the data routes
# answering).  Prints per phase the health latency (p50, p99, max, how
# many went unanswered) and the peak RSS of serve.  Figures only; the
# goal is health p99 < 1 s throughout.  Idle/slow/SSE attackers reopen
# at once what the server closes, so the machine is busy while it runs.
# usage: bench/abuse.sh [PHASE_SECONDS]   (default 10; SITREP=binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SITREP=${SITREP:-$PWD/${BUILD:-build}/sitrep}
D=${1:-10}
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT
command -v python3 >/dev/null || { echo "abuse: python3 not installed"; exit 77; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n)"
cc -O2 -std=c11 -Wall -Wextra -o "$T/ac" bench/abuse_clients.c
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

P=$(port)
B="http://127.0.0.1:$P"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$P" --accept-events \
	</dev/null 2>"$T/serve.log" &
SP=$!
PIDS+=("$SP")
for _ in $(seq 100); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
curl -sf -o /dev/null "$B/api/health" || { echo "abuse: serve did not start"; tail "$T/serve.log"; exit 1; }

# Peak RSS, sampled every 100 ms (KiB) into rss.log: "T_S KIB".
( t0=$(date +%s.%N); while kill -0 "$SP" 2>/dev/null; do
	r=$(awk '/^VmRSS/ { print $2 }' "/proc/$SP/status" 2>/dev/null || true)
	[ -n "$r" ] && echo "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }') $r"
	sleep 0.1
done ) > "$T/rss.log" &
PIDS+=($!)
"$T/ac" poll "$P" 100000 > "$T/poll.log" &
POLLER=$!
PIDS+=("$POLLER")
T0=$(date +%s.%N)
since() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
PHASES=()
# phase NAME CMD...: run CMD (bounded), record the span
phase() {
	local name=$1 a b; shift
	a=$(since)
	"$@" >"$T/phase.out" 2>&1 || true
	b=$(since)
	PHASES+=("$a $b $name")
	printf '%-28s %s\n' "$name" "$(tr '\n' ' ' <"$T/phase.out" | head -c 100)"
}
post() {	# post FILE [curl args]: the status, from 127.0.0.2
	curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}\n' --max-time 60 \
		-X POST -H 'Content-Type: application/json' --data-binary "@$1" "${@:2}" "$B/api/events" || true
}
head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > "$T/100m"
python3 -c 'import sys; n=100000; sys.stdout.write("["*n + "]"*n)' > "$T/nested"
python3 -c 'import sys; sys.stdout.write("{" + ",".join("\"k%d\":%d" % (i, i) for i in range(1000000)) + "}")' > "$T/1mkeys"
printf 'bodies: 100 MB, nested %s bytes, 1M keys %s bytes\n' "$(wc -c <"$T/nested")" "$(wc -c <"$T/1mkeys")"

echo "phase                        attacker's own count"
phase "baseline" sleep "$D"
phase "2000 idle connections" "$T/ac" idle "$P" 2000 "$D"
phase "200 slowloris" "$T/ac" slow "$P" 200 "$D"
phase "1000 SSE never reading" "$T/ac" sse "$P" 1000 "$D"
phase "100 MB POST (length)" post "$T/100m"
phase "100 MB POST (chunked)" post "$T/100m" -H 'Transfer-Encoding: chunked'
phase "nested 100000 deep" post "$T/nested"
phase "1M-key object" post "$T/1mkeys"
all() {
	"$T/ac" idle "$P" 2000 "$D" & local a=$!
	"$T/ac" slow "$P" 200 "$D" & local b=$!
	"$T/ac" sse "$P" 1000 "$D" & local c=$!
	post "$T/100m"; post "$T/nested"; post "$T/1mkeys"
	wait "$a" "$b" "$c"
}
phase "all at once" all
phase "after" sleep "$D"
kill "$POLLER" 2>/dev/null || true

# Normal service afterwards: a posted event is committed, routes answer.
alive=yes; kill -0 "$SP" 2>/dev/null || alive=no
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data '{"service":"after-abuse","status":200}' "$B/api/events" || true)
for _ in $(seq 50); do
	stored=$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service = 'after-abuse'" 2>/dev/null || echo 0)
	[ "$stored" = 1 ] && break
	sleep 0.1
done
routes=""
for r in /api/health /api/metrics/overview /api/events /metrics /; do
	routes="$routes $r=$(curl -s -o /dev/null -w '%{http_code}' "$B$r" || true)"
done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SP/status" 2>/dev/null || echo n/a)

echo
printf '| phase | health requests | p50 ms | p99 ms | max ms | unanswered | peak RSS MiB |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for ph in "${PHASES[@]}"; do
	read -r a b name <<<"$ph"
	# requests that started in the span
	awk -v a="$a" -v b="$b" '$1 >= a && $1 < b { print $2, $3 }' "$T/poll.log" | sort -n > "$T/lat"
	n=$(wc -l <"$T/lat")
	rss=$(awk -v a="$a" -v b="$b" '$1 >= a && $1 <= b + 0.2 && $2 > m { m = $2 } END { printf "%.1f", m / 1024 }' "$T/rss.log")
	if [ "$n" = 0 ]; then
		printf '| %s | 0 | | | | | %s |\n' "$name" "$rss"
		continue
	fi
	awk -v n="$n" -v name="$name" -v rss="$rss" '
		{ v[NR] = $1; if ($2 == 0) miss++ }
		END {
			p50 = v[int((n - 1) * 0.50) + 1]; p99 = v[int((n - 1) * 0.99) + 1]
			printf "| %s | %d | %.1f | %.1f | %.1f | %d | %s |\n", name, n, p50, p99, v[n], miss, rss
		}' "$T/lat"
done
echo
echo "serve alive afterwards: $alive; peak RSS (VmHWM) $(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
echo "after: POST /api/events $code, committed $stored of 1; routes:$routes"
echo "server log: $(grep -c . "$T/serve.log") lines; $(grep -m1 'closed to make room' "$T/serve.log" || echo 'no eviction line')"
grep -E 'libmicrohttpd|warning' "$T/serve.log" | sort | uniq -c | sort -rn | head -5 || true
