// Alerts: the list with filters and lifecycle actions (acknowledge, resolve,
// dismiss), custom alerts, and the rules and channels editors. Mutating controls
// exist only for an admin token.

import { api, optional } from "../api.js";
import { h, panel, table, failure, empty, badge, state } from "../dom.js";
import { ago, num } from "../format.js";
import { jsonEditor } from "../editor.js";

const STATUSES = ["active", "acknowledged", "resolved", "dismissed"];
const SEVERITIES = ["critical", "high", "medium", "low"];
const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
const EXAMPLE_RULE = { name: "Checkout slow", enabled: true,
  selector: { layer: "http", metric: "latency", endpoint: "GET /checkout" },
  condition: { type: "percentile", percentile: 95, op: ">", value: 250 },
  for_s: 60, severity: "high", channels: [], cooldown_s: 300 };
const EXAMPLE_CHANNEL = { name: "ops", type: "webhook", url: "https://hooks.example/x" };

function mount(root, params, app) {
  let status = params.status || "open";
  let severity = params.severity || "";
  let editing = null;  // {kind, doc, id?}
  const user = () => localStorage.getItem("hostscope.user") || "dashboard";

  const sel = (label, options, value, set) => h("select", { "aria-label": label, onchange: (ev) => { set(ev.target.value); app.setParams({ status, severity }); refresh(); } },
    options.map(([v, t]) => h("option", { value: v, selected: v === value }, t)));
  const filters = [
    sel("status", [["open", "active + acknowledged"], ["", "all"], ...STATUSES.map((s) => [s, s])], status, (v) => (status = v)),
    sel("severity", [["", "any severity"], ...SEVERITIES.map((s) => [s, s])], severity, (v) => (severity = v)),
  ];
  const list = panel("Alerts", ...filters);
  const create = app.canMutate ? panel("Raise an alert") : null;
  const rules = panel("Rules");
  const channels = panel("Channels");
  const editorBox = h("div", { class: "editor-box" });
  root.append(list.el, editorBox, h("div", { class: "split even" }, rules.el, channels.el), create?.el);

  if (create) {
    const f = {
      title: h("input", { name: "title", required: true, placeholder: "title", "aria-label": "title" }),
      message: h("input", { name: "message", placeholder: "message", "aria-label": "message" }),
      severity: h("select", { name: "severity", "aria-label": "severity" }, SEVERITIES.map((s) => h("option", { value: s, selected: s === "medium" }, s))),
    };
    const msg = h("span", { class: "error" });
    create.set(h("form", { class: "inline", "data-mutating": "raise", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api("/alerts", { method: "POST", body: { title: f.title.value, message: f.message.value, severity: f.severity.value } });
        f.title.value = f.message.value = "";
        msg.textContent = "";
        refresh();
      } catch (e) { msg.textContent = e.message; }
    } }, f.title, f.message, f.severity, h("button", {}, "raise"), msg));
  }

  async function act(a, action, body) {
    try {
      await api(`/alerts/${encodeURIComponent(a.id)}/${action}`, { method: "PUT", body });
    } catch (e) {
      window.dispatchEvent(new CustomEvent("hs-toast", { detail: e.message }));
    }
    refresh();
  }

  function actions(a) {
    if (!app.canMutate) return "";
    const open = a.status === "active" || a.status === "acknowledged";
    if (!open) return "";
    const note = h("input", { class: "note", placeholder: "note", "aria-label": "note for " + a.id });
    return h("div", { class: "actions" },
      a.status === "active" ? h("button", { type: "button", "data-mutating": "acknowledge", "data-alert": a.id,
        onclick: () => act(a, "acknowledge", { user: user() }) }, "acknowledge") : null,
      h("button", { type: "button", "data-mutating": "resolve", "data-alert": a.id,
        onclick: () => act(a, "resolve", { notes: note.value }) }, "resolve"),
      h("button", { type: "button", "data-mutating": "dismiss", "data-alert": a.id,
        onclick: () => act(a, "dismiss", { reason: note.value }) }, "dismiss"), note);
  }

  function edit(kind, doc, id) {
    editing = { kind, doc, id };
    const path = kind === "rule" ? "/alerts/rules" : "/alerts/channels";
    editorBox.replaceChildren(jsonEditor({
      title: (id ? "Edit " : "New ") + kind + (id ? " " + id : ""), value: doc,
      onSave: (body) => api(id ? `${path}/${encodeURIComponent(id)}` : path, { method: id ? "PUT" : "POST", body }),
      onClose: () => { editing = null; editorBox.replaceChildren(); refresh(); },
    }));
  }

  async function remove(kind, id) {
    const path = kind === "rule" ? "/alerts/rules/" : "/alerts/channels/";
    try { await api(path + encodeURIComponent(id), { method: "DELETE" }); } catch (e) { window.dispatchEvent(new CustomEvent("hs-toast", { detail: e.message })); }
    refresh();
  }

  const addButton = (kind, doc) => (app.canMutate
    ? h("button", { type: "button", "data-mutating": "new-" + kind, onclick: () => edit(kind, doc) }, "new " + kind) : null);

  async function refresh() {
    // A note being typed would be lost by a re-render: wait for the next round.
    if (list.el.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
    let d;
    try {
      d = await optional("/alerts?limit=500");
    } catch (e) {
      return list.set(failure(e, "Alerts"));
    }
    if (!d) {
      list.set(state("unavailable", "Alerts: not available", "this daemon does not serve /api/performance/alerts yet"));
      rules.set(); channels.set();
      return;
    }
    const rows = (d.alerts || []).filter((a) => (status === "open" ? a.status === "active" || a.status === "acknowledged" : !status || a.status === status))
      .filter((a) => !severity || a.severity === severity)
      .sort((a, b) => (SEV_RANK[a.severity] - SEV_RANK[b.severity]) || (b.last_seen_ms - a.last_seen_ms));
    list.set(rows.length ? table([
      { label: "severity", value: (a) => badge(a.severity) },
      { label: "alert", value: (a) => [h("strong", {}, a.title), a.message ? h("div", { class: "meta" }, a.message) : null] },
      { label: "subject", value: (a) => a.subject || a.source },
      { label: "status", value: (a) => [badge(a.status), a.acknowledged_by ? h("div", { class: "meta" }, "by " + a.acknowledged_by) : null] },
      { label: "value", num: true, value: (a) => (a.value != null ? `${+a.value.toFixed(2)} > ${+a.threshold.toFixed(2)}` : "–") },
      { label: "seen", num: true, value: (a) => num(a.occurrences) + "× · " + ago(a.last_seen_ms) },
      { label: "", value: actions },
    ], rows, { rowClass: (a) => "alert-row " + a.status, class: "alerts" })
      : empty(status === "open" ? "No open alerts" : "No alerts match", `${num(d.total ?? (d.alerts || []).length)} alerts in all`));
    for (const tr of list.el.querySelectorAll("tr.alert-row")) tr.dataset.alert = rows[tr.sectionRowIndex].id;

    const [r, c] = await Promise.all([optional("/alerts/rules").catch((e) => e), optional("/alerts/channels").catch((e) => e)]);
    rules.el.querySelector("header").replaceChildren(h("h2", {}, "Rules"), addButton("rule", EXAMPLE_RULE) || "");
    channels.el.querySelector("header").replaceChildren(h("h2", {}, "Channels"), addButton("channel", EXAMPLE_CHANNEL) || "");
    const strip = (x) => { const { id, builtin, created_ms, updated_ms, ...rest } = x; return rest; };
    if (!r || r instanceof Error) rules.set(r ? failure(r, "Rules") : state("unavailable", "Rules: not available"));
    else rules.set((r.rules || []).length ? table([
      { label: "rule", value: (x) => [x.name, x.builtin ? " " : "", x.builtin ? badge("built-in", "muted") : null] },
      { label: "condition", value: (x) => `${x.selector.layer}.${x.selector.metric}${x.condition.percentile ? " p" + x.condition.percentile : ""} ${x.condition.op} ${x.condition.value}` },
      { label: "severity", value: (x) => badge(x.severity) },
      { label: "on", value: (x) => (x.enabled ? "yes" : "no") },
      { label: "", value: (x) => (app.canMutate ? h("div", { class: "actions" },
        h("button", { type: "button", "data-mutating": "toggle-rule", onclick: async () => {
          try { await api("/alerts/rules/" + encodeURIComponent(x.id), { method: "PUT", body: { ...strip(x), enabled: !x.enabled } }); } catch (e) { window.dispatchEvent(new CustomEvent("hs-toast", { detail: e.message })); }
          refresh();
        } }, x.enabled ? "disable" : "enable"),
        h("button", { type: "button", "data-mutating": "edit-rule", onclick: () => edit("rule", strip(x), x.id) }, "edit"),
        x.builtin ? null : h("button", { type: "button", "data-mutating": "delete-rule", onclick: () => remove("rule", x.id) }, "delete")) : "") },
    ], r.rules) : empty("No rules"));
    if (!c || c instanceof Error) channels.set(c ? failure(c, "Channels") : state("unavailable", "Channels: not available"));
    else channels.set((c.channels || []).length ? table([
      { label: "channel", value: (x) => x.name },
      { label: "type", value: (x) => badge(x.type, "muted") },
      { label: "target", value: (x) => x.url || x.smtp?.url || "" },
      { label: "", value: (x) => (app.canMutate ? h("div", { class: "actions" },
        h("button", { type: "button", "data-mutating": "edit-channel", onclick: () => edit("channel", strip(x), x.id) }, "edit"),
        h("button", { type: "button", "data-mutating": "delete-channel", onclick: () => remove("channel", x.id) }, "delete")) : "") },
    ], c.channels) : empty("No channels", "alerts show here on the dashboard; add a webhook, Slack, email or SMS channel"));
  }

  return {
    refresh,
    every: 3000,
    onEvent: (event) => { if (/alert/.test(event) && !editing) refresh(); },
  };
}

export default { title: "Alerts", mount };
