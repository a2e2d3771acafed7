"""Statistics for any period, from the summaries: a ten-year period reads a few hundred items.

A period's totals and top lists come from the largest summaries that fit inside it (years, then
months, then the days at its edges); its day-by-day series, hour-of-week heatmap and streaks come
from its months, which carry their days. Days are UTC days; the heatmap is in the time zone the
request names.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import InvalidArgument
from app.models import Entity
from app.services.history import rollups
from app.utc import iso_utc

MAX_DAYS = 20 * 366
_LAST_N = re.compile(r"last-(\d{1,4})-days")


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str


def period(value: str | None, start: date | None, end: date | None, today: date) -> Period:
    """A named period (2024, 2024-05, last-N-days, all) or from/to dates, both inclusive."""
    if start or end:
        if value:
            raise InvalidArgument("Give either 'period' or 'from'/'to', not both.")
        first = start or today - timedelta(days=29)
        last = end or today
        found = Period(first, last, f"{first}..{last}")
    else:
        found = _named(value or "last-30-days", today)
    if found.first > found.last or (found.last - found.first).days > MAX_DAYS:
        raise InvalidArgument("The period must run forwards and span at most 20 years.")
    return found


def _named(value: str, today: date) -> Period:
    if value == "all":
        return Period(first_day(today), today, "all")
    if match := _LAST_N.fullmatch(value):
        days = int(match.group(1))
        if not 1 <= days <= MAX_DAYS:
            raise InvalidArgument("last-N-days takes N from 1 to 7320.")
        return Period(today - timedelta(days=days - 1), today, value)
    if re.fullmatch(r"[1-9]\d{3}", value):
        return Period(date(int(value), 1, 1), date(int(value), 12, 31), value)
    if re.fullmatch(r"[1-9]\d{3}-\d{2}", value) and 1 <= int(value[5:]) <= 12:
        year, month = int(value[:4]), int(value[5:])
        last = calendar.monthrange(year, month)[1]
        return Period(date(year, month, 1), date(year, month, last), value)
    raise InvalidArgument("'period' is a year (2024), a month (2024-05), last-N-days or all.")


def first_day(today: date) -> date:
    """The first day the archive covers, from any source (today when it is empty)."""
    coverage = rollups.read(["meta#coverage"]).get("meta#coverage", {})
    firsts = [first for first, _ in coverage.values()]
    return datetime.fromtimestamp(min(firsts) / 1000, UTC).date() if firsts else today


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidArgument(f"Unknown time zone {name[:40]!r}; use an IANA name.") from exc


def pieces(first: date, last: date) -> list[str]:
    """The fewest summaries covering [first, last]: whole years, then whole months, then days."""
    found, day = [], first
    while day <= last:
        year_end, month_end = date(day.year, 12, 31), _month_end(day)
        if day.month == 1 and day.day == 1 and year_end <= last:
            found.append(f"year#{day.year}")
            day = year_end + timedelta(days=1)
        elif day.day == 1 and month_end <= last:
            found.append(f"month#{day:%Y-%m}")
            day = month_end + timedelta(days=1)
        else:
            found.append(f"day#{day}")
            day += timedelta(days=1)
    return found


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _months(first: date, last: date) -> list[str]:
    months, cursor = [], date(first.year, first.month, 1)
    while cursor <= last:
        months.append(f"month#{cursor:%Y-%m}")
        cursor = _month_end(cursor) + timedelta(days=1)
    return months


def compute(found: Period, tz: ZoneInfo, top: int) -> dict[str, Any]:
    """The statistics of a period, as /api/history/stats answers them."""
    wanted = pieces(found.first, found.last)
    docs = rollups.read([*wanted, *_months(found.first, found.last), "meta#coverage", "meta#gaps"])
    whole = rollups.merge(docs[p] for p in wanted if p in docs)
    days = _days(docs, found)
    return {
        "period": {"from": str(found.first), "to": str(found.last), "label": found.label},
        "totals": {
            "plays": whole["p"],
            "minutes": _minutes(whole["m"]),
            "streams": whole["s"],
            "artists": len(whole["top"]["a"]),
            "tracks": len(whole["top"]["t"]),
            "albums": len(whole["top"]["l"]),
        },
        "top": _tops(whole, top),
        "days": [{"date": d, "plays": v[0], "minutes": _minutes(v[1])} for d, v in days.items()],
        "heatmap": {"tz": tz.key, "minutes": _heatmap(days, tz)},
        "skip_rate": round(whole["k"] / whole["s"], 4) if whole["s"] else None,
        "longest_streak": _streak(days),
        "coverage": _coverage(docs, found),
    }


def _minutes(ms: int) -> float:
    return round(ms / 60_000, 1)


def _days(docs: dict[str, Any], found: Period) -> dict[str, list]:
    """Every day of the period that has streams: "YYYY-MM-DD" → [plays, ms, streams, skips, h]."""
    days = {}
    for period_key, doc in sorted(docs.items()):
        if not period_key.startswith("month#"):
            continue
        for dd, values in doc.get("days", {}).items():
            day = f"{period_key[6:]}-{dd}"
            if str(found.first) <= day <= str(found.last) and values[2]:
                days[day] = values
    return days


def _heatmap(days: dict[str, list], tz: ZoneInfo) -> list[list[float]]:
    """Minutes per weekday (Monday first) and local hour; each day's offset taken at its noon."""
    grid = [[0] * 24 for _ in range(7)]
    for day, values in days.items():
        noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        offset = int((noon.astimezone(tz).utcoffset() or timedelta()).total_seconds() // 3600)
        for hour, ms in enumerate(values[4]):
            if ms:
                local = noon.replace(hour=hour) + timedelta(hours=offset)
                grid[local.weekday()][local.hour] += ms
    return [[_minutes(ms) for ms in row] for row in grid]


def _streak(days: dict[str, list]) -> dict[str, Any] | None:
    """The longest run of consecutive days with plays."""
    best: tuple[int, date, date] | None = None
    start = previous = None
    for current in sorted(date.fromisoformat(d) for d, v in days.items() if v[0]):
        if start is None or previous is None or current - previous != timedelta(days=1):
            start = current
        previous = current
        length = (current - start).days + 1
        if best is None or length > best[0]:
            best = (length, start, current)
    return {"days": best[0], "from": str(best[1]), "to": str(best[2])} if best else None


def _coverage(docs: dict[str, Any], found: Period) -> dict[str, Any]:
    first = datetime(found.first.year, found.first.month, found.first.day, tzinfo=UTC)
    start = first.timestamp() * 1000
    end = start + 86_400_000 * ((found.last - found.first).days + 1)
    sources = {
        source: {"from": iso_utc(a / 1000), "to": iso_utc(b / 1000)}
        for source, (a, b) in sorted(docs.get("meta#coverage", {}).items())
    }
    gaps = [
        {"from": iso_utc(a / 1000), "to": iso_utc(b / 1000)}
        for a, b in docs.get("meta#gaps", {}).get("gaps", [])
        if b >= start and a < end
    ]
    return {"sources": sources, "gaps": gaps}


def _tops(whole: dict[str, Any], top: int) -> dict[str, Any]:
    chosen: dict[str, dict[str, list[tuple[str, list[int]]]]] = {}
    for kind, name in (("a", "artists"), ("t", "tracks"), ("l", "albums")):
        counts = whole["top"][kind]
        chosen[name] = {
            "by_minutes": sorted(counts.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[
                :top
            ],
            "by_plays": sorted(counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:top],
        }
    prefix = {"artists": "a", "tracks": "t", "albums": "l"}
    keys = {
        f"{prefix[name]}:{key}"
        for name, lists in chosen.items()
        for rows in lists.values()
        for key, _ in rows
    }
    names = {e.key: e for e in Entity.batch_get(list(keys))} if keys else {}
    return {
        name: {
            order: [_row(names.get(f"{prefix[name]}:{k}"), counts) for k, counts in rows]
            for order, rows in lists.items()
        }
        for name, lists in chosen.items()
    }


def _row(entity: Entity | None, counts: list[int]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": entity.name if entity else None,
        "plays": counts[0],
        "minutes": _minutes(counts[1]),
    }
    if entity is not None and entity.artist is not None:
        row["artist"] = entity.artist
    if entity is not None and entity.track_id:
        row["url"] = f"https://open.spotify.com/track/{entity.track_id}"
    return row
