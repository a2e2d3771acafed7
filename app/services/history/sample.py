"""A synthetic listening history for sample mode, so a site shows its History section filled.

About three years up to today, the same for every run: each day's plays come from a generator
seeded by the date, over the bundled sample tracks, with evenings on weekdays, longer weekend
afternoons, and now and then a day without music.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.services.history.plays import Stream

SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "top_tracks_long_term.json"
DAYS = 3 * 365


def _catalogue() -> list[dict]:
    return [t for t in json.loads(SAMPLE.read_text())["items"] if t.get("name")]


def streams(today: date, now: datetime | None = None) -> Iterator[Stream]:
    """Every synthetic stream of the DAYS up to `today` (and none after `now`), oldest first."""
    tracks = _catalogue()
    cutoff = (now or datetime.now(UTC)).timestamp()
    for offset in range(DAYS, -1, -1):
        day = today - timedelta(days=offset)
        rng = random.Random(f"sample-history-{day}")
        if rng.random() < 0.08:
            continue  # a day without music: streaks end
        weekend = day.weekday() >= 5
        start_hour = rng.choice([13, 14, 15]) if weekend else rng.choice([7, 18, 19, 20])
        moment = datetime(day.year, day.month, day.day, start_hour, tzinfo=UTC)
        moment += timedelta(minutes=rng.randrange(60))
        favourites = tracks[: 8 + (day.toordinal() // 45) % 20]  # tastes drift over time
        for _ in range(rng.randint(6, 30 if weekend else 18)):
            track = rng.choice(favourites if rng.random() < 0.7 else tracks)
            length = int(track.get("duration_ms") or 200_000)
            played = length if rng.random() > 0.12 else rng.randrange(5_000, 29_000)  # skips
            moment += timedelta(milliseconds=played + rng.randrange(0, 4_000))
            if moment.date() != day or moment.timestamp() > cutoff:
                break
            artists = [a["name"] for a in track.get("artists") or []]
            yield Stream(
                int(moment.timestamp() * 1000),
                played,
                track["name"],
                artists[0] if artists else None,
                (track.get("album") or {}).get("name"),
                track_id=track.get("id"),
                skipped=played < 30_000,
                source="sample",
            )
