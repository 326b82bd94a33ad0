#!/usr/bin/env bash
# libcurl and libmicrohttpd are loaded on first use (core/dynlib.h): the
# binary does not name them (readelf), the console reading stdin maps
# neither of them nor the TLS libraries they bring (/proc/PID/maps), the
# console with a prom: source maps libcurl only, and serve with a prom:
# source maps both, scrapes the target and answers over HTTP.
source "$(dirname "$0")/lib.sh"
need readelf python3 sqlite3 curl
tmux_open dllibs
NET='libcurl|libmicrohttpd|libgnutls|libnghttp2|libssh2|libgssapi|libldap'

needed=$(readelf -d "$SITREP" | grep NEEDED || true)
echo "$needed" | grep -qE 'libc\.so' || fail "readelf shows no NEEDED libc: $needed"
! echo "$needed" | grep -E 'libcurl|libmicrohttpd' ||
	fail "the binary is linked with libcurl or libmicrohttpd"
echo "ok the binary does not name libcurl or libmicrohttpd"

maps() { awk '{ print $6 }' "/proc/$1/maps" | grep -E '\.so' | sort -u; }

# the console on stdin, drawing
tm new-session -d -s c -x 120 -y 40 \
	"'$SITREP' demo --rate 50 --seed 1 | '$SITREP' --db '$T/c.db' --no-mouse --interval 200ms; sleep 30"
tm_wait_re c 'tick [0-9]*[2-9]'
cp=$(pid_of "--db $T/c.db")
maps "$cp" >"$T/c.maps"
grep -q 'libncursesw' "$T/c.maps" || fail "console maps: no ncursesw (wrong process?)"
! grep -E "$NET" "$T/c.maps" || fail "the console on stdin maps a network library"
echo "ok the console on stdin maps none of $NET"

# a Prometheus target: a file served by python's http.server (.txt, so
# that it comes as text/plain, as a prom: source wants)
XP=$(free_port) SP=$(free_port)
mkdir "$T/www"
printf '# TYPE dl_gauge gauge\ndl_gauge 42\n' >"$T/www/metrics.txt"
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$XP") \
	>"$T/target.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$XP/metrics.txt"

# the console with a prom: source loads libcurl, not libmicrohttpd
tm new-session -d -s p -x 120 -y 40 \
	"'$SITREP' --db '$T/p.db' --no-mouse --interval 200ms --source 'prom:http://127.0.0.1:$XP/metrics.txt#job=t&every=250ms' </dev/null; sleep 30"
tm_wait_re p 'tick [0-9]*[2-9]'
pp=$(pid_of "--db $T/p.db")
for _ in $(seq 100); do maps "$pp" | grep -q libcurl && break; sleep 0.1; done
maps "$pp" >"$T/p.maps"
grep -q libcurl "$T/p.maps" || fail "the console with a prom: source has no libcurl"
! grep -q libmicrohttpd "$T/p.maps" || fail "the console maps libmicrohttpd"
echo "ok the console with a prom: source maps libcurl, not libmicrohttpd"

# serve with a prom: source: both libraries, the target scraped (prom.t.up
# stored as 1), HTTP answers
"$SITREP" serve --db "$T/s.db" --listen "127.0.0.1:$SP" \
	--source "prom:http://127.0.0.1:$XP/metrics.txt#job=t&every=250ms" \
	</dev/null 2>"$T/serve.log" &
SPID=$!
PIDS+=($SPID)
wait_http "http://127.0.0.1:$SP/api/health"
maps "$SPID" >"$T/s.maps"
grep -q libmicrohttpd "$T/s.maps" || fail "serve maps no libmicrohttpd"
grep -q libcurl "$T/s.maps" || fail "serve with a prom: source maps no libcurl"
echo "ok serve maps libmicrohttpd and libcurl"
v=
for _ in $(seq 300); do
	v=$(sqlite3 "$T/s.db" "SELECT value FROM samples WHERE name = 'prom.t.up' ORDER BY ts DESC LIMIT 1" 2>/dev/null || true)
	[ -n "$v" ] && break
	sleep 0.1
done
check "prom.t.up (the target scraped), stored by serve" "$v" 1.0
curl -sf "http://127.0.0.1:$SP/metrics" >"$T/metrics.txt" || fail "serve: /metrics does not answer"
grep -q '^sitrep_' "$T/metrics.txt" || fail "serve: /metrics has no sitrep_ series"
echo "ok serve answers /metrics"
echo "dl_libs: ok"
