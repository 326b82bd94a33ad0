#!/usr/bin/env bash
# sitrep ingest on a terminal: the progress line is drawn with \r and no
# newline, and the parser thread's rejection messages must not land in
# the middle of it: every message starts by clearing the line (\r ESC[K).
# Run under script(1) so that stderr is a pseudo-terminal.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "script(1) is not installed"

# Enough events for the progress line (refreshed every 250 ms) to be
# drawn, with bad lines spread through the input.
"$SITREP" demo --fast --count 150000 --seed 5 |
	awk 'NR % 30000 == 0 { print "not json " NR } { print }' >"$T/ev.jsonl"
script -qec "'$SITREP' ingest --db '$T/t.db' '$T/ev.jsonl'" /dev/null \
	>"$T/tty.out" </dev/null || fail "ingest on a terminal: exit $?"
check stored "$(sqlite3 "$T/t.db" 'SELECT count(*) FROM events')" 150000
clr=$(printf '\r\033[K')
# Every "sitrep:" (rejections, the summary) follows a line clear.
n_msg=$(grep -o 'sitrep: ' "$T/tty.out" | wc -l)
n_clr=$(grep -oF "${clr}sitrep: " "$T/tty.out" | wc -l)
check "rejections shown" "$(grep -c 'line [0-9]*: unrecognised' "$T/tty.out")" 5
check "messages after a line clear" "$n_clr" "$n_msg"
# A progress line is never continued by a message on the same line.
if tr '\r' '\n' <"$T/tty.out" | grep -q 'ingesting: .*sitrep:'; then
	fail "a message landed inside the progress line"
fi
echo "ok no message inside the progress line"
