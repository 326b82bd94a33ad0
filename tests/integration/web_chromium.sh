#!/usr/bin/env bash
# The web page in a real headless Chromium, driven by puppeteer-core: KPI
# tiles show the values the API gives for the same tick, a chart is drawn,
# a POSTed event shows up in the live log, no console errors, no horizontal
# scrolling at 375 px, keyboard focus reaches the page.  Screenshots go to
# build/test-artifacts/.  Skips (77) without chromium, node or npm, or
# when puppeteer-core cannot be installed (it is cached in
# build/test-cache/, never committed).
source "$(dirname "$0")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium not installed"
command -v node >/dev/null || skip "node not installed"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE="$ROOT/build/test-cache/node"
ART="$ROOT/build/test-artifacts"
mkdir -p "$CACHE" "$ART"
if [ ! -d "$CACHE/node_modules/puppeteer-core" ]; then
	command -v npm >/dev/null || skip "npm not installed"
	(cd "$CACHE" && timeout 120 npm install --silent --no-audit --no-fund \
		puppeteer-core@23 >/dev/null 2>&1) || skip "cannot install puppeteer-core"
fi

PORT=$(free_port)
B="http://127.0.0.1:$PORT"
"$SITREP" demo --fast --seed 1 --count 2000 > "$T/ev.jsonl"
"$SITREP" serve --db "$T/db" --listen "127.0.0.1:$PORT" --accept-events \
	< "$T/ev.jsonl" 2> "$T/serve.log" &
PIDS+=($!)
wait_http "$B/api/health"

DEADLINE_MS=2000
[ "${SAN:-0}" = 1 ] && DEADLINE_MS=6000

cat > "$T/drive.js" <<'EOF'
const puppeteer = require("puppeteer-core");
const [chrome, base, art, deadline, profile] = process.argv.slice(2);
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

    await page.screenshot({ path: art + "/web-1280.png", fullPage: true });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await page.screenshot({ path: art + "/web-1280-dark.png", fullPage: true });
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
NODE_PATH="$CACHE/node_modules" timeout 90 node "$T/drive.js" "$CHROME" "$B" "$ART" \
	"$DEADLINE_MS" "$T/profile" || { tail -5 "$T/serve.log"; fail "browser checks"; }
echo "web_chromium: all good (screenshots in $ART)"
