// The API client: bearer token kept in localStorage, JSON in and out, typed errors.
// A 401 anywhere sends the page back to the token prompt (the "hs-unauthorized" event).

export const BASE = "/api/performance";
const KEY = "hostscope.token";

export class ApiError extends Error {
  constructor(status, code, message, network = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.network = network;
  }
}

export const auth = {
  get token() { return localStorage.getItem(KEY) || ""; },
  set(token) { localStorage.setItem(KEY, token); },
  clear() { localStorage.removeItem(KEY); },
  headers(extra = {}) { return { Authorization: "Bearer " + this.token, ...extra }; },
};

// "#token=T" or "#/view?token=T": store T and drop it from the address bar and history.
export function takeTokenFromFragment() {
  const m = location.hash.match(/[#&?]token=([^&]+)/);
  if (!m) return false;
  auth.set(decodeURIComponent(m[1]));
  const rest = location.hash.replace(/[&?]?token=[^&]+/, "").replace(/^#\/?$/, "");
  history.replaceState(null, "", location.pathname + location.search + (rest && rest !== "#" ? rest : "#/overview"));
  return true;
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = auth.headers(body !== undefined ? { "Content-Type": "application/json" } : {});
  let r;
  try {
    r = await fetch(BASE + path, { method, headers, cache: "no-store",
                                   body: body !== undefined ? JSON.stringify(body) : undefined });
  } catch (e) {
    throw new ApiError(0, "network", "daemon unreachable", true);
  }
  const json = (r.headers.get("content-type") || "").startsWith("application/json")
    ? await r.json().catch(() => null) : null;
  if (r.status === 401) {
    window.dispatchEvent(new CustomEvent("hs-unauthorized", { detail: json?.error?.message }));
  }
  if (!r.ok) throw new ApiError(r.status, json?.error?.code || "http_" + r.status, json?.error?.message || r.statusText);
  return json;
}

// GET that answers null instead of throwing when the endpoint is not there (404):
// for layers another part of the daemon may not serve yet.
export async function optional(path) {
  try {
    return await api(path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}
