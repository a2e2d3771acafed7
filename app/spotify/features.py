"""Audio-feature providers behind one small interface, keyed by Spotify track id.

Spotify's own /audio-features answers 403 for development-mode apps since November 2024, so the
default is ReccoBeats; Spotify's endpoint is tried first only when configured, and a 403 falls
back to ReccoBeats for good. Rows are mapped back by track id, never by position: ReccoBeats
silently omits ids it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from app.spotify import raw
from app.spotify.errors import ForbiddenUpstream, UpstreamDown
from app.spotify.objects import spotify_id
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
_TRACK_HREF = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
_ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")

Found = dict[str, dict[str, Any]]
"""Track id -> {"features": {...}, "isrc": str | None}; unknown ids are simply absent."""


class FeaturesProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def batch_size(self) -> int: ...

    def fetch(self, track_ids: list[str]) -> Found: ...


def _features(row: raw.FeatureRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FEATURES}


def _isrc(value: str | None) -> str | None:
    return value if value and _ISRC.fullmatch(value) else None


def reccobeats_rows(answer: Any) -> Found:
    """Map ReccoBeats rows back to Spotify ids through their open.spotify.com href."""
    found: Found = {}
    rows = raw.decode(answer, raw.FeatureRows, "audio-features", upstream="reccobeats").content
    for row in rows:
        match = _TRACK_HREF.fullmatch(row.href or "")
        if match:
            found[match.group(1)] = {"features": _features(row), "isrc": _isrc(row.isrc)}
    return found


def valid_ids(track_ids: list[str]) -> list[str]:
    """Only Spotify ids reach a provider: an upstream's odd id is never forwarded."""
    return [i for i in track_ids if spotify_id(i)]


class ReccoBeats:
    """GET https://api.reccobeats.com/v1/audio-features?ids=<spotify ids> (at most 40 per call)."""

    name = "reccobeats"

    def __init__(self, session: GuardedSession, base_url: str, batch_size: int, timeout: float):
        self.session, self.base_url, self.timeout = session, base_url, timeout
        self.batch_size = min(batch_size, 40)

    def fetch(self, track_ids: list[str]) -> Found:
        track_ids = valid_ids(track_ids)
        if not track_ids:
            return {}
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
                upstream=self.name,
            )
        return reccobeats_rows(response.json())


class SpotifyFeatures:
    """Spotify's own GET /audio-features, for apps that still have access."""

    name = "spotify"
    batch_size = 100

    def __init__(self, call: Callable[[list[str]], Any]) -> None:
        self.call = call

    def fetch(self, track_ids: list[str]) -> Found:
        track_ids = valid_ids(track_ids)
        if not track_ids:
            return {}
        answer = raw.decode(self.call(track_ids), raw.AudioFeaturesAnswer, "audio-features")
        rows = [raw.decode(r, raw.FeatureRow, "audio-features") for r in answer.audio_features if r]
        wanted = set(track_ids)
        return {r.id: {"features": _features(r), "isrc": None} for r in rows if r.id in wanted}


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

    def __init__(self, answer: Callable[[], Any]) -> None:
        self.answer = answer

    def fetch(self, track_ids: list[str]) -> Found:
        wanted = set(track_ids)
        return {k: v for k, v in reccobeats_rows(self.answer()).items() if k in wanted}
