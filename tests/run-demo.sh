#!/usr/bin/env bash
# `make run`: the main job.  With a terminal, the TUI on this machine with
# the demo stream piped in; without one, a demo stream through ingest and
# a report.
set -eu
cd "$(dirname "$0")/.."
if [ -t 1 ] && ./sitrep tui --help >/dev/null 2>&1; then
	exec sh -c './sitrep demo | ./sitrep'
fi
db=${SITREP_DB:-$(mktemp -d)/demo.db}
./sitrep demo --fast --span 1h --rate 200 --seed 1 | ./sitrep ingest --db "$db"
./sitrep report --db "$db" --hours 2
