#!/usr/bin/env bash
# sitrep report, insights and export on a database they may only read:
# on a tmpfs remounted read-only, in a folder user nobody may not write,
# in WAL mode with its -wal (holding rows the main file lacks) present,
# with and without its -shm.  Each answer equals the same command on a
# writable copy (JSON compared with jq -S); a file that cannot be read
# at all is a clear error and exit 1.
source "$(dirname "$0")/lib.sh"
for c in jq sqlite3 setpriv mount; do
	command -v "$c" >/dev/null || fail "$c is not installed"
done
[ "$(id -u)" = 0 ] || { [ "${CI:-}" = true ] && fail "needs root"; skip "needs root"; }

R=(--from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z --json)
"$SITREP" demo --fast --count 3000 --seed 11 --end 2026-11-28T12:00:00Z \
	>"$T/a.jsonl" 2>/dev/null
"$SITREP" demo --fast --count 2000 --seed 12 --end 2026-11-28T18:00:00Z \
	>"$T/b.jsonl" 2>/dev/null

# clean.db: closed cleanly (no -wal, no -shm) but in WAL mode.
mkdir "$T/w"
"$SITREP" ingest --db "$T/w/clean.db" --retain 36500d "$T/a.jsonl" 2>/dev/null
check clean_journal "$(sqlite3 "$T/w/clean.db" 'PRAGMA journal_mode')" wal
[ ! -e "$T/w/clean.db-wal" ] || fail "clean.db kept a -wal"

# killed.db: a writer killed with -9 after committing b.jsonl, which is
# then only in the -wal.
cp "$T/w/clean.db" "$T/w/killed.db"
mkfifo "$T/fifo"
"$SITREP" ingest --db "$T/w/killed.db" --retain 36500d <"$T/fifo" 2>/dev/null &
WPID=$!
PIDS+=("$WPID")
exec 3>"$T/fifo"
cat "$T/b.jsonl" >&3
for _ in $(seq 600); do
	n=$(sqlite3 "$T/w/killed.db" 'SELECT count(*) FROM events' 2>/dev/null) || n=0
	[ "$n" = 5000 ] && break
	sleep 0.1
done
check killed_committed "$n" 5000
kill -9 "$WPID"
wait "$WPID" 2>/dev/null || true
exec 3>&-
for f in killed.db killed.db-wal killed.db-shm; do
	cp "$T/w/$f" "$T/$f.saved"
done
[ -s "$T/killed.db-wal.saved" ] || fail "the killed writer left no -wal"
# The main file alone lacks b.jsonl: a reader that skipped the -wal
# would report 3000 events.
mkdir "$T/mainonly"
cp "$T/killed.db.saved" "$T/mainonly/db"
check main_file_alone "$(sqlite3 "$T/mainonly/db" 'SELECT count(*) FROM events')" 3000

# References: the same commands on writable copies.
mkdir "$T/ref"
cp "$T/w/clean.db" "$T/ref/clean.db"
cp "$T/killed.db.saved" "$T/ref/killed.db"
cp "$T/killed.db-wal.saved" "$T/ref/killed.db-wal"
check ref_killed_events "$(sqlite3 "$T/ref/killed.db" 'SELECT count(*) FROM events')" 5000
for n in clean killed; do
	"$SITREP" report --db "$T/ref/$n.db" "${R[@]}" | jq -S . >"$T/ref/$n.report" ||
		fail "report on the writable copy of $n.db"
	"$SITREP" insights --db "$T/ref/$n.db" --json | jq -S . >"$T/ref/$n.insights" ||
		fail "insights on the writable copy of $n.db"
	"$SITREP" export --db "$T/ref/$n.db" --what events --format jsonl \
		>"$T/ref/$n.export" || fail "export on the writable copy of $n.db"
done
check ref_report_events "$(jq .total_events "$T/ref/killed.report")" 5000

