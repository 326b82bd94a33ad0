#!/usr/bin/env bash
# http:// sources pointed at a hostile server (tests/hostile_httpd.py): an
# endless body, a 1 GB single line, a gzip bomb, a slow drip, a redirect
# loop, non-JSON, JSON nested 100,000 deep and an array of 3.5 million
# values.  All at once in one serve: its peak RSS stays under 64 MiB (an
# answer is cut at 8 MiB, decoded; baseline RSS is about 14 MiB),
# /api/health keeps answering and its tick keeps moving, and each
# source's last_error says what went wrong.  Then the console with the
# widest attack: the header shows the error and the clock keeps going.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null || fail "python3 is needed"
tmux_open hostile
# ASan keeps freed memory in quarantine: a looser bound there
BOUND_KIB=$((64 * 1024))
[ "${SAN:-0}" = 1 ] && BOUND_KIB=$((768 * 1024))

echo '{"service":"s","status":200}' >"$T/ev.jsonl"
HP=$(free_port)
python3 "$ROOT/tests/hostile_httpd.py" "$HP" "$T/ev.jsonl" "$T/http.log" u p t &
PIDS+=($!)
wait_http "http://127.0.0.1:$HP/events"
U=http://127.0.0.1:$HP
ATTACKS="endless bigline gzipbomb drip redirect nonjson deep wide"
args=()
for a in $ATTACKS; do args+=(--source "$U/$a#every=1s&timeout=3s&max-backoff=2s"); done
P=$(free_port)
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$P" --no-system "${args[@]}" \
	</dev/null 2>"$T/serve.log" &
SV=$!
PIDS+=("$SV")
wait_http "http://127.0.0.1:$P/api/health"

# health while the attacks run: every answer within 5 s, errors show
errs=0 t0= t1= n=0
for _ in $(seq 60); do
	curl -s -m 5 -o "$T/h" "http://127.0.0.1:$P/api/health" || fail "/api/health did not answer"
	n=$((n + 1))
	t1=$(jq .tick "$T/h")
	[ -n "$t0" ] || t0=$t1
	errs=$(jq '[.sources[] | select(.last_error != null and .last_error != "")] | length' "$T/h")
	# every attack has failed at least once, and the drip (3 s) twice
	[ "$errs" = 8 ] && [ "$(grep -c '^GET /drip' "$T/http.log")" -ge 2 ] && break
	sleep 0.5
done
jq -r '.sources[] | "\(.name): \(.last_error)"' "$T/h"
check "sources with an error" "$errs" 8
[ "$t1" -gt "$t0" ] || fail "the tick did not move ($t0 -> $t1)"
echo "ok tick moved $t0 -> $t1 over $n health answers"
err_of() { jq -r --arg n "$U/$1#every=1s&timeout=3s&max-backoff=2s" '.sources[] | select(.name == $n) | .last_error' "$T/h"; }
err_of endless | grep -q "larger than 8 MiB" || fail "endless: $(err_of endless)"
err_of bigline | grep -q "larger than 8 MiB" || fail "bigline: $(err_of bigline)"
err_of gzipbomb | grep -q "larger than 8 MiB" || fail "gzipbomb: $(err_of gzipbomb)"
err_of drip | grep -qi "timed out" || fail "drip: $(err_of drip)"
err_of redirect | grep -qi "redirects" || fail "redirect: $(err_of redirect)"
err_of nonjson | grep -q "invalid JSON" || fail "nonjson: $(err_of nonjson)"
err_of deep | grep -q "invalid JSON" || fail "deep: $(err_of deep)"
err_of wide | grep -q "more than 200000 JSON values" || fail "wide: $(err_of wide)"
echo "ok every error names its cause"
check "status" "$(jq -r .status "$T/h")" degraded
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SV/status")
[ "$hwm" -lt "$BOUND_KIB" ] || fail "peak RSS $hwm KiB, bound $BOUND_KIB KiB"
echo "ok peak RSS $hwm KiB < $BOUND_KIB KiB"
kill "$SV"
wait "$SV" || fail "serve exited $? after the attacks"

# the console: the header names the error, the clock goes on
tm new-session -d -s s -x 200 -y 30 \
	"'$SITREP' --db '$T/tui.db' --no-mouse --source '$U/wide#every=1s' 2>'$T/tui.err'; sleep 30"
shot() { tm capture-pane -p -t s; }
for _ in $(seq 150); do
	shot >"$T/screen"
	grep -q "JSON values" "$T/screen" && break
	sleep 0.1
done
grep -q "more than 200000 JSON values" "$T/screen" || { cat "$T/screen"; fail "the console does not show the source's error"; }
echo "ok the console shows the error"
clock() { shot | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -n 1; }
c0=$(clock)
for _ in $(seq 100); do
	[ "$(clock)" != "$c0" ] && break
	sleep 0.1
done
[ "$(clock)" != "$c0" ] || fail "the console's clock stopped at $c0"
echo "ok the console's clock moves ($c0 -> $(clock))"
echo "source_hostile: ok"
