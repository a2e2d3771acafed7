// The listening history, from the API's archive (no Spotify call): a year's calendar and months,
// figures, top lists and hour-of-week for a chosen period, and "on this day". A 404 means the
// owner keeps the history private: the section then stays hidden.
import { ApiError, friendly, getJson, noteSource, onSample } from "./api.js";
import { chartsAvailable, drawMonths } from "./charts.js";
import { el, link, setMessage } from "./dom.js";
import {
  MONTHS,
  WEEKDAYS,
  archiveStart,
  busiestHour,
  calendarWeeks,
  formatDay,
  formatDayRange,
  formatMinutes,
  formatMonthDay,
  formatNumber,
  formatShare,
  hourSpan,
  monthlyTotals,
  periodOptions,
  plural,
  shadeLegend,
  shadeLevel,
  shadeThresholds,
  todayUtc,
  weekdayTotals,
  yearSummary,
  yearsWithData,
} from "./history-data.js";

const $ = (id) => document.getElementById(id);
const TOP = 10;
const generations = { year: 0, period: 0 }; // a newer choice wins over an older answer
let zone = visitorZone();
let range = {}; // the days the archive can speak for: {first, last}

function visitorZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

function statsPath(period, { tz, top }) {
  const query = new URLSearchParams({ period, top: String(top) });
  if (tz) query.set("tz", tz);
  return `/api/history/stats?${query}`;
}

/** Stats in the visitor's zone; a zone the API does not know falls back to UTC once. */
async function periodStats(period) {
  try {
    return await getJson(statsPath(period, { tz: zone, top: TOP }));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400 || zone === "UTC") throw error;
    zone = "UTC";
    return getJson(statsPath(period, { tz: zone, top: TOP }));
  }
}

export async function setupHistory() {
  const section = $("history");
  const message = section.querySelector("[data-role=message]");
  section.dataset.state = "loading";
  onSample(() => {
    $("history-hint").textContent =
      "Sample mode: a made-up history of about three years, the same on every run.";
  });
  const period = $("history-period");
  let first;
  try {
    first = await periodStats(period.value);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404) {
      section.dataset.state = "off"; // not public: nothing to show, nothing to say
      return;
    }
    section.hidden = false;
    section.dataset.state = "error";
    section.dataset.error = error.code;
    setMessage(message, friendly(error), true);
    return;
  }
  section.hidden = false;
  section.dataset.stale = String(first.body.stale);
  noteSource(first.body);
  const years = yearsWithData(first.body.coverage);
  range = { first: archiveStart(first.body.coverage), last: todayUtc() };
  if (!years.length) {
    section.dataset.state = "empty";
    setMessage(message, "Nothing in the listening archive yet.");
    return;
  }
  fillPeriods(period, years);
  period.addEventListener("change", () => loadPeriod(period.value));
  showPeriod(first.body, period.value);
  $("history-period-part").setAttribute("aria-busy", "false");
  const year = $("history-year");
  year.replaceChildren(...years.map((y) => el("option", { value: y, text: String(y) })));
  year.addEventListener("change", () => loadYear(Number(year.value)));
  await Promise.all([loadYear(years[0]), loadOnThisDay()]);
  section.dataset.state = "ready";
}

function fillPeriods(select, years) {
  const chosen = select.value;
  select.replaceChildren(
    ...periodOptions(years).map((o) =>
      el("option", { value: o.value, text: o.label, selected: o.value === chosen }),
    ),
  );
  select.value = chosen;
}

/** Run `work` for one part; a failure says why in that part and leaves the others alone. */
async function part(id, work) {
  const node = $(id);
  const message = node.querySelector("[data-role=message]");
  node.setAttribute("aria-busy", "true");
  try {
    await work();
    setMessage(message, "");
    delete node.dataset.error;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    setMessage(message, friendly(error), true);
    node.dataset.error = error.code;
  } finally {
    node.setAttribute("aria-busy", "false");
  }
}

// --- The year: calendar, summary and months ----------------------------------------------------

function loadYear(year) {
  const mine = ++generations.year;
  return part("history-year-part", async () => {
    // Days are UTC days whatever the zone, and no top list is shown: one shared, small answer.
    const { body } = await getJson(statsPath(String(year), { top: 1 }));
    if (mine !== generations.year) return;
    showCalendar(year, body);
    showMonths(year, body.days);
    $("history-year-part").dataset.year = String(year);
  });
}

