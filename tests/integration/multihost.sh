#!/usr/bin/env bash
# Multi-host: two `sitrep serve` instances fed different demo seeds, a third
# following both with sitrep:// sources into its own store.  The follower
# must end up with every event of each instance exactly once, labelled with
# the instance's host:port, and its per-host figures (total, requests and
# 5xx per service, counted with sqlite3 in its store) must equal each
# instance's own /api/summary.  Then the follower's API labels data by host.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
command -v sqlite3 >/dev/null || skip "no sqlite3"
cd "$T"

# serve_up DB PORTVAR SEED|- ARGS...: start a `sitrep serve` on a free
# port (fed by a demo of SEED unless -), retrying on another port when the
# one picked was taken meanwhile (bounded: 5 tries).
serve_up() {
	local db=$1 var=$2 seed=$3 p pid
	shift 3
	for _ in 1 2 3 4 5; do
		p=$(free_port)
		rm -f "$db" "$db-wal" "$db-shm"
		if [ "$seed" = - ]; then
			"$SITREP" serve --db "$db" --listen "127.0.0.1:$p" \
				--no-system "$@" </dev/null 2>"$db.err" &
		else
			"$SITREP" demo --fast --seed "$seed" --count 2000 |
				"$SITREP" serve --db "$db" --listen "127.0.0.1:$p" \
				--no-system "$@" 2>"$db.err" &
		fi
		pid=$!
		for _ in $(seq 100); do
			if curl -s -o /dev/null "http://127.0.0.1:$p/api/health"; then
				PIDS+=("$pid")
				printf -v "$var" %s "$p"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	fail "cannot start sitrep serve: $(cat "$db.err")"
}
serve_up "$T/a.db" P1 1
serve_up "$T/b.db" P2 2

# until each instance has stored its 2000 events (bounded: 15 s)
for p in "$P1" "$P2"; do
	got=
	for _ in $(seq 150); do
		got=$(curl -s "http://127.0.0.1:$p/api/summary" | jq -r .total_events)
		[ "$got" = 2000 ] && break
		sleep 0.1
	done
	check "instance $p stored" "$got" 2000
done

serve_up "$T/f.db" P3 - \
	--source "sitrep://127.0.0.1:$P1" --source "sitrep://127.0.0.1:$P2"
q() { sqlite3 "$T/f.db" "$1" 2>/dev/null || echo "?"; }
got=
for _ in $(seq 200); do
	got=$(q "select count(*) from events")
	[ "$got" = 4000 ] && break
	sleep 0.1
done
check "follower stored every event" "$got" 4000
check "no duplicates" "$(q "select count(distinct host||'/'||event_id) from events")" 4000

for p in "$P1" "$P2"; do
	H="127.0.0.1:$p"
	curl -s "http://$H/api/summary" >"sum.$p.json"
	check "events of $H" "$(q "select count(*) from events where host='$H'")" \
		"$(jq -r .total_events "sum.$p.json")"
	# per service: requests and 5xx, both sides sorted the same way
	q "select service, count(*), sum(status >= 500) from events
	   where host='$H' group by service order by service" >"db.$p"
	jq -r '.services | sort_by(.service)[] |
	    "\(.service)|\(.requests)|\(.status_5xx)"' "sum.$p.json" >"api.$p"
	[ -s "db.$p" ] || fail "no per-service rows for $H"
	diff "db.$p" "api.$p" >/dev/null ||
		fail "per-service figures of $H differ: $(diff "db.$p" "api.$p" | head -5)"
	echo "ok per-service requests and 5xx of $H ($(wc -l <"db.$p") services)"
done

# The follower's API labels data by host (hosts sorted by name).
HOSTS=$(printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$P1" "$P2" | LC_ALL=C sort)
WANT=$(echo "$HOSTS" | jq -R . | jq -sc .)
got=
for _ in $(seq 50); do
	got=$(curl -s "http://127.0.0.1:$P3/api/health" | jq -c '.hosts')
	[ "$got" = "$WANT" ] && break
	sleep 0.1
done
check "hosts in /api/health" "$got" "$WANT"
curl -s "http://127.0.0.1:$P3/api/health" |
	jq -r '.sources[] | "\(.name) \(.state) \(.events)"' | sort >src.txt
check "sources in /api/health" "$(cat src.txt)" \
	"$(printf 'sitrep://127.0.0.1:%s ok 2000\nsitrep://127.0.0.1:%s ok 2000' \
	"$P1" "$P2" | sort)"
check "hosts in the overview" "$(curl -s "http://127.0.0.1:$P3/api/metrics/overview" |
	jq -r '[.hosts[].name] | join(",")')" "$(echo "$HOSTS" | paste -sd,)"
