"""A play as the history handles it, whichever source it came from, and the keys it files under.

Artists, tracks and albums are keyed by their names (normalized), not by Spotify ids: the short
export has no ids, and the same recording on two editions is one track to a listener.
"""

from __future__ import annotations

import calendar
import hashlib
import time
import unicodedata

import msgspec

from app.models import Play

MIN_PLAY_MS = 30_000  # Spotify counts a stream as a play from 30 s; shorter ones are skips
DUPLICATE_WINDOW_MS = 90_000  # the same track ending within ±90 s is the same play


class Stream(msgspec.Struct, frozen=True):
    """One stream from any source, with only what the history needs to keep."""

    ended_ms: int  # epoch milliseconds, UTC
    ms: int
    track: str
    artist: str | None
    album: str | None = None
    kind: str = "track"
    track_id: str | None = None
    skipped: bool | None = None
    source: str = "export"

    @property
    def counted(self) -> bool:
        return self.ms >= MIN_PLAY_MS

    @property
    def track_key(self) -> str:
        return key_of(self.artist, self.track)

    @property
    def month(self) -> str:
        return time.strftime("%Y-%m", time.gmtime(self.ended_ms / 1000))

    @property
    def day(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self.ended_ms / 1000))


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def key_of(*names: str | None) -> str:
    """A short, stable key for a name (or an artist and a title): 16 hex characters."""
    joined = "\x1f".join(_norm(n) for n in names)
    return hashlib.blake2b(joined.encode(), digest_size=8).hexdigest()


def iso_ms(ended_ms: int) -> str:
    """RFC 3339 UTC with milliseconds, the form plays sort by."""
    seconds, millis = divmod(ended_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def to_item(stream: Stream) -> Play:
    return Play(
        stream.month,
        f"{iso_ms(stream.ended_ms)}#{stream.track_key}",
        ms=stream.ms,
        kind=stream.kind,
        track=stream.track,
        artist=stream.artist,
        album=stream.album,
        track_id=stream.track_id,
        skipped=stream.skipped,
        source=stream.source,
    )


def from_item(item: Play) -> Stream:
    ended = item.ended_at
    seconds = calendar.timegm(time.strptime(ended[:19], "%Y-%m-%dT%H:%M:%S"))
    return Stream(
        seconds * 1000 + int(ended[20:23]),
        int(item.ms),
        item.track,
        item.artist,
        item.album,
        item.kind,
        item.track_id,
        item.skipped,
        item.source,
    )
