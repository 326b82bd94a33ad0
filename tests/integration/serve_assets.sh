#!/usr/bin/env bash
# The committed web/assets_gen.c matches web/assets/ (regenerate with
# web/embed.sh), and the server serves each asset byte for byte.
source "$(dirname "$0")/lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
"$ROOT/web/embed.sh" - > "$T/gen.c"
diff -u "$ROOT/web/assets_gen.c" "$T/gen.c" > "$T/diff" ||
	{ head -20 "$T/diff"; fail "web/assets_gen.c is stale: run web/embed.sh"; }
echo "ok assets_gen.c matches web/assets/"
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
