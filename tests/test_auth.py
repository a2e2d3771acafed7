"""Owner login, token storage and the refresh lifecycle, with Spotify faked at the HTTP layer."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from app.models import OAuthState, OwnerToken
from tests.fakes import spotify as sp
from tests.fakes.openapi import assert_conforms
from tests.helpers import (
    ACCOUNTS,
    API,
    OWNER_ID,
    slow_down,
    storage_deadline,
    store_owner_token,
)

TOKEN_URL = f"{ACCOUNTS}/api/token"
ME_URL = f"{API}/me/"


def login(client) -> dict[str, list[str]]:
    response = client.get("/auth/login")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ACCOUNTS}/authorize"
    return parse_qs(location.query)


def fake_code_exchange(spotify, user_id: str, access: str = "access-1") -> None:
    me = sp.user(user_id, "The Owner")
    assert_conforms(me, "/me")
    spotify.post(
        TOKEN_URL,
        json=sp.token_response(access, refresh_token="refresh-1"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "authorization_code",
                    "code": "the-code",
                    "redirect_uri": "http://127.0.0.1/auth/callback",
                    "scope": "user-read-currently-playing user-read-recently-played user-top-read",
                }
            )
        ],
    )
    spotify.get(
        ME_URL, json=me, match=[matchers.header_matcher({"Authorization": f"Bearer {access}"})]
    )


def test_login_callback_stores_the_owner_token(owner_app, spotify):
    client = owner_app.test_client()
    query = login(client)
    assert query["client_id"] == ["client-id-1234"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://127.0.0.1/auth/callback"]  # never localhost
    assert set(query["scope"][0].split()) >= {"user-read-currently-playing", "user-top-read"}
    state = query["state"][0]
    assert len(state) >= 40

    fake_code_exchange(spotify, OWNER_ID)
    response = client.get(f"/auth/callback?code=the-code&state={state}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "connected": True,
        "user_id": OWNER_ID,
        "display_name": "The Owner",
    }
    record = OwnerToken.get(OwnerToken.KEY)
    assert record.user_id == OWNER_ID
    assert record.token["access_token"] == "access-1"
    assert record.token["refresh_token"] == "refresh-1"
    status = client.get("/api/status").get_json()["token"]
    assert status["present"] and not status["reauth_required"]
    assert status["refresh_token_days_left"] == pytest.approx(182, abs=0.1)
    assert "access-1" not in str(status) and "refresh-1" not in str(status)


def test_redirect_uri_carries_the_api_gateway_stage_path(owner_app):
    client = owner_app.test_client()
    response = client.get(
        "/auth/login",
        base_url="https://abc123.execute-api.us-east-1.amazonaws.com/dev",
    )
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["redirect_uri"] == [
        "https://abc123.execute-api.us-east-1.amazonaws.com/dev/auth/callback"
    ]


def test_pinned_redirect_uri_wins(monkeypatch, spotify_env):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", "https://api.example.com/auth/callback")
    query = login(create_app(TestingConfig).test_client())
    assert query["redirect_uri"] == ["https://api.example.com/auth/callback"]


def test_non_owner_is_refused_and_nothing_is_stored(owner_app, spotify):
    client = owner_app.test_client()
    state = login(client)["state"][0]
    fake_code_exchange(spotify, "somebody-else")
    response = client.get(f"/auth/callback?code=the-code&state={state}")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_owner"
    assert len(list(OwnerToken.scan())) == 0


@pytest.mark.parametrize("case", ["missing", "wrong", "reused", "expired", "other_browser"])
def test_bad_state_is_refused_before_any_spotify_call(owner_app, spotify, case):
    client = owner_app.test_client()
    state = login(client)["state"][0]
    if case == "reused":
        fake_code_exchange(spotify, OWNER_ID)
        assert client.get(f"/auth/callback?code=the-code&state={state}").status_code == 200
        with client.session_transaction() as session:
            session["oauth_state"] = state  # even a replayed cookie cannot reuse it
    if case == "expired":
        OAuthState(state, expires_at=datetime.now(UTC) - timedelta(seconds=1)).save()
    if case == "other_browser":
        client = owner_app.test_client()
    query = {"missing": "", "wrong": "&state=forged"}.get(case, f"&state={state}")
    response = client.get(f"/auth/callback?code=the-code{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_denied_consent_is_a_clear_400(owner_app):
    client = owner_app.test_client()
    state = login(client)["state"][0]
    response = client.get(f"/auth/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "access_denied" in response.get_json()["error"]["message"]


def test_disconnect_needs_the_owner_session(owner_app, spotify):
    client = owner_app.test_client()
    store_owner_token(owner_app)
    visitor = owner_app.test_client().post("/auth/disconnect")
    assert visitor.status_code == 403 and len(list(OwnerToken.scan())) == 1
    state = login(client)["state"][0]
    fake_code_exchange(spotify, OWNER_ID)
    client.get(f"/auth/callback?code=the-code&state={state}")
    assert client.post("/auth/disconnect").get_json() == {"connected": False}
    assert len(list(OwnerToken.scan())) == 0


def _refresh_answer(spotify, body, status=200, used="refresh-0"):
    spotify.post(
        TOKEN_URL,
        json=body,
        status=status,
        match=[
            matchers.urlencoded_params_matcher(
                {"grant_type": "refresh_token", "refresh_token": used}
            )
        ],
    )


@pytest.mark.parametrize("rotated", [None, "refresh-rotated"])
def test_expired_token_is_refreshed_keeping_or_rotating_the_refresh_token(
    owner_app, spotify, rotated
):
    store_owner_token(owner_app, expires_in=30)  # inside spotipy's 60 s early-expiry window
    _refresh_answer(spotify, sp.token_response("access-2", refresh_token=rotated))
    with owner_app.app_context():
        assert owner_app.extensions["spotify"].auth.access_token() == "access-2"
    stored = OwnerToken.get(OwnerToken.KEY).token
    assert stored["access_token"] == "access-2"
    assert stored["refresh_token"] == (rotated or "refresh-0")
    assert stored["expires_at"] > time.time() + 3000


def test_fresh_token_is_reused_from_memory_without_calls(owner_app, spotify):
    store_owner_token(owner_app)
    with owner_app.app_context():
        auth = owner_app.extensions["spotify"].auth
        assert [auth.access_token() for _ in range(3)] == ["access-0"] * 3
    assert len(spotify.calls) == 0


def test_invalid_grant_puts_the_service_in_reauthorization_state(owner_app, spotify):
    store_owner_token(owner_app, expires_in=0)
    _refresh_answer(
        spotify, {"error": "invalid_grant", "error_description": "Refresh token revoked"}, 400
    )
    client = owner_app.test_client()
    status = client.get("/api/status").get_json()["token"]
    assert status["present"] is True
    with owner_app.app_context():
        from app.services.connection import require_connection

        with pytest.raises(Exception) as info:
            require_connection()
    assert info.value.code == "reauthorization_required" and info.value.status == 503
    status = client.get("/api/status").get_json()["token"]
    assert status["reauth_required"] is True and status["reauth_reason"] == "invalid_grant"
    assert OwnerToken.get(OwnerToken.KEY).user_id == OWNER_ID  # who and when are kept


def test_two_containers_refreshing_at_once_lose_nothing(spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    apps = [create_app(TestingConfig), create_app(TestingConfig)]
    store_owner_token(apps[0], expires_in=10)
    version_before = OwnerToken.get(OwnerToken.KEY).version
    for app in apps:  # both containers have the soon-expiring token in memory
        with app.app_context():
            app.extensions["spotify"].auth.store.record(fresh=True)

    both_in_flight = threading.Barrier(2, timeout=5)
    answers = iter(["access-A", "access-B"])
    lock = threading.Lock()

    def token_endpoint(request):
        both_in_flight.wait()
        with lock:
            access = next(answers)
        return (
            200,
            {},
            __import__("json").dumps(
                sp.token_response(access, refresh_token=f"refresh-{access[-1]}")
            ),
        )

    spotify.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint)
    spotify.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint)
    results: dict[int, str] = {}

    def refresh(i: int) -> None:
        with apps[i].app_context():
            results[i] = apps[i].extensions["spotify"].auth.access_token()

    threads = [threading.Thread(target=refresh, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = OwnerToken.get(OwnerToken.KEY)
    assert stored.version == version_before + 1  # exactly one winning write
    assert results[0] == results[1] == stored.token["access_token"]  # loser adopted the winner
    winner = stored.token["access_token"][-1]
    assert stored.token["refresh_token"] == f"refresh-{winner}"
    assert stored.token["expires_at"] > time.time() + 3000


def test_token_status_and_refresh_cli(owner_app, spotify):
    store_owner_token(owner_app, expires_in=3600)
    runner = owner_app.test_cli_runner()
    import json

    status = json.loads(runner.invoke(args=["token", "status"]).output)
    assert status["present"] and "access-0" not in str(status)
    quiet = json.loads(runner.invoke(args=["token", "refresh", "--within", "5"]).output)
    assert quiet["refreshed"] is False and len(spotify.calls) == 0
    _refresh_answer(spotify, sp.token_response("access-9"))
    forced = json.loads(runner.invoke(args=["token", "refresh"]).output)
    assert forced["refreshed"] is True
    assert OwnerToken.get(OwnerToken.KEY).token["access_token"] == "access-9"


def test_leak_pattern_recognises_every_secret_shape():
    import base64

    from tests.helpers import CLIENT_ID, CLIENT_SECRET, LEAK_PATTERN

    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    for text in ["tok access-0", "refresh-rotated", CLIENT_SECRET, basic, "Bearer abcdef123"]:
        assert LEAK_PATTERN.search(text), text
    assert not LEAK_PATTERN.search('{"refresh_token_days_left": 12, "present": true}')


def test_a_slow_spotify_at_login_still_stores_the_token(owner_app, spotify, monkeypatch):
    """Spotify's code is single-use: a login whose exchange outlasts the visitors' storage
    deadline must still store the token, or the owner's consent is lost."""
    client = owner_app.test_client()
    state = login(client)["state"][0]
    storage_deadline(0.5)
    fake_code_exchange(spotify, OWNER_ID)
    slow_down(monkeypatch, spotify.registered()[0], "get_response", 0.7)  # the token exchange
    response = client.get(f"/auth/callback?code=the-code&state={state}")
    assert response.status_code == 200, response.get_json()
    assert OwnerToken.get(OwnerToken.KEY).token["access_token"] == "access-1"


def test_a_slow_refresh_inside_a_request_still_stores_the_rotated_token(
    owner_app, spotify, monkeypatch
):
    """A rotated refresh token must reach DynamoDB even when the refresh outlasts the request's
    storage deadline: losing it would leave only a dead refresh token behind."""
    store_owner_token(owner_app, expires_in=0)
    storage_deadline(0.5)
    _refresh_answer(spotify, sp.token_response("access-2", refresh_token="refresh-rotated"))
    slow_down(monkeypatch, spotify.registered()[0], "get_response", 0.7)
    spotify.get(f"{API}/me/top/artists", json=sp.top_artists([sp.artist("a")], limit=50))
    answer = owner_app.test_client().get("/api/top/artists")
    assert answer.status_code == 200, answer.get_json()
    stored = OwnerToken.get(OwnerToken.KEY).token
    assert (stored["access_token"], stored["refresh_token"]) == ("access-2", "refresh-rotated")
