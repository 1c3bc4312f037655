// Database: statement fingerprints by total time, the slow-query samples, the
// statements that failed, and which HTTP routes issue how many queries per request.

import { api } from "../api.js";
import { h, panel, table, failure, empty, badge, level } from "../dom.js";
import { dur, num, time } from "../format.js";

const SORTS = { total: "total time", count: "count", p95: "p95", errors: "errors" };

function mount(root, params, app) {
  let sort = SORTS[params.sort] ? params.sort : "total";
  let system = params.system || "";
  const sortSel = h("select", { "aria-label": "sort", onchange: () => { sort = sortSel.value; app.setParams({ sort, system }); refresh(); } },
    Object.entries(SORTS).map(([k, v]) => h("option", { value: k, selected: k === sort }, "by " + v)));
  const sysSel = h("select", { "aria-label": "system", onchange: () => { system = sysSel.value; app.setParams({ sort, system }); refresh(); } },
    ["", "postgresql", "mysql", "redis"].map((s) => h("option", { value: s, selected: s === system }, s || "all systems")));
  const prints = panel("Query fingerprints", sysSel, sortSel);
  const slow = panel("Slow samples");
  const errors = panel("Errors");
  const qpr = panel("Queries per request, by route");
  root.append(prints.el, h("div", { class: "split even" }, slow.el, errors.el), qpr.el);

  async function refresh() {
    try {
      const q = new URLSearchParams({ sort, limit: "100" });
      if (system) q.set("system", system);
      const [d, eps] = await Promise.all([api("/database/queries?" + q), api("/http/endpoints?side=server&sort=count&limit=100")]);
      prints.set(d.queries.length ? table([
        { label: "system", value: (r) => badge(r.system, "muted") },
        { label: "fingerprint", value: (r) => h("code", { class: "sql", title: r.sample || r.fingerprint }, r.fingerprint) },
        { label: "count", num: true, value: (r) => num(r.count) },
        { label: "errors", num: true, value: (r) => num(r.errors) },
        { label: "total", num: true, value: (r) => dur(r.total_ns) },
        { label: "p50", num: true, value: (r) => dur(r.p50_ns) },
        { label: "p95", num: true, value: (r) => h("span", { class: level(r.p95_ns / 1e6, 100) }, dur(r.p95_ns)) },
        { label: "p99", num: true, value: (r) => dur(r.p99_ns) },
        { label: "processes", value: (r) => (r.processes || []).slice(0, 3).map((p) => p.comm + "(" + p.pid + ")").join(", ") },
        { label: "routes", value: (r) => (r.http_routes?.routes || []).slice(0, 2).map((x) => x.method + " " + x.route).join(", ") },
      ], d.queries) : empty("No database traffic captured yet", "PostgreSQL, MySQL/MariaDB and Redis statements show here"),
      h("p", { class: "meta" }, num(d.total) + " fingerprints"));
      slow.set(d.slow?.length ? table([
        { label: "when", value: (s) => time(s.ts_ms) },
        { label: "process", value: (s) => s.comm + " (" + s.pid + ")" },
        { label: "took", num: true, value: (s) => dur(s.duration_ns) },
        { label: "statement", value: (s) => h("code", { class: "sql" }, s.text || s.fingerprint) },
      ], d.slow) : empty("No slow statements recorded"));
      const failed = d.queries.filter((r) => r.errors > 0).sort((a, b) => b.errors - a.errors);
      const failedSamples = (d.slow || []).filter((s) => s.error);
      errors.set(failed.length ? table([
        { label: "fingerprint", value: (r) => h("code", { class: "sql" }, r.fingerprint) },
        { label: "errors", num: true, value: (r) => num(r.errors) },
        { label: "of", num: true, value: (r) => num(r.count) },
      ], failed) : empty("No failed statements"), failedSamples.length ? table([
        { label: "error", value: (s) => s.error_text || "error" },
        { label: "statement", value: (s) => h("code", { class: "sql" }, s.text) },
      ], failedSamples) : null);
      const routes = eps.endpoints.filter((e) => e.queries_per_request && e.queries_per_request.requests);
      qpr.set(routes.length ? table([
        { label: "route", value: (e) => e.method + " " + e.route },
        { label: "requests", num: true, value: (e) => num(e.queries_per_request.requests) },
        { label: "queries/req mean", num: true, value: (e) => e.queries_per_request.mean.toFixed(1) },
        { label: "p95", num: true, value: (e) => num(e.queries_per_request.p95) },
        { label: "max", num: true, value: (e) => num(e.queries_per_request.max) },
        { label: "top statement", value: (e) => h("code", { class: "sql" }, e.queries_per_request.top?.[0]?.fingerprint || "") },
      ], routes) : empty("No server-side HTTP route made database calls yet"));
    } catch (e) {
      prints.set(failure(e, "Database"));
    }
  }
  return { refresh, every: 3000 };
}

export default { title: "Database", mount };
