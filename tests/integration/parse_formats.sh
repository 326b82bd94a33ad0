#!/usr/bin/env bash
# sitrep parse and --format over fixtures built from documented formats
# (tests/fixtures/formats/, each names its source): every output line is
# valid JSON without a duplicate key (python3's json module with an
# object_pairs_hook that rejects them), and the values agree with an
# independent reading of the same fixture (python3, awk).  Exit status of
# parse, formats, and ingest with a declared template.
source "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/formats"
set +e


# body: the fixture without its header comment
body() { grep -v '^#' "$FX/$1"; }

# parse FIXTURE FORMAT: sitrep parse into $T/out, exit 0 wanted; the
# checks of the previous case run first
WANTS=()
parse() {
	done_case
	body "$1" | "$SITREP" parse --explain --format "$2" >"$T/out" 2>"$T/err"
	check "parse $1 --format $2 exit" "$?" 0
}
# want FIELD JSON: the field of every output object, in order (checked
# with the case's others, one python3 run)
want() { WANTS+=("$1" "$2"); }
done_case() {
	[ "${#WANTS[@]}" -gt 0 ] || return 0
	python3 "$ROOT/tests/integration/json_check.py" "$T/out" "${WANTS[@]}" || fail "$CASE"
	echo "ok $CASE: ${#WANTS[@]} checks"
	WANTS=()
}

for f in traefik auto; do
	CASE="traefik/$f"; parse traefik.log "$f"
	# the duration is the last field, without its "ms" (awk)
	want latency_ms "[$(body traefik.log | awk '{ sub(/ms$/, "", $NF); printf "%s%s", s, $NF; s="," }')]"
	want status "[200,200,502,304]"
	want endpoint '["/v1/models","/v1/chat/completions","/v1/chat/completions","/dashboard/"]'
done

for f in json auto; do
	CASE="litellm/$f"; parse litellm.jsonl "$f"
	want tokens_in "$(body litellm.jsonl | python3 -c '
import json, sys
print(json.dumps([j.get("prompt_tokens", j.get("usage", {}).get("prompt_tokens")) for j in map(json.loads, sys.stdin)]))')"
	want tokens_out "$(body litellm.jsonl | python3 -c '
import json, sys
print(json.dumps([j.get("completion_tokens", j.get("usage", {}).get("completion_tokens")) for j in map(json.loads, sys.stdin)]))')"
	want error "[false,true,false,false]"
	want type '["request","request","request","request"]'
	want model '["gpt-4o-mini","claude-3-5-haiku","gpt-4o","gpt-4o"]'
done

done_case
# --explain: where a field came from, and what was kept aside and why
grep -q '"tokens_in":"usage.prompt_tokens"' "$T/out" || fail "explain: no field source"
grep -q '"key":"status","why":"not an HTTP status' "$T/out" || fail "explain: no reason"
grep -q '"key":"spend","why":"not a field' "$T/out" || fail "explain: unknown key"
echo "ok explain shows sources and reasons"

for f in otlp auto; do
	CASE="otlp/$f"; parse otlp.jsonl "$f"
	want message "$(body otlp.jsonl | python3 -c '
import json, sys
print(json.dumps([r["body"]["stringValue"] for l in sys.stdin for rl in json.loads(l)["resourceLogs"] for sl in rl["scopeLogs"] for r in sl["logRecords"]]))')"
	want ts_ms "$(body otlp.jsonl | python3 -c '
