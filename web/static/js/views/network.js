// Network: TCP per (process, remote) from monitoring/metrics?type=network, the
// remotes across processes, and the live sockets from network/connections.

import { api } from "../api.js";
import { h, panel, table, failure, empty, badge, level } from "../dom.js";
import { dur, num, bytes } from "../format.js";

function byRemote(rows) {
  const m = new Map();
  for (const r of rows) {
    const a = m.get(r.remote) || { remote: r.remote, procs: new Set(), connects: 0, connect_failures: 0, retransmits: 0,
                                   resets: 0, round_trips: 0, srtt_p99_ns: 0, rtt_p95_ns: 0, bytes: 0 };
    a.procs.add(r.comm);
    for (const k of ["connects", "connect_failures", "retransmits", "resets", "round_trips"]) a[k] += r[k] || 0;
    a.srtt_p99_ns = Math.max(a.srtt_p99_ns, r.srtt_p99_ns || 0);
    a.rtt_p95_ns = Math.max(a.rtt_p95_ns, r.rtt_p95_ns || 0);
    a.bytes += (r.bytes_sent || 0) + (r.bytes_received || 0);
    m.set(r.remote, a);
  }
  return [...m.values()].sort((a, b) => b.bytes - a.bytes || b.round_trips - a.round_trips);
}

function mount(root, params, app) {
  let comm = params.comm || "";
  const filter = h("input", { type: "search", placeholder: "filter by command", value: comm, "aria-label": "filter by command",
    oninput: () => { comm = filter.value.trim(); app.setParams({ comm }); refresh(); } });
  const flows = panel("TCP by process and remote", filter);
  const remotes = panel("Remotes");
  const conns = panel("Open connections");
  root.append(flows.el, h("div", { class: "split even" }, remotes.el, conns.el));

  async function refresh() {
    const q = comm ? "&comm=" + encodeURIComponent(comm.slice(0, 15)) : "";
    try {
      const m = await api("/monitoring/metrics?type=network&limit=300" + q);
      const rows = m.metrics.slice().sort((a, b) => b.round_trips + b.connects - (a.round_trips + a.connects));
      const note = m.available === false ? h("p", { class: "meta error" }, "network capture unavailable: " + (m.reason || "")) : null;
      flows.set(note, rows.length ? table([
        { label: "pid", num: true, value: (r) => String(r.pid) },
        { label: "command", value: (r) => r.comm },
        { label: "remote", value: (r) => [r.remote, r.direction ? " " : "", r.direction ? badge(r.direction, "muted") : null] },
        { label: "connects", num: true, value: (r) => num(r.connects) },
        { label: "failed", num: true, value: (r) => num(r.connect_failures) },
        { label: "connect p50", num: true, value: (r) => (r.connects ? dur(r.connect_p50_ns) : "–") },
        { label: "srtt p50", num: true, value: (r) => dur(r.srtt_p50_ns) },
        { label: "srtt p99", num: true, value: (r) => h("span", { class: level(r.srtt_p99_ns / 1e6, 200) }, dur(r.srtt_p99_ns)) },
        { label: "retrans", num: true, value: (r) => num(r.retransmits) },
        { label: "resets", num: true, value: (r) => num(r.resets) },
        { label: "round trips", num: true, value: (r) => num(r.round_trips) },
        { label: "rtt p95", num: true, value: (r) => (r.round_trips ? dur(r.rtt_p95_ns) : "–") },
        { label: "bytes", num: true, value: (r) => bytes((r.bytes_sent || 0) + (r.bytes_received || 0)) },
      ], rows) : empty("No TCP traffic recorded yet", comm ? "for commands matching " + comm : "connections appear once a process talks TCP"));
      const rem = byRemote(rows).slice(0, 50);
      remotes.set(rem.length ? table([
        { label: "remote", value: (r) => r.remote },
        { label: "processes", value: (r) => [...r.procs].slice(0, 4).join(", ") },
        { label: "connects", num: true, value: (r) => num(r.connects) },
        { label: "retrans", num: true, value: (r) => num(r.retransmits) },
        { label: "srtt p99", num: true, value: (r) => dur(r.srtt_p99_ns) },
        { label: "rtt p95", num: true, value: (r) => (r.round_trips ? dur(r.rtt_p95_ns) : "–") },
      ], rem) : empty("No remotes yet"));
    } catch (e) {
      flows.set(failure(e, "Network metrics"));
      remotes.set();
    }
    try {
      const c = await api("/network/connections?limit=200" + q);
      const list = c.connections || [];
      conns.set(list.length ? table([
        { label: "pid", num: true, value: (r) => (r.pid ? String(r.pid) : "–") },
        { label: "command", value: (r) => r.comm || "" },
        { label: "local", value: (r) => r.local },
        { label: "remote", value: (r) => r.remote },
        { label: "state", value: (r) => badge(r.state, "muted") },
        { label: "srtt", num: true, value: (r) => dur((r.srtt_us || 0) * 1000) },
        { label: "retrans", num: true, value: (r) => num(r.retransmits) },
      ], list) : empty("No open TCP connections"), h("p", { class: "meta" }, num(c.total ?? list.length) + " connections"));
    } catch (e) {
      conns.set(failure(e, "Connections"));
    }
  }
  return { refresh, every: 3000 };
}

export default { title: "Network", mount };
