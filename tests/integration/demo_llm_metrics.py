#!/usr/bin/env python3
"""Check `sitrep demo --llm-metrics` scrapes against the event stream.

usage: demo_llm_metrics.py EVENTS.jsonl SCRAPE1 SCRAPE2 ...

Each scrape is parsed strictly as Prometheus text 0.0.4 (every sample's
family has # HELP and # TYPE before it; values are floats).  Checks:
the vLLM families and their types; counters never go down between
scrapes; histogram buckets are cumulative, +Inf equals _count; and the
last scrape's counters and histograms equal what the first N events of
the stream (N from its '# sitrep demo: N events written' line) add up
to, computed here from the JSON lines.
"""
import json
import re
import sys

MODELS = {"llama-3.1-8b", "qwen2.5-7b", "mistral-7b-instruct", "llama-3.1-70b"}
TYPES = {
    "vllm:num_requests_running": "gauge",
    "vllm:num_requests_waiting": "gauge",
    "vllm:kv_cache_usage_perc": "gauge",
    "vllm:num_preemptions_total": "counter",
    "vllm:prompt_tokens_total": "counter",
    "vllm:generation_tokens_total": "counter",
    "vllm:request_success_total": "counter",
    "vllm:time_to_first_token_seconds": "histogram",
    "vllm:e2e_request_latency_seconds": "histogram",
}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(text):
    helps, types, samples, events = {}, {}, {}, None
    for ln in text.splitlines():
        if not ln:
            continue
        m = re.match(r"^# sitrep demo: (\d+) events written$", ln)
        if m:
            events = int(m.group(1))
            continue
        if ln.startswith("# HELP "):
            name, _, h = ln[7:].partition(" ")
            helps[name] = h
            continue
        if ln.startswith("# TYPE "):
            name, _, t = ln[7:].partition(" ")
            if name not in helps:
                fail(f"TYPE before HELP for {name}")
            types[name] = t
            continue
        if ln.startswith("#"):
            continue
        m = SAMPLE.match(ln)
        if not m:
            fail(f"bad sample line {ln!r}")
        name, labels, value = m.group(1), m.group(3) or "", m.group(4)
        fam = re.sub(r"_(bucket|sum|count)$", "", name)
        if fam not in types and name not in types:
            fail(f"sample {name} without # TYPE")
        lab = dict(LABEL.findall(labels))
        key = (name, tuple(sorted(lab.items())))
        if key in samples:
            fail(f"duplicate sample {ln!r}")
        samples[key] = float(value)
    if events is None:
        fail("no events line")
    for n, t in TYPES.items():
        if types.get(n) != t:
            fail(f"{n}: type {types.get(n)}, want {t}")
    return samples, events


def get(s, name, model, **extra):
    lab = {"engine": "0", "model_name": model, **extra}
    return s[(name, tuple(sorted(lab.items())))]


def check_hist(s, fam, model):
    bs = sorted(((float("inf") if dict(k[1])["le"] == "+Inf" else float(dict(k[1])["le"])), v)
                for k, v in s.items()
                if k[0] == fam + "_bucket" and dict(k[1])["model_name"] == model)
    for (_, a), (_, b) in zip(bs, bs[1:]):
        if b < a:
            fail(f"{fam} {model}: buckets not cumulative")
    if bs[-1][0] != float("inf") or bs[-1][1] != get(s, fam + "_count", model):
        fail(f"{fam} {model}: +Inf != _count")
    return bs


def main():
    lines = open(sys.argv[1]).read().splitlines()
    scrapes = [parse(open(p).read()) for p in sys.argv[2:]]
    # counters only go up
    for (a, _), (b, _) in zip(scrapes, scrapes[1:]):
        for k, v in a.items():
            n = k[0]
            if (n.endswith("_total") or n.endswith("_count") or n.endswith("_bucket") or n.endswith("_sum")) and b[k] < v:
                fail(f"{k} went down: {v} -> {b[k]}")
    s, n = scrapes[-1]
    if len(lines) < n:
        fail(f"stream has {len(lines)} lines, scrape counted {n}")
    want = {m: dict(prompt=0, gen=0, stop=0, length=0, abort=0, ttft=[], e2e=[]) for m in MODELS}
    for ln in lines[:n]:
        e = json.loads(ln)
        m = e.get("model")
        if m not in MODELS:
            continue
        w = want[m]
        if e["status_code"] >= 500:
            w["abort"] += 1
        elif e["status_code"] < 400:
            w["prompt"] += e["tokens_in"]
            w["gen"] += e["tokens_out"]
            w["length" if e["tokens_out"] >= 4096 else "stop"] += 1
            w["ttft"].append(e["ttft_ms"] / 1000)
            w["e2e"].append(e["response_time_ms"] / 1000)
    busy = 0
    for m, w in want.items():
        if get(s, "vllm:prompt_tokens_total", m) != w["prompt"]:
            fail(f"{m}: prompt tokens {get(s, 'vllm:prompt_tokens_total', m)} != {w['prompt']}")
        if get(s, "vllm:generation_tokens_total", m) != w["gen"]:
            fail(f"{m}: generation tokens differ")
        for why in ("stop", "length", "abort"):
            if get(s, "vllm:request_success_total", m, finished_reason=why) != w[why]:
                fail(f"{m}: request_success {why} differ")
        for fam, xs in (("vllm:time_to_first_token_seconds", w["ttft"]),
                        ("vllm:e2e_request_latency_seconds", w["e2e"])):
            for le, v in check_hist(s, fam, m):
                if v != sum(1 for x in xs if x <= le):
                    fail(f"{fam} {m} le={le}: {v} != {sum(1 for x in xs if x <= le)}")
            got = get(s, fam + "_sum", m)
            if abs(got - sum(xs)) > 1e-6 * max(1, sum(xs)) + 1e-5:
                fail(f"{fam} {m}: sum {got} != {sum(xs)}")
        kv = get(s, "vllm:kv_cache_usage_perc", m)
        if not 0 <= kv <= 1:
            fail(f"{m}: kv_cache_usage_perc {kv} outside 0..1")
        busy += get(s, "vllm:num_requests_running", m)
        print(f"ok {m}: {w['stop'] + w['length']} requests, {w['prompt']} prompt and {w['gen']} generated tokens")
    if busy <= 0:
        fail("no request running in any model")
    print(f"ok {len(scrapes)} scrapes, {n} events")


main()
