#!/usr/bin/env bash
# Every batch command under valgrind: demo (fast and paced), ingest (with
# rejected lines and a missing input), report (text and JSON, with a
# service filter), export (events in each format, metrics, insights),
# insights (text and JSON) and metrics (fixture roots, with --top): no
# memory errors, no definite or indirect leaks.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}

[ "${SAN:-0}" = 1 ] && skip_na "valgrind does not run ASan builds"
command -v valgrind >/dev/null || skip "valgrind not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
vg() { valgrind -q --error-exitcode=3 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect "$@"; }
# vg_ok NAME CMD...: CMD under valgrind exits 0 (stdout to $T/out).
vg_ok() {
	local name=$1 rc=0
	shift
	vg "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 0 ] || { cat "$T/err"; fail "$name under valgrind: exit $rc"; }
	echo "ok $name"
}

vg "$SITREP" demo --fast --count 2000 --seed 3 >"$T/ev.jsonl" || fail "demo under valgrind: exit $?"
check demo_lines "$(wc -l <"$T/ev.jsonl")" 2000
vg_ok "demo paced" "$SITREP" demo --rate 200 --duration 500ms --seed 4
[ -s "$T/out" ] || fail "paced demo wrote nothing"
printf '[1]\n{"x":\n\n' >>"$T/ev.jsonl"
vg "$SITREP" ingest --db "$T/v.db" <"$T/ev.jsonl" 2>"$T/err" || { cat "$T/err"; fail "ingest under valgrind: exit $?"; }
check stored "$(sqlite3 "$T/v.db" 'SELECT count(*) FROM events')" 2000
rc=0
vg "$SITREP" ingest --db "$T/v2.db" "$T/ev.jsonl" "$T/nonexistent" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || { cat "$T/err"; fail "ingest of a missing file under valgrind: exit $rc, want 1"; }
echo "ok ingest with a missing file"

# A range over all the demo's events, starting and ending inside minutes.
from=$(sqlite3 "$T/v.db" 'SELECT MIN(ts) + 1 FROM events')
to=$(sqlite3 "$T/v.db" 'SELECT MAX(ts) FROM events')
vg_ok "report" "$SITREP" report --db "$T/v.db" --from "$from" --to "$to"
grep -q "TOP ERRORS" "$T/out" || fail "report shows no top errors"
vg_ok "report --json --service" "$SITREP" report --db "$T/v.db" --json \
	--from "$from" --to "$to" --service litellm --top 3
jq -e . "$T/out" >/dev/null || fail "report --json is not JSON"

for f in csv json jsonl; do
	vg_ok "export events $f" "$SITREP" export --db "$T/v.db" --what events --format "$f"
done
check "export jsonl rows" "$(wc -l <"$T/out")" 2000
vg_ok "export metrics" "$SITREP" export --db "$T/v.db" --what metrics --format csv
vg_ok "export insights" "$SITREP" export --db "$T/v.db" --what insights --format json

vg_ok "insights" "$SITREP" insights --db "$T/v.db" --hours 2
vg_ok "insights --json" "$SITREP" insights --db "$T/v.db" --hours 2 --json
jq -e . "$T/out" >/dev/null || fail "insights --json is not JSON"

F=$ROOT/tests/fixtures
vg_ok "metrics" "$SITREP" metrics --interval 0 --top \
	--proc-root "$F/proc-busy/b" --sys-root "$F/sys-busy/b"
vg_ok "metrics --json" "$SITREP" metrics --json --interval 100ms \
	--proc-root "$F/proc-busy/b" --sys-root "$F/sys-busy/b" 'cpu.*'
jq -e . "$T/out" >/dev/null || fail "metrics --json is not JSON"
