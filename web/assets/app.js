// SPDX-License-Identifier: MIT
// sitrep's web page: KPI tiles, charts, services, insights and the live
// event log.  Live data comes over /api/stream read with fetch() (so the
// bearer token can be sent; EventSource cannot), reconnecting by itself
// with Last-Event-ID.  No framework; Chart.js when /chart.js loads.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const LOG_MAX = 200;
  const LIVE_POINTS = 300;
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

  // ---- formatting -----------------------------------------------------
  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : 1) : digits;
    return Number(v).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
  }
  function bytes(v) {
    if (v === null || v === undefined) return "–";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return num(v, 1) + " " + u[i];
  }
  function withUnit(v, unit) {
    if (v === null || v === undefined) return "–";
    if (unit === "bytes") return bytes(v);
    if (unit === "bytes/s") return bytes(v) + "/s";
    return num(v) + (unit ? (unit === "%" ? "%" : " " + unit) : "");
  }
  function hhmmss(ms) {
    const d = new Date(ms);
    return d.toLocaleTimeString("en-GB", { hour12: false });
  }
  function timeTick(span) {
    return (v) => {
      const d = new Date(v);
      if (span > 2 * 86400e3) return d.toLocaleDateString("en-GB", { month: "short", day: "numeric" }) + " " + d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      if (span > 3600e3) return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
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
          x: { type: "linear", ticks: { color: fg, maxTicksLimit: 6, callback: timeTick(300e3) }, grid: { color: "rgba(128,128,128,.15)" } },
          y: { beginAtZero: true, ticks: { color: fg, maxTicksLimit: 5, callback: (v) => num(v) }, grid: { color: "rgba(128,128,128,.15)" } },
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
    for (const k of ["net", "disk"]) if (state.charts[k]) state.charts[k].options.scales.y.ticks.callback = (v) => bytes(v);
  }
  function setChart(c, arrays, span, labels) {
    if (!c) return;
    arrays.forEach((a, i) => {
      const ds = c.data.datasets[i];
      ds.data = a;
      if (!ds.label0) ds.label0 = ds.label;
      ds.label = labels && labels[i] ? labels[i] : ds.label0;
      ds.hidden = labels ? labels[i] === null : false;
    });
    c.options.scales.x.ticks.callback = timeTick(span);
    c.update("none");
  }
  function liveCharts() {
    const L = state.live, pts = (a) => L.t.map((t, i) => ({ x: t, y: a[i] }));
    setChart(state.charts.cpu, [pts(L.cpu), pts(L.mem)], 300e3);
    // the overview carries totals only: rx+tx, read+write
    setChart(state.charts.net, [pts(L.rx), pts(L.tx)], 300e3, ["rx+tx", null]);
    setChart(state.charts.disk, [pts(L.rd), pts(L.wr)], 300e3, ["read+write", null]);
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
    for (const k in L) if (L[k].length > LIVE_POINTS) L[k].shift();
  }
  async function historyCharts(hours) {
    const p = await api("/api/metrics/performance?hours=" + hours);
    const s = p.series, span = hours * 3600e3;
    const pts = (x) => (x ? x.points.map((q) => ({ x: q[0], y: q[2] })) : []);
    setChart(state.charts.cpu, [pts(s.cpu_busy_pct), pts(s.mem_used_pct)], span);
    setChart(state.charts.net, [pts(s.net_rx_bytes_per_s), pts(s.net_tx_bytes_per_s)], span);
    setChart(state.charts.disk, [pts(s.disk_read_bytes_per_s), pts(s.disk_write_bytes_per_s)], span);
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
  function pct(v) { return v === null || v === undefined ? "–" : num(v * 100, 1) + "%"; }
  function renderServices(d) {
    if (d) lastServices = d;
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
      for (const v of [num(w.requests, 0), num(w.req_per_s, 2), pct(w.rate_4xx), pct(w.rate_5xx), num(w.p50_ms), num(w.p95_ms), num(w.p99_ms)]) tr.appendChild(el("td", null, v));
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
      d.appendChild(el("p", { class: "muted" }, "confidence " + num(i.confidence * 100, 0) + "% · value " + num(i.value) + (i.threshold !== null ? " · threshold " + num(i.threshold) : "") + (i.since ? " · since " + i.since : "")));
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
    for (const v of [ev.ts_ms ? hhmmss(ev.ts_ms) : "", ev.service || "", ev.endpoint || "", ev.status === null ? "" : String(ev.status), ev.latency_ms === null ? "" : num(ev.latency_ms), ev.message || ""]) tr.appendChild(el("td", null, v));
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
      pushLive(o);
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
