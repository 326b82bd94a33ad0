#!/usr/bin/env bash
# serve_store_deleted: the database's folder deleted under a running
# `sitrep serve` (SQLite would go on writing to the deleted inode without
# an error).  Health must leave ok: 503, status and store.state
# "failing", with the reason, one stderr line naming the deleted file,
# and posts refused with 503.  While a file stands where the folder was,
# the reopen fails and it stays failing; once it is gone the store is
# created again at its path, health is ok and a post is stored there.
# A file source waits meanwhile (what is appended is not read while the
# store fails) and is read on once it is back: its lines and its cursor
# (at the file's end) are in the new file.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v jq >/dev/null || fail "jq is needed"
port=$(free_port)
base="http://127.0.0.1:$port"
mkdir "$T/data"
src="file:$T/app.log?from=start"
ev() { printf '{"event_id":"%s","service":"filed"}\n' "$1" >>"$T/app.log"; }
ev a1; ev a2; ev a3
"$SITREP" serve --db "$T/data/sub/db" --listen "127.0.0.1:$port" \
	--accept-events --no-system --source "$src" </dev/null 2>"$T/log" &
PIDS+=($!)
srv=$!
wait_http "$base/api/health"
post() {
	curl -s -o "$T/pb" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data "{\"event_id\":\"$1\"}" "$base/api/events"
}
# the file source's accepted events, from health
src_events() {
	curl -s "$base/api/health" |
		jq --arg s "$src" '[.sources[] | select(.name == $s) | .events][0]'
}
wait_src() {
	for _ in $(seq 300); do
		[ "$(src_events)" = "$1" ] && break
		sleep 0.1
	done
	check "file source events" "$(src_events)" "$1"
}
check "post before" "$(post before)" 202
wait_src 3
for _ in $(seq 100); do
	[ "$(curl -s "$base/api/health" | jq -r .status)" = ok ] && break
	sleep 0.1
done
check "health before" "$(curl -s "$base/api/health" | jq -r .status)" ok
rm -rf "$T/data/sub"
touch "$T/data/sub" # in the way: the store cannot be created again yet
for _ in $(seq 100); do
	[ "$(curl -s "$base/api/health" | jq -r .status)" = failing ] && break
	sleep 0.1
done
code=$(curl -s -o "$T/h.json" -w '%{http_code}' "$base/api/health")
check "health answers" "$code" 503
check "health status" "$(jq -r .status "$T/h.json")" failing
check "store.state" "$(jq -r .store.state "$T/h.json")" failing
[ -n "$(jq -r '.store.error // empty' "$T/h.json")" ] ||
	fail "no store.error: $(cat "$T/h.json")"
echo "ok store.error: $(jq -r .store.error "$T/h.json")"
check "stderr line" \
	"$(grep -c "^sitrep serve: store failing: database file '$T/data/sub/db' was deleted" "$T/log")" 1
check "post while failing" "$(post during)" 503
ev b1; ev b2; ev b3; ev b4
sleep 1 # a chance to read them, which it must not take
check "file source while failing (paused)" "$(src_events)" 3
rm -f "$T/data/sub"
for _ in $(seq 300); do
	[ "$(curl -s "$base/api/health" | jq -r .status)" = ok ] && break
	sleep 0.1
done
check "health once the path is free" \
	"$(curl -s "$base/api/health" | jq -r .status)" ok
check "post after" "$(post after)" 202
check "post after: committed" "$(jq -r .committed "$T/pb")" 1
wait_src 7
kill -TERM "$srv"
wait "$srv" || fail "serve exited $?"
PIDS=()
check "posted, stored in the new file" \
	"$(sqlite3 "$T/data/sub/db" "SELECT group_concat(event_id) FROM events WHERE service IS NOT 'filed'")" after
check "file lines read after the failure, stored" \
	"$(sqlite3 "$T/data/sub/db" "SELECT group_concat(event_id) FROM (SELECT event_id FROM events WHERE service = 'filed' ORDER BY id)")" \
	"b1,b2,b3,b4"
# the file cursor is DEV:INO:OFFSET:FPLEN:FPHASH: field 3 is the offset
check "file cursor at the file's end" \
	"$(sqlite3 "$T/data/sub/db" "SELECT cursor FROM cursors WHERE source = '$src'" | awk -F: '{ print $3 }')" \
	"$(stat -c %s "$T/app.log")"
echo "serve_store_deleted: ok"
