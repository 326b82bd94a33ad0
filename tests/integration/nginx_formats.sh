#!/usr/bin/env bash
# A real nginx (Debian's nginx) on a free loopback port writes the same
# requests into three access logs: combined, the timed combined preset
# ($request_time $upstream_response_time $pipe) and the common "main"
# variant with rt=$request_time and the upstream times as key=value pairs.
# A bounded curl load hits static files, 404s, a 204, a real upstream
# (python3's http.server, so $request_time is not always 0) and a dead
# upstream (502).  sitrep parse reads each log with its preset, in auto
# mode and with the log_format declared as nginx:'...', and ingest stores
# the timed one; every value is checked against an independent awk
# reading of the same log.
source "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
need nginx curl python3 sqlite3

PORT=$(free_port)
UP=$(free_port)
DEAD=$(free_port)
mkdir -p "$T/www/docs" "$T/ngx/tmp"
printf 'hello\n' >"$T/www/index.html"
printf '{"ok":true}\n' >"$T/www/docs/a.json"
chmod -R a+rX "$T"

# The upstream: a real HTTP server, stopped by PID.
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$UP" \
	>"$T/upstream.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$UP/index.html"

TIMED='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time $pipe'
RT='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time"'
cat >"$T/ngx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 256; }
http {
	log_format timed '$TIMED';
	log_format rt '$RT';
	access_log $T/combined.log combined;
	access_log $T/timed.log timed;
	access_log $T/rt.log rt;
	client_body_temp_path $T/ngx/tmp/body;
	proxy_temp_path $T/ngx/tmp/proxy;
	fastcgi_temp_path $T/ngx/tmp/fastcgi;
	uwsgi_temp_path $T/ngx/tmp/uwsgi;
	scgi_temp_path $T/ngx/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $T/www;
		location /up/ { proxy_pass http://127.0.0.1:$UP/; }
		location /dead/ { proxy_pass http://127.0.0.1:$DEAD/; }
		location = /empty { return 204; }
	}
}
EOF
nginx -c "$T/ngx/nginx.conf" -p "$T/ngx" -e "$T/ngx/error.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/index.html"

# The load: 30 requests of each kind in one curl run (bounded).
for i in $(seq 30); do
	for p in "docs/a.json?i=$i" "missing/$i" "up/index.html?i=$i" "dead/x" "empty"; do
		printf 'url = "http://127.0.0.1:%s/%s"\noutput = /dev/null\n' "$PORT" "$p"
	done
done >"$T/curl.cfg"
curl -s -A 'load test/1.0 (sitrep)' -e 'http://ref.example/' -K "$T/curl.cfg" ||
	fail "curl load failed"
kill "${PIDS[1]}"
wait "${PIDS[1]}" 2>/dev/null || true
N=$(wc -l <"$T/timed.log")
[ "$N" -ge 151 ] || fail "access log has $N lines, want 151 or more"
for l in combined rt; do
	check "$l.log lines" "$(wc -l <"$T/$l.log")" "$N"
done
check "502s logged" "$(awk '$9 == 502' "$T/timed.log" | wc -l)" 30
echo "ok nginx wrote $N lines in each log"

# awk over the timed log (every log has the same requests in the same
# order): $9 status, $7 the target without its query, and the field
# after the user agent, $request_time in seconds
STATUS="[$(awk '{ printf "%s%s", s, $9; s="," }' "$T/timed.log")]"
PATHS="[$(awk '{ p = $7; sub(/\?.*/, "", p); printf "%s\"%s\"", s, p; s="," }' "$T/timed.log")]"
LAT="[$(awk -F'"' '{ split($7, t, " "); printf "%s%s", s, t[1] * 1000; s="," }' "$T/timed.log")]"
NULLS="[$(awk '{ printf "%snull", s; s="," }' "$T/timed.log")]"
NONZERO=$(awk -F'"' '{ split($7, t, " "); if (t[1] > 0) n++ } END { print n + 0 }' "$T/timed.log")
echo "ok $NONZERO lines with a \$request_time above 0"

# parse LOG FORMAT LATENCY: sitrep parse exits 0, and status, endpoint and
# latency agree with awk (json_check.py also rejects a duplicate key)
parse() {
	"$SITREP" parse --format "$2" "$T/$1" >"$T/out" 2>"$T/err"
	check "parse $1 --format ${2:0:20} exit" "$?" 0
	python3 "$ROOT/tests/integration/json_check.py" "$T/out" status "$STATUS" \
		endpoint "$PATHS" latency_ms "$3" || fail "$1 as $2"
	echo "ok $1 as ${2:0:20}: status, endpoint, latency"
}
set +e
parse combined.log combined "$NULLS"
parse combined.log auto "$NULLS"
parse timed.log timed_combined "$LAT"
parse timed.log auto "$LAT"
parse timed.log "nginx:$TIMED" "$LAT"
parse rt.log auto "$LAT"
parse rt.log "nginx:$RT" "$LAT"
set -e

# ingest: the store holds every line, the 5xx and the latency sum
"$SITREP" ingest --db "$T/db" --retain 36500d --format timed_combined \
	"$T/timed.log" 2>"$T/err" || fail "ingest: $(cat "$T/err")"
check "stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" "$N"
check "stored 5xx" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events WHERE status >= 500')" \
	"$(awk '$9 >= 500' "$T/timed.log" | wc -l)"
check_near "latency sum (ms)" "$(sqlite3 "$T/db" 'SELECT total(latency_ms) FROM events')" \
	"$(awk -F'"' '{ split($7, t, " "); s += t[1] } END { print s * 1000 }' "$T/timed.log")" 1e-9
# unique users (GoAccess's visitor: address, day, agent): the load's agent
# and wait_http's curl
check "unique users" "$(sqlite3 "$T/db" 'SELECT count(DISTINCT user_id) FROM events')" \
	"$(awk -F'"' '{ split($1, a, " "); print a[1], substr(a[4], 2, 11), $6 }' "$T/timed.log" | sort -u | wc -l)"
