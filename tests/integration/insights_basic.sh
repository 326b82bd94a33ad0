#!/usr/bin/env bash
# sitrep insights over stored history: a calm demo day raises nothing;
# a demo with incidents raises insights with every documented field;
# bad options and a bad config exit 2.
source "$(dirname "$0")/lib.sh"

# Deterministic by construction: every stream ends at a fixed instant,
# ingest keeps it (retention far longer than its age), and sitrep
# insights replays the N hours up to the newest stored minute, so no
# result depends on the wall clock.
END=2026-03-01T12:00:00Z
RETAIN=36500d
demo_db() {	# demo_db DB SPAN COUNT SEED INCIDENTS
	"$SITREP" demo --fast --end "$END" --span "$2" --count "$3" \
		--seed "$4" --incidents "$5" |
		"$SITREP" ingest --retain "$RETAIN" --db "$1" 2>/dev/null
}

# calm: demo traffic without incidents, with its natural noise (a
# diurnal rate, sessions, 0.2 % of 5xx) raises no warning or critical
for c in "24h 150000 3" "24h 150000 5" "6h 40000 11" "1h 8000 2"; do
	set -- $c
	demo_db "$T/calm$3.db" "$1" "$2" "$3" none
	out=$("$SITREP" insights --db "$T/calm$3.db" --hours "${1%h}" --json)
	check "calm $1 seed $3: warnings or worse" "$(jq -c '[.[] |
		select(.severity != "info") | .id]' <<<"$out")" "[]"
done

# incidents: error bursts, latency regressions, traffic spikes
demo_db "$T/inc.db" 6h 150000 7 some
out=$("$SITREP" insights --db "$T/inc.db" --hours 6 --json)
n=$(jq '[.[] | select(.severity != "info")] | length' <<<"$out")
[ "$n" -ge 1 ] || fail "incidents: no warning found"
echo "ok incidents: $n warnings or worse"
# Every error burst in the data must have fired error_rate for its
# service.  Bursts are found in the stored minutes, not from sitrep
# insights: a minute where a service failed >= 15 % of its requests
# (and >= 3 of them) is a burst minute (calm is 0.2 %: such a minute
# happens by chance about once in 10^5); burst minutes of a service
# less than 10 minutes apart are one burst (one firing at most).
bursts=$(sqlite3 "$T/inc.db" "
	WITH m AS (SELECT service, minute / 60000 AS mi,
		sum(status_5xx) AS e, sum(requests) AS r
		FROM ev_minute GROUP BY service, minute
		HAVING e >= 3 AND e * 100 >= 15 * r),
	g AS (SELECT service, mi, CASE WHEN mi - lag(mi) OVER (PARTITION BY
		service ORDER BY mi) < 10 THEN 0 ELSE 1 END AS new FROM m)
	SELECT service || ' ' || sum(new) FROM g GROUP BY service")
[ -n "$bursts" ] || fail "incidents: the demo data has no error burst"
while read -r svc nb; do
	got=$(jq --arg s "$svc" '[.[] | select(.id == "error_rate:" + $s and
		.severity != "info") | .count] | add // 0' <<<"$out")
	[ "$got" -ge "$nb" ] ||
		fail "error_rate:$svc fired $got times for $nb bursts"
	echo "ok error_rate:$svc fired $got times for $nb bursts"
done <<<"$bursts"
# and never for a service without a burst
for s in $(jq -r '.[] | select(.rule == "error_rate") | .subject' <<<"$out"); do
	grep -q "^$s " <<<"$bursts" || fail "error_rate on $s without a burst"
done
check "every object has every field" "$(jq '[.[] | select(
	has("id") and has("rule") and has("subject") and has("category") and
	has("severity") and has("confidence") and has("title") and
	has("description") and has("recommendation") and has("state") and
	has("first_seen") and has("last_seen") | not)] | length' <<<"$out")" 0
check "id is rule:subject" "$(jq '[.[] | select(.id != (.rule + ":" +
	.subject))] | length' <<<"$out")" 0
check "times are ISO UTC with ms" "$(jq '[.[] | select((.first_seen |
	test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) | not)] |
	length' <<<"$out")" 0
check "confidence in 0..1" "$(jq '[.[] | select(.confidence < 0 or
	.confidence > 1)] | length' <<<"$out")" 0
# the table form
# (to a file: head(1) closing the pipe early would SIGPIPE sitrep, and
# pipefail would count that as a failure)
"$SITREP" insights --db "$T/inc.db" --hours 6 >"$T/table.txt"
head -1 "$T/table.txt" | grep -q '^SEVERITY' || fail "table header"

# a stricter config raises more; a bad one exits 2
printf '[rule error_rate]\nenabled = no\n' >"$T/off.conf"
check "rule disabled" "$("$SITREP" insights --db "$T/inc.db" --hours 6 --json \
	--config "$T/off.conf" | jq '[.[] | select(.rule == "error_rate")] | length')" 0
printf '[insights]\ncpu_warn = lots\n' >"$T/bad.conf"
set +e
"$SITREP" insights --db "$T/inc.db" --config "$T/bad.conf" 2>"$T/err"
rc=$?
set -e
check "bad config exit" "$rc" 2
grep -q "bad.conf:2: bad value 'lots' for 'cpu_warn'" "$T/err" || fail "message: $(cat "$T/err")"
set +e
"$SITREP" insights --bogus 2>/dev/null; rc=$?
set -e
check "bad option exit" "$rc" 2
"$SITREP" insights --help | grep -q '^usage: sitrep insights' || fail "help"
