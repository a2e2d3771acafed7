// Pure helpers for the History section: no DOM, no Chart.js, so Node's test runner can import
// them (tests/js/). Dates are the API's UTC days ("2024-05-03"), handled as UTC midnights.

const DAY = 86_400_000;
export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];

const utc = (iso) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
/** Monday 0 … Sunday 6. */
const weekday = (ms) => (new Date(ms).getUTCDay() + 6) % 7;

/** Today's date as the API counts days (UTC), "YYYY-MM-DD". */
export function todayUtc(now = Date.now()) {
  return isoDay(now);
}

/**
 * The years the archive has data for, newest first: each source's covered range (the answer's
 * `coverage.sources`), joined, never past this year (UTC).
 */
export function yearsWithData(coverage, now = Date.now()) {
  const thisYear = new Date(now).getUTCFullYear();
  const years = new Set();
  for (const range of Object.values(coverage?.sources ?? {})) {
    if (!range?.from || !range?.to) continue;
    const first = Number(range.from.slice(0, 4));
    const last = Math.min(Number(range.to.slice(0, 4)), thisYear);
    for (let year = first; year <= last; year += 1) years.add(year);
  }
  return [...years].sort((a, b) => b - a);
}

/** The first day the archive covers ("YYYY-MM-DD"), or null when it is empty. */
export function archiveStart(coverage) {
  const firsts = Object.values(coverage?.sources ?? {})
    .map((range) => range?.from?.slice(0, 10))
    .filter(Boolean)
    .sort();
  return firsts[0] ?? null;
}

/** The period control's choices: rolling windows, then each year with data, then all time. */
export function periodOptions(years, now = Date.now()) {
  const thisYear = new Date(now).getUTCFullYear();
  return [
    { value: "last-30-days", label: "Last 30 days" },
    { value: "last-365-days", label: "Last 365 days" },
    ...years.map((year) => ({
      value: String(year),
      label: year === thisYear ? `${year} (this year)` : String(year),
    })),
    { value: "all", label: "All time" },
  ];
}

/**
 * A year as GitHub-style weeks: `weeks[w][d]` is the day in week column w (Monday-first row d),
 * or null before 1 January and after 31 December. Each day has its minutes and plays from
 * `days` (listed days only have streams) and `known`: inside [range.first, range.last], the
 * span the archive can speak for. `months[m]` is the week column holding the 1st of month m.
 */
export function calendarWeeks(year, days, range = {}) {
  const listed = new Map((days || []).map((d) => [d.date, d]));
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year, 11, 31);
  const offset = weekday(start);
  const weeks = [];
  const months = [];
  for (let t = start; t <= end; t += DAY) {
    const index = Math.round((t - start) / DAY) + offset;
    const w = Math.floor(index / 7);
    weeks[w] ??= new Array(7).fill(null);
    const date = isoDay(t);
    if (date.endsWith("-01")) months.push(w);
    const day = listed.get(date);
    const known = (!range.first || date >= range.first) && (!range.last || date <= range.last);
    weeks[w][index % 7] = {
      date,
      weekday: index % 7,
      minutes: day?.minutes ?? 0,
      plays: day?.plays ?? 0,
      listened: Boolean(day),
      known,
    };
  }
  return { weeks, months };
}

/** Quartiles of the positive values: three thresholds splitting them into four shades. */
export function shadeThresholds(values) {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (!sorted.length) return [];
  return [0.25, 0.5, 0.75].map((q) => sorted[Math.floor((sorted.length - 1) * q)]);
}

/** 0 for nothing, else 1–4: one more for every threshold the value is above. */
export function shadeLevel(value, thresholds, listened = value > 0) {
  if (!listened) return 0;
  return 1 + thresholds.filter((t) => value > t).length;
}

/** What each shade means, for the legend: "No plays", "up to 25 min", "25–40 min", … */
export function shadeLegend(thresholds) {
  if (!thresholds.length) return ["No plays", "Some", "More", "Lots", "Most"];
  const [a, b, c] = thresholds.map((t) => formatNumber(t, t < 10 ? 1 : 0));
  return ["No plays", `up to ${a} min`, `${a}–${b} min`, `${b}–${c} min`, `over ${c} min`];
}

