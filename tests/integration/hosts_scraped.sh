#!/usr/bin/env bash
# hosts_scraped: a node-exporter a prom: source scrapes is a host row.  A
# real prometheus-node-exporter reads a fixture /proc (--path.procfs)
# whose /proc/stat a loop advances by 100 user and 300 idle jiffies at a
# time, so every pair of scrapes sees 25 % busy; memory and load are the
# fixture's, the root filesystem a 1 MiB tmpfs a quarter full
# (--path.rootfs).  Every expected figure is computed with awk from
# node-exporter's own /metrics: CPU from two readings, the rest from one.  `sitrep serve` gives the row in
# /api/metrics/overview .hosts (scrape up, its job, CPU, memory, load,
# fs; merged with the events POSTed with that host: one row; this
# machine a row beside it), the web page shows it in its Hosts table, the
# console's Hosts panel shows it (with the same events on stdin); once
# node-exporter is killed the scrape says down (DOWN in the console).
source "$(dirname "$0")/lib.sh"
use_utf8_locale
need prometheus-node-exporter python3 jq curl
tmux_open hosts

P="$T/proc"
mkdir -p "$P/1"
cat >"$P/meminfo" <<'EOT'
MemTotal:        8000000 kB
MemFree:         1000000 kB
MemAvailable:    2000000 kB
Buffers:          100000 kB
Cached:          1000000 kB
EOT
echo "1.25 0.75 0.50 2/300 12345" >"$P/loadavg"
echo "/dev/root / ext4 rw,relatime 0 0" >"$P/1/mounts"
cp "$P/1/mounts" "$P/mounts"
# node-exporter's "/" is a 1 MiB tmpfs holding 256 KiB (--path.rootfs), so
# its use holds still while the test reads it
R="$T/rootfs"
mkdir -p "$R"
mount -t tmpfs -o size=1m tmpfs "$R" || skip "cannot mount a tmpfs (not root?)"
trap 'umount -l "$R" 2>/dev/null || true; tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup' EXIT
head -c 262144 /dev/zero >"$R/fill"
# stat_at K: /proc/stat after K steps (user 1000+100K, idle 8000+300K)
stat_at() {
	local u=$((1000 + 100 * $1)) i=$((8000 + 300 * $1))
	printf 'cpu  %d 0 500 %d 500 0 0 0 0 0\ncpu0 %d 0 500 %d 500 0 0 0 0 0\n' "$u" "$i" "$u" "$i"
	printf 'intr 0\nctxt 100\nbtime 1700000000\nprocesses 10\nprocs_running 1\nprocs_blocked 0\n'
}
stat_at 0 >"$P/stat"
(k=0; while :; do k=$((k + 1)); stat_at "$k" >"$P/stat.new"; mv "$P/stat.new" "$P/stat"; sleep 0.3; done) &
PIDS+=($!)
NP=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NP" --path.procfs="$P" \
	--path.rootfs="$R" \
	--collector.disable-defaults --collector.cpu --collector.meminfo \
	--collector.loadavg --collector.filesystem 2>"$T/ne.log" &
NEPID=$!
PIDS+=($NEPID)
wait_http "http://127.0.0.1:$NP/metrics"
SRC="prom:http://127.0.0.1:$NP/metrics#job=web1&every=1s"

# the expected figures, from node-exporter's own /metrics
ne() { curl -s "http://127.0.0.1:$NP/metrics"; }
ne >"$T/ne1"; sleep 0.7; ne >"$T/ne2"
cpu_of() { awk '$1 ~ /^node_cpu_seconds_total\{/ { all += $2; if ($1 ~ /mode="(idle|iowait)"/) idle += $2 } END { printf "%.10g %.10g\n", all, idle }' "$1"; }
read -r A1 I1 < <(cpu_of "$T/ne1")
read -r A2 I2 < <(cpu_of "$T/ne2")
CPU=$(awk -v a1="$A1" -v i1="$I1" -v a2="$A2" -v i2="$I2" 'BEGIN { printf "%.1f", 100 * (1 - (i2 - i1) / (a2 - a1)) }')
MEM=$(awk '$1 == "node_memory_MemTotal_bytes" { t = $2 } $1 == "node_memory_MemAvailable_bytes" { a = $2 } END { printf "%.1f", 100 * (1 - a / t) }' "$T/ne1")
LOAD=$(awk '$1 == "node_load1" { printf "%.2f", $2 }' "$T/ne1")
FS=$(awk '$1 ~ /^node_filesystem_size_bytes\{.*mountpoint="\/"/ { s = $2 } $1 ~ /^node_filesystem_avail_bytes\{.*mountpoint="\/"/ { a = $2 } END { printf "%.10g", 100 * (1 - a / s) }' "$T/ne1")
FS1=$(printf '%.1f' "$FS") # as the console and the page write it
echo "expected from node-exporter: cpu $CPU% mem $MEM% load $LOAD fs $FS%"
[ "$CPU" = 25.0 ] || fail "the fixture's CPU is $CPU%, not 25.0%"

