#!/usr/bin/env bash
# sitrep ingest over mixed good and bad lines: every good line is stored,
# every bad one is counted under its reason, from stdin and from a file.
source "$(dirname "$0")/lib.sh"

ts=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)	# recent: inside the retention
f="$T/mixed.jsonl"
{
	printf '{"timestamp":"%s","event_id":"g1","service":"api","endpoint":"/a","status_code":200,"response_time_ms":12.5}\n' "$ts"
	printf '{"timestamp":"%s","event_id":"g2","service":"api","endpoint":"/b","status_code":503,"message":"boom"}\r\n' "$ts"
	printf '\n'
	printf '{"timestamp":"%s", "event_id": "broken\n' "$ts"		# not_json
	printf '[1,2,3]\n'							# not_object
	printf '{"timestamp":"%s","event_id":"g3","service":"caf\xc3\xa9","status_code":201}\n' "$ts"
	printf '{"timestamp":"%s","event_id":"b1","latency_ms":-5}\n' "$ts"	# bad_field (a status that is not one is kept)
	printf '   \n'
	printf '{"timestamp":"the day before yesterday","event_id":"b2"}\n'	# bad_time
	printf '{"timestamp":"%s","event_id":"b3","service":"\xff\xfe"}\n' "$ts"	# bad_utf8
	printf '{"timestamp":"%s","event_id":"b4","message":"' "$ts"		# too_long
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' a
	printf '"}\n'
	printf '{"timestamp":"%s","event_id":"g4","service":"api","model":"llama-3.1-8b","tokens_in":10,"tokens_out":20,"ttft_ms":55.5}\n' "$ts"
	printf '{"timestamp":"%s","event_id":"g5","service":"api"}' "$ts"	# no final newline
} >"$f"
lines=13	# counted by hand above, blank ones included
good="g1 g2 g3 g4 g5"

check_run() {	# NAME DB STDERR
	local db=$2 err=$3
	check "$1 stored" "$(sqlite3 "$db" 'SELECT group_concat(event_id, " ") FROM (SELECT event_id FROM events ORDER BY event_id)')" "$good"
	grep -q "from $lines lines" "$err" || fail "$1: line count: $(tail -n 1 "$err")"
	grep -q "ingested 5 events" "$err" || fail "$1: events: $(tail -n 1 "$err")"
	for r in "rejected 6" "not_json 1" "not_object 1" "bad_field 1" \
	    "bad_time 1" "bad_utf8 1" "too_long 1"; do
		tail -n 1 "$err" | grep -q "$r" || fail "$1: '$r' missing: $(tail -n 1 "$err")"
	done
	echo "ok $1 summary"
}

"$SITREP" ingest --db "$T/a.db" <"$f" 2>"$T/a.err" || fail "exit $?"
check_run stdin "$T/a.db" "$T/a.err"
# The first rejections are shown with their line number.
grep -q '^sitrep: stdin line 4: not_json' "$T/a.err" || fail "no line-4 report: $(head -n 3 "$T/a.err")"
grep -q '^sitrep: stdin line 5: not_object' "$T/a.err" || fail "no line-5 report"
echo "ok rejections reported by line"
# Fields arrive intact: the CRLF line keeps no \r, UTF-8 survives.
check crlf_status "$(sqlite3 "$T/a.db" "SELECT status || '|' || message FROM events WHERE event_id='g2'")" "503|boom"
check utf8 "$(sqlite3 "$T/a.db" "SELECT service FROM events WHERE event_id='g3'")" "café"
check llm "$(sqlite3 "$T/a.db" "SELECT model || '|' || tokens_in || '|' || tokens_out || '|' || ttft_ms FROM events WHERE event_id='g4'")" "llama-3.1-8b|10|20|55.5"
check latency "$(sqlite3 "$T/a.db" "SELECT latency_ms FROM events WHERE event_id='g1'")" "12.5"

"$SITREP" ingest --db "$T/b.db" "$f" 2>"$T/b.err" || fail "exit $?"
check_run file "$T/b.db" "$T/b.err"
grep -q "^sitrep: $f line 4: not_json" "$T/b.err" || fail "file source not named"

# The same file twice through '-' and a path: counts add up.
"$SITREP" ingest --db "$T/c.db" - "$f" <"$f" 2>"$T/c.err" || fail "exit $?"
check twice "$(sqlite3 "$T/c.db" 'SELECT count(*) FROM events')" 10
grep -q "rejected 12" "$T/c.err" || fail "twice: $(tail -n 1 "$T/c.err")"
echo "ok twice"

# demo | ingest: every line stored.
"$SITREP" demo --fast --seed 5 --count 3000 --span 10m | "$SITREP" ingest --db "$T/d.db" 2>"$T/d.err"
check demo_pipe "$(sqlite3 "$T/d.db" 'SELECT count(*) FROM events')" 3000

# Retention: events older than --retain are pruned at the end, and said so.
old=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%S.000Z)
{
	printf '{"timestamp":"%s","event_id":"old1","service":"api"}\n' "$old"
	printf '{"timestamp":"%s","event_id":"new1","service":"api"}\n' "$ts"
} | "$SITREP" ingest --db "$T/r.db" --retain 1d 2>"$T/r.err"
check retained "$(sqlite3 "$T/r.db" 'SELECT group_concat(event_id) FROM events')" new1
grep -q 'ingested 2 events.*pruned' "$T/r.err" || fail "retention summary: $(cat "$T/r.err")"
echo "ok retention"
