#!/usr/bin/env bash
# source_prom: prom: sources against real targets.  A real Prometheus and
# sitrep scrape the same changing histogram (prom_target.py, each sample
# timestamped), and sitrep's 1 m and 5 m quantiles (llm.* and the raw
# prom.* ones) and token rate match
# what Prometheus computes over its HTTP API at the same end time; the
# vLLM, TGI, SGLang and llama.cpp fixtures give the llm.<job>.* values
# prom_expect.py computes from the text; a real node-exporter and
# Prometheus's own /metrics are read; bad targets (down, slow, JSON,
# oversize, too many series) show in /api/health and cost nothing else.
source "$(dirname "$0")/lib.sh"
for c in prometheus promtool prometheus-node-exporter python3 sqlite3 jq; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
tmux_open prom
FIX="$ROOT/tests/fixtures/prom"
# a bad spec is a usage error naming the problem
for bad in 'prom:ftp://127.0.0.1/metrics' 'prom:http://127.0.0.1/m#series=0' \
	'prom:http://127.0.0.1/m#since=1'; do
	rc=0; "$SITREP" ingest --db "$T/bad.db" --source "$bad" 2>"$T/bad.err" || rc=$?
	check "exit status for '$bad'" "$rc" 2
	grep -q "source 'prom:" "$T/bad.err" || { cat "$T/bad.err"; fail "no message for '$bad'"; }
done
XP=$(free_port); NP=$(free_port); PP=$(free_port); SP=$(free_port)
DOWN=$(free_port)

python3 "$ROOT/tests/integration/prom_target.py" "$XP" "$FIX" "$T/info" \
	2>"$T/target.log" &
PIDS+=($!)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NP" \
	--collector.disable-defaults --collector.cpu --collector.meminfo \
	--collector.loadavg --collector.filesystem 2>"$T/ne.log" &
PIDS+=($!)
cat > "$T/prom.yml" <<EOC
global:
  scrape_interval: 250ms
scrape_configs:
  - job_name: cmp
    metrics_path: /hist/b
    static_configs:
      - targets: ['127.0.0.1:$XP']
EOC
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=warn 2>"$T/prom.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PP/-/ready"
wait_http "http://127.0.0.1:$NP/metrics"
for _ in $(seq 100); do [ -s "$T/info" ] && break; sleep 0.1; done
read -r BASE HBASE K < "$T/info"

# [limits] prom_series caps the series of the 100000-series target
cat > "$T/sitrep.conf" <<EOC
[limits]
prom_series = 500
[source many]
spec = prom:http://127.0.0.1:$XP/many#job=many&every=1s
EOC
U="http://127.0.0.1:$XP"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$SP" --config "$T/sitrep.conf" \
	--source "prom:$U/hist/a#job=cmp&every=250ms" \
	--source "prom:$U/known/vllm#job=vllm&every=300ms" \
	--source "prom:$U/known/tgi#job=tgi&every=300ms" \
	--source "prom:$U/known/sglang#job=sglang&every=300ms" \
	--source "prom:$U/known/llamacpp#job=llamacpp&every=300ms" \
	--source "prom:http://127.0.0.1:$NP/metrics#job=node&every=1s" \
	--source "prom:http://127.0.0.1:$PP/metrics#job=prometheus&every=1s" \
	--source "prom:http://127.0.0.1:$DOWN/metrics#job=down&every=1s" \
	--source "prom:$U/json#job=json&every=1s" \
	--source "prom:$U/big#job=big&every=1s" \
	--source "prom:$U/slow#job=slow&every=1s&timeout=1s" \
	2>"$T/serve.log" &
SPID=$!
PIDS+=($SPID)
wait_http "http://127.0.0.1:$SP/api/health"

