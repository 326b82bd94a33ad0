// SPDX-License-Identifier: MIT
// sitrep's web page: KPI tiles, charts, services, insights and the live
// event log.  Live data comes over /api/stream read with fetch() (so the
// bearer token can be sent; EventSource cannot), reconnecting by itself
// with Last-Event-ID.  No framework; Chart.js when /chart.js loads.
"use strict";

// How numbers are written: the console's rules (tui/fmt.c), so the page
// and the console agree to the character.  tests/fixtures/fmt_cases.tsv
// holds the cases both are checked against (node loads this file as a
// module for that; in the browser it is the page's formatter).
const sitrepFmt = (function () {
  const NONE = "-";
  const bad = (v) => v === null || v === undefined || Number.isNaN(Number(v));
  function si(v) {
    if (bad(v)) return NONE;
    v = Number(v);
    let a = Math.abs(v), i = 0;
    if (a < 999.5) {
      if (a === 0 || a >= 100 || a === Math.floor(a)) return v.toFixed(0);
      if (a >= 10) return v.toFixed(1);
      return String(Number(v.toPrecision(2)));
    }
    while (a >= 999.5 && i < 5) { a /= 1000; v /= 1000; i++; }
    return (a < 9.95 ? v.toFixed(1) : v.toFixed(0)) + " kMGTP"[i];
  }
  function bytes(v, suffix) {
    if (bad(v)) return NONE;
    const units = ["B", "kB", "MB", "GB", "TB", "PB"];
    v = Number(v);
    let a = Math.abs(v), i = 0;
    while (a >= 999.5 && i < 5) { a /= 1000; v /= 1000; i++; }
    return (i === 0 || a >= 9.95 ? v.toFixed(0) : v.toFixed(1)) + " " + units[i] + (suffix || "");
  }
  function ms(v) {
    if (bad(v)) return NONE;
    v = Number(v);
    if (v < 1) return (v * 1000).toFixed(0) + " us";
    if (v < 9.95) return v.toFixed(1) + " ms";
    if (v < 999.5) return v.toFixed(0) + " ms";
    if (v < 59950) return (v / 1000).toFixed(v < 9995 ? 2 : 1) + " s";
    return (v / 60000).toFixed(1) + " min";
  }
  function duration(s) {
    s = Math.max(0, Math.trunc(Number(s) || 0));
    const p2 = (x) => String(x).padStart(2, "0");
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m " + p2(s % 60) + "s";
    if (s < 86400) return Math.floor(s / 3600) + "h " + p2(Math.floor(s % 3600 / 60)) + "m";
    return Math.floor(s / 86400) + "d " + Math.floor(s % 86400 / 3600) + "h";
  }
  function pct(v) {
    if (bad(v)) return NONE;
    v = Number(v);
    return (Math.abs(v) < 99.95 ? v.toFixed(1) : v.toFixed(0)) + "%";
  }
  // A value with its unit, as the console's tiles write it.
  function value(v, unit) {
    unit = unit || "";
    if (bad(v)) return NONE;
    if (unit === "%") return pct(v);
    if (unit === "bytes/s" || unit === "B/s") return bytes(v, "/s");
    if (unit === "bytes" || unit === "B") return bytes(v, "");
    if (unit === "ms") return ms(v);
    if (unit === "s") return duration(v);
    if (unit === "") return si(v);
    return si(v) + " " + unit;
  }
  return { si, bytes, ms, duration, pct, value, NONE };
})();
if (typeof module === "object" && module.exports) module.exports = sitrepFmt;

