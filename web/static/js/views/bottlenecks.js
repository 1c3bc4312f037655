// Bottlenecks: the prioritised list (active first, by score) with the evidence that
// triggered each, affected processes, status changes with notes, and the thresholds.

import { api, optional } from "../api.js";
import { h, panel, table, failure, empty, badge, state } from "../dom.js";
import { ago, num, time } from "../format.js";
import { jsonEditor } from "../editor.js";

const STATUSES = ["open", "investigating", "resolved", "ignored"];
const ACTIVE = { open: 0, investigating: 1, resolved: 2, ignored: 3 };

function mount(root, params, app) {
  let filter = params.status || "active";
  let focus = params.id || "";
  const sel = h("select", { "aria-label": "status", onchange: () => { filter = sel.value; app.setParams({ status: filter, id: focus }); refresh(); } },
    [["active", "open + investigating"], ["", "all"], ...STATUSES.map((s) => [s, s])].map(([v, t]) => h("option", { value: v, selected: v === filter }, t)));
  const list = panel("Bottlenecks", sel);
  const thresholds = panel("Thresholds");
  const editorBox = h("div", { class: "editor-box" });
  root.append(list.el, thresholds.el, editorBox);

  function evidence(b) {
    return h("ul", { class: "evidence" }, (b.evidence || []).map((e) =>
      h("li", {}, h("code", {}, e.metric), ` ${+Number(e.value).toFixed(2)} ${e.unit || ""} > ${+Number(e.threshold).toFixed(2)} ${e.unit || ""}`)));
  }

  function affected(b) {
    const parts = [["processes", b.processes], ["endpoints", b.endpoints], ["queries", b.queries], ["remotes", b.remotes]]
      .filter(([, v]) => v && v.length).map(([k, v]) => h("div", {}, h("span", { class: "label" }, k + ": "), v.slice(0, 5).join(", ")));
    return parts.length ? h("div", { class: "affected" }, parts) : null;
  }

  function controls(b) {
    if (!app.canMutate) return null;
    const st = h("select", { "aria-label": "new status for " + b.id }, STATUSES.map((s) => h("option", { value: s, selected: s === b.status }, s)));
    const notes = h("input", { placeholder: "notes", "aria-label": "notes for " + b.id });
    const msg = h("span", { class: "error" });
    return h("form", { class: "inline", "data-mutating": "bottleneck-status", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api(`/bottlenecks/${encodeURIComponent(b.id)}/status`, { method: "PUT", body: { status: st.value, notes: notes.value } });
        refresh();
      } catch (e) { msg.textContent = e.message; }
    } }, st, notes, h("button", {}, "set status"), msg);
  }

  function card(b) {
    return h("article", { class: "card sev-" + b.severity + (b.id === focus ? " focus" : ""), "data-bottleneck": b.id },
      h("header", {}, h("span", { class: "score", title: "severity score" }, String(Math.round(b.score))),
        h("h3", {}, h("a", { href: `#/bottlenecks?id=${encodeURIComponent(b.id)}` }, b.title || b.kind)),
        badge(b.severity), badge(b.layer, "muted"), badge(b.status), b.trend ? badge("trend " + b.trend, "muted") : null),
      evidence(b), affected(b),
      h("p", { class: "meta" }, `first seen ${ago(b.first_seen_ms)}, last ${ago(b.last_seen_ms)}, ${num(b.occurrences)}×`,
        b.notes ? " — " + b.notes : ""),
      b.id === focus && b.history?.length ? table([
        { label: "when", value: (x) => time(x.ts_ms) },
        { label: "change", value: (x) => x.from + " → " + x.to },
        { label: "by", value: (x) => x.by || "" },
        { label: "note", value: (x) => x.note || "" },
      ], b.history) : null,
      controls(b));
  }

  async function refresh() {
    if (list.el.contains(document.activeElement) && /INPUT|SELECT/.test(document.activeElement.tagName)) return;
    let d;
    try {
      d = await optional("/bottlenecks?limit=500");
    } catch (e) {
      return list.set(failure(e, "Bottlenecks"));
    }
    if (!d) {
      list.set(state("unavailable", "Bottlenecks: not available", "this daemon does not serve /api/performance/bottlenecks yet"));
      thresholds.set();
      return;
    }
    const rows = (d.bottlenecks || [])
      .filter((b) => (filter === "active" ? ACTIVE[b.status] < 2 : !filter || b.status === filter) || b.id === focus)
      .sort((a, b) => ACTIVE[a.status] - ACTIVE[b.status] || b.score - a.score);
    list.set(rows.length ? h("div", { class: "cards" }, rows.map(card))
      : empty(filter === "active" ? "No open bottlenecks" : "No bottlenecks match", "every layer is within its thresholds"));
    try {
      const t = await optional("/bottlenecks/thresholds");
      if (!t) return thresholds.set(state("unavailable", "Thresholds: not available"));
      thresholds.el.querySelector("header").replaceChildren(h("h2", {}, "Thresholds"), app.canMutate
        ? h("button", { type: "button", "data-mutating": "edit-thresholds", onclick: () => editorBox.replaceChildren(jsonEditor({
            title: "Thresholds", value: t,
            onSave: (body) => api("/bottlenecks/thresholds", { method: "PUT", body }),
            onClose: () => { editorBox.replaceChildren(); refresh(); } })) }, "edit") : "");
      thresholds.set(h("dl", { class: "thresholds" }, Object.entries(t).map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, String(v))))));
    } catch (e) {
      thresholds.set(failure(e, "Thresholds"));
    }
  }

  return { refresh, every: 3000, onEvent: (event) => { if (/bottleneck/.test(event)) refresh(); } };
}

export default { title: "Bottlenecks", mount };
