#!/usr/bin/env bash
# tui_stdin_gulps: the console reads a trickle on stdin in gulps (a
# source that brought few events rests a tenth of a second) and a burst
# without pause; neither loses a line.  A writer sends 3000 lines at once,
# then 40 lines one by one with short pauses, the last one with the
# message "LASTLINE"; the event log must show it, and once the console
# quits the database must hold each of the 3040 event ids exactly once
# (compared with sqlite3 against the ids written).
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
tmux_open tuig

cat >"$T/writer.sh" <<'EOF'
#!/usr/bin/env bash
for i in $(seq 0 2999); do
	printf '{"event_id":"b-%d","service":"burst","status":200}\n' "$i"
done
for i in $(seq 0 39); do
	m=trickle
	[ "$i" = 39 ] && m=LASTLINE
	printf '{"event_id":"t-%d","service":"trickle","status":200,"message":"%s"}\n' "$i" "$m"
	sleep 0.03
done
EOF
chmod +x "$T/writer.sh"
tm new-session -d -s g -x 160 -y 45 \
	"env PS1='PROMPT\$ ' bash --norc --noprofile"
tm send-keys -t g "clear; '$T/writer.sh' | '$SITREP' --db '$T/db'; echo EXITED" Enter
tm_wait g "LASTLINE"
echo "ok the last line of the trickle is shown"
tm send-keys -t g q
tm_wait g "EXITED"
{
	seq 0 2999 | sed 's/^/b-/'
	seq 0 39 | sed 's/^/t-/'
} | sort >"$T/want"
sqlite3 "$T/db" "SELECT event_id FROM events" | sort >"$T/got"
check "ids missing" "$(comm -23 "$T/want" "$T/got" | wc -l)" 0
check "ids stored twice or unknown" "$(comm -13 "$T/want" "$T/got" | wc -l)" 0
check "rows" "$(sqlite3 "$T/db" 'SELECT count(*) FROM events')" 3040
echo "tui_stdin_gulps: ok"
