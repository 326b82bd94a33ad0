#!/usr/bin/env bash
# sitrep insights over stored history: a calm demo day raises nothing;
# a demo with incidents raises insights with every documented field;
# bad options and a bad config exit 2.
source "$(dirname "$0")/lib.sh"

# calm: 24 h of demo traffic without incidents
"$SITREP" demo --fast --span 24h --count 150000 --seed 3 --incidents none |
	"$SITREP" ingest --db "$T/calm.db" 2>/dev/null
out=$("$SITREP" insights --db "$T/calm.db" --hours 24 --json)
check "calm: warnings or worse" \
	"$(jq '[.[] | select(.severity != "info")] | length' <<<"$out")" 0

# incidents: error bursts, latency regressions
"$SITREP" demo --fast --span 6h --count 150000 --seed 7 --incidents some |
	"$SITREP" ingest --db "$T/inc.db" 2>/dev/null
out=$("$SITREP" insights --db "$T/inc.db" --hours 6 --json)
n=$(jq '[.[] | select(.severity != "info")] | length' <<<"$out")
[ "$n" -ge 1 ] || fail "incidents: no warning found"
echo "ok incidents: $n warnings or worse"
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
# every error_rate insight names a service that really had errors
for s in $(jq -r '.[] | select(.rule == "error_rate") | .subject' <<<"$out"); do
	e=$(sqlite3 "$T/inc.db" "SELECT sum(status_5xx) FROM ev_minute WHERE service = '$s'")
	[ "${e:-0}" -gt 0 ] || fail "error_rate on $s without errors"
done
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
