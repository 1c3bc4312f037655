// The dashboard shell: token, role, tabs with deep links (#/view?key=value), the
// live stream (or polling when there is none) driving the current view's refresh.

import { api, auth, takeTokenFromFragment } from "./api.js";
import { connectLive } from "./live.js";
import { h } from "./dom.js";
import overview from "./views/overview.js";
import processes from "./views/processes.js";
import network from "./views/network.js";
import database from "./views/database.js";
import http from "./views/http.js";
import alerts from "./views/alerts.js";
import bottlenecks from "./views/bottlenecks.js";
import { recommendations, actions, testing } from "./views/pending.js";

const VIEWS = { overview, processes, network, database, http, alerts, bottlenecks, recommendations, actions, testing };
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

const app = {
  scope: null,
  get canMutate() { return this.scope === "admin"; },
  live: null,
  current: null,  // {name, query, instance}
  busy: false,
  lastRefresh: 0,
  pollTimer: null,
  navigate(name, params = {}) {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== "")).toString();
    location.hash = "#/" + name + (q ? "?" + q : "");
  },
  // Rewrites the query part of the current view's address without a re-mount.
  setParams(params) {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== "")).toString();
    history.replaceState(null, "", "#/" + this.current.name + (q ? "?" + q : ""));
    this.current.query = q;
  },
};

function parseHash() {
  const m = location.hash.match(/^#\/([a-z]+)(?:\?(.*))?$/);
  const name = m && VIEWS[m[1]] ? m[1] : "overview";
  return { name, query: (m && m[2]) || "", params: Object.fromEntries(new URLSearchParams((m && m[2]) || "")) };
}

function renderTabs(active) {
  $("tabs").replaceChildren(...Object.entries(VIEWS).map(([name, v]) =>
    h("a", { href: "#/" + name, class: name === active ? "active" : null, "aria-current": name === active ? "page" : null }, v.title)));
}

function mount() {
  const { name, query, params } = parseHash();
  if (app.current && app.current.name === name && app.current.query === query) return;
  app.current?.instance.destroy?.();
  renderTabs(name);
  const root = $("view");
  root.replaceChildren();
  root.dataset.view = name;
  document.title = VIEWS[name].title + " · hostscope";
  app.current = { name, query, instance: VIEWS[name].mount(root, params, app) };
  refresh(true);
}

async function refresh(force = false) {
  const view = app.current?.instance;
  if (!view?.refresh || app.busy) return;
  const every = view.every || 1000;
  if (!force && Date.now() - app.lastRefresh < every - 100) return;
  app.busy = true;
  app.lastRefresh = Date.now();
  try {
    await view.refresh();
  } finally {
    app.busy = false;
  }
}

async function refreshHeader() {
  try {
    const s = await api("/monitoring/status");
    $("capture").textContent = "capture " + s.state;
    $("capture").className = "pill " + s.state;
  } catch (e) {
    if (e.network) {
      $("capture").textContent = "daemon unreachable";
      $("capture").className = "pill error";
    }
  }
}

function setLink(state) {
  const text = { live: "live", reconnecting: "reconnecting…", polling: "polling every 2 s" }[state] || state;
  $("link").textContent = text;
  $("link").className = "pill " + state;
  clearInterval(app.pollTimer);
  app.pollTimer = null;
  if (state === "unauthorized") return showLogin("that token was refused");
  // Without a stream (or while it is down) the page polls, so it keeps updating.
  if (state !== "live") app.pollTimer = setInterval(() => { refresh(); refreshHeader(); }, POLL_MS);
  if (state === "live") { refreshHeader(); refresh(true); }
}

function showLogin(message) {
  app.scope = null;
  app.live?.close();
  app.live = null;
  clearInterval(app.pollTimer);
  app.current?.instance.destroy?.();
  app.current = null;
  $("view").replaceChildren();
  $("tabs").hidden = true;
  $("logout").hidden = true;
  $("role").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  $("link").textContent = "no token";
  $("link").className = "pill";
  $("token").focus();
}

async function start() {
  app.live?.close();
  app.live = null;
  app.current?.instance.destroy?.();
  app.current = null;
  if (!auth.token) return showLogin();
  let who;
  try {
    who = await api("/auth/whoami");
  } catch (e) {
    if (e.status === 401) return showLogin(auth.token ? "that token was refused" : "");
    if (e.status === 404) who = await probeScope();
    else {
      $("view").replaceChildren(h("div", { class: "state error", "data-state": "error" },
        h("strong", {}, "Daemon unreachable"), h("span", {}, "retrying in 2 s")));
      return setTimeout(start, 2000);
    }
  }
  app.scope = who.scope;
  document.body.dataset.scope = who.scope;
  $("login").hidden = true;
  $("tabs").hidden = false;
  $("logout").hidden = false;
  $("role").hidden = false;
  $("role").textContent = who.scope === "admin" ? "admin" : "viewer (read-only)";
  app.live = connectLive({
    onState: setLink,
    onEvent: (event, data) => {
      if (event === "tick") { refresh(); if (Math.round(data.ts_ms / 1000) % 5 === 0) refreshHeader(); }
      app.current?.instance.onEvent?.(event, data);
    },
  });
  refreshHeader();
  mount();
}

// A daemon without auth/whoami: a mutating call with an invalid body tells the
// scopes apart (403 for a viewer, 400 for an admin) and changes nothing.
async function probeScope() {
  try {
    await api("/monitoring/config", { method: "PUT", body: { "": 0 } });
    return { scope: "admin" };
  } catch (e) {
    return { scope: e.status === 403 ? "viewer" : "admin" };
  }
}

// Failed actions (a 409 on a stale alert, say) show briefly at the bottom.
window.addEventListener("hs-toast", (ev) => {
  const t = h("div", { class: "toast", role: "alert" }, ev.detail);
  document.body.append(t);
  setTimeout(() => t.remove(), 6000);
});
window.addEventListener("hs-unauthorized", () => showLogin(auth.token ? "that token was refused" : ""));
window.addEventListener("hashchange", () => {
  if (takeTokenFromFragment()) start();  // a new token: start over with it
  else if (app.scope) mount();
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => app.current?.instance.rebuild?.());
$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  auth.set($("token").value.trim());
  $("token").value = "";
  start();
});
$("logout").addEventListener("click", () => {
  auth.clear();
  app.scope = null;
  showLogin();
});

takeTokenFromFragment();
start();
