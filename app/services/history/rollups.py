"""Summaries of a UTC day, month and year, computed from what they summarize, and their storage.

A day is summarized from its plays; a month from its days; a year from its months. Each holds
totals (plays of 30 s or more, milliseconds of every stream, streams, skips), its parts over
time (a day's 24 UTC hours, a month's days, a year's months) and complete counts for every
artist, track and album — so a statistic over years reads a few dozen items, never the plays.
Documents are msgpack, compressed; one too big for an item is split into parts.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

import msgspec

from app.models import Rollup
from app.services.history.plays import Stream, key_of

PART_BYTES = 350_000  # DynamoDB items stop at 400 KB
KINDS = ("a", "t", "l")  # artists, tracks, albums
Doc = dict[str, Any]
_ENCODER, _DECODER = msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder()


def empty() -> Doc:
    return {"p": 0, "m": 0, "s": 0, "k": 0, "top": {kind: {} for kind in KINDS}}


def _totals(doc: Doc) -> list[int]:
    return [doc["p"], doc["m"], doc["s"], doc["k"]]


def entity_keys(stream: Stream) -> dict[str, str | None]:
    """The keys a stream counts under: its artist, its track, its album (when it has one)."""
    return {
        "a": key_of(stream.artist) if stream.artist else None,
        "t": stream.track_key,
        "l": key_of(stream.artist, stream.album) if stream.album else None,
    }


def day(streams: Iterable[Stream]) -> Doc:
    """A day's summary from its plays (their UTC hours included)."""
    doc, hours = empty(), [0] * 24
    for stream in streams:
        played = 1 if stream.counted else 0
        doc["p"] += played
        doc["m"] += stream.ms
        doc["s"] += 1
        doc["k"] += 1 if (not stream.counted or stream.skipped) else 0
        hours[(stream.ended_ms // 3_600_000) % 24] += stream.ms
        for kind, key in entity_keys(stream).items():
            if key:
                entry = doc["top"][kind].setdefault(key, [0, 0])
                entry[0] += played
                entry[1] += stream.ms
    doc["h"] = hours
    return doc


def _merge_tops(into: Doc, doc: Doc) -> None:
    for kind in KINDS:
        target = into["top"][kind]
        for key, (plays, ms) in doc["top"][kind].items():
            entry = target.setdefault(key, [0, 0])
            entry[0] += plays
            entry[1] += ms


def merge(docs: Iterable[Doc]) -> Doc:
    """Totals and complete counts of several summaries together."""
    total = empty()
    for doc in docs:
        for field in ("p", "m", "s", "k"):
            total[field] += doc[field]
        _merge_tops(total, doc)
    return total


def month(days: dict[str, Doc]) -> Doc:
    """A month's summary from its days ("DD" → day summary)."""
    doc = merge(days.values())
    doc["days"] = {dd: [*_totals(d), d["h"]] for dd, d in sorted(days.items())}
    return doc


def year(months: dict[str, Doc]) -> Doc:
    """A year's summary from its months ("MM" → month summary)."""
    doc = merge(months.values())
    doc["months"] = {mm: _totals(m) for mm, m in sorted(months.items())}
    return doc


# --- storage ---------------------------------------------------------------------------------


def write(docs: dict[str, Doc]) -> None:
    """Store summaries by period ("day#...", "month#...", "year#..."), replacing what was there."""
    with Rollup.batch_write() as batch:
        for period, doc in docs.items():
            blob = zlib.compress(_ENCODER.encode(doc), 6)
            if len(blob) <= PART_BYTES:
                batch.save(Rollup(period, data=blob, parts=0))
                continue
            check = f"{zlib.crc32(blob):08x}"  # parts are overwritten in place: read back whole
            chunks = [blob[i : i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
            for n, chunk in enumerate(chunks[1:], start=1):
                batch.save(Rollup(f"{period}#{n}", data=chunk))
            batch.save(Rollup(period, data=chunks[0], parts=len(chunks) - 1, parts_id=check))


def read(periods: Iterable[str]) -> dict[str, Doc]:
    """The stored summaries of these periods (a missing one is simply absent)."""
    wanted = list(dict.fromkeys(periods))
    found = {item.period: item for item in Rollup.batch_get(wanted)} if wanted else {}
    part_keys = [f"{i.period}#{n}" for i in found.values() for n in range(1, int(i.parts) + 1)]
    parts = {p.period: p.data for p in Rollup.batch_get(part_keys)} if part_keys else {}
    docs = {}
    for period, item in found.items():
        pieces = [parts.get(f"{period}#{n}", b"") for n in range(1, int(item.parts) + 1)]
        blob = item.data + b"".join(pieces)
        if item.parts and f"{zlib.crc32(blob):08x}" != item.parts_id:
            continue  # caught between two writes: absent for now, never half of each
        docs[period] = _DECODER.decode(zlib.decompress(blob))
    return docs


def delete(periods: Iterable[str]) -> None:
    with Rollup.batch_write() as batch:
        for period in periods:
            batch.delete(Rollup(period))
