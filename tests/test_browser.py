"""The website in headless Chromium (Debian's, driven by Playwright) against live local servers.

Every test runs the real app in a thread of this process: in sample mode, or connected to a
Spotify faked with `responses` (which the server thread's outbound calls go through too).
Screenshots of every page land in test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
import responses

from tests.fakes import spotify as sp
from tests.helpers import ACCOUNTS, API, store_owner_token
from tests.live_server import serve, static_host

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SAMPLE = ROOT / "app" / "sample"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = (1280, 900)
PHONE = (375, 800)
NOW_URL = f"{API}/me/player/currently-playing"
RECENT_URL = f"{API}/me/player/recently-played"
# One transparent pixel: Spotify's image CDN is answered by the browser test, never the network.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
# Chromium logs every failed fetch as a console error; tests of error states expect these.
EXPECTED_503 = re.compile(r"Failed to load resource: the server responded with a status of 503")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium; missing is a failure, never a skip (`make test` installs it)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser` (scripts/install-browser.sh installs "
            "Debian's chromium) or set CHROMIUM_PATH to a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


class Console:
    """Every console error and uncaught exception of a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def assert_clean(self, allow: re.Pattern[str] | None = None) -> None:
        left = [e for e in self.errors if not (allow and allow.search(e))]
        assert not left, f"console errors: {left}"


