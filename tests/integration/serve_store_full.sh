#!/usr/bin/env bash
# serve_store_full: the database on a small tmpfs that is filled up while
# `sitrep serve` runs.  The store must say so: /api/health answers 503
# with status "failing", store.state "failing" and the error text, POST
# /api/events answers 503 with Retry-After, stderr has one line for the
# change, /metrics counts the errors and the events dropped beyond
# [store] queue_max.  Once the filler is deleted it resumes by itself
# (health ok) and every stdin event held meanwhile is in the database
# (event ids compared with sqlite3), and stored + dropped = written.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v jq >/dev/null || fail "jq is needed"
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && fail "mounting a tmpfs needs root"
	skip "mounting a tmpfs needs root"
fi
mkdir "$T/mnt"
mount -t tmpfs -o size=2m tmpfs "$T/mnt" || fail "cannot mount a tmpfs"
umount_mnt() {
	cleanup_kill
	umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt" 2>/dev/null || true
	cleanup
}
cleanup_kill() {
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
	exec 3>&- 2>/dev/null || true
}
trap umount_mnt EXIT

printf '[store]\nqueue_max = 4000\n' >"$T/conf"
mkfifo "$T/in"
port=$(free_port)
base="http://127.0.0.1:$port"
"$SITREP" serve --config "$T/conf" --db "$T/mnt/db" --listen "127.0.0.1:$port" \
	--accept-events --no-system <"$T/in" 2>"$T/log" &
PIDS+=($!)
srv=$!
exec 3>"$T/in"
wait_http "$base/api/health"
msg=$(head -c 100 /dev/zero | tr '\0' x)
written=0
# lines NAME FROM COUNT: COUNT events "NAME-i" on the server's stdin
lines() {
	awk -v p="$1" -v a="$2" -v n="$3" -v m="$msg" 'BEGIN {
		for (i = a; i < a + n; i++)
			printf "{\"event_id\":\"%s-%d\",\"service\":\"s\",\"message\":\"%s\"}\n", p, i, m }' >&3
	written=$((written + $3))
}
health() { curl -s "$base/api/health"; }
lines pre 0 100
dd if=/dev/zero of="$T/mnt/filler" bs=16k 2>/dev/null || true
# until the store notices: a commit needs room the disk no longer has
r=0
until [ "$(health | jq -r .status)" = failing ]; do
	[ $r -lt 50 ] || fail "health never said failing: $(health)"
	lines det $((r * 200)) 200
	r=$((r + 1))
	sleep 0.2
done
code=$(curl -s -o "$T/h.json" -w '%{http_code}' "$base/api/health")
check "health answers" "$code" 503
check "health status" "$(jq -r .status "$T/h.json")" failing
check "store.state" "$(jq -r .store.state "$T/h.json")" failing
jq -r .store.error "$T/h.json" | grep -q 'full' ||
	fail "store.error does not say the disk is full: $(jq -c .store "$T/h.json")"
echo "ok store.error: $(jq -r .store.error "$T/h.json")"
curl -s -D "$T/ph" -o "$T/pb" -H 'Content-Type: application/json' \
	--data '{"event_id":"posted-while-failing"}' "$base/api/events"
check "POST while failing" "$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$T/ph")" 503
grep -qi '^Retry-After: [0-9]' "$T/ph" || fail "no Retry-After: $(cat "$T/ph")"
check "POST committed" "$(jq -r .committed "$T/pb")" 0
# phase A: held (queue_max 4000 is not reached: what was read during the
# last commit interval before the failure, up to 1 s of the loop above,
# is held too)
lines held 0 1000
# phase B: beyond the queue: dropped and counted
lines over 0 4000
# wait until sitrep has read every line: stored or held + dropped
for _ in $(seq 300); do
	h=$(health)
	n=$(jq '[.sources[] | select(.name == "stdin") | .events][0] + .store.dropped.queue_full' <<<"$h")
	[ "$n" = "$written" ] && break
	sleep 0.1
done
check "stdin events read (accepted + dropped)" "$n" "$written"
dropped=$(jq .store.dropped.queue_full <<<"$h")
[ "$dropped" -gt 0 ] || fail "nothing dropped beyond queue_max: $h"
curl -s "$base/metrics" >"$T/metrics"
errs=$(awk '$1 == "sitrep_store_errors_total" { print $2 }' "$T/metrics")
[ "${errs:-0}" -gt 0 ] || fail "sitrep_store_errors_total is '${errs:-}'"
echo "ok sitrep_store_errors_total = $errs"
check "sitrep_events_dropped_total{reason=\"queue_full\"}" \
	"$(awk '$1 == "sitrep_events_dropped_total{reason=\"queue_full\"}" { print $2 }' "$T/metrics")" "$dropped"
check "stderr lines for the change" "$(grep -c '^sitrep serve: store failing' "$T/log")" 1
# space comes back: it resumes by itself
rm -f "$T/mnt/filler"
for _ in $(seq 300); do
	[ "$(health | jq -r .status)" = ok ] && break
	sleep 0.1
done
check "health after the filler is gone" "$(health | jq -r .status)" ok
check "store.state after" "$(health | jq -r .store.state)" ok
check "stderr lines for the recovery" "$(grep -c '^sitrep serve: store ok' "$T/log")" 1
exec 3>&-
kill -TERM "$srv"
wait "$srv" || fail "serve exited $?: $(tail -n 5 "$T/log")"
PIDS=()
for i in $(seq 0 999); do echo "held-$i"; done | sort >"$T/want"
sqlite3 "$T/mnt/db" "SELECT event_id FROM events WHERE event_id LIKE 'held-%'" |
	sort >"$T/got"
check "held events missing" "$(comm -23 "$T/want" "$T/got" | wc -l)" 0
check "events stored + dropped" \
	"$(( $(sqlite3 "$T/mnt/db" 'SELECT COUNT(*) FROM events') + dropped ))" \
	"$written"
check "integrity_check" "$(sqlite3 "$T/mnt/db" 'PRAGMA integrity_check')" ok
echo "serve_store_full: ok"
