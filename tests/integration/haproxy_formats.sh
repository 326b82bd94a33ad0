#!/usr/bin/env bash
# A real HAProxy (Debian's haproxy) on a free loopback port, in HTTP mode
# with option httplog, logs every request twice: to its stdout in the raw
# format (the bare HTTP log line) and as syslog (RFC 3164 header without
# a host, as /dev/log receives it) to a UDP socket on loopback, which a
# python3 reader writes to a file.  A bounded curl load goes to a real
# backend (python3's http.server: 200 and 404), a dead backend (503) and
# a denied path (403).
# sitrep parse --format haproxy (and auto) reads both captures, and
# ingest stores one; every value is checked against an independent
# python3 reading of the same lines.
source "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
need haproxy curl python3 sqlite3

PORT=$(free_port)
UP=$(free_port)
DEAD=$(free_port)
mkdir -p "$T/www/docs"
printf 'hello\n' >"$T/www/index.html"
printf '{"ok":true}\n' >"$T/www/docs/a.json"

python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$UP" \
	>"$T/upstream.out" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$UP/index.html"

# The syslog side: a UDP socket on loopback with a receive buffer that
# holds the whole load (HAProxy drops a log line a socket cannot take at
# once; a UNIX datagram socket holds only net.unix.max_dgram_qlen, 10 by
# default, datagrams), each datagram one line; its port goes to a file.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root)
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", 0))
out = open(sys.argv[2], "ab", buffering=0)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
while True:
    out.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$T/log.port" "$T/syslog.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/log.port" ] && break; sleep 0.1; done
[ -s "$T/log.port" ] || fail "no syslog socket"
LP=$(cat "$T/log.port")

cat >"$T/haproxy.cfg" <<EOF
global
	log stdout format raw local0
	log 127.0.0.1:$LP local0
defaults
	mode http
	log global
	option httplog
	retries 0
	timeout connect 2s
	timeout client 5s
	timeout server 5s
frontend web
	bind 127.0.0.1:$PORT
	http-request deny deny_status 403 if { path_beg /admin }
	use_backend dead if { path_beg /dead }
	default_backend app
backend app
	server s1 127.0.0.1:$UP
backend dead
	server d1 127.0.0.1:$DEAD
EOF
haproxy -c -f "$T/haproxy.cfg" >/dev/null || fail "haproxy rejects its config"
haproxy -db -f "$T/haproxy.cfg" >"$T/raw.log" 2>"$T/haproxy.err" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/index.html"

# The load: 30 requests of each kind in one curl run (bounded).
for i in $(seq 30); do
	for p in "docs/a.json?i=$i" "missing/$i" "dead/x" "admin/$i"; do
		printf 'url = "http://127.0.0.1:%s/%s"\noutput = /dev/null\n' "$PORT" "$p"
	done
done >"$T/curl.cfg"
curl -s -A 'load test/1.0 (sitrep)' -K "$T/curl.cfg" || fail "curl load failed"
kill "${PIDS[2]}"
wait "${PIDS[2]}" 2>/dev/null || true
N=$(grep -c . "$T/raw.log")
[ "$N" -ge 121 ] || fail "raw log has $N lines, want 121 or more: $(head -3 "$T/haproxy.err")"
for _ in $(seq 50); do
	[ "$(grep -c . "$T/syslog.log" 2>/dev/null)" -ge "$N" ] && break
	sleep 0.1
done
check "syslog lines" "$(grep -c . "$T/syslog.log")" "$N"
grep -q '^<[0-9]*>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* haproxy\[[0-9]*\]: ' "$T/syslog.log" ||
	fail "no syslog header: $(head -1 "$T/syslog.log")"
echo "ok haproxy logged $N requests raw and through syslog"

# want LOG FIELD: the field of every line as a JSON list, read by python3
# from HAProxy's documented HTTP log format (configuration manual 8.2.3):
# client:port [accept date] frontend backend/server TR/Tw/Tc/Tr/Ta status
# bytes ... "request"; a syslog header before it is skipped
want() {
	python3 - "$T/$1" "$2" <<'PY'
import json, re, sys
rx = re.compile(r'(?:^<\d+>\w{3} [ \d]\d [\d:]+ haproxy\[\d+\]: )?'
                r'\S+:\d+ \[[^]]+\] (\S+) ([^/ ]+)/\S+ [-\d]+/[-\d]+/[-\d]+/[-\d]+/(\+?-?\d+) '
                r'(-?\d+) .* "(\S+) (\S+) [^"]*"$')
out = []
for line in open(sys.argv[1]):
    m = rx.match(line.rstrip("\n"))
    assert m, line
    fe, be, ta, st, meth, uri = m.groups()
    out.append({"status": int(st), "service": be,
                "latency_ms": float(ta.lstrip("+")),
                "endpoint": uri.split("?")[0], "method": meth}[sys.argv[2]])
print(json.dumps(out))
PY
}

# parse LOG FORMAT: exit 0, and status, endpoint, latency (Ta), service
# (the backend) and method agree with python3
parse() {
	"$SITREP" parse --format "$2" "$T/$1" >"$T/out" 2>"$T/err"
	check "parse $1 --format $2 exit" "$?" 0
	python3 "$ROOT/tests/integration/json_check.py" "$T/out" \
		status "$(want "$1" status)" endpoint "$(want "$1" endpoint)" \
		latency_ms "$(want "$1" latency_ms)" service "$(want "$1" service)" \
		metadata.method "$(want "$1" method)" || fail "$1 as $2"
	echo "ok $1 as $2: status, endpoint, latency, service, method"
}
set +e
parse raw.log haproxy
parse syslog.log haproxy
parse syslog.log auto
parse raw.log auto
set -e
check "503s" "$(want raw.log status | python3 -c 'import json,sys; print(json.load(sys.stdin).count(503))')" 30
check "403s" "$(want raw.log status | python3 -c 'import json,sys; print(json.load(sys.stdin).count(403))')" 30

# ingest: every line stored, the errors and the latency sum
"$SITREP" ingest --db "$T/db" --retain 36500d --format haproxy "$T/syslog.log" \
	2>"$T/err" || fail "ingest: $(cat "$T/err")"
check "stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" "$N"
check "stored 5xx" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events WHERE status >= 500')" 30
check_near "latency sum (ms)" "$(sqlite3 "$T/db" 'SELECT total(latency_ms) FROM events')" \
	"$(want syslog.log latency_ms | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)))')" 1e-9