@pytest.fixture
def new_page(chromium, request) -> Iterator[Callable]:
    """Open pages at a viewport size; each is screenshotted (full page) when the test ends."""
    opened = []

    def open_page(size: tuple[int, int] = DESKTOP, timezone: str | None = None):
        # Reduced motion: charts draw at once (the site turns Chart.js animation off for it).
        context = chromium.new_context(
            viewport={"width": size[0], "height": size[1]},
            reduced_motion="reduce",
            timezone_id=timezone,
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console = Console()
        page.on("console", lambda m: m.type == "error" and page.console.errors.append(m.text))
        page.on("pageerror", lambda e: page.console.errors.append(f"pageerror: {e}"))
        page.route(
            "https://i.scdn.co/**", lambda r: r.fulfill(body=PIXEL, content_type="image/png")
        )
        opened.append((context, page))
        return page

    yield open_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    for i, (context, page) in enumerate(opened):
        suffix = f"-{i + 1}" if len(opened) > 1 else ""
        page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
        context.close()


@pytest.fixture
def sample_site(monkeypatch) -> Iterator[str]:
    """The app in sample mode; artist builds run in a thread, so the API answers 202 first."""
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("BUILD_MODE", "thread")
    with serve(create_app(TestingConfig)) as url:
        yield url


@pytest.fixture
def history_site(monkeypatch) -> Iterator[str]:
    """The sample site with `make run`'s synthetic history (`flask history sample`) archived."""
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("BUILD_MODE", "thread")
    app = create_app(TestingConfig)
    seeded = app.test_cli_runner().invoke(args=["history", "sample", "--if-sample-mode"])
    assert seeded.exit_code == 0 and json.loads(seeded.output)["added"] > 1000, seeded.output
    with serve(app) as url:
        yield url


@pytest.fixture
def fake_spotify():
    """Spotify and ReccoBeats faked in-process; the live server's threads are faked too."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")
        yield mock


@pytest.fixture
def owner_app(spotify_env, monkeypatch):
    """The app connected to (faked) Spotify, artist builds in a thread."""
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("BUILD_MODE", "thread")
    return create_app(TestingConfig)


@pytest.fixture
def spotify_site(owner_app, fake_spotify) -> Iterator[str]:
    with serve(owner_app) as url:
        yield url


def sample(name: str) -> dict:
    return json.loads((SAMPLE / name).read_text())


def a_track(seed: str, duration_ms: int = 200_000) -> dict:
    album = sp.simplified_album(
        f"{seed}-album",
        name=f"Album {seed}",
        images=sp.image_set(f"https://i.scdn.co/image/{seed}"),
    )
    return sp.track(seed, name=f"Title {seed}", album=album, duration_ms=duration_ms)


def fake_listening(mock, now: dict | None = None, status: int = 200) -> None:
    """Answer every listening call the page makes with recognizable data."""
    if status == 204:
        mock.get(NOW_URL, status=204)
    else:
        mock.get(NOW_URL, json=now)
    plays = [
        sp.play_history(a_track(f"recent{i}"), f"2026-11-23T08:0{i}:00.000Z") for i in range(3)
    ]
    mock.get(RECENT_URL, json=sp.recently_played(plays))
    for time_range in ("short_term", "medium_term", "long_term"):
        artists = [
            sp.artist(f"{time_range}{i}", name=f"Artist {time_range} {i}", genres=["indie"])
            for i in range(3)
        ]
        tracks = [a_track(f"{time_range}t{i}") for i in range(3)]
        args = [
            responses.matchers.query_param_matcher(
                {"time_range": time_range, "limit": "50", "offset": "0"}
            )
        ]
        mock.get(
            f"{API}/me/top/artists", json=sp.top_artists(artists, time_range, limit=50), match=args
        )
        mock.get(
            f"{API}/me/top/tracks", json=sp.top_tracks(tracks, time_range, limit=50), match=args
        )


def texts(page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def wait_loaded(page) -> None:
    page.locator("#recent[data-loaded=true]").wait_for()
    page.locator("#top[data-loaded=true]").wait_for()
    page.locator("#now-playing[data-state]").wait_for()


CHART_STATE = """id => {
    const canvas = document.getElementById(id);
    const chart = Chart.getChart(canvas);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
    const data = chart.data.datasets[0].data;
    return {type: chart.config.type, points: data.length, labels: chart.data.labels.length,
            sum: data.reduce((s, v) => s + (typeof v === "number" ? v : 1), 0),
            painted, label: canvas.getAttribute("aria-label")};
}"""


def chart(page, canvas_id: str) -> dict:
    return page.evaluate(CHART_STATE, canvas_id)


def expected_charts(ready: dict, feature: str = "energy") -> dict:
    """What the charts must show for a ready audio-features answer (re-releases counted once)."""
    unique = [t for t in ready["tracks"] if not t["duplicate_of"]]

    def has(track, *names):
        return track["features"] and all(track["features"].get(n) is not None for n in names)

    return {
        "unique": len(unique),
        "with_features": sum(1 for t in unique if t["features"]),
        "histogram": sum(1 for t in unique if has(t, feature)),
        "scatter": sum(1 for t in unique if has(t, "energy", "valence")),
        "albums": sum(1 for a in ready["summary"]["albums"] if a["averages"][feature] is not None),
        "table_rows": len(ready["summary"]["albums"]),
    }


def assert_charts_match(page, ready: dict) -> None:
    expect = expected_charts(ready)
    coverage = page.locator("#features-coverage").inner_text()
    assert f"{expect['with_features']} of {expect['unique']} recordings" in coverage
    histogram = chart(page, "chart-histogram")
    assert histogram["type"] == "bar" and histogram["painted"] > 1000
    assert histogram["sum"] == expect["histogram"]  # one count per recording with a value
    assert f"Histogram of Energy for {expect['histogram']} recordings" in histogram["label"]
    albums = chart(page, "chart-albums")
    assert albums["points"] == albums["labels"] == expect["albums"] and albums["painted"] > 1000
    scatter = chart(page, "chart-scatter")
    assert scatter["type"] == "scatter" and scatter["points"] == expect["scatter"]
    assert scatter["painted"] > 1000
    assert page.locator("#albums-table tbody tr").count() == expect["table_rows"]
    page.select_option("#feature-select", "tempo")
    page.locator("#hist-caption", has_text="tempo").wait_for()
    assert "Histogram of Tempo (BPM)" in chart(page, "chart-histogram")["label"]
    assert chart(page, "chart-histogram")["sum"] == expected_charts(ready, "tempo")["histogram"]


def assert_accessible(page) -> None:
    """axe-core (npm) over the page as it is: WCAG 2.1 A and AA, contrast and labels included."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"],
        })"""
    )
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:4]) for v in result["violations"]
    ]
    assert not violations, violations


# Elements sticking out past the right edge of the viewport, except inside a scroll container.
OVERFLOW = """() => {
    const clipped = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== "visible") return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5 && !clipped(el))
        .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                   (el.className ? "." + String(el.className).replace(/ /g, ".") : ""));
}"""


def snap(page, name: str) -> None:
    """A screenshot of a moment inside a test (the fixture shoots every page's last state)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def search_and_choose(page, query: str, name: str) -> None:
    page.fill("#search-input", query)
    page.keyboard.press("Enter")
    page.locator("#search-results button", has_text=name).click()


# --- Sample mode ---------------------------------------------------------------------------------


def test_sample_mode_renders_every_section(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    page.locator("#sample-banner").wait_for(state="visible")
    now = sample("currently_playing.json")["item"]
    page.locator("#now-title", has_text=now["name"]).wait_for()
    assert page.locator("#now-playing").get_attribute("data-state") == "track"
    assert page.locator("#now-stale").is_hidden()
    position = page.locator("#now-position").inner_text()
    page.wait_for_timeout(1600)
    assert page.locator("#now-position").inner_text() != position  # the bar moves locally

    recent = [i["track"]["name"] for i in sample("recently_played.json")["items"][:10]]
    page.locator("#recent[data-loaded=true]").wait_for()
    assert texts(page, "#recent-list .item-title") == recent

    top = sample("top_artists_medium_term.json")["items"]
    page.locator("#top[data-range=medium_term]").wait_for()
    assert texts(page, "#top-artists .item-title")[0] == top[0]["name"]
    tracks = sample("top_tracks_medium_term.json")["items"]
    assert texts(page, "#top-tracks .item-title")[0] == tracks[0]["name"]

    # Tabs: keyboard arrows move selection and focus, and load that range.
    page.locator("#tab-medium_term").focus()
    page.keyboard.press("ArrowRight")
    page.locator("#top[data-range=long_term]").wait_for()
    assert page.evaluate("document.activeElement.id") == "tab-long_term"
    assert page.locator("#tab-long_term").get_attribute("aria-selected") == "true"
    assert page.locator("#top-panel").get_attribute("aria-labelledby") == "tab-long_term"
    long_term = sample("top_artists_long_term.json")["items"][0]["name"]
    assert texts(page, "#top-artists .item-title")[0] == long_term
    page.keyboard.press("Home")
    page.locator("#top[data-range=short_term]").wait_for()
    assert page.evaluate(OVERFLOW) == []
    page.console.assert_clean()


def test_now_playing_polls_no_sooner_than_cache_control_allows(new_page, sample_site):
    page = new_page()
    page.clock.install()  # real time flows on; run_for() jumps ahead
    answers: list = []
    page.on("response", lambda r: r.url.endswith("/api/now-playing") and answers.append(r))
    page.goto(sample_site)
    page.locator("#now-playing[data-refresh-in]").wait_for()
    max_age = int(re.search(r"max-age=(\d+)", answers[0].headers["cache-control"]).group(1))
    delay = int(page.locator("#now-playing").get_attribute("data-refresh-in"))
    assert delay == max(max_age, 5)  # the answer's freshness, never under 5 s
    page.clock.run_for((delay - 1) * 1000)
    page.wait_for_timeout(300)
    assert len(answers) == 1, "polled before the answer went stale"
    with page.expect_response(lambda r: r.url.endswith("/api/now-playing")):
        page.clock.run_for(1500)
    assert len(answers) == 2
    assert answers[1].request.headers.get("if-none-match") == answers[0].headers["etag"]
    page.console.assert_clean()


def test_svg_card_loads_as_an_image(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    size = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const img = new Image();
            img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
            img.onerror = reject;
            img.src = "api/now-playing.svg";
            document.querySelector("footer").append(img);
        })"""
    )
    assert size == [420, 120]
    page.console.assert_clean()


def test_sample_artist_search_shows_202_progress_then_charts(new_page, sample_site):
    page = new_page()
    statuses: list[int] = []
    page.on("response", lambda r: "/audio-features" in r.url and statuses.append(r.status))
    page.goto(sample_site)
    artist = sample("artist.json")
    search_and_choose(page, "ivory", artist["name"])
    # The first answer is a 202 (the build runs in a thread): the progress panel shows it.
    page.locator("#build[data-status]").wait_for()
    page.locator("#build-status", has_text=re.compile(r"albums · \d+ tracks")).wait_for()
    snap(page, "sample_artist_building")
    page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
    assert statuses[0] == 202 and statuses[-1] == 200 and set(statuses) == {202, 200}
    assert page.locator("#build").is_hidden()
    assert page.locator("#features-artist").inner_text() == artist["name"]
    with urlopen(f"{sample_site}api/artists/{artist['id']}/audio-features") as answer:
        ready = json.load(answer)
    assert_charts_match(page, ready)
    page.console.assert_clean()


def test_accessibility_wcag_aa_with_charts(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    wait_loaded(page)
    search_and_choose(page, "ivory", "Ivory Cartographers")
    page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
    page.locator("#albums-table").scroll_into_view_if_needed()
    page.click(".table-fallback summary")
    assert_accessible(page)
    for canvas in ("chart-histogram", "chart-albums", "chart-scatter"):
        label = page.locator(f"#{canvas}").get_attribute("aria-label")
        assert page.locator(f"#{canvas}").get_attribute("role") == "img" and len(label) > 40
    page.console.assert_clean()


def test_keyboard_alone_reaches_every_control_with_a_visible_focus(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    wait_loaded(page)
    focus = """() => {
        const el = document.activeElement, style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {id: el.id, tag: el.tagName, cls: el.className, outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth), visible: box.width > 0 && box.left >= 0};
    }"""
    page.keyboard.press("Tab")
    first = page.evaluate(focus)
    assert first["cls"] == "skip" and first["visible"]  # the skip link shows when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        state = page.evaluate(focus)
        seen.append(state)
        assert state["outline"] != "none" and state["width"] >= 2, state  # focus is visible
        if state["id"] == "search-input":
            break
    ids = [s["id"] for s in seen]
    assert "now-title" in ids and "tab-medium_term" in ids and "top-panel" in ids
    assert ids[-1] == "search-input"
    page.keyboard.type("ivory")
    page.keyboard.press("Enter")
    page.locator("#search-results button").first.wait_for()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first result
    assert page.evaluate("document.activeElement.dataset.artistId") is not None
    page.keyboard.press("Enter")
    page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
    page.locator("#feature-select").focus()
    page.keyboard.press("ArrowDown")  # energy → danceability
    page.locator("#hist-caption", has_text="danceability").wait_for()
    page.console.assert_clean()


def test_phone_width_layout_fits_and_charts_render(new_page, sample_site):
    page = new_page(PHONE)
    page.goto(sample_site)
    wait_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    art = page.locator(".now-art").bounding_box()
    title = page.locator(".now-body").bounding_box()
    assert art["width"] <= 100 and art["x"] + art["width"] <= title["x"]  # side by side
    first, last = (page.locator(f"#tab-{r}").bounding_box() for r in ("short_term", "long_term"))
    card = page.locator("#top").bounding_box()
    assert first["x"] >= card["x"] and last["x"] + last["width"] <= card["x"] + card["width"]
    search_and_choose(page, "ivory", "Ivory Cartographers")
    page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    for canvas in ("chart-histogram", "chart-albums", "chart-scatter"):
        assert chart(page, canvas)["painted"] > 1000
    assert_accessible(page)
    page.console.assert_clean()


def test_search_fails_politely_on_an_api_without_artist_endpoints(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    page.route(
        "**/api/artists/search**",
        lambda r: r.fulfill(
            status=404, json={"error": {"code": "not_found", "message": "nope", "request_id": "x"}}
        ),
    )
    page.fill("#search-input", "ivory")
    page.keyboard.press("Enter")
    page.locator("#search-message", has_text="isn't available").wait_for()
    page.console.assert_clean(allow=re.compile("status of 404"))


def test_static_host_deployment_calls_the_api_across_origins(new_page, monkeypatch):
    """site/ served by a plain static server on another origin, API_BASE set, CORS_ORIGINS set."""
    from app import create_app
    from app.config import TestingConfig

    api: dict[str, str] = {}
    with serve(static_host(lambda: api["base"])) as site_url:
        monkeypatch.setenv("CORS_ORIGINS", site_url.rstrip("/"))
        with serve(create_app(TestingConfig)) as api_url:
            api["base"] = api_url.rstrip("/")
            page = new_page()
            origins: set[str] = set()
            page.on("request", lambda r: "/api/" in r.url and origins.add(r.url.split("/api/")[0]))
            page.goto(site_url)
            page.locator("#sample-banner").wait_for(state="visible")
            wait_loaded(page)
            assert origins == {api["base"]}  # every API call went to the API's origin
            cover = page.locator("#recent-list img").first.get_attribute("src")
            assert cover.startswith(api_url)  # sample covers are paths on the API
            footer = page.locator(".site-footer a", has_text="Embeddable card")
            assert footer.get_attribute("href") == f"{api_url}api/now-playing.svg"
            search_and_choose(page, "ivory", "Ivory Cartographers")
            page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
            page.console.assert_clean()


# --- The listening history (sample mode's synthetic archive) ------------------------------------

EXPECTED_404 = re.compile(r"Failed to load resource: the server responded with a status of 404")


def api_json(base: str, path: str) -> dict:
    with urlopen(f"{base}{path}") as answer:
        return json.load(answer)


def history_ready(page) -> None:
    page.locator("#history[data-state=ready]").wait_for(timeout=20_000)


def listened_cells(page) -> list[str]:
    """The dates of the calendar's shaded days (any level above 0)."""
    return page.locator(
        "#history-calendar .cal-day[data-level]:not([data-level='0'])"
    ).evaluate_all("cells => cells.map(c => c.dataset.date)")


