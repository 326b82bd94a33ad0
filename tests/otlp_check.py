#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# otlp_check.py DIR WHAT [ARG]: read what tests/otlp_receiver.py stored in
# DIR, with Python's json module, and print:
#   count        the log records received (all requests)
#   uids         their log.record.uid attributes, sorted, one a line
#   rows         every record received, one a line, as sqlite3 prints
#                uid|service|time_ms|status|route|latency_ms|body
#   record UID   that record, flattened, as one JSON line with sorted keys:
#                service, host, time_ms, severity_number, severity_text,
#                body (or null) and each attribute as "attr:NAME"
#   gauges       the gauge names received, sorted, one a line
#   gauge NAME ATTR=VALUE  the newest value of that gauge's point
#   header NAME  the values the requests carried for header NAME, unique
import json
import os
import sys

out, what = sys.argv[1], sys.argv[2]


def lines(kind):
    path = os.path.join(out, kind + ".jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(ln) for ln in f if ln.strip()]


def any_value(v):
    for k in ("stringValue", "boolValue"):
        if k in v:
            return v[k]
    if "doubleValue" in v:
        return float(v["doubleValue"])
    if "intValue" in v:
        return int(v["intValue"])  # proto3 JSON: a string
    if "kvlistValue" in v:
        return {kv["key"]: any_value(kv["value"])
                for kv in v["kvlistValue"].get("values", [])}
    if "arrayValue" in v:
        return [any_value(x) for x in v["arrayValue"].get("values", [])]
    return None


def attrs(lst):
    return {a["key"]: any_value(a["value"]) for a in lst or []}


def records():
    for req in lines("logs"):
        for rl in req["resourceLogs"]:
            res = attrs(rl["resource"]["attributes"])
            for sl in rl["scopeLogs"]:
                assert sl["scope"]["name"] == "sitrep"
                for r in sl["logRecords"]:
                    yield res, r


def flat(res, r):
    d = {"service": res.get("service.name"), "host": res.get("host.name"),
         "time_ms": int(r["timeUnixNano"]) // 1000000,
         "severity_number": r["severityNumber"],
         "severity_text": r["severityText"],
         "body": any_value(r["body"]) if "body" in r else None}
    for k, v in attrs(r.get("attributes")).items():
        d["attr:" + k] = v
    return d


def points():
    for req in lines("metrics"):
        for rm in req["resourceMetrics"]:
            res = attrs(rm["resource"]["attributes"])
            assert res.get("service.name") == "sitrep"
            for sm in rm["scopeMetrics"]:
                for m in sm["metrics"]:
                    for p in m["gauge"]["dataPoints"]:
                        yield m["name"], m["unit"], attrs(
                            p.get("attributes")), p


if what == "count":
    print(sum(1 for _ in records()))
elif what == "uids":
    for u in sorted(r["attr:log.record.uid"] for r in
                    (flat(a, b) for a, b in records())):
        print(u)
elif what == "record":
    got = [flat(a, b) for a, b in records()
           if attrs(b.get("attributes")).get("log.record.uid") == sys.argv[3]]
    print(json.dumps(got[-1] if got else None, sort_keys=True))
elif what == "rows":
    # every record received (repeats too), as sqlite3's default output
    # of: SELECT event_id, service, ts, status, endpoint, latency_ms,
    # message FROM events
    rows = []
    for r in (flat(a, b) for a, b in records()):
        rows.append("|".join("" if v is None else str(v) for v in (
            r["attr:log.record.uid"], r["service"], r["time_ms"],
            r.get("attr:http.response.status_code"),
            r.get("attr:http.route"), r.get("attr:sitrep.latency_ms"),
            r["body"])))
    print("\n".join(sorted(rows)))
elif what == "gauges":
    for n in sorted({p[0] for p in points()}):
        print(n)
elif what == "gauge":
    want = dict(a.split("=", 1) for a in sys.argv[4:])
    val = None
    for name, unit, at, p in points():
        if name == sys.argv[3] and all(at.get(k) == v
                                       for k, v in want.items()):
            val = p["asDouble"]
    print(val)
elif what == "header":
    vals = sorted({h.get(sys.argv[3].lower(), "") for h in lines("headers")})
    print("\n".join(vals))
else:
    sys.exit("unknown WHAT " + what)
