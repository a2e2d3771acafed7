"""No visitor can spend the owner's Spotify day: shares of the budget, per-visitor limits."""

from __future__ import annotations

import re

import pytest
import responses

from tests.fakes import spotify as sp
from tests.helpers import API, store_owner_token

SEARCH = re.compile(rf"{API}/search.*")


@pytest.fixture
def small_budget(monkeypatch, spotify_env):
    """20 calls a day: listening keeps 8, search may take 2, builds 10."""
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_DAILY_BUDGET", "20")
    monkeypatch.setenv("VISITOR_UNCACHED_LIMIT", "1000")
    app = create_app(TestingConfig)
    store_owner_token(app)
    return app


def _search_answer(request):
    return 200, {}, __import__("json").dumps(sp.search_artists([sp.artist("x")], limit=10))


def test_a_search_flood_cannot_touch_the_listening_reserve(small_budget, spotify):
    spotify.add_callback(responses.GET, SEARCH, callback=_search_answer)
    spotify.get(f"{API}/me/top/artists", json=sp.top_artists([sp.artist("a")], limit=50))
    client = small_budget.test_client()
    answers = [
        client.get(f"/api/artists/search?q=flood{i}", environ_base={"REMOTE_ADDR": f"10.0.{i}.1"})
        for i in range(25)
    ]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    refused = answers[2:]
    assert {a.status_code for a in refused} == {503}
    assert {a.get_json()["error"]["code"] for a in refused} == {"budget_exhausted"}
    assert len([c for c in spotify.calls if "/search" in c.request.url]) == 2
    top = client.get("/api/top/artists")  # the owner's site still gets its data
    assert top.status_code == 200 and top.get_json()["stale"] is False
    shares = client.get("/api/status").get_json()["spotify"]["shares"]
    assert shares["search"] == {"used": 2, "cap": 2}
    assert shares["listening"]["used"] == 1 and shares["listening"]["reserve"] == 8


def test_search_and_builds_together_never_reach_into_the_reserve(small_budget):
    """The conditional update itself: others (search + builds) stop at budget - reserve."""
    from app.spotify.errors import BudgetExceeded
    from app.spotify.gateway import gateway
    from app.spotify.limiter import spending

    with small_budget.app_context():
        limiter = gateway()._limiter
        spent = {"builds": 0, "search": 0}
        for share in ["builds"] * 15 + ["search"] * 5:
            with spending(share):
                try:
                    limiter.before_call()
                    spent[share] += 1
                except BudgetExceeded:
                    pass
        assert spent == {"builds": 10, "search": 2}
        for _ in range(8):  # listening's reserve is all there
            limiter.before_call()
        with pytest.raises(BudgetExceeded):
            limiter.before_call()  # and the day is spent
    from app.models import DailyCalls

    [row] = list(DailyCalls.scan())
    assert (row.total, row.others, row.listening) == (20, 12, 8)


def test_search_fetches_the_full_page_once_whatever_the_limit(connected_search, spotify):
    spotify.get(
        f"{API}/search",
        json=sp.search_artists([sp.artist(f"s{i}") for i in range(10)], limit=10),
        match=[
            responses.matchers.query_param_matcher(
                {"q": "Same", "type": "artist", "limit": "10", "offset": "0"}
            )
        ],
    )
    client = connected_search.test_client()
    assert len(client.get("/api/artists/search?q=Same&limit=3").get_json()["items"]) == 3
    assert len(client.get("/api/artists/search?q=same&limit=7").get_json()["items"]) == 7
    assert len(client.get("/api/artists/search?q=%20same%20").get_json()["items"]) == 10
    assert len(spotify.calls) == 1


@pytest.fixture
def connected_search(monkeypatch, spotify_env):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("VISITOR_UNCACHED_LIMIT", "3")
    app = create_app(TestingConfig)
    store_owner_token(app)
    return app


def test_a_visitor_gets_429_after_their_uncached_allowance_in_every_container(
    connected_search, spotify
):
    from app import create_app
    from app.config import TestingConfig

    spotify.add_callback(responses.GET, SEARCH, callback=_search_answer)
    other_container = create_app(TestingConfig)
    me, neighbour = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.4"}
    first, second = connected_search.test_client(), other_container.test_client()
    assert first.get("/api/artists/search?q=a", environ_base=me).status_code == 200
    assert second.get("/api/artists/search?q=b", environ_base=me).status_code == 200
    assert first.get("/api/artists/search?q=c", environ_base=me).status_code == 200
    refused = second.get("/api/artists/search?q=d", environ_base=me)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert second.get("/api/artists/search?q=a", environ_base=me).status_code == 200  # cached
    assert first.get("/api/artists/search?q=d", environ_base=neighbour).status_code == 200
    assert len(spotify.calls) == 4
    from app.models import Counter

    stored = " ".join(c.name for c in Counter.scan())
    assert "203.0.113.9" not in stored and "198.51.100.4" not in stored  # hashed, never kept


def test_a_new_artist_counts_as_uncached_work(connected_search, spotify):
    spotify.add_callback(
        responses.GET,
        re.compile(rf"{API}/artists/\w+/albums.*"),
        callback=lambda r: (404, {}, '{"error": {"status": 404, "message": "nope"}}'),
    )
    client = connected_search.test_client()
    me = {"REMOTE_ADDR": "203.0.113.10"}
    codes = [
        client.get(f"/api/artists/{sp.spotify_id(f'new{i}')}/audio-features", environ_base=me)
        for i in range(4)
    ]
    assert [c.status_code for c in codes] == [404, 404, 404, 429]


def test_ipv6_visitors_are_counted_by_their_slash_64(connected_search, spotify):
    spotify.add_callback(responses.GET, SEARCH, callback=_search_answer)
    client = connected_search.test_client()
    codes = [
        client.get(
            f"/api/artists/search?q=v6{i}", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{i + 1}"}
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_token_calls_are_counted_by_the_exact_endpoint(monkeypatch, spotify_env, spotify):
    """SPOTIFY_API_URL under SPOTIFY_ACCOUNTS_URL (as bench/stack.py does) is still metered."""
    from app import create_app
    from app.config import TestingConfig

    base = "https://spotify.test"
    monkeypatch.setenv("SPOTIFY_ACCOUNTS_URL", base)
    monkeypatch.setenv("SPOTIFY_API_URL", f"{base}/v1")
    monkeypatch.setenv("SPOTIFY_DAILY_BUDGET", "3")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=30)  # refreshed first: a token call, never refused
    spotify.post(f"{base}/api/token", json=sp.token_response("access-t"))
    spotify.get(f"{base}/v1/me/top/artists", json=sp.top_artists([sp.artist("a")], limit=50))
    spotify.get(f"{base}/v1/me/top/tracks", json=sp.top_tracks([sp.track("t")], limit=50))
    client = app.test_client()
    assert client.get("/api/top/artists").status_code == 200
    assert client.get("/api/top/tracks").status_code == 200
    refused = client.get("/api/top/artists?time_range=long_term")
    assert refused.get_json()["error"]["code"] == "budget_exhausted"  # no call went out
    status = client.get("/api/status").get_json()["spotify"]
    assert status["calls_today"] == 3 and status["shares"]["token"]["used"] == 1
