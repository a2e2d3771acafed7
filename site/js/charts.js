// Charts of an artist's audio features and of the listening history (Chart.js, vendored); each
// has a text alternative.
import { reducedMotion } from "./dom.js";
import { fit as fitText, histogram } from "./format.js";
import { MONTHS, formatNumber } from "./history-data.js";

export const FEATURES = {
  energy: { label: "Energy", unit: true },
  danceability: { label: "Danceability", unit: true },
  valence: { label: "Valence (mood)", unit: true },
  acousticness: { label: "Acousticness", unit: true },
  instrumentalness: { label: "Instrumentalness", unit: true },
  liveness: { label: "Liveness", unit: true },
  speechiness: { label: "Speechiness", unit: true },
  loudness: { label: "Loudness (dB)", unit: false },
  tempo: { label: "Tempo (BPM)", unit: false },
  duration_ms: { label: "Duration (minutes)", unit: false },
};

const ACCENT = "#1ed760";
const GRID = "rgba(255,255,255,0.08)";
const charts = {};

export function chartsAvailable() {
  return typeof window.Chart === "function";
}

function setup() {
  const { Chart } = window;
  Chart.defaults.color = "#aab2bd";
  Chart.defaults.borderColor = GRID;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  if (reducedMotion) Chart.defaults.animation = false;
}

/** The feature's value for a track, in display units; null when unknown. */
export function value(track, feature) {
  if (feature === "duration_ms") return track.duration_ms ? track.duration_ms / 60000 : null;
  const v = track.features?.[feature];
  return typeof v === "number" ? v : null;
}

/** "Tempo (BPM)" → "tempo (BPM)": only the first letter, so units keep their case. */
const lower = (label) => label[0].toLowerCase() + label.slice(1);
const fmt = (n, unit) => (unit ? n.toFixed(2) : n.toFixed(1));

function draw(id, config, description) {
  charts[id]?.destroy();
  const canvas = document.getElementById(id);
  canvas.setAttribute("aria-label", description);
  canvas.textContent = description; // fallback content for browsers without canvas
  charts[id] = new window.Chart(canvas, {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, ...config.options },
  });
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { mean, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function drawHistogram(tracks, feature) {
  const { label, unit } = FEATURES[feature];
  const values = tracks.map((t) => value(t, feature)).filter((v) => v !== null);
  document.getElementById("hist-caption").textContent = `Distribution of ${lower(label)}`;
  if (!values.length) {
    draw(
      "chart-histogram",
      { type: "bar", data: { labels: [], datasets: [] } },
      `No ${label} values.`,
    );
    return;
  }
  const { labels, counts } = histogram(values, unit);
  const s = stats(values);
  const top = counts.indexOf(Math.max(...counts));
  const description =
    `Histogram of ${label} for ${values.length} recordings: mean ${fmt(s.mean, unit)}, ` +
    `median ${fmt(s.median, unit)}, from ${fmt(s.min, unit)} to ${fmt(s.max, unit)}; ` +
    `most common range ${labels[top]} (${counts[top]} recordings).`;
  draw(
    "chart-histogram",
    {
      type: "bar",
      data: {
        labels,
        datasets: [{ label: "Recordings", data: counts, backgroundColor: ACCENT, borderRadius: 3 }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          y: {
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: "Recordings" },
          },
          x: { title: { display: true, text: label } },
        },
      },
    },
    description,
  );
}

/** Per-album mean of a feature: the API's summary when it has it, else computed from tracks. */
export function albumAverages(data, feature) {
  return (data.summary?.albums || []).map((album) => {
    let mean = album.averages?.[feature];
    if (mean === undefined) {
      const values = data.tracks
        .filter((t) => t.album?.id === album.id)
        .map((t) => value(t, feature))
        .filter((v) => v !== null);
      mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
    } else if (mean !== null && feature === "duration_ms") {
      mean /= 60000;
    }
    return { name: album.name, year: (album.release_date || "").slice(0, 4), mean };
  });
}

const ROW = 26; // px per album in the per-album chart, so every album gets a readable label

const measure = document.createElement("canvas").getContext("2d");

/** The text cut (with an ellipsis) to at most `width` px in the charts' tick font. */
function fit(text, width) {
  const { family, size } = window.Chart.defaults.font;
  measure.font = `${size}px ${family}`;
  return fitText(text, width, (s) => measure.measureText(s).width);
}

/** An album's axis label: its name cut to fit, the year always kept. */
function albumLabel(row, width) {
  const year = row.year ? ` (${row.year})` : "";
  return fit(row.name, width - (year ? measure.measureText(year).width : 0)) + year;
}

