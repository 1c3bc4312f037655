// Tiny DOM helpers: element builder, tables, and the loading/empty/error states.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// One content slot that shows a state box or its content.
export function state(kind, title, detail) {
  return h("div", { class: "state " + kind, role: kind === "error" ? "alert" : "status", "data-state": kind },
    h("strong", {}, title), detail ? h("span", {}, detail) : null);
}

export const loading = (what) => state("loading", "Loading " + what + "…");
export const empty = (title, detail) => state("empty", title, detail);

// The view of an API failure: 404 means the daemon does not have this layer.
export function failure(err, what) {
  if (err && err.status === 404) return state("unavailable", what + ": not available", "this daemon does not serve that API yet");
  if (err && err.status === 403) return state("error", what + ": forbidden", err.message);
  if (err && err.network) return state("error", "Daemon unreachable", "retrying; the page reconnects by itself");
  return state("error", what + ": failed", (err && err.message) || String(err));
}

// columns: [{label, value(row) -> node|string, num?: bool, title?}]
export function table(columns, rows, opts = {}) {
  const head = h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null, title: c.title }, c.label)));
  const body = rows.map((r) =>
    h("tr", { class: opts.rowClass ? opts.rowClass(r) : null, onclick: opts.onRow ? () => opts.onRow(r) : null,
               tabindex: opts.onRow ? "0" : null },
      columns.map((c) => h("td", { class: c.num ? "num" : null, "data-label": c.label }, c.value(r)))));
  return h("div", { class: "table-wrap" }, h("table", { class: opts.class }, h("thead", {}, head), h("tbody", {}, body)));
}

// A section: heading plus a slot whose content is replaced on each refresh.
export function panel(title, ...extra) {
  const slot = h("div", { class: "slot" }, loading(title.toLowerCase()));
  const el = h("section", { class: "panel" }, h("header", {}, h("h2", {}, title), ...extra), slot);
  return { el, set: (...nodes) => slot.replaceChildren(...nodes.flat()) };
}

export function kpi(label, value, opts = {}) {
  return h("div", { class: "kpi " + (opts.level || ""), title: opts.title, "data-kpi": opts.id },
    h("span", { class: "label" }, label), h("span", { class: "value" }, value),
    opts.note ? h("span", { class: "note" }, opts.note) : null);
}

export function badge(text, kind) {
  return h("span", { class: "badge " + (kind || text) }, text);
}

// A level against a limit: ok under 80 %, warn up to it, bad above.
export function level(value, limit) {
  if (value == null || !Number.isFinite(value) || !limit) return "";
  return value > limit ? "bad" : value > 0.8 * limit ? "warn" : "ok";
}
