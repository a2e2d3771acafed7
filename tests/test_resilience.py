"""A stalled DynamoDB, a dripping image CDN, chatty libraries: answers stay fast and clean."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses
import time_machine
from requests.adapters import HTTPAdapter

from tests.fakes import spotify as sp
from tests.helpers import API, store_owner_token

TOP = re.compile(rf"{API}/me/top/(artists|tracks).*")


def _top(request):
    body = (
        sp.top_artists([sp.artist("a")], limit=50)
        if "/artists" in request.url
        else sp.top_tracks([sp.track("t")], limit=50)
    )
    return 200, {}, json.dumps(body)


# --- a stalled DynamoDB -----------------------------------------------------------------------


@pytest.fixture
def short_breaker_app(monkeypatch, spotify_env):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("DYNAMODB_BREAKER_SECONDS", "1")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    return app


def _timed(client, path: str) -> tuple[float, object]:
    started = time.perf_counter()
    answer = client.get(path)
    return time.perf_counter() - started, answer


def test_a_stalled_dynamodb_costs_a_visitor_under_two_seconds(short_breaker_app, spotify, dynamodb):
    spotify.add_callback(responses.GET, TOP, callback=_top)
    client = short_breaker_app.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        assert client.get("/api/top/artists").status_code == 200
        clock.shift(7 * 3600)  # past freshness: a refresh would be due
        dynamodb.stall()
        try:
            results = []
            threads = [
                threading.Thread(target=lambda p=p: results.append((p, *_timed(client, p))))
                for p in ["/api/top/artists", "/api/top/tracks", "/api/top/artists"] * 3
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            dynamodb.resume()
    for path, seconds, answer in results:
        assert seconds < 2.0, (path, seconds)
        if path == "/api/top/artists":  # last good data from this container's memory
            assert answer.status_code == 200 and answer.get_json()["stale"] is True
            assert int(answer.headers["Age"]) >= 7 * 3600
        else:  # nothing to serve: the documented 503, with Retry-After
            assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
            assert answer.get_json()["error"]["code"] == "database_unavailable"
    time.sleep(1.1)  # the breaker's second passes, and DynamoDB answers again
    assert client.get("/api/top/tracks").status_code == 200


# --- the image CDN ---------------------------------------------------------------------------


class _Drip(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.end_headers()
        for _ in range(40):  # 10 s of one byte every 0.25 s: each read is quick, the whole is not
            try:
                self.wfile.write(b"\xff")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.25)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dripping_cdn() -> Iterator[requests.Session]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = f"http://127.0.0.1:{server.server_port}"

    class ToLocal(HTTPAdapter):
        def send(self, request, **kwargs):  # i.scdn.co, answered by the local drip
            request.url = request.url.replace("https://i.scdn.co", local)
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount("https://i.scdn.co/", ToLocal())
    with responses.RequestsMock() as mock:
        mock.add_passthru(local)
        yield session
    server.shutdown()
    server.server_close()


def test_a_dripping_cdn_is_cut_off_at_the_deadline(dripping_cdn):
    from app.spotify import artwork

    started = time.perf_counter()
    assert artwork.fetch(dripping_cdn, "https://i.scdn.co/image/ab67616d0000b273") is None
    assert time.perf_counter() - started < artwork.DEADLINE + 1.2


@pytest.mark.parametrize(
    "url",
    [
        "https://i.scdn.co/image/abc\n",
        "https://i.scdn.co/image/abc?x=1",
        "https://i.scdn.co.evil.example/image/abc",
        "http://i.scdn.co/image/abc",
    ],
)
def test_only_the_exact_cdn_address_is_fetched(url):
    from app.spotify import artwork

    assert not artwork.allowed(url)
    assert artwork.fetch(requests.Session(), url) is None  # no request made (responses-free)


# --- chatty libraries --------------------------------------------------------------------------


def test_spotipy_errors_are_warnings_without_the_visitors_text(owner_app, spotify, capsys):
    store_owner_token(owner_app)
    spotify.get(f"{API}/search", json={"error": {"status": 400, "message": "Bad"}}, status=400)
    capsys.readouterr()
    answer = owner_app.test_client().get("/api/artists/search?q=my%20secret%20crush")
    assert answer.status_code == 503
    out = capsys.readouterr().out
    assert "secret" not in out and "crush" not in out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    spotipy = [r for r in lines if r["logger"].startswith("spotipy")]
    assert spotipy and all(r["level"] == "warning" for r in spotipy)
    assert spotipy[0]["event"] == "spotify answered 400 to GET https://api.spotify.com/v1/search"
