#!/usr/bin/env bash
# sitrep ingest: exit status and messages for unusable databases, bad
# options, missing inputs.
source "$(dirname "$0")/lib.sh"

printf '{"timestamp":"2026-11-28T12:00:00.000Z","service":"a","status_code":200}\n' >"$T/one.jsonl"
set +e

# A database path whose folder cannot be created (a file is in the way).
touch "$T/file"
"$SITREP" ingest --db "$T/file/sub/x.db" <"$T/one.jsonl" 2>"$T/err"
check unwritable_exit "$?" 1
grep -q "$T/file/sub/x.db" "$T/err" || fail "message does not name the path: $(cat "$T/err")"
echo "ok unwritable path named"

# Not a database.
head -c 4096 /dev/urandom >"$T/junk.db"
"$SITREP" ingest --db "$T/junk.db" <"$T/one.jsonl" 2>"$T/err"
check not_a_db_exit "$?" 1
grep -q "junk.db" "$T/err" || fail "message does not name the file: $(cat "$T/err")"
check not_a_db_one_line "$(wc -l <"$T/err")" 1

"$SITREP" ingest --bogus 2>"$T/err" </dev/null
check bad_option "$?" 2
"$SITREP" ingest --format yaml --db "$T/x.db" 2>"$T/err" </dev/null
check bad_format "$?" 2
grep -q yaml "$T/err" || fail "bad format message: $(cat "$T/err")"
"$SITREP" ingest --retain soon --db "$T/x.db" 2>/dev/null </dev/null
check bad_retain "$?" 2
"$SITREP" ingest --help >"$T/out"
check help "$?" 0
grep -q -- --db "$T/out" || fail "help does not mention --db"

# A missing input is reported, the other inputs are still read, exit 1.
"$SITREP" ingest --db "$T/ok.db" "$T/missing.jsonl" "$T/one.jsonl" 2>"$T/err"
check missing_input_exit "$?" 1
grep -q "missing.jsonl" "$T/err" || fail "missing input not named: $(cat "$T/err")"
check missing_input_others_read "$(sqlite3 "$T/ok.db" 'SELECT count(*) FROM events')" 1

# Empty input: fine.
"$SITREP" ingest --db "$T/empty.db" </dev/null 2>"$T/err"
check empty_exit "$?" 0
grep -q "ingested 0 events from 0 lines" "$T/err" || fail "summary: $(cat "$T/err")"
echo "ok empty input"
