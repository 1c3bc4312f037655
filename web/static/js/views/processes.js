// Processes: every process seen (live and exited); one process's syscalls by total
// time with percentiles, and the latency histogram of a syscall for its command
// (read from the Prometheus exposition, where buckets are exact).

import { api, auth } from "../api.js";
import { h, panel, table, failure, empty, badge } from "../dom.js";
import { dur, num, bytes, ago } from "../format.js";

// Buckets of one (comm, syscall) from /metrics: [{le, count}] non-cumulative.
// The exposition holds every command's histograms: read it at most every 10 s.
let exposition = { at: 0, text: "" };

async function histogram(comm, syscall) {
  if (Date.now() - exposition.at > 10000) {
    const r = await fetch("/metrics", { headers: auth.headers(), cache: "no-store" });
    if (!r.ok) throw new Error("/metrics answered " + r.status);
    exposition = { at: Date.now(), text: await r.text() };
  }
  const text = exposition.text;
  const out = [];
  let prev = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("hostscope_syscall_duration_seconds_bucket{")) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.comm !== comm || labels.syscall !== syscall) continue;
    const cum = Number(line.slice(line.lastIndexOf(" ") + 1));
    out.push({ le: labels.le, count: cum - prev });
    prev = cum;
  }
  return out;
}

function bars(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const label = (le) => (le === "+Inf" ? "> last" : "≤ " + dur(Number(le) * 1e9));
  // Leading and trailing empty buckets carry no information.
  let a = buckets.findIndex((b) => b.count > 0), z = buckets.length - 1;
  while (z > a && buckets[z].count === 0) z--;
  if (a < 0) return empty("No samples in the histogram yet");
  return h("div", { class: "hist", "data-histogram": "" }, buckets.slice(a, z + 1).map((b) =>
    h("div", { class: "bar", title: num(b.count) + " calls " + label(b.le) },
      h("span", { class: "bl" }, label(b.le)),
      h("span", { class: "bt" }, h("span", { class: "bf", style: `width:${(100 * b.count) / max}%` })),
      h("span", { class: "bn" }, num(b.count)))));
}

function mount(root, params, app) {
  let pid = params.pid ? Number(params.pid) : null;
  let comm = params.comm || "";
  let picked = params.syscall || "";
  let exited = params.exited === "1";

  const filter = h("input", { type: "search", placeholder: "filter by command", value: comm, "aria-label": "filter by command",
    oninput: () => { comm = filter.value.trim(); app.setParams({ comm, pid, exited: exited ? 1 : null }); refresh(); } });
  const showExited = h("label", { class: "check" }, h("input", { type: "checkbox", checked: exited,
    onchange: (ev) => { exited = ev.target.checked; app.setParams({ comm, pid, exited: exited ? 1 : null }); refresh(); } }), " exited");
  const list = panel("Processes", filter, showExited);
  list.el.classList.add("scroll");
  const detail = panel("Syscalls");
  const hist = panel("Latency histogram");
  const top = panel("Top syscalls by total time (host)");
  root.append(h("div", { class: "split" }, list.el, h("div", {}, detail.el, hist.el, top.el)));

  function select(p) {
    pid = p.pid;
    picked = "";
    app.setParams({ comm, pid, exited: exited ? 1 : null });
    refresh();
  }

  async function drawHist(meta, rows) {
    const call = picked || rows[0]?.syscall;
    if (!meta || !call) return hist.set(empty("Pick a process", "its busiest syscall's histogram shows here"));
    try {
      hist.set(h("p", { class: "meta" }, `${call} in every process named ${meta.comm} (since start)`),
        bars(await histogram(meta.comm, call)));
    } catch (e) {
      hist.set(failure(e, "Histogram"));
    }
  }

  async function refresh() {
    try {
      const q = new URLSearchParams({ limit: "200" });
      if (comm) q.set("comm", comm.slice(0, 15));
      const [procs, sum] = await Promise.all([api("/processes?" + q), api("/monitoring/summary?limit=15")]);
      // Exited processes stay for the retention window: listed only on request.
      const rows = procs.processes.filter((p) => exited || !p.exited || p.pid === pid).sort((a, b) => b.total_ns - a.total_ns);
      list.set(rows.length ? table([
        { label: "pid", num: true, value: (p) => String(p.pid) },
        { label: "command", value: (p) => [p.comm, p.exited ? badge("exited") : null] },
        { label: "syscalls", num: true, value: (p) => num(p.syscalls) },
        { label: "time", num: true, value: (p) => dur(p.total_ns) },
        { label: "errors", num: true, value: (p) => num(p.errors) },
        { label: "rss", num: true, value: (p) => (p.rss_bytes ? bytes(p.rss_bytes) : "–") },
      ], rows, { onRow: select, rowClass: (p) => (p.pid === pid ? "selected" : null), class: "procs" })
        : empty(comm ? "No process matches " + comm : "No process seen yet", "capture has not read its first interval"),
        h("p", { class: "meta" }, `${num(rows.length)} shown of ${num(procs.total)} processes`));
      top.set(table([
        { label: "syscall", value: (s) => s.syscall },
        { label: "count", num: true, value: (s) => num(s.count) },
        { label: "time", num: true, value: (s) => dur(s.total_ns) },
        { label: "p50", num: true, value: (s) => dur(s.p50_ns) },
        { label: "p99", num: true, value: (s) => dur(s.p99_ns) },
      ], sum.top_syscalls || []));

      if (!pid) {
        detail.set(empty("Pick a process", "its syscalls by total time show here"));
        return drawHist(null, []);
      }
      const [metrics, one] = await Promise.all([api(`/monitoring/metrics?type=syscall&pid=${pid}&limit=1000`),
        api(`/processes?pid=${pid}`)]);
      const meta = one.processes[0];
      const calls = metrics.metrics.slice().sort((a, b) => b.total_ns - a.total_ns);
      const total = calls.reduce((s, c) => s + c.total_ns, 0) || 1;
      detail.set(
        meta ? h("p", { class: "meta", "data-process": String(pid) }, h("strong", {}, `${meta.comm} (${pid})`),
          " ", meta.exe || "", meta.cmdline ? " — " + meta.cmdline : "", meta.container_id ? " · container " + meta.container_id.slice(0, 12) : "",
          meta.exited ? [" · ", badge("exited"), " ", ago(meta.exited_ms)] : "") : null,
        calls.length ? table([
          { label: "syscall", value: (c) => c.syscall },
          { label: "count", num: true, value: (c) => num(c.count) },
          { label: "errors", num: true, value: (c) => num(c.errors) },
          { label: "total", num: true, value: (c) => dur(c.total_ns) },
          { label: "share", value: (c) => h("span", { class: "share" }, h("span", { style: `width:${(100 * c.total_ns) / total}%` })) },
          { label: "p50", num: true, value: (c) => dur(c.p50_ns) },
          { label: "p95", num: true, value: (c) => dur(c.p95_ns) },
          { label: "p99", num: true, value: (c) => dur(c.p99_ns) },
          { label: "max", num: true, value: (c) => dur(c.max_ns) },
        ], calls, { onRow: (c) => { picked = c.syscall; app.setParams({ comm, pid, exited: exited ? 1 : null, syscall: picked }); drawHist(meta, calls); },
                    rowClass: (c) => (c.syscall === (picked || calls[0].syscall) ? "selected" : null), class: "syscalls" })
          : empty("No syscalls recorded for pid " + pid, "it may be filtered out or idle"));
      await drawHist(meta, calls);
    } catch (e) {
      list.set(failure(e, "Processes"));
    }
  }

  return { refresh, every: 3000 };
}

export default { title: "Processes", mount };
