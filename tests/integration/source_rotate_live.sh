#!/usr/bin/env bash
# A file: source followed by `sitrep ingest --follow` while a real nginx
# writes its access log under a curl load and real logrotate rotates it
# several times: `create` with a postrotate that makes nginx reopen its
# log (USR1) a moment later, so lines keep going to the renamed file
# meanwhile, and `copytruncate`.  Every line nginx logged is stored
# exactly once (counted by its unique query string).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/rotate.bash"
need nginx logrotate curl sqlite3
cd "$T"

live() {
	scenario "live-$1"
	rotate_conf "$1"
	"$SITREP" ingest --db "$DB" --follow \
		--source "file:$LOG?format=combined&from=start" 2>"$W/ingest.err" &
	ING=$!
	PIDS+=("$ING")
	# Three clients that would send 300,000 requests; stopped after the
	# rotations, so each rotation happens under load.
	load "$1" 100000 3
	for _ in $(seq 5); do
		sleep 0.5
		rotate
	done
	sleep 0.5
	load_stop
	wait_stored
	kill "$ING"
	wait "$ING" || fail "ingest --follow failed: $(cat "$W/ingest.err")"
	figures "live-$1"
}

live create
live copytruncate
figures_done
