#!/usr/bin/env bash
# serve_otlp_store_full: the OTLP receiver while the store cannot write
# (its database on a small tmpfs that is filled up).  OTLP exports are
# answered 503 with Retry-After while the store is failing (JSON: an
# error object; protobuf: a google.rpc.Status with code 14 UNAVAILABLE),
# never 200; once the filler is deleted the store recovers by itself, the
# same export is answered 200, and every span ever answered 200 is in the
# database (span ids compared with sqlite3).
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v jq >/dev/null || fail "jq is needed"
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && fail "mounting a tmpfs needs root"
	skip "mounting a tmpfs needs root"
fi
mkdir "$T/mnt"
mount -t tmpfs -o size=2m tmpfs "$T/mnt" || fail "cannot mount a tmpfs"
umount_mnt() {
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
	umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt" 2>/dev/null || true
	cleanup
}
trap umount_mnt EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
"$SITREP" serve --db "$T/mnt/db" --listen "127.0.0.1:$port" --accept-otlp \
	--no-system 2>"$T/log" &
PIDS+=($!)
wait_http "$base/api/health"
health() { curl -s "$base/api/health" | jq -r .status; }
msg=$(head -c 300 /dev/zero | tr '\0' x)
# spans K: an export of 50 spans with ids K-0 .. K-49, answered into $T/a
spans() {
	awk -v k="$1" -v m="$msg" 'BEGIN {
		printf "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"s\"}}]},\"scopeSpans\":[{\"spans\":["
		for (i = 0; i < 50; i++)
			printf "%s{\"spanId\":\"%s-%d\",\"name\":\"%s\",\"startTimeUnixNano\":\"1764840000000000000\",\"endTimeUnixNano\":\"1764840000500000000\"}", i ? "," : "", k, i, m
		printf "]}]}]}" }' >"$T/req.json"
	curl -s -o "$T/a" -D "$T/h" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$T/req.json" "$base/v1/traces"
}
: >"$T/acked"
code=$(spans pre)
check "export before" "$code" 200
echo pre >>"$T/acked"
dd if=/dev/zero of="$T/mnt/filler" bs=16k 2>/dev/null || true
# export until one is refused: the commit needs room the disk no longer has
k=0
while code=$(spans "k$k"); [ "$code" = 200 ]; do
	echo "k$k" >>"$T/acked"
	k=$((k + 1))
	[ $k -lt 200 ] || fail "no export was ever refused"
done
check "export while full" "$code" 503
grep -qi '^Retry-After: [0-9]' "$T/h" || fail "no Retry-After: $(cat "$T/h")"
jq -e .error "$T/a" >/dev/null || fail "503 says nothing: $(cat "$T/a")"
for _ in $(seq 100); do [ "$(health)" = failing ] && break; sleep 0.1; done
check "health" "$(health)" failing
check "export while failing" "$(spans f1)" 503
grep -qi '^Retry-After: [0-9]' "$T/h" || fail "no Retry-After: $(cat "$T/h")"
# protobuf, encoded by hand from trace.proto: resourceSpans (1) {
# scopeSpans (2) { spans (2) { span_id (2), start (7) and end (8) } } }
python3 -c '
import struct, sys
span = b"\x12\x08" + bytes(range(1, 9)) + b"\x39" + struct.pack("<Q", 1764840000 * 10**9) + b"\x41" + struct.pack("<Q", 1764840001 * 10**9)
scope = b"\x12" + bytes([len(span)]) + span
res = b"\x12" + bytes([len(scope)]) + scope
sys.stdout.buffer.write(b"\x0a" + bytes([len(res)]) + res)' >"$T/one.pb"
code=$(curl -s -o "$T/a" -D "$T/h" -w '%{http_code}' \
	-H 'Content-Type: application/x-protobuf' --data-binary @"$T/one.pb" "$base/v1/traces")
check "protobuf export while failing" "$code" 503
grep -qi '^Content-Type: application/x-protobuf' "$T/h" || fail "protobuf 503 not protobuf: $(cat "$T/h")"
grep -qi '^Retry-After: [0-9]' "$T/h" || fail "no Retry-After: $(cat "$T/h")"
# google.rpc.Status: code (field 1) = 14 UNAVAILABLE
check "protobuf 503 body: code" "$(od -An -tx1 -N2 "$T/a" | tr -d ' ')" 080e
rm -f "$T/mnt/filler"
for _ in $(seq 200); do [ "$(health)" = ok ] && break; sleep 0.1; done
check "health after" "$(health)" ok
check "export after" "$(spans post)" 200
echo post >>"$T/acked"
code=$(curl -s -o "$T/a" -w '%{http_code}' -H 'Content-Type: application/x-protobuf' \
	--data-binary @"$T/one.pb" "$base/v1/traces")
check "protobuf export after" "$code" 200
check "protobuf span stored" "$(sqlite3 "$T/mnt/db" "SELECT COUNT(*) FROM events
	WHERE event_id = '0102030405060708' AND latency_ms = 1000")" 1
lost=0
while read -r k; do
	n=$(sqlite3 "$T/mnt/db" "SELECT COUNT(DISTINCT event_id) FROM events WHERE event_id LIKE '$k-%'")
	[ "$n" = 50 ] || { echo "export $k: $n of 50 spans stored"; lost=1; }
done <"$T/acked"
check "spans answered 200 and not stored" "$lost" 0
echo "ok $(wc -l <"$T/acked") exports answered 200, all stored"
