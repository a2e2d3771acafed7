// site/js/format.js: the site's pure helpers (node --test; no DOM needed).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ago, clock, fit, histogram } from "../../site/js/format.js";

const sum = (counts) => counts.reduce((a, b) => a + b, 0);

describe("histogram", () => {
  test("unit features: ten fixed 0–1 bins labelled with one decimal", () => {
    const { labels, counts } = histogram([0.05, 0.15, 0.95], true);
    assert.deepEqual(labels, [
      "0.0–0.1",
      "0.1–0.2",
      "0.2–0.3",
      "0.3–0.4",
      "0.4–0.5",
      "0.5–0.6",
      "0.6–0.7",
      "0.7–0.8",
      "0.8–0.9",
      "0.9–1.0",
    ]);
    assert.deepEqual(counts, [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test("unit features: 0 goes in the first bin and 1 in the last (not an eleventh)", () => {
    const { counts } = histogram([0, 1, 1], true);
    assert.equal(counts.length, 10);
    assert.equal(counts[0], 1);
    assert.equal(counts[9], 2);
  });

  test("unit features: the bins stay 0–1 whatever the values' spread", () => {
    const { labels, counts } = histogram([0.42, 0.44], true);
    assert.equal(labels[0], "0.0–0.1");
    assert.equal(labels[9], "0.9–1.0");
    assert.equal(counts[4], 2);
  });

  test("empty input on the unit scale: ten empty bins", () => {
    const { labels, counts } = histogram([], true);
    assert.equal(labels.length, 10);
    assert.deepEqual(counts, new Array(10).fill(0));
  });

  test("empty input on an open scale: every count is zero (callers skip empty charts)", () => {
    // drawHistogram() returns before calling histogram() with no values; the labels are
    // meaningless here (there is no range), but the counts must not invent recordings.
    assert.deepEqual(histogram([], false).counts, new Array(10).fill(0));
  });

  test("open scale: the range runs from the floor of the minimum to the ceiling of the maximum", () => {
    const { labels, counts } = histogram([60, 120, 180], false);
    assert.deepEqual(labels, [
      "60–72",
      "72–84",
      "84–96",
      "96–108",
      "108–120",
      "120–132",
      "132–144",
      "144–156",
      "156–168",
      "168–180",
    ]);
    assert.deepEqual(counts, [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  test("open scale: fractional bounds are rounded to one decimal, without trailing zeros", () => {
    const { labels, counts } = histogram([2.1, 3.5, 4.25], false); // minutes
    assert.deepEqual(labels, [
      "2–2.3",
      "2.3–2.6",
      "2.6–2.9",
      "2.9–3.2",
      "3.2–3.5",
      "3.5–3.8",
      "3.8–4.1",
      "4.1–4.4",
      "4.4–4.7",
      "4.7–5",
    ]);
    assert.deepEqual(counts, [1, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
  });

  test("open scale: negative values (loudness in dB)", () => {
    const { labels, counts } = histogram([-60, -7, -2.4], false);
    assert.equal(labels[0], "-60–-54.2");
    assert.equal(labels[9], "-7.8–-2");
    assert.deepEqual(counts, [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  });

  test("a single whole value: bins one unit wide starting at it", () => {
    const { labels, counts } = histogram([120], false);
    assert.equal(labels[0], "120–121");
    assert.equal(labels[9], "129–130");
    assert.deepEqual(counts, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("identical values, zero included: no division by a zero width", () => {
    const { labels, counts } = histogram([0, 0, 0], false);
    assert.equal(labels[0], "0–1");
    assert.deepEqual(counts, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("a single fractional value: the bin labels don't show floating-point noise", () => {
    const { labels, counts } = histogram([120.5], false);
    assert.deepEqual(labels.slice(2, 4), ["120.2–120.3", "120.3–120.4"]);
    assert.equal(labels[9], "120.9–121");
    assert.equal(counts[5], 1);
    assert.equal(sum(counts), 1);
  });

  test("every value is counted exactly once", () => {
    let seed = 7; // a fixed pseudo-random sequence: the same run every time
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const unitValues = Array.from({ length: 500 }, next);
    const tempos = Array.from({ length: 500 }, () => 50 + next() * 150);
    assert.equal(sum(histogram(unitValues, true).counts), 500);
    assert.equal(sum(histogram(tempos, false).counts), 500);
  });
});

describe("fit", () => {
  const mono = (s) => [...s].length * 10; // every character 10 px wide
  const wide = (s) => [...s].reduce((w, c) => w + (c === "W" || c === "…" ? 20 : 10), 0);

  test("text that fits is returned unchanged, also when it fits exactly", () => {
    assert.equal(fit("Abbey Road", 200, mono), "Abbey Road");
    assert.equal(fit("Abbey Road", 100, mono), "Abbey Road");
  });

  test("one pixel short: the text is cut and the ellipsis counted in the width", () => {
    assert.equal(fit("Abbey Road", 99, mono), "Abbey Ro…");
  });

  test("a cut at a space drops the space before the ellipsis", () => {
    assert.equal(fit("Abbey Road", 60, mono), "Abbey…");
    assert.equal(fit("Abbey Road", 70, mono), "Abbey…"); // "Abbey R…" would be 80 px
  });

  test("long text is cut to the longest prefix that fits", () => {
    const name = "The Very Long Deluxe Remastered Anniversary Edition of an Album "
      .repeat(4)
      .trim();
    assert.equal(fit(name, 150, mono), "The Very Long…"); // "The Very Long D…" is 160 px
    assert.equal(fit(name, 160, mono), "The Very Long D…");
    for (let width = 20; width <= 2000; width += 7) {
      const out = fit(name, width, mono);
      assert.ok(mono(out) <= width, `${out} is wider than ${width} px`);
      assert.ok(name.startsWith(out.slice(0, -1)), out);
    }
  });

  test("uses the given measure, not the number of characters", () => {
    assert.equal(fit("WWWWiiii", 80, mono), "WWWWiiii");
    assert.equal(fit("WWWWiiii", 80, wide), "WWW…");
    assert.equal(fit("iiiiWWWW", 80, wide), "iiiiW…");
  });

  test("keeps one letter however narrow the room", () => {
    assert.equal(fit("Abbey Road", 5, mono), "A…");
    assert.equal(fit("Abbey Road", -40, mono), "A…");
    assert.equal(fit("X", 5, mono), "X…");
  });

  test("empty text stays empty", () => {
    assert.equal(fit("", 0, mono), "");
    assert.equal(fit("", 50, mono), "");
  });
});

describe("clock", () => {
  test("minutes and zero-padded seconds", () => {
    assert.equal(clock(0), "0:00");
    assert.equal(clock(5_000), "0:05");
    assert.equal(clock(61_000), "1:01");
    assert.equal(clock(187_400), "3:07");
  });

  test("rounds down to the whole second", () => {
    assert.equal(clock(999), "0:00");
    assert.equal(clock(59_999), "0:59");
    assert.equal(clock(60_000), "1:00");
  });

  test("no hour field: an hour-long episode reads 60:00", () => {
    assert.equal(clock(3_600_000), "60:00");
    assert.equal(clock(5_025_000), "83:45");
  });

  test("negative, missing or invalid input reads 0:00", () => {
    assert.equal(clock(-5_000), "0:00");
    assert.equal(clock(null), "0:00");
    assert.equal(clock(undefined), "0:00");
    assert.equal(clock(Number.NaN), "0:00");
  });
});

describe("ago", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const before = (seconds) => new Date(now - seconds * 1000).toISOString();

  test("under a minute is just now", () => {
    assert.equal(ago(before(0), now), "just now");
    assert.equal(ago(before(59), now), "just now");
    assert.equal(ago(before(59.999), now), "just now");
  });

  test("minutes, rounded down", () => {
    assert.equal(ago(before(60), now), "1 minute ago");
    assert.equal(ago(before(119), now), "1 minute ago");
    assert.equal(ago(before(120), now), "2 minutes ago");
    assert.equal(ago(before(3599), now), "59 minutes ago");
  });

  test("hours, then days; yesterday for one day", () => {
    assert.equal(ago(before(3600), now), "1 hour ago");
    assert.equal(ago(before(86_399), now), "23 hours ago");
    assert.equal(ago(before(86_400), now), "yesterday");
    assert.equal(ago(before(2 * 86_400), now), "2 days ago");
  });

  test("days is the largest unit", () => {
    assert.equal(ago(before(45 * 86_400), now), "45 days ago");
    assert.equal(ago(before(400 * 86_400), now), "400 days ago");
  });

  test("a timestamp in the future (clock skew) reads just now", () => {
    assert.equal(ago(before(-30), now), "just now");
    assert.equal(ago(before(-7200), now), "just now");
  });

  test("offsets other than Z are honoured", () => {
    assert.equal(ago("2026-03-01T13:00:00+02:00", now), "1 hour ago");
  });

  test("an unparseable timestamp reads just now rather than NaN", () => {
    assert.equal(ago("not a date", now), "just now");
  });

  test("now defaults to the current time", () => {
    assert.equal(ago(new Date(Date.now() - 5 * 60_000).toISOString()), "5 minutes ago");
  });
});