def assert_year_shown(page, base: str, year: int) -> None:
    page.locator(f"#history-year-part[data-year='{year}'][aria-busy=false]").wait_for()
    answer = api_json(base, f"api/history/stats?period={year}&top=1")
    assert listened_cells(page) == [d["date"] for d in answer["days"]]  # one shaded cell per day
    labels = page.locator("#history-calendar .cal-day[role=img]").evaluate_all(
        "cells => cells.map(c => [c.getAttribute('aria-label'), c.title])"
    )
    assert labels and all(label and label == title for label, title in labels)
    months = chart(page, "chart-months")
    total = sum(d["minutes"] for d in answer["days"])
    assert months["type"] == "bar" and months["points"] == months["labels"] == 12
    assert abs(months["sum"] - total) < 1 and months["painted"] > 1000
    assert f"minutes listened per month in {year}" in months["label"]
    assert page.locator("#months-table tbody tr").count() == 12
    summary = page.locator("#calendar-summary").inner_text()
    assert summary.startswith(f"{year}: music on {len(answer['days'])} day")


def assert_period_shown(page, base: str, period: str, tz: str) -> None:
    page.locator(f"#history-period-part[data-period='{period}'][aria-busy=false]").wait_for()
    answer = api_json(base, f"api/history/stats?period={period}&top=10&tz={tz}")
    top = answer["top"]
    assert texts(page, "#history-artists .item-title") == [
        r["name"] for r in top["artists"]["by_minutes"]
    ]
    assert texts(page, "#history-tracks .item-title") == [
        r["name"] for r in top["tracks"]["by_minutes"]
    ]
    first_plays = top["artists"]["by_minutes"][0]["plays"]
    assert f"{first_plays:,} plays" in texts(page, "#history-artists .item-meta")[0]
    names, values = texts(page, "#history-figures dt"), texts(page, "#history-figures .figure")
    figures = dict(zip(names, values, strict=True))
    assert figures["Plays"] == f"{answer['totals']['plays']:,}"
    assert figures["Artists"] == str(answer["totals"]["artists"])
    assert figures["Longest streak"].startswith(str(answer["longest_streak"]["days"]))
    heat = answer["heatmap"]["minutes"]
    levels = page.locator("#history-hours .hour-cell").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.level))"
    )
    assert len(levels) == 7 * 24
    assert [level > 0 for level in levels] == [m > 0 for row in heat for m in row]
    assert tz in page.locator("#hours-caption").inner_text()


