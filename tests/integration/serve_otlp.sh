#!/usr/bin/env bash
# serve_otlp: the OTLP/HTTP receiver of `sitrep serve --accept-otlp` over
# curl.  OTLP/JSON traces and logs (built by python, with hex ids, enums as
# numbers, int64 times as strings and as numbers) are stored as events
# whose every field python computes from the same request: service,
# endpoint (http.route, else the span name), latency from start and end,
# status, error, model, tokens, TTFT (attribute in seconds, or a
# first-token span event), log severity and body.  A span that ends
# before it starts is refused with 200 + partialSuccess.rejectedSpans;
# an undecodable body is 400 (protobuf: a google.rpc.Status answer); a
# foreign Content-Type 415; a gzip body is read (one that is not gzip
# 400, one inflating past the body limit 413, another encoding 415); no
# token 401; without
# --accept-otlp 404; and --otlp-listen answers OTLP and nothing else.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v jq >/dev/null || fail "jq is needed"
command -v python3 >/dev/null || fail "python3 is needed"

printf 'otlp-s3cret\n' >"$T/token"
chmod 600 "$T/token"
P=$(free_port)
PO=$(free_port)
B="http://127.0.0.1:$P"
BO="http://127.0.0.1:$PO"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$P" --otlp-listen "127.0.0.1:$PO" \
	--token-file "$T/token" --no-system --interval 200ms 2>"$T/log" &
PIDS+=($!)
wait_http "$B/api/health"
AUTH=(-H 'Authorization: Bearer otlp-s3cret')
JSON=(-H 'Content-Type: application/json')

# ---- traces: 40 spans (3 services), one refused ----------------------
python3 - "$T" <<'EOF'
import json, random, sys
random.seed(14)
t0 = 1764840000 * 10**9
spans, want = [], []
for i in range(40):
    start = t0 + i * 10**9 + random.randrange(10**6)
    if i % 2 == 0:  # sent as a JSON number: a double holds it exactly
        start -= start % 1024
    dur = random.randrange(1, 5000) * 10**6 + random.randrange(10**6)
    a = [{"key": "gen_ai.request.model", "value": {"stringValue": random.choice(["gpt-4o", "llama3"])}},
         {"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(random.randrange(1, 4000))}},
         {"key": "gen_ai.usage.output_tokens", "value": {"intValue": random.randrange(1, 900)}}]
    status = random.choice([200, 200, 200, 404, 503])
    a.append({"key": "http.response.status_code", "value": {"intValue": str(status)}})
    if i % 3 == 0:
        a.append({"key": "http.route", "value": {"stringValue": "/v1/chat/completions"}})
    ev = []
    if i % 4 == 0:
        a.append({"key": "gen_ai.response.time_to_first_token", "value": {"doubleValue": 0.125 + i / 1000}})
    elif i % 4 == 1:
        ev.append({"timeUnixNano": str(start + 250 * 10**6 + i * 10**6), "name": "gen_ai.first_token"})
    code = 2 if i % 5 == 0 else random.choice([0, 1])
    sp = {"traceId": "%032x" % (i + 1), "spanId": "%016x" % (0xabc0 + i),
          "name": "chat %d" % i, "kind": 2,
          "startTimeUnixNano": str(start) if i % 2 else start,
          "endTimeUnixNano": str(start + dur),
          "attributes": a, "events": ev,
          "status": {"code": code, "message": "boom %d" % i if code == 2 else ""}}
    if i == 7:  # ends before it starts: refused
        sp["endTimeUnixNano"] = str(start - 1)
    spans.append(sp)
req = {"resourceSpans": []}
for k, svc in enumerate(["chat-api", "embedder", "rag"]):
    req["resourceSpans"].append({
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans[k::3]}]})
for rs in req["resourceSpans"]:
    svc = rs["resource"]["attributes"][0]["value"]["stringValue"]
    for sp in rs["scopeSpans"][0]["spans"]:
        s, e = int(sp["startTimeUnixNano"]), int(sp["endTimeUnixNano"])
        if e < s:
            continue
        at = {x["key"]: list(x["value"].values())[0] for x in sp["attributes"]}
        ttft = None
        if "gen_ai.response.time_to_first_token" in at:
            ttft = at["gen_ai.response.time_to_first_token"] * 1000
        for x in sp["events"]:
            ttft = (int(x["timeUnixNano"]) - s) / 1e6
        st = int(at["http.response.status_code"])
        err = sp["status"]["code"] == 2 or st >= 500
        want.append("|".join(str(v) for v in [sp["spanId"], svc,
            at.get("http.route", sp["name"]), s // 10**6, "%.3f" % ((e - s) / 1e6),
            st, at["gen_ai.request.model"], int(at["gen_ai.usage.input_tokens"]),
            int(at["gen_ai.usage.output_tokens"]),
            "" if ttft is None else "%.3f" % ttft, 1 if err else 0,
            sp["status"]["message"] if sp["status"]["code"] == 2 else ""]))
