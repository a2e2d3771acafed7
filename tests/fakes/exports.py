"""Spotify data exports as Spotify sends them, for the import's tests and benches.

Entries carry everything a real export does, the personal fields included (IP address, country,
platform, user agent, username), so a test can prove none of it is kept.
"""

from __future__ import annotations

import json
import random
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.catalog import spotify_id

SENSITIVE = {
    "ip_addr": "198.51.100.77",
    "ip_addr_decrypted": "203.0.113.199",
    "conn_country": "ZZ",
    "platform": "Android OS 14 API 34 (Pixel-Secret)",
    "user_agent_decrypted": "unknown-agent/SecretBrowser",
    "username": "owner-username-secret",
}


def extended(
    ended: datetime,
    ms: int,
    track: str | None = "Song",
    artist: str | None = "Artist",
    album: str | None = "Album",
    *,
    episode: str | None = None,
    show: str | None = None,
    skipped: bool | None = False,
    reason_end: str = "trackdone",
    **extra: Any,
) -> dict[str, Any]:
    """One entry of Streaming_History_Audio_*.json (all fields, the personal ones too)."""
    entry = {
        "ts": ended.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ms_played": ms,
        "master_metadata_track_name": track if episode is None else None,
        "master_metadata_album_artist_name": artist if episode is None else None,
        "master_metadata_album_album_name": album if episode is None else None,
        "spotify_track_uri": f"spotify:track:{spotify_id(f'{artist}/{track}')}"
        if episode is None and track
        else None,
        "episode_name": episode,
        "episode_show_name": show,
        "spotify_episode_uri": f"spotify:episode:{spotify_id(episode)}" if episode else None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": "trackdone",
        "reason_end": reason_end,
        "shuffle": False,
        "skipped": skipped,
        "offline": False,
        "offline_timestamp": None,
        "incognito_mode": False,
        **SENSITIVE,
    }
    entry.update(extra)
    return entry


def short(ended: datetime, ms: int, track: str = "Song", artist: str = "Artist") -> dict:
    """One entry of StreamingHistory_music_*.json (end cut to the minute)."""
    return {
        "endTime": ended.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        "artistName": artist,
        "trackName": track,
        "msPlayed": ms,
    }


_IP = re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")


def tables_text() -> str:
    """Everything every table holds, as text: summaries and cache entries decoded, not bytes."""
    import pickle
    import zlib

    import msgspec

    from app.models import MODELS, CacheEntry, Rollup

    texts = []
    for model in MODELS:
        for item in model.scan():
            if isinstance(item, Rollup):
                try:
                    decoded = msgspec.msgpack.decode(zlib.decompress(item.data))
                    texts.append(json.dumps(decoded, default=str))
                except (zlib.error, msgspec.DecodeError):
                    texts.append(item.data.hex())  # a part of a larger document
            elif isinstance(item, CacheEntry):
                value = pickle.loads(zlib.decompress(item.value)) if item.value else None
                texts.append(f"{item.key} {value!r}")
            else:
                texts.append(json.dumps(item.to_simple_dict(), default=str))
    return "\n".join(texts)


def personal_values_in_tables() -> list[str]:
    """Every personal value of an export found in any table."""
    text = tables_text()
    found = [v for k, v in SENSITIVE.items() if (f'"{v}"' if k == "conn_country" else v) in text]
    return found + _IP.findall(text)


def write(folder: Path, files: dict[str, list[dict]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, entries in files.items():
        path = folder / name
        path.write_text(json.dumps(entries))
        paths.append(path)
    return paths


def zipped(path: Path, files: dict[str, list[dict]]) -> Path:
    """The zip Spotify mails: streaming history beside files the import must never read."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, entries in files.items():
            archive.writestr(f"Spotify Extended Streaming History/{name}", json.dumps(entries))
        archive.writestr("Spotify Account Data/Userdata.json", json.dumps(SENSITIVE))
        archive.writestr("Spotify Account Data/Payments.json", json.dumps({"card": "4111"}))
    return path


def synthetic(plays: int, files: int, years: float = 10.0, seed: int = 1) -> dict[str, list]:
    """A large extended export: `plays` streams over `years`, in `files` files, IPs and all."""
    rng = random.Random(seed)
    artists = [f"Artist {i}" for i in range(400)]
    end = datetime(2026, 11, 1, tzinfo=UTC)
    step = timedelta(days=365 * years) / plays
    moment = end - timedelta(days=365 * years)
    entries = []
    for n in range(plays):
        moment += step
        artist = rng.choice(artists)
        track = f"Track {rng.randrange(40)} of {artist}"
        ms = rng.choice([rng.randrange(1_000, 29_000), rng.randrange(60_000, 320_000)])
        ip = {"ip_addr": f"10.{n % 250}.{n % 199}.{n % 7}"}
        entries.append(extended(moment, ms, track, artist, f"Album {track[-3:]}", **ip))
    size = -(-len(entries) // files)
    return {
        f"Streaming_History_Audio_{2016 + i}_{i}.json": entries[i * size : (i + 1) * size]
        for i in range(files)
    }
