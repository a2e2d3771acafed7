// Artist search → audio features: build progress while the API answers 202, then charts.
import { ApiError, assetUrl, friendly, getJson, isSample, noteSource, onSample } from "./api.js";
import { cover, el, imageUrl, setMessage } from "./dom.js";
import {
  FEATURES,
  albumAverages,
  chartsAvailable,
  drawAlbums,
  drawHistogram,
  drawScatter,
} from "./charts.js";

const $ = (id) => document.getElementById(id);
let generation = 0; // a newer selection cancels an older one's polling
let pollTimer = null;
let current = null;

const SAMPLE_ARTIST = "Ivory Cartographers"; // the bundled sample catalogue (app/sample/)

export function setupExplore() {
  onSample(() => {
    $("search-input").placeholder = `e.g. ${SAMPLE_ARTIST}`;
  });
  const select = $("feature-select");
  for (const [name, { label }] of Object.entries(FEATURES)) {
    select.append(el("option", { value: name, text: label }));
  }
  select.addEventListener("change", () => current && drawFeature(current, select.value));
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = $("search-input").value.trim();
    if (q) search(q);
  });
}

function explain(error) {
  if (error.status === 404 && error.code === "not_found") {
    return "Artist search isn't available on this API yet.";
  }
  return friendly(error);
}

