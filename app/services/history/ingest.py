"""Keep new streams, once each, and recompute every summary they touch.

Whatever the source (Spotify's export, the live archive), a stream is kept unless the same track
already ended within ±90 s (DUPLICATE_WINDOW_MS): importers in the field use about that window,
since the short export's times are cut to the minute. Then the touched days are summarized again
from their plays, their months from their days, their years from their months.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial

from pynamodb.exceptions import PynamoDBException

from app import metrics
from app.models import Entity, Play
from app.services.history import rollups
from app.services.history.plays import DUPLICATE_WINDOW_MS, Stream, from_item, key_of, to_item

log = logging.getLogger(__name__)
ATTEMPTS = 4  # a month's writes are idempotent: a store that hiccups is simply asked again
WRITERS = 2


@dataclass
class Stored:
    """What one ingest did."""

    added: int = 0
    duplicates: int = 0
    days: set[str] = field(default_factory=set)


def store(
    streams: Iterable[Stream],
    progress: Callable[[int], None] = lambda _: None,
    retry_wait: float = 5.0,
) -> Stored:
    """Add the streams not already kept, and bring the summaries they touch up to date."""
    by_month: dict[str, list[Stream]] = defaultdict(list)
    spans: dict[str, list[int]] = {}
    for stream in streams:
        by_month[stream.month].append(stream)
        span = spans.setdefault(stream.source, [stream.ended_ms, stream.ended_ms])
        span[0], span[1] = min(span[0], stream.ended_ms), max(span[1], stream.ended_ms)
    result = Stored()
    names: dict[str, tuple[str, str | None, str | None]] = {}
    # Months are independent: writing two at once keeps the store busy while Python prepares
    # the next batch (and a hiccup retries only its own month).
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        running = {
            pool.submit(_retrying, partial(_month, month, by_month[month]), retry_wait): month
            for month in sorted(by_month)
        }
        for done in as_completed(running):
            month = running[done]
            accepted, docs = done.result()
            result.added += len(accepted)
            result.duplicates += len(by_month[month]) - len(accepted)
            names.update(_names(accepted))
            if docs:  # the month's summary now, so its days need not be kept until the end
                days = {period[4:] for period in docs}
                _retrying(partial(_summarize_months, days, docs), retry_wait)
                result.days |= days
            progress(len(by_month[month]))
    if names:
        _retrying(lambda: _write_names(names), retry_wait)
    if result.days:
        years = {d[:4] for d in result.days}
        _retrying(partial(_summarize_years, years), retry_wait)
    if spans:
        _retrying(lambda: cover(spans), retry_wait)
    return result


def cover(spans: dict[str, list[int]]) -> None:
    """Widen each source's covered time range (first and last stream seen) to include these."""
    coverage = rollups.read(["meta#coverage"]).get("meta#coverage", {})
    for source, (first, last) in spans.items():
        known = coverage.get(source, [first, last])
        coverage[source] = [min(known[0], first), max(known[1], last)]
    rollups.write({"meta#coverage": coverage})


def note_gap(first_ms: int, last_ms: int) -> None:
    """Record a time range whose plays may be missing (the live archive fell behind)."""
    gaps = rollups.read(["meta#gaps"]).get("meta#gaps", {"gaps": []})
    gaps["gaps"] = sorted([*gaps["gaps"], [first_ms, last_ms]])[-500:]
    rollups.write({"meta#gaps": gaps})
    metrics.count("ArchiveGaps")


def _retrying(step: Callable[[], tuple | None], wait: float) -> tuple:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return step() or ()
        except PynamoDBException as exc:
            if attempt == ATTEMPTS:
                raise
            log.warning("history write failed; trying again", extra={"error": type(exc).__name__})
            time.sleep(wait)  # past the storage breaker's cooldown
    return ()


def stored(month: str, first_day: str, last_day: str) -> list[Stream]:
    """The kept streams of a month between two days (inclusive), oldest first."""
    query = Play.query(month, Play.key.between(f"{first_day}T", f"{last_day}U"))
    return [from_item(item) for item in query]


def _month(month: str, streams: list[Stream]) -> tuple[list[Stream], dict[str, rollups.Doc]]:
    """Keep the month's new streams; the summaries of the days that changed, as written."""
    candidates = sorted(streams, key=lambda s: s.ended_ms)
    existing = stored(month, candidates[0].day, candidates[-1].day)
    seen: dict[str, list[int]] = defaultdict(list)
    for stream in existing:
        seen[stream.track_key].append(stream.ended_ms)
    accepted = []
    for stream in candidates:
        times = seen[stream.track_key]
        i = bisect.bisect_left(times, stream.ended_ms - DUPLICATE_WINDOW_MS)
        if i < len(times) and times[i] <= stream.ended_ms + DUPLICATE_WINDOW_MS:
            continue
        bisect.insort(times, stream.ended_ms)
        accepted.append(stream)
    if not accepted:
        return [], {}
    with Play.batch_write() as batch:
        for stream in accepted:
            batch.save(to_item(stream))
    by_day: dict[str, list[Stream]] = defaultdict(list)
    changed = {s.day for s in accepted}
    for stream in existing + accepted:
        if stream.day in changed:
            by_day[stream.day].append(stream)
    docs = {f"day#{d}": rollups.day(day_streams) for d, day_streams in sorted(by_day.items())}
    rollups.write(docs)
    return accepted, docs


Name = tuple[str, str | None, str | None]  # name, artist, Spotify id


def _names(streams: list[Stream]) -> dict[str, Name]:
    """The names behind the keys the summaries count under (the latest seen wins)."""
    names: dict[str, Name] = {}
    for s in streams:
        if s.artist:
            names[f"a:{key_of(s.artist)}"] = (s.artist, None, None)
        names[f"t:{s.track_key}"] = (s.track, s.artist, s.track_id)
        if s.album:
            names[f"l:{key_of(s.artist, s.album)}"] = (s.album, s.artist, None)
    return names


def _write_names(names: dict[str, Name]) -> None:
    with Entity.batch_write() as batch:
        for key, (name, artist, track_id) in names.items():
            batch.save(Entity(key, name=name, artist=artist, track_id=track_id))


def summarize(days: set[str], known: dict[str, rollups.Doc] | None = None) -> None:
    """Recompute the months and years of these days from the day (and month) summaries.

    `known` holds day summaries just written, so they are not read back.
    """
    _summarize_months(days, known or {})
    _summarize_years({d[:4] for d in days})


def _summarize_months(days: set[str], known: dict[str, rollups.Doc]) -> None:
    months = sorted({d[:7] for d in days})
    current = rollups.read(f"month#{m}" for m in months)
    for month in months:
        listed = {f"{month}-{dd}" for dd in current.get(f"month#{month}", {}).get("days", {})}
        listed |= {d for d in days if d.startswith(month)}
        found = {p: known[p] for p in (f"day#{d}" for d in listed) if p in known}
        found |= rollups.read(f"day#{d}" for d in sorted(listed) if f"day#{d}" not in known)
        rollups.write({f"month#{month}": rollups.month({p[-2:]: doc for p, doc in found.items()})})


def _summarize_years(years: set[str]) -> None:
    for year in sorted(years):
        found = rollups.read(f"month#{year}-{mm:02d}" for mm in range(1, 13))
        rollups.write({f"year#{year}": rollups.year({p[-2:]: doc for p, doc in found.items()})})
