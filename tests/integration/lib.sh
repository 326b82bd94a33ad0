# Shared helpers for integration tests (sourced).  Each test runs in its own
# temp folder, cleaned up by the EXIT trap; servers are stopped by PID.
set -euo pipefail
: "${SITREP:?SITREP must point at the built binary}"
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: a component the test needs is missing.  Under CI=true that
# is a failure (CI installs every test dependency), never a skip.
skip() {
	if [ "${CI:-}" = true ]; then fail "CI=true and cannot run: $*"; fi
	echo "$*"; exit 77
}
# skip_na REASON: the test does not apply to this build (valgrind over an
# ASan binary): a skip even in CI.
skip_na() { echo "$*"; exit 77; }
# have CMD: is CMD installed, for a part of a test that needs it?  Under
# CI=true a missing one fails the test; elsewhere the part is left out,
# and says so.
have() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "${CI:-}" = true ] && fail "CI=true and $1 is missing (make deps-test)"
	echo "$1 not installed: that part is not run"
	return 1
}
# pid_of PATTERN: the newest process whose command line matches PATTERN
# (pgrep -f), waiting up to 10 s for it; fails the test if none comes.
pid_of() {
	local p
	for _ in $(seq 100); do
		p=$(pgrep -n -f -- "$1") && { echo "$p"; return; }
		sleep 0.1
	done
	fail "no process '$1'"
}
# page_dom URL OUT: the page at URL as headless Chromium leaves it after
# its scripts ran (8 s of virtual time), into OUT.  Returns 1 when there
# is no Chromium (under CI=true that fails the test).
page_dom() {
	local chrome
	chrome=$(command -v chromium || command -v chromium-browser) || {
		have chromium
		return 1
	}
	timeout 60 "$chrome" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/profile" --virtual-time-budget=8000 --dump-dom "$1" \
		>"$2" 2>"$T/chrome.log" || fail "chromium: $(tail -n 3 "$T/chrome.log")"
}
# need CMD...: the test cannot run without these commands (skip; under
# CI=true, skip fails).  Daemons live in /usr/sbin, so that is searched.
need() {
	local c
	export PATH=$PATH:/usr/sbin:/sbin
	for c; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (make deps-test)"
	done
}
# A test that reads the console's UTF-8 glyphs (box lines, sparks) runs
# in a UTF-8 locale of its own, whatever LANG the caller has (or none).
use_utf8_locale() {
	local loc
	loc=$(locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' | head -n 1)
	[ -n "$loc" ] || skip "no C.UTF-8 locale"
	export LANG="$loc" LC_ALL="$loc"
	unset LC_CTYPE
}
# check NAME GOT WANT
check() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; echo "ok $1 = $3"; }
# check_near NAME GOT WANT RELTOL
check_near() {
	awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d;
		m = w < 0 ? -w : w; exit !(d <= t * m + 1e-9) }' ||
		fail "$1: got $2, want $3 (within $4)"
	echo "ok $1 ~ $3"
}
# A free TCP port on 127.0.0.1, below the kernel's ephemeral range (so no
# client socket of this machine holds it), and not one this test was
# already given (they are listed in $T/ports: free_port runs in a
# subshell).
free_port() {
	local p lo hi
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	for _ in $(seq 50); do
		p=$(( 20000 + RANDOM % (lo > 21000 ? lo - 20000 : 1000) ))
		grep -qx "$p" "$T/ports" 2>/dev/null && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p" >>"$T/ports"
			echo "$p"
			return
		fi
	done
	fail "no free port"
}
# Wait until a URL answers (bounded: 30 s, for sanitizer builds on a busy
# machine).  When the process started last (the server waited for) has
# exited meanwhile, as one that could not listen does, it fails at once
# and shows the test's logs.
wait_http() {
	local last=
	[ ${#PIDS[@]} -eq 0 ] || last=${PIDS[${#PIDS[@]}-1]}
	for _ in $(seq 300); do
		curl -s -o /dev/null "$1" && return 0
		if [ -n "$last" ] && ! kill -0 "$last" 2>/dev/null; then
			tail -n 5 "$T"/*log* 2>/dev/null || true
			fail "process $last exited before $1 answered"
		fi
		sleep 0.1
	done
	fail "server at $1 did not come up"
}
# Build tests/src_driver.c against the built library into $T/drv (the
# source tests drive sources through it); skips when there is no library.
# Leaves LIB (the library) and CFL (compiler flags) set for further builds.
build_src_driver() {
	local root
	root=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
	LIB="$(dirname "$SITREP")/libsitrep.a"
	[ -f "$LIB" ] || skip "no $LIB"
	CFL="-std=c11 -D_DEFAULT_SOURCE -I$root"
	[ "${SAN:-0}" = 1 ] && CFL="$CFL -fsanitize=address,undefined"
	cc $CFL -o "$T/drv" "$root/tests/src_driver.c" "$LIB" \
		$(pkg-config --libs sqlite3 libcurl libcjson) -lm -lpthread ||
		fail "cannot build the source driver"
}
# The console in tmux: tmux_open NAME puts the test's sessions on a
# socket of its own (tm runs tmux there) that the EXIT trap kills; without
# tmux the test skips, or fails under CI=true.
tmux_open() {
	command -v tmux >/dev/null || skip "tmux not installed"
	SOCK="sitrep-$1-$$"
	trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup' EXIT
}
tm() { tmux -L "$SOCK" "$@"; }
# tm_wait SESSION TEXT: until the pane shows the fixed string TEXT (15 s);
# tm_wait_re SESSION ERE: until it shows a match of the regex
tm_wait() { tm_wait_grep -F "$@"; }
tm_wait_re() { tm_wait_grep -E "$@"; }
tm_wait_grep() {
	for _ in $(seq 150); do
		tm capture-pane -p -t "$2" | grep -q "$1" -- "$3" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t "$2" >&2 || true
	fail "$2: screen never showed '$3'"
}
# tm_focus SESSION TITLE: Tab until the panel TITLE has the focus ('>')
tm_focus() {
	for _ in $(seq 12); do
		tm capture-pane -p -t "$1" | grep -q "^>$2" && return 0
		tm send-keys -t "$1" Tab
		sleep 0.2
	done
	fail "$1: cannot focus the panel $2"
}
# only_rules RULE...: a config that turns every other insight rule off
only_rules() {
	local r
	for r in disk_fill inode_fill error_pattern ttft throughput latency \
	    silence cpu memory swap load iowait psi traffic heavy_user \
	    new_endpoint error_rate; do
		case " $* " in *" $r "*) ;; *) printf '[rule %s]\nenabled = no\n' "$r" ;; esac
	done
}
