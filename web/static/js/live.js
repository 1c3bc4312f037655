// The daemon's live stream (Server-Sent Events at /api/performance/events), read
// with fetch so the bearer token goes in a header. Reconnects with backoff after
// the daemon restarts; reports "live", "reconnecting", "polling" (no stream on this
// daemon) or "unauthorized" through onState.

import { BASE, auth } from "./api.js";

const IDLE_MS = 40000;  // the server pings every 15 s: silence this long means a dead link

export function connectLive({ onEvent, onState }) {
  let stopped = false;
  let ctrl = null;
  let delay = 500;

  function parse(frame) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;  // comment / ping
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return;
    let payload = data.join("\n");
    try { payload = JSON.parse(payload); } catch { /* not JSON: hand over the text */ }
    onEvent(event, payload);
  }

  async function once() {
    ctrl = new AbortController();
    let idle = setTimeout(() => ctrl.abort(), IDLE_MS);
    try {
      const r = await fetch(BASE + "/events", { headers: auth.headers({ Accept: "text/event-stream" }),
                                                signal: ctrl.signal, cache: "no-store" });
      if (r.status === 401) return "unauthorized";
      if (r.status === 404 || r.status === 405) return "polling";
      if (!r.ok || !r.body) return "retry";
      onState("live");
      delay = 500;
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "retry";
        clearTimeout(idle);
        idle = setTimeout(() => ctrl.abort(), IDLE_MS);
        buf += value.replace(/\r\n?/g, "\n");
        let end;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          parse(buf.slice(0, end));
          buf = buf.slice(end + 2);
        }
      }
    } catch {
      return "retry";
    } finally {
      clearTimeout(idle);
    }
  }

  (async () => {
    while (!stopped) {
      const outcome = await once();
      if (stopped) return;
      if (outcome === "unauthorized" || outcome === "polling") return onState(outcome);
      onState("reconnecting");
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 8000);
    }
  })();

  return { close() { stopped = true; ctrl?.abort(); } };
}