# same NAME DB [RUN...]: report, insights and export on DB (run through
# RUN, e.g. as another user) equal those of the writable copy NAME.
same() {
	local name=$1 db=$2
	shift 2
	"$@" "$SITREP" report --db "$db" "${R[@]}" >"$T/out" 2>"$T/err" ||
		fail "report on $db exited $?: $(cat "$T/err")"
	jq -S . "$T/out" | cmp -s - "$T/ref/$name.report" ||
		fail "report on $db differs: $(jq -S . "$T/out" | diff - "$T/ref/$name.report" | head -5)"
	"$@" "$SITREP" insights --db "$db" --json >"$T/out" 2>"$T/err" ||
		fail "insights on $db exited $?: $(cat "$T/err")"
	jq -S . "$T/out" | cmp -s - "$T/ref/$name.insights" ||
		fail "insights on $db differ"
	"$@" "$SITREP" export --db "$db" --what events --format jsonl \
		>"$T/out" 2>"$T/err" || fail "export on $db exited $?: $(cat "$T/err")"
	cmp -s "$T/out" "$T/ref/$name.export" || fail "export on $db differs"
	echo "ok $db reads as its writable copy"
}

# A tmpfs remounted read-only: clean; -wal and -shm; -wal without -shm.
RO=$T/ro
mkdir "$RO"
mount -t tmpfs -o size=16m tmpfs "$RO"
MOUNTED=$RO
trap 'umount "$MOUNTED" 2>/dev/null || true; cleanup' EXIT
mkdir "$RO/clean" "$RO/walshm" "$RO/wal"
cp "$T/w/clean.db" "$RO/clean/db"
for d in walshm wal; do
	cp "$T/killed.db.saved" "$RO/$d/db"
	cp "$T/killed.db-wal.saved" "$RO/$d/db-wal"
done
cp "$T/killed.db-shm.saved" "$RO/walshm/db-shm"
mount -o remount,ro "$RO"
touch "$RO/probe" 2>/dev/null && fail "the tmpfs is still writable"
same clean "$RO/clean/db"
same killed "$RO/walshm/db"
same killed "$RO/wal/db"
[ ! -e "$RO/wal/db-shm" ] || fail "a -shm appeared on read-only media"

# Folders user nobody may not write (files readable), run as nobody with
# a copy of the binary nobody can reach.
chmod 755 "$T"
mkdir -m 755 "$T/bin" "$T/nb" "$T/nb/clean" "$T/nb/walshm" "$T/nb/wal"
cp "$SITREP" "$T/bin/sitrep"
chmod 755 "$T/bin/sitrep"
cp "$T/w/clean.db" "$T/nb/clean/db"
for d in walshm wal; do
	cp "$T/killed.db.saved" "$T/nb/$d/db"
	cp "$T/killed.db-wal.saved" "$T/nb/$d/db-wal"
done
cp "$T/killed.db-shm.saved" "$T/nb/walshm/db-shm"
chmod 644 "$T"/nb/*/db*
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${AS_NOBODY[@]}" test -r "$T/nb/clean/db" || fail "nobody cannot read the copy"
"${AS_NOBODY[@]}" test -w "$T/nb/clean" && fail "nobody may write the folder"
SITREP_REAL=$SITREP
SITREP=$T/bin/sitrep
same clean "$T/nb/clean/db" "${AS_NOBODY[@]}"
same killed "$T/nb/walshm/db" "${AS_NOBODY[@]}"
same killed "$T/nb/wal/db" "${AS_NOBODY[@]}"

# A file nobody may not read: one clear line, exit 1.
chmod 600 "$T/nb/clean/db"
set +e
"${AS_NOBODY[@]}" "$SITREP" report --db "$T/nb/clean/db" "${R[@]}" >"$T/out" 2>"$T/err"
check unreadable_exit "$?" 1
set -e
check unreadable_lines "$(wc -l <"$T/err")" 1
grep -q "cannot read database '$T/nb/clean/db': Permission denied" "$T/err" ||
	fail "unreadable message: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "output on an unreadable database"
SITREP=$SITREP_REAL
echo "ok unreadable database: $(cat "$T/err")"
