#!/usr/bin/env bash
# tui_sys_samples: the console keeps this machine's samples (~120 series
# a tick) and stores them together every 10 s instead of at each 1 s
# commit, where each series' row landed on its own page of the samples
# (name, ts) index, so every commit rewrote ~120 index pages into the WAL.
# The database is first filled with 20 h of those series (as after a day
# of running), then the console runs 32 ticks of 250 ms (8 s) with its
# database on disk.  Checks: once it has committed KPI samples twice, no
# system sample is committed yet (before: 149 rows were); at exit every
# series has one row per tick (a rate from its second), none lost or
# doubled.  It prints the bytes the console wrote (/proc/PID/io wchar):
# 20-30 MB before, 1-5 MB now.
source "$(dirname "$0")/lib.sh"
tmux_open tuis

tm new-session -d -s s -x 160 -y 45 \
	"env PS1='PROMPT\$ ' bash --norc --noprofile"
ln -s "$SITREP" "$T/console"
tm send-keys -t s "'$T/console' --db '$T/db' --ticks 3 </dev/null; echo FIR\"\"ST" Enter
tm_wait s "FIRST"
names=$(sqlite3 "$T/db" "SELECT count(DISTINCT name) FROM samples WHERE name NOT LIKE 'kpi.%'")
[ "$names" -ge 20 ] || fail "only $names system series stored by the first run"
# 20 h of every series, one row every 10 s, older than anything new
sqlite3 "$T/db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 7200),
	n(name) AS (SELECT DISTINCT name FROM samples WHERE name NOT LIKE 'kpi.%')
	INSERT INTO samples(name, ts, value)
	SELECT name, (SELECT min(ts) FROM samples) - i * 10000, i FROM n, k;"
before=$(sqlite3 "$T/db" "SELECT max(ts) FROM samples")

tm send-keys -t s "clear; '$T/console' --db '$T/db' --interval 250ms --ticks 32 </dev/null; echo EXI\"\"TED" Enter
pid=$(pid_of "^$T/console --db $T/db --interval")
# once the console has committed KPI samples (every second), while it
# runs: its system samples are still kept, none committed
mid= last=0
while [ -r "/proc/$pid/io" ]; do
	k=$(sqlite3 -cmd ".timeout 5000" "$T/db" "SELECT count(DISTINCT ts)
	    FROM samples WHERE name LIKE 'kpi.%' AND ts > $before") || k=0
	if [ "${k:-0}" -ge 2 ] && [ -z "$mid" ]; then
		mid=$(sqlite3 -cmd ".timeout 5000" "$T/db" "SELECT count(*)
		    FROM samples WHERE name NOT LIKE 'kpi.%' AND ts > $before") ||
			fail "cannot read the database while the console runs"
		[ -r "/proc/$pid/io" ] || mid= # it had exited: stored at exit
	fi
	v=$(awk '$1 == "wchar:" { print $2 }' "/proc/$pid/io" 2>/dev/null) || v= # exited
	[ -n "$v" ] && last=$v
	sleep 0.05
done
tm_wait s "EXITED"

# one row per series per sampled tick: the same count for every series
read -r nser lo hi rows ticks < <(sqlite3 -separator ' ' "$T/db" "
	SELECT count(*), min(c), max(c), sum(c), (SELECT count(DISTINCT ts)
	    FROM samples WHERE name NOT LIKE 'kpi.%' AND ts > $before)
	FROM (SELECT name, count(*) AS c, count(DISTINCT ts) AS d
	    FROM samples WHERE name NOT LIKE 'kpi.%' AND ts > $before
	    GROUP BY name HAVING c = d)")
echo "series $nser (of $names), rows per series $lo..$hi, ticks $ticks, rows $rows"
[ "$nser" -ge "$names" ] || fail "$nser series stored by the second run, $names before (or one doubled)"
[ "$ticks" -ge 20 ] || fail "only $ticks ticks of system samples stored"
# a rate (CPU, network, disk) has its first value at the second tick
[ "$lo" -ge $((ticks - 1)) ] && [ "$hi" = "$ticks" ] ||
	fail "rows per series $lo..$hi, not $((ticks - 1)) or $ticks each"
echo "bytes written: $last; system rows committed while running: $mid"
[ -n "$mid" ] || fail "the console exited before committing KPI samples twice"
[ "$mid" = 0 ] || fail "$mid system sample rows committed before the console exited (each 1 s commit rewrote the samples index pages)"
echo "tui_sys_samples: ok"
