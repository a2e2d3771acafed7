"""UTC time in one public format (RFC 3339 with `Z`, whole seconds) and the UTC day's end."""

from __future__ import annotations

import time
from datetime import UTC, datetime

DAY = 86400


def iso_utc(moment: float | datetime) -> str:
    """RFC 3339 UTC with a `Z` and no fraction: every timestamp the API answers with."""
    epoch = moment.timestamp() if isinstance(moment, datetime) else moment
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_iso(text: str | None) -> float:
    """Epoch seconds of an ISO 8601 timestamp (a naive one is taken as UTC); ValueError if not."""
    if not isinstance(text, str):
        raise ValueError(f"not a timestamp: {type(text).__name__}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def seconds_to_midnight(now: float) -> int:
    """Seconds until the next UTC midnight, when daily budgets start again (at least 1)."""
    return max(1, DAY - int(now % DAY))


def day_fraction(now: float) -> float:
    """How much of the current UTC day has passed, from 0 to 1."""
    return (now % DAY) / DAY
