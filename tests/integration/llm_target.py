#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A vLLM-named scrape target for tui_llm.sh whose figures are known.

Serves /metrics on 127.0.0.1:PORT (names from the vLLM documentation,
docs.vllm.ai "Production Metrics").  The k-th request (k = 1, 2, ...)
answers state k, every sample timestamped START + k * 1000 ms, so rates
and window quantiles do not depend on when the scrapes happen:

  gauges   org/model.v1: running 7, waiting 3, kv_cache_usage_perc 0.42
           tiny:         running 1, waiting 0, kv_cache_usage_perc 0.05
  counters prompt_tokens 100 k, generation_tokens 25 k,
           num_preemptions 2 k, request_success{stop} 4 k
  histograms, per state 4 observations more:
           TTFT: 2 in (0.05, 0.1], 2 in (0.1, 0.25]
           e2e:  3 in (1.0, 2.5],  1 in (2.5, 5.0]

so over any window (by hand, histogram_quantile's interpolation):
  prompt 100/s, generated 25/s, preemptions 2/s = 120/min, 4 req/s;
  TTFT p50: rank 2m of 4m ends the (0.05, 0.1] bucket -> 100 ms;
  TTFT p95: rank 3.8m: 0.1 + 0.15 * (3.8 - 2) / 2 = 0.235 s -> 235 ms;
  e2e p95: rank 3.8m: 2.5 + 2.5 * (3.8 - 3) / 1 = 4.5 s.

With VARIANT b it is a second server serving the same model name with
other figures (llm_servers.sh):
  gauges   org/model.v1: running 12, waiting 5, kv_cache_usage_perc 0.91
  counters prompt_tokens 300 k, generation_tokens 60 k,
           num_preemptions 1 k, request_success{stop} 6 k
  histograms, per state 4 observations more:
           TTFT: 1 in (0.05, 0.1], 3 in (0.1, 0.25]
           e2e:  1 in (0.0, 1.0],  3 in (1.0, 2.5]
so: prompt 300/s, generated 60/s, preemptions 1/s = 60/min, 6 req/s;
  TTFT p50: rank 2m in (0.1, 0.25]: 0.1 + 0.15 * (2 - 1) / 3 = 0.15 s;
  TTFT p95: rank 3.8m: 0.1 + 0.15 * (3.8 - 1) / 3 = 0.24 s;
  e2e p95: rank 3.8m: 1.0 + 1.5 * (3.8 - 1) / 3 = 2.4 s.
Usage: llm_target.py PORT [VARIANT]
"""
import http.server
import sys
import threading
import time

PORT = int(sys.argv[1])
START = int(time.time() * 1000) - 5000
TTFT_LE = ["0.05", "0.1", "0.25", "+Inf"]
E2E_LE = ["1.0", "2.5", "5.0", "+Inf"]
VARIANT = sys.argv[2] if len(sys.argv) > 2 else "a"
MODELS = {"org/model.v1": (7, 3, 0.42), "tiny": (1, 0, 0.05)}
PER = {"prompt": 100, "gen": 25, "preempt": 2, "success": 4}
TTFT_CUM, E2E_CUM = [0, 2, 4, 4], [0, 3, 4, 4]
if VARIANT == "b":
    MODELS = {"org/model.v1": (12, 5, 0.91)}
    PER = {"prompt": 300, "gen": 60, "preempt": 1, "success": 6}
    TTFT_CUM, E2E_CUM = [0, 1, 4, 4], [1, 4, 4, 4]
state = [0]
lock = threading.Lock()


def body(k):
    ts = START + k * 1000
    out = []

    def fam(name, typ, help_):
        out.append(f"# HELP {name} {help_}\n# TYPE {name} {typ}\n")

    def s(name, labels, v):
        out.append(f"{name}{{{labels}}} {v} {ts}\n")

    for i, (g, h) in enumerate((("vllm:num_requests_running", "Number of requests in model execution batches."),
                                ("vllm:num_requests_waiting", "Number of requests waiting to be processed."),
                                ("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage."))):
        fam(g, "gauge", h)
        for m, vals in MODELS.items():
            s(g, f'model_name="{m}"', vals[i])
    for c, per, h in (("vllm:prompt_tokens_total", PER["prompt"], "Number of prefill tokens processed."),
                      ("vllm:generation_tokens_total", PER["gen"], "Number of generation tokens processed."),
                      ("vllm:num_preemptions_total", PER["preempt"], "Cumulative number of preemption from the engine.")):
        fam(c, "counter", h)
        for m in MODELS:
            s(c, f'model_name="{m}"', per * k)
    fam("vllm:request_success_total", "counter", "Count of successfully processed requests.")
    for m in MODELS:
        s("vllm:request_success_total", f'finished_reason="stop",model_name="{m}"', PER["success"] * k)
    for h, le, cum, total_sum in (
            ("vllm:time_to_first_token_seconds", TTFT_LE, TTFT_CUM, 0.5),
            ("vllm:e2e_request_latency_seconds", E2E_LE, E2E_CUM, 9.0)):
        fam(h, "histogram", "Histogram.")
        for m in MODELS:
            for b, c in zip(le, cum):
                s(h + "_bucket", f'le="{b}",model_name="{m}"', c * k)
            s(h + "_sum", f'model_name="{m}"', total_sum * k)
            s(h + "_count", f'model_name="{m}"', 4 * k)
    return "".join(out).encode()


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        with lock:
            state[0] += 1
            b = body(state[0])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def log_message(self, *a):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