/** The year's days summed per month: 12 rows {month, minutes, plays, days}. */
export function monthlyTotals(days, year) {
  const rows = MONTHS.map((_, month) => ({ month, minutes: 0, plays: 0, days: 0 }));
  for (const day of days || []) {
    if (Number(day.date.slice(0, 4)) !== year) continue;
    const row = rows[Number(day.date.slice(5, 7)) - 1];
    row.minutes += day.minutes;
    row.plays += day.plays;
    row.days += 1;
  }
  for (const row of rows) row.minutes = Math.round(row.minutes * 10) / 10;
  return rows;
}

/** A year's days in a few numbers: minutes, plays, days with music and the biggest day. */
export function yearSummary(days, year) {
  const mine = (days || []).filter((d) => Number(d.date.slice(0, 4)) === year);
  const best = mine.reduce((a, d) => (!a || d.minutes > a.minutes ? d : a), null);
  return {
    minutes: Math.round(mine.reduce((s, d) => s + d.minutes, 0) * 10) / 10,
    plays: mine.reduce((s, d) => s + d.plays, 0),
    days: mine.length,
    best,
  };
}

/** The busiest cell of the hour-of-week heatmap: {weekday, hour, minutes}, or null if empty. */
export function busiestHour(grid) {
  let best = null;
  (grid || []).forEach((row, weekday) =>
    row.forEach((minutes, hour) => {
      if (minutes > 0 && (!best || minutes > best.minutes)) best = { weekday, hour, minutes };
    }),
  );
  return best;
}

/** Minutes per weekday (Monday first) from the heatmap. */
export function weekdayTotals(grid) {
  return (grid || []).map((row) => Math.round(row.reduce((s, v) => s + v, 0) * 10) / 10);
}

const numbers = new Map();

/** A number with thousands separators and at most `digits` decimals: 1234.5 → "1,234.5". */
export function formatNumber(n, digits = 0) {
  if (!numbers.has(digits)) {
    numbers.set(digits, new Intl.NumberFormat("en", { maximumFractionDigits: digits }));
  }
  return numbers.get(digits).format(n);
}

/** Minutes for people: "42 min" under an hour, "12.5 h" under 100 hours, then "1,234 h". */
export function formatMinutes(minutes) {
  if (minutes < 60) return `${formatNumber(minutes, minutes < 10 ? 1 : 0)} min`;
  const hours = minutes / 60;
  return `${formatNumber(hours, hours < 100 ? 1 : 0)} h`;
}

const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });

/** A share (0.1153) as "11.5%"; "–" when there is none. */
export function formatShare(share) {
  return typeof share === "number" ? percent.format(share) : "–";
}

const longDay = new Intl.DateTimeFormat("en", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const shortDay = new Intl.DateTimeFormat("en", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const monthDay = new Intl.DateTimeFormat("en", { day: "numeric", month: "long", timeZone: "UTC" });

/** "2024-05-03" → "Fri, May 3, 2024". */
export function formatDay(iso) {
  return longDay.format(utc(iso));
}

/** "2024-05-03" → "May 3". */
export function formatMonthDay(iso) {
  return monthDay.format(utc(iso));
}

/** Two days as one range: "May 3 – 14, 2025"; one day alone when they are the same. */
export function formatDayRange(from, to) {
  if (from === to) return shortDay.format(utc(from));
  return shortDay.formatRange(utc(from), utc(to));
}

/** An hour of the day as a span: 20 → "20:00–21:00". */
export function hourSpan(hour) {
  const pad = (h) => `${String(h % 24).padStart(2, "0")}:00`;
  return `${pad(hour)}–${pad(hour + 1)}`;
}

/** A plural: plural(1, "play") → "1 play", plural(1234, "play") → "1,234 plays". */
export function plural(n, word) {
  return `${formatNumber(n)} ${word}${n === 1 ? "" : "s"}`;
}