if (typeof document !== "undefined") (function () {
  const $ = (id) => document.getElementById(id);
  const LOG_MAX = 200;
  const LIVE_SPAN = 3600e3;	// the live window: the last hour
  const LIVE_POINTS = 4000;
  const TILE_POINTS = 120;
  const state = {
    token: sessionStorage.getItem("sitrep.token") || "",
    lastId: null,
    paused: false,
    live: { t: [], cpu: [], mem: [], rx: [], tx: [], rd: [], wr: [] },
    tileHist: {},	// KPI id -> values: ?history=1 once, then one per tick
    tileTick: -1,
    charts: {},
    streamAbort: null,
    authWaiting: false,
  };

  // ---- formatting (the console's rules: sitrepFmt above) ---------------
  const F = sitrepFmt;
  const withUnit = F.value;
  function hhmmss(ms) {
    const d = new Date(ms);
    return d.toLocaleTimeString("en-GB", { hour12: false });
  }
  // The time axis: a step from this list that gives at most 6 ticks, the
  // axis bounds rounded out to it, and labels as fine as the step (so no
  // two ticks read the same).
  const STEPS = [1e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3,
    900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3];
  function timeStep(span) {
    return STEPS.find((s) => span / s <= 6) || 86400e3 * Math.ceil(span / 6 / 86400e3);
  }
  function timeLabel(step) {
    return (v) => {
      const d = new Date(v);
      if (step >= 86400e3) return d.toLocaleDateString("en-GB", { month: "short", day: "numeric" });
      if (step >= 60e3) return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      return d.toLocaleTimeString("en-GB", { hour12: false });
    };
  }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // ---- HTTP with the token -----------------------------------------------
  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (state.token) h.Authorization = "Bearer " + state.token;
    return h;
  }
  async function api(path) {
    const r = await fetch(path, { headers: headers(), cache: "no-store" });
    if (r.status === 401) { askToken(); throw new Error("unauthorized"); }
    if (!r.ok) throw new Error(path + ": " + r.status);
    return r.json();
  }
  function askToken() {
    if (state.authWaiting) return;
    state.authWaiting = true;
    $("auth").hidden = false;
    $("token").focus();
    setLive("token needed", "bad");
  }
  $("auth").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("token").value.trim();
    sessionStorage.setItem("sitrep.token", state.token);
    $("auth").hidden = true;
    state.authWaiting = false;
    start();
  });
  function setLive(text, cls) {
    const l = $("live");
    l.textContent = text;
    l.className = "live " + (cls || "");
  }

  // ---- KPI tiles -------------------------------------------------------
  function spark(values) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 100 24");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    const vs = (values || []).filter((v) => v !== null);
    if (vs.length > 1) {
      const lo = Math.min(...vs), hi = Math.max(...vs), span = hi - lo || 1;
      const pts = [];
      values.forEach((v, i) => {
        if (v === null) return;
        pts.push((i * 100 / (values.length - 1)).toFixed(1) + "," + (22 - (v - lo) * 20 / span).toFixed(1));
      });
      const pl = document.createElementNS(ns, "polyline");
      pl.setAttribute("points", pts.join(" "));
      svg.appendChild(pl);
    }
    return svg;
  }
  function tileHistory(o) {
    const next = o.tick !== state.tileTick;
    state.tileTick = o.tick;
    for (const k of o.kpis) {
      if (Array.isArray(k.history)) { state.tileHist[k.id] = k.history.slice(-TILE_POINTS); continue; }
      const h = state.tileHist[k.id] || (state.tileHist[k.id] = []);
      if (next) { h.push(k.value); if (h.length > TILE_POINTS) h.shift(); }
    }
  }
  function renderTiles(o) {
    const box = $("tiles");
    box.textContent = "";
    box.dataset.tick = o.tick;
    tileHistory(o);
    for (const k of o.kpis) {
      const t = el("div", { class: "tile level" + (k.level || 0), "data-kpi": k.id, "data-value": k.value === null ? "" : String(k.value) });
      t.appendChild(el("div", { class: "label" }, k.label));
      t.appendChild(el("div", { class: "value" }, withUnit(k.value, k.unit)));
      if (k.unit2) t.appendChild(el("div", { class: "sub" }, withUnit(k.value2, k.unit2)));
      if (k.trend) {	// the TUI's rule: flat within 5 % of the previous window
        const arrow = { up: "↑", down: "↓", flat: "→" }[k.trend];
        t.appendChild(el("div", { class: "trend " + k.trend, title: "previous window: " + withUnit(k.prev, k.unit) }, arrow));
      }
      t.appendChild(spark(state.tileHist[k.id]));
      box.appendChild(t);
    }
    $("host").textContent = o.host && o.host.hostname ? o.host.hostname : "";
    $("clock").textContent = o.ts_ms ? hhmmss(o.ts_ms) : "";
  }

  // ---- charts ------------------------------------------------------------
  function makeChart(id, series) {
    if (typeof Chart === "undefined") return null;
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue("--muted").trim() || "#666";
    return new Chart($(id), {
      type: "line",
      data: { datasets: series.map((s) => ({ label: s.label, data: [], borderColor: s.color, backgroundColor: s.color, borderWidth: 1.5, pointRadius: 0, tension: 0.2, spanGaps: true })) },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", ticks: { color: fg, maxTicksLimit: 8, maxRotation: 0, callback: timeLabel(60e3) }, grid: { color: "rgba(128,128,128,.15)" } },
          y: { beginAtZero: true, ticks: { color: fg, maxTicksLimit: 5, callback: (v) => F.si(v) }, grid: { color: "rgba(128,128,128,.15)" } },
        },
        plugins: { legend: { labels: { color: fg, boxWidth: 10, filter: (it, d) => !d.datasets[it.datasetIndex].hidden } } },
      },
    });
  }
  function initCharts() {
    if (typeof Chart === "undefined") { $("nochart").hidden = false; return; }
    state.charts.cpu = makeChart("c-cpu", [{ label: "CPU %", color: "#e4572e" }, { label: "Memory %", color: "#4c8bf5" }]);
    state.charts.net = makeChart("c-net", [{ label: "rx", color: "#17bebb" }, { label: "tx", color: "#ffc914" }]);
    state.charts.disk = makeChart("c-disk", [{ label: "read", color: "#76b041" }, { label: "write", color: "#a06cd5" }]);
    for (const k of ["net", "disk"]) if (state.charts[k]) state.charts[k].options.scales.y.ticks.callback = (v) => F.bytes(v, "/s");
    if (state.charts.cpu) state.charts.cpu.options.scales.y.ticks.callback = (v) => F.pct(v);
  }
  // The chart's text alternative: each shown series' latest value.
  function describe(c, fmt, span) {
    const parts = [];
    for (const ds of c.data.datasets) {
      if (ds.hidden) continue;
      const last = ds.data.length ? ds.data[ds.data.length - 1].y : null;
      parts.push(ds.label + " " + fmt(last));
    }
    const n = c.data.datasets.reduce((m, ds) => Math.max(m, ds.data.length), 0);
    c.canvas.setAttribute("aria-label", c.canvas.dataset.title + ": " + parts.join(", ") +
      " (latest of " + n + " points over " + F.duration(span / 1000) + ")");
  }
  function setChart(c, arrays, span, labels, to) {
    if (!c) return;
    arrays.forEach((a, i) => {
      const ds = c.data.datasets[i];
      ds.data = a;
      if (!ds.label0) ds.label0 = ds.label;
      ds.label = labels && labels[i] ? labels[i] : ds.label0;
      ds.hidden = labels ? labels[i] === null : false;
    });
    const end = to || Date.now(), step = timeStep(span), x = c.options.scales.x;
    x.min = Math.floor((end - span) / step) * step;
    x.max = Math.ceil(end / step) * step;
    x.ticks.stepSize = step;
    x.ticks.callback = timeLabel(step);
    describe(c, c.options.scales.y.ticks.callback, span);
    c.update("none");
  }
  function liveCharts() {
    const L = state.live, pts = (a) => L.t.map((t, i) => ({ x: t, y: a[i] }));
    const to = L.t.length ? L.t[L.t.length - 1] : Date.now();
    setChart(state.charts.cpu, [pts(L.cpu), pts(L.mem)], LIVE_SPAN, null, to);
    // the overview carries totals only: rx+tx, read+write
    setChart(state.charts.net, [pts(L.rx), pts(L.tx)], LIVE_SPAN, ["rx+tx", null], to);
    setChart(state.charts.disk, [pts(L.rd), pts(L.wr)], LIVE_SPAN, ["read+write", null], to);
  }
  function kpi(o, id, second) {
    const k = o.kpis.find((x) => x.id === id);
    if (!k) return null;
    return second ? k.value2 : k.value;
  }
  function pushLive(o) {
    const L = state.live;
    L.t.push(o.ts_ms);
    L.cpu.push(kpi(o, "cpu"));
    L.mem.push(kpi(o, "mem"));
    const net = o.net || null;
    L.rx.push(net ? net.rx : kpi(o, "net"));
    L.tx.push(net ? net.tx : null);
    L.rd.push(kpi(o, "disk", true));
    L.wr.push(null);
    trimLive(o.ts_ms);
  }
  // Keep the live window's last hour (and never more than LIVE_POINTS).
  function trimLive(now) {
    const L = state.live;
    let drop = 0;
    while (drop < L.t.length && (L.t[drop] < now - LIVE_SPAN || L.t.length - drop > LIVE_POINTS)) drop++;
    if (drop) for (const k in L) L[k].splice(0, drop);
  }
  // The live window starts with the last hour from the store, so the
  // charts are full from the first second: the performance series (rx and
  // tx, read and write summed as the live totals are).
  async function backfill() {
    const p = await api("/api/metrics/performance?hours=" + LIVE_SPAN / 3600e3);
    const s = p.series, byTs = new Map();
    const add = (key, ser) => {
      if (!ser) return;
      for (const q of ser.points) {
        const r = byTs.get(q[0]) || { cpu: null, mem: null, rx: null, rd: null };
        r[key] = r[key] === null ? q[2] : r[key] + q[2];
        byTs.set(q[0], r);
      }
    };
    add("cpu", s.cpu_busy_pct);
    add("mem", s.mem_used_pct);
    add("rx", s.net_rx_bytes_per_s);
    add("rx", s.net_tx_bytes_per_s);
    add("rd", s.disk_read_bytes_per_s);
    add("rd", s.disk_write_bytes_per_s);
    const L = state.live, first = L.t.length ? L.t[0] : Infinity;
    const old = [...byTs.keys()].filter((t) => t < first).sort((a, b) => a - b);
    const pre = { t: old, cpu: [], mem: [], rx: [], tx: [], rd: [], wr: [] };
    for (const t of old) {
      const r = byTs.get(t);
      pre.cpu.push(r.cpu); pre.mem.push(r.mem); pre.rx.push(r.rx); pre.tx.push(null);
      pre.rd.push(r.rd); pre.wr.push(null);
    }
    for (const k in L) L[k] = pre[k].concat(L[k]);
  }
  async function historyCharts(hours) {
    const p = await api("/api/metrics/performance?hours=" + hours);
    const s = p.series, span = hours * 3600e3, to = p.to_ms || Date.now();
    const pts = (x) => (x ? x.points.map((q) => ({ x: q[0], y: q[2] })) : []);
    setChart(state.charts.cpu, [pts(s.cpu_busy_pct), pts(s.mem_used_pct)], span, null, to);
    setChart(state.charts.net, [pts(s.net_rx_bytes_per_s), pts(s.net_tx_bytes_per_s)], span, null, to);
    setChart(state.charts.disk, [pts(s.disk_read_bytes_per_s), pts(s.disk_write_bytes_per_s)], span, null, to);
  }
  $("window").addEventListener("change", () => {
    const v = $("window").value;
    if (v === "live") liveCharts();
    else historyCharts(Number(v)).catch(() => {});
  });

  // ---- services ----------------------------------------------------------
  // The console's table: one window for every column (default 5 min, as
  // the console), a req/s sparkline, endpoints listed under a service on click.
  const open = new Set();
  let lastServices = null;
  const ratio = (v) => (v === null || v === undefined ? F.NONE : F.pct(v * 100));
  function renderServices(d) {
    if (d) { lastServices = d; renderLlm(d); }
    d = lastServices;
    if (!d) return;
    const win = $("svcwin").value, tb = $("services").tBodies[0];
    tb.textContent = "";
    const row = (name, cls, w, hist, svc) => {
      const tr = el("tr", { class: cls });
      const th = el("th", { scope: "row" });
      if (svc) {
        const n = svc.endpoints ? svc.endpoints.length : 0;
        const b = el("button", { type: "button", class: "disclose", "aria-expanded": String(open.has(svc.name)), title: n + " endpoints" }, (open.has(svc.name) ? "▾ " : "▸ ") + name);
        if (!n) b.disabled = true;
        b.addEventListener("click", () => { if (open.has(svc.name)) open.delete(svc.name); else open.add(svc.name); renderServices(); });
        th.appendChild(b);
      } else th.textContent = name;
      tr.appendChild(th);
      for (const v of [F.si(w.requests), F.si(w.req_per_s), ratio(w.rate_4xx), ratio(w.rate_5xx), F.ms(w.p50_ms), F.ms(w.p95_ms), F.ms(w.p99_ms)]) tr.appendChild(el("td", null, v));
      const sp = el("td", { class: "spark" });
      if (hist) sp.appendChild(spark(hist));
      tr.appendChild(sp);
      if (w.rate_5xx > 0.05) tr.classList.add("bad");
      tb.appendChild(tr);
    };
    for (const s of d.services) {
      row(s.name, "svc", s.windows[win], s.history_req_per_s, s);
      if (open.has(s.name)) for (const e of s.endpoints || []) row(e.name, "ep", e.windows[win], null, null);
    }
    if (!d.services.length) {
      const tr = el("tr");
      tr.appendChild(el("td", { colspan: "9", class: "muted" }, "no requests yet"));
      tb.appendChild(tr);
    }
  }
  $("svcwin").addEventListener("change", () => renderServices());

  // ---- LLM serving (models of scraped LLM servers, /api/services) -------
  // Shown once a prom: source reads an LLM server; the figures are the
  // console's LLM serving panel's, as the server reports them.
  function renderLlm(d) {
    const rows = (d && d.llm_serving) || [];
    $("llm").hidden = rows.length === 0;
    const tb = $("llmtab").tBodies[0];
    tb.textContent = "";
    // the same model on two servers is two rows: a Server column (the
    // prom: source's job) once there is more than one server
    const multi = new Set(rows.map((m) => m.server)).size > 1;
    $("llmserver").hidden = !multi;
    for (const m of rows) {
      const tr = el("tr", { "data-model": m.model, "data-server": m.server });
      tr.appendChild(el("th", { scope: "row" }, m.model));
      if (multi) tr.appendChild(el("td", null, m.server));
      for (const v of [F.si(m.running), F.si(m.waiting), F.pct(m.kv_cache_pct), F.ms(m.ttft_p50_ms), F.ms(m.ttft_p95_ms), F.ms(m.e2e_p95_ms), F.si(m.prompt_tps), F.si(m.gen_tps), F.si(m.preempt_per_min)]) tr.appendChild(el("td", null, v));
      if (m.kv_cache_pct >= 90) tr.classList.add("bad");
      tb.appendChild(tr);
    }
  }

  // ---- hosts (/api/metrics/overview and the stream's overview) -----------
  // As the console's Hosts panel: shown once there is more than one host;
  // a node-exporter a prom: source scrapes is a row with its scrape state
  // (up, down, stale, and how long ago), this machine is "local".
  function renderHosts(o) {
    const rows = (o && o.hosts) || [];
    $("hostsec").hidden = rows.length < 2;
    const tb = $("hosts").tBodies[0];
    tb.textContent = "";
    const fig = (v, pct) => (v === null || v === undefined ? F.NONE : pct ? F.pct(v) : v.toFixed(2));
    for (const h of rows) {
      const sc = h.scrape, w = h["1m"] || {};
      const tr = el("tr", { "data-host": h.name });
      tr.appendChild(el("th", { scope: "row" }, h.name));
      tr.appendChild(el("td", null, sc ? sc.state + (sc.age_s !== null ? " " + sc.age_s + "s ago" : "") : h.local ? "local" : F.NONE));
      for (const v of [fig(h.cpu_pct, 1), fig(h.mem_pct, 1), fig(h.load1, 0), fig(h.fs_pct, 1)]) tr.appendChild(el("td", null, v));
      const none = !h.events;
      for (const v of [none ? F.NONE : F.si(w.req_per_s), none ? F.NONE : ratio(w.rate_5xx), none ? F.NONE : F.ms(w.p95_ms), F.si(h.events)]) tr.appendChild(el("td", null, v));
      if (sc && sc.state === "down") tr.classList.add("bad");
      tb.appendChild(tr);
    }
  }

  // ---- insights ----------------------------------------------------------
  const insights = new Map();
  function renderInsights() {
    const ul = $("insights");
    ul.textContent = "";
    const order = { firing: 0, pending: 1, resolved: 2 }, sev = { critical: 0, warning: 1, info: 2 };
    const list = [...insights.values()].sort((a, b) => (order[a.state] - order[b.state]) || (sev[a.severity] - sev[b.severity]));
    for (const i of list) {
      const li = el("li", { class: "ins " + i.severity + " " + i.state, "data-id": i.id });
      const d = el("details");
      const s = el("summary");
      s.appendChild(el("span", { class: "badge " + i.severity }, i.severity));
      s.appendChild(el("span", { class: "state" }, i.state));
      s.appendChild(el("span", { class: "title" }, i.title));
      d.appendChild(s);
      d.appendChild(el("p", null, i.description));
      if (i.recommendation) d.appendChild(el("p", { class: "rec" }, "→ " + i.recommendation));
      d.appendChild(el("p", { class: "muted" }, "confidence " + F.pct(i.confidence * 100) + " · value " + F.si(i.value) + (i.threshold !== null ? " · threshold " + F.si(i.threshold) : "") + (i.since ? " · since " + i.since : "")));
      li.appendChild(d);
      ul.appendChild(li);
    }
    if (!list.length) ul.appendChild(el("li", { class: "muted" }, "nothing to report"));
  }

  // ---- event log ---------------------------------------------------------
  function matches(ev, f) {
    if (!f) return true;
    if (/^[1-5]xx$/.test(f)) return ev.status !== null && String(ev.status)[0] === f[0];
    const hay = [ev.service, ev.endpoint, ev.message, ev.status, ev.type].join(" ").toLowerCase();
    return hay.includes(f);
  }
  function addEvent(ev) {
    const tb = $("log").tBodies[0];
    const tr = el("tr", { "data-seq": String(ev.seq || ev.id || ""), class: ev.error ? "bad" : "" });
    for (const v of [ev.ts_ms ? hhmmss(ev.ts_ms) : "", ev.service || "", ev.endpoint || "", ev.status === null ? "" : String(ev.status), ev.latency_ms === null ? "" : F.ms(ev.latency_ms), ev.message || ""]) tr.appendChild(el("td", null, v));
    tr.hidden = !matches(ev, $("filter").value.trim().toLowerCase());
    tr._ev = ev;
    tb.insertBefore(tr, tb.firstChild);
    while (tb.rows.length > LOG_MAX) tb.deleteRow(tb.rows.length - 1);
  }
  $("filter").addEventListener("input", () => {
    const f = $("filter").value.trim().toLowerCase();
    for (const tr of $("log").tBodies[0].rows) tr.hidden = !matches(tr._ev, f);
  });
  $("pause").addEventListener("click", () => {
    state.paused = !state.paused;
    $("pause").setAttribute("aria-pressed", String(state.paused));
    $("pause").textContent = state.paused ? "Resume" : "Pause";
  });

  // ---- the stream -----------------------------------------------------------
  function onMessage(type, data) {
    let d;
    try { d = JSON.parse(data); } catch (e) { return; }
    if (type === "overview") {
      renderTiles(d);
      renderHosts(d);
      pushLive(d);
      if ($("window").value === "live") liveCharts();
    } else if (type === "event") {
      if (!state.paused) addEvent(d);
    } else if (type === "insight") {
      insights.set(d.id, d);
      renderInsights();
    }
  }
  async function stream() {
    const ctl = new AbortController();
    state.streamAbort = ctl;
    const h = headers({ Accept: "text/event-stream" });
    if (state.lastId !== null) h["Last-Event-ID"] = state.lastId;
    const r = await fetch("/api/stream", { headers: h, signal: ctl.signal, cache: "no-store" });
    if (r.status === 401) { askToken(); return false; }
    if (!r.ok || !r.body) throw new Error("stream " + r.status);
    setLive("live", "ok");
    const reader = r.body.getReader(), dec = new TextDecoder();
    let buf = "", type = "message", data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, "");
        buf = buf.slice(nl + 1);
        if (line === "") {
          if (data.length) onMessage(type, data.join("\n"));
          type = "message"; data = [];
        } else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        else if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("id:")) state.lastId = line.slice(3).trim();
      }
    }
    return true;
  }
  async function streamForever() {
    for (;;) {
      try {
        if ((await stream()) === false) return;	// waiting for a token
      } catch (e) {
        if (state.authWaiting) return;
      }
      setLive("reconnecting", "warn");
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  // ---- start --------------------------------------------------------------
  async function start() {
    try {
      const h = await (await fetch("/api/health", { cache: "no-store" })).json();
      $("version").textContent = h.version || "";
      const [o, s, ins, ev] = await Promise.all([api("/api/metrics/overview?history=1"), api("/api/services"), api("/api/insights?state=all"), api("/api/events?limit=100&live=1")]);
      renderTiles(o);
      renderHosts(o);
      pushLive(o);
      await backfill().catch(() => {});
      renderServices(s);
      insights.clear();
      for (const i of ins.insights) insights.set(i.id, i);
      renderInsights();
      $("log").tBodies[0].textContent = "";
      for (const e of ev.events) addEvent(e);
      state.lastId = ev.cursor;
      if ($("window").value === "live") liveCharts();
      if (!state.timer) state.timer = setInterval(() => api("/api/services").then(renderServices).catch(() => {}), 5000);
      streamForever();
    } catch (e) {
      if (!state.authWaiting) { setLive("offline, retrying", "bad"); setTimeout(start, 2000); }
    }
  }
  initCharts();
  start();
})();
