#!/usr/bin/env bash
# sitrep demo, ingest and (when present) report under valgrind: no memory
# errors, no definite or indirect leaks.
source "$(dirname "$0")/lib.sh"

[ "${SAN:-0}" = 1 ] && skip "valgrind does not run ASan builds"
command -v valgrind >/dev/null || skip "valgrind not installed"
vg() { valgrind -q --error-exitcode=3 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect "$@"; }

vg "$SITREP" demo --fast --count 2000 --seed 3 >"$T/ev.jsonl" || fail "demo under valgrind: exit $?"
check demo_lines "$(wc -l <"$T/ev.jsonl")" 2000
printf '[1]\n{"x":\n\n' >>"$T/ev.jsonl"
vg "$SITREP" ingest --db "$T/v.db" <"$T/ev.jsonl" 2>"$T/err" || { cat "$T/err"; fail "ingest under valgrind: exit $?"; }
check stored "$(sqlite3 "$T/v.db" 'SELECT count(*) FROM events')" 2000
rc=0
vg "$SITREP" ingest --db "$T/v2.db" "$T/ev.jsonl" "$T/nonexistent" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || { cat "$T/err"; fail "ingest of a missing file under valgrind: exit $rc, want 1"; }
echo "ok ingest with a missing file"
if "$SITREP" report --help >/dev/null 2>&1; then
	vg "$SITREP" report --db "$T/v.db" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "report under valgrind: exit $?"; }
	echo "ok report"
else
	echo "report not built: skipped"
fi
