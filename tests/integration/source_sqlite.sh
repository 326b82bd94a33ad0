#!/usr/bin/env bash
# sqlite: sources: a writer process keeps inserting into another program's
# database (the old analytics engine's events table) while the source tails
# it; the driver is killed -9 and restarted midway; every row arrives
# exactly once with its fields.  Also a custom column mapping, a missing
# database (retrying) and a mapping naming a missing column (down).
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build_src_driver

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

sqlite3 other.db "PRAGMA journal_mode=WAL;
CREATE TABLE events(id INTEGER PRIMARY KEY, event_id TEXT, event_type TEXT,
  timestamp TEXT, service TEXT, endpoint TEXT, status_code INTEGER,
  response_time_ms REAL, user_id TEXT, session_id TEXT, metadata TEXT);
CREATE TABLE reqs(rid INTEGER PRIMARY KEY, created_at INTEGER, code INTEGER,
  ms REAL, svc TEXT, path TEXT, uid TEXT);
INSERT INTO reqs(created_at, code, ms, svc, path, uid) VALUES
  (1767225600123, 200, 12.5, 'auth', '/login', 'u1'),
  (1767225601000, 503, 900, 'pay', '/charge', 'u2'),
  (1767225602500, 404, 3.25, 'auth', '/me', NULL);" >/dev/null

# The writer: 40 transactions of 10 rows, bounded.
writer() {
	for b in $(seq 0 39); do
		sql="BEGIN;"
		for i in $(seq 0 9); do
			n=$((b * 10 + i))
			sql="$sql INSERT INTO events(event_id, event_type, timestamp, service, endpoint, status_code, response_time_ms, user_id, session_id, metadata) VALUES ('w$n', 'api_request', '2026-01-01T00:$(printf %02d $((n / 60 % 60))):$(printf %02d $((n % 60))).$(printf %03d $n)Z', 'svc$((n % 3))', '/e$((n % 5))', $((n % 7 == 0 ? 500 : 200)), $n.5, 'u$((n % 11))', 's$((n % 13))', '{\"n\":$n}');"
		done
		# a busy timeout, as a real writer sets: even in WAL mode a reader
		# opening the file takes its locks for a moment (SQLITE_BUSY)
		sqlite3 -cmd ".timeout 5000" other.db "$sql COMMIT;" || return 1
		sleep 0.05
	done
}

start() {
	"$T/drv" --db "$DB" --for 90000 "sqlite:$T/other.db?table=events&from=start&every=100ms" \
		"sqlite:$T/other.db?table=reqs&from=start&ts=created_at&status=code&latency=ms&service=svc&endpoint=path&user=uid" \
		"sqlite:$T/missing.db?table=events&every=200ms" \
		"sqlite:$T/other.db?table=reqs&status=no_such_col" >>"$T/drv.out" 2>&1 &
	DRV=$!
	PIDS+=("$DRV")
}

start
writer &
WPID=$!
PIDS+=("$WPID")
# Kill the driver once some, not all, rows are in.
for _ in $(seq 200); do
	n=$(q "select count(*) from events where event_id like 'w%'")
	[ "$n" != "?" ] && [ "$n" -ge 100 ] && break
	sleep 0.05
done
kill -9 "$DRV"; wait "$DRV" 2>/dev/null || true
echo "killed the driver with $(q "select count(*) from events where event_id like 'w%'") rows stored"
start
wait "$WPID" || fail "writer failed"
want=$(sqlite3 other.db "select count(*) from events")
check "writer rows" "$want" 400
wait_q "select count(*) from events where event_id like 'w%'" 400
sleep 0.3
kill "$DRV"; wait "$DRV" 2>/dev/null || true

check "no row twice" "$(q "select count(*) - count(distinct event_id) from events")" 0
check "resumed from a rowid" "$(grep -c "^resume sqlite:$T/other.db?table=events&from=start&every=100ms [0-9][0-9]*$" drv.out)" 1
# Every field as the other program wrote it (expected computed by sqlite3).
check "fields match" "$(q "attach '$T/other.db' as o;
  select count(*) from events e join o.events x on e.event_id = x.event_id
  where e.ts = cast(round((julianday(x.timestamp) - 2440587.5) * 86400000) as integer)
    and e.event_type = x.event_type and e.service = x.service
    and e.endpoint = x.endpoint and e.status = x.status_code
    and e.latency_ms = x.response_time_ms and e.user_id = x.user_id
    and e.session_id = x.session_id
    and json_extract(e.metadata, '$.n') = x.id - 1")" 400

# The custom mapping.
check "custom mapping" "$(q "select group_concat(ts || ' ' || status || ' ' || latency_ms || ' ' || service || ' ' || endpoint || ' ' || coalesce(user_id, '-'), ';') from (select * from events where event_id not like 'w%' order by ts)")" \
	"1767225600123 200 12.5 auth /login u1;1767225601000 503 900.0 pay /charge u2;1767225602500 404 3.25 auth /me -"

grep -q "^final sqlite:$T/missing.db?table=events&every=200ms retrying .*error=cannot open database" drv.out ||
	fail "missing database not retrying: $(grep missing drv.out)"
grep -q "^final sqlite:$T/other.db?table=reqs&status=no_such_col down .*no column 'no_such_col'" drv.out ||
	fail "missing column not down: $(grep no_such drv.out)"
grep -q "^final sqlite:$T/other.db?table=events&from=start&every=100ms ok events=" drv.out ||
	fail "tail source not ok"

set +e
"$T/drv" --db "$DB" "sqlite:$T/other.db" 2>err.txt; rc=$?
set -e
check "bad spec exit" "$rc" 2
grep -q "missing table=" err.txt || fail "bad spec message: $(cat err.txt)"