def test_history_section_in_sample_mode(new_page, history_site):
    tz = "Asia/Tokyo"
    page = new_page(timezone=tz)
    asked: list[str] = []
    page.on("request", lambda r: "/api/history" in r.url and asked.append(r.url))
    page.goto(history_site)
    wait_loaded(page)
    history_ready(page)
    assert page.locator("#history").is_visible()

    # The years with data, newest first, from the archive's coverage; the newest is shown.
    coverage = api_json(history_site, "api/history/stats?period=all&top=1")["coverage"]
    first = min(int(r["from"][:4]) for r in coverage["sources"].values())
    this_year = int(api_json(history_site, "api/history/on-this-day")["date"][:4])
    years = list(range(this_year, first - 1, -1))
    assert len(years) >= 3  # about three years of sample history
    options = page.locator("#history-year option").evaluate_all("o => o.map(x => x.value)")
    assert options == [str(y) for y in years]
    assert_year_shown(page, history_site, years[0])
    assert_period_shown(page, history_site, "last-30-days", tz)
    # Only the visitor's zone is asked for (the calendar's days are UTC and share one answer).
    assert all(f"tz={tz.replace('/', '%2F')}" in u for u in asked if "top=10" in u)

    otd = api_json(history_site, "api/history/on-this-day")
    page.locator(f"#history-otd-part[data-date='{otd['date']}']").wait_for()
    assert page.locator("#history-otd .otd-year").count() == len(otd["years"])
    if otd["years"]:
        assert texts(page, "#history-otd h4") == [str(y["year"]) for y in otd["years"]]
        shown = texts(page, "#history-otd .otd-year:first-child .item-title")
        assert shown == [t["name"] for t in otd["years"][0]["tracks"][:3]]
    else:
        page.locator("#history-otd", has_text="No music on this date").wait_for()
    snap(page, "history_sample")

    # Another year, then other periods: each control redraws its part.
    page.select_option("#history-year", str(years[-2]))
    assert_year_shown(page, history_site, years[-2])
    period_options = page.locator("#history-period option").evaluate_all("o => o.map(x => x.value)")
    assert period_options == ["last-30-days", "last-365-days", *map(str, years), "all"]
    for period in (str(years[1]), "all"):
        page.select_option("#history-period", period)
        assert_period_shown(page, history_site, period, tz)
    page.click("#history .table-fallback summary")
    assert_accessible(page)
    page.console.assert_clean()


