#!/usr/bin/env bash
# sitrep serve over HTTPS (libmicrohttpd with GnuTLS) with a self-signed
# certificate made here by openssl; a bad key is refused at start.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || skip "openssl not installed"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || skip "openssl cannot make a certificate"
PORT=$(free_port)
"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$PORT" \
	--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" </dev/null 2>"$T/log" &
PIDS+=($!)
if grep -q 'without TLS support' "$T/log" 2>/dev/null; then skip "libmicrohttpd without TLS"; fi
for _ in $(seq 100); do
	curl -s --cacert "$T/cert.pem" -o /dev/null "https://127.0.0.1:$PORT/api/health" && break
	sleep 0.1
done
code=$(curl -s --cacert "$T/cert.pem" -o "$T/h" -w '%{http_code}' "https://127.0.0.1:$PORT/api/health")
check "https health" "$code" 200
jq -e '.version | type == "string"' "$T/h" >/dev/null || fail "health over https"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/health" || true)
[ "$code" != 200 ] || fail "plain HTTP answered on the HTTPS port"
echo "ok plain HTTP refused"
echo "not a key" > "$T/bad.pem"
set +e
"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$(free_port)" \
	--tls-cert "$T/cert.pem" --tls-key "$T/bad.pem" --ticks 1 </dev/null 2>"$T/log2"
rc=$?
set -e
check "bad key exit" "$rc" 1
grep -q 'cannot listen' "$T/log2" || fail "bad key message: $(cat "$T/log2")"