async function search(q) {
  const message = $("search-message");
  setMessage(message, "Searching…");
  $("search-results").replaceChildren();
  try {
    const { body } = await getJson(`/api/artists/search?q=${encodeURIComponent(q)}&limit=8`);
    noteSource(body);
    const buttons = body.items.map((artist) => {
      const button = el(
        "button",
        { type: "button", "aria-pressed": "false", "data-artist-id": artist.id },
        cover(artist.images, 36, ""),
        el(
          "span",
          {},
          el("span", { text: artist.name }),
          el("small", { text: (artist.genres || []).slice(0, 2).join(", ") }),
        ),
      );
      button.addEventListener("click", () => {
        $("search-results")
          .querySelectorAll("button")
          .forEach((b) => b.setAttribute("aria-pressed", "false"));
        button.setAttribute("aria-pressed", "true");
        choose(artist);
      });
      return el("li", {}, button);
    });
    $("search-results").replaceChildren(...buttons);
    const n = buttons.length;
    setMessage(
      message,
      n
        ? `${n} artist${n === 1 ? "" : "s"} found: pick one to chart.`
        : `No artist matches “${q}”.`,
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    setMessage(message, explain(error), true);
  }
}

function choose(artist) {
  generation += 1;
  clearTimeout(pollTimer);
  current = null;
  $("features").hidden = true;
  delete $("features").dataset.ready;
  $("build-artist").textContent = artist.name;
  $("build").hidden = false;
  delete $("build").dataset.status;
  $("build-progress").removeAttribute("value");
  setMessage($("build-status"), "Asking the API…");
  fetchFeatures(artist, generation);
}

const MAX_WAIT = 24 * 3600; // seconds; the API's Retry-After is followed, never undercut

async function fetchFeatures(artist, mine) {
  const again = (seconds) => {
    pollTimer = setTimeout(() => fetchFeatures(artist, mine), Math.min(seconds, MAX_WAIT) * 1000);
  };
  let answer;
  try {
    answer = await getJson(`/api/artists/${encodeURIComponent(artist.id)}/audio-features`);
  } catch (error) {
    if (!(error instanceof ApiError) || mine !== generation) return;
    $("build").dataset.status = "error";
    const text =
      error.status === 404 && isSample()
        ? `Sample mode has a catalogue for one artist only (${SAMPLE_ARTIST}): try that one.`
        : friendly(error);
    setMessage($("build-status"), text, true);
    if (error.status === 503 && error.retryAfter) again(error.retryAfter);
    return;
  }
  if (mine !== generation) return;
  noteSource(answer.body);
  if (answer.status === 202) {
    showBuild(answer.body);
    again(Math.max(answer.retryAfter ?? answer.body.retry_after ?? 2, 1));
    return;
  }
  $("build").hidden = true;
  showFeatures(answer.body, artist);
}

function showBuild(body) {
  const p = body.progress || {};
  const bar = $("build-progress");
  if (p.albums_total) {
    bar.max = p.albums_total;
    bar.value = p.albums_done ?? 0;
  } else {
    bar.removeAttribute("value"); // indeterminate until the album count is known
  }
  $("build").dataset.status = body.status;
  const albums = p.albums_total
    ? `${p.albums_done ?? 0} of ${p.albums_total} albums`
    : "Counting albums";
  let text = `${albums} · ${p.tracks ?? 0} tracks · ${p.features_found ?? 0} with audio features`;
  if (body.status === "waiting") {
    const until = body.retry_at ? ` until ${new Date(body.retry_at).toLocaleTimeString()}` : "";
    const why = PAUSE_REASONS[body.reason] ?? "the build will go on by itself";
    text += ` · paused${until}: ${why}`;
  }
  setMessage($("build-status"), text);
}

// The API's machine-readable reason for a paused build (GET /api/artists/{id}/audio-features).
const PAUSE_REASONS = {
  budget: "today's Spotify allowance for catalogue builds is spent",
  rate_limited: "the data provider asked us to slow down",
  spotify_unavailable: "Spotify is unavailable right now",
  provider_unavailable: "the audio-features provider is unavailable right now",
};

function uniqueRecordings(tracks) {
  return tracks.filter((t) => !t.duplicate_of); // the same recording on several releases counts once
}

function showFeatures(data, chosen) {
  const section = $("features");
  section.hidden = false;
  $("features-artist").textContent = data.artist?.name ?? chosen?.name ?? "";
  // The ready answer names one image URL; the search result had the usual set of sizes.
  const art = data.artist?.image_url
    ? assetUrl(data.artist.image_url)
    : imageUrl(chosen?.images, 64);
  $("features-art").hidden = !art;
  if (art) $("features-art").src = art;
  const unique = uniqueRecordings(data.tracks);
  const withFeatures = unique.filter((t) => t.features).length;
  const reissues = data.tracks.length - unique.length;
  $("features-coverage").textContent =
    `Audio features for ${withFeatures} of ${unique.length} recordings` +
    (reissues
      ? ` (${reissues} re-released ${reissues === 1 ? "track" : "tracks"} counted once).`
      : ".");
  if (!chartsAvailable()) {
    setMessage(
      $("build-status"),
      "The chart library is missing (run npm ci); showing the table only.",
      true,
    );
    $("build").hidden = false;
  }
  current = data;
  drawFeature(data, $("feature-select").value);
  if (chartsAvailable()) drawScatter(unique);
  section.dataset.ready = "true";
}

function drawFeature(data, feature) {
  fillTable(data);
  if (!chartsAvailable()) return;
  drawHistogram(uniqueRecordings(data.tracks), feature);
  drawAlbums(data, feature);
}

function fillTable(data) {
  const columns = ["energy", "danceability", "valence", "tempo"];
  const table = $("albums-table");
  const caption = table.querySelector("caption");
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", text: "Album" }),
    el("th", { scope: "col", class: "num", text: "Tracks" }),
    ...columns.map((c) => el("th", { scope: "col", class: "num", text: FEATURES[c].label })),
  );
  const averages = Object.fromEntries(columns.map((c) => [c, albumAverages(data, c)]));
  const rows = (data.summary?.albums || []).map((album, i) =>
    el(
      "tr",
      {},
      el("th", {
        scope: "row",
        text: album.release_date ? `${album.name} (${album.release_date.slice(0, 4)})` : album.name,
      }),
      el("td", { class: "num", text: String(album.tracks ?? "") }),
      ...columns.map((c) => {
        const mean = averages[c][i].mean;
        return el("td", {
          class: "num",
          text: mean === null ? "–" : mean.toFixed(c === "tempo" ? 0 : 2),
        });
      }),
    ),
  );
  table.replaceChildren(caption, el("thead", {}, head), el("tbody", {}, ...rows));
}