def test_history_fits_a_phone_and_stays_accessible(new_page, history_site):
    page = new_page(PHONE)
    page.goto(history_site)
    wait_loaded(page)
    history_ready(page)
    page.locator("#history-year-part[aria-busy=false]").wait_for()
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    # The year's 53 weeks scroll sideways inside their own focusable box; the hours fit as they are.
    scroll = page.locator(".calendar-scroll")
    assert scroll.evaluate("s => s.scrollWidth > s.clientWidth")
    assert scroll.get_attribute("tabindex") == "0"
    card = page.locator("#history").bounding_box()
    hours = page.locator("#history-hours").bounding_box()
    assert card["x"] <= hours["x"] and hours["x"] + hours["width"] <= card["x"] + card["width"]
    assert chart(page, "chart-months")["painted"] > 1000
    assert_accessible(page)
    page.console.assert_clean()


def test_history_hides_when_the_owner_switched_it_off(new_page, monkeypatch):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("HISTORY_VISIBILITY", "off")
    with serve(create_app(TestingConfig)) as url:
        page = new_page()
        asked: list[str] = []
        page.on("request", lambda r: "/api/history" in r.url and asked.append(r.url))
        page.goto(url)
        page.locator("#history[data-state=off]").wait_for(state="attached")
        wait_loaded(page)
        assert page.locator("#history").is_hidden()
        assert len(asked) == 1  # one quiet 404, nothing more is asked
        assert page.locator("#recent-list li").count() > 0  # the rest of the page is whole
        assert page.evaluate(OVERFLOW) == []
        assert_accessible(page)
        page.console.assert_clean(allow=EXPECTED_404)


