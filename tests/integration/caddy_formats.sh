#!/usr/bin/env bash
# A real Caddy (Debian's caddy) on a free loopback port, with its admin
# API and automatic HTTPS off, writes its JSON access log (log { format
# json }) under a bounded curl load: static files, 404s, a 204, a real
# upstream (python3's http.server) and a dead one (502).  sitrep parse
# reads the log with --format caddy and in auto mode, and ingest stores
# it; every value is checked against python3's json reading of the same
# log (duration is float seconds, request.uri carries the query), and the
# unique users are GoAccess's visitors (address, day, agent).
source "$(dirname "$0")/lib.sh"
need caddy curl python3 sqlite3

PORT=$(free_port)
UP=$(free_port)
DEAD=$(free_port)
mkdir -p "$T/www/docs" "$T/home"
printf 'hello\n' >"$T/www/index.html"
printf '{"ok":true}\n' >"$T/www/docs/a.json"

python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$UP" \
	>"$T/upstream.out" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$UP/index.html"

cat >"$T/Caddyfile" <<EOF
{
	admin off
	auto_https off
	storage file_system $T/home/data
}
http://127.0.0.1:$PORT {
	log {
		output file $T/access.log
		format json
	}
	root * $T/www
	route {
		respond /empty 204
		handle_path /up/* {
			reverse_proxy 127.0.0.1:$UP
		}
		reverse_proxy /dead/* 127.0.0.1:$DEAD
		file_server
	}
}
EOF
HOME=$T/home XDG_DATA_HOME=$T/home XDG_CONFIG_HOME=$T/home \
	caddy run --adapter caddyfile --config "$T/Caddyfile" >"$T/caddy.out" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/index.html"

# The load: 30 requests of each kind in one curl run (bounded).
for i in $(seq 30); do
	for p in "docs/a.json?i=$i" "missing/$i" "up/index.html?i=$i" "dead/x" "empty"; do
		printf 'url = "http://127.0.0.1:%s/%s"\noutput = /dev/null\n' "$PORT" "$p"
	done
done >"$T/curl.cfg"
curl -s -A 'load test/1.0 (sitrep)' -K "$T/curl.cfg" || fail "curl load failed"
kill "${PIDS[1]}"
wait "${PIDS[1]}" 2>/dev/null || true
LOG=$T/access.log
N=$(grep -c . "$LOG")
[ "$N" -ge 151 ] || fail "access log has $N lines, want 151 or more: $(tail -3 "$T/caddy.out")"
echo "ok caddy wrote $N lines"

# want FIELD: the field of every line, read by python3's json module:
# status, request.uri without its query, duration (s) * 1000,
# request.method
want() {
	python3 - "$LOG" "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    j = json.loads(line)
    out.append({"status": j["status"],
                "endpoint": j["request"]["uri"].split("?")[0],
                "latency_ms": j["duration"] * 1000,
                "method": j["request"]["method"]}[sys.argv[2]])
print(json.dumps(out))
PY
}
check "502s logged" "$(want status | python3 -c 'import json,sys; print(json.load(sys.stdin).count(502))')" 30
check "204s logged" "$(want status | python3 -c 'import json,sys; print(json.load(sys.stdin).count(204))')" 30

set +e
for f in caddy auto; do
	"$SITREP" parse --format "$f" "$LOG" >"$T/out" 2>"$T/err"
	check "parse --format $f exit" "$?" 0
	python3 "$ROOT/tests/integration/json_check.py" "$T/out" \
		status "$(want status)" endpoint "$(want endpoint)" \
		latency_ms~ "$(want latency_ms)" metadata.request.method "$(want method)" ||
		fail "caddy as $f"
	echo "ok caddy as $f: status, endpoint, latency, method"
done
set -e

# ingest: every line stored, the errors and the latency sum
"$SITREP" ingest --db "$T/db" --retain 36500d --format caddy "$LOG" 2>"$T/err" ||
	fail "ingest: $(cat "$T/err")"
check "stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" "$N"
check "stored 5xx" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events WHERE status >= 500')" 30
check_near "latency sum (ms)" "$(sqlite3 "$T/db" 'SELECT total(latency_ms) FROM events')" \
	"$(want latency_ms | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)))')" 1e-9
# unique users: GoAccess's visitor (address, UTC day, agent), by python3
check "unique users" "$(sqlite3 "$T/db" 'SELECT count(DISTINCT user_id) FROM events')" \
	"$(python3 -c '
import json, sys
print(len({(j["request"]["remote_ip"], int(j["ts"] // 86400), j["request"]["headers"]["User-Agent"][0])
           for j in map(json.loads, open(sys.argv[1]))}))' "$LOG")"
