#!/usr/bin/env bash
# sitrep serve against a hostile browser and a crowded port: the Host
# header (DNS rebinding: loopback, the listen address, --allow-host,
# [serve] allow_host, the machine's names off loopback), the Origin of a
# request and the Content-Type of a POST (a cross-site text/plain POST
# stores nothing: counted with sqlite3), the [serve] limit keys (shown by
# `sitrep config`, max_body answered 413), and max_conns reached by
# connections that trickle a header forever: the next request is still
# answered.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

PORT=$(free_port)
B="http://127.0.0.1:$PORT"
cat > "$T/conf" <<EOF
[serve]
allow_host = cfg.example, second.example
max_body = 1000
max_conns = 4
max_conns_per_ip = 100
timeout = 20s
EOF

# ---- the keys as sitrep config shows them ---------------------------
"$SITREP" config --config "$T/conf" > "$T/shown"
for kv in "max_conns = 4" "max_conns_per_ip = 100" "max_body = 1000" \
	"timeout = 20s" "allow_host = cfg.example, second.example"; do
	grep -qF "$kv  ; file:$T/conf:" "$T/shown" || fail "config shows no '$kv': $(grep -A12 '^\[serve\]' "$T/shown")"
done
grep -qx 'max_url = 4096  ; default' "$T/shown" || fail "max_url default"
grep -qx 'max_header = 16384  ; default' "$T/shown" || fail "max_header default"
check "config --max-conns" "$("$SITREP" config --config "$T/conf" --max-conns 9 | grep '^max_conns =')" \
	"max_conns = 9  ; flag:--max-conns"
printf '[serve]\nmax_conns = 0\n' > "$T/bad.conf"
set +e
"$SITREP" serve --config "$T/bad.conf" --db :memory: --listen "127.0.0.1:$PORT" \
	--no-system </dev/null 2> "$T/bad.log"; rc=$?
set -e
check "max_conns 0 exit" "$rc" 2
grep -q 'max_conns' "$T/bad.log" || fail "the error names no key: $(cat "$T/bad.log")"
set +e
"$SITREP" serve --db :memory: --listen "127.0.0.1:$PORT" --allow-host 'bad name!' \
	--no-system </dev/null 2> "$T/bad.log"; rc=$?
set -e
check "bad --allow-host exit" "$rc" 2
grep -q "bad host name 'name!'" "$T/bad.log" || fail "bad --allow-host message: $(cat "$T/bad.log")"

"$SITREP" serve --config "$T/conf" --db "$T/db" --listen "127.0.0.1:$PORT" \
	--accept-events --allow-host Flag.Example --cors https://dash.example \
	--no-system </dev/null 2> "$T/serve.log" &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_http "$B/api/health"

# code NAME WANT [curl args]: the status of GET /api/health
code() {
	local name=$1 want=$2; shift 2
	check "$name" "$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$B/api/health")" "$want"
}
# ---- Host -------------------------------------------------------------
code "Host evil.example" 403 -H 'Host: evil.example'
check "403 body" "$(jq -c . "$T/body")" '{"error":"host not allowed","status":403}'
code "Host evil.example:PORT" 403 -H "Host: evil.example:$PORT"
code "Host 127.0.0.1.evil.example" 403 -H 'Host: 127.0.0.1.evil.example'
code "Host localhost.evil.example" 403 -H 'Host: localhost.evil.example'
code "Host 10.1.2.3" 403 -H 'Host: 10.1.2.3'
code "Host with a bad port" 403 -H 'Host: localhost:80x'
code "Host 127.0.0.1:PORT" 200 -H "Host: 127.0.0.1:$PORT"
code "Host localhost:PORT" 200 -H "Host: localhost:$PORT"
code "Host LOCALHOST." 200 -H "Host: LOCALHOST."
code "Host [::1]:PORT" 200 -H "Host: [::1]:$PORT"
code "Host 127.3.4.5" 200 -H 'Host: 127.3.4.5'
code "Host --allow-host" 200 -H "Host: flag.example:$PORT"
code "Host allow_host" 200 -H "Host: cfg.example"
code "Host allow_host second" 200 -H "Host: second.example:443"
code "Host not listed" 403 -H "Host: third.example"
# a name of this machine is not answered on a loopback listener
code "Host hostname on loopback" 403 -H "Host: $(hostname):$PORT"
# HTTP/1.0 without Host is answered (no browser sends it)
check "HTTP/1.0 without Host" "$(curl -s -0 -H 'Host:' -o /dev/null -w '%{http_code}' "$B/api/health")" 200
check "page Host evil" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "$B/")" 403

