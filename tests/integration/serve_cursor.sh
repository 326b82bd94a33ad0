#!/usr/bin/env bash
# sitrep serve: /api/events cursors page from the store into new events
# without missing or repeating one.  5000 demo events are paged with
# limit=100 from the start (since=0) and compared, id by id, with sqlite3
# over the same database; then events posted over HTTP while a follower
# keeps polling must each arrive exactly once, on a later page.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

PORT=$(free_port)
B="http://127.0.0.1:$PORT"
"$SITREP" demo --fast --seed 7 --count 5000 > "$T/ev.jsonl"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --accept-events \
	--no-system < "$T/ev.jsonl" 2> "$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
for _ in $(seq 150); do
	c=$(sqlite3 "$T/db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)
	[ "$c" = 5000 ] && break
	sleep 0.1
done
check "events stored" "$c" 5000

# page CURSOR: append the page's ids to $T/got, set CUR and N.
page() {
	curl -sf -o "$T/page" "$B/api/events?limit=100&since=$1" || fail "page since=$1"
	jq -r '.events[].id' "$T/page" >> "$T/got"
	N=$(jq '.events | length' "$T/page")
	CUR=$(jq -r .cursor "$T/page")
}
: > "$T/got"
CUR=0 pages=0
while [ $pages -lt 100 ]; do
	page "$CUR"; pages=$((pages + 1))
	[ "$N" -lt 100 ] && break
done
check "pages for 5000 events" "$pages" 51
sqlite3 "$T/db" 'SELECT id FROM events ORDER BY id' > "$T/want"
cmp -s "$T/got" "$T/want" || fail "paged ids differ from the store: $(diff "$T/want" "$T/got" | head -5)"
echo "ok 5000 stored rows paged once each, in id order"
check "cursor at the last row" "$CUR" "$(tail -1 "$T/want")"
page "$CUR"
check "nothing after the last row" "$N" 0

# Post 300 events in 30 requests while following; every posted event
# arrives once.  Bounded: 30 posts, at most 300 polls.
for i in $(seq 30); do
	body=$(jq -cn --argjson i "$i" '[range(10) | {service: "post-svc", endpoint: "/p", status: 200, message: "m\($i)-\(.)"}]')
	curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
		--data "$body" "$B/api/events" || fail "post $i"
	sleep 0.02
done &
POSTER=$!
PIDS+=("$POSTER")
polls=0
while [ $polls -lt 300 ]; do
	page "$CUR"; polls=$((polls + 1))
	n=$(grep -c . "$T/got")
	[ "$n" -ge 5300 ] && ! kill -0 "$POSTER" 2>/dev/null && break
	sleep 0.05
done
wait "$POSTER" || fail "poster failed"
sqlite3 "$T/db" 'SELECT id FROM events ORDER BY id' > "$T/want"
check "stored after posting" "$(grep -c . "$T/want")" 5300
sort -n "$T/got" | uniq -d > "$T/dups"
check "duplicated ids" "$(grep -c . "$T/dups" || true)" 0
sort -n "$T/got" | cmp -s - "$T/want" || fail "followed ids differ: $(sort -n "$T/got" | diff "$T/want" - | head -5)"
echo "ok 300 posted events followed once each ($polls polls)"
check "posted messages seen" "$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service = 'post-svc'")" 300
