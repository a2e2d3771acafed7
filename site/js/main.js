// Entry point: wire every section; each loads on its own so one failure never blanks the page.
import { apiUrl, getJson, noteSource, onSample } from "./api.js";
import { initCharts } from "./charts.js";
import { setupExplore } from "./explore.js";
import { setupHistory } from "./history.js";
import { loadRecent, setupTop } from "./listening.js";
import { startNowPlaying } from "./now-playing.js";

function sampleBanner() {
  onSample(() => {
    document.getElementById("sample-banner").hidden = false;
  });
  getJson("/api/status")
    .then(({ body }) => body.mode === "sample" && noteSource({ source: "sample" }))
    .catch(() => {}); // status is a nicety: the data answers carry `source` too
}

function links() {
  for (const a of document.querySelectorAll(".site-footer a")) {
    a.href = apiUrl("/" + a.getAttribute("href"));
  }
}

links();
initCharts();
sampleBanner();
startNowPlaying();
loadRecent();
setupTop();
setupExplore();
setupHistory();
document.documentElement.dataset.ready = "true";
