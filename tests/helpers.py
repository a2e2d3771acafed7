"""Constants and setup helpers shared by test modules (conftest holds only fixtures)."""

from __future__ import annotations

import base64
import re
import socket
import time

OWNER_ID = "owner-user"
CLIENT_SECRET = "client-secret-value-9f8e7d"
ACCOUNTS = "https://accounts.spotify.com"
API = "https://api.spotify.com/v1"
CLIENT_ID = "client-id-1234"


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server the tests or benches start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What must never reach a log line or a response body (conftest scans every test for it).
LEAK_PATTERN = re.compile(
    "|".join(
        [
            r"\baccess-[A-Za-z0-9]+",  # every fake access token is access-<x>
            r"\brefresh-[A-Za-z0-9]+",  # every fake refresh token is refresh-<x>
            re.escape(CLIENT_SECRET),
            re.escape(base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()),
            r"Bearer\s+[A-Za-z0-9._-]{6,}",
        ]
    )
)


def store_owner_token(app, *, expires_in: int = 3600, refresh_token: str = "refresh-0") -> dict:
    """Put an authorized owner token in DynamoDB, as a finished login leaves it."""
    token = {
        "access_token": "access-0",
        "token_type": "Bearer",
        "expires_in": 3600,
        "expires_at": int(time.time()) + expires_in,
        "refresh_token": refresh_token,
        "scope": app.config["SPOTIFY_SCOPES"],
    }
    from app.spotify.auth import Grant
    from app.spotify.gateway import gateway

    with app.app_context():
        gateway().connect(Grant(OWNER_ID, None, token))
    return token


def storage_deadline(seconds: float) -> None:
    """A short storage deadline for the requests that follow (the app's own is 2 s)."""
    import dataclasses

    from app import storage

    storage.configure(dataclasses.replace(storage.settings(), request_deadline=seconds))


def slow_down(monkeypatch, owner: object, name: str, seconds: float) -> None:
    """Make the callable `owner.name` (a fake's answer) take `seconds` longer each call."""
    answer = getattr(owner, name)

    def late(*args, **kwargs):
        time.sleep(seconds)
        return answer(*args, **kwargs)

    monkeypatch.setattr(owner, name, late)
