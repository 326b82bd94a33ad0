#!/usr/bin/env bash
# The processes panel on the proc fixture (tests/fixtures/proc-busy/b,
# sys-busy/b): MEM% is RSS over the memory the tile is about (MemTotal
# 16000000 kB, or the cgroup's memory.max 8192000000 when lower), `s`
# cycles cpu, memory and name order, `c` shows the full command line
# (b/100/cmdline), and `/` with the panel focused filters by name or
# user.  Expected values are computed here with awk and sort.
source "$(dirname "$0")/lib.sh"
use_utf8_locale

tmux_open tuip
screen() { tm capture-pane -p -t s; }
# the process rows: from the header row to the first blank line
rows() { screen | sed -n '/^ *PID USER/,/^ *$/p' | sed '1d;/^ *$/d'; }
FIX="$ROOT/tests/fixtures"
tm new-session -d -s s -x 120 -y 30 \
	"SITREP_PROC='$FIX/proc-busy/b' SITREP_SYS='$FIX/sys-busy/b' '$SITREP' --db :memory: --no-mouse --layout system </dev/null; sleep 30"
tm_wait s "Processes"
tm_wait s "new proc"

tm_focus s Processes

# MEM%: pid 400 has 3000 pages of RSS; the cgroup limit is the lower
page=$(getconf PAGESIZE)
total=$(awk '/^MemTotal:/ { print $2 * 1024 }' "$FIX/proc-busy/b/meminfo")
lim=$(cat "$FIX/sys-busy/b/fs/cgroup/docker/abc/memory.max")
want=$(awk -v r=$((3000 * page)) -v t="$total" -v l="$lim" 'BEGIN { if (l < t) t = l; printf "%.1f%%", 100 * r / t }')
check "MEM% of pid 400" "$(rows | awk '$1 == 400 { print $6 }')" "$want"
[ "$want" != "0.0%" ] || fail "the fixture should give a visible MEM%"

# s: by memory (RSS descending), then by name
tm send-keys -t s s
tm_wait s "by memory"
check "by memory" "$(rows | awk '{ print $1 }' | tr '\n' ' ')" "400 100 200 500 300 "
tm send-keys -t s s
tm_wait s "by name"
names=$(for p in 100 200 300 400 500; do sed 's/^[0-9]* (\(.*\)) [A-Z] .*/\1/' "$FIX/proc-busy/b/$p/stat"; done | LC_ALL=C sort -f | tr '\n' '|')
check "by name" "$(rows | cut -c 45- | sed 's/ *$//' | tr '\n' '|')" "$names"

# c: the full command line where there is one
tm send-keys -t s c
tm_wait s "COMMAND"
check "pid 100 command line" "$(rows | awk '$1 == 100' | cut -c 45- | sed 's/ *$//')" \
	"$(tr '\0' ' ' <"$FIX/proc-busy/b/100/cmdline" | sed 's/ *$//')"
check "pid 200: no command line, its name" "$(rows | awk '$1 == 200' | cut -c 45- | sed 's/ *$//')" "x) y"
tm send-keys -t s c

# / with the panel focused: a filter by name or user
tm send-keys -t s / worker Enter
tm_wait s "/ filter: worker"
check "filter worker" "$(rows | awk '{ print $1 }' | tr '\n' ' ')" "100 "
tm send-keys -t s Escape
for _ in $(seq 50); do [ "$(rows | wc -l)" = 5 ] && break; sleep 0.1; done
check "Esc clears the filter" "$(rows | wc -l)" 5
tm send-keys -t s / root Enter
tm_wait s "/ filter: root"
check "filter by user root: all" "$(rows | wc -l)" 5
echo "tui_procs: ok"
