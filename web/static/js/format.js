// Number formatting shared by every view. Durations arrive in nanoseconds.

const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function dur(ns) {
  if (ns == null || !Number.isFinite(ns)) return "–";
  if (ns >= 1e9) return (ns / 1e9).toFixed(2) + " s";
  if (ns >= 1e6) return (ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1) + " ms";
  if (ns >= 1e3) return (ns / 1e3).toFixed(ns >= 1e5 ? 0 : 1) + " µs";
  return Math.round(ns) + " ns";
}

export const num = (v) => (v == null || !Number.isFinite(v) ? "–" : nf.format(v));
export const rate = (v) => (v == null || !Number.isFinite(v) ? "–" : (v < 10 ? nf1.format(v) : nf.format(v)) + "/s");
export const pct = (v) => (v == null || !Number.isFinite(v) ? "–" : nf1.format(v) + " %");

export function bytes(v) {
  if (v == null || !Number.isFinite(v)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i ? v.toFixed(v < 10 ? 2 : 1) : v) + " " + units[i];
}

export function ago(ms) {
  if (!ms) return "–";
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return Math.round(s) + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return (s / 3600).toFixed(1) + " h ago";
  return (s / 86400).toFixed(1) + " d ago";
}

export const time = (ms) => (ms ? new Date(ms).toLocaleString() : "–");
