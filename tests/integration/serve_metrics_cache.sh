#!/usr/bin/env bash
# /metrics revalidates and compresses: its weak ETag is the FNV-1a 64 hash
# of the text (computed here in python), If-None-Match with it gives 304
# and no body, another tag gives the text; Accept-Encoding: gzip gives the
# same text gzipped (unless q=0), with Vary: Accept-Encoding on both.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
PORT=$(free_port)
B="http://127.0.0.1:$PORT"
# one tick an hour: the text stays the same while the test runs
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --interval 1h \
	--no-system </dev/null 2>"$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
for _ in $(seq 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$B/metrics")
	[ "$code" = 200 ] && break
	sleep 0.1
done
check "first GET" "$code" 200

curl -s -D "$T/h1" -o "$T/plain" "$B/metrics"
etag=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$T/h1")
want=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("W/\"%016x\"" % h)' "$T/plain")
check "ETag is the weak FNV-1a 64 of the text" "$etag" "$want"
grep -qi '^Vary: Accept-Encoding' "$T/h1" || fail "no Vary: Accept-Encoding"
grep -qi '^Cache-Control: no-cache' "$T/h1" || fail "no Cache-Control: no-cache"
grep -q '^sitrep_' "$T/plain" || fail "the text has no sitrep_ series"

# revalidation
check "If-None-Match same, status and body bytes" "$(curl -s -o /dev/null \
	-w '%{http_code} %{size_download}' -H "If-None-Match: $etag" "$B/metrics")" "304 0"
check "If-None-Match strong form" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "If-None-Match: \"x\", ${etag#W/}" "$B/metrics")" 304
check "If-None-Match other" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H 'If-None-Match: W/"0000000000000000"' "$B/metrics")" 200

# compression
curl -s -D "$T/h2" -o "$T/gz" -H 'Accept-Encoding: gzip' "$B/metrics"
grep -qi '^Content-Encoding: gzip' "$T/h2" || fail "no Content-Encoding: gzip"
gunzip -c "$T/gz" >"$T/unz" || fail "the gzip body does not decompress"
cmp -s "$T/unz" "$T/plain" || fail "gzip body differs from the text"
[ "$(wc -c <"$T/gz")" -lt "$(wc -c <"$T/plain")" ] || fail "gzip is not smaller"
echo "ok gzip: $(wc -c <"$T/gz") bytes for $(wc -c <"$T/plain")"
curl -s -D "$T/h3" -o "$T/q0" -H 'Accept-Encoding: gzip;q=0, identity' "$B/metrics"
! grep -qi '^Content-Encoding' "$T/h3" || fail "gzip;q=0 got gzip"
cmp -s "$T/q0" "$T/plain" || fail "gzip;q=0 body differs"
curl -s -D "$T/h4" -o /dev/null -H 'Accept-Encoding: br, gzip;q=0.5' "$B/metrics"
grep -qi '^Content-Encoding: gzip' "$T/h4" || fail "gzip;q=0.5 not served gzipped"
echo "serve_metrics_cache: ok"