# --- serve: the JSON and the page ---
SP=$(free_port)
B="http://127.0.0.1:$SP"
"$SITREP" serve --db :memory: --listen "127.0.0.1:$SP" --accept-events \
	--source "$SRC" </dev/null 2>"$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
now=$(( $(date +%s) * 1000 ))
for i in $(seq 20); do
	printf '{"ts":%d,"host":"web1","service":"api","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 100))
done >"$T/ev.jsonl"
jq -s . "$T/ev.jsonl" >"$T/ev.json"
curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$T/ev.json" "$B/api/events" ||
	fail "POST of the events refused"
host() { jq -c '.hosts[] | select(.name == "web1")' "$T/o.json"; }
for _ in $(seq 100); do
	curl -s "$B/api/metrics/overview" >"$T/o.json"
	[ "$(host | jq -r '.cpu_pct // empty')" != "" ] && [ "$(host | jq -r .events)" = 20 ] && break
	sleep 0.2
done
check "web1 rows" "$(jq '[.hosts[] | select(.name == "web1")] | length' "$T/o.json")" 1
check "web1 scrape" "$(host | jq -c '[.scrape.job, .scrape.state, .local, .events]')" '["web1","up",false,20]'
check_near "web1 cpu_pct" "$(host | jq -r .cpu_pct)" "$CPU" 1e-9
check_near "web1 mem_pct" "$(host | jq -r .mem_pct)" "$MEM" 1e-9
check_near "web1 load1" "$(host | jq -r .load1)" "$LOAD" 1e-9
check_near "web1 fs_pct" "$(host | jq -r .fs_pct)" "$FS" 1e-9
age=$(host | jq -r .scrape.age_s)
[ "$age" -ge 0 ] && [ "$age" -le 10 ] || fail "scrape age $age s"
H=$(hostname)
check "this machine a row" "$(jq -c --arg h "$H" '[.hosts[] | select(.name == $h) | .local]' "$T/o.json")" '[true]'

if page_dom "$B/" "$T/dom.html"; then
	python3 - "$T/dom.html" "$CPU" "$MEM" "$LOAD" "$FS1" <<'PY' || fail "page Hosts table"
import re, sys
d = open(sys.argv[1]).read()
sec = re.search(r'<section aria-labelledby="h-hosts" id="hostsec"( hidden="")?>(.*?)</section>', d, re.S)
assert sec and not sec.group(1), "Hosts section missing or hidden"
row = re.search(r'<tr data-host="web1"[^>]*>(.*?)</tr>', sec.group(2), re.S)
assert row, sec.group(2)
cells = re.findall(r'<t[hd][^>]*>([^<]*)</t[hd]>', row.group(1))
assert cells[0] == "web1" and re.match(r"up \d+s ago$", cells[1]), cells
assert cells[2:6] == [sys.argv[2] + "%", sys.argv[3] + "%", sys.argv[4], sys.argv[5] + "%"], cells
assert cells[9] == "20", cells
print("ok page row:", " | ".join(cells))
PY
fi

# --- the console ---
tm new-session -d -s c -x 120 -y 45 \
	"'$SITREP' --db :memory: --no-mouse --source - --source '$SRC' <'$T/ev.jsonl'; sleep 60"
tm_wait_re c '^ *Hosts '
tm_wait_re c '^  HOST +SCRAPE +CPU +MEM +LOAD +FS +EV/S +5XX% +P95 +EVENTS *$'
row_re="^  web1 +up [0-9]+s +${CPU//./\\.}% +${MEM//./\\.}% +${LOAD//./\\.} +${FS1//./\\.}% +[0-9.]+ +0\\.0% +10 ms +20 *\$"
tm_wait_re c "$row_re"
tm_wait_re c "^  ${H//./\\.} +local +[0-9.]+% +[0-9.]+% +[0-9.]+ "
check "web1 rows on screen" "$(tm capture-pane -p -t c | grep -c '^  web1 ')" 1
echo "ok console: web1 up, cpu $CPU% mem $MEM% load $LOAD fs $FS1%, 20 events, one row; $H local"

# node-exporter goes away: the scrape says so
kill "$NEPID"
wait "$NEPID" 2>/dev/null || true
tm_wait_re c '^  web1 +DOWN [0-9]+s '
for _ in $(seq 100); do
	curl -s "$B/api/metrics/overview" >"$T/o.json"
	[ "$(host | jq -r .scrape.state)" = down ] && break
	sleep 0.2
done
check "web1 scrape after the kill" "$(host | jq -r .scrape.state)" down