def test_history_with_an_empty_archive_says_so(new_page, sample_site):
    page = new_page()
    page.goto(sample_site)
    page.locator("#history[data-state=empty]").wait_for()
    page.locator("#history .message", has_text="Nothing in the listening archive yet").wait_for()
    assert page.locator("#history-year-part").is_hidden()
    page.console.assert_clean()


def test_history_parts_fail_and_empty_on_their_own(new_page, history_site):
    """One part's error stays in that part; an on-this-day without earlier years says so."""
    error = {"error": {"code": "database_unavailable", "message": "x", "request_id": "r"}}
    page = new_page()
    page.route(
        re.compile(r".*/api/history/stats\?period=\d{4}&top=1$"),
        lambda r: r.fulfill(status=503, json=error, headers={"Retry-After": "30"}),
    )
    page.route(
        "**/api/history/on-this-day**",
        lambda r: r.fulfill(
            json={
                "date": "2024-02-29",
                "years": [],
                "fetched_at": "2024-02-29T00:00:00Z",
                "source": "archive",
                "stale": False,
            }
        ),
    )
    page.goto(history_site)
    history_ready(page)
    page.locator("#history-year-part[data-error=database_unavailable]").wait_for()
    assert "briefly unavailable" in page.locator("#history-year-part .message").inner_text()
    assert page.locator("#history-calendar").is_hidden()
    assert page.locator("#history-artists li").count() == 10  # the period part is whole
    page.locator("#history-otd", has_text="No music on this date in earlier years").wait_for()
    assert page.locator("#otd-heading").inner_text() == "On this day, February 29"
    assert_accessible(page)
    page.console.assert_clean(allow=EXPECTED_503)


