#!/usr/bin/env bash
# The event log scrolls back past memory into the store.  Fixture (made
# here): 3000 events ingested 3 h ago, one a second, item i (endpoint
# /item/%04d, event_id ev-%04d) of service api/pay/web by i % 3 (0 api,
# 1 pay, 2 web); then the console runs on that database with 5 new
# events (service live) piped in, so memory holds only those.  What the
# screen must show is computed from the fixture with awk and sqlite3.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

SOCK="sitrep-tuisb-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
screen() { tm capture-pane -p -t s; }
title() { screen | grep -m1 -F 'Events' || true; }
wait_for() {
	for _ in $(seq "${2:-100}"); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	screen >&2 || true
	fail "screen never showed '$1'"
}
# the log's rows: "N SERVICE HH:MM:SS" for every /item/N row, top down
rows() {
	screen | awk '{ for (f = 3; f <= NF; f++) if ($f ~ /^\/item\//) {
		print substr($f, 7) + 0, $2, $1; next } }'
}
# what the fixture says row N is: "N SERVICE HH:MM:SS" (UTC)
want_row() {
	awk -v n="$1" -v b="$base" 'BEGIN { split("api pay web", S, " ")
		s = int((b + n * 1000) / 1000)
		printf "%d %s %02d:%02d:%02d\n", n, S[n % 3 + 1],
		    int(s / 3600) % 24, int(s / 60) % 60, s % 60 }'
}

export TZ=UTC
now=$(( $(date +%s) * 1000 ))
base=$(( now - 3 * 3600 * 1000 ))
awk -v b="$base" 'BEGIN { split("api pay web", S, " ")
	for (i = 1; i <= 3000; i++)
		printf "{\"ts\":%.0f,\"event_id\":\"ev-%04d\",\"service\":\"%s\",\"endpoint\":\"/item/%04d\",\"status\":200,\"latency_ms\":5}\n",
		    b + i * 1000, i, S[i % 3 + 1], i }' >"$T/fx.jsonl"
for i in 1 2 3 4 5; do
	printf '{"ts":%d,"event_id":"new-%d","service":"live","endpoint":"/new/%d","status":200,"latency_ms":7}\n' \
	    $((now + i)) "$i" "$i"
done >"$T/new.jsonl"
"$SITREP" ingest --db "$T/db" "$T/fx.jsonl" 2>/dev/null
check "fixture stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" 3000

tm new-session -d -s s -x 120 -y 40 \
	"cat '$T/new.jsonl' | '$SITREP' --db '$T/db' --no-mouse --layout events; sleep 30"
wait_for "stdin ENDED"
wait_for "/new/5"
# focus the log (/ with an empty filter), then g: a page from the store
tm send-keys -t s / Enter
wait_for ">Events"
tm send-keys -t s g
wait_for "history: "
# the first page is the 200 newest stored rows: the top one is 2801
first=$((3000 - 200 + 1))
sec=$(( (base + first * 1000) / 1000 ))
want_title="history: $(date -u -d "@$sec" '+%Y-%m-%d %H:%M:%S'), 2,800 older rows"
title | grep -qF "$want_title" || fail "title: want '$want_title', got '$(title)'"
echo "ok title: $want_title"
rows >"$T/got"
nrows=$(wc -l <"$T/got")
[ "$nrows" -ge 10 ] || fail "only $nrows stored rows on screen"
for i in $(seq 0 $((nrows - 1))); do want_row $((first + i)); done >"$T/want"
diff "$T/want" "$T/got" >&2 || fail "rows from the store out of order or wrong"
echo "ok $nrows stored rows in order from $first (ids, services, times)"

# k past the top pages further back: 2800 comes in above 2801
tm send-keys -t s k
wait_for "/item/2800"
check "k: top row" "$(rows | head -n 1)" "$(want_row 2800)"

# g until the table start: item 1 on top, 0 older rows
for _ in $(seq 30); do
	title | grep -qF "(start)" && break
	tm send-keys -t s g
	sleep 0.2
done
wait_for "0 older rows (start)"
check "start: top row" "$(rows | head -n 1)" "$(want_row 1)"
check "start: second row" "$(rows | sed -n 2p)" "$(want_row 2)"

# a filter while scrolled back: only web rows, as many as sqlite3 counts
nweb=$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service = 'web'")
first_web=$(sqlite3 "$T/db" "SELECT substr(endpoint, 7) + 0 FROM events WHERE service = 'web' ORDER BY ts LIMIT 1")
tm send-keys -t s / C-u 'service=web' Enter
wait_for "filter: service=web"
for _ in $(seq 30); do
	title | grep -qF "(start)" && break
	tm send-keys -t s g
	sleep 0.2
done
wait_for "$nweb match"
wait_for "(start)"
check "filter: non-web rows" "$(rows | awk '$2 != "web"' | wc -l)" 0
[ "$(rows | wc -l)" -ge 10 ] || fail "filter: web rows shown"
check "filter: top row" "$(rows | head -n 1)" "$(want_row "$first_web")"
echo "ok filter service=web: $nweb matches paged from the store"

# G follows live again; Esc clears the filter and the new events show
tm send-keys -t s G
wait_for "no event in memory matches"
title | grep -qF "history:" && fail "G: the title still says history"
tm send-keys -t s Escape
wait_for "/new/5"
wait_for "following"
check "live: stored rows shown" "$(rows | wc -l)" 0
echo "ok G: following live"

# paused (time travel) the log still pages back into the store
tm send-keys -t s ' '
wait_for "PAUSED"
tm send-keys -t s g
wait_for "history: "
echo "ok paused: history pages in"
tm send-keys -t s q

# :memory: has no stored history: say so and stop at the memory start.
# The new session starts before the old one is killed, so that the tmux
# server never exits in between (a client racing a server on its way out
# gets "server exited unexpectedly").
tm new-session -d -s m -x 120 -y 40 \
	"cat '$T/new.jsonl' | '$SITREP' --db :memory: --no-mouse --layout events; sleep 30"
tm kill-session -t s 2>/dev/null || true
for _ in $(seq 100); do
	tm capture-pane -p -t m | grep -qF "/new/5" && break
	sleep 0.1
done
tm send-keys -t m / Enter
sleep 0.3
tm send-keys -t m g
for _ in $(seq 100); do
	tm capture-pane -p -t m | grep -qF "no stored history" && break
	sleep 0.1
done
tm capture-pane -p -t m | grep -qF "no stored history" ||
	fail ":memory: should say 'no stored history'"
echo "ok :memory: no stored history"
