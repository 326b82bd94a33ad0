#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The llm.* values sitrep should hand for a known server's fixture pair
(tests/fixtures/prom/NAME.1.prom, NAME.2.prom, 10 s apart), computed here
from the text on its own: gauges of state 2 (summed over label sets, the
KV-cache fraction x 100), counter increases / 10 s, and histogram_quantile()
of the bucket increases as the Prometheus documentation defines it.
Prints "NAME VALUE" lines.  Usage: prom_expect.py FIXDIR SERVER MODEL
"""
import re
import sys

FIX, SERVER, MODEL = sys.argv[1:4]
LINE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+(\S+)')


def load(state):
    rows = []
    for line in open("%s/%s.%d.prom" % (FIX, SERVER, state)):
        m = LINE.match(line)
        if m and not line.startswith("#"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
            rows.append((m.group(1), labels, float(m.group(4))))
    return rows


S1, S2 = load(1), load(2)


def total(rows, name):
    return sum(v for n, _, v in rows if n == name)


def has(name):
    return any(n == name for n, _, _ in S2)


def buckets(rows, name):
    b = {}
    for n, lab, v in rows:
        if n == name + "_bucket":
            le = float(lab["le"])
            b[le] = b.get(le, 0) + v
    return b


def quantile(q, name):
    b1, b2 = buckets(S1, name), buckets(S2, name)
    les = sorted(b2)
    inc = [b2[le] - b1.get(le, 0) for le in les]
    tot = inc[-1]
    if tot <= 0:
        return None
    rank = q * tot
    for i, le in enumerate(les):
        if inc[i] >= rank:
            break
    if les[i] == float("inf"):
        return les[-2]
    lo, lo_c = (0.0, 0.0) if i == 0 else (les[i - 1], inc[i - 1])
    return lo + (le - lo) * (rank - lo_c) / (inc[i] - lo_c)


MAP = {
    "vllm": dict(running="vllm:num_requests_running",
                 waiting="vllm:num_requests_waiting",
                 kv="vllm:kv_cache_usage_perc",
                 prompt="vllm:prompt_tokens_total",
                 gen="vllm:generation_tokens_total",
                 preempt="vllm:num_preemptions_total",
                 success="vllm:request_success_total",
                 ttft="vllm:time_to_first_token_seconds",
                 e2e="vllm:e2e_request_latency_seconds"),
    "tgi": dict(running="tgi_batch_current_size", waiting="tgi_queue_size",
                prompt="tgi_request_input_length_sum",
                gen="tgi_request_generated_tokens_sum",
                success="tgi_request_success", e2e="tgi_request_duration"),
    "sglang": dict(running="sglang:num_running_reqs",
                   waiting="sglang:num_queue_reqs", kv="sglang:token_usage",
                   prompt="sglang:prompt_tokens_total",
                   gen="sglang:generation_tokens_total",
                   ttft="sglang:time_to_first_token_seconds",
                   e2e="sglang:e2e_request_latency_seconds"),
    "llamacpp": dict(running="llamacpp:requests_processing",
                     waiting="llamacpp:requests_deferred",
                     kv="llamacpp:kv_cache_usage_ratio",
                     prompt="llamacpp:prompt_tokens_total",
                     gen="llamacpp:tokens_predicted_total"),
}[SERVER]

out = {}
for f in ("running", "waiting"):
    if f in MAP:
        out[f] = total(S2, MAP[f])
if "kv" in MAP:
    out["kv_cache_pct"] = 100 * total(S2, MAP["kv"])
for f, key, mul in (("prompt", "prompt_tps", 1), ("gen", "gen_tps", 1),
                    ("preempt", "preempt_per_min", 60),
                    ("success", "success_per_s", 1)):
    if f in MAP:
        out[key] = mul * (total(S2, MAP[f]) - total(S1, MAP[f])) / 10.0
if "ttft" in MAP:
    out["ttft_p50_ms"] = 1000 * quantile(0.5, MAP["ttft"])
    out["ttft_p95_ms"] = 1000 * quantile(0.95, MAP["ttft"])
    out["ttft_p95_5m_ms"] = out["ttft_p95_ms"]
if "e2e" in MAP:
    out["e2e_p95_ms"] = 1000 * quantile(0.95, MAP["e2e"])
    out["e2e_p95_5m_ms"] = out["e2e_p95_ms"]
for k, v in out.items():
    print("llm.%s.%s %.10g" % (MODEL, k, v))
