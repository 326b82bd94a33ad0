#!/usr/bin/env bash
# fleet_configs: doc/fleet/prometheus.yml is a configuration Prometheus
# accepts (`promtool check config`), and with its targets pointed at two
# real `sitrep serve` nodes that need a token, Prometheus scrapes both
# (up == 1 through its HTTP API).  The Collector and Grafana files are
# not checked: neither program is in Debian (they say so).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v promtool >/dev/null || skip "promtool not installed (Debian: prometheus)"
command -v prometheus >/dev/null || skip "prometheus not installed"
CONF="$ROOT/doc/fleet/prometheus.yml"

# as shipped, with the token file it names beside it
cp "$CONF" "$T/prometheus.yml"
echo "fleet-token-1" >"$T/sitrep.token"
promtool check config "$T/prometheus.yml" >"$T/check" 2>&1 ||
	fail "promtool: $(cat "$T/check")"
echo "ok promtool check config"
# the check can fail: a broken copy is refused
sed 's/job_name: sitrep/job_nme: sitrep/' "$CONF" >"$T/bad.yml"
cp "$T/sitrep.token" "$T/bad.token"
if promtool check config "$T/bad.yml" >/dev/null 2>&1; then
	fail "promtool accepted a broken config"
fi
grep -q UNTESTED "$ROOT/doc/fleet/otel-collector.yaml" || fail "collector config not marked"
grep -q UNTESTED "$ROOT/doc/fleet/grafana-datasources.yaml" || fail "grafana file not marked"

# two nodes with a token, scraped by a real Prometheus with this config
A=$(free_port)
B=$(free_port)
M=$(free_port)
for p in "$A" "$B"; do
	"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$p" \
		--token-file "$T/sitrep.token" 2>>"$T/serve.log" &
	PIDS+=("$!")
	wait_http "http://127.0.0.1:$p/api/health"
done
# the node refuses /metrics without the token Prometheus will send
check "no token" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A/metrics")" 401
# targets, intervals and the self-scrape's port changed; the rest as shipped
python3 - "$T/prometheus.yml" "$A" "$B" "$M" <<'PY'
import re, sys
path, a, b, m = sys.argv[1:]
s = open(path).read()
s = re.sub(r'\["web1:8081", "web2:8081"\]', '["127.0.0.1:%s"]' % a, s)
s = re.sub(r'\["gpu1:8081", "gpu2:8081", "gpu3:8081"\]', '["127.0.0.1:%s"]' % b, s)
s = s.replace("localhost:9090", "127.0.0.1:" + m)
s = s.replace("scrape_interval: 15s", "scrape_interval: 1s")
s = s.replace("scrape_timeout: 10s", "scrape_timeout: 1s")
open(path, "w").write(s)
PY
promtool check config "$T/prometheus.yml" >/dev/null 2>&1 || fail "edited copy refused"
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$M" >"$T/prom.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$M/-/ready"
q() { curl -s "http://127.0.0.1:$M/api/v1/query" --data-urlencode "query=$1"; }
both_up() {
	[ "$(q 'sum(up{job="sitrep"})' | jq -r '.data.result[0].value[1] // 0')" = 2 ]
}
for _ in $(seq 200); do both_up && break; sleep 0.1; done
both_up || fail "Prometheus does not see both nodes up: $(q 'up' | jq -c .data.result)"
echo "ok both nodes up"
# their series arrive with the config's labels
check "roles" "$(q 'count by (role) (sitrep_store_state{job="sitrep"})' | jq -r '[.data.result[].metric.role] | sort | join(",")')" "inference,web"
echo "ok fleet_configs"
