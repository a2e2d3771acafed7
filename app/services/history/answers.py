"""The history endpoints' answers: visible as the owner chose, cached like every answer.

HISTORY_VISIBILITY says what is public: `stats` (aggregates only, the default), `full` (the
plays one by one too) or `off` (nothing). Answers cost no Spotify call; each is computed from
DynamoDB at most once per HISTORY_CACHE_SECONDS and served like the listening answers.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from flask import current_app

from app.errors import NotFound
from app.services.envelope import Answer, Envelope, body
from app.services.freshness import serve
from app.services.history import records, stats

SOURCE = "archive"


class NotPublic(NotFound):
    code = "history_not_public"
    message = "The site owner has not made this part of their listening history public."


def require(level: str) -> None:
    """404 unless the owner made this much of the history public."""
    visibility = current_app.config["HISTORY_VISIBILITY"]
    if visibility == "off" or (level == "full" and visibility != "full"):
        raise NotPublic()


def today() -> date:
    return datetime.now(UTC).date()


@lru_cache(maxsize=1024)
def _key(name: str, args: tuple[tuple[str, Any], ...]) -> str:
    """The answer's cache key, worked out once per distinct question (a hit asks it again)."""
    canonical = "&".join(f"{k}={v}" for k, v in sorted(args) if v is not None)
    return f"history:{name}:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _cached(name: str, args: dict[str, Any], compute: Any) -> Answer:
    key = _key(name, tuple(args.items()))
    lifetime = current_app.config["HISTORY_CACHE_SECONDS"]

    def fetch(_: Envelope | None) -> tuple[Any, float, dict[str, Any]]:
        return compute(), lifetime, {}

    served = serve(key, fetch, SOURCE)
    return Answer(served, (key,), lambda: body(served, served.envelope.data))


def statistics(
    period: str | None, start: date | None, end: date | None, tz: str, top: int
) -> Answer:
    require("stats")
    found = stats.period(period, start, end, today())
    zone = stats.zone(tz)
    args = {"from": found.first, "to": found.last, "label": found.label, "tz": tz, "top": top}
    return _cached("stats", args, lambda: stats.compute(found, zone, top))


def on_this_day(day: date | None) -> Answer:
    require("stats")
    chosen = day or today()
    return _cached("on-this-day", {"date": chosen}, lambda: records.on_this_day(chosen, today()))


def plays(start: date | None, end: date | None, cursor: str | None, limit: int) -> Answer:
    require("full")
    found = stats.period(None if start or end else "all", start, end, today())
    args = {"from": found.first, "to": found.last, "cursor": cursor, "limit": limit}
    return _cached("plays", args, lambda: records.listing(found, cursor, limit))
