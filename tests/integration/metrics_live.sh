#!/usr/bin/env bash
# sitrep metrics on this machine, compared with the usual tools (free, nproc,
# df, /proc/loadavg); the fixture roots; and usage errors.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v jq >/dev/null || skip "jq not installed"

"$SITREP" metrics --json --interval 0.3 >"$T/m.json"
jq -e 'type == "object"' "$T/m.json" >/dev/null || fail "not a JSON object"
get() { jq -r --arg k "$1" '.[$k] // "absent"' "$T/m.json"; }

# Memory: the same MemTotal free(1) reads.
if have free; then
	check_near mem.total_bytes "$(get mem.total_bytes)" \
		"$(free -b | awk '/^Mem:/ { print $2 }')" 0.001
fi
# Online cores.  nproc honours CPU affinity; when that hides cores, compare
# with the online count instead.
want=$(nproc)
[ "$want" = "$(getconf _NPROCESSORS_ONLN)" ] || want=$(getconf _NPROCESSORS_ONLN)
check cpu.count "$(get cpu.count)" "$want"
# The root filesystem, as df sees it.
check_near "fs./.total_bytes" "$(get 'fs./.total_bytes')" \
	"$(df -B1 --output=size / | tail -n 1 | tr -d ' ')" 0.01
# Load moves between the two reads: within 0.5 + 20 %.
load=$(get load.1)
want=$(cut -d' ' -f1 /proc/loadavg)
awk -v g="$load" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d;
	exit !(d <= 0.5 + 0.2 * w) }' || fail "load.1: got $load, want ~$want"
echo "ok load.1 ~ $want"
# Rates exist after one interval and are sane percentages.
busy=$(get cpu.total.busy_pct)
awk -v b="$busy" 'BEGIN { exit !(b >= 0 && b <= 100) }' ||
	fail "cpu.total.busy_pct out of range: $busy"
echo "ok cpu.total.busy_pct in [0,100]"
[ "$(get mem.used_pct)" != absent ] || fail "mem.used_pct missing"
[ "$(get uptime_s)" != absent ] || fail "uptime_s missing"

# Text output: aligned name value unit, filtered by globs.
"$SITREP" metrics --interval 0 'load.*' 'cpu.count' >"$T/m.txt"
awk '$1 !~ /^(load\.|cpu\.count$)/ { bad = 1 } END { exit bad }' "$T/m.txt" ||
	fail "pattern filter let other metrics through"
check "text lines" "$(wc -l <"$T/m.txt")" 6
grep -q '^load\.1 ' "$T/m.txt" || fail "load.1 missing in text output"

# Fixture roots: MemTotal 16000000 kB in tests/fixtures/proc-busy/b.
"$SITREP" metrics --json --interval 0 \
	--proc-root "$ROOT/tests/fixtures/proc-busy/b" \
	--sys-root "$ROOT/tests/fixtures/sys-busy/b" 'mem.*' 'cpu.count' \
	'psi.*' >"$T/f.json"
check fixture.mem.total_bytes "$(jq '."mem.total_bytes"' "$T/f.json")" 16384000000
check fixture.cpu.count "$(jq '."cpu.count"' "$T/f.json")" 2
check fixture.psi "$(jq '."psi.cpu.some_avg10"' "$T/f.json")" 12.5
check fixture.keys "$(jq -r 'keys[]' "$T/f.json" | grep -cv '^\(mem\|psi\)\.\|^cpu\.count$' || true)" 0
SITREP_PROC="$ROOT/tests/fixtures/proc-edge/b" "$SITREP" metrics --json \
	--interval 0 'cpu.count' 'psi.*' >"$T/e.json"
check env.cpu.count "$(jq '."cpu.count"' "$T/e.json")" 2
check env.no_psi "$(jq 'keys | length' "$T/e.json")" 1

# --top lists processes.
"$SITREP" metrics --interval 0.2 --top 'cpu.count' >"$T/top.txt"
grep -q '^Top processes by CPU' "$T/top.txt" || fail "no CPU top list"
grep -q '^Top processes by memory' "$T/top.txt" || fail "no memory top list"

# Usage errors exit 2; --help exits 0 with usage on stdout.
rc=0; "$SITREP" metrics --bogus >/dev/null 2>&1 || rc=$?
check "bad option exit" "$rc" 2
rc=0; "$SITREP" metrics --interval nope >/dev/null 2>&1 || rc=$?
check "bad interval exit" "$rc" 2
rc=0; "$SITREP" metrics --interval >/dev/null 2>&1 || rc=$?
check "missing argument exit" "$rc" 2
"$SITREP" metrics --help | grep -q '^usage: sitrep metrics' || fail "--help"
rc=0; "$SITREP" metrics --proc-root /nonexistent >/dev/null 2>&1 || rc=$?
check "unreadable root exit" "$rc" 1
echo "metrics_live: all checks passed"