# the newest value of a sample, or of a sample at time TS
val() { sqlite3 "$T/db" "SELECT value FROM samples WHERE name='$1'${2:+ AND ts=$2} ORDER BY ts DESC LIMIT 1"; }
# wait_val NAME [TS]: poll until stored (bounded: 40 s)
wait_val() {
	for _ in $(seq 400); do
		[ -n "$(val "$1" "${2:-}" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	fail "no sample $1${2:+ at $2}"
}
src() { curl -s "http://127.0.0.1:$SP/api/health" | jq -c --arg j "$1" \
	'.sources[] | select(.name | test("job=" + $j + "(&|$)"))'; }

# start the changing histogram once both have read its first state
wait_val prom.cmp.up
for _ in $(seq 200); do
	curl -s --get "http://127.0.0.1:$PP/api/v1/query" \
		--data-urlencode 'query=count_over_time(vllm:prompt_tokens_total[10m])' |
		jq -e '.data.result | length > 0' >/dev/null && break
	sleep 0.1
done
curl -sf "$U/start" >/dev/null || fail "cannot start the target's clock"

# --- known servers: every llm.* value against prom_expect.py ---
for s in vllm:meta-llama/Llama-3.1-8B-Instruct tgi:tgi \
	sglang:Qwen/Qwen2.5-7B-Instruct llamacpp:llamacpp; do
	server=${s%%:*} model=${s#*:}
	python3 "$ROOT/tests/integration/prom_expect.py" "$FIX" "$server" \
		"$model" | sed "s|^llm\\.|llm.$server.|" > "$T/expect.$server"
	[ -s "$T/expect.$server" ] || fail "no expected values for $server"
	while read -r name want; do
		wait_val "$name" "$((BASE + 10000))"
		check_near "$server $name" "$(val "$name" "$((BASE + 10000))")" \
			"$want" 1e-9
	done < "$T/expect.$server"
done
# the raw series too, labels sorted, a counter as its rate: (118+14+1 -
# 90-10-0)/10 = 3.3 for stop+length+abort; stop alone: 28/10
check_near "raw counter rate" "$(val 'prom.vllm.vllm:request_success_total{engine="0",finished_reason="stop",model_name="meta-llama/Llama-3.1-8B-Instruct"}')" 2.8 1e-9
curl -s --get "http://127.0.0.1:$SP/api/metrics/series" \
	--data-urlencode 'name=llm.vllm.meta-llama/Llama-3.1-8B-Instruct.kv_cache_pct' > "$T/series"
check "kv_cache_pct through /api/metrics/series" \
	"$(jq -r '.points[-1][3]' "$T/series")" 93.5

# --- bad targets, each with its own status; the rest go on ---
wait_down() {	# JOB PATTERN
	for _ in $(seq 200); do
		src "$1" | jq -e --arg p "$2" '.state == "retrying" and
			(.last_error | test($p))' >/dev/null && { echo "ok $1: $(src "$1" | jq -r .last_error)"; return 0; }
		sleep 0.1
	done
	src "$1"; fail "$1 does not say $2"
}
wait_down down 'cannot fetch'
wait_down json "is 'application/json', not Prometheus text"
wait_down big 'larger than 8 MiB'
wait_down slow 'cannot fetch.*(timed out|Timeout)'
check_near "up of a target that is down" "$(val prom.down.up)" 0 0
wait_val prom.many.up
for _ in $(seq 100); do
	[ "$(src many | jq -r .series_dropped)" -gt 0 ] 2>/dev/null && break
	sleep 0.1
done
check "series kept under [limits] prom_series" "$(src many | jq -r .series)" 500
# 100000 series: 50000 samples read (SR_PROM_SAMPLES_MIN), 500 kept
check "series over the cap dropped in a scrape" "$(src many | jq -r .series_dropped)" 49500
check "the rest not read, and said so" "$(src many | jq -r '.state + " " + (.last_error | test("more than 50000 samples") | tostring)')" "ok true"
check "series stored for the capped target" \
	"$(sqlite3 "$T/db" "SELECT COUNT(DISTINCT name) FROM samples WHERE name LIKE 'prom.many.m{%'")" 500

# sitrep's own /metrics stays a valid exposition: the llm.* samples are
# there, the scraped targets' raw series are not exported again
curl -s "http://127.0.0.1:$SP/metrics" > "$T/own"
promtool check metrics < "$T/own" >/dev/null 2>"$T/own.err" || { cat "$T/own.err" | head; fail "promtool rejects sitrep's /metrics"; }
check "llm.* on sitrep's /metrics" \
	"$(awk '$1 == "sitrep_llm_running{server=\"vllm\",model=\"meta-llama/Llama-3.1-8B-Instruct\"}" { print $2 }' "$T/own")" 6
check "no raw prom.* series on sitrep's /metrics" "$(grep -c '^sitrep_prom_' "$T/own")" 0

# --- the console's header says the same ---
tm new-session -d -s c -x 250 -y 30 \
	"'$SITREP' --db '$T/tui.db' --no-mouse --source 'prom:$U/json#job=j2'; sleep 30"
tm new-session -d -s d -x 250 -y 30 \
	"'$SITREP' --db '$T/tui2.db' --no-mouse --source 'prom:$U/many#job=m2&series=100'; sleep 30"
tm_wait c "is 'application/json', not Prometheus text"
tm_wait d "100 series (over the cap of 100: 49900 dropped) (answer from"

# --- node-exporter and Prometheus's own /metrics ---
wait_val host.node.cpu
curl -s "http://127.0.0.1:$NP/metrics" > "$T/ne"
want=$(awk '$1 == "node_memory_MemTotal_bytes" { printf "%.0f", $2 }' "$T/ne")
check_near "node MemTotal" "$(val prom.node.node_memory_MemTotal_bytes)" "$want" 1e-12
for k in mem load fs; do wait_val "host.node.$k"; done
awk -v c="$(val host.node.cpu)" -v m="$(val host.node.mem)" -v f="$(val host.node.fs)" \
	'BEGIN { exit !(c >= 0 && c <= 100 && m > 0 && m < 100 && f >= 0 && f <= 100) }' ||
	fail "host tiles out of range"
echo "ok host.node.cpu, mem, load, fs"
wait_val 'prom.prometheus.prometheus_http_requests_total{code="200",handler="/metrics"}'
wait_val 'prom.prometheus.prometheus_http_request_duration_seconds.p99{handler="/metrics"}'
echo "ok Prometheus's own histograms read"

# --- the same histogram through Prometheus and sitrep ---
T_END=$((HBASE + K * 13000))
wait_val llm.cmp.cmp.ttft_p95_5m_ms "$T_END"
TQ=$(awk -v t="$T_END" 'BEGIN { printf "%.3f", t / 1000 }')
pq() {	# EXPR: Prometheus's value at the end time
	curl -s --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" \
		--data-urlencode "time=$TQ" > "$T/q"
	jq -r '.data.result[0].value[1] // empty' "$T/q"
}
H='vllm:time_to_first_token_seconds_bucket'
# and the raw histogram's quantiles, both windows (p50_5m ... as the llm.*
# fields name their 5 m forms), stored and served by /api/metrics/series
R='prom.cmp.vllm:time_to_first_token_seconds'
L='{model_name="cmp"}'
while read -r name q w scale; do	# SERIES QUANTILE WINDOW SCALE
	wait_val "$name" "$T_END"
	want=$(pq "$scale * histogram_quantile($q, increase($H[$w]))")
	[ -n "$want" ] || { cat "$T/q"; fail "no Prometheus value for $name"; }
	got=$(val "$name" "$T_END")
	echo "compare $name: sitrep $got, Prometheus $want"
	check_near "$name against Prometheus" "$got" "$want" 0.01
done <<EOC
llm.cmp.cmp.ttft_p50_ms 0.5 1m 1000
llm.cmp.cmp.ttft_p95_ms 0.95 1m 1000
llm.cmp.cmp.ttft_p95_5m_ms 0.95 5m 1000
$R.p50$L 0.5 1m 1
$R.p95$L 0.95 1m 1
$R.p99$L 0.99 1m 1
$R.p50_5m$L 0.5 5m 1
$R.p95_5m$L 0.95 5m 1
$R.p99_5m$L 0.99 5m 1
EOC
n="$R.p95_5m$L"
curl -s --get "http://127.0.0.1:$SP/api/metrics/series" --data-urlencode "name=$n" \
	--data-urlencode "from=$((T_END / 1000 - 1))" --data-urlencode "to=$((T_END / 1000 + 2))" \
	--data-urlencode step=1s > "$T/series5"
check_near "$n through /api/metrics/series" \
	"$(jq -r '.points[-1][2]' "$T/series5")" "$(val "$n" "$T_END")" 1e-9
want=$(pq 'increase(vllm:prompt_tokens_total[1m]) / 60')
got=$(val llm.cmp.cmp.prompt_tps "$T_END")
echo "compare prompt_tps: sitrep $got, Prometheus increase()/60 $want"
check_near "llm.cmp.cmp.prompt_tps against Prometheus" "$got" "$want" 0.01
want=$(pq 'irate(vllm:prompt_tokens_total[1m])')
check_near "llm.cmp.cmp.prompt_tps against irate()" "$got" "$want" 1e-9

kill -0 "$SPID" || fail "sitrep serve died"
echo "ok serve still up"
