#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# otlp_receiver.py PORT DIR: a stand-in OTLP/HTTP collector for the tests.
# Listens on 127.0.0.1:PORT and takes POST /v1/logs and POST /v1/metrics
# with the JSON encoding: each request body must parse as JSON, and is
# appended (one line, flushed before the answer) to DIR/logs.jsonl or
# DIR/metrics.jsonl, its headers to DIR/headers.jsonl.  The answer is 200
# with an empty Export*ServiceResponse ("{}"), unless DIR/status holds a
# status (e.g. 503), which is answered instead, or DIR/partial holds a
# number N: then the next /v1/logs gets 200 with partialSuccess
# rejecting N log records.  A body
# that is not JSON gets 400.  Writes DIR/ready once it listens.  Used by
# tests/integration/otlp_export.sh.
import http.server
import json
import os
import sys

port, out = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        kind = {"/v1/logs": "logs", "/v1/metrics": "metrics"}.get(self.path)
        if kind is None:
            return self.answer(404, '{"error":"no such path"}')
        try:
            doc = json.loads(body)
        except ValueError:
            return self.answer(400, '{"error":"not JSON"}')
        try:
            with open(os.path.join(out, "status")) as f:
                code = int(f.read().strip())
            return self.answer(code, '{"error":"as told"}')
        except (OSError, ValueError):
            pass
        with open(os.path.join(out, "headers.jsonl"), "a") as f:
            f.write(json.dumps({k.lower(): v for k, v in
                                self.headers.items()}) + "\n")
        with open(os.path.join(out, kind + ".jsonl"), "a") as f:
            f.write(json.dumps(doc) + "\n")
            f.flush()
        resp = "{}"
        try:
            if kind != "logs":
                raise OSError("partial answers are for logs")
            with open(os.path.join(out, "partial")) as f:
                k = int(f.read().strip())
            os.unlink(os.path.join(out, "partial"))
            resp = json.dumps({"partialSuccess": {
                "rejectedLogRecords": str(k),
                "errorMessage": "%d records too old" % k}})
        except (OSError, ValueError):
            pass
        self.answer(200, resp)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
srv.daemon_threads = True
open(os.path.join(out, "ready"), "w").close()
srv.serve_forever()
