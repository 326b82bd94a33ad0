#!/usr/bin/env bash
# A file: source read by `sitrep ingest --source` (to its end, then it
# stops) while a real nginx writes its access log and real logrotate
# rotates it between the runs, once and several times in a row, with
# `create` (postrotate: USR1) and with `copytruncate`, also while the
# load goes on.  Every line nginx logged is stored exactly once.  Then a
# cursor in today's DEV:INO:OFFSET form, written by hand, still resumes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/rotate.bash"
need nginx logrotate curl sqlite3
cd "$T"

ingest() {
	"$SITREP" ingest --db "$DB" \
		--source "file:$LOG?format=combined&from=start" 2>>"$W/ingest.err" ||
		fail "ingest failed: $(cat "$W/ingest.err")"
}

stopped() {
	scenario "stopped-$1"
	rotate_conf "$1"
	load a 100 3; load_wait
	ingest
	# Written after the run, rotated, then more: the 200 of 300 case.
	load b 100 3; load_wait
	rotate
	load c 100 3; load_wait
	ingest
	# Several rotations in a row while stopped, under load; one run in
	# the middle of it.
	load d 100000 3
	sleep 0.3; rotate; sleep 0.3; rotate
	ingest
	rotate; sleep 0.3; rotate; sleep 0.3; rotate
	load_stop
	ingest
	figures "stopped-$1"
}

stopped create
stopped copytruncate
figures_done

# A cursor stored by the version before fingerprints: DEV:INO:OFFSET.
scenario legacy
load e 300 1; load_wait
"$SITREP" ingest --db "$DB" /dev/null 2>/dev/null || fail "cannot create $DB"
off=$(head -n 100 "$LOG" | wc -c)
sqlite3 "$DB" "insert into cursors(source, cursor, updated) values(
	'file:$LOG?format=combined&from=start',
	'$(stat -c %d "$LOG"):$(stat -c %i "$LOG"):$off', 0)"
ingest
# (the file also holds the request that waited for nginx to answer)
check "legacy cursor: lines after it" "$(sqlite3 "$DB" "select count(*) from events")" \
	"$(($(wc -l <"$LOG") - 100))"
check "legacy cursor: the first one after it" \
	"$(sqlite3 "$DB" "select json_extract(metadata, '\$.query') from events order by id limit 1")" \
	"$(sed -n 101p "$LOG" | grep -o 'id=[^ ]*')"
check "legacy cursor: none before it" \
	"$(sqlite3 "$DB" "select count(*) from events where json_extract(metadata, '\$.query') in
		($(head -n 100 "$LOG" | grep -o 'id=[^ ]*' | sed "s/.*/'&'/" | paste -sd,))")" 0
sqlite3 "$DB" "select cursor from cursors" | grep -Eq "^[0-9]+:[0-9]+:[0-9]+" ||
	fail "no cursor stored after the legacy one"
