"""Read Spotify's data export: the zip, or its streaming-history JSON files, nothing else in it.

Two formats exist. The extended streaming history (`Streaming_History_Audio_*.json`, `..._Video_`,
older `endsong_*.json`) has a UTC end time `ts`, `ms_played`, names and Spotify URIs, and also
where and on what the stream played. The short account-data format (`StreamingHistory*.json`)
has `endTime` ("YYYY-MM-DD HH:MM", UTC), names and `msPlayed`. Only the fields a statistic needs
are read; IP addresses, country, platform, user agent and username are never even copied.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

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


class _Extended(msgspec.Struct):
    """An extended-history entry: only the fields a statistic needs are decoded at all.

    IP address, country, platform, user agent and username are skipped by the decoder itself:
    they never become Python objects, let alone stored ones.
    """

    ts: str
    ms_played: int
    master_metadata_track_name: str | None = None
    master_metadata_album_artist_name: str | None = None
    master_metadata_album_album_name: str | None = None
    spotify_track_uri: str | None = None
    episode_name: str | None = None
    episode_show_name: str | None = None
    spotify_episode_uri: str | None = None
    audiobook_title: str | None = None
    audiobook_chapter_title: str | None = None
    skipped: bool | None = None
    reason_end: str | None = None


class _Short(msgspec.Struct):
    """A short-format entry (account data): end to the minute, names, milliseconds."""

    endTime: str  # noqa: N815 - Spotify's own field names
    msPlayed: int  # noqa: N815
    artistName: str | None = None  # noqa: N815
    trackName: str | None = None  # noqa: N815
    podcastName: str | None = None  # noqa: N815
    episodeName: str | None = None  # noqa: N815


def read_file(name: str, content: bytes) -> Iterator[Stream | Rejected]:
    """The file's streams, and a Rejected for every entry (or the whole file) it cannot read."""
    try:
        entries = msgspec.json.decode(content, type=list[msgspec.Raw])
    except msgspec.ValidationError:
        try:
            msgspec.json.decode(content, type=msgspec.Raw)  # is it JSON at all?
        except msgspec.DecodeError as exc:
            yield Rejected(name, -1, f"the file is not JSON ({str(exc)[:80]})")
            return
        yield Rejected(name, -1, "the file is not a JSON array of streams")
        return
    except msgspec.DecodeError as exc:
        yield Rejected(name, -1, f"the file is not JSON ({str(exc)[:80]})")
        return
    extended = bool(EXTENDED.fullmatch(PurePosixPath(name.split(":")[-1]).name))
    parse = _extended if extended else _short
    for index, entry in enumerate(entries):
        try:
            found = parse(entry)
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            yield Rejected(name, index, str(exc) or type(exc).__name__)
            continue
        yield found if found is not None else Rejected(name, index, "names nothing to keep")


def _ended_ms(text: str, what: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{what} is not a time: {text[:40]!r}") from exc
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()) * 1000


def _ms(value: int, what: str) -> int:
    if value < 0:
        raise ValueError(f"{what} is not a count of milliseconds")
    return value


def _extended(raw: msgspec.Raw) -> Stream | None:
    entry = _EXTENDED(raw)
    skipped = entry.skipped
    if skipped is None and entry.reason_end in ("fwdbtn", "backbtn"):
        skipped = True
    common: dict[str, Any] = {
        "ended_ms": _ended_ms(entry.ts, "ts"),
        "ms": _ms(entry.ms_played, "ms_played"),
        "skipped": skipped,
        "source": "export",
    }
    if track := entry.master_metadata_track_name:
        artist, album = (
            entry.master_metadata_album_artist_name,
            entry.master_metadata_album_album_name,
        )
        uri = _TRACK_URI.fullmatch(entry.spotify_track_uri or "")
        return Stream(
            track=track, artist=artist or None, album=album or None, track_id=_id(uri), **common
        )
    if episode := entry.episode_name:
        uri = _TRACK_URI.fullmatch(entry.spotify_episode_uri or "")
        show = entry.episode_show_name or None
        return Stream(track=episode, artist=show, kind="episode", track_id=_id(uri), **common)
    if book := entry.audiobook_title:
        chapter = entry.audiobook_chapter_title or book
        return Stream(track=chapter, artist=book, album=book, kind="audiobook", **common)
    return None


def _short(raw: msgspec.Raw) -> Stream | None:
    entry = _SHORT(raw)
    common: dict[str, Any] = {
        "ended_ms": _ended_ms(entry.endTime, "endTime"),
        "ms": _ms(entry.msPlayed, "msPlayed"),
        "source": "account",
    }
    if episode := entry.episodeName:
        return Stream(track=episode, artist=entry.podcastName or None, kind="episode", **common)
    if track := entry.trackName:
        return Stream(track=track, artist=entry.artistName or None, **common)
    return None


_EXTENDED = msgspec.json.Decoder(_Extended).decode
_SHORT = msgspec.json.Decoder(_Short).decode


def _id(match: re.Match[str] | None) -> str | None:
    return match.group(2) if match else None