check "events carry their host" "$(curl -s "http://127.0.0.1:$P3/api/events?limit=50" |
	jq '[.events[] | select(.host != "127.0.0.1:'"$P1"'" and .host != "127.0.0.1:'"$P2"'")] | length')" 0
curl -s "http://127.0.0.1:$P3/metrics" >m.txt
grep -q "^sitrep_host_requests_per_second{host=\"127.0.0.1:$P1\"} " m.txt ||
	fail "no per-host Prometheus series: $(grep host m.txt | head -3)"
echo "ok host-labelled Prometheus series"

# The remote KPI tiles arrive as samples host.<HOST>.<kpi> (every 5 s).
got=
for _ in $(seq 150); do
	got=$(q "select count(distinct name) from samples
	    where name in ('host.127.0.0.1:$P1.events', 'host.127.0.0.1:$P2.events')")
	[ "$got" = 2 ] && break
	sleep 0.1
done
check "remote KPIs stored as host.<HOST>.events samples" "$got" 2

# The console following both: a host list panel; Enter on a host filters
# the services panel and the event log to it, the tiles show that node's
# KPIs, and its endpoints and the 24 h view come from the store for that
# host (counted here with sqlite3 in the console's store).
command -v tmux >/dev/null || skip "tmux not installed: the console check cannot run"
SOCK="sitrep-multihost-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
tm new-session -d -s s -x 160 -y 50 \
	"'$SITREP' tui --db '$T/t.db' --no-mouse --source 'sitrep://127.0.0.1:$P1' --source 'sitrep://127.0.0.1:$P2'; sleep 30"
FIRST=$(echo "$HOSTS" | head -1)
ok=
for _ in $(seq 100); do
	scr=$(tm capture-pane -p -t s)
	if echo "$scr" | grep -q "Hosts" && echo "$scr" | grep -qF "127.0.0.1:$P1" &&
	    echo "$scr" | grep -qF "127.0.0.1:$P2"; then ok=1; break; fi
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "no host list with both hosts"; }
echo "ok host list panel shows both hosts"
for _ in $(seq 10); do
	tm capture-pane -p -t s | grep -q '^>Hosts' && break
	tm send-keys -t s Tab
	sleep 0.2
done
tm capture-pane -p -t s | grep -q '^>Hosts' || fail "cannot focus the host list"
tm send-keys -t s Enter
ok=
for _ in $(seq 50); do
	scr=$(tm capture-pane -p -t s)
	if echo "$scr" | grep -qF "Services on $FIRST" &&
	    echo "$scr" | grep -qF "filter: host=$FIRST"; then ok=1; break; fi
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "selecting $FIRST should filter services and events"; }
echo "ok selecting a host filters services and events"

# Every event in the console's store before its figures are compared.
qt() { sqlite3 "$T/t.db" "$1" 2>/dev/null || echo "?"; }
got=
for _ in $(seq 200); do
	got=$(qt "select count(*) from events")
	[ "$got" = 4000 ] && break
	sleep 0.1
done
check "console stored every event" "$got" 4000

# cell COLUMN-LABEL: the value under a tile label (screen column of label)
tile_val() {
	local scr lines col
	scr=$(tm capture-pane -p -t s)
	lines=$(echo "$scr" | grep -n -m1 "$1@" | cut -d: -f1)
	[ -n "$lines" ] || return 0
	col=$(echo "$scr" | sed -n "${lines}p" | awk -v l="$1@" '{print index($0, l)}')
	echo "$scr" | sed -n "$((lines + 1))p" | cut -c"$col"- | awk '{print $1}'
}
# The tiles show the picked node's own KPIs: Users as its overview says
# (a distinct count of the recent window: within 10 % + 2 of each other).
want=$(curl -s "http://$FIRST/api/metrics/overview" |
	jq -r '.kpis[] | select(.id == "users") | .value')
