"""The archive's plays one by one: listed, on this day, exported, forgotten, summarized anew."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.errors import InvalidArgument
from app.models import Play, Rollup
from app.services.history import ingest, rollups, stats
from app.services.history.plays import Stream, from_item, iso_ms

EXPORT_FIELDS = [
    "ended_at", "ms_played", "kind", "track", "artist", "album", "counted", "skipped", "source",
    "url",
]  # fmt: skip


def play_json(stream: Stream) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ended_at": iso_ms(stream.ended_ms),
        "ms_played": stream.ms,
        "kind": stream.kind,
        "track": stream.track,
        "artist": stream.artist,
        "album": stream.album,
        "counted": stream.counted,
        "skipped": stream.skipped,
        "source": stream.source,
    }
    linked = stream.track_id and stream.kind in ("track", "episode")
    row["url"] = f"https://open.spotify.com/{stream.kind}/{stream.track_id}" if linked else None
    return row


def _months_back(first: date, last: date) -> Iterator[str]:
    cursor = date(last.year, last.month, 1)
    while cursor >= date(first.year, first.month, 1):
        yield f"{cursor:%Y-%m}"
        cursor = (cursor - timedelta(days=1)).replace(day=1)


def _cursor(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(text.encode()))
        return str(found["m"]), str(found["k"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidArgument("'cursor' is not one this API gave out.") from exc


def listing(found: stats.Period, cursor: str | None, limit: int) -> dict[str, Any]:
    """Plays of the period, newest first, `limit` at a time; `next_cursor` continues."""
    after = _cursor(cursor)
    items: list[dict[str, Any]] = []
    lower = f"{found.first}T"
    for month in _months_back(found.first, found.last):
        if after and month > after[0]:
            continue
        upper = after[1] if after and month == after[0] else f"{found.last}U"
        query = Play.query(
            month, Play.key.between(lower, upper), scan_index_forward=False, limit=limit + 1
        )
        for item in query:
            if item.key == upper:
                continue
            items.append({"key": item.key, "month": month, "play": play_json(from_item(item))})
            if len(items) > limit:
                break
        if len(items) > limit:
            break
    page, more = items[:limit], len(items) > limit
    next_cursor = None
    if more:
        last = page[-1]
        raw = json.dumps({"m": last["month"], "k": last["key"]}).encode()
        next_cursor = base64.urlsafe_b64encode(raw).decode()
    return {"items": [i["play"] for i in page], "next_cursor": next_cursor}


def on_this_day(day: date, today: date, top: int = 5) -> dict[str, Any]:
    """What was played on this calendar date in earlier years, year by year, newest first."""
    first = stats.first_day(today)
    years = [y for y in range(day.year - 1, first.year - 1, -1)]
    wanted = {}
    for year in years:
        try:
            wanted[f"day#{date(year, day.month, day.day)}"] = year
        except ValueError:  # 29 February in a common year
            continue
    docs = rollups.read(wanted)
    found = []
    for period, year in wanted.items():
        doc = docs.get(period)
        if not doc or not doc["s"]:
            continue
        tops = stats._tops(doc, top)
        found.append(
            {
                "year": year,
                "date": period[4:],
                "plays": doc["p"],
                "minutes": round(doc["m"] / 60_000, 1),
                "tracks": tops["tracks"]["by_plays"],
                "artists": tops["artists"]["by_minutes"],
            }
        )
    return {"date": str(day), "years": found}


def every_play() -> Iterator[Stream]:
    """Every stream kept, oldest first (for `flask history export`)."""
    today = date.today()
    first = stats.first_day(today)
    for month in reversed(list(_months_back(first, today))):
        for item in Play.query(month):
            yield from_item(item)


def forget_before(day: date) -> int:
    """Delete every play that ended before `day` (UTC), and the summaries of what is gone."""
    today = date.today()
    deleted, touched = 0, set()
    for month in _months_back(stats.first_day(today), min(day, today)):
        with Play.batch_write() as batch:
            for item in Play.query(month, Play.key < f"{day}T"):
                batch.delete(item)
                deleted += 1
                touched.add(item.ended_at[:10])
    months, boundary = {d[:7] for d in touched}, f"{day:%Y-%m}"
    rollups.delete(
        [f"day#{d}" for d in touched]
        + [f"month#{m}" for m in months if m < boundary]
        + [f"year#{y}" for y in {m[:4] for m in months} if y < str(day.year)]
    )
    if touched:
        ingest.summarize({str(day)})  # the month and year the cut runs through, from what is left
    _trim_coverage(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000))
    return deleted


def _trim_coverage(cut_ms: int) -> None:
    docs = rollups.read(["meta#coverage", "meta#gaps"])
    coverage = {
        source: [max(first, cut_ms), last]
        for source, (first, last) in docs.get("meta#coverage", {}).items()
        if last >= cut_ms
    }
    gaps = [g for g in docs.get("meta#gaps", {}).get("gaps", []) if g[1] >= cut_ms]
    rollups.write({"meta#coverage": coverage, "meta#gaps": {"gaps": gaps}})


def rebuild() -> int:
    """Recompute every summary from the plays themselves; returns the days summarized."""
    days_by_month: dict[str, set[str]] = {}
    for item in Play.scan(attributes_to_get=["month", "key"]):
        days_by_month.setdefault(item.month, set()).add(item.key[:10])
    stale = [i.period for i in Rollup.scan(attributes_to_get=["period"])]
    rollups.delete(p for p in stale if p.startswith(("day#", "month#", "year#")))
    for month, days in sorted(days_by_month.items()):
        streams = ingest.stored(month, min(days), max(days))
        rollups.write({f"day#{d}": rollups.day(s for s in streams if s.day == d) for d in days})
    every = {d for days in days_by_month.values() for d in days}
    if every:
        ingest.summarize(every)
    return len(every)