function showCalendar(year, body) {
  const { weeks, months } = calendarWeeks(year, body.days, range);
  const thresholds = shadeThresholds(body.days.map((d) => d.minutes));
  const grid = $("history-calendar");
  grid.style.gridTemplateColumns = `auto repeat(${weeks.length}, minmax(0, 1fr))`;
  const cells = [];
  months.forEach((week, month) => {
    const label = el("span", { class: "cal-month", "aria-hidden": "true" });
    label.textContent = MONTHS[month].slice(0, 3);
    label.style.gridColumn = `${week + 2} / span 4`;
    cells.push(label);
  });
  WEEKDAYS.forEach((name, d) => {
    const label = el("span", { class: "cal-weekday", "aria-hidden": "true" });
    if (d % 2 === 0) label.textContent = name.slice(0, 3); // Mon, Wed, Fri, Sun
    label.style.gridRow = String(d + 2);
    cells.push(label);
  });
  weeks.forEach((week, w) =>
    week.forEach((day) => {
      if (!day) return;
      const cell = dayCell(day, thresholds);
      cell.style.gridColumn = String(w + 2);
      cell.style.gridRow = String(day.weekday + 2);
      cells.push(cell);
    }),
  );
  grid.replaceChildren(...cells);
  // Where the calendar scrolls (a phone), this year opens at today rather than in January.
  const scroller = grid.parentElement;
  scroller.scrollLeft = year === new Date().getUTCFullYear() ? scroller.scrollWidth : 0;
  $("calendar-caption").textContent = `Minutes of music per day in ${year} (UTC days)`;
  legend($("calendar-legend"), shadeLegend(thresholds));
  $("calendar-summary").textContent = calendarSummary(year, body);
}

function dayCell(day, thresholds) {
  if (!day.known) {
    // Before the archive began, or still to come: no data, so nothing to announce.
    return el("span", { class: "cal-day outside", "aria-hidden": "true" });
  }
  const level = shadeLevel(day.minutes, thresholds, day.listened);
  const text = day.listened
    ? `${formatDay(day.date)}: ${formatNumber(day.minutes, 1)} minutes, ${plural(day.plays, "play")}`
    : `${formatDay(day.date)}: no plays`;
  return el("span", {
    class: "cal-day",
    role: "img",
    "aria-label": text,
    title: text,
    "data-level": level,
    "data-date": day.date,
  });
}

function legend(node, labels) {
  node.replaceChildren(
    el("span", { "aria-hidden": "true", text: "Less" }),
    ...labels.map((text, level) =>
      el("span", {
        class: "swatch",
        role: "img",
        "data-level": level,
        "aria-label": `Shade ${level}: ${text}`,
        title: text,
      }),
    ),
    el("span", { "aria-hidden": "true", text: "More" }),
  );
}

function calendarSummary(year, body) {
  const s = yearSummary(body.days, year);
  if (!s.days) return `No plays recorded in ${year}.`;
  let text =
    `${year}: music on ${plural(s.days, "day")}, ${formatNumber(s.minutes)} minutes ` +
    `(${formatMinutes(s.minutes)}) over ${plural(s.plays, "play")}. ` +
    `Biggest day: ${formatDay(s.best.date)}, ${formatNumber(s.best.minutes)} minutes.`;
  const streak = body.longest_streak;
  if (streak) {
    text += ` Longest streak: ${plural(streak.days, "day")} (${formatDayRange(streak.from, streak.to)}).`;
  }
  const gaps = body.coverage?.gaps?.length ?? 0;
  if (gaps) text += ` The archive misses some plays this year (${plural(gaps, "gap")}).`;
  return text;
}

function showMonths(year, days) {
  const rows = monthlyTotals(days, year);
  $("months-caption").textContent = `Minutes of music per month in ${year}`;
  const table = $("months-table");
  const caption = table.querySelector("caption");
  caption.textContent = `Minutes, plays and days with music per month in ${year}`;
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", text: "Month" }),
    el("th", { scope: "col", class: "num", text: "Minutes" }),
    el("th", { scope: "col", class: "num", text: "Plays" }),
    el("th", { scope: "col", class: "num", text: "Days with music" }),
  );
  const body = rows.map((r) =>
    el(
      "tr",
      {},
      el("th", { scope: "row", text: MONTHS[r.month] }),
      el("td", { class: "num", text: formatNumber(r.minutes, 1) }),
      el("td", { class: "num", text: formatNumber(r.plays) }),
      el("td", { class: "num", text: formatNumber(r.days) }),
    ),
  );
  table.replaceChildren(caption, el("thead", {}, head), el("tbody", {}, ...body));
  $("months-chart").hidden = !chartsAvailable();
  if (chartsAvailable()) drawMonths(rows, year);
}

// --- The period: figures, top lists and hour of week -------------------------------------------

function loadPeriod(period) {
  const mine = ++generations.period;
  return part("history-period-part", async () => {
    const { body } = await periodStats(period);
    if (mine !== generations.period) return;
    showPeriod(body, period);
  });
}

function showPeriod(body, period) {
  const label = $("history-period").selectedOptions[0]?.textContent ?? period;
  figures(body);
  ranked($("history-artists"), body.top.artists.by_minutes, "No artists in this period.");
  ranked($("history-tracks"), body.top.tracks.by_minutes, "No tracks in this period.");
  hours(body.heatmap, label);
  $("history-period-part").dataset.period = period;
}

