// A JSON document editor for rules, channels and thresholds: the API validates
// and names the bad field, so the editor shows the server's message as is.

import { h } from "./dom.js";

export function jsonEditor({ title, value, onSave, onClose }) {
  const area = h("textarea", { rows: "14", spellcheck: "false", "aria-label": title });
  area.value = JSON.stringify(value, null, 2);
  const msg = h("p", { class: "error", role: "alert" });
  const save = h("button", { type: "submit", "data-mutating": "save" }, "save");
  const form = h("form", { class: "editor", onsubmit: async (ev) => {
    ev.preventDefault();
    let doc;
    try { doc = JSON.parse(area.value); } catch (e) { return (msg.textContent = "not JSON: " + e.message); }
    save.disabled = true;
    try {
      await onSave(doc);
      onClose();
    } catch (e) {
      msg.textContent = e.message;
    } finally {
      save.disabled = false;
    }
  } }, h("h3", {}, title), area, h("div", { class: "buttons" }, save,
    h("button", { type: "button", onclick: onClose }, "cancel")), msg);
  return form;
}
