#!/usr/bin/env bash
# A real Apache (Debian's apache2) on a free loopback port writes an access
# log in vhost_combined followed by %D (microseconds), driven by a bounded
# curl load; sitrep parse reads it with the same LogFormat declared and in
# auto mode, ingest stores it, and serve follows it as two file: sources,
# one in auto mode (its /api/health notice names the --format) and one
# with format= in its spec.  Every value is checked against an
# independent awk reading of the same log.
source "$(dirname "$0")/lib.sh"

if ! command -v apache2 >/dev/null; then
	[ "${CI:-}" = true ] && fail "apache2 is missing (make deps-test)"
	skip "apache2 is not installed"
fi
LF='%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D'
PORT=$(free_port)
mkdir -p "$T/www/docs" "$T/run"
chmod 755 "$T" "$T/www" "$T/www/docs"
printf 'hello\n' >"$T/www/index.html"
printf '{"ok":true}\n' >"$T/www/docs/a.json"
chmod 644 "$T/www/index.html" "$T/www/docs/a.json"
M=/usr/lib/apache2/modules
cat >"$T/httpd.conf" <<CONF
ServerRoot "$T/run"
PidFile "$T/run/httpd.pid"
Mutex file:$T/run default
Listen 127.0.0.1:$PORT
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule dir_module $M/mod_dir.so
User www-data
Group www-data
ServerName www.example.test
DocumentRoot "$T/www"
DirectoryIndex index.html
<Directory "$T/www">
	Require all granted
</Directory>
ErrorLog "$T/run/error.log"
LogFormat "${LF//\"/\\\"}" vhost_timed
CustomLog "$T/run/access.log" vhost_timed
CONF
apache2 -f "$T/httpd.conf" -DFOREGROUND 2>"$T/run/stderr.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/"

# The load: 40 requests of each kind in one curl run (bounded).
: >"$T/curl.cfg"
for i in $(seq 40); do
	printf 'url = "http://127.0.0.1:%s/docs/a.json?i=%s"\noutput = /dev/null\n' "$PORT" "$i"
	printf 'url = "http://127.0.0.1:%s/missing/%s"\noutput = /dev/null\n' "$PORT" "$i"
	printf 'url = "http://127.0.0.1:%s/a%%20b"\noutput = /dev/null\n' "$PORT"
done >>"$T/curl.cfg"
curl -s -A 'load test/1.0 (sitrep)' -e 'http://ref.example/' -K "$T/curl.cfg" ||
	fail "curl load failed"
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()
LOG="$T/run/access.log"
N=$(wc -l <"$LOG")
[ "$N" -ge 121 ] || fail "access log has $N lines, want 121 or more"
echo "ok access log: $N lines"

# awk: $1 vhost:port, $10 status, $8 the target, $NF %D (microseconds)
STATUS="[$(awk '{ printf "%s%s", s, $10; s="," }' "$LOG")]"
PATHS="[$(awk '{ p = $8; sub(/\?.*/, "", p); printf "%s\"%s\"", s, p; s="," }' "$LOG")]"
LAT="[$(awk '{ printf "%s%s", s, $NF / 1000; s="," }' "$LOG")]"
HOSTS="[$(awk '{ h = $1; sub(/:[0-9]+$/, "", h); printf "%s\"%s\"", s, h; s="," }' "$LOG")]"
NULLS="[$(awk '{ printf "%snull", s; s="," }' "$LOG")]"

"$SITREP" parse --format "apache:$LF" "$LOG" >"$T/declared" 2>"$T/err"
check "parse declared exit" "$?" 0
python3 "$ROOT/tests/integration/json_check.py" "$T/declared" status "$STATUS" endpoint "$PATHS" \
	latency_ms "$LAT" service "$HOSTS" || fail "declared format"
echo "ok declared: status, endpoint, latency (%D / 1000), service"

# auto: vhost_combined is detected; the trailing %D has no unit, so no
# latency, and a notice names the --format to declare
"$SITREP" parse "$LOG" >"$T/auto" 2>"$T/err"
check "parse auto exit" "$?" 0
python3 "$ROOT/tests/integration/json_check.py" "$T/auto" status "$STATUS" endpoint "$PATHS" \
	latency_ms "$NULLS" service "$HOSTS" || fail "auto format"
grep -q 'notice:.*--format' "$T/err" || fail "no notice: $(cat "$T/err")"
echo "ok auto: no latency guessed, one notice"

# ingest: the store holds every line, the errors and the latency sum
"$SITREP" ingest --db "$T/db" --retain 36500d --format "apache:$LF" "$LOG" 2>"$T/err" ||
	fail "ingest: $(cat "$T/err")"
check "stored" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" "$N"
check "stored 404s" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events WHERE status = 404')" \
	"$(awk '$10 == 404' "$LOG" | wc -l)"
check_near "latency sum (ms)" "$(sqlite3 "$T/db" 'SELECT sum(latency_ms) FROM events')" \
	"$(awk '{ s += $NF } END { print s / 1000 }' "$LOG")" 1e-9
# unique users: one visitor (same address, day and agent) for the load,
# and one for wait_http's curl (another agent)
check "unique users" "$(sqlite3 "$T/db" 'SELECT count(DISTINCT user_id) FROM events')" \
	"$(awk -F'"' '{ split($1, a, " "); print a[2], substr(a[5], 2, 11), $6 }' "$LOG" | sort -u | wc -l)"

# serve following the log as a file: source in auto mode: no latency, and
# the notice once on stderr and as the source's notice on /api/health
# (python3 json); with format= in the spec, the latency is read
P=$(free_port)
"$SITREP" serve --db "$T/s.db" --listen "127.0.0.1:$P" --no-system \
	--source "file:$LOG?from=start" \
	--source "file:$T/run/access.log?from=start&format=apache:${LF// /%20}" \
	2>"$T/serve.err" </dev/null &
PIDS+=($!)
wait_http "http://127.0.0.1:$P/api/health"
for _ in $(seq 100); do
	curl -s "http://127.0.0.1:$P/api/health" >"$T/health"
	[ "$(jq '[.sources[] | select(.kind == "file") | .events] | add' "$T/health")" = $((2 * N)) ] && break
	sleep 0.1
done
python3 "$ROOT/tests/integration/json_check.py" --doc "$T/health" || fail "health: a key twice"
jq -e --argjson n "$N" '[.sources[] | select(.kind == "file")] as [$auto, $decl]
	| $auto.events == $n and $decl.events == $n and $decl.notice == null
	and ($auto.notice | contains("--format apache:"))' "$T/health" >/dev/null ||
	fail "health: $(jq -c '[.sources[] | [.name, .events, .notice]]' "$T/health")"
echo "ok health: the auto source's notice names the --format, the declared one has none"
check "notices on stderr" "$(grep -c 'notice:.*--format' "$T/serve.err")" 1
check_near "serve latency sum (declared source, ms)" \
	"$(curl -s "http://127.0.0.1:$P/api/events?limit=1000" | jq '[.events[].latency_ms | select(. != null)] | add')" \
	"$(awk '{ s += $NF } END { print s / 1000 }' "$LOG")" 1e-9
