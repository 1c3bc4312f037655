// Overview: host KPIs against the SLOs, capture health, and live charts of every
// layer from monitoring/series (1 s points for 15 min, 1 min points for 24 h).

import { api, optional } from "../api.js";
import { h, kpi, level, panel, failure, table, badge } from "../dom.js";
import { dur, num, pct, rate, bytes } from "../format.js";
import { timeChart } from "../charts.js";

// SPEC §4 defaults; bottlenecks/thresholds overrides them when the daemon has it.
const DEFAULT_SLO = { api_p95_ms: 200, db_p95_ms: 100, page_load_ms: 3000 };
const RANGES = { "15m": { resolution: "1s", points: 900, every: 1000 }, "24h": { resolution: "1m", points: 1440, every: 15000 } };

const CHARTS = [
  { id: "syscall", title: "Syscalls: latency and rate", series: [
    { label: "p50", scale: "lat", key: (p) => p.syscall_p50_ns },
    { label: "p95", scale: "lat", key: (p) => p.syscall_p95_ns },
    { label: "p99", scale: "lat", key: (p) => p.syscall_p99_ns },
    { label: "calls", scale: "rate", key: (p) => p.syscalls_per_s },
    { label: "errors", scale: "rate", key: (p) => p.syscall_errors_per_s }] },
  { id: "network", title: "Network: request→response RTT and rates", series: [
    { label: "rtt p50", scale: "lat", key: (p) => p.net_rtt_p50_ns },
    { label: "rtt p95", scale: "lat", key: (p) => p.net_rtt_p95_ns },
    { label: "rtt p99", scale: "lat", key: (p) => p.net_rtt_p99_ns },
    { label: "round trips", scale: "rate", key: (p) => p.net_round_trips_per_s },
    { label: "connects", scale: "rate", key: (p) => p.net_connects_per_s },
    { label: "retransmits", scale: "rate", key: (p) => p.net_retransmits_per_s }] },
  { id: "database", title: "Database: p95 and queries", series: [
    { label: "p95", scale: "lat", key: (p) => p.db_p95_ns },
    { label: "queries", scale: "rate", key: (p) => p.db_ops_per_s },
    { label: "errors", scale: "rate", key: (p) => p.db_errors_per_s }] },
  { id: "http", title: "HTTP: p95 and requests", series: [
    { label: "p95", scale: "lat", key: (p) => p.http_p95_ns },
    { label: "requests", scale: "rate", key: (p) => p.http_requests_per_s },
    { label: "5xx", scale: "rate", key: (p) => p.http_5xx_per_s }] },
  { id: "system", title: "System: CPU and pressure", series: [
    { label: "cpu", scale: "pct", key: (p) => p.system?.cpu_percent },
    { label: "iowait", scale: "pct", key: (p) => p.system?.iowait_percent },
    { label: "psi cpu", scale: "pct", key: (p) => p.system?.psi_cpu_some },
    { label: "psi mem", scale: "pct", key: (p) => p.system?.psi_mem_some },
    { label: "psi io", scale: "pct", key: (p) => p.system?.psi_io_some }] },
];

