// hostscope overview: polls the monitoring API and renders KPIs, a rate chart and top lists.
"use strict";

const API = "/api/performance";
const $ = (id) => document.getElementById(id);

function takeTokenFromFragment() {
  const m = location.hash.match(/token=([0-9A-Za-z]+)/);
  if (m) {
    localStorage.setItem("hostscope.token", m[1]);
    history.replaceState(null, "", location.pathname);
  }
}

async function api(path) {
  const token = localStorage.getItem("hostscope.token");
  const r = await fetch(API + path, { headers: { Authorization: "Bearer " + token } });
  if (r.status === 401) throw Object.assign(new Error("unauthorized"), { status: 401 });
  if (!r.ok) throw new Error((await r.json()).error?.message || r.statusText);
  return r.json();
}

function ns(v) {
  if (v >= 1e9) return (v / 1e9).toFixed(2) + " s";
  if (v >= 1e6) return (v / 1e6).toFixed(2) + " ms";
  if (v >= 1e3) return (v / 1e3).toFixed(1) + " µs";
  return Math.round(v) + " ns";
}
const num = (v) => Intl.NumberFormat().format(Math.round(v));
const bytes = (v) => (v / 2 ** 30).toFixed(2) + " GiB";

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}

function fill(tableId, rows, columns) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement("tr");
    for (const c of columns) cell(tr, c(r));
    body.appendChild(tr);
  }
}

function drawChart(points) {
  const canvas = $("chart");
  const w = (canvas.width = canvas.clientWidth * devicePixelRatio);
  const h = (canvas.height = 120 * devicePixelRatio);
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  const max = Math.max(...points.map((p) => p.syscalls_per_s), 1);
  g.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--accent");
  g.lineWidth = 2 * devicePixelRatio;
  g.beginPath();
  points.forEach((p, i) => {
    const x = (i / (points.length - 1)) * w;
    const y = h - (p.syscalls_per_s / max) * (h - 10) - 5;
    i ? g.lineTo(x, y) : g.moveTo(x, y);
  });
  g.stroke();
}

function showLogin(message) {
  $("overview").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("login-error").textContent = message || "";
  $("state").textContent = "no token";
}

async function refresh() {
  try {
    const [summary, series] = await Promise.all([api("/monitoring/summary"), api("/monitoring/series?resolution=1s")]);
    $("login").hidden = true;
    $("overview").hidden = false;
    $("logout").hidden = false;
    const st = summary.status.state;
    $("state").textContent = st;
    $("state").className = "pill " + st;
    $("k-rate").textContent = num(summary.syscalls.rate_per_s);
    $("k-p95").textContent = ns(summary.syscalls.last_minute.p95_ns);
    $("k-cpu").textContent = summary.system.cpu_percent.toFixed(1) + " %";
    $("k-mem").textContent = bytes(summary.system.mem_used_bytes) + " / " + bytes(summary.system.mem_total_bytes);
    $("k-load").textContent = summary.system.load1.toFixed(2);
    $("k-drops").textContent = num(summary.capture.dropped_total);
    fill("procs", summary.top_processes, [(p) => p.pid, (p) => p.comm, (p) => num(p.syscalls), (p) => ns(p.total_ns), (p) => num(p.errors)]);
    fill("calls", summary.top_syscalls, [(s) => s.syscall, (s) => num(s.count), (s) => ns(s.total_ns), (s) => ns(s.p50_ns), (s) => ns(s.p99_ns)]);
    drawChart(series.points);
  } catch (e) {
    if (e.status === 401) return showLogin(localStorage.getItem("hostscope.token") ? "that token was refused" : "");
    $("state").textContent = "daemon unreachable";
    $("state").className = "pill error";
  }
}

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  localStorage.setItem("hostscope.token", $("token").value.trim());
  refresh();
});
$("logout").addEventListener("click", () => {
  localStorage.removeItem("hostscope.token");
  showLogin();
});

takeTokenFromFragment();
refresh();
setInterval(refresh, 2000);
