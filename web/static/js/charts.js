// Time-series charts on uPlot (vendor/uPlot.iife.min.js, loaded before the app as
// window.uPlot). Each chart has a latency scale (left, ns) and a rate scale (right).

import { h, state } from "./dom.js";
import { dur } from "./format.js";

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const short = (v) => (v >= 1e6 ? (v / 1e6).toFixed(1) + "M" : v >= 1e3 ? (v / 1e3).toFixed(1) + "k" : +v.toFixed(2) + "");

// spec: {title, series: [{label, key(point) -> number, scale: "lat" | "rate" | "pct"}]}
export function timeChart(spec) {
  const el = h("figure", { class: "chart", "data-chart": spec.id, "data-points": "0" },
    h("figcaption", {}, spec.title));
  const plot = h("div", { class: "plot" });
  el.append(plot);
  let u = null;
  let data = null;

  function options(width) {
    const fg = css("--muted"), grid = css("--line");
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const scales = { x: { time: true } };
    const axes = [{ ...axis }];
    const used = [...new Set(spec.series.map((s) => s.scale))];
    used.forEach((scale, i) => {
      scales[scale] = { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] };
      axes.push({ ...axis, scale, side: i ? 1 : 3, size: 62, grid: { ...axis.grid, show: i === 0 },
                  values: (_u, vals) => vals.map((v) => (scale === "lat" ? dur(v) : scale === "pct" ? v + "%" : short(v))) });
    });
    return {
      width, height: spec.height || 180, scales, axes,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [{ value: (_u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleTimeString()) },
        ...spec.series.map((s, i) => ({
          label: s.label, scale: s.scale, stroke: css("--c" + (i + 1)), width: 1.5, spanGaps: false,
          value: (_u, v) => (v == null ? "–" : s.scale === "lat" ? dur(v) : s.scale === "pct" ? v.toFixed(1) + " %" : short(v) + "/s"),
        }))],
    };
  }

  function render() {
    if (!window.uPlot) return plot.replaceChildren(state("error", "Charts unavailable", "vendor/uPlot.iife.min.js is missing: run scripts/setup"));
    if (!plot.isConnected || !plot.clientWidth) return;
    if (u) u.destroy();
    plot.replaceChildren();
    u = new window.uPlot(options(plot.clientWidth), data, plot);
  }

  const ro = new ResizeObserver(() => {
    if (u && plot.clientWidth && Math.abs(u.width - plot.clientWidth) > 2) u.setSize({ width: plot.clientWidth, height: u.height });
    else if (!u && data) render();
  });
  ro.observe(plot);

  return {
    el,
    // points: series points ({ts_ms, ...}), oldest first.
    set(points) {
      data = [points.map((p) => p.ts_ms / 1000), ...spec.series.map((s) => points.map((p) => s.key(p) ?? null))];
      el.dataset.points = String(points.length);
      el.dataset.nonzero = String(data.slice(1).reduce((n, col) => n + col.filter((v) => v > 0).length, 0));
      if (!points.length) {
        u?.destroy();
        u = null;
        return plot.replaceChildren(state("empty", "No samples yet", "the first interval is still running"));
      }
      if (u && u.series.length === data.length) u.setData(data);
      else render();
    },
    rebuild() { u?.destroy(); u = null; if (data && data[0].length) render(); },
    destroy() { ro.disconnect(); u?.destroy(); u = null; },
  };
}
