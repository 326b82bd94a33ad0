#!/usr/bin/env bash
# `make bench-peers`: sitrep against the tools people would use instead,
# installed from Debian and measured in the same run on the same machine,
# one after the other (sitrep, peer, sitrep, peer ...), never two at once,
# over BENCH_ROUNDS rounds.  Writes bench/RESULTS.md (medians, spreads,
# ratios against the goals of the benchmark issue, the machine, the date,
# each peer's version and exact command line).  Figures only: nothing
# here passes or fails on a number.  Not part of CI (root, apt-get, about
# 30 minutes).
#
#   queries    `sitrep report` and `sitrep insights` over 1M stored events
#              (48 h of demo traffic) against a plain SQL pass
#   consoles   sitrep, htop, btop, glances, nmon (NMON panels), atop in
#              tmux at 200x50 with a 1 s refresh: CPU-seconds per 60 s, RSS
#   servers    wrk -t2 -c32 -d5s on loopback: sitrep /metrics against
#              prometheus-node-exporter, sitrep's JSON overview against
#              netdata /api/v1/data, and nginx serving the same bytes as
#              static files (the practical limit): req/s, p99, RSS
#   access log the same 1M-line combined log into `sitrep ingest` and
#              GoAccess: wall time and peak RSS (/usr/bin/time -v)
#   ingest     bench/baseline_ingest.c, compiled in the run, against
#              `sitrep ingest` of the same 1M JSON lines
#
# Environment: BUILD (build folder, default build), BENCH_ROUNDS (3),
# BENCH_CONSOLE_S (seconds each console is measured, 60), BENCH_SERVE_S
# (seconds sitrep serve runs with demo at 50 ev/s before its RSS is read,
# 60), BENCH_LINES (1000000), BENCH_BUDGET_S (1800: no round is started
# that would not end within it), BENCH_NO_INSTALL=1 (use what is
# installed), BENCH_OUT (bench/RESULTS.md), BENCH_NOTE (a line about the
# conditions, written into the results).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
SITREP=$ROOT/$BUILD/sitrep
ROUNDS=${BENCH_ROUNDS:-3}
CONS=${BENCH_CONSOLE_S:-60}
SERVE_S=${BENCH_SERVE_S:-60}
LINES=${BENCH_LINES:-1000000}
BUDGET=${BENCH_BUDGET_S:-1800}
OUT=${BENCH_OUT:-$ROOT/bench/RESULTS.md}
WRK="wrk -t2 -c32 -d5s --latency"
T0=$(date +%s)
W=$(mktemp -d /tmp/sitrep-peers.XXXXXX)
chmod 755 "$W"	# nginx's workers (nobody) read the static files here
SOCK="sitrep-peers-$$"
PGS=()	# process groups this script started
POLICY_MADE=""

cleanup() {
	local g
	for g in "${PGS[@]:-}"; do [ -n "$g" ] && kill -- "-$g" 2>/dev/null; done
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "$POLICY_MADE" ] && rm -f /usr/sbin/policy-rc.d
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%4ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }
die() { log "bench-peers: $*"; exit 1; }
[ -x "$SITREP" ] || die "$SITREP missing: run make first"

# ---------------------------------------------------------------- peers
# name:debian package:command that must exist
PEERS="htop:htop:htop btop:btop:btop glances:glances:glances nmon:nmon:nmon
atop:atop:atop node-exporter:prometheus-node-exporter:prometheus-node-exporter
netdata:netdata:netdata goaccess:goaccess:goaccess nginx:nginx:nginx wrk:wrk:wrk
time:time:/usr/bin/time tmux:tmux:tmux"
MISSING=()

install_peers() {
	local pkgs=() p
	for p in $PEERS; do pkgs+=("$(cut -d: -f2 <<<"$p")"); done
	if [ -n "${BENCH_NO_INSTALL:-}" ]; then
		log "BENCH_NO_INSTALL: using what is installed"
		return
	fi
	[ "$(id -u)" = 0 ] || die "installing the peers needs root (or BENCH_NO_INSTALL=1)"
	# Packages must not start their services (netdata, node-exporter,
	# nginx, atop, glances): each is started here, alone, when measured.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		POLICY_MADE=1
	fi
	grep -q 'exit 101' /usr/sbin/policy-rc.d || die "/usr/sbin/policy-rc.d exists and does not suppress services"
	log "installing ${pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
	if ! "${apt[@]}" "${pkgs[@]}" >"$W/apt.log" 2>&1; then
		apt-get update -q >>"$W/apt.log" 2>&1
		for p in "${pkgs[@]}"; do "${apt[@]}" "$p" >>"$W/apt.log" 2>&1; done
	fi
}

