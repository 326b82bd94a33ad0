#!/usr/bin/env bash
# `make run`: the main job.  With a terminal, the console on this machine
# with the demo stream piped in; without one, a demo stream through ingest
# and a report.  The demo's events go to build/demo.db (SITREP_DB to
# change it), never into the user's own database.
set -eu
cd "$(dirname "$0")/.."
db=${SITREP_DB:-$PWD/build/demo.db}
mkdir -p "$(dirname "$db")"
if [ -t 0 ] && [ -t 1 ]; then
	# The last hour first, so the charts and tables have history to show.
	./sitrep demo --fast --span 1h --rate 50 --seed "$$" \
		| ./sitrep ingest --db "$db" 2>/dev/null || true
	exec sh -c "./sitrep demo | ./sitrep --db '$db'"
fi
./sitrep demo --fast --span 1h --rate 200 --seed 1 | ./sitrep ingest --db "$db"
./sitrep report --db "$db" --hours 2
