#!/usr/bin/env bash
# --source on the commands: `sitrep ingest --source` reads to the current
# end and resumes from its stored cursor (no duplicates, nothing lost); a
# bad spec is a usage error (exit 2) naming what is wrong; `sitrep serve
# --source file:` shows the source in /api/health; a failing source is
# shown as such while stdin events still arrive; the console's header
# shows a file source's state.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
command -v sqlite3 >/dev/null || skip "no sqlite3"
cd "$T"
q() { sqlite3 "$T/i.db" "$1" 2>/dev/null || echo "?"; }
ev() { printf '{"event_id":"%s","service":"%s","status_code":%s}\n' "$1" "${2:-api}" "${3:-200}"; }

# --- ingest --source: twice, then appended lines ---
for i in 1 2 3 4 5; do ev "a$i"; done >app.log
SPEC="file:$T/app.log?from=start"
"$SITREP" ingest --db i.db --source "$SPEC" 2>err1 || fail "ingest 1: $(cat err1)"
check "first run stored" "$(q "select count(*) from events")" 5
check "cursor stored" "$(q "select count(*) from cursors where source='$SPEC'")" 1
"$SITREP" ingest --db i.db --source "$SPEC" 2>err2 || fail "ingest 2: $(cat err2)"
check "second run adds nothing" "$(q "select count(*) from events")" 5
ev b1 >>app.log; ev b2 api 503 >>app.log; ev b3 >>app.log
"$SITREP" ingest --db i.db --source "$SPEC" 2>err3 || fail "ingest 3: $(cat err3)"
check "third run adds the appended lines" \
	"$(q "select group_concat(event_id) from (select event_id from events where event_id like 'b%' order by id)")" "b1,b2,b3"
check "no duplicates" "$(q "select count(*) || '/' || count(distinct event_id) from events")" "8/8"
grep -q "3 events" err3 || fail "summary should say 3 events: $(cat err3)"

# a source that cannot be read right now: reported, exit 1, nothing stored
set +e
"$SITREP" ingest --db i.db --source "sqlite:$T/nope/x.db?table=t&from=start" 2>err4
rc=$?
set -e
check "failing source: exit" "$rc" 1
grep -q "nope/x.db" err4 || fail "no error naming the database: $(cat err4)"

# --follow: keeps reading until SIGTERM
"$SITREP" ingest --db i.db --follow --source "$SPEC" 2>errf &
FP=$!
PIDS+=("$FP")
sleep 0.3
ev c1 >>app.log
for _ in $(seq 100); do
	[ "$(q "select count(*) from events where event_id='c1'")" = 1 ] && break
	sleep 0.1
done
check "--follow stored an appended line" "$(q "select count(*) from events where event_id='c1'")" 1
kill -TERM "$FP"
wait "$FP" || true
check "after --follow" "$(q "select count(*) || '/' || count(distinct event_id) from events")" "9/9"

# --- bad specs: exit 2, the message names the problem ---
for cmd in ingest serve tui; do
	set +e
	"$SITREP" $cmd --db x.db --source "sqlite:$T/x.db" </dev/null >/dev/null 2>err
	rc=$?
	set -e
	check "$cmd bad spec: exit" "$rc" 2
	grep -q "missing table=" err || fail "$cmd: message should name table=: $(cat err)"
done
set +e
"$SITREP" serve --source "gopher://x" </dev/null >/dev/null 2>err; rc=$?
set -e
check "unknown scheme: exit" "$rc" 2
grep -q "unknown kind" err || fail "unknown scheme message: $(cat err)"
set +e
"$SITREP" ingest --follow --db x.db </dev/null >/dev/null 2>err; rc=$?
set -e
check "--follow without --source: exit" "$rc" 2

# --- serve --source file: and a failing source beside stdin ---
for i in 1 2 3 4; do ev "s$i"; done >srv.log
for i in 1 2 3 4 5 6 7; do ev "p$i"; done >pipe.log
# a port picked free may be taken meanwhile: retry (bounded: 5 tries)
up=
for _ in 1 2 3 4 5; do
	P=$(free_port)
	rm -f s.db s.db-wal s.db-shm
	cat pipe.log | "$SITREP" serve --db s.db --listen "127.0.0.1:$P" --no-system \
		--source - --source "file:$T/srv.log?from=start" \
		--source "sqlite:$T/nonexistent/x.db?table=t" 2>serve.err &
	SP=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$P/api/health" && { up=1; break; }
		kill -0 "$SP" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$up" ] && break
	kill "$SP" 2>/dev/null || true
	wait "$SP" 2>/dev/null || true
done
[ -n "$up" ] || fail "cannot start sitrep serve: $(cat serve.err)"
PIDS+=("$SP")
h=
for _ in $(seq 100); do
	h=$(curl -s "http://127.0.0.1:$P/api/health")
	[ "$(echo "$h" | jq -r '.sources[] | select(.kind == "file") | .events')" = 4 ] &&
	[ "$(echo "$h" | jq -r '.sources[] | select(.kind == "stdin") | .events')" = 7 ] && break
	sleep 0.1
done
check "file source in /api/health" \
	"$(echo "$h" | jq -r '.sources[] | select(.kind == "file") | "\(.name) \(.state) \(.events)"')" \
	"file:$T/srv.log?from=start ok 4"
check "stdin events arrived beside a failing source" \
	"$(echo "$h" | jq -r '.sources[] | select(.kind == "stdin") | .events')" 7
st=$(echo "$h" | jq -r '.sources[] | select(.kind == "sqlite") | .state')
case "$st" in
retrying|down|waiting) echo "ok failing sqlite source shown as $st" ;;
*) fail "failing sqlite source state: '$st'" ;;
esac
echo "$h" | jq -r '.sources[] | select(.kind == "sqlite") | .last_error' | grep -q "nonexistent" ||
	fail "the failing source's error should name its database: $h"
check "degraded health" "$(echo "$h" | jq -r .status)" \
	"$( [ "$st" = waiting ] && echo ok || echo degraded)"
ev s5 >>srv.log
for _ in $(seq 100); do
	[ "$(sqlite3 s.db "select count(*) from events where event_id='s5'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
check "appended line stored by serve" "$(sqlite3 s.db "select count(*) from events where event_id='s5'")" 1

# --- the console's header shows a file source's state ---
command -v tmux >/dev/null || skip "tmux not installed: the header check cannot run"
SOCK="sitrep-srccli-$$"
tm() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT
for i in 1 2 3; do ev "t$i"; done >t.log
tm new-session -d -s s -x 160 -y 40 \
	"cd '$T' && '$SITREP' tui --db '$T/t.db' --no-mouse --source 'file:t.log?from=start'; sleep 30"
ok=
for _ in $(seq 100); do
	tm capture-pane -p -t s | grep -qF "file:t.log?from=start ok 3 ev" && { ok=1; break; }
	sleep 0.1
done
[ -n "$ok" ] || { tm capture-pane -p -t s | head -5 >&2; fail "header should show the file source ok with 3 events"; }
echo "ok header shows the file source"
tm send-keys -t s q
