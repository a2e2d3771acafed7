"""What the owner is playing and has played: the endpoints a website polls.

Each upstream answer is fetched once for every argument combination (always the maximum page,
sliced per request), cached for a per-endpoint lifetime that stretches when the day's Spotify
budget runs short, and served stale when Spotify cannot be reached.
"""

from __future__ import annotations

from typing import Any

from app.errors import AppError
from app.services import budget
from app.services.connection import owner_key, require_connection
from app.services.envelope import Answer, Envelope, Served, body
from app.services.freshness import serve
from app.spotify import objects
from app.spotify.gateway import gateway

PAGE_MAX = 50
RECENT_TTL = 15 * 60
TOP_TTL = 6 * 3600
NOW_PLAYING_MIN_TTL = 5
NOW_PLAYING_MAX_TTL = 150
TRACK_END_SLACK = 3  # seconds after the predicted end, so the next track has started
IDLE_TTLS = (60, 120, 300, 600)  # back off while nothing plays


TIME_RANGES = ("short_term", "medium_term", "long_term")


def cache_keys(generation: int) -> list[str]:
    """Every cache key of the owner's listening data under one login."""
    names = ["now-playing", "recently-played"]
    names += [f"top:{kind}:{term}" for kind in ("artists", "tracks") for term in TIME_RANGES]
    return [owner_key(name, generation) for name in names]


def recently_played(limit: int) -> Answer:
    """The owner's last plays, newest first."""
    served = _recent()
    items = lambda: {"items": served.envelope.data["items"][:limit]}  # noqa: E731
    return Answer(served, ("recent", limit), lambda: body(served, items()))


def _recent() -> Served:
    gw = gateway()

    def fetch(_: Envelope | None) -> tuple[Any, float, dict]:
        require_connection()
        plays = gw.recently_played(PAGE_MAX)
        return (
            {"items": [objects.to_json(p) for p in plays]},
            RECENT_TTL * budget.stretch_factor(),
            {},
        )

    return serve(owner_key("recently-played"), fetch, gw.source)


def top(kind: str, time_range: str, limit: int) -> Answer:
    """The owner's top artists or tracks for a time range."""
    gw = gateway()
    lookup = gw.top_artists if kind == "artists" else gw.top_tracks

    def fetch(_: Envelope | None) -> tuple[Any, float, dict]:
        require_connection()
        items = [objects.to_json(i) for i in lookup(time_range, PAGE_MAX)]
        return {"items": items}, TOP_TTL * budget.stretch_factor(), {}

    served = serve(owner_key(f"top:{kind}:{time_range}"), fetch, gw.source)

    def build() -> dict[str, Any]:
        items = served.envelope.data["items"][:limit]
        return body(served, {"time_range": time_range, "items": items})

    return Answer(served, ("top", kind, time_range, limit), build)


def now_playing() -> Answer:
    """The current track or episode; when nothing plays, the last played track."""
    gw = gateway()

    def fetch(previous: Envelope | None) -> tuple[Any, float, dict]:
        require_connection()
        playback = gw.now_playing()
        data = _playback_json(playback)
        idle = 0 if data["is_playing"] else (previous.state.get("idle", 0) + 1 if previous else 1)
        return data, _now_playing_ttl(playback, idle), {"idle": idle}

    served = serve(owner_key("now-playing"), fetch, gw.source)
    data = served.envelope.data
    idle = not data["is_playing"] and data["item"] is None
    recent = _recent_for_idle() if idle else None
    last_time = recent.envelope.fetched_at if recent else None

    def build() -> dict[str, Any]:
        extra = {"last_played": _first(recent)} if idle else {}
        return body(served, {**data, **extra})

    return Answer(served, ("now-playing", idle, last_time), build)


def _playback_json(playback: objects.Playback | None) -> dict[str, Any]:
    if playback is None:  # 204: nothing playing, or a private session
        return {"is_playing": False, "type": None, "item": None, "progress_ms": None}
    return {
        "is_playing": playback.is_playing,
        "type": playback.type,
        "item": objects.to_json(playback.item),
        "progress_ms": playback.progress_ms,
    }


def _now_playing_ttl(playback: objects.Playback | None, idle: int) -> float:
    """Expire near the predicted end of the item, never later than a cap; back off when idle."""
    stretch = budget.stretch_factor()
    if playback is None or not playback.is_playing:
        return IDLE_TTLS[min(idle, len(IDLE_TTLS)) - 1] * stretch
    duration = playback.item.duration_ms if playback.item else None
    if duration and playback.progress_ms is not None:
        remaining = (duration - playback.progress_ms) / 1000 + TRACK_END_SLACK
        ttl = min(max(remaining, NOW_PLAYING_MIN_TTL), NOW_PLAYING_MAX_TTL)
    else:
        ttl = NOW_PLAYING_MAX_TTL / 2  # ads and unknown content: no end to predict
    return ttl * stretch


def _recent_for_idle() -> Served | None:
    try:
        return _recent()
    except AppError:  # a missing extra must never fail the main answer
        return None


def _first(recent: Served | None) -> dict[str, Any] | None:
    items = recent.envelope.data["items"] if recent else []
    return items[0] if items else None
