#!/usr/bin/env bash
# The LLM serving panel in tmux at 140x40.
# 1. No scraped LLM server: no panel.
#    (At 80 columns the row drops PROMPT/S and keeps the rest.)
# 2. A prom: source on tests/integration/llm_target.py (figures known by
#    hand, see its header): each model's row shows exactly running,
#    waiting, KV %, TTFT p50 / p95, e2e p95, tokens/s and preemptions,
#    the `?` overlay lists the panel's key, and the preemptions rule
#    (120/min >= crit 30) raises a pending insight naming model and server.
# 3. End to end: `sitrep demo --llm-metrics ADDR | sitrep --source -
#    --source prom:http://ADDR/metrics#every=1s` lights the panel with the
#    demo's four chat models, and Enter filters the event log to the
#    selected model.
source "$(dirname "$0")/lib.sh"
use_utf8_locale
command -v python3 >/dev/null || skip "python3 not installed"
tmux_open tuillm
here=$(dirname "$0")
screen() { tm capture-pane -p -t "$1"; }

# 1. events only: the panel stays hidden
now=$(( $(date +%s) * 1000 ))
for i in $(seq 20); do
	printf '{"ts":%d,"service":"api","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - i * 100))
done >"$T/ev.jsonl"
tm new-session -d -s plain -x 140 -y 40 \
	"'$SITREP' --db :memory: --no-mouse <'$T/ev.jsonl'; sleep 30"
tm_wait plain "stdin ENDED"
screen plain | grep -q "LLM serving" && fail "panel shown without an LLM server"
echo "ok no LLM server: no panel"

# 2. the known target
port=$(free_port)
python3 "$here/llm_target.py" "$port" 2>"$T/target.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$port/metrics"
tm new-session -d -s known -x 140 -y 40 \
	"'$SITREP' --db :memory: --no-mouse --source 'prom:http://127.0.0.1:$port/metrics#every=1s'; sleep 30"
# MODEL RUN WAIT KV% TTFT50 TTFT95 E2E95 PROMPT/S GEN/S PRE/MIN
row1='^  org/model\.v1 +7 +3 +42\.0% +100 ms +235 ms +4\.50 s +100 +25 +120 *$'
row2='^  tiny +1 +0 +5\.0% +100 ms +235 ms +4\.50 s +100 +25 +120 *$'
tm_wait_re known "$row1"
tm_wait_re known "$row2"
grep -q "LLM serving  2 models" <<<"$(screen known)" || fail "title: $(screen known | grep 'LLM serving')"
echo "ok rows: org/model.v1 7 3 42.0% 100 ms 235 ms 4.50 s 100 25 120; tiny 1 0 5.0% ..."
tm_wait known "pending org/model.v1 on"
echo "ok preemptions insight for org/model.v1 (on its server)"
tm send-keys -t known '?'
tm_wait known "LLM serving: the event log of that model"
echo "ok help lists the panel's key"
tm send-keys -t known q
# 80 columns: prompt tokens/s goes first, the rest stays
tm new-session -d -s narrow -x 80 -y 40 \
	"'$SITREP' --db :memory: --no-mouse --source 'prom:http://127.0.0.1:$port/metrics#every=1s'; sleep 30"
tm_wait_re narrow '^  org/model\.v1 +7 +3 +42\.0% +100 ms +235 ms +4\.50 s +25 +120 *$'
tm_wait_re narrow '^  MODEL +RUN +WAIT +KV% +TTFT50 +TTFT95 +E2E95 +GEN/S +PRE/MIN *$'
echo "ok 80 columns: every figure but prompt tokens/s"
tm send-keys -t narrow q

# 3. the demo, end to end
dport=$(free_port)
tm new-session -d -s demo -x 140 -y 40 \
	"'$SITREP' demo --seed 5 --llm-metrics 127.0.0.1:$dport 2>'$T/demo.log' | '$SITREP' --db :memory: --no-mouse --source - --source 'prom:http://127.0.0.1:$dport/metrics#every=1s'; sleep 30"
num='[0-9.]+k?'
for m in llama-3.1-70b llama-3.1-8b mistral-7b-instruct qwen2.5-7b; do
	tm_wait_re demo "^  ${m//./\\.} +[0-9]+ +[0-9]+ +[0-9.]+% +$num m?s +$num m?s +$num m?s +$num +$num +$num *\$"
done
echo "ok demo: four models with every figure"
tm_focus demo "LLM serving"
tm send-keys -t demo Enter
tm_wait demo "model=llama-3.1-70b"
rows=$(screen demo | grep -cE '/v1/(chat/)?completions .*model=llama-3\.1-70b' || true)
others=$(screen demo | grep -E '^[0-9:]{8} ' | grep -vc 'model=llama-3\.1-70b' || true)
[ "$rows" -gt 0 ] || fail "no event of the model in the filtered log"
check "log rows of other models" "$others" 0
