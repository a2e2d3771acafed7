"""Listening endpoints: normalization, validation, shared caching, quota and stale-on-failure."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from responses import matchers

from app.models import CircuitState
from tests.fakes import spotify as sp
from tests.fakes.openapi import assert_conforms
from tests.helpers import API, store_owner_token

NOW_URL = f"{API}/me/player/currently-playing"
RECENT_URL = f"{API}/me/player/recently-played"
TOP_URL = f"{API}/me/top"
NOW_ARGS = [matchers.query_param_matcher({"additional_types": "track,episode"})]


@pytest.fixture
def connected(owner_app):
    store_owner_token(owner_app)
    return owner_app


def a_track(seed: str = "song", duration_ms: int = 200_000) -> dict:
    cover = sp.image_set(f"https://i.scdn.co/image/{seed}")
    album = sp.simplified_album(f"{seed}-album", name="Album Name", images=cover)
    return sp.track(seed, name=f"Title {seed}", album=album, duration_ms=duration_ms)


def playing(item, kind="track", progress_ms=50_000, is_playing=True) -> dict:
    answer = sp.currently_playing(item, kind=kind, progress_ms=progress_ms, is_playing=is_playing)
    return answer


def recent_answer(n: int = 3) -> dict:
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    plays = [sp.play_history(a_track(f"r{i}"), start - timedelta(minutes=5 * i)) for i in range(n)]
    answer = sp.recently_played(plays, limit=50)
    assert_conforms(answer, "/me/player/recently-played")
    return answer


def test_now_playing_track(connected, spotify):
    track = a_track("song", duration_ms=240_000)
    answer = playing(track)
    assert_conforms(answer, "/me/player/currently-playing")
    spotify.get(NOW_URL, json=answer, match=NOW_ARGS)
    body = connected.test_client().get("/api/now-playing").get_json()
    assert body["is_playing"] is True and body["type"] == "track"
    item = body["item"]
    assert item["title"] == "Title song" and item["id"] == track["id"]
    assert item["artists"][0]["name"] == track["artists"][0]["name"]
    assert item["album"]["name"] == "Album Name" and item["album"]["images"][0]["url"]
    assert item["url"] == track["external_urls"]["spotify"]
    assert item["duration_ms"] == 240_000 and body["progress_ms"] == 50_000
    assert body["source"] == "spotify" and body["stale"] is False and body["fetched_at"]


def test_now_playing_episode(connected, spotify):
    cover = sp.image_set("https://i.scdn.co/image/ep")
    episode = sp.episode("ep", name="Episode One", show_name="A Podcast", images=cover)
    spotify.get(NOW_URL, json=playing(episode, kind="episode"), match=NOW_ARGS)
    body = connected.test_client().get("/api/now-playing").get_json()
    assert body["type"] == "episode" and body["item"]["type"] == "episode"
    assert body["item"]["title"] == "Episode One" and body["item"]["show"]["name"] == "A Podcast"
    assert body["item"]["images"]


@pytest.mark.parametrize("kind", ["ad", "unknown"])
def test_now_playing_ad_or_unknown_has_no_item(connected, spotify, kind):
    spotify.get(NOW_URL, json=playing(None, kind=kind, progress_ms=None), match=NOW_ARGS)
    body = connected.test_client().get("/api/now-playing").get_json()
    assert body["type"] == kind and body["item"] is None and body["is_playing"] is True


def test_now_playing_local_file(connected, spotify):
    local = sp.local_track("Home Recording", "Me", "Demos")
    spotify.get(NOW_URL, json=playing(local), match=NOW_ARGS)
    body = connected.test_client().get("/api/now-playing").get_json()
    item = body["item"]
    assert item["is_local"] is True and item["id"] is None and item["url"] is None
    assert item["title"] == "Home Recording" and item["artists"][0]["id"] is None


def test_nothing_playing_gives_the_last_played_track(connected, spotify):
    spotify.get(NOW_URL, status=204, match=NOW_ARGS)
    recent = recent_answer()
    spotify.get(RECENT_URL, json=recent, match=[matchers.query_param_matcher({"limit": "50"})])
    body = connected.test_client().get("/api/now-playing").get_json()
    assert body["is_playing"] is False and body["item"] is None and body["type"] is None
    assert body["last_played"]["track"]["id"] == recent["items"][0]["track"]["id"]
    assert body["last_played"]["played_at"] == recent["items"][0]["played_at"]


def test_recently_played_and_top_slice_one_cached_page(connected, spotify):
    spotify.get(RECENT_URL, json=recent_answer(5))
    artists = [sp.artist(f"a{i}", name=f"Artist {i}") for i in range(5)]
    answer = sp.top_artists(artists, time_range="short_term", limit=50)
    assert_conforms(answer, "/me/top/artists")
    spotify.get(
        f"{TOP_URL}/artists",
        json=answer,
        match=[
            matchers.query_param_matcher({"time_range": "short_term", "limit": "50", "offset": "0"})
        ],
    )
    client = connected.test_client()
    assert len(client.get("/api/recently-played?limit=2").get_json()["items"]) == 2
    assert len(client.get("/api/recently-played?limit=50").get_json()["items"]) == 5
    top = client.get("/api/top/artists?time_range=short_term&limit=3").get_json()
    assert [a["name"] for a in top["items"]] == ["Artist 0", "Artist 1", "Artist 2"]
    assert top["time_range"] == "short_term"
    assert client.get("/api/top/artists?time_range=short_term&limit=1").status_code == 200
    assert len(spotify.calls) == 2  # one per upstream resource, whatever the limits asked


def test_top_tracks_default_range(connected, spotify):
    tracks = [a_track(f"t{i}") for i in range(3)]
    spotify.get(
        f"{TOP_URL}/tracks",
        json=sp.top_tracks(tracks, limit=50),
        match=[
            matchers.query_param_matcher(
                {"time_range": "medium_term", "limit": "50", "offset": "0"}
            )
        ],
    )
    body = connected.test_client().get("/api/top/tracks").get_json()
    assert body["time_range"] == "medium_term" and body["items"][0]["title"] == "Title t0"


@pytest.mark.parametrize(
    ("url", "argument"),
    [
        ("/api/recently-played?limit=0", "limit"),
        ("/api/recently-played?limit=51", "limit"),
        ("/api/recently-played?limit=ten", "limit"),
        ("/api/top/tracks?time_range=forever", "time_range"),
        ("/api/top/artists?limit=100", "limit"),
        ("/api/top/artists?range=short_term", "range"),
        ("/api/now-playing?fields=all", "fields"),
    ],
)
def test_bad_arguments_are_400_naming_the_argument(client, url, argument):
    response = client.get(url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_argument" and f"'{argument}'" in error["message"]


def test_cache_hit_makes_no_spotify_call(connected, spotify):
    spotify.get(NOW_URL, json=playing(a_track()), match=NOW_ARGS)
    client = connected.test_client()
    first = client.get("/api/now-playing")
    for _ in range(5):
        assert client.get("/api/now-playing").get_json() == first.get_json()
    assert len(spotify.calls) == 1


def test_two_instances_share_one_call_per_ttl(spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    apps = [create_app(TestingConfig) for _ in range(2)]
    store_owner_token(apps[0])
    spotify.get(RECENT_URL, json=recent_answer())
    spotify.get(RECENT_URL, json=recent_answer())
    with time_machine.travel(time.time(), tick=False) as clock:
        for app in apps * 3:
            assert app.test_client().get("/api/recently-played").status_code == 200
        assert len(spotify.calls) == 1
        clock.shift(15 * 60 + 1)  # one TTL later: exactly one more call between them
        for app in apps * 3:
            assert app.test_client().get("/api/recently-played").status_code == 200
    assert len(spotify.calls) == 2


QUOTA_BODY = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}


def test_quota_exceeded_serves_stale_fast_and_stops_calling(spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    apps = [create_app(TestingConfig) for _ in range(2)]
    store_owner_token(apps[0], expires_in=10**6)
    spotify.get(RECENT_URL, json=recent_answer())
    spotify.get(RECENT_URL, json=QUOTA_BODY, status=429, headers={"Retry-After": "50000"})
    with time_machine.travel(time.time(), tick=True) as clock:
        good = apps[0].test_client().get("/api/recently-played").get_json()
        clock.shift(20 * 60)
        started = time.perf_counter()
        response = apps[0].test_client().get("/api/recently-played")
        assert time.perf_counter() - started < 1.0
        body = response.get_json()
        assert response.status_code == 200 and body["stale"] is True
        assert body["items"] == good["items"]
        assert int(response.headers["Age"]) >= 20 * 60
        assert CircuitState.get("spotify").reason == "QUOTA_EXCEEDED"
        for app in apps:  # every container obeys the stored deadline
            clock.shift(3600)
            again = app.test_client().get("/api/recently-played")
            assert again.status_code == 200 and again.get_json()["stale"] is True
        assert len(spotify.calls) == 2
        status = apps[1].test_client().get("/api/status").get_json()["spotify"]
        assert status["circuit"]["open"] is True and status["circuit"]["reason"] == "QUOTA_EXCEEDED"
        clock.shift(50_000)  # past the deadline: Spotify is asked again
        spotify.get(RECENT_URL, json=recent_answer())
        fresh = apps[1].test_client().get("/api/recently-played").get_json()
        assert fresh["stale"] is False
    assert len(spotify.calls) == 3


def test_a_failed_refresh_does_not_hold_the_refresh_lock(connected, spotify):
    """After a short 429 passes, the very next request refreshes: no lock left behind."""
    from app.services.freshness import LEASE_SECONDS

    spotify.get(RECENT_URL, json=recent_answer())
    limited = {"error": {"status": 429, "message": "API rate limit exceeded"}}
    spotify.get(RECENT_URL, json=limited, status=429, headers={"Retry-After": "2"})
    client = connected.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        client.get("/api/recently-played")
        clock.shift(20 * 60)
        assert client.get("/api/recently-played").get_json()["stale"] is True
        clock.shift(3)  # the breaker's 2 s are over; the lock's would not be
        assert LEASE_SECONDS > 3
        spotify.get(RECENT_URL, json=recent_answer())
        assert client.get("/api/recently-played").get_json()["stale"] is False
    assert len(spotify.calls) == 3


def test_quota_exceeded_with_nothing_cached_is_503_with_retry_after(connected, spotify):
    spotify.get(NOW_URL, json=QUOTA_BODY, status=429, headers={"Retry-After": "50000"})
    client = connected.test_client()
    started = time.perf_counter()
    response = client.get("/api/now-playing")
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "spotify_unavailable"
    assert 49_990 <= int(response.headers["Retry-After"]) <= 50_000
    again = client.get("/api/top/tracks")  # breaker open: not even tried
    assert again.status_code == 503 and int(again.headers["Retry-After"]) > 49_000
    assert len(spotify.calls) == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": {"error": {"status": 500, "message": "oops"}}},
        {"status": 502, "body": "<html>Bad gateway</html>"},
        {"status": 200, "body": "{not json", "content_type": "application/json"},
    ],
)
def test_upstream_failures_open_the_breaker(connected, spotify, answer):
    spotify.get(RECENT_URL, **answer)
    client = connected.test_client()
    response = client.get("/api/recently-played")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "oops" not in response.get_data(as_text=True)
    assert client.get("/api/recently-played").status_code == 503
    assert len(spotify.calls) == 1


def test_timeout_is_fast_and_opens_the_breaker(connected, spotify):
    import requests

    spotify.get(RECENT_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    response = connected.test_client().get("/api/recently-played")
    assert response.status_code == 503
    assert CircuitState.get("spotify").open_until > time.time()


def test_spotify_calls_are_counted_against_the_budget(connected, spotify):
    spotify.get(RECENT_URL, json=recent_answer())
    client = connected.test_client()
    client.get("/api/recently-played")
    status = client.get("/api/status").get_json()["spotify"]
    assert status["calls_today"] == 1 and status["budget"] == 600


def test_spent_budget_refuses_calls_and_stretches_ttl(monkeypatch, spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_DAILY_BUDGET", "2")
    app = create_app(TestingConfig)
    store_owner_token(app)
    spotify.get(RECENT_URL, json=recent_answer())
    spotify.get(NOW_URL, json=playing(a_track()), match=NOW_ARGS)
    client = app.test_client()
    assert client.get("/api/recently-played").status_code == 200
    assert client.get("/api/now-playing").status_code == 200
    # Budget spent: the next upstream-needing request is refused without a call.
    refused = client.get("/api/top/artists")
    assert refused.status_code == 503
    assert refused.get_json()["error"]["code"] == "budget_exhausted"
    assert int(refused.headers["Retry-After"]) > 0
    assert len(spotify.calls) == 2
    with app.app_context():
        from app.services import budget

        assert budget.stretch_factor() > 1.0


def test_etag_and_304(connected, spotify):
    spotify.get(RECENT_URL, json=recent_answer())
    client = connected.test_client()
    first = client.get("/api/recently-played")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert 0 < first.cache_control.max_age <= 15 * 60
    second = client.get("/api/recently-played", headers={"If-None-Match": etag})
    assert second.status_code == 304 and second.get_data() == b""
    other = client.get("/api/recently-played", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_cors_allows_configured_origin_only(monkeypatch, spotify_env):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("CORS_ORIGINS", "https://me.example.com")
    client = create_app(TestingConfig).test_client()
    store_owner_token(client.application)
    allowed = client.get("/api/status", headers={"Origin": "https://me.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://me.example.com"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    refused = client.get("/api/status", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    error = client.get("/api/top/tracks?limit=0", headers={"Origin": "https://me.example.com"})
    assert error.status_code == 400
    assert error.headers["Access-Control-Allow-Origin"] == "https://me.example.com"


def test_not_connected_and_reauth_required_are_503(owner_app, spotify):
    client = owner_app.test_client()
    response = client.get("/api/now-playing")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "not_connected"
    store_owner_token(owner_app, expires_in=0)
    spotify.post(
        "https://accounts.spotify.com/api/token",
        json={"error": "invalid_grant", "error_description": "Refresh token revoked"},
        status=400,
    )
    response = owner_app.test_client().get("/api/top/artists")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "reauthorization_required"


def test_sample_mode_serves_bundled_data(client):
    for url in ["/api/now-playing", "/api/recently-played", "/api/top/artists", "/api/top/tracks"]:
        body = client.get(url).get_json()
        assert body["source"] == "sample", url
    assert client.get("/api/status").get_json()["mode"] == "sample"
