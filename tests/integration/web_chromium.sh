#!/usr/bin/env bash
# The web page in a real headless Chromium, driven by puppeteer-core: KPI
# tiles show the values the API gives for the same tick, the charts start
# with the last hour from the store and label no two time ticks alike,
# numbers are written as the console writes them, a POSTed event shows up
# in the live log, the LLM serving table shows a scraped server's models,
# no console errors, no horizontal scrolling at 375 px
# (with long endpoints and messages, open insights and expanded
# services), keyboard focus reaches the page, each chart has a text
# alternative, and axe-core finds no serious or critical violation in the
# light or the dark scheme.  Screenshots go to build/test-artifacts/.
# Skips (77; fails under CI=true) without chromium, node or npm, or when
# puppeteer-core and axe-core cannot be installed (they are cached in
# build/test-cache/, never committed).
source "$(dirname "$0")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium not installed"
command -v node >/dev/null || skip "node not installed"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE="$ROOT/build/test-cache/node"
ART="$ROOT/build/test-artifacts"
mkdir -p "$CACHE" "$ART"
AXE=4.10.2	# pinned: a new axe-core release may add rules
if [ ! -d "$CACHE/node_modules/puppeteer-core" ] ||
	! grep -q "\"version\": \"$AXE\"" "$CACHE/node_modules/axe-core/package.json" 2>/dev/null; then
	command -v npm >/dev/null || skip "npm not installed"
	(cd "$CACHE" && timeout 120 npm install --silent --no-audit --no-fund \
		puppeteer-core@23 "axe-core@$AXE" >/dev/null 2>&1) ||
		skip "cannot install puppeteer-core and axe-core"
fi

PORT=$(free_port)
B="http://127.0.0.1:$PORT"
"$SITREP" demo --fast --seed 1 --count 2000 > "$T/ev.jsonl"
# An hour of history in the store before the server starts: CPU samples
# every 30 s from 55 to 5 minutes ago (101 rows), which the charts must
# show from the first second.
"$SITREP" ingest --db "$T/db" </dev/null >/dev/null 2>&1 || fail "cannot create the database"
now_ms=$(( $(date +%s) * 1000 ))
sqlite3 "$T/db" "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i
	WHERE n < 100) INSERT INTO samples(name, ts, value) SELECT
	'cpu.total.busy_pct', $now_ms - 3300000 + n * 30000, 10 + n % 7 FROM i;"
HIST=$(sqlite3 "$T/db" "SELECT count(*) FROM samples WHERE name = 'cpu.total.busy_pct'")
check "history rows" "$HIST" 101
# A vLLM-named scrape target, so the LLM serving table is on the page for
# the checks below (figures: tests/integration/llm_target.py).
TPORT=$(free_port)
python3 "$(dirname "$0")/llm_target.py" "$TPORT" 2>"$T/target.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$TPORT/metrics"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --accept-events \
	--source - --source "prom:http://127.0.0.1:$TPORT/metrics#every=1s" \
	< "$T/ev.jsonl" 2> "$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"

DEADLINE_MS=2000
[ "${SAN:-0}" = 1 ] && DEADLINE_MS=6000

