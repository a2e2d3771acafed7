"""Spotify call budget and breaker state, and how cache lifetimes stretch to keep the budget."""

from __future__ import annotations

import time
from typing import Any

from app.spotify.gateway import gateway
from app.utc import iso_utc


def spotify_status() -> dict[str, Any]:
    """Calls today against the budget, and whether the breaker is open."""
    guard = gateway().guard
    usage = guard.usage()
    breaker = guard.breaker()
    is_open = breaker is not None and breaker.open_until > time.time()
    return {
        "calls_today": usage.calls,
        "budget": usage.budget,
        "budget_stretch": round(stretch_factor(), 2),
        "circuit": {
            "open": is_open,
            "open_until": iso_utc(breaker.open_until) if breaker and is_open else None,
            "reason": breaker.reason if breaker and is_open else None,
        },
    }


def stretch_factor() -> float:
    """How much longer than normal to cache, so the day's calls stay within budget.

    1.0 while spending is on pace; grows with the projected overspend, and sharply once most of
    the budget is gone, so the last calls are spread over the rest of the UTC day.
    """
    usage = gateway().guard.usage()
    if not usage.budget:
        return 1.0
    used = usage.calls / usage.budget
    pace = used / max(usage.day_fraction, 1 / 96)  # >1 means on course to overspend
    factor = max(1.0, pace)
    if used >= 0.8:
        factor *= 1 + 10 * (used - 0.8) / 0.2
    return min(factor, 60.0)
