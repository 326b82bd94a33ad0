#!/usr/bin/env bash
# serve_durable: an event POST /api/events acknowledged (202) is in the
# database, even when the server is killed with -9 in the middle of
# steady concurrent posts: 3 runs on one database (1 under SAN=1, whose
# slow build makes each run long), then every acknowledged event_id must
# be stored (sqlite3) and PRAGMA integrity_check must say ok.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
runs=3
if [ "${SAN:-0}" = 1 ]; then
	echo "SAN=1: one kill -9 run instead of 3 (the bench runs 20)"
	runs=1
fi
: >"$T/acked"
for r in $(seq "$runs"); do
	port=$(free_port)
	"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$port" \
		--accept-events --no-system </dev/null 2>"$T/log$r" &
	PIDS+=($!)
	srv=$!
	wait_http "http://127.0.0.1:$port/api/health"
	: >"$T/acked$r"
	python3 "$ROOT/tests/post_events.py" \
		"http://127.0.0.1:$port/api/events" "$T/acked$r" 8 20 "r$r" \
		>"$T/client$r" &
	cli=$!
	# let the posts run a while, then wait for acknowledgements to have
	# come (the load, not the timing, is what the test needs)
	sleep 1.5
	for _ in $(seq 100); do
		[ "$(wc -l <"$T/acked$r")" -gt 0 ] && break
		sleep 0.1
	done
	kill -9 "$srv"
	wait "$srv" 2>/dev/null || true
	wait "$cli" || fail "run $r: the client failed: $(cat "$T/client$r")"
	echo "run $r: $(cat "$T/client$r")"
	cat "$T/acked$r" >>"$T/acked"
done
# a clean stop (SIGTERM) in the middle of the posts: posts waiting for
# their commit are answered (202 after the last commit, else 503), the
# server exits 0 without hanging (and, under SAN=1, without a leak), and
# what it acknowledged is stored too
port=$(free_port)
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$port" \
	--accept-events --no-system </dev/null 2>"$T/logterm" &
PIDS+=($!)
srv=$!
wait_http "http://127.0.0.1:$port/api/health"
: >"$T/ackedterm"
python3 "$ROOT/tests/post_events.py" "http://127.0.0.1:$port/api/events" \
	"$T/ackedterm" 8 20 term >"$T/clientterm" &
cli=$!
for _ in $(seq 100); do
	[ "$(wc -l <"$T/ackedterm")" -gt 0 ] && break
	sleep 0.1
done
kill -TERM "$srv"
rc=0
wait "$srv" || rc=$?
check "serve stopped under posts: exit status" "$rc" 0
wait "$cli" || fail "term run: the client failed: $(cat "$T/clientterm")"
echo "term run: $(cat "$T/clientterm")"
cat "$T/ackedterm" >>"$T/acked"
acked=$(wc -l <"$T/acked")
[ "$acked" -gt 0 ] || fail "no event was acknowledged"
sqlite3 "$T/db" 'SELECT event_id FROM events' | sort -u >"$T/stored"
sort -u "$T/acked" >"$T/acked.s"
lost=$(comm -23 "$T/acked.s" "$T/stored" | wc -l)
echo "acknowledged $acked, stored $(wc -l <"$T/stored")"
check "acknowledged events lost after kill -9" "$lost" 0
check "integrity_check" "$(sqlite3 "$T/db" 'PRAGMA integrity_check')" ok
echo "serve_durable: ok"