function mount(root, params, app) {
  let range = RANGES[params.range] ? params.range : "15m";
  let points = [];
  let slo = { ...DEFAULT_SLO };
  let lastFull = 0;

  const kpis = h("div", { class: "kpis", "data-panel": "kpis" });
  const health = panel("Capture health");
  const rangeSel = h("div", { class: "seg", role: "group", "aria-label": "range" },
    Object.keys(RANGES).map((r) => h("button", { type: "button", "data-range": r, "aria-pressed": String(r === range),
      onclick: () => { range = r; app.setParams({ range: r === "15m" ? null : r }); syncRange(); load(true); } },
      r === "15m" ? "15 min" : "24 h")));
  const charts = CHARTS.map((c) => timeChart(c));
  const chartBox = h("div", { class: "charts" }, charts.map((c) => c.el));
  root.append(kpis, h("div", { class: "row-head" }, h("h2", {}, "Live"), rangeSel), chartBox, health.el);

  function syncRange() {
    for (const b of rangeSel.children) b.setAttribute("aria-pressed", String(b.dataset.range === range));
  }

  optional("/bottlenecks/thresholds").then((t) => { if (t) slo = { ...slo, ...t }; }).catch(() => {});

  async function load(full) {
    const cfg = RANGES[range];
    // A full read at mount or range change, then only the newest points.
    const fetchAll = full || !points.length || Date.now() - lastFull > 10 * 60 * 1000;
    const s = await api(`/monitoring/series?resolution=${cfg.resolution}&limit=${fetchAll ? cfg.points : 10}`);
    if (fetchAll) {
      points = s.points;
      lastFull = Date.now();
    } else {
      const last = points.length ? points[points.length - 1].ts_ms : 0;
      points = points.concat(s.points.filter((p) => p.ts_ms > last));
      if (points.length > cfg.points) points = points.slice(points.length - cfg.points);
    }
    charts.forEach((c) => c.set(points));
  }

  function renderKpis(sum, frontend) {
    const sys = sum.system || {};
    const memPct = sys.mem_total_bytes ? (100 * sys.mem_used_bytes) / sys.mem_total_bytes : null;
    const apiP95 = sum.http?.available === false ? null : sum.http?.last_minute?.p95_ns;
    const dbP95 = sum.database?.available === false ? null : sum.database?.last_minute?.p95_ns;
    const pages = frontend?.available === false ? [] : frontend?.metrics || [];
    const load = pages.length ? Math.max(...pages.map((p) => p.load_p75_ms || 0)) : null;
    const probes = sum.status?.probes || [];
    const failed = probes.filter((p) => p.state === "failed").length;
    kpis.replaceChildren(
      kpi("API p95 (1 min)", apiP95 ? dur(apiP95) : sum.http?.available === false ? "not captured" : "no requests",
        { id: "api-p95", level: level(apiP95 / 1e6, slo.api_p95_ms), note: "SLO < " + slo.api_p95_ms + " ms" }),
      kpi("DB p95 (1 min)", dbP95 ? dur(dbP95) : sum.database?.available === false ? "not captured" : "no queries",
        { id: "db-p95", level: level(dbP95 / 1e6, slo.db_p95_ms), note: "SLO < " + slo.db_p95_ms + " ms" }),
      kpi("page load p75", load != null ? dur(load * 1e6) : "not captured",
        { id: "page-load", level: level(load, slo.page_load_ms), note: "SLO < " + slo.page_load_ms / 1000 + " s" }),
      kpi("CPU", pct(sys.cpu_percent), { id: "cpu", level: level(sys.cpu_percent, 90), note: "steal " + pct(sys.steal_percent) }),
      kpi("memory", pct(memPct), { id: "mem", level: level(memPct, 95), note: bytes(sys.mem_used_bytes) + " of " + bytes(sys.mem_total_bytes) }),
      kpi("PSI some (cpu/mem/io)", sys.psi_available === false ? "n/a"
        : [sys.psi_cpu_some, sys.psi_mem_some, sys.psi_io_some].map((v) => (v ?? 0).toFixed(1)).join(" / "),
        { id: "psi", level: level(Math.max(sys.psi_mem_some || 0, sys.psi_io_some || 0), 10), note: "% of time stalled, 10 s" }),
      kpi("syscalls", rate(sum.syscalls?.rate_per_s), { id: "syscalls", note: "p95 " + dur(sum.syscalls?.last_minute?.p95_ns) + " (1 min)" }),
      kpi("capture", sum.status?.state || "–", { id: "capture", level: sum.status?.state === "running" ? "ok" : "bad",
        note: failed ? failed + " probe(s) failed" : probes.length + " probes" }),
      kpi("dropped events", num(sum.capture?.dropped_total), { id: "drops", level: sum.capture?.dropped_total ? "warn" : "ok",
        note: "since start" }));
  }

  function renderHealth(st) {
    const control = app.canMutate
      ? h("button", { type: "button", "data-mutating": "capture", onclick: async (ev) => {
          ev.target.disabled = true;
          try { await api("/monitoring/" + (st.running ? "stop" : "start"), { method: "POST" }); } catch (e) { alert(e.message); }
          refresh();
        } }, st.running ? "stop capture" : "start capture")
      : null;
    health.set(
      h("p", { class: "meta" }, badge(st.state), ` hostscoped ${st.version}, pid ${st.pid}, up ${Math.round(st.uptime_s / 60)} min,
        ${st.processes?.live ?? 0} live / ${st.processes?.exited ?? 0} exited processes `, control),
      table([
        { label: "probe", value: (p) => p.name },
        { label: "state", value: (p) => badge(p.state) },
        { label: "variant", value: (p) => p.variant || "" },
        { label: "map fill", num: true, value: (p) => (p.max_entries ? pct((100 * p.entries) / p.max_entries) : "–") },
        { label: "dropped", num: true, value: (p) => num(p.dropped_total) },
        { label: "reason", value: (p) => p.reason || "" },
      ], st.probes || []));
  }

  async function refresh() {
    try {
      const [sum, frontend] = await Promise.all([api("/monitoring/summary"),
        api("/monitoring/metrics?type=frontend").catch(() => null), load(false)]);
      renderKpis(sum, frontend);
      renderHealth(sum.status);
    } catch (e) {
      kpis.replaceChildren(failure(e, "Summary"));
    }
  }

  return {
    refresh,
    get every() { return RANGES[range].every; },
    rebuild: () => charts.forEach((c) => c.rebuild()),
    destroy: () => charts.forEach((c) => c.destroy()),
  };
}

export default { title: "Overview", mount };