json.dump(req, open(sys.argv[1] + "/traces.json", "w"))
open(sys.argv[1] + "/traces.want", "w").write("\n".join(sorted(want)) + "\n")
EOF
code=$(curl -s -o "$T/r.json" -D "$T/r.h" -w '%{http_code}' "${AUTH[@]}" "${JSON[@]}" \
	--data-binary @"$T/traces.json" "$B/v1/traces")
check "traces: status" "$code" 200
grep -qi '^Content-Type: application/json' "$T/r.h" || fail "traces: answer not JSON: $(cat "$T/r.h")"
check "traces: rejectedSpans" "$(jq -r .partialSuccess.rejectedSpans "$T/r.json")" 1
jq -r .partialSuccess.errorMessage "$T/r.json" | grep -q 'span ends before it starts' ||
	fail "traces: errorMessage says nothing useful: $(cat "$T/r.json")"
# acknowledged means committed: the rows are there as soon as the answer is
sqlite3 "$T/db" "SELECT event_id, service, endpoint, ts, printf('%.3f', latency_ms),
	status, model, tokens_in, tokens_out,
	CASE WHEN ttft_ms IS NULL THEN '' ELSE printf('%.3f', ttft_ms) END,
	flags & 1, CASE WHEN flags & 1 AND message IS NOT NULL THEN message ELSE '' END
	FROM events WHERE event_type = 'request' ORDER BY event_id" >"$T/traces.got"
check "traces: spans stored" "$(wc -l <"$T/traces.got")" 39
diff "$T/traces.want" "$T/traces.got" >"$T/traces.diff" ||
	fail "traces: stored events differ from the spans sent: $(head -n 6 "$T/traces.diff")"
echo "ok traces: every field of the 39 spans as python computed it"
meta=$(sqlite3 "$T/db" "SELECT metadata FROM events WHERE event_id = '000000000000abc0'")
check "traces: traceId kept" "$(jq -r .traceId <<<"$meta")" "00000000000000000000000000000001"

# ---- logs: 12 records, severities and bodies ------------------------
python3 - "$T" <<'EOF'
import json, sys
t0 = 1764841000 * 10**9
recs, want = [], []
for i in range(12):
    sev = [5, 9, 13, 17, 21, 9][i % 6]
    r = {"timeUnixNano": str(t0 + i * 10**7), "severityNumber": sev,
         "severityText": ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "INFO"][i % 6],
         "body": {"stringValue": "record %d" % i},
         "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(10 + i)}}],
         "traceId": "%032x" % 99, "spanId": "%016x" % i}
    recs.append(r)
    want.append("log|worker|record %d|%d|%d|%d" % (i, (t0 + i * 10**7) // 10**6, 10 + i, 1 if sev >= 17 else 0))
req = {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "worker"}}]},
       "scopeLogs": [{"scope": {"name": "t"}, "logRecords": recs}]}]}
json.dump(req, open(sys.argv[1] + "/logs.json", "w"))
open(sys.argv[1] + "/logs.want", "w").write("\n".join(sorted(want)) + "\n")
EOF
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "${AUTH[@]}" "${JSON[@]}" \
	--data-binary @"$T/logs.json" "$BO/v1/logs")
check "logs (OTLP port): status" "$code" 200
check "logs: answer" "$(cat "$T/r.json")" "{}"
sqlite3 "$T/db" "SELECT event_type, service, message, ts, tokens_in, flags & 1 FROM events
	WHERE service = 'worker' ORDER BY message" | sort >"$T/logs.got"
diff "$T/logs.want" "$T/logs.got" >"$T/logs.diff" ||
	fail "logs: stored events differ: $(head -n 6 "$T/logs.diff")"
echo "ok logs: 12 records with type, body, time, attributes and severity"
check "logs: severity kept" "$(sqlite3 "$T/db" "SELECT json_extract(metadata, '\$.severityText')
	FROM events WHERE message = 'record 3'")" ERROR

# ---- refusals ----------------------------------------------------------
status() { curl -s -o "$T/e.body" -D "$T/e.h" -w '%{http_code}' "$@"; }
check "no token" "$(status "${JSON[@]}" --data-binary @"$T/logs.json" "$B/v1/logs")" 401
check "no token (OTLP port)" "$(status "${JSON[@]}" --data-binary @"$T/logs.json" "$BO/v1/traces")" 401
check "bad JSON" "$(status "${AUTH[@]}" "${JSON[@]}" --data '{"resourceSpans":[' "$B/v1/traces")" 400
jq -e .error "$T/e.body" >/dev/null || fail "bad JSON: no error: $(cat "$T/e.body")"
check "JSON array" "$(status "${AUTH[@]}" "${JSON[@]}" --data '[1,2]' "$B/v1/traces")" 400
check "top list not an array" "$(status "${AUTH[@]}" "${JSON[@]}" \
	--data '{"resourceLogs":{}}' "$B/v1/logs")" 400