function figures(body) {
  const t = body.totals;
  const streak = body.longest_streak;
  const items = [
    ["Plays", formatNumber(t.plays)],
    ["Hours", formatNumber(t.minutes / 60, t.minutes < 6000 ? 1 : 0)],
    ["Artists", formatNumber(t.artists)],
    ["Tracks", formatNumber(t.tracks)],
    ["Skip rate", formatShare(body.skip_rate)],
    [
      "Longest streak",
      streak ? plural(streak.days, "day") : "–",
      streak ? formatDayRange(streak.from, streak.to) : null,
    ],
  ];
  $("history-figures").replaceChildren(
    ...items.map(([name, value, note]) =>
      el(
        "div",
        {},
        el("dt", { text: name }),
        el(
          "dd",
          {},
          el("span", { class: "figure", text: value }),
          note ? el("span", { class: "figure-note", text: note }) : null,
        ),
      ),
    ),
  );
}

function ranked(list, rows, empty) {
  list.replaceChildren(
    ...rows.map((row, i) =>
      el(
        "li",
        {},
        el("span", { class: "rank", text: String(i + 1) }),
        el(
          "span",
          { class: "item-text" },
          link(row.name ?? "Unknown", row.url, "item-title"),
          row.artist ? el("span", { class: "item-sub", text: row.artist }) : null,
        ),
        el("span", {
          class: "item-meta",
          text: `${formatMinutes(row.minutes)} · ${plural(row.plays, "play")}`,
        }),
      ),
    ),
  );
  if (!rows.length) list.append(el("li", { class: "empty", text: empty }));
}

function hours(heatmap, label) {
  const grid = heatmap.minutes;
  const thresholds = shadeThresholds(grid.flat());
  const cells = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const head = el("span", { class: "hour-label", "aria-hidden": "true" });
    if (hour % 3 === 0) head.textContent = String(hour);
    head.style.gridColumn = String(hour + 2);
    cells.push(head);
  }
  grid.forEach((row, weekday) => {
    const name = el("span", { class: "cal-weekday", "aria-hidden": "true" });
    name.textContent = WEEKDAYS[weekday].slice(0, 3);
    name.style.gridRow = String(weekday + 2);
    cells.push(name);
    row.forEach((minutes, hour) => {
      const text = `${WEEKDAYS[weekday]} ${hourSpan(hour)}: ${formatNumber(minutes, 1)} minutes`;
      const cell = el("span", {
        class: "hour-cell",
        role: "img",
        "aria-label": text,
        title: text,
        "data-level": shadeLevel(minutes, thresholds),
      });
      cell.style.gridColumn = String(hour + 2);
      cell.style.gridRow = String(weekday + 2);
      cells.push(cell);
    });
  });
  $("history-hours").replaceChildren(...cells);
  $("hours-caption").textContent =
    `Minutes of music by weekday and hour, ${label.toLowerCase()}, in ${heatmap.tz} time`;
  $("hours-summary").textContent = hoursSummary(grid);
}

function hoursSummary(grid) {
  const best = busiestHour(grid);
  if (!best) return "No plays in this period.";
  const days = weekdayTotals(grid);
  const top = days.indexOf(Math.max(...days));
  const evening = grid.reduce((s, row) => s + row.slice(18).reduce((a, b) => a + b, 0), 0);
  const total = days.reduce((a, b) => a + b, 0);
  return (
    `Busiest hour: ${WEEKDAYS[best.weekday]} ${hourSpan(best.hour)} ` +
    `(${formatNumber(best.minutes)} minutes). Busiest day: ${WEEKDAYS[top]}s ` +
    `(${formatNumber(days[top])} minutes). ${formatShare(evening / total)} of the listening ` +
    "is in the evening (18:00–24:00)."
  );
}

// --- On this day -------------------------------------------------------------------------------

function loadOnThisDay() {
  const day = todayUtc();
  return part("history-otd-part", async () => {
    const { body } = await getJson(`/api/history/on-this-day?date=${day}`);
    $("otd-heading").textContent = `On this day, ${formatMonthDay(body.date)}`;
    const list = $("history-otd");
    if (!body.years.length) {
      list.replaceChildren(
        el("li", { class: "empty", text: "No music on this date in earlier years." }),
      );
    } else {
      list.replaceChildren(...body.years.map(onThisDayYear));
    }
    $("history-otd-part").dataset.date = body.date;
  });
}

function onThisDayYear(year) {
  const tracks = el("ol", { class: "tracks compact" });
  ranked(tracks, year.tracks.slice(0, 3), "Only skipped tracks.");
  return el(
    "li",
    { class: "otd-year" },
    el("h4", { text: String(year.year) }),
    el("p", {
      class: "hint",
      text: `${plural(year.plays, "play")} · ${formatMinutes(year.minutes)}`,
    }),
    tracks,
  );
}
