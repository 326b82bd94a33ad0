#!/usr/bin/env bash
# /metrics never has two samples with the same name and labels, even past
# the endpoint cap: one service gets 700 distinct endpoints (more than the
# aggregator keeps: 200 in core/agg.h, 500 as [limits]
# endpoints_per_service), named by letters so no templating folds them,
# plus busy real endpoints literally named "other" and "/other".  The
# exposition is read by prom_unique.py (every sample's name and sorted
# label set, with the format's escapes: an explicit check, since promtool
# check metrics passes duplicates) and scraped by a real Prometheus
# (Debian's prometheus), which must keep as many series as it scraped
# samples, and whose log and duplicate-timestamp counter must show no
# duplicate sample.
source "$(dirname "$0")/lib.sh"
need prometheus promtool curl jq python3

# the busy endpoints, then 700 of one request each (python3)
python3 - >"$T/ev.jsonl" <<'PY'
import itertools, json
L = "ghijklmnopqrstuvwxyz"   # no hex digit: never a templated id
names = ["/k-" + "".join(t) for t in itertools.product(L, repeat=3)][:700]
for n, k in (("other", 60), ("/other", 50), ("/pay", 40)):
    for _ in range(k):
        print(json.dumps({"service": "shop", "endpoint": n, "status": 200, "latency_ms": 7}))
for n in names:
    print(json.dumps({"service": "shop", "endpoint": n, "status": 200, "latency_ms": 5}))
PY
N=$(wc -l <"$T/ev.jsonl")
check "events" "$N" 850

SP=$(free_port)
PP=$(free_port)
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$SP" --no-system <"$T/ev.jsonl" \
	2>"$T/serve.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$SP/api/health"
for _ in $(seq 150); do
	[ "$(curl -s "http://127.0.0.1:$SP/api/health" |
		jq -r '.sources[] | select(.kind == "stdin") | .events')" = "$N" ] && break
	sleep 0.1
done
for _ in $(seq 100); do # 503 until the first tick is published
	[ "$(curl -s -o "$T/metrics" -w '%{http_code}' "http://127.0.0.1:$SP/metrics")" = 200 ] &&
		grep -q 'endpoint="/pay"' "$T/metrics" && break
	sleep 0.1
done
grep -q 'endpoint="/pay"' "$T/metrics" || fail "no endpoint series: $(grep endpoint "$T/metrics" | head -20)"
BAD=
python3 "$ROOT/tests/integration/prom_unique.py" "$T/metrics" >"$T/unique" || BAD="$(cat "$T/unique")"
tail -n 1 "$T/unique"
promtool check metrics <"$T/metrics" >/dev/null 2>&1 && echo "ok promtool check metrics (it does not see duplicates)"

# A real Prometheus scrapes it every second; debug logging shows the
# duplicates it drops (the warning, and each sample at debug level).
cat >"$T/prom.yml" <<EOC
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sitrep
    static_configs:
      - targets: ['127.0.0.1:$SP']
EOC
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=debug 2>"$T/prom.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PP/-/ready"
# three scrapes of sitrep (bounded: 20 s)
for _ in $(seq 80); do
	n=$(curl -s "http://127.0.0.1:$PP/metrics" |
		awk '/^prometheus_target_interval_length_seconds_count\{interval="1s"\}/ { print $2 }')
	[ "${n:-0}" -ge 3 ] 2>/dev/null && break
	sleep 0.25
done
[ "${n:-0}" -ge 3 ] || fail "prometheus did not scrape sitrep 3 times: $(tail -3 "$T/prom.log")"
curl -s --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode 'query=up{job="sitrep"}' |
	jq -e '.data.result[0].value[1] == "1"' >/dev/null || fail "sitrep target is not up"
echo "ok prometheus scraped sitrep $n times"
# Prometheus keeps one series per name and label set, and drops a
# second sample of one silently within a scrape (2.42 does not even log
# it): the samples it scraped minus the series it holds (its own up and
# scrape_* series aside), in one instant query, is the count dropped.
DROPPED=$(curl -s --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode \
	'query=scalar(scrape_samples_scraped{job="sitrep"}) - scalar(count({job="sitrep",__name__!~"up|scrape_.+"}))' |
	jq -r '.data.result[1]')
DUPS=$(curl -s "http://127.0.0.1:$PP/metrics" |
	awk '/^prometheus_target_scrapes_sample_duplicate_timestamp_total / { print $2 }')
WARN=$(grep -ciE 'duplicate sample|same timestamp' "$T/prom.log" || true)
echo "prometheus: $DROPPED samples scraped but not kept as series," \
	"duplicate_timestamp_total=$DUPS, $WARN duplicate lines in its log"
[ -z "$BAD" ] || fail "/metrics has duplicate samples:
$BAD
Prometheus kept $DROPPED fewer series than the samples it scraped"
echo "ok no sample twice in /metrics"
check "samples prometheus scraped but did not keep" "$DROPPED" 0
check "prometheus duplicate_timestamp_total" "$DUPS" 0
check "duplicate warnings in prometheus' log" "$WARN" 0
