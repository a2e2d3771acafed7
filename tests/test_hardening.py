"""Disconnects everywhere, cross-site refusals, Vary: Origin, one refresh at a time, safe cards."""

from __future__ import annotations

import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import responses

from tests.fakes import spotify as sp
from tests.helpers import ACCOUNTS, API, OWNER_ID, store_owner_token

NOW_URL = f"{API}/me/player/currently-playing"
TOP = re.compile(rf"{API}/me/top/(artists|tracks).*")


def _top(request):
    kind = "artists" if "/artists" in request.url else "tracks"
    body = (
        sp.top_artists([sp.artist("a")], limit=50)
        if kind == "artists"
        else sp.top_tracks([sp.track("t")], limit=50)
    )
    return 200, {}, json.dumps(body)


def _log_in(client, spotify) -> None:
    """The owner's own browser: a finished login leaves its session cookie."""
    from tests.test_auth import fake_code_exchange, login

    state = login(client)["state"][0]
    fake_code_exchange(spotify, OWNER_ID)
    assert client.get(f"/auth/callback?code=the-code&state={state}").status_code == 200


# --- a disconnect takes effect everywhere ---------------------------------------------------------


def test_a_disconnect_reaches_another_container_within_its_recheck(
    monkeypatch, spotify_env, spotify
):
    from app import create_app
    from app.config import TestingConfig
    from app.spotify import token_store

    monkeypatch.setattr(token_store, "RECHECK_SECONDS", 0.3)  # 30 s in production
    here, there = create_app(TestingConfig), create_app(TestingConfig)
    spotify.add_callback(responses.GET, TOP, callback=_top)
    owner = here.test_client()
    _log_in(owner, spotify)
    visitor = there.test_client()
    assert visitor.get("/api/top/artists").status_code == 200  # cached in `there` too
    assert owner.post("/auth/disconnect").get_json() == {"connected": False}
    time.sleep(0.4)
    calls = len(spotify.calls)
    for path in ("/api/top/artists", "/api/now-playing", "/api/artists/search?q=anything"):
        answer = visitor.get(path)
        assert answer.status_code == 503, path
        assert answer.get_json()["error"]["code"] == "not_connected"
    assert len(spotify.calls) == calls, "nothing was asked of Spotify after the disconnect"


def test_a_disconnect_drops_the_cached_listening_data(owner_app, spotify):
    from app.models import CacheEntry

    spotify.add_callback(responses.GET, TOP, callback=_top)
    client = owner_app.test_client()
    _log_in(client, spotify)
    assert client.get("/api/top/artists").status_code == 200
    assert any(":top:artists:" in e.key for e in CacheEntry.scan())
    client.post("/auth/disconnect")
    assert not any(":top:" in e.key for e in CacheEntry.scan())
    assert client.get("/api/top/artists").status_code == 503