cat > "$T/drive.js" <<'EOF'
const puppeteer = require("puppeteer-core");
const [chrome, base, art, deadline, profile, hist, histNow] = process.argv.slice(2);
// axe-core runs through DevTools (the page's CSP rightly blocks an
// injected script tag).
const axeSrc = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
// axe-core's serious and critical violations on the page as it is now.
async function axeCheck(page, what) {
  await page.evaluate(axeSrc);
  const v = await page.evaluate(async () => {
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((x) => x.impact === "serious" || x.impact === "critical")
      .map((x) => x.id + " (" + x.impact + "): " + x.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
  });
  if (v.length) fail("axe-core, " + what + ": " + v.join(" | "));
  console.log("ok axe-core: no serious or critical violation, " + what);
}
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
(async () => {
  const browser = await puppeteer.launch({
    executablePath: chrome, headless: true, userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-dev-shm-usage"],
  });
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => { if (!r.url().endsWith("/api/stream")) errors.push("request failed: " + r.url()); });
    await page.setViewport({ width: 1280, height: 1000 });
    await page.goto(base + "/", { waitUntil: "domcontentloaded" });
    await page.waitForSelector("#tiles .tile", { timeout: 10000 });

    // Keyboard: the first Tab reaches the skip link, then the controls.
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.className);
    if (focused !== "skip") fail("first Tab focuses '" + focused + "'");
    console.log("ok keyboard");

    // Tiles equal the API's overview of the same tick (bounded retries).
    let same = null;
    for (let i = 0; i < 40 && !same; i++) {
      same = await page.evaluate(async () => {
        const o = await (await fetch("/api/metrics/overview")).json();
        const box = document.getElementById("tiles");
        if (String(o.tick) !== box.dataset.tick) return null;
        const dom = {};
        for (const t of box.querySelectorAll(".tile")) dom[t.dataset.kpi] = t.dataset.value;
        return { api: o.kpis.map((k) => [k.id, k.value === null ? "" : String(k.value)]), dom };
      });
      if (!same) await new Promise((r) => setTimeout(r, 100));
    }
    if (!same) fail("page never showed the API's tick");
    for (const [id, v] of same.api) {
      if (same.dom[id] !== v) fail(`tile ${id}: page ${same.dom[id]}, API ${v}`);
    }
    console.log(`ok ${same.api.length} tiles equal the API`);

    // A chart is drawn: Chart.js owns the canvas and painted pixels.
    await page.waitForFunction(() => {
      const c = document.getElementById("c-cpu");
      if (typeof Chart === "undefined" || !Chart.getChart(c)) return false;
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
      return false;
    }, { timeout: 10000 });
    console.log("ok chart drawn");

    // Backfill: the live window holds the store's last hour at once (every
    // history row older than the server), and no two time ticks read alike.
    const bf = await page.evaluate((histNow) => {
      const out = {};
      for (const id of ["c-cpu", "c-net", "c-disk"]) {
        const c = Chart.getChart(document.getElementById(id));
        const labels = c.scales.x.ticks.map((t) => t.label);
        out[id] = { labels, dup: labels.filter((l, i) => labels.indexOf(l) !== i),
          aria: c.canvas.getAttribute("aria-label") };
      }
      const d = Chart.getChart(document.getElementById("c-cpu")).data.datasets[0].data;
      out.old = d.filter((p) => p.x <= Number(histNow) - 5 * 60e3 + 1).length;
      out.first = d.length ? Number(histNow) - d[0].x : 0;
      return out;
    }, histNow);
    if (bf.old !== Number(hist)) fail(`CPU chart holds ${bf.old} points from the store's hour, want ${hist}`);
    if (bf.first < 54 * 60e3) fail("CPU chart starts only " + Math.round(bf.first / 60e3) + " min back");
    console.log(`ok charts backfilled: ${bf.old} stored points, from ${Math.round(bf.first / 60e3)} min back`);
    for (const id of ["c-cpu", "c-net", "c-disk"]) {
      if (bf[id].labels.length < 3) fail(id + ": only " + bf[id].labels.length + " time ticks");
      if (bf[id].dup.length) fail(id + ": repeated time ticks " + bf[id].dup.join(", ") + " in " + bf[id].labels.join(" "));
      if (!/: .*\d/.test(bf[id].aria || "")) fail(id + ": no text alternative with values: " + bf[id].aria);
    }
    console.log("ok time ticks unique: " + bf["c-cpu"].labels.join(" "));
    console.log("ok chart text alternative: " + bf["c-cpu"].aria);

    // A posted event shows up in the log.
    const msg = "browser-check-" + Date.now();
    const t0 = Date.now();
    const r = await page.evaluate(async (m) => {
      const x = await fetch("/api/events", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ service: "chromium", status: 500, message: m }) });
      return x.status;
    }, msg);
    if (r !== 202) fail("POST /api/events: " + r);
    await page.waitForFunction((m) => [...document.querySelectorAll("#log tbody td")].some((td) => td.textContent === m),
      { timeout: Number(deadline), polling: 50 }, msg).catch(() => fail(`posted event not in the log within ${deadline} ms`));
    console.log(`ok posted event in the log after ${Date.now() - t0} ms`);

    // Filter hides what does not match.
    await page.type("#filter", msg);
    const shown = await page.evaluate(() => [...document.querySelectorAll("#log tbody tr")].filter((tr) => !tr.hidden).length);
    if (shown !== 1) fail("filter shows " + shown + " rows");
    console.log("ok filter");
    await page.$eval("#filter", (e) => { e.value = ""; e.dispatchEvent(new Event("input")); });

    // Services: the console's columns over the 5 min window; a click on a
    // service lists its endpoints (as many as /api/services gives).
    const sv = await page.evaluate(async () => {
      const d = await (await fetch("/api/services")).json();
      const s0 = d.services.find((s) => s.endpoints.length > 0);
      const b = [...document.querySelectorAll("#services .disclose")].find((x) => x.textContent.slice(2) === s0.name);
      if (!b) return { err: "no row for " + s0.name };
      b.click();
      const rows = [...document.querySelectorAll("#services tbody tr")];
      const i = rows.findIndex((r) => r.querySelector(".disclose") && r.querySelector(".disclose").textContent.slice(2) === s0.name);
      let n = 0;
      for (let j = i + 1; j < rows.length && rows[j].classList.contains("ep"); j++) n++;
      return { name: s0.name, want: s0.endpoints.length, got: n,
        expanded: rows[i].querySelector(".disclose").getAttribute("aria-expanded"),
        reqs: rows[i].cells[1].textContent, api: s0.windows["5m"].requests.toLocaleString("en-US") };
    });
    if (sv.err) fail(sv.err);
    if (sv.got !== sv.want || sv.expanded !== "true") fail(`endpoints of ${sv.name}: ${sv.got} rows, want ${sv.want}`);
    console.log(`ok ${sv.name} lists its ${sv.got} endpoints on click`);
    // the services list is refetched every 5 s: the same or a later tick
    if (sv.reqs === "") fail("no request count for " + sv.name);
    console.log(`ok ${sv.name} requests (5m): page ${sv.reqs}, API ${sv.api}`);

    // Numbers as the console writes them: the p95 column is the API's
    // p95_ms through the shared formatter (ms, s or min with its unit).
    const p95 = await page.evaluate(async () => {
      const d = await (await fetch("/api/services")).json();
      const rows = [...document.querySelectorAll("#services tbody tr.svc")];
      return rows.map((r) => {
        const s = d.services.find((x) => x.name === r.querySelector(".disclose").textContent.slice(2));
        return { page: r.cells[6].textContent, want: sitrepFmt.ms(s.windows["5m"].p95_ms) };
      });
    });
    if (!p95.length) fail("no service rows");
    for (const x of p95) if (!/^-$|^[0-9.]+ (us|ms|s|min)$/.test(x.page)) fail("p95 cell '" + x.page + "' is not a latency with its unit");
    console.log("ok p95 cells written as the console writes them: " + p95.map((x) => x.page).join(", "));

    // The LLM serving table, shown with the target's two models, as the
    // console writes the figures.
    await page.waitForFunction(() => !document.getElementById("llm").hidden &&
      document.querySelectorAll("#llmtab tbody tr").length === 2, { timeout: 15000 });
    const llmRow = await page.evaluate(() => [...document.querySelectorAll("#llmtab tbody tr")[0].cells].map((c) => c.textContent));
    if (llmRow[0] !== "org/model.v1" || llmRow[3] !== "42.0%") fail("LLM serving row: " + llmRow.join(" | "));
    console.log("ok LLM serving table: " + llmRow.join(" | "));

    await page.screenshot({ path: art + "/web-1280.png", fullPage: true });
    await axeCheck(page, "light scheme");

    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await page.screenshot({ path: art + "/web-1280-dark.png", fullPage: true });
    await axeCheck(page, "dark scheme");

    // The states that could widen a phone's page: a very long endpoint and
    // message without spaces, every insight open, every service expanded.
    const long = "/v1/" + "x".repeat(300), msg2 = "m".repeat(600);
    await page.evaluate(async (ep, m) => {
      await fetch("/api/events", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ service: "s-" + "y".repeat(120), endpoint: ep, status: 503, latency_ms: 6668, message: m }) });
    }, long, msg2);
    await page.waitForFunction((m) => [...document.querySelectorAll("#log tbody td")].some((td) => td.textContent === m),
      { timeout: 10000, polling: 100 }, msg2).catch(() => fail("long event not in the log"));
    await page.evaluate(() => {
      for (const d of document.querySelectorAll("#insights details")) d.open = true;
      for (const b of document.querySelectorAll("#services .disclose[aria-expanded=false]:not([disabled])")) b.click();
    });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    await page.setViewport({ width: 375, height: 800 });
    await new Promise((r2) => setTimeout(r2, 300));
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    if (sw > 376) { const wide = await page.evaluate(() => [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 380).slice(0, 5).map((e) => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right))); fail("page is " + sw + " px wide at 375: " + wide.join(", ")); }
    await page.screenshot({ path: art + "/web-375.png", fullPage: true });
    console.log("ok 375 px without horizontal scroll");
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (bg === "rgb(247, 247, 245)") fail("dark mode ignored");
    await page.screenshot({ path: art + "/web-375-dark.png", fullPage: true });
    console.log("ok dark mode");
  } finally {
    await browser.close();
  }
  if (errors.length) fail("console errors: " + errors.join(" | "));
  console.log("ok no console errors");
})().catch((e) => fail(String(e)));
EOF
NODE_PATH="$CACHE/node_modules" timeout 120 node "$T/drive.js" "$CHROME" "$B" "$ART" \
	"$DEADLINE_MS" "$T/profile" "$HIST" "$now_ms" || { tail -5 "$T/serve.log"; fail "browser checks"; }
echo "web_chromium: all good (screenshots in $ART)"
