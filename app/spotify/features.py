"""Audio-feature providers behind one small interface, keyed by Spotify track id.

Spotify's own /audio-features answers 403 for development-mode apps since November 2024, so the
default is ReccoBeats; Spotify's endpoint is tried first only when configured, and a 403 falls
back to ReccoBeats for good. Rows are mapped back by track id, never by position: ReccoBeats
silently omits ids it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from app.spotify.errors import ForbiddenUpstream, UpstreamDown
from app.spotify.session import GuardedSession

FEATURES = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "valence",
)
_TRACK_HREF = re.compile(r"/track/([0-9A-Za-z]{22})")

Found = dict[str, dict[str, Any]]
"""Track id -> {"features": {...}, "isrc": str | None}; unknown ids are simply absent."""


class FeaturesProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def batch_size(self) -> int: ...

    def fetch(self, track_ids: list[str]) -> Found: ...


def _features(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in FEATURES}


def reccobeats_rows(rows: Iterable[dict[str, Any]]) -> Found:
    """Map ReccoBeats rows back to Spotify ids through their open.spotify.com href."""
    found: Found = {}
    for row in rows:
        match = _TRACK_HREF.search(row.get("href") or "")
        if match:
            found[match.group(1)] = {"features": _features(row), "isrc": row.get("isrc")}
    return found


class ReccoBeats:
    """GET https://api.reccobeats.com/v1/audio-features?ids=<spotify ids> (at most 40 per call)."""

    name = "reccobeats"

    def __init__(self, session: GuardedSession, base_url: str, batch_size: int, timeout: float):
        self.session, self.base_url, self.timeout = session, base_url, timeout
        self.batch_size = min(batch_size, 40)

    def fetch(self, track_ids: list[str]) -> Found:
        response = self.session.get(
            f"{self.base_url}/audio-features",
            params={"ids": ",".join(track_ids)},
            headers={"Accept": "application/json"},
            timeout=self.timeout,
        )
        if response.status_code == 404:
            return {}
        if response.status_code >= 400:
            raise UpstreamDown(
                f"reccobeats answered {response.status_code}",
                status=response.status_code,
                retry_after=60,
            )
        return reccobeats_rows(response.json().get("content") or [])


class SpotifyFeatures:
    """Spotify's own GET /audio-features, for apps that still have access."""

    name = "spotify"
    batch_size = 100

    def __init__(self, call: Callable[[list[str]], list[dict[str, Any] | None]]) -> None:
        self.call = call

    def fetch(self, track_ids: list[str]) -> Found:
        rows = [r for r in self.call(track_ids) if r and r.get("id")]
        return {r["id"]: {"features": _features(r), "isrc": None} for r in rows}


class WithFallback:
    """Try the primary; on 403 use the fallback from then on (the batch is asked again there)."""

    def __init__(
        self,
        primary: FeaturesProvider,
        fallback: FeaturesProvider,
        on_forbidden: Callable[[], None] = lambda: None,
    ) -> None:
        self.current, self.fallback, self.on_forbidden = primary, fallback, on_forbidden

    @property
    def name(self) -> str:
        return self.current.name

    @property
    def batch_size(self) -> int:
        return self.current.batch_size

    def fetch(self, track_ids: list[str]) -> Found:
        if self.current is not self.fallback:
            try:
                return self.current.fetch(track_ids)
            except ForbiddenUpstream:
                self.current = self.fallback
                self.on_forbidden()
        found: Found = {}
        size = self.fallback.batch_size
        for start in range(0, len(track_ids), size):
            found.update(self.fallback.fetch(track_ids[start : start + size]))
        return found


class SampleFeatures:
    """Bundled ReccoBeats-shaped rows for sample mode."""

    name = "reccobeats"
    batch_size = 40

    def __init__(self, rows: Callable[[], list[dict[str, Any]]]) -> None:
        self.rows = rows

    def fetch(self, track_ids: list[str]) -> Found:
        wanted = set(track_ids)
        return {k: v for k, v in reccobeats_rows(self.rows()).items() if k in wanted}
