// Recently played and top artists/tracks, with an ARIA tablist for the time range.
import { ApiError, friendly, getJson, noteSource } from "./api.js";
import { artistNames, cover, el, link, setMessage } from "./dom.js";
import { ago } from "./format.js";

function trackRow(track, meta, rank) {
  const album = track.album;
  return el(
    "li",
    {},
    rank ? el("span", { class: "rank", text: String(rank) }) : null,
    cover(album?.images ?? track.images, 44, album ? `Cover of ${album.name}` : ""),
    el(
      "span",
      { class: "item-text" },
      link(track.title, track.url, "item-title"),
      el("span", { class: "item-sub", text: artistNames(track) }),
    ),
    meta ? el("span", { class: "item-meta", text: meta }) : null,
  );
}

function artistRow(artist, rank) {
  return el(
    "li",
    {},
    el("span", { class: "rank", text: String(rank) }),
    cover(artist.images, 44, ""),
    el(
      "span",
      { class: "item-text" },
      link(artist.name, artist.url, "item-title"),
      el("span", { class: "item-sub", text: (artist.genres || []).slice(0, 3).join(", ") }),
    ),
  );
}

function fill(list, rows, empty) {
  list.replaceChildren(...rows);
  if (!rows.length) list.append(el("li", { class: "empty", text: empty }));
  list.setAttribute("aria-busy", "false");
}

async function load(section, work) {
  const message = section.querySelector("[data-role=message]");
  try {
    await work();
    setMessage(message, "");
    delete section.dataset.error;
    section.dataset.loaded = "true";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    setMessage(message, friendly(error), true);
    section.dataset.error = error.code;
    section.querySelectorAll("[aria-busy]").forEach((n) => n.setAttribute("aria-busy", "false"));
  }
}

export function loadRecent() {
  const section = document.getElementById("recent");
  return load(section, async () => {
    const { body } = await getJson("/api/recently-played?limit=10");
    noteSource(body);
    const rows = body.items.map((play) => trackRow(play.track, ago(play.played_at)));
    fill(document.getElementById("recent-list"), rows, "Nothing played recently.");
    section.dataset.stale = String(body.stale);
  });
}

function loadTop(range) {
  const section = document.getElementById("top");
  return load(section, async () => {
    const query = `?time_range=${range}&limit=10`;
    const [artists, tracks] = await Promise.all([
      getJson(`/api/top/artists${query}`),
      getJson(`/api/top/tracks${query}`),
    ]);
    noteSource(artists.body);
    fill(
      document.getElementById("top-artists"),
      artists.body.items.map((a, i) => artistRow(a, i + 1)),
      "No top artists yet.",
    );
    fill(
      document.getElementById("top-tracks"),
      tracks.body.items.map((t, i) => trackRow(t, null, i + 1)),
      "No top tracks yet.",
    );
    section.dataset.range = range;
  });
}

export function setupTop() {
  const tabs = [...document.querySelectorAll("#top [role=tab]")];
  const panel = document.getElementById("top-panel");
  const select = (tab, focus) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", tab.id);
    if (focus) tab.focus();
    return loadTop(tab.dataset.range);
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
    });
  });
  return select(
    tabs.find((t) => t.getAttribute("aria-selected") === "true"),
    false,
  );
}
