"""Odd upstream answers never give a 500: wrong shapes, bad tokens, absurd Retry-After, bad ids."""

from __future__ import annotations

import time

import pytest
import time_machine

from app.models import CircuitState, OwnerToken
from tests.fakes import spotify as sp
from tests.helpers import ACCOUNTS, API, store_owner_token

NOW_URL = f"{API}/me/player/currently-playing"
TOP_URL = f"{API}/me/top/artists"


@pytest.fixture
def connected(owner_app):
    store_owner_token(owner_app)
    return owner_app


def good_now_playing() -> dict:
    return sp.currently_playing(sp.track("song"), progress_ms=1_000)


WRONG_SHAPES = {
    "a list": [],
    "item is a string": {**good_now_playing(), "item": "x"},
    "progress is text": {**good_now_playing(), "progress_ms": "abc"},
    "item fields of the wrong type": {**good_now_playing(), "item": {"type": "track", "name": 7}},
    "a number": 42,
}


@pytest.mark.parametrize("body", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_wrong_shape_with_nothing_cached_is_503_and_opens_the_breaker(connected, spotify, body):
    spotify.get(NOW_URL, json=body)
    client = connected.test_client()
    first, second = client.get("/api/now-playing"), client.get("/api/now-playing")
    for answer in (first, second):
        assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
        assert answer.get_json()["error"]["code"] == "spotify_unavailable"
    assert CircuitState.get("spotify").reason == "MALFORMED_RESPONSE"
    assert len(spotify.calls) == 1, "the open breaker kept the second request from calling"


@pytest.mark.parametrize("body", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_wrong_shape_after_good_data_serves_it_stale_with_age(connected, spotify, body):
    spotify.get(NOW_URL, json=good_now_playing())
    spotify.get(NOW_URL, json=body)
    client = connected.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        assert client.get("/api/now-playing").get_json()["stale"] is False
        clock.shift(600)
        answer = client.get("/api/now-playing")
    assert answer.status_code == 200 and answer.get_json()["stale"] is True
    assert int(answer.headers["Age"]) >= 600
    assert answer.get_json()["item"]["title"] == good_now_playing()["item"]["name"]


def test_a_429_whose_body_is_a_list_is_still_a_rate_limit(connected, spotify):
    spotify.get(NOW_URL, json=[], status=429, headers={"Retry-After": "7"})
    answer = connected.test_client().get("/api/now-playing")
    assert answer.status_code == 503 and 1 <= int(answer.headers["Retry-After"]) <= 8
    assert CircuitState.get("spotify").reason == "RATE_LIMITED"


@pytest.mark.parametrize("body", [{"error": "x"}, ["nope"], "text"])
def test_an_error_body_of_the_wrong_shape_is_a_failure_not_a_500(connected, spotify, body):
    spotify.get(NOW_URL, json=body, status=404)
    answer = connected.test_client().get("/api/now-playing")
    assert answer.status_code == 503


def test_a_huge_retry_after_is_held_to_a_day(connected, spotify):
    spotify.get(NOW_URL, json={}, status=429, headers={"Retry-After": "9" * 23})
    client = connected.test_client()
    answer = client.get("/api/now-playing")
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) <= 86_400
    assert CircuitState.get("spotify").open_until <= time.time() + 86_400
    status = client.get("/api/status")
    assert status.status_code == 200 and status.get_json()["spotify"]["circuit"]["open"] is True


def test_a_breaker_stored_far_in_the_future_reads_as_a_day(connected):
    CircuitState("spotify", open_until=1e20, reason="RATE_LIMITED", opened_at=time.time()).save()
    status = connected.test_client().get("/api/status")
    assert status.status_code == 200
    assert status.get_json()["spotify"]["circuit"]["open_until"] < "2100"


@pytest.mark.parametrize(
    "answer",
    [
        {"token_type": "Bearer", "expires_in": 3600},
        {"access_token": "", "token_type": "Bearer", "expires_in": 3600},
        {"access_token": "access-9", "expires_in": "soon"},
        [],
    ],
)
def test_a_token_answer_without_a_token_keeps_the_old_one(owner_app, spotify, answer):
    stored = store_owner_token(owner_app, expires_in=30)  # due for a refresh
    spotify.post(f"{ACCOUNTS}/api/token", json=answer)
    response = owner_app.test_client().get("/api/now-playing")
    assert response.status_code == 503
    assert OwnerToken.get(OwnerToken.KEY).token == stored
    assert CircuitState.get("spotify").reason == "MALFORMED_RESPONSE"


def test_only_open_spotify_links_and_https_images_pass(connected, spotify):
    track = sp.track("song")
    track["external_urls"] = {"spotify": "javascript:alert(1)"}
    track["album"]["external_urls"] = {"spotify": "https://open.spotify.com.evil.example/x"}
    track["album"]["images"] = [
        {"url": "http://i.scdn.co/image/plain", "width": 64, "height": 64},
        {"url": "https://i.scdn.co/image/ok", "width": 640, "height": 640},
        {"url": 'https://x.example/"onload="alert(1)', "width": 300, "height": 300},
    ]
    track["id"] = "Duis reprehenderit dolor nulla"
    spotify.get(NOW_URL, json=sp.currently_playing(track))
    item = connected.test_client().get("/api/now-playing").get_json()["item"]
    assert item["url"] is None and item["album"]["url"] is None and item["id"] is None
    assert [i["url"] for i in item["album"]["images"]] == ["https://i.scdn.co/image/ok"]
