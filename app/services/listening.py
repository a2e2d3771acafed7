"""What the owner is playing and has played: the endpoints a website polls.

Each upstream answer is fetched once for every argument combination (always the maximum page,
sliced per request), cached for a per-endpoint lifetime that stretches when the day's Spotify
budget runs short, and served stale when Spotify cannot be reached.
"""

from __future__ import annotations

from typing import Any

from app.errors import AppError
from app.services import quota
from app.services.cached import Envelope, Served, serve
from app.spotify import objects
from app.spotify.gateway import gateway
from app.utc import iso_utc

PAGE_MAX = 50
RECENT_TTL = 15 * 60
TOP_TTL = 6 * 3600
NOW_PLAYING_MIN_TTL = 5
NOW_PLAYING_MAX_TTL = 150
TRACK_END_SLACK = 3  # seconds after the predicted end, so the next track has started
IDLE_TTLS = (60, 120, 300, 600)  # back off while nothing plays


def _envelope_json(served: Served, data: Any) -> dict[str, Any]:
    env = served.envelope
    return {
        **data,
        "fetched_at": iso_utc(env.fetched_at),
        "source": env.source,
        "stale": served.stale,
    }


def recently_played(limit: int) -> tuple[dict[str, Any], Served]:
    """The owner's last plays, newest first."""
    served = _recent()
    items = served.envelope.data["items"][:limit]
    return _envelope_json(served, {"items": items}), served


def _recent() -> Served:
    gw = gateway()

    def fetch(_: Envelope | None) -> tuple[Any, float, dict]:
        plays = gw.recently_played(PAGE_MAX)
        return (
            {"items": [objects.to_json(p) for p in plays]},
            RECENT_TTL * quota.stretch_factor(),
            {},
        )

    return serve("recently-played", fetch, gw.source)


def top(kind: str, time_range: str, limit: int) -> tuple[dict[str, Any], Served]:
    """The owner's top artists or tracks for a time range."""
    gw = gateway()
    lookup = gw.top_artists if kind == "artists" else gw.top_tracks

    def fetch(_: Envelope | None) -> tuple[Any, float, dict]:
        items = [objects.to_json(i) for i in lookup(time_range, PAGE_MAX)]
        return {"items": items}, TOP_TTL * quota.stretch_factor(), {}

    served = serve(f"top:{kind}:{time_range}", fetch, gw.source)
    data = {"time_range": time_range, "items": served.envelope.data["items"][:limit]}
    return _envelope_json(served, data), served


def now_playing() -> tuple[dict[str, Any], Served]:
    """The current track or episode; when nothing plays, the last played track."""
    gw = gateway()

    def fetch(previous: Envelope | None) -> tuple[Any, float, dict]:
        playback = gw.now_playing()
        data = _playback_json(playback)
        idle = 0 if data["is_playing"] else (previous.state.get("idle", 0) + 1 if previous else 1)
        return data, _now_playing_ttl(playback, idle), {"idle": idle}

    served = serve("now-playing", fetch, gw.source)
    data = dict(served.envelope.data)
    if not data["is_playing"] and data["item"] is None:
        data["last_played"] = _last_played()
    return _envelope_json(served, data), served


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
    stretch = quota.stretch_factor()
    if playback is None or not playback.is_playing:
        return IDLE_TTLS[min(idle, len(IDLE_TTLS)) - 1] * stretch
    duration = playback.item.duration_ms if playback.item else None
    if duration and playback.progress_ms is not None:
        remaining = (duration - playback.progress_ms) / 1000 + TRACK_END_SLACK
        ttl = min(max(remaining, NOW_PLAYING_MIN_TTL), NOW_PLAYING_MAX_TTL)
    else:
        ttl = NOW_PLAYING_MAX_TTL / 2  # ads and unknown content: no end to predict
    return ttl * stretch


def _last_played() -> dict[str, Any] | None:
    try:
        items = _recent().envelope.data["items"]
    except AppError:  # a missing extra must never fail the main answer
        return None
    return items[0] if items else None
