#!/usr/bin/env bash
# tui_otlp_export: the console's header shows the OTLP export's state, as
# /api/health's otlp_export says it.  The console reads 25 events with
# --otlp-export pointing at a port where nothing listens and a queue of
# 20: the header says BACKING OFF with the error, 20 log records queued,
# 0 sent and the 5 past the bound dropped.  Then the stand-in collector
# (tests/otlp_receiver.py) comes up on that port: the header says ok,
# 0 queued, 20 sent, still 5 dropped, and the last error; the collector
# holds exactly those 20 records.
source "$(dirname "$0")/lib.sh"
use_utf8_locale
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
need python3
tmux_open tuiotlp

now=$(( $(date +%s) * 1000 ))
for i in $(seq 25); do
	printf '{"ts":%d,"event_id":"e%d","service":"api","endpoint":"/a","status":200,"latency_ms":10}\n' $((now - 1000 + i)) "$i"
done >"$T/ev.jsonl"
N=$(wc -l <"$T/ev.jsonl")
Q=20
QUEUED=$(( N < Q ? N : Q ))
DROPPED=$(( N - QUEUED ))
cat >"$T/conf" <<EOF2
[otlp]
export_queue = $Q
export_interval = 1s
export_max_backoff = 1s
EOF2
R=$(free_port)
mkdir -p "$T/rx"
tm new-session -d -s exp -x 260 -y 40 \
	"'$SITREP' --db :memory: --no-mouse --config '$T/conf' --otlp-export 'http://127.0.0.1:$R' <'$T/ev.jsonl'; sleep 60"
tm_wait exp "stdin ENDED"
url="export http://127\\.0\\.0\\.1:$R/?"
tm_wait_re exp "$url BACKING OFF( \\(retry in [0-9]+s\\))?: logs $QUEUED queued 0 sent $DROPPED dropped, metrics [0-9]+ queued 0 sent [0-9]+ dropped \\((logs|metrics): POST http://127\\.0\\.0\\.1:$R/v1/(logs|metrics): [^)]*onnect"
echo "ok down: BACKING OFF, logs $QUEUED queued 0 sent $DROPPED dropped, the error"

python3 "$ROOT/tests/otlp_receiver.py" "$R" "$T/rx" 2>"$T/rx.log" &
PIDS+=($!)
tm_wait_re exp "$url ok: logs 0 queued $QUEUED sent $DROPPED dropped, metrics [0-9]+ queued [1-9][0-9]* sent [0-9]+ dropped \\(last error: [a-z]+: POST "
echo "ok up: ok, logs 0 queued $QUEUED sent $DROPPED dropped, the last error"
check "records the collector holds" "$(python3 "$ROOT/tests/otlp_check.py" "$T/rx" count)" "$QUEUED"
