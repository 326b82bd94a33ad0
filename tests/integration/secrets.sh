#!/usr/bin/env bash
# Secrets in source specs are never shown: a serve following
# http://user:PASSWORD@.../x?api_key=..&token=.. shows the spec with ***
# in /api/health, /metrics, its stderr, `sitrep config` and the console
# (tmux), while the cursor, stored under the spec as written, still
# resumes after a restart.  SITREP_TOKEN sets serve's token (a token file
# wins over it) and authenticates sitrep:// sources; netrc=PATH logs an
# http:// source in without a password in the URL.  The HTTP server is
# tests/hostile_httpd.py, which logs each request's path and auth kind.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null || fail "python3 is needed"
tmux_open secrets

PW=hunter2 KEY=s3cr3t TOK=abcq7 NETPW=n3tpw BEARER=b34rer
# none_of FILE WHAT: none of the secrets is in FILE
none_of() {
	for s in "$PW" "$KEY" "$TOK" "$NETPW" "$BEARER" pw0rd9; do
		! grep -q -- "$s" "$1" || fail "$2 shows the secret '$s': $(grep -o -- ".\{0,40\}$s.\{0,20\}" "$1" | head -n 2)"
	done
	echo "ok $2: no secret"
}
# The events: 5 valid, 1 with a bad time (so /metrics has a source label).
# (recent times: older ones would be pruned by the retention on restart)
NOW=$(( $(date +%s) * 1000 ))
ev() { for i in $(seq "$1" "$2"); do
	printf '{"event_id":"e%d","ts":%d,"service":"s","endpoint":"/x","status_code":200}\n' "$i" $((NOW - 60000 + i)); done; }
{ ev 1 5; echo '{"event_id":"bad","timestamp":"garbage","service":"s"}'; } >"$T/ev.jsonl"

HP=$(free_port)
python3 "$ROOT/tests/hostile_httpd.py" "$HP" "$T/ev.jsonl" "$T/http.log" \
	netuser "$NETPW" "$BEARER" &
PIDS+=($!)
wait_http "http://127.0.0.1:$HP/events"

SPEC="http://user:$PW@127.0.0.1:$HP/events?api_key=$KEY&token=$TOK#every=200ms"
SHOWN="http://user:***@127.0.0.1:$HP/events?api_key=***&token=***#every=200ms"
DB=$T/db
P=$(free_port)
serve() {
	"$SITREP" serve --db "$DB" --listen "127.0.0.1:$P" --no-system \
		--source "$SPEC" </dev/null 2>>"$T/serve.log" &
	SV=$!
	PIDS+=("$SV")
	wait_http "http://127.0.0.1:$P/api/health"
}
wait_events() {
	local got
	for _ in $(seq 200); do
		got=$(sqlite3 "$DB" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)
		[ "$got" = "$1" ] && return 0
		sleep 0.1
	done
	cat "$T/serve.log" >&2; sqlite3 "$DB" "SELECT count(*) FROM events" >&2; fail "stored events: got $got, want $1"
}
serve
wait_events 5
# the rejected line is counted once the tick after it publishes
for _ in $(seq 100); do
	curl -s "http://127.0.0.1:$P/metrics" >"$T/metrics"
	grep -q 'sitrep_events_rejected_total{source=' "$T/metrics" && break
	sleep 0.1
done
curl -s "http://127.0.0.1:$P/api/health" >"$T/health"
none_of "$T/health" "/api/health"
check "health source name" "$(jq -r '.sources[0].name' "$T/health")" "$SHOWN"
none_of "$T/metrics" "/metrics"
grep -qF "source=\"$SHOWN\"" "$T/metrics" || fail "/metrics has no redacted source label"
echo "ok /metrics source label redacted"
# the cursor is stored under the spec as written
check "cursor key" "$(sqlite3 "$DB" "SELECT count(*) FROM cursors WHERE source = '$SPEC'")" 1

# restart: the cursor resumes (2 new events, none again)
kill "$SV"; wait "$SV" 2>/dev/null || true
ev 6 7 >>"$T/ev.jsonl"
serve
wait_events 7
sleep 1 # a few more polls: nothing is stored twice
check "events after restart" "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 7
check "distinct events" "$(sqlite3 "$DB" 'SELECT count(DISTINCT event_id) FROM events')" 7
grep -q "since=6" "$T/http.log" || fail "the restart did not resume from cursor 6"
kill "$SV"; wait "$SV" 2>/dev/null || true

# bad specs: the usage error names the spec without its secrets
set +e
"$SITREP" serve --db "$T/db2" --listen "127.0.0.1:$P" \
	--source "sitrep://127.0.0.1:1?password=pw0rd9&every=1s" </dev/null 2>>"$T/serve.log"
rc=$?
"$SITREP" ingest --db "$T/db2" --source "file:$T/nope?password=pw0rd9" </dev/null 2>>"$T/serve.log"
rc2=$?
set -e
check "bad sitrep spec: exit" "$rc" 2
check "bad file spec: exit" "$rc2" 2
grep -q 'password=\*\*\*' "$T/serve.log" || fail "the usage error does not show password=***"
# a source that fails names its request URL without the secrets
"$SITREP" ingest --db "$T/db3" --source "http://u:$PW@127.0.0.1:$HP/nonjson?key=$KEY" \
	</dev/null >/dev/null 2>>"$T/serve.log" || true
