"""What the freshness layer hands out: envelopes of cached data, and answers built from them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.utc import iso_utc

STALE_MAX_AGE = 30  # Cache-Control max-age on a stale answer: come back soon


@dataclass(frozen=True)
class Envelope:
    """Cached data with its timing; `state` carries policy hints such as an idle streak."""

    data: Any
    fetched_at: float
    fresh_until: float
    source: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Served:
    """What a view needs to answer: the envelope and whether it is past freshness."""

    envelope: Envelope
    stale: bool
    retry_after: int | None = None

    @property
    def max_age(self) -> int:
        if self.stale:
            return STALE_MAX_AGE
        return max(0, int(self.envelope.fresh_until - time.time()))

    @property
    def age(self) -> int:
        return max(0, int(time.time() - self.envelope.fetched_at))


Fetch = Callable[[Envelope | None], tuple[Any, float, dict[str, Any]]]
"""Given the previous envelope, return (data, lifetime in seconds, policy state)."""


@dataclass(frozen=True)
class Answer:
    """What a view answers: the envelope served, and its body, built only when not yet rendered.

    `variant` names what else the body depends on (a limit, another envelope's time), so one
    rendering serves every request with the same envelope, staleness and variant.
    """

    served: Served
    variant: tuple[Any, ...]
    build: Callable[[], dict[str, Any]]

    @property
    def key(self) -> tuple[Any, ...]:
        envelope = self.served.envelope
        return (*self.variant, envelope.fetched_at, envelope.source, self.served.stale)


def body(served: Served, data: dict[str, Any]) -> dict[str, Any]:
    """An answer's body: its data plus when it was fetched, from where, and whether it is stale."""
    envelope = served.envelope
    return {
        **data,
        "fetched_at": iso_utc(envelope.fetched_at),
        "source": envelope.source,
        "stale": served.stale,
    }
