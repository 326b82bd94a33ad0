#!/usr/bin/env bash
# `make bench-valgrind`: sitrep under valgrind's memcheck, long enough for
# what only shows over time (the ticks, retention, the web answers built
# each tick, the console's redraws):
#  - serve: `sitrep serve --accept-events` fed `sitrep demo` on stdin, while
#    a client POSTs demo events and GETs every route (with ?q=, ?from=,
#    ?since= ...) and /api/stream, for DURATION seconds (default 600);
#  - the console in tmux (200x50) on `sitrep demo`, its keys pressed in a
#    cycle (panels, filter, windows, pause and travel, themes, help), for
#    CONSOLE_DURATION seconds (default DURATION / 2).
# Each ends as a user ends it (SIGTERM, `q`), then memcheck's leak check
# runs.  Prints memcheck's error count and the bytes definitely lost of
# each; exits 1 when either is not 0 (the logs are kept then).
# Environment: BUILD, DURATION, CONSOLE_DURATION, DEMO_RATE (events/s,
# default 100), VALGRIND_ONLY (serve or console).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SITREP=${SITREP:-$PWD/$BUILD/sitrep}
DUR=${DURATION:-600}
CDUR=${CONSOLE_DURATION:-$((DUR / 2))}
RATE=${DEMO_RATE:-100}
ONLY=${VALGRIND_ONLY:-}
T=$(mktemp -d)
SOCK="sitrep-vg-$$"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ "${keep:-0}" = 1 ] && echo "logs kept in $T" || rm -rf "$T"
}
trap cleanup EXIT
command -v valgrind >/dev/null || { echo "valgrind: not installed"; exit 1; }
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite
	--error-exitcode=99 --num-callers=30)
rc=0

