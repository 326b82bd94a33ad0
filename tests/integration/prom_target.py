#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Scrape targets for source_prom.sh: Prometheus text that changes only
between scrapes, served on 127.0.0.1:PORT.

  /known/NAME   tests/fixtures/prom/NAME.1.prom for the first two requests,
                then NAME.2.prom; every sample carries a timestamp,
                BASE for state 1 and BASE + 10000 for state 2 (ms).
  /hist/a, /hist/b
                the same exposition for sitrep (a) and Prometheus (b): state
                k = min(K, seconds since /start / STEP), 0 before, of a
                vLLM-named TTFT
                histogram and prompt-token counter, each sample at HBASE +
                k * 13000 ms, so both scrapers read the same points whatever
                their scrape times.
  /start        starts the clock of /hist (once both scrapers read state 0)
  /json         a JSON answer (wrong content type)
  /big          9 MiB of text (over the source's 8 MiB)
  /slow         answers after 5 s
  /many         100000 series

Writes "BASE HBASE K" to the file named by argv[3] once listening.
Usage: prom_target.py PORT FIXTURE_DIR INFO_FILE
"""
import http.server
import os
import sys
import threading
import time

PORT, FIX, INFO = int(sys.argv[1]), sys.argv[2], sys.argv[3]
K, STEP, VSTEP = 25, 1.0, 13000
START = time.time()
BASE = int(START * 1000) - 60000
HBASE = int(START * 1000) - K * VSTEP - 5000
LE = ["0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "+Inf"]
GO = []  # the time /start was asked, once it was
count = {}
lock = threading.Lock()


def hist_state(k):
    """Cumulative bucket counts after k steps: 1000 per bucket to start
    (so Prometheus's increase() extrapolates every bucket alike), then each
    step adds observations, fast ones in the first half, slow ones after."""
    per = [0] * len(LE)
    for j in range(1, k + 1):
        if j <= K // 2:
            inc = [3, 5, 4, 2, 1, 0, 0, 0, 0]
        else:
            inc = [0, 1, 1, 2, 3, 5, 4, 3, 0]
        for i in range(len(LE)):
            per[i] += inc[i]
    cum, out = 0, []
    for i in range(len(LE)):
        cum += per[i]
        out.append(1000 * (i + 1) + cum)
    return out


def hist_text():
    k = min(K, int((time.time() - GO[0]) / STEP)) if GO else 0
    ts = HBASE + k * VSTEP
    m = 'model_name="cmp"'
    lines = ["# TYPE vllm:time_to_first_token_seconds histogram"]
    for le, c in zip(LE, hist_state(k)):
        lines.append('vllm:time_to_first_token_seconds_bucket{%s,le="%s"} %d %d'
                     % (m, le, c, ts))
    lines.append("# TYPE vllm:prompt_tokens_total counter")
    lines.append("vllm:prompt_tokens_total{%s} %d %d" % (m, 100000 + 37 * k, ts))
    return "\n".join(lines) + "\n"


def known_text(name, n):
    state = 1 if n <= 2 else 2
    ts = BASE + (state - 1) * 10000
    out = []
    with open(os.path.join(FIX, "%s.%d.prom" % (name, state))) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                line = "%s %d" % (line, ts)
            out.append(line)
    return "\n".join(out) + "\n"


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *a):
        pass

    def send(self, body, ctype="text/plain; version=0.0.4; charset=utf-8"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        p = self.path
        with lock:
            count[p] = count.get(p, 0) + 1
            n = count[p]
        if p.startswith("/known/"):
            self.send(known_text(p[7:], n))
        elif p.startswith("/hist/"):
            self.send(hist_text())
        elif p == "/start":
            with lock:
                if not GO:
                    GO.append(time.time())
            self.send("started\n")
        elif p == "/json":
            self.send('{"up": 1}', "application/json")
        elif p == "/big":
            self.send(b"x 1\n" * (9 * 1024 * 1024 // 4))
        elif p == "/slow":
            time.sleep(5)
            self.send("x 1\n")
        elif p == "/many":
            self.send("".join('m{i="%d"} 1\n' % i for i in range(100000)))
        else:
            self.send_error(404)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H)
srv.daemon_threads = True
with open(INFO + ".tmp", "w") as f:
    f.write("%d %d %d\n" % (BASE, HBASE, K))
os.rename(INFO + ".tmp", INFO)
srv.serve_forever()
