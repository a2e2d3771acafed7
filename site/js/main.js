// Entry point: wire every section; each loads on its own so one failure never blanks the page.
import { apiUrl, onSample } from "./api.js";
import { initCharts } from "./charts.js";
import { setupExplore } from "./explore.js";
import { setupHistory } from "./history.js";
import { loadRecent, setupTop } from "./listening.js";
import { startNowPlaying } from "./now-playing.js";

// Every data answer carries `source`; the first that says "sample" shows the banner. (No call to
// /api/status: it reads DynamoDB on each request, and is for operators, not every page view.)
function sampleBanner() {
  onSample(() => {
    document.getElementById("sample-banner").hidden = false;
  });
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
