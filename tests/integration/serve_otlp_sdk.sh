#!/usr/bin/env bash
# serve_otlp_sdk: the real OpenTelemetry JS SDK (tests/otel/: versions
# pinned in package.json and package-lock.json, installed with `npm ci`
# into build/test-cache/otel, never committed) exports N spans over
# OTLP/HTTP JSON, N over OTLP/HTTP protobuf and M log records over
# OTLP/HTTP JSON, with gen_ai.* attributes, to `sitrep serve
# --accept-otlp` with a token.  Every export must succeed; the store must
# hold exactly N + N request events and M log events, and each one's
# span id, service, endpoint, start, duration, model, tokens, TTFT and
# error (log: body, time, tokens, severity) must be what the script sent.
# Fails under CI=true (skips otherwise) without node, npm or the packages.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v node >/dev/null || skip "node not installed"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE="$ROOT/build/test-cache/otel"
mkdir -p "$CACHE"
if ! cmp -s "$ROOT/tests/otel/package-lock.json" "$CACHE/package-lock.json" ||
	[ ! -d "$CACHE/node_modules/@opentelemetry/sdk-trace-base" ]; then
	command -v npm >/dev/null || skip "npm not installed"
	cp "$ROOT/tests/otel/package.json" "$ROOT/tests/otel/package-lock.json" "$CACHE/"
	(cd "$CACHE" && timeout 120 npm ci --silent --no-audit --no-fund \
		--ignore-scripts >/dev/null 2>&1) ||
		skip "cannot install the OpenTelemetry packages (npm ci)"
fi
cp "$ROOT/tests/otel/send.js" "$CACHE/send.js"

N=150
M=90
printf 'sdk-token\n' >"$T/token"
chmod 600 "$T/token"
P=$(free_port)
B="http://127.0.0.1:$P"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$P" --accept-otlp \
	--token-file "$T/token" --no-system 2>"$T/log" &
PIDS+=($!)
wait_http "$B/api/health"
(cd "$CACHE" && timeout 60 node send.js "$B" sdk-token "$N" "$M" "$T") >"$T/node.out" 2>&1 ||
	fail "the SDK's exports did not all succeed: $(tail -n 5 "$T/node.out")"
echo "ok $(tail -n 1 "$T/node.out")"

q() { sqlite3 "$T/db" "$1"; }
check "spans over JSON" "$(q "SELECT COUNT(*) FROM events WHERE service = 'chat-json'")" "$N"
check "spans over protobuf" "$(q "SELECT COUNT(*) FROM events WHERE service = 'chat-proto'")" "$N"
check "log records" "$(q "SELECT COUNT(*) FROM events WHERE service = 'worker'")" "$M"
check "request events" "$(q "SELECT COUNT(*) FROM events WHERE event_type = 'request'")" $((2 * N))
check "log events" "$(q "SELECT COUNT(*) FROM events WHERE event_type = 'log'")" "$M"

grep -v '^worker|' "$T/sent.txt" | sort >"$T/spans.want"
q "SELECT event_id, service, endpoint, ts, printf('%.3f', latency_ms), model,
	tokens_in, tokens_out,
	CASE WHEN ttft_ms IS NULL THEN '' ELSE printf('%.3f', ttft_ms) END, flags & 1
	FROM events WHERE event_type = 'request'" | sort >"$T/spans.got"
diff "$T/spans.want" "$T/spans.got" >"$T/spans.diff" ||
	fail "spans: stored events differ from what the SDK sent: $(head -n 6 "$T/spans.diff")"
echo "ok spans: id, service, endpoint, start, duration, model, tokens, TTFT and error of all $((2 * N))"
check "spans with TTFT" "$(q "SELECT COUNT(*) FROM events WHERE ttft_ms IS NOT NULL")" \
	"$(awk -F'|' '$9 != ""' "$T/spans.want" | wc -l)"
check "token sums" "$(q "SELECT SUM(tokens_in) || ' ' || SUM(tokens_out) FROM events WHERE event_type = 'request'")" \
	"$(awk -F'|' '{ i += $7; o += $8 } END { print i " " o }' "$T/spans.want")"

grep '^worker|' "$T/sent.txt" | sort >"$T/logs.want"
q "SELECT service, message, ts, tokens_out, flags & 1 FROM events
	WHERE event_type = 'log'" | sort >"$T/logs.got"
diff "$T/logs.want" "$T/logs.got" >"$T/logs.diff" ||
	fail "logs: stored events differ from what the SDK sent: $(head -n 6 "$T/logs.diff")"
echo "ok logs: body, time, tokens and severity of all $M"
