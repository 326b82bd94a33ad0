#!/usr/bin/env bash
# sitrep report: ingest a deterministic fixture of 3000 events, report a
# range that starts and ends inside minutes and hours, and check every
# number against sqlite3 over the stored events (and jq over the fixture
# file for the totals).  Quantiles: nearest rank, within 1 %.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
"$SITREP" ingest --help >/dev/null 2>&1 || skip "sitrep ingest is not in this build"

FX=$T/events.jsonl
DB=$T/report.db
awk -v n=3000 -v seed=7 -f "$ROOT/tests/fixtures/events-gen.awk" >"$FX"
"$SITREP" ingest --db "$DB" --retain 36500d "$FX" 2>"$T/ingest.err" ||
	{ cat "$T/ingest.err"; fail "ingest failed"; }
check "stored events" "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM events')" 3000

F=2026-01-01T00:17:23.456Z
TO=2026-01-01T02:41:07.891Z
FMS=1767226643456		# F in ms
TMS=1767235267891		# TO in ms
W="ts >= $FMS AND ts < $TMS"
"$SITREP" report --db "$DB" --json --from "$F" --to "$TO" >"$T/r.json" ||
	fail "report exited $?"
jq -e . "$T/r.json" >/dev/null || fail "report output is not JSON"

q() { sqlite3 "$DB" "$1"; }
r() { jq -r "$1" "$T/r.json"; }
# Nearest-rank quantile of COLUMN over events matching COND.
nrank() {
	local n k
	n=$(q "SELECT COUNT(*) FROM events WHERE $1 AND $2 IS NOT NULL")
	k=$(awk -v n="$n" -v p="$3" 'BEGIN { r = p * n; c = int(r);
		if (r - c > 1e-9) c++; if (c < 1) c = 1; print c }')
	q "SELECT $2 FROM events WHERE $1 AND $2 IS NOT NULL ORDER BY $2
	   LIMIT 1 OFFSET $((k - 1))"
}

check from "$(r .from)" "$F"
check to "$(r .to)" "$TO"
check_near range_s "$(r .range_s)" 8624.435 1e-12

# Totals, twice: from the fixture file (jq) and from the store (sqlite3).
sel="select(.timestamp >= \"$F\" and .timestamp < \"$TO\")"
total=$(jq -r "$sel | .event_id" "$FX" | wc -l)
check "total_events (fixture)" "$(r .total_events)" "$total"
check "total_events (db)" "$(r .total_events)" "$(q "SELECT COUNT(*) FROM events WHERE $W")"
users=$(jq -r "$sel | .user_id // empty" "$FX" | sort -u | wc -l)
check "unique_users (fixture)" "$(r .unique_users)" "$users"
check "unique_users (db)" "$(r .unique_users)" \
	"$(q "SELECT COUNT(DISTINCT user_id) FROM events WHERE $W AND user_id <> ''")"
sessions=$(jq -r "$sel | .session_id // empty" "$FX" | sort -u | wc -l)
check "unique_sessions (fixture)" "$(r .unique_sessions)" "$sessions"
check "events_by_type" "$(r '.events_by_type | to_entries[] | "\(.key)=\(.value)"' | sort)" \
	"$(q "SELECT event_type || '=' || COUNT(*) FROM events WHERE $W GROUP BY event_type" | sort)"

