// HTTP: routes (ids collapsed) with status classes, p95 against the API SLO and the
// queries each request makes.

import { api, optional } from "../api.js";
import { h, panel, table, failure, empty, badge, level } from "../dom.js";
import { dur, num, bytes } from "../format.js";

function mount(root, params, app) {
  let side = params.side || "";
  let slo = 200;
  optional("/bottlenecks/thresholds").then((t) => { if (t?.api_p95_ms) slo = t.api_p95_ms; }).catch(() => {});
  const sideSel = h("select", { "aria-label": "side", onchange: () => { side = sideSel.value; app.setParams({ side }); refresh(); } },
    [["", "both sides"], ["server", "served here"], ["client", "called from here"]].map(([v, t]) => h("option", { value: v, selected: v === side }, t)));
  const routes = panel("Routes", sideSel);
  root.append(routes.el);

  async function refresh() {
    try {
      const q = new URLSearchParams({ sort: "total", limit: "200" });
      if (side) q.set("side", side);
      const d = await api("/http/endpoints?" + q);
      routes.set(d.endpoints.length ? table([
        { label: "side", value: (e) => badge(e.side, "muted") },
        { label: "route", value: (e) => h("code", {}, e.method + " " + e.route) },
        { label: "requests", num: true, value: (e) => num(e.count) },
        { label: "2xx/3xx", num: true, value: (e) => num(e.status_2xx + e.status_3xx) },
        { label: "4xx", num: true, value: (e) => num(e.status_4xx) },
        { label: "5xx", num: true, value: (e) => h("span", { class: e.status_5xx ? "bad" : "" }, num(e.status_5xx)) },
        { label: "p50", num: true, value: (e) => dur(e.p50_ns) },
        { label: "p95 vs SLO", num: true, value: (e) => h("span", { class: level(e.p95_ns / 1e6, slo), title: "SLO " + slo + " ms" }, dur(e.p95_ns)) },
        { label: "p99", num: true, value: (e) => dur(e.p99_ns) },
        { label: "queries/req", num: true, value: (e) => (e.queries_per_request?.requests ? e.queries_per_request.mean.toFixed(1) : "–") },
        { label: "out", num: true, value: (e) => bytes(e.bytes_out) },
        { label: "processes", value: (e) => (e.processes || []).slice(0, 3).map((p) => p.comm).join(", ") },
      ], d.endpoints) : empty("No HTTP traffic captured yet", "HTTP/1.x requests served or made by this host show here"),
      h("p", { class: "meta" }, `${num(d.total)} routes · p95 SLO ${slo} ms`));
    } catch (e) {
      routes.set(failure(e, "HTTP"));
    }
  }
  return { refresh, every: 3000 };
}

export default { title: "HTTP", mount };
