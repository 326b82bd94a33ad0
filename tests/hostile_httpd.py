#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A test HTTP server for sitrep's http:// and sitrep:// sources
(127.0.0.1 only): well-behaved endpoints behind credentials, and hostile
ones.  Every request is logged to LOG as "METHOD PATH auth=KIND" where
KIND is basic:USER, bearer or - (never the password or token itself).

  /events?since=N  {"events":[events N..],"cursor":"M"} (EVENTS: JSON lines)
  /auth?since=N    the same, 401 unless HTTP basic auth is USER:PASSWORD
  /api/events      the same (sitrep's route), 401 unless "Bearer TOKEN"
  /endless         200, a body that never ends (1 MiB writes of '[')
  /bigline         200, Content-Length 1 GB: one line of 'a'
  /gzipbomb        Content-Encoding: gzip of 4 GB of zeros (about 4 MB sent)
  /drip            200, then one byte a second
  /redirect        302 to itself, forever
  /nonjson         an HTML page
  /deep            JSON nested 100,000 deep
  /wide            a 7 MB JSON array of 3.5 million tiny numbers

  hostile_httpd.py PORT EVENTS LOG USER PASSWORD TOKEN
"""
import base64
import http.server
import json
import sys
import time
import zlib

PORT, EVENTS, LOG, USER, PASSWORD, TOKEN = sys.argv[1:7]
PORT = int(PORT)
MIB = 1024 * 1024


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def auth_kind(self):
        a = self.headers.get("Authorization", "")
        if a.startswith("Basic "):
            try:
                user = base64.b64decode(a[6:]).decode().split(":", 1)[0]
            except ValueError:
                user = "?"
            return "basic:" + user
        return "bearer" if a.startswith("Bearer ") else "-"

    def send(self, code, body, ctype="application/json", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def events(self):
        since = 0
        if "since=" in self.path:
            try:
                since = int(self.path.split("since=")[1].split("&")[0])
            except ValueError:
                since = 0
        with open(EVENTS) as f:
            lines = [json.loads(x) for x in f if x.strip()]
        body = {"events": lines[since:], "cursor": str(len(lines))}
        self.send(200, json.dumps(body).encode())

    def stream(self, headers, chunks):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            for c in chunks:
                self.wfile.write(c)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def do_GET(self):
        p = self.path.split("?")[0]
        log("GET %s auth=%s" % (self.path, self.auth_kind()))
        if p == "/events":
            return self.events()
        if p == "/auth":
            want = "Basic " + base64.b64encode(
                ("%s:%s" % (USER, PASSWORD)).encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.send(401, b'{"error":"auth"}', extra=[
                    ("WWW-Authenticate", 'Basic realm="t"')])
            return self.events()
        if p == "/api/events":
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                return self.send(401, b'{"error":"token"}')
            return self.events()
        if p == "/endless":
            def endless():
                while True:
                    yield b"[" * MIB
            return self.stream([("Content-Type", "application/json"),
                                ("Connection", "close")], endless())
        if p == "/bigline":
            def big():
                for _ in range(1024):
                    yield b"a" * MIB
            return self.stream([("Content-Type", "application/json"),
                                ("Content-Length", str(1024 * MIB))], big())
        if p == "/gzipbomb":
            def bomb():
                z = zlib.compressobj(9, zlib.DEFLATED, 31)
                for _ in range(4096):
                    yield z.compress(b"\0" * MIB)
                yield z.flush()
            return self.stream([("Content-Type", "application/json"),
                                ("Content-Encoding", "gzip"),
                                ("Connection", "close")], bomb())
        if p == "/drip":
            def drip():
                yield b"["
                for _ in range(3600):
                    time.sleep(1)
                    yield b" "
            return self.stream([("Content-Type", "application/json"),
                                ("Connection", "close")], drip())
        if p == "/redirect":
            return self.send(302, b"", extra=[("Location", "/redirect")])
        if p == "/nonjson":
            return self.send(200, b"<html><body>hello</body></html>",
                             "text/html")
        if p == "/deep":
            n = 100000
            return self.send(200, b"[" * n + b"]" * n)
        if p == "/wide":
            return self.send(200, b"[" + b"1," * 3500000 + b"1]")
        return self.send(404, b'{"error":"not found"}')


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up on an attack is the expected case


Server(("127.0.0.1", PORT), Handler).serve_forever()
