#!/usr/bin/env bash
# The charts backfill from the store at start-up.  A store holds the
# CPU KPI's samples (kpi.cpu) of the last hour, one a second: 90 % from
# 300 s to 151 s ago, 10 % over the last 150 s (and 50 % before).  The
# console opened on it draws the 5-minute chart at once: the row of the
# 50 % scale line is filled over the older half and empty over the newer
# half (but for the last columns, where the live ticks land).  The two
# halves' averages come from sqlite3 over the same store.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
tmux_open backfill

printf '{"service":"x","status":200}\n' >"$T/one.jsonl"
"$SITREP" ingest --db "$T/db" "$T/one.jsonl" >/dev/null 2>&1 || fail "ingest"
now=$(($(date +%s) * 1000))
awk -v now="$now" -v name="'kpi.cpu'" 'BEGIN {
	print "BEGIN;"
	for (k = 1; k <= 3600; k++) {
		v = k <= 150 ? 10 : k <= 300 ? 90 : 50
		printf "INSERT INTO samples(name, ts, value) VALUES (%s, %.0f, %d);\n", name, now - k * 1000, v
	}
	print "COMMIT;"
}' | sqlite3 "$T/db"
older=$(sqlite3 "$T/db" "SELECT avg(value) FROM samples WHERE name = 'kpi.cpu'
	AND ts > $now - 300000 AND ts <= $now - 151000")
newer=$(sqlite3 "$T/db" "SELECT avg(value) FROM samples WHERE name = 'kpi.cpu'
	AND ts > $now - 150000")
check "sqlite3: the older half's average" "$older" 90.0
check "sqlite3: the newer half's average" "$newer" 10.0

tm new-session -d -s s -x 120 -y 40 \
	"LC_ALL=C '$SITREP' --db '$T/db' --no-mouse </dev/null; sleep 30"
tm_wait s "Chart: CPU  [5m]"
# the first frames: no time for live ticks to fill the chart
row=$(tm capture-pane -p -t s | grep -m1 -E '^ *50(\.0)?% ' || true)
[ -n "$row" ] || { tm capture-pane -p -t s >&2; fail "no 50 % scale row"; }
plot=${row:8:112}
left=${plot:0:50}
right=${plot:62:40}
[ -z "$(tr -d ' ' <<<"$right")" ] || fail "the newer half (10 %) reaches 50 %: '$row'"
[ "$(tr -d ' ' <<<"$left" | wc -c)" -gt 45 ] || fail "the older half (90 %) is not drawn at 50 %: '$row'"
echo "ok the 5-minute chart shows the stored 90 % then 10 % at once"
echo "tui_backfill: ok"
