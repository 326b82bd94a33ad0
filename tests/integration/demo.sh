#!/usr/bin/env bash
# sitrep demo: reproducible with --seed, valid JSON lines with the
# documented fields, incidents raise the 5xx count, paced output roughly
# follows --rate (a loose bound: this is not a timing test).
source "$(dirname "$0")/lib.sh"

end=2026-11-28T12:00:00Z
"$SITREP" demo --fast --seed 7 --count 5000 --end "$end" >"$T/a.jsonl"
"$SITREP" demo --fast --seed 7 --count 5000 --end "$end" >"$T/b.jsonl"
"$SITREP" demo --fast --seed 8 --count 5000 --end "$end" >"$T/c.jsonl"
cmp -s "$T/a.jsonl" "$T/b.jsonl" || fail "same seed gave different output"
echo "ok same seed, same output"
! cmp -s "$T/a.jsonl" "$T/c.jsonl" || fail "different seeds gave the same output"
echo "ok different seeds differ"
check lines "$(wc -l <"$T/a.jsonl")" 5000
check valid_json "$(jq -c . "$T/a.jsonl" | wc -l)" 5000

# Every line carries the required fields with the right types.
bad=$(jq -r 'select((.timestamp | type) != "string"
	or (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$") | not)
	or (.event_id | type) != "string" or (.event_type | type) != "string"
	or (.service | type) != "string" or (.endpoint | type) != "string"
	or (.status_code | type) != "number" or (.response_time_ms | type) != "number")
	| .event_id' "$T/a.jsonl" | wc -l)
check malformed_lines "$bad" 0
check unique_ids "$(jq -r .event_id "$T/a.jsonl" | sort -u | wc -l)" 5000
# Timestamps in order and inside the default 1 h span ending at --end.
check in_order "$(jq -r .timestamp "$T/a.jsonl" | sort -c && echo yes)" yes
first=$(head -n 1 "$T/a.jsonl" | jq -r .timestamp)
last=$(tail -n 1 "$T/a.jsonl" | jq -r .timestamp)
[[ "$first" > "2026-11-28T10:59:59" && "$last" < "2026-11-28T12:00:00" ]] ||
	fail "span: $first .. $last"
echo "ok span $first .. $last"
# Errors carry a message; LLM calls carry model and tokens.
check errors_without_message "$(jq -r 'select(.status_code >= 400 and (.message | type) != "string") | 1' "$T/a.jsonl" | wc -l)" 0
check llm_without_tokens "$(jq -r 'select(.event_type == "llm_call" and .status_code < 400 and ((.model | type) != "string" or (.tokens_out | type) != "number" or (.ttft_ms | type) != "number")) | 1' "$T/a.jsonl" | wc -l)" 0
nsvc=$(jq -r .service "$T/a.jsonl" | sort -u | wc -l)
[ "$nsvc" -ge 5 ] || fail "only $nsvc services"
echo "ok $nsvc services"

# --fast without --count: rate x span events.
check rate_x_span "$("$SITREP" demo --fast --seed 1 --rate 10 --span 2m --end "$end" | wc -l)" 1200

# Incidents: more 5xx than the calm baseline over the same hour.
"$SITREP" demo --fast --seed 3 --count 20000 --end "$end" >"$T/some.jsonl"
"$SITREP" demo --fast --seed 3 --count 20000 --end "$end" --incidents none >"$T/none.jsonl"
some=$(jq -r 'select(.status_code >= 500) | 1' "$T/some.jsonl" | wc -l)
none=$(jq -r 'select(.status_code >= 500) | 1' "$T/none.jsonl" | wc -l)
[ "$some" -gt "$none" ] || fail "5xx with incidents $some, without $none"
echo "ok 5xx: some=$some none=$none"

# Paced: about rate x duration lines.
n=$("$SITREP" demo --duration 2 --rate 20 --seed 1 | wc -l)
[ "$n" -ge 20 ] && [ "$n" -le 60 ] || fail "paced: $n lines for 2 s at 20/s"
echo "ok paced $n lines"

# A reader that goes away ends the stream quietly.
set +o pipefail
"$SITREP" demo --rate 1000 2>"$T/err" | head -n 3 >/dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
check sigpipe_exit "$rc" 0
check sigpipe_stderr "$(wc -c <"$T/err")" 0

# Usage errors.
set +e
"$SITREP" demo --bogus >/dev/null 2>&1; check bad_option "$?" 2
"$SITREP" demo --incidents many >/dev/null 2>&1; check bad_incidents "$?" 2
"$SITREP" demo --rate 0 >/dev/null 2>&1; check bad_rate "$?" 2
"$SITREP" demo --help >/dev/null; check help "$?" 0
