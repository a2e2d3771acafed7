"""A local Spotify (accounts + Web API) and ReccoBeats over HTTP, with switchable faults.

Serves the bundled sample answers (they conform to Spotify's OpenAPI description) at Spotify's
paths, so a real server process (gunicorn) can be pointed at it by SPOTIFY_API_URL,
SPOTIFY_ACCOUNTS_URL and RECCOBEATS_URL. `POST /_control/fault` switches the failure mode;
`GET /_control/stats` reports calls and every code and token it issued (for the log scan).
Tokens are real to the fake: only ones it issued work, and "revoked" invalidates them all.

Served over HTTP by bench/fake_spotify.py; tests mount it behind `responses` (see `mount`).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "sample"
FAULTS = {"ok", "rate_limit", "quota", "server_error", "stall", "malformed", "revoked"}
FAULTS |= {"wrong_shape", "bad_token", "huge_retry_after"}


def _load(name: str) -> Any:
    return json.loads((SAMPLE / name).read_text())


class State:
    """The fault in force, call counts and issued secrets, shared by the server's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fault, self.retry_after, self.stall_seconds = "ok", 2, 10.0
        self.calls: dict[str, int] = {}
        self.issued: list[str] = []  # every code and token handed out, for the log scan
        self.access: set[str] = set()  # access tokens that still work
        self.refresh: set[str] = set()  # refresh tokens that still work
        self.codes: set[str] = set()
        self.track_seconds: float | None = None  # fixed track length, so tracks end soon

    def issue(self, kind: set[str], prefix: str) -> str:
        value = prefix + secrets.token_urlsafe(32)
        with self.lock:
            kind.add(value)
            self.issued.append(value)
        return value

    def revoke_all(self) -> None:
        """The owner revoked the app: every token issued so far stops working."""
        with self.lock:
            self.access.clear()
            self.refresh.clear()

    def count(self, kind: str) -> None:
        with self.lock:
            self.calls[kind] = self.calls.get(kind, 0) + 1
            self.calls["total"] = self.calls.get("total", 0) + 1


