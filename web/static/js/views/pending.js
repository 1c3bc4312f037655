// Recommendations, Actions and Testing: shown from their endpoints when the daemon
// has them, and as "not available yet" when it answers 404.

import { optional } from "../api.js";
import { h, panel, table, failure, empty, state } from "../dom.js";

// A list of objects as a table of its first scalar fields; anything else as JSON.
function generic(value, key) {
  const items = Array.isArray(value) ? value : value && Array.isArray(value[key]) ? value[key] : null;
  if (!items) return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
  if (!items.length) return empty("Nothing yet");
  const cols = Object.keys(items[0]).filter((k) => items.some((i) => i[k] == null || typeof i[k] !== "object")).slice(0, 7);
  return table(cols.map((k) => ({ label: k, value: (i) => (i[k] == null ? "" : String(i[k])) })), items);
}

function pending(title, sources) {
  function mount(root) {
    const panels = sources.map((s) => ({ ...s, p: panel(s.title) }));
    root.append(...panels.map((x) => x.p.el));
    async function refresh() {
      for (const x of panels) {
        try {
          const v = await optional(x.path);
          x.p.set(v == null ? state("unavailable", x.title + ": not available yet", "this daemon does not serve " + x.path + " yet") : generic(v, x.key));
        } catch (e) {
          x.p.set(failure(e, x.title));
        }
      }
    }
    return { refresh, every: 10000 };
  }
  return { title, mount };
}

export const recommendations = pending("Recommendations", [
  { title: "Recommendations", path: "/optimization/recommendations", key: "recommendations" }]);
export const actions = pending("Actions", [
  { title: "Optimization actions", path: "/optimization/status", key: "actions" }]);
export const testing = pending("Testing", [
  { title: "Test run", path: "/testing/status", key: "tests" },
  { title: "Test history", path: "/testing/tests", key: "tests" }]);