grep -q 'invalid JSON' "$T/serve.log" || fail "no error for the non-JSON answer"
none_of "$T/serve.log" "stderr"

# sitrep config: a [source] spec from the file
printf '[source web]\nspec = %s\n' "$SPEC" >"$T/conf"
"$SITREP" config --config "$T/conf" >"$T/config.out"
none_of "$T/config.out" "sitrep config"
grep -qF "spec = $SHOWN" "$T/config.out" || fail "sitrep config does not show the redacted spec"
"$SITREP" config --config "$T/conf" --json >"$T/config.json"
none_of "$T/config.json" "sitrep config --json"
# sitrep config says where serve's token comes from, never the token
SITREP_TOKEN=$BEARER "$SITREP" config --config "$T/conf" >"$T/config.env"
none_of "$T/config.env" "sitrep config with SITREP_TOKEN"
grep -q '^token_file = .*; env:SITREP_TOKEN' "$T/config.env" ||
	fail "sitrep config does not name SITREP_TOKEN: $(grep token_file "$T/config.env")"
echo "ok sitrep config names SITREP_TOKEN"

# the console: the header's source list
tm new-session -d -s s -x 220 -y 40 \
	"'$SITREP' --db '$T/tui.db' --no-mouse --source '$SPEC' 2>'$T/tui.err'; sleep 30"
for _ in $(seq 100); do
	tm capture-pane -p -t s >"$T/screen"
	grep -qF "127.0.0.1:$HP" "$T/screen" && break
	sleep 0.1
done
grep -qF "user:***@127.0.0.1:$HP" "$T/screen" || { cat "$T/screen"; fail "the console does not show the redacted spec"; }
none_of "$T/screen" "the console"
tm kill-server 2>/dev/null || true
none_of "$T/tui.err" "the console's stderr"

# SITREP_TOKEN: serve's token; a token file wins over it
P2=$(free_port)
SITREP_TOKEN=envtok "$SITREP" serve --db :memory: --listen "127.0.0.1:$P2" \
	--no-system </dev/null 2>>"$T/serve.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P2/api/health"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "SITREP_TOKEN: no token" "$(code "http://127.0.0.1:$P2/metrics")" 401
check "SITREP_TOKEN: wrong token" "$(code -H 'Authorization: Bearer nope' "http://127.0.0.1:$P2/metrics")" 401
check "SITREP_TOKEN: its token" "$(code -H 'Authorization: Bearer envtok' "http://127.0.0.1:$P2/metrics")" 200
P3=$(free_port)
echo filetok >"$T/tokfile"
chmod 600 "$T/tokfile"
SITREP_TOKEN=envtok "$SITREP" serve --db :memory: --listen "127.0.0.1:$P3" \
	--no-system --token-file "$T/tokfile" </dev/null 2>>"$T/serve.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P3/api/health"
check "token file wins: env token" "$(code -H 'Authorization: Bearer envtok' "http://127.0.0.1:$P3/metrics")" 401
check "token file wins: file token" "$(code -H 'Authorization: Bearer filetok' "http://127.0.0.1:$P3/metrics")" 200

# SITREP_TOKEN for a sitrep:// source (the test server wants the bearer)
: >"$T/http.log"
SITREP_TOKEN=$BEARER "$SITREP" ingest --db "$T/db4" \
	--source "sitrep://127.0.0.1:$HP" </dev/null 2>>"$T/serve.log"
check "sitrep:// with SITREP_TOKEN: stored" "$(sqlite3 "$T/db4" 'SELECT count(*) FROM events')" 7
grep -q '^GET /api/events.* auth=bearer$' "$T/http.log" || fail "no bearer sent"

# netrc=PATH: basic auth from the file, never in the URL
printf 'machine 127.0.0.1 login netuser password %s\n' "$NETPW" >"$T/netrc"
chmod 600 "$T/netrc"
: >"$T/http.log"
"$SITREP" ingest --db "$T/db5" --source "http://127.0.0.1:$HP/auth#netrc=$T/netrc" \
	</dev/null 2>>"$T/serve.log"
check "netrc: stored" "$(sqlite3 "$T/db5" 'SELECT count(*) FROM events')" 7
grep -q '^GET /auth.* auth=basic:netuser$' "$T/http.log" || fail "no basic auth from netrc"
none_of "$T/http.log" "request URLs"
# without netrc= the endpoint refuses: the 401 is the source's error
"$SITREP" ingest --db "$T/db6" --source "http://127.0.0.1:$HP/auth" </dev/null 2>"$T/noauth.err" || true
grep -q 'HTTP 401' "$T/noauth.err" || fail "no 401 without netrc=: $(cat "$T/noauth.err")"
# a netrc= that cannot be read is a bad spec
set +e
"$SITREP" ingest --db "$T/db6" --source "http://127.0.0.1:$HP/auth#netrc=$T/none" </dev/null 2>"$T/bad.err"
rc=$?
set -e
check "unreadable netrc: exit" "$rc" 2
grep -q "netrc" "$T/bad.err" || fail "the error does not name the netrc file"
none_of "$T/serve.log" "stderr (all)"
echo "secrets: ok"
