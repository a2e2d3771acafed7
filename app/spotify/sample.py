"""Bundled sample answers with the same methods as SpotifyClient, for building a site first."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

from app.spotify.errors import NotFoundUpstream

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"


@cache
def _load(name: str) -> Any:
    return json.loads((SAMPLE_DIR / name).read_text())


class SampleClient:
    """Raw Spotify-shaped JSON from app/sample, as the real API would answer."""

    def currently_playing(self) -> dict[str, Any] | None:
        answer = dict(_load("currently_playing.json"))
        duration = (answer.get("item") or {}).get("duration_ms") or 1
        # Let the sample track advance with the clock so a site can show live progress.
        answer["progress_ms"] = int(time.time() * 1000) % duration
        answer["timestamp"] = int(time.time() * 1000) - answer["progress_ms"]
        return answer

    def recently_played(self, limit: int, after_ms: int | None = None) -> dict[str, Any]:
        answer = dict(_load("recently_played.json"))
        answer["items"] = answer["items"][:limit]
        answer["limit"] = limit
        return answer

    def top(self, kind: str, time_range: str, limit: int) -> dict[str, Any]:
        answer = dict(_load(f"top_{kind}_{time_range}.json"))
        answer["items"] = answer["items"][:limit]
        answer["limit"] = limit
        return answer

    def search_artists(self, query: str, limit: int) -> dict[str, Any]:
        answer = _load("search_artists.json")
        items = [a for a in answer["artists"]["items"] if query.lower() in a["name"].lower()]
        return {"artists": {**answer["artists"], "items": items[:limit], "total": len(items)}}

    def _artist_id(self) -> str:
        return _load("artist.json")["id"]

    def artist_albums_page(self, artist_id: str, offset: int) -> dict[str, Any]:
        if artist_id != self._artist_id():
            raise NotFoundUpstream("sample mode knows one artist", status=404)
        return _load("artist_albums.json")[offset // 10]

    def album_tracks_page(self, album_id: str, offset: int) -> dict[str, Any]:
        return _load(f"album_tracks/{album_id}.json")[offset // 50]

    def audio_features_answer(self) -> dict[str, Any]:
        return _load("audio_features.json")
