// site/js/history-data.js: the History section's pure helpers (node --test; no DOM needed).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  archiveStart,
  busiestHour,
  calendarWeeks,
  formatDay,
  formatDayRange,
  formatMinutes,
  formatMonthDay,
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
} from "../../site/js/history-data.js";

const NOW = Date.parse("2026-06-15T12:00:00Z");
const cells = (weeks) => weeks.flat().filter(Boolean);

describe("yearsWithData", () => {
  test("every year a source covers, joined across sources, newest first", () => {
    const coverage = {
      sources: {
        export: { from: "2019-03-02T10:00:00Z", to: "2021-01-05T08:00:00Z" },
        live: { from: "2024-11-30T22:00:00Z", to: "2026-06-15T09:00:00Z" },
      },
    };
    assert.deepEqual(yearsWithData(coverage, NOW), [2026, 2025, 2024, 2021, 2020, 2019]);
  });

  test("never past this year (UTC), even when a source's range runs on", () => {
    const coverage = {
      sources: { sample: { from: "2025-12-02T14:50:50Z", to: "2027-01-01T00:00:00Z" } },
    };
    assert.deepEqual(yearsWithData(coverage, NOW), [2026, 2025]);
  });

  test("an empty archive has no years", () => {
    assert.deepEqual(yearsWithData({ sources: {}, gaps: [] }, NOW), []);
    assert.deepEqual(yearsWithData(undefined, NOW), []);
  });
});

test("archiveStart: the earliest day any source covers", () => {
  const coverage = {
    sources: {
      live: { from: "2024-11-30T22:00:00Z", to: "2026-06-15T09:00:00Z" },
      export: { from: "2019-03-02T10:00:00Z", to: "2021-01-05T08:00:00Z" },
    },
  };
  assert.equal(archiveStart(coverage), "2019-03-02");
  assert.equal(archiveStart({ sources: {} }), null);
});

test("periodOptions: rolling windows, each year (this one marked), then all time", () => {
  assert.deepEqual(periodOptions([2026, 2025], NOW), [
    { value: "last-30-days", label: "Last 30 days" },
    { value: "last-365-days", label: "Last 365 days" },
    { value: "2026", label: "2026 (this year)" },
    { value: "2025", label: "2025" },
    { value: "all", label: "All time" },
  ]);
});

test("todayUtc: the API's day, whatever the local zone", () => {
  assert.equal(todayUtc(Date.parse("2026-06-15T23:30:00-05:00")), "2026-06-16");
});

describe("calendarWeeks", () => {
  test("weeks are columns from Monday; 1 January sits on its weekday's row", () => {
    // 2023-01-01 was a Sunday: the first column holds it alone, in the last row.
    const { weeks } = calendarWeeks(2023, []);
    assert.deepEqual(weeks[0].slice(0, 6), [null, null, null, null, null, null]);
    assert.equal(weeks[0][6].date, "2023-01-01");
    assert.equal(weeks[0][6].weekday, 6);
    assert.equal(weeks[1][0].date, "2023-01-02"); // Monday starts the next column
    assert.equal(cells(weeks).length, 365);
    assert.equal(weeks.length, 53);
    assert.equal(weeks.at(-1).filter(Boolean).at(-1).date, "2023-12-31");
  });

  test("a leap year that starts on a Sunday needs 54 columns; every day appears once", () => {
    const { weeks } = calendarWeeks(2012, []);
    assert.equal(weeks.length, 54);
    const dates = cells(weeks).map((c) => c.date);
    assert.equal(dates.length, 366);
    assert.equal(new Set(dates).size, 366);
    assert.ok(dates.includes("2012-02-29"));
  });

  test("months name the column holding their first day", () => {
    const { weeks, months } = calendarWeeks(2024, []); // 2024-01-01 was a Monday
    assert.equal(months.length, 12);
    assert.equal(months[0], 0);
    assert.equal(months[1], 4); // 1 Feb is day 31 → column 4
    months.forEach((w, m) => {
      const first = `2024-${String(m + 1).padStart(2, "0")}-01`;
      assert.ok(
        weeks[w].some((c) => c?.date === first),
        first,
      );
    });
  });

  test("listed days carry their minutes and plays; other days none; other years ignored", () => {
    const days = [
      { date: "2024-05-03", plays: 2, minutes: 8.5 },
      { date: "2024-05-06", plays: 0, minutes: 0.2 }, // only skips: listened all the same
      { date: "2023-05-03", plays: 9, minutes: 40 },
    ];
    const all = cells(calendarWeeks(2024, days).weeks);
    const byDate = Object.fromEntries(all.map((c) => [c.date, c]));
    assert.deepEqual(
      [byDate["2024-05-03"].minutes, byDate["2024-05-03"].plays, byDate["2024-05-03"].listened],
      [8.5, 2, true],
    );
    assert.equal(byDate["2024-05-06"].listened, true);
    assert.deepEqual([byDate["2024-05-04"].minutes, byDate["2024-05-04"].listened], [0, false]);
    assert.equal(all.filter((c) => c.listened).length, 2);
  });

  test("days outside the archive's span are marked unknown", () => {
    const range = { first: "2023-12-02", last: "2023-12-20" };
    const all = cells(calendarWeeks(2023, [], range).weeks);
    const known = all.filter((c) => c.known).map((c) => c.date);
    assert.equal(known.length, 19);
    assert.equal(known[0], "2023-12-02");
    assert.equal(known.at(-1), "2023-12-20");
    assert.ok(cells(calendarWeeks(2023, []).weeks).every((c) => c.known)); // no range: all known
  });
});

