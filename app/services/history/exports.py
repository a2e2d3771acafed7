"""Read Spotify's data export: the zip, or its streaming-history JSON files, nothing else in it.

Two formats exist. The extended streaming history (`Streaming_History_Audio_*.json`, `..._Video_`,
older `endsong_*.json`) has a UTC end time `ts`, `ms_played`, names and Spotify URIs, and also
where and on what the stream played. The short account-data format (`StreamingHistory*.json`)
has `endTime` ("YYYY-MM-DD HH:MM", UTC), names and `msPlayed`. Only the fields a statistic needs
are read; IP addresses, country, platform, user agent and username are never even copied.
"""

from __future__ import annotations

import calendar
import json
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.services.history.plays import Stream

EXTENDED = re.compile(r"(Streaming_History_(Audio|Video)_.*|endsong_\d+)\.json", re.I)
SHORT = re.compile(r"StreamingHistory.*\.json", re.I)
_TRACK_URI = re.compile(r"spotify:(track|episode):([0-9A-Za-z]{22})")


class ExportError(ValueError):
    """A file that is not a streaming-history file at all (named by the message)."""


@dataclass(frozen=True)
class Rejected:
    """An entry that could not be read: which file, which entry (0-based), and why."""

    file: str
    index: int
    reason: str

    def __str__(self) -> str:
        where = "the whole file" if self.index < 0 else f"entry {self.index}"
        return f"{self.file}, {where}: {self.reason}"


def history_files(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(name, content) of every streaming-history file in these zips, files and folders."""
    for path in paths:
        if path.is_dir():
            yield from history_files(sorted(p for p in path.rglob("*") if p.is_file()))
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in sorted(archive.namelist()):
                    if _wanted(PurePosixPath(member).name):
                        yield f"{path.name}:{member}", archive.read(member)
        elif _wanted(path.name):
            yield path.name, path.read_bytes()
        elif path.suffix.lower() == ".json":
            raise ExportError(f"{path}: not a streaming-history file of Spotify's export")


def _wanted(name: str) -> bool:
    return bool(EXTENDED.fullmatch(name) or SHORT.fullmatch(name))


def read_file(name: str, content: bytes) -> Iterator[Stream | Rejected]:
    """The file's streams, and a Rejected for every entry (or the whole file) it cannot read."""
    try:
        entries = json.loads(content)
    except (UnicodeDecodeError, ValueError) as exc:
        yield Rejected(name, -1, f"the file is not JSON ({str(exc)[:80]})")
        return
    if not isinstance(entries, list):
        yield Rejected(name, -1, "the file is not a JSON array of streams")
        return
    extended = bool(EXTENDED.fullmatch(PurePosixPath(name.split(":")[-1]).name))
    parse = _extended if extended else _short
    for index, entry in enumerate(entries):
        try:
            found = parse(entry)
        except (KeyError, TypeError, ValueError) as exc:
            yield Rejected(name, index, str(exc) or type(exc).__name__)
            continue
        yield found if found is not None else Rejected(name, index, "names nothing to keep")


def _text(entry: dict[str, Any], field: str) -> str | None:
    value = entry.get(field)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{field} is not text")
    return value or None


def _ms(entry: dict[str, Any], field: str) -> int:
    value = entry.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{field} is not a count of milliseconds")
    return value


def _extended(entry: Any) -> Stream | None:
    if not isinstance(entry, dict):
        raise TypeError("not an object")
    ended = calendar.timegm(time.strptime(_text(entry, "ts") or "", "%Y-%m-%dT%H:%M:%SZ"))
    ms = _ms(entry, "ms_played")
    skipped = entry.get("skipped")
    if skipped is None and entry.get("reason_end") in ("fwdbtn", "backbtn"):
        skipped = True
    common: dict[str, Any] = {"ended_ms": ended * 1000, "ms": ms, "source": "export"}
    common["skipped"] = _flag(skipped)
    uri = _TRACK_URI.fullmatch(_text(entry, "spotify_track_uri") or "")
    if track := _text(entry, "master_metadata_track_name"):
        artist = _text(entry, "master_metadata_album_artist_name")
        album = _text(entry, "master_metadata_album_album_name")
        return Stream(track=track, artist=artist, album=album, track_id=_id(uri), **common)
    if episode := _text(entry, "episode_name"):
        uri = _TRACK_URI.fullmatch(_text(entry, "spotify_episode_uri") or "")
        show = _text(entry, "episode_show_name")
        return Stream(track=episode, artist=show, kind="episode", track_id=_id(uri), **common)
    if book := _text(entry, "audiobook_title"):
        chapter = _text(entry, "audiobook_chapter_title") or book
        return Stream(track=chapter, artist=book, album=book, kind="audiobook", **common)
    return None


def _short(entry: Any) -> Stream | None:
    if not isinstance(entry, dict):
        raise TypeError("not an object")
    ended = calendar.timegm(time.strptime(_text(entry, "endTime") or "", "%Y-%m-%d %H:%M"))
    common: dict[str, Any] = {"ended_ms": ended * 1000, "source": "account"}
    common["ms"] = _ms(entry, "msPlayed")
    if episode := _text(entry, "episodeName"):
        return Stream(track=episode, artist=_text(entry, "podcastName"), kind="episode", **common)
    if track := _text(entry, "trackName"):
        return Stream(track=track, artist=_text(entry, "artistName"), **common)
    return None


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise TypeError("skipped is not true, false or null")


def _id(match: re.Match[str] | None) -> str | None:
    return match.group(2) if match else None
