#!/usr/bin/env bash
# The LLM serving figures over HTTP: `sitrep serve` with a prom: source on
# tests/integration/llm_target.py (figures known by hand, see its header)
# gives them in /api/services .llm_serving, raises the preemptions
# insight (120/min >= crit 30), and the web page, run in headless
# Chromium, shows them in its LLM serving table; without an LLM server
# the list is empty and the table hidden.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
need chromium
here=$(dirname "$0")

tport=$(free_port)
python3 "$here/llm_target.py" "$tport" 2>"$T/target.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$tport/metrics"

port=$(free_port)
B="http://127.0.0.1:$port"
"$SITREP" serve --db :memory: --listen "127.0.0.1:$port" \
	--source "prom:http://127.0.0.1:$tport/metrics#every=1s" \
	</dev/null 2>"$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"
for _ in $(seq 100); do
	curl -s "$B/api/services" >"$T/s.json"
	[ "$(jq -r '.llm_serving[0].prompt_tps // empty' "$T/s.json")" != "" ] &&
		[ "$(jq -r '.llm_serving[0].e2e_p95_ms // empty' "$T/s.json")" != "" ] && break
	sleep 0.2
done
check models "$(jq -r '[.llm_serving[].model] | join(",")' "$T/s.json")" "org/model.v1,tiny"
m='.llm_serving[0]'
check running "$(jq -r "$m.running" "$T/s.json")" 7
check waiting "$(jq -r "$m.waiting" "$T/s.json")" 3
check_near kv_cache_pct "$(jq -r "$m.kv_cache_pct" "$T/s.json")" 42 1e-9
check_near ttft_p50_ms "$(jq -r "$m.ttft_p50_ms" "$T/s.json")" 100 1e-9
check_near ttft_p95_ms "$(jq -r "$m.ttft_p95_ms" "$T/s.json")" 235 1e-9
check_near e2e_p95_ms "$(jq -r "$m.e2e_p95_ms" "$T/s.json")" 4500 1e-9
check_near prompt_tps "$(jq -r "$m.prompt_tps" "$T/s.json")" 100 1e-9
check_near gen_tps "$(jq -r "$m.gen_tps" "$T/s.json")" 25 1e-9
check_near preempt_per_min "$(jq -r "$m.preempt_per_min" "$T/s.json")" 120 1e-9
check_near success_per_s "$(jq -r "$m.success_per_s" "$T/s.json")" 4 1e-9
check tiny_kv "$(jq -r '.llm_serving[1].kv_cache_pct' "$T/s.json")" 5

for _ in $(seq 50); do
	curl -s "$B/api/insights?state=all" >"$T/i.json"
	jq -e '.insights[] | select(.id | test("^preemptions:127_0_0_1:[0-9]+\\.org/model\\.v1$"))' "$T/i.json" >/dev/null && break
	sleep 0.2
done
check preemptions_insight "$(jq -r '.insights[] | select(.id | test("^preemptions:127_0_0_1:[0-9]+\\.org/model\\.v1$")) | .severity' "$T/i.json")" critical

# The page: the table as the console writes the figures.
page_dom "$B/" "$T/dom.html" || fail "the page needs chromium"
python3 - "$T/dom.html" <<'PY' || fail "page table"
import re, sys
d = open(sys.argv[1]).read()
sec = re.search(r'<section aria-labelledby="h-llm" id="llm"( hidden="")?>(.*?)</section>', d, re.S)
assert sec and not sec.group(1), "LLM section missing or hidden"
rows = {}
for tr in re.findall(r'<tr data-model="([^"]*)"[^>]*>(.*?)</tr>', sec.group(2), re.S):
    rows[tr[0]] = re.findall(r'<t[hd][^>]*>([^<]*)</t[hd]>', tr[1])
want = ["org/model.v1", "7", "3", "42.0%", "100 ms", "235 ms", "4.50 s", "100", "25", "120"]
assert rows.get("org/model.v1") == want, rows
print("ok page row:", " | ".join(want))
PY

# No LLM server: an empty list and a hidden table.
port2=$(free_port)
"$SITREP" serve --db :memory: --listen "127.0.0.1:$port2" </dev/null 2>"$T/serve2.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$port2/api/health"
check no_llm "$(curl -s "http://127.0.0.1:$port2/api/services" | jq -c .llm_serving)" "[]"