def create_app() -> Flask:
    """The fake's routes: accounts token endpoint, Web API reads, ReccoBeats, control."""
    app = Flask(__name__)
    state = State()
    app.extensions["fake_spotify"] = state

    def fault_response(kind: str) -> Response | None:
        fault = state.fault
        if fault == "rate_limit":
            body = {"error": {"status": 429, "message": "API rate limit exceeded"}}
            return _json(body, 429, {"Retry-After": str(state.retry_after)})
        if fault == "quota":
            body = {
                "error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}
            }
            return _json(body, 429, {"Retry-After": "50000"})
        if fault == "server_error":
            return _json({"error": {"status": 500, "message": "Server error"}}, 500)
        if fault == "stall":
            time.sleep(state.stall_seconds)
        if fault == "malformed":
            return Response("<html>upstream proxy error", 200, mimetype="application/json")
        if fault == "wrong_shape" and kind != "accounts":
            return _json([])  # valid JSON, the wrong shape for every endpoint
        if fault == "huge_retry_after":
            body = {"error": {"status": 429, "message": "API rate limit exceeded"}}
            return _json(body, 429, {"Retry-After": "9" * 23})
        if fault == "bad_token" and kind == "accounts":
            return _json({"token_type": "Bearer", "expires_in": 3600})  # no access_token
        if kind == "api" and _bearer() not in state.access:
            return _json({"error": {"status": 401, "message": "Invalid access token"}}, 401)
        return None

    @app.before_request
    def _faults() -> Response | None:
        if request.path.startswith("/_control") or request.path == "/authorize":
            return None
        kind = "accounts" if request.path == "/api/token" else "api"
        kind = "reccobeats" if request.path.startswith("/reccobeats") else kind
        state.count(kind)
        return fault_response(kind)

    @app.get("/authorize")
    def authorize() -> Response:
        """The consent page, already agreed to: straight back to the app with a code."""
        code = state.issue(state.codes, "AQ")
        target = f"{request.args['redirect_uri']}?code={code}&state={request.args['state']}"
        return Response(status=302, headers={"Location": target})

    @app.post("/api/token")
    def token() -> Response:
        form = request.form
        if form.get("grant_type") == "authorization_code":
            if form.get("code") not in state.codes:
                return _json({"error": "invalid_grant", "error_description": "Invalid code"}, 400)
            state.codes.discard(form["code"])
            refresh = state.issue(state.refresh, "AQD")
        elif form.get("refresh_token") in state.refresh:
            refresh = None  # Spotify usually keeps the refresh token
        else:
            body = {"error": "invalid_grant", "error_description": "Refresh token revoked"}
            return _json(body, 400)
        answer = {
            "access_token": state.issue(state.access, "BQ"),
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "user-read-currently-playing user-read-recently-played user-top-read",
        }
        return _json({**answer, "refresh_token": refresh} if refresh else answer)

    @app.get("/v1/me", strict_slashes=False)
    @app.get("/v1/me/")
    def me() -> Response:
        return _json(_load("me.json"))

    @app.get("/v1/me/player/currently-playing")
    def currently_playing() -> Response:
        answer = dict(_load("currently_playing.json"))
        duration = (answer.get("item") or {}).get("duration_ms") or 1
        now_ms = int(time.time() * 1000)
        if state.track_seconds:  # a new track every track_seconds
            length = int(state.track_seconds * 1000)
            answer["item"] = {**answer["item"], "duration_ms": length}
            answer["progress_ms"] = now_ms % length
        else:
            answer["progress_ms"] = now_ms % duration
        answer["timestamp"] = now_ms - answer["progress_ms"]
        return _json(answer)

    @app.get("/v1/me/player/recently-played")
    def recently_played() -> Response:
        answer = dict(_load("recently_played.json"))
        limit = int(request.args.get("limit", 20))
        return _json({**answer, "items": answer["items"][:limit], "limit": limit})

    @app.get("/v1/me/top/<kind>")
    def top(kind: str) -> Response:
        answer = _load(f"top_{kind}_{request.args.get('time_range', 'medium_term')}.json")
        limit = int(request.args.get("limit", 20))
        return _json({**answer, "items": answer["items"][:limit], "limit": limit})

    @app.get("/v1/search")
    def search() -> Response:
        answer = _load("search_artists.json")
        query = request.args.get("q", "").lower()
        items = [a for a in answer["artists"]["items"] if query in a["name"].lower()]
        limit = int(request.args.get("limit", 10))
        return _json(
            {"artists": {**answer["artists"], "items": items[:limit], "total": len(items)}}
        )

    @app.get("/v1/artists/<artist_id>")
    def artist(artist_id: str) -> Response:
        found = _load("artist.json")
        if artist_id != found["id"]:
            return _json({"error": {"status": 404, "message": "Resource not found"}}, 404)
        return _json(found)

    @app.get("/v1/artists/<artist_id>/albums")
    def artist_albums(artist_id: str) -> Response:
        if artist_id != _load("artist.json")["id"]:
            return _json({"error": {"status": 404, "message": "Resource not found"}}, 404)
        return _json(_load("artist_albums.json")[int(request.args.get("offset", 0)) // 10])

    @app.get("/v1/albums/<album_id>/tracks", strict_slashes=False)
    def album_tracks(album_id: str) -> Response:
        pages = _load(f"album_tracks/{album_id}.json")
        return _json(pages[int(request.args.get("offset", 0)) // 50])

    @app.get("/reccobeats/v1/audio-features")
    def audio_features() -> Response:
        wanted = set(request.args.get("ids", "").split(","))
        rows = [r for r in _load("audio_features.json")["content"] if _track_id(r) in wanted]
        return _json({"content": rows})

    @app.post("/_control/fault")
    def set_fault() -> Response:
        body = request.get_json()
        if body.get("fault") not in FAULTS:
            return _json({"error": f"fault must be one of {sorted(FAULTS)}"}, 400)
        if body["fault"] == "revoked":
            state.revoke_all()
        if body["fault"] == "bad_token":  # access tokens stop working; refreshing gives junk
            with state.lock:
                state.access.clear()
        with state.lock:
            state.fault = body["fault"]
            state.retry_after = int(body.get("retry_after", state.retry_after))
            state.stall_seconds = float(body.get("stall_seconds", state.stall_seconds))
            state.track_seconds = body.get("track_seconds", state.track_seconds)
        return jsonify(fault=state.fault)

    @app.get("/_control/stats")
    def stats() -> Response:
        with state.lock:
            return jsonify(calls=dict(state.calls), issued=list(state.issued), fault=state.fault)

    return app


def _bearer() -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


def _track_id(row: dict[str, Any]) -> str:
    return row.get("href", "").rstrip("/").rsplit("/", 1)[-1]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers, mimetype="application/json")


def mount(mock: Any, app: Flask, base: str, prefix: str = "") -> None:
    """Answer every request to `base` from the fake app (at `prefix`), through `responses`."""
    import re

    client = app.test_client()

    def forward(prepared: Any) -> tuple[int, dict[str, str], bytes]:
        path = prefix + prepared.url[len(base) :]
        answer = client.open(
            path, method=prepared.method, headers=dict(prepared.headers), data=prepared.body
        )
        return answer.status_code, dict(answer.headers), answer.get_data()

    for method in ("GET", "POST", "PUT", "DELETE"):
        mock.add_callback(method, re.compile(re.escape(base) + r".*"), callback=forward)
