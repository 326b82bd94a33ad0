#!/usr/bin/env bash
# http(s):// and sitrep:// sources against a scripted local server
# (tests/src_httpd.c): cursor following, kill -9 and resume from the stored
# cursor, a plain array with ETag/304, 500s then recovery with backoff,
# invalid JSON, a server that hangs (timeout, others unaffected), a refused
# connection, a bearer token, TLS verification, bad specs.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build_src_driver
cc $CFL -o "$T/httpd" "$ROOT/tests/src_httpd.c" "$LIB" \
	$(pkg-config --libs libmicrohttpd) -lpthread ||
	fail "cannot build the test server"

cd "$T"
DB=$T/db.sqlite
q() { sqlite3 "$DB" "$1" 2>/dev/null || echo "?"; }
wait_q() {
	local got
	for _ in $(seq 200); do
		got=$(q "$1")
		[ "$got" = "$2" ] && { echo "ok $1 = $2"; return 0; }
		sleep 0.1
	done
	fail "$1: got '$got', want '$2'"
}
wait_grep() {
	for _ in $(seq 200); do grep -q "$1" "$2" 2>/dev/null && { echo "ok seen: $1"; return 0; }; sleep 0.1; done
	fail "never saw '$1' in $2"
}
evs() { for i in $(seq "$1" "$2"); do
	printf '{"event_id":"e%d","timestamp":"2026-01-01T00:00:%02d.000Z","service":"s%d","endpoint":"/x","status_code":%d,"response_time_ms":%d}\n' \
		"$i" "$i" $((i % 2)) $((i % 4 == 0 ? 500 : 200)) $((i * 10)); done; }

PORT=$(free_port)
evs 1 7 >ev.jsonl
echo s3cret >tok
"$T/httpd" "$PORT" "$T/ev.jsonl" "$T/log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/array"
: >log
DEAD=$(free_port)
U=http://127.0.0.1:$PORT
CURSOR_SRC="$U/events?page=1#every=100ms"
start() {
	"$T/drv" --db "$DB" --for 60000 "$CURSOR_SRC" \
		"$U/array#every=100ms" "$U/flaky#every=100ms&max-backoff=400ms" \
		"$U/bad#every=300ms" "$U/hang#every=100ms&timeout=300ms" \
		"sitrep://127.0.0.1:$PORT?token-file=$T/tok&every=100ms" \
		"sitrep://127.0.0.1:$PORT?every=300ms" \
		"http://127.0.0.1:$DEAD/x#every=200ms" >>"$T/drv.out" 2>&1 &
	DRV=$!
	PIDS+=("$DRV")
}
start
# 7 events from each of: cursor endpoint, array, flaky (after its 500s),
# sitrep with the token.
wait_q "select count(*) from events" 28
check "cursor pages" "$(grep -c '^/events since=[36] ' log)" 2
wait_q "select cursor from cursors where source='$CURSOR_SRC'" "c:7"
wait_grep '^/array since=- inm="v7" auth=- -> 304' log
check "sitrep events labelled with their host:port" "$(q "select count(*) from events where host='127.0.0.1:$PORT'")" 7
check "http events keep no host" "$(q "select count(*) from events where host is not null and host <> '127.0.0.1:$PORT'")" 0

# New events while running, then kill -9, more while down, restart.
evs 8 9 >>ev.jsonl
wait_q "select count(*) from events" 36
sleep 0.3
kill -9 "$DRV"; wait "$DRV" 2>/dev/null || true
evs 10 11 >>ev.jsonl
mv log log1
start
wait_q "select count(*) from events" 44
check "resumed with the stored cursor" "$(grep -c '^/events since=- ' log)" 0
grep -q '^/events since=9 ' log || fail "no since=9 after restart: $(grep '^/events' log | head -3)"
sleep 0.3
kill "$DRV"; wait "$DRV" 2>/dev/null || true

check "no event twice per source" "$(q "select count(*) from (select event_id, coalesce(host,'') h, count(*) n from events group by event_id, h having n > 4)")" 0
# 4 sources deliver e1..e11 each (array + flaky dedupe by time and id).
check "each event four times" "$(q "select group_concat(n) from (select count(*) n from events group by event_id) group by n")" "4,4,4,4,4,4,4,4,4,4,4"
check "status from the answer" "$(q "select count(*) from events where status = 500")" 8
grep -q "retrying .*HTTP 500 from '$U/flaky'" drv.out || fail "no 500 state"
grep -q "^state $U/flaky#every=100ms&max-backoff=400ms ok" drv.out || fail "flaky never recovered"
check "three 500s, then 200" "$(grep '^/flaky ' log1 | head -4 | sed 's/.*-> //' | tr '\n' ' ')" "500 500 500 200 "
grep -q "^final $U/bad#every=300ms retrying .*invalid JSON" drv.out || fail "bad JSON not retrying"
grep -q "^final $U/hang#every=100ms&timeout=300ms retrying .*timed out" drv.out || fail "hang not timed out"
grep -q "^final sitrep://127.0.0.1:$PORT?every=300ms retrying .*HTTP 401" drv.out || fail "no 401 without token"
grep -q "^final http://127.0.0.1:$DEAD/x#every=200ms retrying .*Couldn't connect" drv.out || fail "refused not retrying"
grep -Eq "next_in_ms=[0-9]+" drv.out || fail "no next attempt time"

# TLS: verified by default (self-signed fails), cacert= trusts it.
if have openssl; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
		-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	TPORT=$(free_port)
	openssl s_server -quiet -accept "$TPORT" -cert cert.pem -key key.pem -www >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TPORT") 2>/dev/null && break; sleep 0.1; done
	"$T/drv" --db "$T/tls.db" --for 1500 "https://127.0.0.1:$TPORT/#every=5s" \
		"https://127.0.0.1:$TPORT/#every=5s&cacert=$T/cert.pem" >tls.out 2>&1 || true
	grep -q "^final https://127.0.0.1:$TPORT/#every=5s retrying .*SSL certificate" tls.out ||
		fail "TLS not verified: $(cat tls.out)"
	grep -q "^final https://127.0.0.1:$TPORT/#every=5s&cacert=$T/cert.pem retrying .*invalid JSON" tls.out ||
		fail "cacert not used: $(cat tls.out)"
fi

for spec in "sitrep://host:99999" "http://x/#every=fast" "http://x/#colour=red" "gopher://x"; do
	set +e
	"$T/drv" --db "$DB" "$spec" 2>err.txt; rc=$?
	set -e
	check "bad spec $spec" "$rc" 2
	echo "   $(cat err.txt)"
done