import json, sys
print(json.dumps([int(r["timeUnixNano"]) // 1000000 for l in sys.stdin for rl in json.loads(l)["resourceLogs"] for sl in rl["scopeLogs"] for r in sl["logRecords"]]))')"
	want service '["chat-api","chat-api","embedder"]'
	want error '[true,false,false]'
	want tokens_in '[null,42,null]'
	want status '[null,200,null]'
done

for f in caddy auto; do
	CASE="caddy/$f"; parse caddy.jsonl "$f"
	want latency_ms "$(body caddy.jsonl | python3 -c '
import json, sys
print(json.dumps([j["duration"] * 1000 for j in map(json.loads, sys.stdin)]))')"
	want endpoint '["/api/items","/api/pay"]'
done

CASE=haproxy; parse haproxy.log haproxy
want latency_ms "[$(body haproxy.log | awk '{ n = split($10, t, "/"); printf "%s%s", s, t[n]; s="," }')]"
want service "[$(body haproxy.log | awk '{ split($9, b, "/"); printf "%s\"%s\"", s, b[1]; s="," }')]"
want status '[200,504]'

for f in syslog auto; do
	CASE="syslog/$f"; parse syslog.log "$f"
	want service '["sudo","su","evntslog","api"]'
	want type '["log","log","log","log"]'
	want error '[false,true,false,true]'
	grep -q '"[;]":' "$T/out" && fail "$CASE: a key ';' in metadata"
done

for f in journald auto; do
	CASE="journald/$f"; parse journald.jsonl "$f"
	want message '["db connection refused","synced",null]'
	want service '["api","sync","cron"]'
	want error '[true,false,false]'
	want type '["log","log","log"]'
done

for f in ecs auto; do
	CASE="ecs/$f"; parse ecs.jsonl "$f"
	want status '[503,200]'
	want latency_ms '[12.5,2.0]'
	want endpoint '["/pay","/items"]'
	want service '["shop","shop"]'
	want user_id '["u-9",null]'
done

for f in json auto; do
	CASE="log4j2/$f"; parse log4j2.jsonl "$f"
	# epochSecond * 1000 + nanoOfSecond / 1e6, timeMillis as is (python)
	want ts_ms "$(body log4j2.jsonl | python3 -c '
import json, sys
print(json.dumps([j["instant"]["epochSecond"] * 1000 + j["instant"]["nanoOfSecond"] // 1000000 if "instant" in j else j["timeMillis"] for j in map(json.loads, sys.stdin)]))')"
	want error '[true,false,false]'
done

for f in vhost_combined auto; do
	CASE="vhost_combined/$f"; parse vhost_combined.log "$f"
	want service '["www.example.com","shop.example.com"]'
	want status '[200,500]'
	want endpoint '["/","/cart"]'
done

# Apache %D at the end: no latency without a declared format, and a
# one-time notice names the --format; declared, it is microseconds.
D='127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "GET / HTTP/1.1" 200 45 "-" "curl/7.88.1" 5123'
done_case
printf '%s\n%s\n' "$D" "$D" | "$SITREP" parse >"$T/out" 2>"$T/err"
check "apache %D auto exit" "$?" 0
CASE=apache_auto; want latency_ms '[null,null]'
done_case
check "one notice" "$(grep -c 'notice:.*--format' "$T/err")" 1
printf '%s\n' "$D" | "$SITREP" parse --format \
	'apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' >"$T/out"
CASE=apache_declared; want latency_ms '[5.123]'
done_case

# ingest with a declared template stores the latency (sqlite3)
printf '%s\n' "$D" | "$SITREP" ingest --db "$T/a.db" --retain 36500d --format \
	'apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' 2>"$T/err"
check "ingest --format apache exit" "$?" 0
check "ingest apache latency" "$(sqlite3 "$T/a.db" 'SELECT latency_ms FROM events')" 5.123

# exit status: a rejected line is 1, a bad format 2
printf 'not a line of any format\n' | "$SITREP" parse >"$T/out" 2>/dev/null
check "parse reject exit" "$?" 1
CASE=reject; want rejected '["unrecognised"]'
done_case
"$SITREP" parse --format yaml </dev/null 2>"$T/err"
check "parse bad format exit" "$?" 2
grep -q "yaml" "$T/err" || fail "bad format message: $(cat "$T/err")"
"$SITREP" parse --format 'apache:%Z' </dev/null 2>"$T/err"
check "parse bad template exit" "$?" 2
"$SITREP" serve --format yaml </dev/null 2>"$T/err"
check "serve bad format exit" "$?" 2

# serve --format: stdin is read in the declared format (auto would read
# no latency from the trailing %D)
P=$(free_port)
printf '%s\n' "$D" | "$SITREP" serve --db "$T/s.db" --listen "127.0.0.1:$P" \
	--no-system --format \
	'apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' \
	2>"$T/serve.err" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P/api/health"
for _ in $(seq 100); do
	[ "$(curl -s "http://127.0.0.1:$P/api/health" |
		jq -r '.sources[] | select(.kind == "stdin") | .events')" = 1 ] && break
	sleep 0.1
done
check "serve --format apache latency" \
	"$(curl -s "http://127.0.0.1:$P/api/events?limit=10" | jq -c '[.events[].latency_ms]')" \
	"[5.123]"

# ... and without it, no latency and a one-time notice on stderr
P=$(free_port)
printf '%s\n%s\n' "$D" "$D" | "$SITREP" serve --db "$T/s2.db" \
	--listen "127.0.0.1:$P" --no-system 2>"$T/serve2.err" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P/api/health"
for _ in $(seq 100); do
	[ "$(curl -s "http://127.0.0.1:$P/api/health" |
		jq -r '.sources[] | select(.kind == "stdin") | .events')" = 2 ] && break
	sleep 0.1
done
check "serve auto latency" \
	"$(curl -s "http://127.0.0.1:$P/api/events?limit=10" | jq -c '[.events[].latency_ms]')" \
	"[null,null]"
check "serve notice once" "$(grep -c 'notice:.*--format' "$T/serve2.err")" 1
# ... and the same text as the stdin source's notice in /api/health's
# sources[] (python3 json: no key twice)
curl -s "http://127.0.0.1:$P/api/health" >"$T/health"
python3 "$ROOT/tests/integration/json_check.py" --doc "$T/health" || fail "health: a key twice"
check "stdin notice" "$(jq -r '.sources[] | select(.kind == "stdin") | .notice' "$T/health")" \
	"$(sed -n 's/^sitrep: [^:]*: notice: //p' "$T/serve2.err")"
echo "ok /api/health sources[].notice is stderr's notice"

# sitrep formats lists every preset the completion offers
"$SITREP" formats >"$T/formats"
check "formats exit" "$?" 0
for n in auto json logfmt combined common vhost_combined timed_combined \
	traefik haproxy caddy ecs syslog journald otlp nginx: apache:; do
	grep -q "^$n" "$T/formats" || fail "sitrep formats lacks $n"
done
echo "ok formats lists every preset"

# each preset's example in sitrep formats is read by that preset, and
# the man page names every preset and alias
set -e
"$SITREP" formats | awk '/^[^ ]/ { name = $1; next }
	/^    example: / && name !~ /:/ && name != "auto" {
		sub(/^    example: /, ""); print name "\t" $0 }' >"$T/examples"
check "presets with an example" "$(wc -l <"$T/examples")" 13
while IFS=$'\t' read -r n ex; do
	printf '%s\n' "$ex" | "$SITREP" parse --format "$n" >"$T/out" ||
		fail "the example of $n is not read by it: $ex"
	python3 "$ROOT/tests/integration/json_check.py" "$T/out" || fail "$n example output"
done <"$T/examples"
echo "ok every preset reads its own example"
sed 's/\\//g' "$ROOT/man/sitrep.1" >"$T/man"
for n in $("$SITREP" formats | sed -n 's/^\([a-z0-9_]*\)\( (also: \(.*\))\)\{0,1\}$/\1 \3/p'); do
	grep -qw -- "$n" "$T/man" || fail "man/sitrep.1 does not name the format $n"
	echo "$n"
done >"$T/names"
check "names in the man page" "$(wc -l <"$T/names")" 21
echo "ok the man page names every preset and alias"