check_peers() {
	local p name cmd
	for p in $PEERS; do
		name=$(cut -d: -f1 <<<"$p")
		cmd=$(cut -d: -f3 <<<"$p")
		command -v "$cmd" >/dev/null 2>&1 || MISSING+=("$name ($(cut -d: -f2 <<<"$p") not installed)")
	done
}
have() { command -v "$1" >/dev/null 2>&1; }
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }

# ---------------------------------------------------------------- data
# Each figure is a line "KEY VALUE" in $W/data; KEY is segment.subject.what.
put() { echo "$1 $2" >>"$W/data"; }
# Command lines as run, for the results: "NAME<TAB>command".
cmdline() { grep -q "^$1	" "$W/cmds" 2>/dev/null || printf '%s\t%s\n' "$1" "$2" >>"$W/cmds"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {	# URL [tries of 0.2 s]
	local i
	for i in $(seq "${2:-150}"); do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.2
	done
	return 1
}
kib_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
status_kib() { awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null; }
# start CMD... in its own process group (killed by pgroup), print its pid
start_bg() {
	setsid "$@" </dev/null >>"$W/bg.log" 2>&1 &
	local p=$!
	PGS+=("$p")
	echo "$p"
}
stop_pg() {
	kill -- "-$1" 2>/dev/null
	local i
	for i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------- consoles
# console NAME CMD: run CMD in tmux at 200x50, skip 3 s of start-up, then
# CPU time (self + reaped children) over CONS s, scaled to 60 s, and RSS.
console() {
	local name=$1 cmd=$2 pid c0 c1 rss tck
	tck=$(getconf CLK_TCK)
	cmdline "console $name" "$cmd"
	tmux -L "$SOCK" new-session -d -s "$name" -x 200 -y 50 \
		"cd '$W' && exec env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME='$W/xdg' $cmd" ||
		{ log "$name: tmux failed"; return; }
	pid=$(tmux -L "$SOCK" display-message -p -t "$name" '#{pane_pid}')
	sleep 3
	c0=$(cpu_ticks "$pid")
	sleep "$CONS"
	c1=$(cpu_ticks "$pid")
	rss=$(status_kib "$pid" VmRSS)
	tmux -L "$SOCK" capture-pane -p -t "$name" >"$W/pane.$name" 2>/dev/null
	tmux -L "$SOCK" kill-session -t "$name" 2>/dev/null
	if [ -z "$c0" ] || [ -z "$c1" ] || [ -z "$rss" ]; then
		log "$name: exited before it was measured (screen: $(tr -s ' \n' ' ' <"$W/pane.$name" | cut -c1-200))"
		put "console.$name.failed" 1
		return
	fi
	put "console.$name.cpu" "$(awk -v c=$((c1 - c0)) -v t="$tck" -v d="$CONS" 'BEGIN { printf "%.3f", c / t * 60 / d }')"
	put "console.$name.rss" "$(kib_mib "$rss")"
	log "console $name: $(tail -n 2 "$W/data" | tr '\n' ' ')"
}

consoles() {
	mkdir -p "$W/xdg/btop"
	# btop reads its refresh from its config only (update_ms, default 2000)
	printf 'update_ms = 1000\nproc_tree = False\n' >"$W/xdg/btop/btop.conf"
	console sitrep "$SITREP --db $W/console.db --interval 1s"
	have htop && console htop "htop -d 10"
	have btop && console btop "btop --utf-force"
	have glances && console glances "glances -t 1"
	# nmon with the panels sitrep's console shows: CPU, memory, disks,
	# network, top processes
	have nmon && console nmon "env NMON=cmdnt nmon -s 1"
	have atop && console atop "atop 1"
}

# ---------------------------------------------------------------- servers
# load NAME URL PID: wrk against URL; req/s, p99 (ms) and the server's peak
# RSS (VmHWM of PID) afterwards.
load() {
	local name=$1 url=$2 pid=$3 rps p99
	cmdline "wrk" "$WRK URL"
	$WRK "$url" >"$W/wrk.$name" 2>&1
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.$name")
	p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : u == "m" ? v * 60000 : v) }' "$W/wrk.$name")
	if [ -z "$rps" ] || grep -q 'Non-2xx' "$W/wrk.$name"; then
		log "$name: wrk failed: $(tr '\n' ' ' <"$W/wrk.$name" | cut -c1-300)"
		put "http.$name.failed" 1
		return
	fi
	put "http.$name.rps" "$rps"
	put "http.$name.p99" "$p99"
	put "http.$name.rss" "$(kib_mib "$(status_kib "$pid" VmHWM)")"
	log "http $name: $rps req/s, p99 $p99 ms"
}

