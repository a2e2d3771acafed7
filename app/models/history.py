"""The owner's listening history: every play kept for good, rollups for any period, names.

Plays are partitioned by UTC month and sorted by end time, so a period is a few range reads.
Rollups (a UTC day, month or year) are recomputed from what they summarize, never incremented,
so a retried write or a second import cannot count anything twice.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from app.storage import BaseModel, table_meta


class Play(BaseModel):
    """One stream that ended at a moment: what it was and how long it played; nothing else.

    Spotify's export also says where (IP address, country), on what (platform, user agent) and
    who (username): none of it is ever stored.
    """

    Meta = table_meta("plays")

    month = UnicodeAttribute(hash_key=True)  # "YYYY-MM" of the end, UTC
    key = UnicodeAttribute(range_key=True)  # "<end, RFC 3339 with ms>#<track key>"
    ms = NumberAttribute()  # milliseconds played
    kind = UnicodeAttribute(default="track")  # track | episode | audiobook
    track = UnicodeAttribute()  # the track's, episode's or chapter's name
    artist = UnicodeAttribute(null=True)  # the album artist, or the show
    album = UnicodeAttribute(null=True)
    track_id = UnicodeAttribute(null=True)  # a Spotify id, when the source had one
    skipped = BooleanAttribute(null=True)
    source = UnicodeAttribute()  # live | export | account (the short export, minute precision)

    @property
    def ended_at(self) -> str:
        return self.key.split("#", 1)[0]

    @property
    def track_key(self) -> str:
        return self.key.split("#", 1)[1]


class Rollup(BaseModel):
    """A summary of one UTC day, month or year (or a piece of a large one, or archive metadata).

    `period` is "day#YYYY-MM-DD", "month#YYYY-MM", "year#YYYY", a part "<period>#<n>" of a blob
    too big for one item, or "meta#..." (coverage, gaps). `data` is a compressed msgpack
    document (app/services/history/rollups.py says what is in it).
    """

    Meta = table_meta("rollups")

    period = UnicodeAttribute(hash_key=True)
    data = BinaryAttribute(legacy_encoding=False)
    parts = NumberAttribute(default=0)  # >0: `data` continues in items "<period>#1".."#n"
    parts_id = UnicodeAttribute(null=True)  # the whole blob's CRC: parts of two writes never mix


class Entity(BaseModel):
    """The name of an artist, track or album a rollup refers to by key (shown, never counted)."""

    Meta = table_meta("history-names")

    key = UnicodeAttribute(hash_key=True)  # "a:<hex>", "t:<hex>" or "l:<hex>"
    name = UnicodeAttribute()
    artist = UnicodeAttribute(null=True)
    track_id = UnicodeAttribute(null=True)