# --- cross-site requests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "https://blog.localhost"},  # a sibling subdomain: SameSite=Lax lets it in
        {"Sec-Fetch-Site": "same-site", "Origin": "https://blog.localhost"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_disconnect_from_another_site_is_refused_even_with_the_owners_cookie(
    owner_app, spotify, headers
):
    from app.models import OwnerToken

    client = owner_app.test_client()
    _log_in(client, spotify)
    refused = client.post("/auth/disconnect", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "cross_site_refused"
    assert len(list(OwnerToken.scan())) == 1
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/auth/disconnect", headers=same).status_code == 200


# --- shared caches keep origins apart -------------------------------------------------------------


def test_every_api_answer_varies_by_origin(client):
    first = client.get("/api/top/tracks")
    for response in (
        first,
        client.get("/api/top/tracks", headers={"If-None-Match": first.headers["ETag"]}),
        client.get("/api/top/tracks?limit=0"),
        client.get("/api/nope"),
        client.get("/api/status"),
        client.get("/api/now-playing.svg"),
    ):
        assert "Origin" in response.headers.get("Vary", ""), response.status
    assert "Origin" not in client.get("/health").headers.get("Vary", "")


# --- one refresh of the token at a time -----------------------------------------------------------


def _slow_token_endpoint(spotify, calls: list[str]) -> None:
    def answer(request):
        calls.append(request.body)
        time.sleep(0.3)  # long enough for every waiting thread to pile up behind it
        return 200, {}, json.dumps(sp.token_response(f"access-new{len(calls)}"))

    spotify.add_callback(responses.POST, f"{ACCOUNTS}/api/token", callback=answer)


PATHS = [
    "/api/top/artists",
    "/api/top/tracks",
    "/api/top/artists?time_range=long_term",
    "/api/top/tracks?time_range=long_term",
    "/api/top/artists?time_range=short_term",
    "/api/top/tracks?time_range=short_term",
    "/api/recently-played",
    "/api/now-playing",
]


def _visit(apps, paths) -> list[int]:
    codes: list[int] = []
    lock = threading.Lock()

    def one(app, path):
        code = app.test_client().get(path).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=one, args=(a, p)) for a in apps for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _listening_answers(spotify) -> None:
    spotify.add_callback(responses.GET, TOP, callback=_top)
    spotify.get(f"{API}/me/player/recently-played", json=sp.recently_played([], limit=50))
    spotify.get(NOW_URL, status=204)


def test_sixteen_requests_after_expiry_refresh_once(owner_app, spotify):
    store_owner_token(owner_app, expires_in=0)
    calls: list[str] = []
    _slow_token_endpoint(spotify, calls)
    _listening_answers(spotify)
    assert set(_visit([owner_app], PATHS * 2)) == {200}
    assert len(calls) == 1


def test_two_containers_refresh_once_between_them(spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    apps = [create_app(TestingConfig), create_app(TestingConfig)]
    store_owner_token(apps[0], expires_in=0)
    calls: list[str] = []
    _slow_token_endpoint(spotify, calls)
    _listening_answers(spotify)
    assert set(_visit(apps, PATHS)) == {200}
    assert len(calls) == 1


# --- one fetch of cold data at a time -------------------------------------------------------------


def test_a_cold_cache_is_fetched_once_per_key_whatever_the_crowd(spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    apps = [create_app(TestingConfig), create_app(TestingConfig)]
    store_owner_token(apps[0])
    seen: list[str] = []

    def slow_top(request):
        seen.append(request.url)
        time.sleep(0.3)
        return _top(request)

    spotify.add_callback(responses.GET, TOP, callback=slow_top)
    assert set(_visit(apps, ["/api/top/artists"] * 10)) == {200}
    assert len(seen) == 1


# --- the SVG card draws whatever Spotify says, within its bounds ----------------------------------

BAR = re.compile(r'<rect x="124" y="98" width="(-?[\d.]+)"')


@pytest.mark.parametrize(
    ("progress_ms", "duration_ms", "bar"),
    [(-5_000, 200_000, 0.0), (500_000, 200_000, 272.0), (10_000, -200_000, None), (0, 0, None)],
)
def test_the_progress_bar_stays_on_the_card(owner_app, spotify, progress_ms, duration_ms, bar):
    store_owner_token(owner_app)
    track = sp.track("odd", duration_ms=200_000)
    track["duration_ms"] = duration_ms
    body = sp.currently_playing(track, progress_ms=progress_ms, is_playing=False)
    spotify.get(NOW_URL, json=body)
    svg = owner_app.test_client().get("/api/now-playing.svg").get_data(as_text=True)
    ET.fromstring(svg)
    widths = [float(w) for w in BAR.findall(svg)]
    if bar is None:
        assert widths == []
    else:
        assert widths[1] == bar and all(0 <= w <= 272 for w in widths)


def test_a_last_played_time_that_is_not_iso_8601_never_breaks_the_card(owner_app, spotify):
    store_owner_token(owner_app)
    spotify.get(NOW_URL, status=204)
    play = sp.play_history(sp.track("last"), datetime(2026, 1, 1, tzinfo=UTC))
    recent = sp.recently_played([play], limit=50)
    recent["items"][0]["played_at"] = "last Tuesday"
    spotify.get(f"{API}/me/player/recently-played", json=recent)
    answer = owner_app.test_client().get("/api/now-playing.svg")
    assert answer.status_code == 200
    ET.fromstring(answer.get_data(as_text=True))


def test_the_card_draws_a_last_play_without_its_time_when_the_time_is_unreadable():
    from app import svg_card

    body = {
        "is_playing": False,
        "item": None,
        "type": None,
        "stale": False,
        "fetched_at": "2026-12-01T00:00:00Z",
        "last_played": {"played_at": "last Tuesday", "track": {"title": "Song", "artists": []}},
    }
    card = svg_card.describe(body, time.time())
    assert card["label"] == "Not playing · last played" and card["title"] == "Song"