# Per service, including events without one (JSON null).  A request has
# a status, a latency or the type "request"; page views and heartbeats
# without either are events, not requests (their services list 0).
REQ="(status IS NOT NULL OR latency_ms IS NOT NULL OR event_type = 'request')"
check "total_requests" "$(r .total_requests)" "$(q "SELECT COUNT(*) FROM events WHERE $W AND $REQ")"
check "services" "$(r '.services[] | "\(.service // "")=\(.requests)"')" \
	"$(q "SELECT COALESCE(service, '') || '=' || SUM($REQ) FROM events WHERE $W
	      GROUP BY COALESCE(service, '') ORDER BY SUM($REQ) DESC, 1")"
range_s=8624.435
for s in api llm web; do
	S="$W AND service = '$s'"
	j=".services[] | select(.service == \"$s\")"
	n=$(q "SELECT COUNT(*) FROM events WHERE $S AND $REQ")
	n5=$(q "SELECT COUNT(*) FROM events WHERE $S AND status BETWEEN 500 AND 599")
	check "$s requests" "$(r "$j.requests")" "$n"
	check_near "$s rate_per_s" "$(r "$j.rate_per_s")" \
		"$(awk -v n="$n" -v s="$range_s" 'BEGIN { printf "%.12g", n / s }')" 1e-9
	check "$s status_4xx" "$(r "$j.status_4xx")" \
		"$(q "SELECT COUNT(*) FROM events WHERE $S AND status BETWEEN 400 AND 499")"
	check "$s status_5xx" "$(r "$j.status_5xx")" "$n5"
	if [ "$s" = web ]; then
		check "web requests" "$n" 0
		check "web error_rate" "$(r "$j.error_rate")" 0
		check "web latency" "$(r "$j.latency_ms.p95")" null
		check "web top_endpoints" "$(r "$j.top_endpoints | length")" 0
		continue
	fi
	check_near "$s error_rate" "$(r "$j.error_rate")" \
		"$(awk -v a="$n5" -v b="$n" 'BEGIN { printf "%.12g", a / b }')" 1e-9
	check_near "$s latency avg" "$(r "$j.latency_ms.avg")" \
		"$(q "SELECT AVG(latency_ms) FROM events WHERE $S")" 1e-9
	check_near "$s latency max" "$(r "$j.latency_ms.max")" \
		"$(q "SELECT MAX(latency_ms) FROM events WHERE $S")" 1e-9
	for p in 50 95 99; do
		check_near "$s latency p$p" "$(r "$j.latency_ms.p$p")" \
			"$(nrank "$S" latency_ms "0.$p")" 0.01
	done
	# Top endpoints: order, requests, error rate, p95.
	check "$s top_endpoints" "$(r "$j.top_endpoints[] | \"\(.endpoint)=\(.requests)\"")" \
		"$(q "SELECT endpoint || '=' || COUNT(*) FROM events WHERE $S AND $REQ
		      AND endpoint <> '' GROUP BY endpoint ORDER BY COUNT(*) DESC, endpoint
		      LIMIT 10")"
	for e in $(r "$j.top_endpoints[].endpoint"); do
		E="$S AND endpoint = '$e'"
		je="$j.top_endpoints[] | select(.endpoint == \"$e\")"
		check_near "$s $e error_rate" "$(r "$je.error_rate")" \
			"$(q "SELECT 1.0 * SUM(status BETWEEN 500 AND 599) / COUNT(*) FROM events WHERE $E")" 1e-9
		check_near "$s $e p95" "$(r "$je.p95_ms")" "$(nrank "$E" latency_ms 0.95)" 0.01
	done
	# Top errors: patterns of the messages of 5xx events (the fixture's
	# only variable part is a quoted string), by count then text; each
	# example is one of its pattern's messages.
	check "$s top_errors" "$(r "$j.top_errors[] | \"\(.template)=\(.count)\"")" \
		"$(q "SELECT message FROM events WHERE $S AND message <> ''
		      AND status BETWEEN 500 AND 599" |
		   sed -E 's/"[^"]*"/<str>/g' | LC_ALL=C sort | uniq -c |
		   awk '{ n = $1; sub(/^ *[0-9]+ /, ""); print n "\t" $0 }' |
		   LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -k2 | head -10 |
		   awk -F '\t' '{ print $2 "=" $1 }')"
	r "$j.top_errors[] | \"\(.template)\t\(.example)\"" |
	while IFS=$'\t' read -r tp ex; do
		[ "$(printf '%s' "$ex" | sed -E 's/"[^"]*"/<str>/g')" = "$tp" ] ||
			fail "$s example '$ex' is not of pattern '$tp'"
	done
done

# Models: requests, tokens, tokens/s = tokens_out / summed latency of the
# events that report tokens_out, TTFT p50/p95.
check "models" "$(r '.models[] | "\(.model)=\(.requests)=\(.tokens_in)=\(.tokens_out)"')" \
	"$(q "SELECT model || '=' || COUNT(*) || '=' || TOTAL(tokens_in) || '=' ||
	      TOTAL(tokens_out) FROM events WHERE $W AND model <> '' GROUP BY model
	      ORDER BY COUNT(*) DESC, model" | sed 's/\.0=/=/g; s/\.0$//')"
for m in $(r '.models[].model'); do
	M="$W AND model = '$m'"
	jm=".models[] | select(.model == \"$m\")"
	check_near "$m tokens_per_s" "$(r "$jm.tokens_per_s")" \
		"$(q "SELECT TOTAL(tokens_out) * 1000.0 / TOTAL(CASE WHEN tokens_out IS NOT NULL
		      THEN latency_ms END) FROM events WHERE $M")" 1e-9
	check_near "$m ttft p50" "$(r "$jm.ttft_ms.p50")" "$(nrank "$M" ttft_ms 0.5)" 0.01
	check_near "$m ttft p95" "$(r "$jm.ttft_ms.p95")" "$(nrank "$M" ttft_ms 0.95)" 0.01
done

# --service: one service, its own distinct users and types.
"$SITREP" report --db "$DB" --json --from "$F" --to "$TO" --service api \
	>"$T/api.json" || fail "report --service exited $?"
check "service filter total" "$(jq .total_events "$T/api.json")" \
	"$(q "SELECT COUNT(*) FROM events WHERE $W AND service = 'api'")"
check "service filter rows" "$(jq '.services | length' "$T/api.json")" 1
check "service filter users" "$(jq .unique_users "$T/api.json")" \
	"$(q "SELECT COUNT(DISTINCT user_id) FROM events WHERE $W AND service = 'api'")"
check "--top 2" "$("$SITREP" report --db "$DB" --json --from "$F" --to "$TO" --top 2 |
	jq '[.services[].top_endpoints | length] | max')" 2

# Text: the tables, with numbers formatted for people.
"$SITREP" report --db "$DB" --from "$F" --to "$TO" >"$T/r.txt" || fail "text report"
grep -q '^Services' "$T/r.txt" || fail "no Services table"
grep -q '^Models' "$T/r.txt" || fail "no Models table"
grep -q 'SERVICE  *REQUESTS' "$T/r.txt" || fail "no header row"
fmt="${total:0:${#total}-3},${total: -3}"
grep -qE "^events +$fmt\$" "$T/r.txt" || fail "total '$fmt' not in the text"
echo "ok text output"

# The default range (24 h before now) holds none of these January events.
check "default range" "$("$SITREP" report --db "$DB" --json | jq .total_events)" 0

# Usage errors exit 2; a missing database exits 1 and is not created.
"$SITREP" report --help | grep -q 'usage: sitrep report' || fail "--help"
for args in "--bogus" "--hours x" "--hours 0" "--hours 2 --from $F" \
	"--from $TO --to $F" "--from yesterdayish" "--top 0" "extra"; do
	set +e; "$SITREP" report --db "$DB" $args >/dev/null 2>&1; rc=$?; set -e
	check "exit for '$args'" "$rc" 2
done
set +e; "$SITREP" report --db "$T/none.db" 2>"$T/err.txt"; rc=$?; set -e
check "missing db exit" "$rc" 1
grep -q "none.db" "$T/err.txt" || fail "missing-db message does not name the file"
[ ! -e "$T/none.db" ] || fail "report created the missing database"
echo "report: all checks passed"