PB=(-H 'Content-Type: application/x-protobuf')
# field 1, length 5, but only 1 byte follows
check "truncated protobuf" "$(printf '\x0a\x05\x0a' | status "${AUTH[@]}" "${PB[@]}" \
	--data-binary @- "$B/v1/traces")" 400
grep -qi '^Content-Type: application/x-protobuf' "$T/e.h" || fail "protobuf 400 not protobuf: $(cat "$T/e.h")"
# google.rpc.Status: code (field 1) = 3 INVALID_ARGUMENT, then the message
check "protobuf 400 body: code" "$(od -An -tx1 -N2 "$T/e.body" | tr -d ' ')" 0803
grep -q 'not an OTLP protobuf request' "$T/e.body" || fail "protobuf 400 says no reason"
# a group (wire type 3) is refused; an unknown varint field 9 is skipped
check "protobuf group" "$(printf '\x0b' | status "${AUTH[@]}" "${PB[@]}" \
	--data-binary @- "$B/v1/traces")" 400
check "protobuf unknown field" "$(printf '\x48\x96\x01' | status "${AUTH[@]}" "${PB[@]}" \
	--data-binary @- "$B/v1/traces")" 200
check "protobuf empty answer" "$(stat -c %s "$T/e.body")" 0
check "text/plain" "$(status "${AUTH[@]}" -H 'Content-Type: text/plain' \
	--data-binary @"$T/logs.json" "$B/v1/logs")" 415
check "brotli" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Content-Encoding: br' \
	--data-binary @"$T/logs.json" "$B/v1/logs")" 415
grep -q 'Content-Encoding' "$T/e.body" || fail "br: answer does not say why: $(cat "$T/e.body")"
check "not gzip" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Content-Encoding: gzip' \
	--data-binary @"$T/logs.json" "$B/v1/logs")" 400
gzip -c "$T/logs.json" | head -c 100 >"$T/cut.gz"
check "gzip cut short" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Content-Encoding: gzip' \
	--data-binary @"$T/cut.gz" "$B/v1/logs")" 400
# 2 MiB of zeros inflate past the 1 MiB body limit
head -c 2097152 /dev/zero | gzip -c >"$T/bomb.gz"
check "gzip past the body limit" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Content-Encoding: gzip' \
	--data-binary @"$T/bomb.gz" "$B/v1/logs")" 413
check "OTLP port: other routes" "$(status "${AUTH[@]}" "$BO/api/health")" 404
check "OTLP port: events" "$(status "${AUTH[@]}" "${JSON[@]}" --data '{}' "$BO/api/events")" 404
check "foreign Host" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Host: evil.example' \
	--data-binary @"$T/logs.json" "$BO/v1/logs")" 403
check "GET /v1/traces" "$(status "${AUTH[@]}" "$B/v1/traces")" 405
check "nothing more stored" "$(sqlite3 "$T/db" 'SELECT COUNT(*) FROM events')" 51
# a gzip body (Content-Encoding: gzip, the Collector's default)
sed 's/record /zipped /g' "$T/logs.json" | gzip -c >"$T/logs.gz"
check "gzip" "$(status "${AUTH[@]}" "${JSON[@]}" -H 'Content-Encoding: gzip' \
	--data-binary @"$T/logs.gz" "$B/v1/logs")" 200
check "gzip: stored" "$(sqlite3 "$T/db" "SELECT COUNT(*) FROM events WHERE message LIKE 'zipped %'")" 12

# ---- a bad --otlp-listen address: named, and nothing listens ------------
set +e
"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$(free_port)" \
	--otlp-listen 127.0.0.1:99999 2>"$T/bad.err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "a bad --otlp-listen address was accepted"
grep -q -- "--otlp-listen: bad listen address '127.0.0.1:99999'" "$T/bad.err" ||
	fail "bad --otlp-listen: $(cat "$T/bad.err")"
echo "ok bad --otlp-listen address refused (exit $rc)"

# ---- without --accept-otlp ---------------------------------------------
P2=$(free_port)
"$SITREP" serve --db :memory: --listen "127.0.0.1:$P2" --no-system 2>"$T/log2" &
PIDS+=($!)
wait_http "http://127.0.0.1:$P2/api/health"
check "off: status" "$(status "${JSON[@]}" --data-binary @"$T/logs.json" \
	"http://127.0.0.1:$P2/v1/logs")" 404
grep -q -- '--accept-otlp' "$T/e.body" || fail "off: answer does not name --accept-otlp: $(cat "$T/e.body")"
