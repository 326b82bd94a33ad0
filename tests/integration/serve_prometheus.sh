#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scrapes sitrep's /metrics
# on loopback: the query API returns sitrep's series with the expected
# labels, and promtool accepts the exposition.  Skips (77) without it.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || skip "prometheus not installed"
command -v promtool >/dev/null || skip "promtool not installed"

SP=$(free_port); PP=$(free_port)
"$SITREP" demo --fast --seed 1 --count 2000 > "$T/ev.jsonl"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$SP" < "$T/ev.jsonl" 2>"$T/serve.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$SP/api/health"
for _ in $(seq 100); do	# 503 until the first tick is published
	[ "$(curl -s -o "$T/metrics" -w '%{http_code}' "http://127.0.0.1:$SP/metrics")" = 200 ] && break
	sleep 0.1
done
promtool check metrics < "$T/metrics" || fail "promtool rejects the exposition"
echo "ok promtool check metrics"
python3 "$ROOT/tests/integration/prom_unique.py" "$T/metrics" || fail "a sample twice"
echo "ok no sample twice (prom_unique.py)"

cat > "$T/prom.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sitrep
    static_configs:
      - targets: ['127.0.0.1:$SP']
EOC
promtool check config "$T/prom.yml" >/dev/null || fail "prometheus config"
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=warn 2>"$T/prom.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PP/-/ready"

# query EXPR: the result vector, polled until non-empty (bounded: 20 s)
query() {
	for _ in $(seq 80); do
		curl -s --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" > "$T/q"
		jq -e '.status == "success" and (.data.result | length > 0)' "$T/q" >/dev/null && return 0
		sleep 0.25
	done
	cat "$T/q"; tail -5 "$T/prom.log"; fail "no result for $1"
}
query 'up{job="sitrep"} == 1'
echo "ok prometheus scrapes sitrep"
query 'sitrep_events_ingested_total'
v=$(jq -r '.data.result[0].value[1]' "$T/q")
awk -v v="$v" 'BEGIN { exit !(v >= 2000) }' || fail "ingested $v < 2000"
echo "ok sitrep_events_ingested_total = $v"
# Labels: service/quantile on the latency summary, core on CPU, status class.
SVC=$(jq -r 'select(.service) | .service' "$T/ev.jsonl" | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
query "sitrep_service_latency_seconds{service=\"$SVC\",quantile=\"0.95\"}"
echo "ok latency summary for $SVC"
query 'sitrep_service_responses_ratio{status_class="5xx"}'
echo "ok status_class label"
query 'sitrep_cpu_busy_ratio{core!=""}'
echo "ok per-core CPU with the core label"
query 'sitrep_process_resident_memory_bytes > 0'
echo "ok own process metrics"
query 'sitrep_mem_used_ratio >= 0 and sitrep_mem_used_ratio <= 1'
echo "ok ratios in 0..1"