ok=
for _ in $(seq 100); do
	got=$(tile_val Users)
	if [ -n "$got" ] && [ "$got" != - ] &&
	    awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d;
	    exit !(d <= b * 0.1 + 2) }'; then ok=1; break; fi
	sleep 0.1
	want=$(curl -s "http://$FIRST/api/metrics/overview" |
		jq -r '.kpis[] | select(.id == "users") | .value')
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "Users tile of $FIRST: '$got', its overview says $want"; }
echo "ok the Users tile shows $FIRST's value ($got, overview $want)"
tm capture-pane -p -t s | grep -qF "CPU@${FIRST:0:9}" || fail "tile labels should name $FIRST"
check "a KPI $FIRST does not report shows -" "$(tile_val CPU)" "-"

# si2n N: a count as the console prints it (1.2k) to a number
si2n() { awk -v s="$1" 'BEGIN { m = 1; if (s ~ /k$/) m = 1000;
	if (s ~ /M$/) m = 1000000; sub(/[kM]$/, "", s); print s * m }'; }
# same_count SHOWN N: equal, or within the rounding of 1.2k
same_count() { awk -v a="$(si2n "$1")" -v b="$2" 'BEGIN { d = a - b;
	if (d < 0) d = -d; exit !(d <= (b >= 1000 ? b * 0.05 : 0)) }'; }
# first_row: "NAME REQS" of the first row of the services table
first_row() { tm capture-pane -p -t s | grep -A1 -m1 '^name .*reqs' | tail -1 |
	awk '{print $1, $2}'; }

for _ in $(seq 10); do
	tm capture-pane -p -t s | grep -q '^>Services on' && break
	tm send-keys -t s Tab
	sleep 0.2
done
tm capture-pane -p -t s | grep -q '^>Services on' || fail "cannot focus the services panel"
SVC=$(first_row | awk '{print $1}')
tm send-keys -t s Enter
ok=
for _ in $(seq 100); do
	scr=$(tm capture-pane -p -t s)
	if echo "$scr" | grep -qF "Endpoints of $SVC on $FIRST" &&
	    echo "$scr" | grep -qF "5m from the store"; then ok=1; break; fi
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "no endpoints of $SVC on $FIRST"; }
NOW=$(($(date +%s) * 1000))
read -r EP N <<<"$(first_row)"
# the view's 5 min end somewhere in the last 20 s (refresh every 15 s)
lo=$(qt "select count(*) from events where host='$FIRST' and service='$SVC'
	and endpoint='$EP' and ts >= $NOW - 300000 and ts < $NOW - 20000")
hi=$(qt "select count(*) from events where host='$FIRST' and service='$SVC'
	and endpoint='$EP' and ts >= $NOW - 320000")
awk -v n="$(si2n "$N")" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(n >= lo * 0.95 && n <= hi * 1.05 + 0) }' ||
	fail "5 min endpoint $EP of $SVC on $FIRST shows $N, store says $lo..$hi"
echo "ok 5 min endpoints of $SVC on $FIRST from the store ($EP: $N, store $lo..$hi)"

tm send-keys -t s 4
ok=
for _ in $(seq 100); do
	scr=$(tm capture-pane -p -t s)
	if echo "$scr" | grep -qF "Endpoints of $SVC on $FIRST" &&
	    echo "$scr" | grep -qF "24h from the store"; then ok=1; break; fi
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "no 24 h endpoints of $SVC on $FIRST"; }
read -r EP N <<<"$(first_row)"
want=$(qt "select count(*) from events where host='$FIRST' and service='$SVC' and endpoint='$EP'")
all=$(qt "select count(*) from events where service='$SVC' and endpoint='$EP'")
same_count "$N" "$want" ||
	fail "24 h endpoint $EP of $SVC on $FIRST shows $N, the store has $want (all hosts $all)"
echo "ok 24 h endpoints of $SVC on $FIRST ($EP: $N = store $want; all hosts $all)"
tm send-keys -t s Escape
ok=
for _ in $(seq 100); do
	scr=$(tm capture-pane -p -t s)
	if echo "$scr" | grep -qF "Services on $FIRST" &&
	    echo "$scr" | grep -qF "24h from the store"; then ok=1; break; fi
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s >&2; fail "no 24 h services on $FIRST"; }
read -r S N <<<"$(first_row)"
want=$(qt "select count(*) from events where host='$FIRST' and service='$S'")
same_count "$N" "$want" || fail "24 h service $S on $FIRST shows $N, the store has $want"
echo "ok 24 h services on $FIRST ($S: $N = store $want)"
tm send-keys -t s q