# --- Against a faked Spotify ---------------------------------------------------------------------


def test_spotify_mode_renders_real_data(new_page, owner_app, spotify_site, fake_spotify):
    store_owner_token(owner_app)
    fake_listening(fake_spotify, sp.currently_playing(a_track("song"), progress_ms=30_000))
    page = new_page()
    page.goto(spotify_site)
    page.locator("#now-title", has_text="Title song").wait_for()
    assert page.locator("#now-art").get_attribute("src") == "https://i.scdn.co/image/song"
    page.locator("#recent[data-loaded=true]").wait_for()
    assert texts(page, "#recent-list .item-title") == [
        "Title recent0",
        "Title recent1",
        "Title recent2",
    ]
    page.locator("#top[data-range=medium_term]").wait_for()
    assert texts(page, "#top-artists .item-title")[0] == "Artist medium_term 0"
    page.click("#tab-short_term")
    page.locator("#top[data-range=short_term]").wait_for()
    assert texts(page, "#top-tracks .item-title")[0] == "Title short_termt0"
    assert page.locator("#sample-banner").is_hidden()
    page.console.assert_clean()


@pytest.mark.parametrize("state", ["episode", "idle", "ad"])
def test_now_playing_states(new_page, owner_app, spotify_site, fake_spotify, state):
    store_owner_token(owner_app)
    if state == "episode":
        ep = sp.episode(
            "ep",
            name="Episode One",
            show_name="A Podcast",
            images=sp.image_set("https://i.scdn.co/image/ep"),
        )
        fake_listening(fake_spotify, sp.currently_playing(ep, kind="episode", progress_ms=10_000))
    elif state == "ad":
        fake_listening(fake_spotify, sp.currently_playing(None, kind="ad", progress_ms=None))
    else:
        fake_listening(fake_spotify, status=204)
    page = new_page()
    page.goto(spotify_site)
    page.locator(f"#now-playing[data-state={state}]").wait_for()
    title = page.locator("#now-title-text, #now-title").all_inner_texts()
    subtitle = page.locator("#now-subtitle").inner_text()
    if state == "episode":
        assert "Episode One" in title and subtitle.startswith("A Podcast")
        assert page.locator("#now-label").inner_text().lower() == "now playing · podcast"
        assert page.locator("#now-progress").is_visible()
    elif state == "ad":
        assert "An advertisement" in title and page.locator("#now-progress").is_hidden()
    else:
        assert page.locator("#now-label").inner_text().lower() == "not playing"
        assert "Title recent0" in title and subtitle.startswith("Last played")
        assert page.locator("#now-progress").is_hidden()
    page.console.assert_clean()


