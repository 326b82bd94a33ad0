#!/usr/bin/env bash
# sitrep ingest with the disk full (a small tmpfs): it exits 1, says how
# many events it committed (what sqlite3 counts), how many lines it did
# not (committed + not committed = the input's lines) and where a rerun
# resumes; its progress line never shows more than is committed; after
# space is freed, a rerun from there (a file through tail -c, a file
# source from its stored cursor) stores every line exactly once.
source "$(dirname "$0")/lib.sh"
for c in sqlite3 mount script; do
	command -v "$c" >/dev/null || fail "$c is not installed"
done
[ "$(id -u)" = 0 ] || { [ "${CI:-}" = true ] && fail "needs root"; skip "needs root"; }

N=150000
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++)
	printf "{\"timestamp\":\"2026-11-28T12:%02d:%02d.000Z\",\"event_id\":\"e%d\",\"service\":\"svc%d\",\"status_code\":200,\"message\":\"line %d of the disk full test\"}\n",
		(i / 60) % 60, i % 60, i, i % 7, i }' >"$T/ev.jsonl"
check input_lines "$(wc -l <"$T/ev.jsonl")" $N

MNT=()
trap 'for m in "${MNT[@]:-}"; do [ -n "$m" ] && umount "$m" 2>/dev/null; done; cleanup' EXIT
# small NAME SIZE: a tmpfs of SIZE at $T/NAME.
small() {
	mkdir "$T/$1"
	mount -t tmpfs -o "size=$2" tmpfs "$T/$1"
	MNT+=("$T/$1")
}
# Numbers from the summary line of stderr file $1.
committed() { sed -n 's/.*ingest failed: committed \([0-9]*\) events.*/\1/p' "$1"; }
uncommitted() { sed -n 's/.*ingest failed: .*, not committed \([0-9]*\),.*/\1/p' "$1"; }
stored() { sqlite3 "$1" 'SELECT count(*) FROM events'; }
distinct() { sqlite3 "$1" 'SELECT count(DISTINCT event_id) FROM events'; }
# counts NAME ERR DB: c and u from the summary in ERR; c is what sqlite3
# counts in DB, and c + u is every input line.
counts() {
	c=$(committed "$2")
	u=$(uncommitted "$2")
	[ -n "$c" ] && [ -n "$u" ] || fail "$1: summary: $(cat "$2")"
	check "$1_committed_is_stored" "$c" "$(stored "$3")"
	check "$1_committed_plus_not" "$((c + u))" $N
	[ "$c" -lt $N ] || fail "$1: the disk never filled"
}
# once NAME DB: after the rerun, every line is stored exactly once.
once() {
	check "$1_rerun_stored" "$(stored "$2")" $N
	check "$1_rerun_distinct" "$(distinct "$2")" $N
}
# rerun NAME DIR TAIL-ARGS...: free space on the tmpfs DIR, feed the rest
# of the input (tail TAIL-ARGS) to a rerun; then every line is there once.
rerun() {
	local name=$1 dir=$2
	shift 2
	mount -o remount,size=64m "$dir"
	tail "$@" "$T/ev.jsonl" |
		"$SITREP" ingest --db "$dir/db" --retain 36500d 2>"$T/$name.rerun" ||
		fail "$name: rerun failed: $(cat "$T/$name.rerun")"
	once "$name" "$dir/db"
}

# --- a file ---
small f 6m
set +e
"$SITREP" ingest --db "$T/f/db" --retain 36500d "$T/ev.jsonl" 2>"$T/f.err"
rc=$?
set -e
check file_exit "$rc" 1
grep -q "disk is full" "$T/f.err" || fail "file: no disk full message: $(cat "$T/f.err")"
counts file "$T/f.err" "$T/f/db"
# Where it resumes: the byte just past the last committed line.
pat='.*not committed: [0-9]* lines from line \([0-9]*\) (byte \([0-9]*\)) to the end'
line=$(sed -n "s/$pat.*/\1/p" "$T/f.err")
byte=$(sed -n "s/$pat.*/\2/p" "$T/f.err")
check file_resume_line "$line" $((c + 1))
check file_resume_byte "$byte" "$(head -n "$c" "$T/ev.jsonl" | wc -c)"
grep -q "tail -c +$((byte + 1)) '$T/ev.jsonl'" "$T/f.err" ||
	fail "file: no rerun command: $(grep 'rerun' "$T/f.err")"
rerun file "$T/f" -c +$((byte + 1))

# --- stdin (a pipe), with stderr on a terminal (the progress line) ---
# The first half goes in, and the rest only once a progress line was
# drawn, so there is one whatever the machine's speed.
small s 6m
mkfifo "$T/fifo"
script -qec "'$SITREP' ingest --db '$T/s/db' --retain 36500d <'$T/fifo'; echo \"rc=\$?\"" \
	/dev/null >"$T/s.tty" </dev/null &
PIDS+=("$!")
exec 3>"$T/fifo"
head -n $((N / 2)) "$T/ev.jsonl" >&3
for _ in $(seq 300); do
	grep -q 'ingesting: ' "$T/s.tty" && break
	sleep 0.1
done
tail -n +$((N / 2 + 1)) "$T/ev.jsonl" >&3
exec 3>&-
wait "${PIDS[-1]}" || true
tr '\r' '\n' <"$T/s.tty" | sed 's/\x1b\[K//g' >"$T/s.err"
grep -q '^rc=1' "$T/s.err" || fail "stdin: exit status: $(tail -n 3 "$T/s.err")"
counts stdin "$T/s.err" "$T/s/db"
# The progress line counts committed events only.
grep -o 'ingesting: [0-9]* events committed' "$T/s.err" | awk '{ print $2 }' >"$T/prog"
[ -s "$T/prog" ] || fail "stdin: no progress line drawn"
max=$(sort -n "$T/prog" | tail -n 1)
[ "$max" -le "$c" ] || fail "stdin: progress showed $max events, $c committed"
echo "ok stdin progress at most $max <= $c committed"
grep -q "stdin cannot resume: feed it again from line $((c + 1)) " "$T/s.err" ||
	fail "stdin: resume message: $(cat "$T/s.err")"
rerun stdin "$T/s" -n +$((c + 1))

# --- a file source: the rerun is the same command, from its cursor ---
small c 6m
SPEC="file:$T/ev.jsonl?from=start"
set +e
"$SITREP" ingest --db "$T/c/db" --retain 36500d --source "$SPEC" 2>"$T/c.err"
rc=$?
set -e
check source_exit "$rc" 1
c=$(committed "$T/c.err")
[ -n "$c" ] || fail "source: summary: $(cat "$T/c.err")"
check source_committed_is_stored "$c" "$(stored "$T/c/db")"
[ "$c" -lt $N ] || fail "source: the disk never filled"
cur=$(sed -n "s/.*a rerun resumes at its stored cursor '\([^']*\)'.*/\1/p" "$T/c.err")
[ -n "$cur" ] || fail "source: no cursor named: $(cat "$T/c.err")"
# the file cursor is DEV:INO:OFFSET:FPLEN:FPHASH (the offset is field 3)
check source_cursor_offset "$(echo "$cur" | cut -d: -f3)" "$(head -n "$c" "$T/ev.jsonl" | wc -c)"
mount -o remount,size=64m "$T/c"
"$SITREP" ingest --db "$T/c/db" --retain 36500d --source "$SPEC" 2>"$T/c2.err" ||
	fail "source: rerun failed: $(cat "$T/c2.err")"
once source "$T/c/db"