# summary NAME LOG EXIT SECONDS EXTRA: one line from memcheck's log.
summary() {
	local name=$1 log=$2 code=$3 secs=$4 extra=$5 errs lost
	errs=$(awk '/ERROR SUMMARY:/ { e = $4 } END { print e == "" ? "?" : e }' "$log")
	lost=$(awk '/definitely lost:/ { gsub(",", "", $4); l = $4 }
		END { print l == "" ? 0 : l }' "$log")
	printf '%-8s %4d s  exit %s  errors %s  definitely lost %s bytes  %s\n' \
		"$name" "$secs" "$code" "$errs" "$lost" "$extra"
	if ! grep -qE 'LEAK SUMMARY|All heap blocks were freed' "$log"; then
		echo "$name: memcheck did not run its leak check (no normal exit)"
		code="$code, no leak check"
	fi
	if [ "$errs" != 0 ] || [ "$lost" != 0 ] || [ "$code" != 0 ]; then
		rc=1
		keep=1
		grep -m 40 -A 20 -E 'Invalid|uninitialised|definitely lost in' "$log" | head -n 80
	fi
}

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 10000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

# wait_gone PID SECONDS: 0 once PID has exited.
wait_gone() {
	for _ in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

run_serve() {
	local port url vgpid demo code=0 n=0 end since=0 qs posted=0 st
	local unanswered=0 stored
	port=$(free_port) || { echo "serve: no free port"; rc=1; return; }
	url="http://127.0.0.1:$port"
	mkfifo "$T/ev"
	"$SITREP" demo --rate "$RATE" --seed 1 >"$T/ev" 2>/dev/null &
	demo=$!
	pids+=("$demo")
	"${VG[@]}" --log-file="$T/serve.vg" "$SITREP" serve --db "$T/serve.db" \
		--listen "127.0.0.1:$port" --accept-events --interval 1s \
		<"$T/ev" >"$T/serve.out" 2>"$T/serve.err" &
	vgpid=$!
	pids+=("$vgpid")
	for _ in $(seq 1200); do
		curl -fs "$url/api/health" >/dev/null && break
		kill -0 "$vgpid" 2>/dev/null || break
		sleep 0.1
	done
	"$SITREP" demo --fast --count 20 --seed 2 >"$T/post.jsonl"
	end=$((SECONDS + DUR))
	while [ "$SECONDS" -lt "$end" ] && kill -0 "$vgpid" 2>/dev/null; do
		st=$(curl -s -o /dev/null -w '%{http_code}' \
			-H 'Content-Type: application/json' \
			--data-binary @"$T/post.jsonl" "$url/api/events")
		[ "$st" = 202 ] && posted=$((posted + 20))
		for qs in "api/health" "api/metrics/overview?history=1" \
			"api/services" "api/insights?state=all" "metrics" \
			"api/events?limit=50&q=is:error" \
			"api/events?status=5xx,404&since=$since" \
			"api/events?live=1&q=service%3Dlitellm" \
			"api/events?from=$(($(date +%s) - 60))&limit=20" \
			"api/metrics/series?name=cpu.total.busy_pct&step=10s" \
			"api/metrics/performance?hours=0.1" "api/summary?hours=1" \
			"api/events?limit=0" "nope" ""; do
			st=$(curl -s -o /dev/null -w '%{http_code}' "$url/$qs")
			n=$((n + 1))
			[ "$st" = 000 ] && unanswered=$((unanswered + 1))
		done
		since=$(curl -s "$url/api/events?limit=5&since=$since" |
			sed -n 's/.*"cursor":"h\{0,1\}\([0-9]*\)".*/\1/p')
		since=${since:-0}
		curl -s -o /dev/null --max-time 2 "$url/api/stream"
		n=$((n + 3))
		sleep 1
	done
	kill -TERM "$vgpid" 2>/dev/null
	wait_gone "$vgpid" 300 || { echo "serve: still running 300 s after SIGTERM"; kill -9 "$vgpid"; }
	wait "$vgpid" || code=$?
	kill "$demo" 2>/dev/null
	stored=$(sqlite3 "$T/serve.db" 'SELECT count(*) FROM events' 2>/dev/null)
	summary serve "$T/serve.vg" "$code" "$DUR" "($n requests, $unanswered unanswered; $posted events posted, demo $RATE ev/s on stdin; ${stored:-?} events stored)"
}

run_console() {
	local end k=0 code keys lines
	cat >"$T/console.sh" <<EOS
#!/bin/sh
'$SITREP' demo --rate $RATE --seed 3 2>/dev/null |
	$(printf '%q ' "${VG[@]}") --log-file='$T/console.vg' \
	'$SITREP' --db '$T/console.db' --interval 1s 2>'$T/console.err'
echo \$? >'$T/console.rc'
EOS
	chmod +x "$T/console.sh"
	tmux -L "$SOCK" new-session -d -s vg -x 200 -y 50 "$T/console.sh"
	# A cycle of keys: every panel, the filter, windows, pause and
	# travel, chart modes, themes, processes, help, sort, drill-down.
	keys=(Tab Tab j j Enter Escape Tab k 1 2 3 4 1 / i s : e r r o r
		Enter G g Escape Space Left Left Right Space b b t p p s S
		Tab Enter e Escape '?' x Tab Tab r r BTab)
	end=$((SECONDS + CDUR))
	while [ "$SECONDS" -lt "$end" ] && [ ! -e "$T/console.rc" ]; do
		tmux -L "$SOCK" send-keys -t vg "${keys[k % ${#keys[@]}]}"
		k=$((k + 1))
		sleep 1
	done
	lines=$(tmux -L "$SOCK" capture-pane -p -t vg 2>/dev/null | grep -c '[^ ]')
	tmux -L "$SOCK" send-keys -t vg Escape Escape q
	for _ in $(seq 3000); do
		[ -s "$T/console.rc" ] && break
		sleep 0.1
	done
	code=$(cat "$T/console.rc" 2>/dev/null || echo "none (still running)")
	summary console "$T/console.vg" "$code" "$CDUR" "($k keys, demo $RATE ev/s, $lines screen lines drawn at the end)"
}

echo "== valgrind memcheck ($(valgrind --version))"
[ "$ONLY" = console ] || run_serve
[ "$ONLY" = serve ] || run_console
exit "$rc"
