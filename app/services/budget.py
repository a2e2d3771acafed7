"""Spotify's call budget and breaker as /api/status shows them, and how cache lifetimes stretch.

Lifetimes of the listening data stretch when listening's calls run ahead of the day's pace, so
its share lasts until UTC midnight; what search and builds spend is out of its reach.
"""

from __future__ import annotations

import time
from typing import Any

from app.spotify.gateway import gateway
from app.utc import iso_utc


def spotify_status() -> dict[str, Any]:
    """Calls today against the budget and its shares, and whether the breaker is open."""
    gw = gateway()
    usage, breaker = gw.usage(), gw.breaker()
    is_open = breaker is not None and breaker.open_until > time.time()
    budget = usage.budget
    shares: dict[str, dict[str, int | None]] = {
        "listening": {"used": usage.shares["listening"], "reserve": None},
        "search": {"used": usage.shares["search"], "cap": None},
        "builds": {"used": usage.shares["builds"], "cap": None},
        "token": {"used": usage.shares["token"]},
    }
    if budget:
        shares["listening"]["reserve"] = budget.listening_reserve
        shares["search"]["cap"], shares["builds"]["cap"] = budget.search, budget.builds
    return {
        "calls_today": usage.calls,
        "budget": budget.total if budget else 0,
        "shares": shares,
        "budget_stretch": round(stretch_factor(), 2),
        "circuit": {
            "open": is_open,
            "open_until": iso_utc(breaker.open_until) if breaker and is_open else None,
            "reason": breaker.reason if breaker and is_open else None,
        },
    }


def stretch_factor() -> float:
    """How much longer than normal to cache listening data, so its calls last the UTC day.

    1.0 while spending is on pace; grows with the projected overspend, and sharply once most of
    what listening may use is gone, so the last calls are spread over the rest of the day.
    """
    usage = gateway().usage()
    if not usage.budget or not usage.budget.total:
        return 1.0
    others = usage.shares["search"] + usage.shares["builds"]
    available = max(usage.budget.total - others, 1)
    used = (usage.shares["listening"] + usage.shares["token"]) / available
    pace = used / max(usage.day_fraction, 1 / 96)  # >1 means on course to overspend
    factor = max(1.0, pace)
    if used >= 0.8:
        factor *= 1 + 10 * (used - 0.8) / 0.2
    return min(factor, 60.0)
