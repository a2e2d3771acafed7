"""The embeddable now-playing SVG: escaping untrusted titles, well-formedness, caching, states."""

from __future__ import annotations

import base64
import time
import xml.etree.ElementTree as ET

import pytest
import time_machine
from responses import matchers

from tests.fakes import spotify as sp
from tests.helpers import API, store_owner_token

NOW_URL = f"{API}/me/player/currently-playing"
RECENT_URL = f"{API}/me/player/recently-played"
NOW_ARGS = [matchers.query_param_matcher({"additional_types": "track,episode"})]
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = """<script>alert("x")</script> & 'quotes' "dq\""""
HOSTILE_ARTIST = "Bobby ]]> & <img src=x onerror=alert(1)>"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def connected(owner_app):
    store_owner_token(owner_app)
    return owner_app


def hostile_track(cover: str = "https://i.scdn.co/image/evilcover") -> dict:
    album = sp.simplified_album("evil-album", name="Album & <Co>", images=sp.image_set(cover))
    artists = [sp.simplified_artist("evil-artist", name=HOSTILE_ARTIST)]
    return sp.track("evil", name=HOSTILE, album=album, artists=artists, duration_ms=200_000)


def parse(response) -> ET.Element:
    """Parse strictly: any unescaped markup in a title makes this raise."""
    assert response.mimetype == "image/svg+xml"
    return ET.fromstring(response.get_data())


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def test_hostile_title_is_escaped_and_the_svg_stays_well_formed(connected, spotify):
    spotify.get(NOW_URL, json=sp.currently_playing(hostile_track(), progress_ms=60_000))
    spotify.get("https://i.scdn.co/image/evilcover", body=PNG, content_type="image/png")
    response = connected.test_client().get("/api/now-playing.svg")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    root = parse(response)
    assert root.tag == f"{SVG_NS}svg"
    # No element other than the card's own: nothing injected, no script anywhere.
    tags = {el.tag.removeprefix(SVG_NS) for el in root.iter()}
    assert tags <= {"svg", "title", "defs", "clipPath", "rect", "image", "g", "text", "animate"}
    assert "<script" not in raw and "<img" not in raw
    assert "&lt;script&gt;" in raw and "&amp;" in raw and "&quot;" in raw and "&apos;" in raw
    # The literal strings come back intact once parsed: full in the accessible name ...
    title = root.find(f"{SVG_NS}title").text
    assert HOSTILE in title and HOSTILE_ARTIST in title
    assert HOSTILE in root.get("aria-label")
    # ... and truncated (never mid-entity) in the visible text.
    visible = texts(root)
    assert visible[1] == HOSTILE[:29].rstrip() + "…"
    assert visible[2] == HOSTILE_ARTIST
    image = root.find(f"{SVG_NS}image")
    assert image.get("href") == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert root.find(f".//{SVG_NS}animate") is not None  # the bar keeps moving while playing


def test_invalid_xml_characters_are_dropped(connected, spotify):
    track = hostile_track()
    track["name"] = "Bell\x07 and NUL\x00 title"
    spotify.get(NOW_URL, json=sp.currently_playing(track, progress_ms=1_000))
    spotify.get("https://i.scdn.co/image/evilcover", status=404)
    root = parse(connected.test_client().get("/api/now-playing.svg"))
    assert texts(root)[1] == "Bell and NUL title"
    assert root.find(f"{SVG_NS}image") is None  # artwork failed: placeholder square


def test_artwork_only_from_spotify_cdn(connected, spotify):
    track = hostile_track(cover="http://169.254.169.254/latest/meta-data/")
    spotify.get(NOW_URL, json=sp.currently_playing(track, progress_ms=1_000))
    root = parse(connected.test_client().get("/api/now-playing.svg"))
    assert root.find(f"{SVG_NS}image") is None
    assert len(spotify.calls) == 1  # the metadata address was never requested


def test_same_caching_headers_as_the_json(connected, spotify):
    spotify.get(NOW_URL, json=sp.currently_playing(hostile_track(), progress_ms=60_000))
    spotify.get("https://i.scdn.co/image/evilcover", body=PNG, content_type="image/png")
    client = connected.test_client()
    with time_machine.travel(time.time(), tick=False):
        svg = client.get("/api/now-playing.svg")
        data = client.get("/api/now-playing")
        assert svg.headers["Cache-Control"] == data.headers["Cache-Control"]
        assert svg.headers["Cache-Control"].startswith("public, max-age=")
        assert 0 < svg.cache_control.max_age <= 150
        again = client.get("/api/now-playing.svg", headers={"If-None-Match": svg.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
    assert len(spotify.calls) == 2  # one now-playing call and one artwork fetch for everything


def test_nothing_playing_shows_the_last_played_track(connected, spotify):
    spotify.get(NOW_URL, status=204, match=NOW_ARGS)
    plays = [sp.play_history(hostile_track(), "2026-11-23T08:00:00.000Z")]
    spotify.get(RECENT_URL, json=sp.recently_played(plays, limit=50))
    spotify.get("https://i.scdn.co/image/evilcover", body=PNG, content_type="image/png")
    with time_machine.travel("2026-11-23T08:30:00Z", tick=False):
        root = parse(connected.test_client().get("/api/now-playing.svg"))
    label, title, artist = texts(root)[:3]
    assert label == "Not playing · last played 30 min ago"
    assert title.startswith("<script>") and artist == HOSTILE_ARTIST
    assert root.find(f".//{SVG_NS}animate") is None


def test_sample_mode_inlines_the_bundled_cover(client):
    response = client.get("/api/now-playing.svg")
    root = parse(response)
    assert root.find(f"{SVG_NS}image").get("href").startswith("data:image/svg+xml;base64,")
    assert texts(root)[0] == "Now playing"


def test_unavailable_is_an_svg_card_not_json(owner_app):
    response = owner_app.test_client().get("/api/now-playing.svg")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"
    assert "Spotify is not connected yet" in texts(parse(response))


def test_openapi_documents_the_svg(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/now-playing.svg"]["get"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    assert not any(path in spec["paths"] for path in ("/", "/config.js"))