export function drawAlbums(data, feature) {
  const { label, unit } = FEATURES[feature];
  const rows = albumAverages(data, feature).filter((r) => r.mean !== null);
  document.getElementById("albums-caption").textContent = `Average ${lower(label)} per album`;
  const best = rows.reduce((a, b) => (b.mean > (a?.mean ?? -Infinity) ? b : a), null);
  const description = rows.length
    ? `Bar chart of average ${label} for ${rows.length} albums; highest: ${best.name} (${fmt(best.mean, unit)}). ` +
      "The table below lists every value."
    : `No album averages for ${label}.`;
  const canvas = document.getElementById("chart-albums");
  const box = canvas.parentElement;
  box.style.height = `${Math.max(200, rows.length * ROW + 70)}px`;
  // Chart.js caps the label column: names are cut to what fits beside the bars (the tooltip
  // and the table below keep them whole).
  const labelWidth = Math.max(110, Math.min(320, box.clientWidth * 0.45));
  const names = rows.map((r) => (r.year ? `${r.name} (${r.year})` : r.name));
  const short = rows.map((r) => albumLabel(r, labelWidth));
  draw(
    "chart-albums",
    {
      type: "bar",
      data: {
        labels: names,
        datasets: [
          {
            label: `Average ${label}`,
            data: rows.map((r) => r.mean),
            backgroundColor: "#7aa2ff",
            borderRadius: 3,
          },
        ],
      },
      options: {
        indexAxis: "y",
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${label}: ${fmt(ctx.raw, unit)}` } },
        },
        scales: {
          x: {
            beginAtZero: true,
            max: unit ? 1 : undefined,
            title: { display: true, text: label },
          },
          y: {
            ticks: {
              autoSkip: false,
              callback: (value) => short[value],
            },
          },
        },
      },
    },
    description,
  );
}

export function drawScatter(tracks) {
  const points = tracks
    .filter((t) => value(t, "energy") !== null && value(t, "valence") !== null)
    .map((t) => ({ x: t.features.energy, y: t.features.valence, name: t.name }));
  const happy = points.filter((p) => p.x >= 0.5 && p.y >= 0.5).length;
  const sad = points.filter((p) => p.x < 0.5 && p.y < 0.5).length;
  const description =
    `Scatter plot of energy against valence for ${points.length} recordings: ` +
    `${happy} energetic and upbeat, ${sad} calm and melancholic, ${points.length - happy - sad} in between.`;
  draw(
    "chart-scatter",
    {
      type: "scatter",
      data: {
        datasets: [
          {
            label: "Recordings",
            data: points,
            backgroundColor: "rgba(30,215,96,0.75)",
            pointRadius: 4,
            pointHoverRadius: 6,
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (ctx) =>
                `${ctx.raw.name}: energy ${ctx.raw.x.toFixed(2)}, valence ${ctx.raw.y.toFixed(2)}`,
            },
          },
        },
        scales: {
          x: { min: 0, max: 1, title: { display: true, text: "Energy →" } },
          y: { min: 0, max: 1, title: { display: true, text: "Valence (happier) →" } },
        },
      },
    },
    description,
  );
}

/** Minutes per month of a year (rows from history-data.js's monthlyTotals). */
export function drawMonths(rows, year) {
  const total = rows.reduce((s, r) => s + r.minutes, 0);
  const active = rows.filter((r) => r.minutes > 0);
  const most = active.reduce((a, r) => (!a || r.minutes > a.minutes ? r : a), null);
  const least = active.reduce((a, r) => (!a || r.minutes < a.minutes ? r : a), null);
  const description = most
    ? `Bar chart of minutes listened per month in ${year}: ${formatNumber(total)} minutes in ` +
      `total; most in ${MONTHS[most.month]} (${formatNumber(most.minutes)} minutes), least in ` +
      `${MONTHS[least.month]} (${formatNumber(least.minutes)} minutes). ` +
      "The table below lists every month."
    : `No listening recorded in ${year}.`;
  draw(
    "chart-months",
    {
      type: "bar",
      data: {
        labels: rows.map((r) => MONTHS[r.month].slice(0, 3)),
        datasets: [
          {
            label: "Minutes",
            data: rows.map((r) => r.minutes),
            backgroundColor: ACCENT,
            borderRadius: 3,
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => `${MONTHS[rows[items[0].dataIndex].month]} ${year}`,
              label: (ctx) =>
                `${formatNumber(ctx.raw)} minutes · ${formatNumber(rows[ctx.dataIndex].plays)} plays`,
            },
          },
        },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: "Minutes" } },
        },
      },
    },
    description,
  );
}

export function initCharts() {
  if (chartsAvailable()) setup();
}
