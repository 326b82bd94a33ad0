#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# post_events.py URL OUT THREADS BATCH TAG: POST batches of events with
# unique event_ids ("TAG-t<thread>-<n>") to URL (POST /api/events) from
# THREADS threads on kept-alive connections until the server goes away
# (or SECONDS, 60 by default, pass), and write the id of every event a 202
# answer acknowledged to OUT, one a line, flushed at once (so the file
# holds every acknowledgement even when the server is killed).  Prints
# "acked N sent M" at the end.  Used by tests/integration/serve_durable.sh
# and bench/durable_bench.sh.
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse

url, out, nthreads, batch, tag = sys.argv[1:6]
seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 60.0
u = urlparse(url)
nthreads, batch = int(nthreads), int(batch)
lock = threading.Lock()
acked = sent = 0
f = open(out, "w", buffering=1)
stop = time.monotonic() + seconds


def worker(t):
    global acked, sent
    n = 0
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    while time.monotonic() < stop:
        ids = ["%s-t%d-%d" % (tag, t, n + i) for i in range(batch)]
        n += batch
        body = json.dumps([{"event_id": i, "service": "durable",
                            "endpoint": "/x", "status": 200,
                            "latency_ms": 1.5} for i in ids])
        try:
            conn.request("POST", u.path, body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            return  # the server is gone
        with lock:
            sent += len(ids)
            if r.status == 202:
                if json.loads(data).get("committed") != len(ids):
                    sys.exit("202 without every event committed")
                f.write("\n".join(ids) + "\n")
                f.flush()
                acked += len(ids)
        if r.status == 503:
            time.sleep(0.05)


ts = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
f.close()
print("acked %d sent %d" % (acked, sent))
