#!/usr/bin/env bash
# The server serves each file of web/assets/ byte for byte (make compiles
# them in through web/embed.sh), and / is index.html.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PORT=$(free_port)
"$SITREP" serve --db :memory: --no-system --listen "127.0.0.1:$PORT" </dev/null 2>"$T/log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/api/health"
for f in index.html app.js style.css; do
	curl -s -o "$T/$f" "http://127.0.0.1:$PORT/$f"
	cmp -s "$T/$f" "$ROOT/web/assets/$f" || fail "/$f differs from web/assets/$f"
	echo "ok /$f served as committed"
done
curl -s -o "$T/root" "http://127.0.0.1:$PORT/"
cmp -s "$T/root" "$ROOT/web/assets/index.html" || fail "/ is not index.html"
echo "ok / is index.html"