describe("shades", () => {
  test("quartiles of the positive values are the three thresholds", () => {
    assert.deepEqual(shadeThresholds([0, 10, 20, 30, 40, 50, 0]), [20, 30, 40]);
    assert.deepEqual(shadeThresholds([0, 0]), []);
  });

  test("0 for nothing, 1 to 4 by the thresholds passed", () => {
    const t = [20, 30, 40];
    assert.deepEqual(
      [0, 5, 20, 21, 30, 35, 41, 500].map((v) => shadeLevel(v, t)),
      [0, 1, 1, 2, 2, 3, 4, 4],
    );
  });

  test("a day with streams is never shaded as empty, even at 0.0 minutes", () => {
    assert.equal(shadeLevel(0, [20, 30, 40], true), 1);
    assert.equal(shadeLevel(50, [20, 30, 40], false), 0);
  });

  test("a single value or equal values still shade (no division, no NaN)", () => {
    const t = shadeThresholds([12]);
    assert.deepEqual(t, [12, 12, 12]);
    assert.equal(shadeLevel(12, t), 1);
  });

  test("the legend says what each shade stands for", () => {
    assert.deepEqual(shadeLegend([20, 32.5, 61]), [
      "No plays",
      "up to 20 min",
      "20–33 min",
      "33–61 min",
      "over 61 min",
    ]);
    assert.equal(shadeLegend([2.25, 4, 8])[1], "up to 2.3 min");
    assert.equal(shadeLegend([]).length, 5);
  });
});

test("monthlyTotals: twelve months summed from the year's days, rounded to 0.1 min", () => {
  const days = [
    { date: "2024-01-31", plays: 3, minutes: 10.1 },
    { date: "2024-01-02", plays: 1, minutes: 0.2 },
    { date: "2024-12-31", plays: 2, minutes: 7 },
    { date: "2023-12-31", plays: 50, minutes: 500 },
  ];
  const rows = monthlyTotals(days, 2024);
  assert.equal(rows.length, 12);
  assert.deepEqual(rows[0], { month: 0, minutes: 10.3, plays: 4, days: 2 });
  assert.deepEqual(rows[1], { month: 1, minutes: 0, plays: 0, days: 0 });
  assert.deepEqual(rows[11], { month: 11, minutes: 7, plays: 2, days: 1 });
});

test("yearSummary: minutes, plays, days with music and the biggest day", () => {
  const days = [
    { date: "2024-03-01", plays: 3, minutes: 10 },
    { date: "2024-03-02", plays: 9, minutes: 45.5 },
    { date: "2025-01-01", plays: 99, minutes: 999 },
  ];
  const s = yearSummary(days, 2024);
  assert.deepEqual([s.minutes, s.plays, s.days, s.best.date], [55.5, 12, 2, "2024-03-02"]);
  assert.deepEqual(yearSummary([], 2024), { minutes: 0, plays: 0, days: 0, best: null });
});

test("busiestHour and weekdayTotals read the 7 × 24 heatmap (Monday first)", () => {
  const grid = Array.from({ length: 7 }, () => new Array(24).fill(0));
  grid[5][16] = 30;
  grid[5][15] = 12.5;
  grid[0][20] = 20;
  assert.deepEqual(busiestHour(grid), { weekday: 5, hour: 16, minutes: 30 });
  assert.deepEqual(weekdayTotals(grid), [20, 0, 0, 0, 0, 42.5, 0]);
  assert.equal(busiestHour(Array.from({ length: 7 }, () => new Array(24).fill(0))), null);
});

describe("formatting", () => {
  test("minutes: min under an hour, hours with a decimal under 100, whole hours after", () => {
    assert.equal(formatMinutes(42), "42 min");
    assert.equal(formatMinutes(5.25), "5.3 min");
    assert.equal(formatMinutes(750), "12.5 h");
    assert.equal(formatMinutes(7000 * 60), "7,000 h");
  });

  test("shares as percentages; none as a dash", () => {
    assert.equal(formatShare(0.1153), "11.5%");
    assert.equal(formatShare(0), "0%");
    assert.equal(formatShare(null), "–");
  });

  test("UTC days stay the day they name, in any zone", () => {
    assert.equal(formatDay("2024-05-03"), "Fri, May 3, 2024");
    assert.equal(formatMonthDay("2024-02-29"), "February 29");
    assert.match(formatDayRange("2025-05-03", "2025-05-14"), /^May 3\s–\s14, 2025$/);
    assert.match(formatDayRange("2025-12-28", "2026-01-03"), /^Dec 28, 2025\s–\sJan 3, 2026$/);
    assert.equal(formatDayRange("2025-05-03", "2025-05-03"), "May 3, 2025");
  });

  test("hours and plurals", () => {
    assert.equal(hourSpan(20), "20:00–21:00");
    assert.equal(hourSpan(23), "23:00–00:00");
    assert.equal(hourSpan(0), "00:00–01:00");
    assert.equal(plural(1, "play"), "1 play");
    assert.equal(plural(1234, "play"), "1,234 plays");
    assert.equal(plural(0, "day"), "0 days");
  });
});
