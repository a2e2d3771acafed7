// The now-playing card: polls no more often than the API's Cache-Control allows, animates locally.
import { ApiError, friendly, getJson, noteSource } from "./api.js";
import { artistNames, imageUrl, setMessage } from "./dom.js";
import { ago, clock } from "./format.js";

const MIN_DELAY = 5; // seconds: never poll faster, whatever max-age says
const $ = (id) => document.getElementById(id);

let timer = null;
let ticker = null;
let waitingForVisible = false;
let playback = null; // {position, at, duration, playing}

export function startNowPlaying() {
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && waitingForVisible) poll();
  });
  poll();
}

async function poll() {
  clearTimeout(timer);
  if (document.hidden) {
    waitingForVisible = true; // a hidden tab costs the API nothing
    return;
  }
  waitingForVisible = false;
  let delay;
  try {
    const { body, maxAge, headers } = await getJson("/api/now-playing");
    noteSource(body);
    render(body, serverSkew(headers));
    delay = Math.max(maxAge ?? 30, MIN_DELAY);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    renderError(error);
    delay = Math.min(Math.max(error.retryAfter ?? 30, MIN_DELAY), 600);
  }
  $("now-playing").dataset.refreshIn = String(delay);
  timer = setTimeout(poll, delay * 1000);
}

function serverSkew(headers) {
  // fetched_at is on the server's clock; the Date header tells how far ours is off.
  const date = Date.parse(headers?.get("Date") ?? "");
  return Number.isFinite(date) ? date - Date.now() : 0;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function setTitle(text, url) {
  const anchor = $("now-title");
  const plain = $("now-title-text");
  anchor.hidden = !url;
  anchor.textContent = url ? text : "";
  if (url) anchor.href = url;
  plain.textContent = url ? "" : text;
}

function setArt(images, alt) {
  const img = $("now-art");
  const src = imageUrl(images, 240);
  img.hidden = !src;
  if (src && img.getAttribute("src") !== src) img.src = src;
  img.alt = alt;
}

function render(body, skew) {
  const section = $("now-playing");
  const item = body.item;
  delete section.dataset.error;
  show("now-stale", body.stale);
  setMessage($("now-message"), "");
  playback = null;
  if (item) {
    const episode = item.type === "episode";
    section.dataset.state = episode ? "episode" : "track";
    $("now-label").textContent =
      (body.is_playing ? "Now playing" : "Paused") + (episode ? " · podcast" : "");
    setTitle(item.title, item.url);
    const where = episode ? item.show?.name : item.album?.name;
    $("now-subtitle").textContent = [artistNames(item), episode ? null : where]
      .filter(Boolean)
      .join(" · ");
    const art = episode ? item.images : item.album?.images;
    setArt(art, where ? `Cover of ${where}` : "");
    if (item.duration_ms && body.progress_ms != null) {
      playback = {
        position: body.progress_ms,
        at: Date.parse(body.fetched_at) - skew,
        duration: item.duration_ms,
        playing: body.is_playing,
      };
    }
  } else if (body.type === "ad" || body.type === "unknown") {
    section.dataset.state = body.type;
    $("now-label").textContent = "Now playing";
    setTitle(body.type === "ad" ? "An advertisement" : "Something is playing", null);
    $("now-subtitle").textContent = body.type === "ad" ? "Back to the music soon." : "";
    setArt([], "");
  } else {
    section.dataset.state = "idle";
    $("now-label").textContent = "Not playing";
    const last = body.last_played;
    if (last) {
      setTitle(last.track.title, last.track.url);
      $("now-subtitle").textContent =
        `Last played ${ago(last.played_at)} · ${artistNames(last.track)}`;
      setArt(last.track.album?.images, last.track.album ? `Cover of ${last.track.album.name}` : "");
    } else {
      setTitle("Nothing playing right now", null);
      $("now-subtitle").textContent = "";
      setArt([], "");
    }
  }
  show("now-progress", Boolean(playback));
  show("now-times", Boolean(playback));
  tick();
  clearInterval(ticker);
  if (playback?.playing) ticker = setInterval(tick, 1000);
}

function tick() {
  if (!playback) return;
  const elapsed = playback.playing ? Date.now() - playback.at : 0;
  const position = Math.min(playback.duration, Math.max(0, playback.position + elapsed));
  const percent = (100 * position) / playback.duration;
  $("now-progress-fill").style.width = `${percent.toFixed(2)}%`;
  const bar = $("now-progress");
  bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  bar.setAttribute("aria-valuetext", `${clock(position)} of ${clock(playback.duration)}`);
  $("now-position").textContent = clock(position);
  $("now-duration").textContent = clock(playback.duration);
}

function renderError(error) {
  const section = $("now-playing");
  section.dataset.state = "error";
  section.dataset.error = error.code;
  playback = null;
  clearInterval(ticker);
  $("now-label").textContent = "Now playing is unavailable";
  setTitle(
    error.code === "reauthorization_required" || error.code === "not_connected"
      ? "Spotify isn't connected right now"
      : "Can't reach Spotify right now",
    null,
  );
  $("now-subtitle").textContent = "";
  setArt([], "");
  show("now-stale", false);
  show("now-progress", false);
  show("now-times", false);
  setMessage($("now-message"), friendly(error), true);
}
