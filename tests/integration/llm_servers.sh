#!/usr/bin/env bash
# llm_servers: the same model on two servers.  Two fixture vLLM servers
# (tests/integration/llm_target.py, variants a and b, figures worked out
# by hand in its header) both serve "org/model.v1" with different
# figures; sitrep scrapes them as jobs gpu-a and gpu-b.  Each server
# keeps its own llm.<job>.<model>.* series (/api/metrics/series), its own
# llm_serving row in /api/services (server, model, key), its own labels
# on /metrics, its own preemptions insight whose title names the server,
# its own row on the web page (with a Server column) and in the
# console's LLM serving panel (with a SERVER column).
source "$(dirname "$0")/lib.sh"
use_utf8_locale
need python3 jq
here=$(dirname "$0")
tmux_open llmsrv

pa=$(free_port)
python3 "$here/llm_target.py" "$pa" a 2>"$T/a.log" &
PIDS+=($!)
pb=$(free_port)
python3 "$here/llm_target.py" "$pb" b 2>"$T/b.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$pa/metrics"
wait_http "http://127.0.0.1:$pb/metrics"
SRC_A="prom:http://127.0.0.1:$pa/metrics#job=gpu-a&every=1s"
SRC_B="prom:http://127.0.0.1:$pb/metrics#job=gpu-b&every=1s"

port=$(free_port)
B="http://127.0.0.1:$port"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$port" \
	--source "$SRC_A" --source "$SRC_B" </dev/null 2>"$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
# every figure of both rows there (the histograms need two scrapes)
row() { jq -c --arg s "$1" --arg m "$2" '.llm_serving[] | select(.server == $s and .model == $m)' "$T/s.json"; }
for _ in $(seq 100); do
	curl -s "$B/api/services" >"$T/s.json"
	[ "$(row gpu-a org/model.v1 | jq -r '.e2e_p95_ms // empty')" != "" ] &&
		[ "$(row gpu-b org/model.v1 | jq -r '.e2e_p95_ms // empty')" != "" ] &&
		[ "$(row gpu-b org/model.v1 | jq -r '.prompt_tps // empty')" != "" ] && break
	sleep 0.2
done
check rows "$(jq -r '[.llm_serving[] | .server + " " + .model] | join(",")' "$T/s.json")" \
	"gpu-a org/model.v1,gpu-b org/model.v1,gpu-a tiny"
check key "$(row gpu-b org/model.v1 | jq -r .key)" "gpu-b.org/model.v1"
# FIELD WANT_A WANT_B: each server's own figure (llm_target.py's header)
while read -r f a b; do
	check_near "gpu-a $f" "$(row gpu-a org/model.v1 | jq -r ".$f")" "$a" 1e-9
	check_near "gpu-b $f" "$(row gpu-b org/model.v1 | jq -r ".$f")" "$b" 1e-9
done <<'EOT'
running 7 12
waiting 3 5
kv_cache_pct 42 91
ttft_p50_ms 100 150
ttft_p95_ms 235 240
e2e_p95_ms 4500 2400
prompt_tps 100 300
gen_tps 25 60
preempt_per_min 120 60
success_per_s 4 6
EOT

# the series, addressed by server and model
for s in "gpu-a 7" "gpu-b 12"; do
	set -- $s
	for _ in $(seq 50); do
		curl -s --get "$B/api/metrics/series" \
			--data-urlencode "name=llm.$1.org/model.v1.running" >"$T/series"
		[ "$(jq -r '.points | length' "$T/series")" -gt 0 ] && break
		sleep 0.2
	done
	check "llm.$1.org/model.v1.running" "$(jq -r '.points[-1][3]' "$T/series")" "$2"
done
# /metrics: a server and a model label, one line each
curl -s "$B/metrics" >"$T/m"
check "/metrics gpu-a" "$(awk '$1 == "sitrep_llm_running{server=\"gpu-a\",model=\"org/model.v1\"}" { print $2 }' "$T/m")" 7
check "/metrics gpu-b" "$(awk '$1 == "sitrep_llm_running{server=\"gpu-b\",model=\"org/model.v1\"}" { print $2 }' "$T/m")" 12
if command -v promtool >/dev/null; then
	promtool check metrics <"$T/m" >/dev/null 2>"$T/pt" || { head "$T/pt"; fail "promtool rejects /metrics"; }
fi

# one preemptions insight per server (120/min and 60/min >= crit 30),
# the title naming the server
for _ in $(seq 50); do
	curl -s "$B/api/insights?state=all" >"$T/i.json"
	[ "$(jq '[.insights[] | select(.id | startswith("preemptions:"))] | length' "$T/i.json")" = 2 ] && break
	sleep 0.2
done
for s in "gpu-a 120.0" "gpu-b 60.0"; do
	set -- $s
	check "insight $1" "$(jq -r --arg id "preemptions:$1.org/model.v1" '.insights[] | select(.id == $id) | .severity + " " + .title' "$T/i.json")" \
		"critical org/model.v1 on $1: $2 preemptions/min"
done

# the web page: one row per server, a Server column
if page_dom "$B/" "$T/dom.html"; then
	python3 - "$T/dom.html" <<'PY' || fail "page table"
import re, sys
d = open(sys.argv[1]).read()
sec = re.search(r'<section aria-labelledby="h-llm" id="llm"( hidden="")?>(.*?)</section>', d, re.S)
assert sec and not sec.group(1), "LLM section missing or hidden"
head = re.search(r'<thead>(.*?)</thead>', sec.group(2), re.S).group(1)
assert re.search(r'<th scope="col" id="llmserver">Server</th>', head), head
rows = {}
for tr in re.findall(r'<tr data-model="([^"]*)" data-server="([^"]*)"[^>]*>(.*?)</tr>', sec.group(2), re.S):
    rows[(tr[0], tr[1])] = re.findall(r'<t[hd][^>]*>([^<]*)</t[hd]>', tr[2])
want = {"gpu-a": ["org/model.v1", "gpu-a", "7", "3", "42.0%", "100 ms", "235 ms", "4.50 s", "100", "25", "120"],
        "gpu-b": ["org/model.v1", "gpu-b", "12", "5", "91.0%", "150 ms", "240 ms", "2.40 s", "300", "60", "60"]}
for s, w in want.items():
    assert rows.get(("org/model.v1", s)) == w, (s, rows)
    print("ok page row:", " | ".join(w))
PY
fi

# the console: a SERVER column, one row per server
tm new-session -d -s c -x 150 -y 40 \
	"'$SITREP' --db :memory: --no-mouse --source '$SRC_A' --source '$SRC_B'; sleep 30"
# MODEL SERVER RUN WAIT KV% TTFT50 TTFT95 E2E95 PROMPT/S GEN/S PRE/MIN
tm_wait_re c '^  MODEL +SERVER +RUN +WAIT +KV% +TTFT50 +TTFT95 +E2E95 +PROMPT/S +GEN/S +PRE/MIN *$'
tm_wait_re c '^  org/model\.v1 +gpu-a +7 +3 +42\.0% +100 ms +235 ms +4\.50 s +100 +25 +120 *$'
tm_wait_re c '^  org/model\.v1 +gpu-b +12 +5 +91\.0% +150 ms +240 ms +2\.40 s +300 +60 +60 *$'
tm_wait_re c '^  tiny +gpu-a +1 +0 +5\.0% '
tm_wait c "LLM serving  3 models on 2 servers"
echo "ok console: a row per server, each with its own figures"
