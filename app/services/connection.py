"""Whether the owner's Spotify can be called now, and cache keys that end with a disconnect."""

from __future__ import annotations

from app.errors import NotConnected, ReauthorizationRequired
from app.spotify.errors import AuthorizationLost, NoToken
from app.spotify.gateway import gateway


def require_connection() -> None:
    """Raise the right 503 when Spotify cannot be called on the owner's behalf."""
    try:
        gateway().check_connection()
    except NoToken as exc:
        raise NotConnected() from exc
    except AuthorizationLost as exc:
        raise ReauthorizationRequired() from exc


def owner_key(name: str, generation: int | None = None) -> str:
    """A cache key for the owner's data under the current login (a disconnect changes it)."""
    return f"g{gateway().generation() if generation is None else generation}:{name}"
