"""Chart-ready summaries of an artist's tracks: per-feature statistics, album averages, coverage."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

CHARTED = (
    "energy",
    "danceability",
    "valence",
    "acousticness",
    "instrumentalness",
    "liveness",
    "speechiness",
    "loudness",
    "tempo",
    "duration_ms",
)


def _value(track: dict[str, Any], name: str) -> float | None:
    if name == "duration_ms":
        return track.get("duration_ms")
    return (track.get("features") or {}).get(name)


def describe(values: Iterable[float | None]) -> dict[str, Any]:
    """count/mean/median/min/max of the values that are present."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "count": len(present),
        "mean": round(statistics.fmean(present), 4),
        "median": round(statistics.median(present), 4),
        "min": min(present),
        "max": max(present),
    }


def summarize(tracks: list[dict[str, Any]], albums: list[dict[str, Any]]) -> dict[str, Any]:
    """Statistics over unique recordings (editions sharing an ISRC count once)."""
    unique = [t for t in tracks if not t["duplicate_of"]]
    features = {name: describe(_value(t, name) for t in unique) for name in CHARTED}
    per_album = []
    for album in albums:
        rows = [t for t in tracks if t["album"]["id"] == album["id"]]
        per_album.append(
            {
                "id": album["id"],
                "name": album["name"],
                "release_date": album["release_date"],
                "tracks": len(rows),
                "averages": {
                    name: describe(_value(t, name) for t in rows)["mean"] for name in CHARTED
                },
            }
        )
    with_features = sum(1 for t in tracks if t["features"])
    return {
        "features": features,
        "albums": per_album,
        "coverage": {
            "tracks": len(tracks),
            "unique_recordings": len(unique),
            "with_features": with_features,
            "ratio": round(with_features / len(tracks), 4) if tracks else None,
        },
    }
