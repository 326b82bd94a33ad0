#!/usr/bin/env bash
# file: sources, through the source driver and a real store: from the end
# by default, lines appended, a partial last line completed later, rotation
# by rename, copytruncate, a file created later, and kill -9 + restart
# (also with a rotation while down): every line stored exactly once.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build_src_driver

cd "$T"
DB=$T/db.sqlite
q() { sqlite3 "$DB" "$1" 2>/dev/null || echo "?"; }
# wait_q SQL WANT: until the committed rows say WANT (bounded: 15 s).
wait_q() {
	local got
	for _ in $(seq 150); do
		got=$(q "$1")
		[ "$got" = "$2" ] && { echo "ok $1 = $2"; return 0; }
		sleep 0.1
	done
	fail "$1: got '$got', want '$2'"
}
ev() { printf '{"event_id":"%s","service":"%s","status_code":%s}\n' "$1" "${2:-api}" "${3:-200}"; }
start() {
	"$T/drv" --db "$DB" --for 60000 "file:$T/app.log" \
		"file:$T/sub/later.log?from=start&format=logfmt" >>"$T/drv.out" 2>&1 &
	DRV=$!
	PIDS+=("$DRV")
}

# Two lines before start: not read (from the end by default).
ev old1 >app.log; ev old2 >>app.log
start
wait_q "select count(*) from cursors where source='file:$T/app.log'" 1
ev a1 >>app.log; ev a2 >>app.log
wait_q "select group_concat(event_id) from events" "a1,a2"

# A partial last line waits for its end.
printf '{"event_id":"p1","serv' >>app.log
sleep 0.5
check "partial line not yet an event" "$(q "select count(*) from events where event_id='p1'")" 0
printf 'ice":"pay","status_code":503}\n' >>app.log
wait_q "select service||status from events where event_id='p1'" "pay503"

# Rotation by rename: the rest of the old file, then the new one.
ev r1 >>app.log
mv app.log app.log.1
ev r2 >>app.log.1		# written to the old file before the new exists
ev n1 >app.log; ev n2 >>app.log
wait_q "select count(*) from events where event_id in ('r1','r2','n1','n2')" 4

# copytruncate: the same file truncated, then written again.
cp app.log app.log.2 && : >app.log
ev t1 >>app.log
wait_q "select count(*) from events where event_id='t1'" 1

# A file (and its folder) created later, logfmt, read from its start.
mkdir -p sub
printf 'event_id=l1 service=late status=201\nevent_id=l2 service=late status=500\n' >sub/later.log
wait_q "select count(*) from events where service='late'" 2

# kill -9, lines written while down, restart: each once.
wait_q "select count(*) from events" 10
sleep 0.4		# let the cursor after the last line commit too
kill -9 "$DRV"; wait "$DRV" 2>/dev/null || true
ev k1 >>app.log; ev k2 >>app.log
echo 'event_id=l3 service=late' >>sub/later.log
start
wait_q "select count(*) from events where event_id in ('k1','k2','l3')" 3

# Rotation while down: the unread end of the old file is found by inode.
sleep 0.4
kill -9 "$DRV"; wait "$DRV" 2>/dev/null || true
ev d1 >>app.log
mv app.log app.log.3
ev d2 >app.log
start
wait_q "select count(*) from events where event_id in ('d1','d2')" 2
kill "$DRV"; wait "$DRV" 2>/dev/null || true

want="a1 a2 d1 d2 k1 k2 l1 l2 l3 n1 n2 p1 r1 r2 t1"
check "every line exactly once" "$(q "select group_concat(event_id, ' ') from (select event_id from events order by event_id)")" "$want"
check "no duplicates" "$(q "select count(*) - count(distinct event_id) from events")" 0
grep -q "^final file:$T/app.log ok" drv.out || fail "final state not ok: $(cat drv.out)"
grep -Eq "^resume file:$T/app.log [0-9]+:[0-9]+:[0-9]+:[0-9]+:[0-9a-f]{16}$" drv.out || fail "no resume line"
grep -q "waiting .*does not exist yet" drv.out || fail "no waiting state for the missing file"

# A bad spec is a usage error naming the problem.
set +e
"$T/drv" --db "$DB" 'file:x?from=middle' 2>err.txt; rc=$?
set -e
check "bad spec exit" "$rc" 2
grep -q "from must be start or end" err.txt || fail "bad spec message: $(cat err.txt)"