serve_sitrep() {
	local port pg pid="" p
	port=$(free_port)
	rm -f "$W"/serve.db*
	local c="$SITREP demo --rate 50 --seed 1 | $SITREP serve --db $W/serve.db --listen 127.0.0.1:$port"
	cmdline "sitrep serve" "$c"
	pg=$(start_bg bash -c "$c")
	wait_http "http://127.0.0.1:$port/api/health" || { log "sitrep serve did not start"; stop_pg "$pg"; return; }
	# the serve process of the pipeline (not the demo, not the shell)
	for p in $(pgrep -g "$pg" -x sitrep); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q ' serve ' && pid=$p
	done
	sleep "$SERVE_S"
	put "serve.sitrep.rss" "$(kib_mib "$(status_kib "$pid" VmRSS)")"
	# the static files nginx serves: the same bytes (first round's bodies)
	mkdir -p "$W/www"
	[ -s "$W/www/metrics.txt" ] || curl -s "http://127.0.0.1:$port/metrics" >"$W/www/metrics.txt"
	[ -s "$W/www/overview.json" ] || curl -s "http://127.0.0.1:$port/api/metrics/overview" >"$W/www/overview.json"
	chmod 644 "$W"/www/*
	load sitrep-metrics "http://127.0.0.1:$port/metrics" "$pid"
	load sitrep-overview "http://127.0.0.1:$port/api/metrics/overview" "$pid"
	stop_pg "$pg"
}

serve_node_exporter() {
	local port pg
	port=$(free_port)
	cmdline "node-exporter" "prometheus-node-exporter --web.listen-address=127.0.0.1:PORT (default collectors)"
	pg=$(start_bg prometheus-node-exporter --web.listen-address="127.0.0.1:$port")
	wait_http "http://127.0.0.1:$port/metrics" || { log "node-exporter did not start"; stop_pg "$pg"; return; }
	sleep 5
	put "serve.node-exporter.rss" "$(kib_mib "$(status_kib "$pg" VmRSS)")"
	load node-exporter-metrics "http://127.0.0.1:$port/metrics" "$pg"
	stop_pg "$pg"
}

NETDATA_URL='/api/v1/data?chart=system.cpu&after=-60&points=60&format=json'
serve_netdata() {
	local port pg
	port=$(free_port)
	cmdline "netdata" "netdata -D -p PORT -W set global 'update every' 1 (Debian's /etc/netdata, its plugins); wrk on $NETDATA_URL"
	pg=$(start_bg netdata -D -p "$port" -W set global 'update every' 1)
	wait_http "http://127.0.0.1:$port$NETDATA_URL" || { log "netdata did not start"; stop_pg "$pg"; return; }
	sleep 5
	put "serve.netdata.rss" "$(kib_mib "$(status_kib "$pg" VmRSS)")"
	load netdata-data "http://127.0.0.1:$port$NETDATA_URL" "$pg"
	stop_pg "$pg"
}

serve_nginx() {
	local port pg
	[ -s "$W/www/metrics.txt" ] || { log "nginx: no static files (sitrep serve did not run)"; return; }
	port=$(free_port)
	cat >"$W/nginx.conf" <<-EOF
		worker_processes 2;
		daemon off;
		pid $W/nginx.pid;
		error_log $W/nginx.err;
		events { worker_connections 1024; }
		http {
			include /etc/nginx/mime.types;
			sendfile on;
			tcp_nopush on;
			access_log off;
			server { listen 127.0.0.1:$port; root $W/www; }
		}
	EOF
	cmdline "nginx" "nginx -c nginx.conf (worker_processes 2; sendfile on; access_log off; the files sitrep served: /metrics $(wc -c <"$W/www/metrics.txt") bytes, overview $(wc -c <"$W/www/overview.json") bytes)"
	pg=$(start_bg nginx -c "$W/nginx.conf")
	wait_http "http://127.0.0.1:$port/metrics.txt" || { log "nginx did not start: $(cat "$W/nginx.err")"; stop_pg "$pg"; return; }
	# nginx's RSS: the master and its workers together
	load nginx-metrics "http://127.0.0.1:$port/metrics.txt" "$pg"
	load nginx-overview "http://127.0.0.1:$port/overview.json" "$pg"
	local sum=0 p
	for p in $(pgrep -g "$pg"); do sum=$((sum + $(status_kib "$p" VmHWM))); done
	put "http.nginx.rss" "$(kib_mib "$sum")"
	stop_pg "$pg"
}

servers() {
	serve_sitrep
	have prometheus-node-exporter && serve_node_exporter
	have netdata && serve_netdata
	have nginx && serve_nginx
}

# ---------------------------------------------------------------- logs
timed() {	# KEY CMD...: wall s and peak RSS MiB of CMD (/usr/bin/time -v)
	local key=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>"$W/time.$key"
	local rc=$?
	if [ $rc != 0 ]; then
		log "$key: exit $rc: $(tail -n 30 "$W/time.$key" | head -n 5 | tr '\n' ' ')"
		put "$key.failed" 1
		return
	fi
	put "$key.wall" "$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$W/time.$key")"
	put "$key.rss" "$(kib_mib "$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/time.$key")")"
	log "$key: $(tail -n 2 "$W/data" | tr '\n' ' ')"
}

access_logs() {
	rm -f "$W"/log.db*
	cmdline "sitrep ingest (log)" "sitrep ingest --db DB --format combined access.log"
	timed log.sitrep "$SITREP" ingest --db "$W/log.db" --format combined "$W/access.log"
	rm -f "$W"/log.db* "$W/ga.html"
	if have goaccess; then
		cmdline "goaccess" "goaccess access.log --log-format=COMBINED --no-global-config -o report.html"
		timed log.goaccess goaccess "$W/access.log" --log-format=COMBINED --no-global-config -o "$W/ga.html"
	fi
	rm -f "$W/ga.html"
}

ingest() {
	rm -f "$W"/ing.db*
	cmdline "baseline" "bench/baseline_ingest DB < events.jsonl (cc -O2, cJSON + one prepared INSERT, batches of 10,000)"
	timed ingest.baseline sh -c "exec '$W/baseline' '$W/ing.db' <'$W/events.jsonl'"
	rm -f "$W"/ing.db*
	cmdline "sitrep ingest (json)" "sitrep ingest --db DB < events.jsonl"
	timed ingest.sitrep sh -c "exec '$SITREP' ingest --db '$W/ing.db' <'$W/events.jsonl'"
	rm -f "$W"/ing.db*
}

# The queries over the stored 1M events (q.db, built once: 48 h of demo
# traffic): `sitrep report` against a plain SQL pass over the same rows
# (per service and endpoint: count, 5xx, mean latency), and `sitrep
# insights` over the whole span.
queries() {
	cmdline "sitrep report" "sitrep report --db DB --hours 48 --json"
	timed query.report "$SITREP" report --db "$W/q.db" --hours 48 --json
	cmdline "SQL pass" "sqlite3 DB 'SELECT service, endpoint, COUNT(*), SUM(status >= 500), AVG(latency_ms) FROM events GROUP BY service, endpoint'"
	timed query.sql sqlite3 "$W/q.db" "SELECT service, endpoint, COUNT(*), SUM(status >= 500), AVG(latency_ms) FROM events GROUP BY service, endpoint"
	cmdline "sitrep insights" "sitrep insights --db DB --hours 48 --json"
	timed query.insights "$SITREP" insights --db "$W/q.db" --hours 48 --json
}

# ---------------------------------------------------------------- run
install_peers
check_peers
have tmux || die "tmux is needed"
have wrk || die "wrk is needed"
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package time) is needed"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null)	# what was built, at the start

log "preparing: baseline, $LINES JSON lines, $LINES combined lines"
cc -O2 -o "$W/baseline" bench/baseline_ingest.c \
	$(pkg-config --cflags --libs libcjson sqlite3 2>/dev/null || echo -lcjson -lsqlite3) ||
	die "cannot build bench/baseline_ingest.c"
"$SITREP" demo --fast --seed 1 --count "$LINES" >"$W/events.jsonl"
awk -v N="$LINES" -f bench/combined_log.awk >"$W/access.log"
cat "$W/events.jsonl" "$W/access.log" >/dev/null	# into the page cache
"$SITREP" demo --fast --span 48h --seed 11 --count "$LINES" |
	"$SITREP" ingest --db "$W/q.db" >/dev/null 2>&1 || die "cannot build the query database"

DONE=0
for r in $(seq "$ROUNDS"); do
	now=$(date +%s)
	if [ "$DONE" -gt 0 ]; then
		per=$(((now - TR0) / DONE))
		if [ $((now - T0 + per)) -gt "$BUDGET" ]; then
			log "round $r would end after the ${BUDGET} s budget: stopping after $DONE"
			break
		fi
	else
		TR0=$now
	fi
	log "round $r of $ROUNDS"
	consoles
	servers
	access_logs
	ingest
	queries
	DONE=$r
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - T0))

# ---------------------------------------------------------------- results
# stat KEY: "median (min–max)" over the rounds, or "—"
stat() {
	grep "^$1 " "$W/data" | cut -d' ' -f2 | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "—"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			if (NR == 1) printf "%s\n", fmt(m)
			else printf "%s (%s–%s)\n", fmt(m), fmt(v[1]), fmt(v[NR])
		}
		function fmt(x) { return x >= 1000 ? group(sprintf("%.0f", x)) : x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
		function group(s) { while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }'
}
med() {
	grep "^$1 " "$W/data" | cut -d' ' -f2 | sort -g | awk '{ v[NR] = $1 }
		END { if (NR) print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# ratio A B: median A / median B, "—" when either is missing
ratio() {
	local a b
	a=$(med "$1")
	b=$(med "$2")
	[ -n "$a" ] && [ -n "$b" ] || { echo "—"; return; }
	awk -v a="$a" -v b="$b" 'BEGIN { if (b == 0) print "—"; else { r = a / b; printf (r >= 10 ? "%.0f×" : r >= 1 ? "%.1f×" : "%.2f×"), r } }'
}
# verdict A B OP GOAL: "met" or "not met" for (A / B) OP GOAL
verdict() {
	local a b
	a=$(med "$1")
	b=$(med "$2")
	[ -n "$a" ] && [ -n "$b" ] || { echo "no figure"; return; }
	awk -v a="$a" -v b="$b" -v op="$3" -v g="$4" 'BEGIN { r = a / b;
		ok = op == ">=" ? r >= g : r <= g; print ok ? "met" : "**not met**" }'
}
LC_NUMERIC=C.UTF-8
export LC_NUMERIC
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
eps() { awk -v n="$LINES" -v s="$(med "$1")" 'BEGIN { if (s) printf "%.0f", n / s; else print "—" }' | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
{
	cat <<-EOF
		# sitrep against its peers

		Written by \`make bench-peers\` (bench/peers.sh) on $(date -u '+%Y-%m-%d %H:%M UTC').
		Each figure is the median over the rounds, with the lowest and highest
		in brackets; each peer ran alone, right after sitrep, in the same run.

		- machine: $(nproc) cores ($cpu), $mem, Linux $(uname -r), Debian $(cat /etc/debian_version)
		- rounds: $DONE of $ROUNDS asked (BENCH_ROUNDS=$ROUNDS), consoles measured ${CONS} s each (BENCH_CONSOLE_S=$CONS), \`sitrep serve\` RSS read after ${SERVE_S} s at 50 ev/s, $LINES lines, ${ELAPSED} s in all
		- load average at the start / end: $LOAD0 / $LOAD1
		- sitrep: $("$SITREP" --version | head -n 1), built from $REV
	EOF
	[ -n "${BENCH_NOTE:-}" ] && echo "- conditions: $BENCH_NOTE"
	if [ ${#MISSING[@]} -gt 0 ]; then
		echo "- **missing peers** (no figures): ${MISSING[*]}"
	else
		echo "- missing peers: none"
	fi
	for k in $(grep '\.failed ' "$W/data" | cut -d' ' -f1 | sort -u); do
		echo "- **failed**: ${k%.failed} in $(grep -c "^$k " "$W/data") round(s) (see the log of the run)"
	done
	echo
	echo "## Ratios and goals"
	echo
	row what sitrep "peer / limit" ratio goal "goal met"
	row --- --- --- --- --- ---
	row "\`/metrics\` req/s" "$(stat http.sitrep-metrics.rps)" "node-exporter $(stat http.node-exporter-metrics.rps)" \
		"$(ratio http.sitrep-metrics.rps http.node-exporter-metrics.rps)" "≥ 3× node-exporter" \
		"$(verdict http.sitrep-metrics.rps http.node-exporter-metrics.rps '>=' 3)"
	row "\`/metrics\` req/s against the same bytes as a static file" "$(stat http.sitrep-metrics.rps)" "nginx $(stat http.nginx-metrics.rps)" \
		"$(ratio http.sitrep-metrics.rps http.nginx-metrics.rps)" "≥ the static-file limit (1×)" \
		"$(verdict http.sitrep-metrics.rps http.nginx-metrics.rps '>=' 1)"
	row "JSON overview req/s" "$(stat http.sitrep-overview.rps)" "netdata /api/v1/data $(stat http.netdata-data.rps)" \
		"$(ratio http.sitrep-overview.rps http.netdata-data.rps)" "—" "—"
	row "JSON overview req/s against the same bytes as a static file" "$(stat http.sitrep-overview.rps)" "nginx $(stat http.nginx-overview.rps)" \
		"$(ratio http.sitrep-overview.rps http.nginx-overview.rps)" "≥ the static-file limit (1×)" \
		"$(verdict http.sitrep-overview.rps http.nginx-overview.rps '>=' 1)"
	row "\`serve\` RSS MiB, demo at 50 ev/s" "$(stat serve.sitrep.rss)" \
		"node-exporter $(stat serve.node-exporter.rss), netdata $(stat serve.netdata.rss)" \
		"$(ratio serve.sitrep.rss serve.node-exporter.rss) of node-exporter" "≤ 16 MiB" \
		"$(awk -v m="$(med serve.sitrep.rss)" 'BEGIN { print m == "" ? "no figure" : m <= 16 ? "met" : "**not met**" }')"
	row "ingest JSON lines, events/s" "$(eps ingest.sitrep.wall)" "baseline loop $(eps ingest.baseline.wall)" \
		"$(ratio ingest.baseline.wall ingest.sitrep.wall)" "≥ 2.5×" "$(verdict ingest.baseline.wall ingest.sitrep.wall '>=' 2.5)"
	row "$LINES-line combined log, wall s" "$(stat log.sitrep.wall)" "GoAccess $(stat log.goaccess.wall)" \
		"$(ratio log.goaccess.wall log.sitrep.wall) faster" "≥ 10× faster" "$(verdict log.goaccess.wall log.sitrep.wall '>=' 10)"
	row "$LINES-line combined log, peak RSS MiB" "$(stat log.sitrep.rss)" "GoAccess $(stat log.goaccess.rss)" \
		"$(ratio log.sitrep.rss log.goaccess.rss) of its memory" "≤ 1/5 (0.2×)" "$(verdict log.sitrep.rss log.goaccess.rss '<=' 0.2)"
	row "\`report\` over $LINES stored events (48 h), wall s" "$(stat query.report.wall)" "SQL pass $(stat query.sql.wall)" \
		"$(ratio query.sql.wall query.report.wall) faster" "≤ 0.2 s" \
		"$(awk -v m="$(med query.report.wall)" 'BEGIN { print m == "" ? "no figure" : m <= 0.2 ? "met" : "**not met**" }')"
	row "\`insights\` over $LINES stored events (48 h), wall s" "$(stat query.insights.wall)" "—" "—" "≤ 0.2 s" \
		"$(awk -v m="$(med query.insights.wall)" 'BEGIN { print m == "" ? "no figure" : m <= 0.2 ? "met" : "**not met**" }')"
	row "console CPU-s per 60 s, idle, 200×50, 1 s refresh" "$(stat console.sitrep.cpu)" "htop $(stat console.htop.cpu)" \
		"$(ratio console.sitrep.cpu console.htop.cpu)" "≤ 0.5× htop" "$(verdict console.sitrep.cpu console.htop.cpu '<=' 0.5)"
	echo
	echo "Where a goal is not met, the README's \"Against its peers\" section gives the profile (perf, massif) behind the gap and the lever it points at."
	echo
	echo "## Consoles (tmux 200×50, 1 s refresh, no events)"
	echo
	echo "| console | CPU-s per 60 s | RSS MiB | CPU vs sitrep |"
	echo "|---|---|---|---|"
	for c in sitrep htop btop glances nmon atop; do
		printf '| %s | %s | %s | %s |\n' "$c" "$(stat "console.$c.cpu")" "$(stat "console.$c.rss")" \
			"$(ratio "console.$c.cpu" console.sitrep.cpu)"
	done
	echo
	echo "## Servers (\`$WRK\`, loopback)"
	echo
	echo "| server, route | req/s | p99 ms | peak RSS MiB after the load |"
	echo "|---|---|---|---|"
	for s in sitrep-metrics node-exporter-metrics nginx-metrics sitrep-overview netdata-data nginx-overview; do
		r=$s
		case $s in nginx-*) r=nginx ;; esac
		printf '| %s | %s | %s | %s |\n' "$s" "$(stat "http.$s.rps")" "$(stat "http.$s.p99")" "$(stat "http.$r.rss")"
	done
	echo
	echo "RSS before the load: sitrep serve (after ${SERVE_S} s of demo at 50 ev/s) $(stat serve.sitrep.rss) MiB,"
	echo "node-exporter $(stat serve.node-exporter.rss) MiB, netdata (main process; its plugins are separate) $(stat serve.netdata.rss) MiB."
	echo "nginx's RSS is its master and two workers together."
	echo
	echo "## Bulk input"
	echo
	echo "| work | tool | wall s | peak RSS MiB |"
	echo "|---|---|---|---|"
	printf '| %s | %s | %s | %s |\n' "$LINES-line combined log" sitrep "$(stat log.sitrep.wall)" "$(stat log.sitrep.rss)"
	printf '| %s | %s | %s | %s |\n' "$LINES-line combined log" GoAccess "$(stat log.goaccess.wall)" "$(stat log.goaccess.rss)"
	printf '| %s | %s | %s | %s |\n' "$LINES demo JSON lines" "baseline loop" "$(stat ingest.baseline.wall)" "$(stat ingest.baseline.rss)"
	printf '| %s | %s | %s | %s |\n' "$LINES demo JSON lines" "sitrep ingest" "$(stat ingest.sitrep.wall)" "$(stat ingest.sitrep.rss)"
	echo
	echo "The combined log is bench/combined_log.awk (a day of traffic, 200k client"
	echo "addresses, ~600 URLs, 7 user agents); the JSON lines are"
	echo "\`sitrep demo --fast --seed 1 --count $LINES\`."
	echo
	echo "## Versions and command lines"
	echo
	echo "| peer | Debian package version |"
	echo "|---|---|"
	for p in $PEERS; do
		printf '| %s | %s |\n' "$(cut -d: -f1 <<<"$p")" "$(ver "$(cut -d: -f2 <<<"$p")")"
	done
	echo
	echo "Every console ran as \`tmux new-session -x 200 -y 50\` with TERM=xterm-256color"
	echo "LANG=C.UTF-8; btop's config sets \`update_ms = 1000\` (its only refresh setting)."
	echo
	echo '```'
	sed -e 's/\t/: /' -e "s#$W/##g" -e "s#$ROOT/##g" "$W/cmds"
	echo '```'
} >"$OUT"
log "wrote $OUT (${ELAPSED} s)"
cat "$OUT"