# ---- Content-Type and Origin of a POST --------------------------------
# post NAME WANT BODY [curl args]
post() {
	local name=$1 want=$2 body=$3; shift 3
	check "$name" "$(curl -s -o "$T/body" -w '%{http_code}' -X POST --data "$body" "$@" "$B/api/events")" "$want"
}
J=(-H 'Content-Type: application/json')
post "POST text/plain" 415 '{"service":"xsite-plain"}' -H 'Content-Type: text/plain'
check "415 body" "$(jq -c . "$T/body")" '{"error":"unsupported content type","status":415}'
post "POST text/plain;charset" 415 '{"service":"xsite-plain2"}' -H 'Content-Type: text/plain;charset=UTF-8'
post "POST form" 415 '{"service":"xsite-form"}'
post "POST no type" 415 '{"service":"xsite-none"}' -H 'Content-Type:'
post "POST multipart" 415 '{"service":"xsite-multi"}' -H 'Content-Type: multipart/form-data; boundary=x'
post "POST json-ish" 415 '{"service":"xsite-jsonx"}' -H 'Content-Type: application/jsonx'
post "POST foreign Origin" 403 '{"service":"xsite-origin"}' "${J[@]}" -H 'Origin: http://evil.example'
check "403 origin body" "$(jq -c . "$T/body")" '{"error":"origin not allowed","status":403}'
post "POST Origin null" 403 '{"service":"xsite-null"}' "${J[@]}" -H 'Origin: null'
post "POST Origin other port" 403 '{"service":"xsite-port"}' "${J[@]}" -H 'Origin: http://127.0.0.1:1'
code "GET foreign Origin" 403 -H 'Origin: https://evil.example'
post "POST json" 202 '{"service":"ok-plain"}' "${J[@]}"
post "POST json charset" 202 '{"service":"ok-charset"}' -H 'Content-Type: Application/JSON; charset=utf-8'
post "POST own Origin" 202 '{"service":"ok-own"}' "${J[@]}" -H "Origin: http://127.0.0.1:$PORT"
post "POST own Origin (localhost)" 202 '{"service":"ok-local"}' "${J[@]}" \
	-H "Host: localhost:$PORT" -H "Origin: http://localhost:$PORT"
post "POST --cors Origin" 202 '{"service":"ok-cors"}' "${J[@]}" -H 'Origin: https://dash.example'
# max_body = 1000 from the config
big=$(printf '{"service":"big","message":"%s"}' "$(head -c 1200 /dev/zero | tr '\0' m)")
post "POST over max_body" 413 "$big" "${J[@]}"
small=$(printf '{"service":"ok-small","message":"%s"}' "$(head -c 900 /dev/zero | tr '\0' m)")
post "POST under max_body" 202 "$small" "${J[@]}"
# The accepted ones are committed (bounded wait), the refused never.
for _ in $(seq 100); do
	n=$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service LIKE 'ok-%'" 2>/dev/null || echo 0)
	[ "$n" = 6 ] && break
	sleep 0.1
done
check "accepted events stored" "$n" 6
check "refused events stored" "$(sqlite3 "$T/db" "SELECT count(*) FROM events WHERE service LIKE 'xsite-%' OR service = 'big'")" 0

# ---- max_conns = 4: four connections trickle a header forever --------
(
	trap '' PIPE
	fds=()
	for _ in 1 2 3 4; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
		printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' >&"$fd"
		fds+=("$fd")
	done
	while :; do
		sleep 1
		for fd in "${fds[@]}"; do printf a >&"$fd" 2>/dev/null || true; done
	done
) &
SLOW=$!
PIDS+=("$SLOW")
for _ in $(seq 100); do
	n=$(grep -c "^ *[0-9]*: 0100007F:$(printf %04X "$PORT") " /proc/net/tcp || true)
	[ "$n" -ge 4 ] && break
	sleep 0.1
done
[ "$n" -ge 4 ] || fail "the slow connections did not connect ($n)"
sleep 0.5	# let the server take all four in
# No timing is asserted: --max-time only bounds a server that never answers.
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' "$B/api/health" || true)
check "request past max_conns answered" "$CODE" 200
CODE=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$B/api/metrics/overview" || true)
check "another one" "$CODE" 200
CODE=$(curl -s --max-time 30 --interface 127.0.0.3 -o /dev/null -w '%{http_code}' "$B/api/health" || true)
check "one from another address" "$CODE" 200
grep -q 'connections closed to make room (max_conns 4)' "$T/serve.log" || fail "no eviction logged: $(tail -3 "$T/serve.log")"
echo "ok eviction logged"
kill "$SLOW" 2>/dev/null || true
kill -0 "$SERVE_PID" 2>/dev/null || fail "server died: $(tail -5 "$T/serve.log")"

# ---- off loopback: the machine's names and addresses ------------------
P2=$(free_port)
"$SITREP" serve --db :memory: --listen "0.0.0.0:$P2" --no-system \
	</dev/null 2> "$T/serve2.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P2/api/health"
B="http://127.0.0.1:$P2"
code "0.0.0.0: hostname" 200 -H "Host: $(hostname):$P2"
addr=$(hostname -I 2>/dev/null | awk '{print $1}')
if [ -n "$addr" ]; then
	code "0.0.0.0: interface address $addr" 200 -H "Host: $addr:$P2"
else
	echo "note: no interface address besides loopback"
fi
code "0.0.0.0: evil" 403 -H "Host: evil.example:$P2"
code "0.0.0.0: localhost" 200 -H "Host: localhost:$P2"

kill -0 "$SERVE_PID" 2>/dev/null || fail "server died at the end"
grep -q 'AddressSanitizer\|runtime error' "$T"/serve*.log && fail "sanitizer report"
echo "serve_guard: all good"