def test_stale_state_when_spotify_fails(new_page, owner_app, spotify_site, fake_spotify):
    store_owner_token(owner_app, expires_in=10**6)
    # 1 s left in the track: fresh for the 5 s minimum, then Spotify fails and stale is served.
    fake_listening(
        fake_spotify, sp.currently_playing(a_track("last", 200_000), progress_ms=199_000)
    )
    fake_spotify.get(NOW_URL, status=500, json={"error": {"status": 500, "message": "oops"}})
    page = new_page()
    page.goto(spotify_site)
    page.locator("#now-title", has_text="Title last").wait_for()
    assert page.locator("#now-stale").is_hidden()
    page.locator("#now-stale").wait_for(state="visible", timeout=20_000)
    assert page.locator("#now-title").inner_text() == "Title last"  # last known data stays
    assert page.locator("#now-playing").get_attribute("data-refresh-in") == "30"
    page.console.assert_clean()


@pytest.mark.parametrize("code", ["reauthorization_required", "not_connected"])
def test_reauth_and_not_connected_are_explained(
    new_page, owner_app, spotify_site, fake_spotify, code
):
    if code == "reauthorization_required":
        store_owner_token(owner_app, expires_in=0)
        fake_spotify.post(
            f"{ACCOUNTS}/api/token",
            status=400,
            json={"error": "invalid_grant", "error_description": "Refresh token revoked"},
        )
    page = new_page()
    page.goto(spotify_site)
    page.locator(f"#now-playing[data-error={code}]").wait_for()
    assert "Spotify isn't connected" in page.locator("#now-title-text").inner_text()
    message = page.locator("#now-message").inner_text()
    assert (
        "reconnect" in message
        if code == "reauthorization_required"
        else "No Spotify account" in message
    )
    page.locator(f"#recent[data-error={code}]").wait_for()
    page.locator(f"#top[data-error={code}]").wait_for()
    assert_accessible(page)  # error text keeps its contrast too
    assert any(EXPECTED_503.search(e) for e in page.console.errors)  # the collector sees them
    page.console.assert_clean(allow=EXPECTED_503)


def test_spotify_artist_build_progress_pause_and_charts(
    new_page, owner_app, spotify_site, fake_spotify
):
    """Real endpoints over a faked discography: 202 building → 202 waiting (429) → 200 → charts."""
    from tests.fakes.catalog_server import CatalogServer

    store_owner_token(owner_app, expires_in=10**7)
    fake_listening(fake_spotify, status=204)
    disco = sp.discography(
        "site-artist",
        9,
        tracks_per_album=[8, 5, 2, 11],
        duplicate_editions=True,
        artist_name="The Fake Orchestra",
        cover=lambda i: sp.image_set(f"https://i.scdn.co/image/cover{i}"),
        genres=["art rock"],
    )
    fake_spotify.get(f"{API}/search", json=sp.search_artists([disco.artist], limit=8))
    server = CatalogServer(fake_spotify, disco, missing=disco.track_ids[::7])
    server.fail("features", 1, 429, {"Retry-After": "2"})  # the provider asks for a pause
    albums = len(disco.albums)
    page = new_page()
    statuses: list[int] = []
    page.on("response", lambda r: "/audio-features" in r.url and statuses.append(r.status))
    page.goto(spotify_site)
    search_and_choose(page, "fake", "The Fake Orchestra")
    page.locator("#build[data-status=waiting]").wait_for()
    status = page.locator("#build-status").inner_text()
    assert f"{albums} of {albums} albums" in status and "paused until" in status
    assert page.locator("#build-progress").evaluate("p => [p.value, p.max]") == [albums, albums]
    snap(page, "spotify_artist_waiting")
    page.locator("#features[data-ready=true]").wait_for(timeout=30_000)
    assert statuses[0] == 202 and statuses[-1] == 200 and statuses.count(202) >= 2
    assert page.locator("#features-art").get_attribute("src").startswith("https://i.scdn.co/")
    with urlopen(f"{spotify_site}api/artists/{disco.artist['id']}/audio-features") as answer:
        ready = json.load(answer)
    assert len(ready["tracks"]) == len(disco.track_ids)
    assert any(t["duplicate_of"] for t in ready["tracks"])  # the deluxe edition counts once
    assert_charts_match(page, ready)
    page.console.assert_clean()
