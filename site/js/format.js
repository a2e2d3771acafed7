// Pure helpers: no DOM, no Chart.js, so Node's test runner can import them (tests/js/).

/** A position or duration in ms as m:ss ("3:07"); minutes are not capped at 59 ("75:00"). */
export function clock(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, "0");
  return `${m}:${s}`;
}

const units = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** How long ago an ISO timestamp was: "5 minutes ago", "yesterday"; under a minute "just now". */
export function ago(iso, now = Date.now()) {
  const seconds = (now - Date.parse(iso)) / 1000;
  for (const [unit, size] of units) {
    if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  }
  return "just now";
}

const binLabel = (n, unit) => (unit ? n.toFixed(1) : String(Math.round(n * 10) / 10));

/** Ten equal bins: 0–1 for unit features, else the values' whole-number range. */
export function histogram(values, unit) {
  const lo = unit ? 0 : Math.floor(Math.min(...values));
  const hi = unit ? 1 : Math.ceil(Math.max(...values));
  const width = (hi - lo) / 10 || 1;
  const counts = new Array(10).fill(0);
  for (const v of values) counts[Math.min(9, Math.floor((v - lo) / width))] += 1;
  const labels = counts.map(
    (_, i) => `${binLabel(lo + i * width, unit)}–${binLabel(lo + (i + 1) * width, unit)}`,
  );
  return { labels, counts };
}

/** The text cut (with an ellipsis) until `measure(text)` is at most `width`; one letter at least. */
export function fit(text, width, measure) {
  if (measure(text) <= width) return text;
  let cut = text.length;
  while (cut > 1 && measure(text.slice(0, cut).trimEnd() + "…") > width) cut -= 1;
  return text.slice(0, cut).trimEnd() + "…";
}
