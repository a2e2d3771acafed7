"""Spotify's daily call budget, split into shares, and each upstream's breaker, in DynamoDB.

Every container obeys the same numbers. The listening endpoints (now playing, recently played,
top lists, the token) keep a reserve that search and catalog builds can never spend; search and
builds each have a capped share of the rest. One conditional update per call checks and counts,
so two containers can never both take the last call of a share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from app import metrics
from app.models import CircuitState, DailyCalls
from app.spotify.errors import BudgetExceeded, CircuitOpen
from app.utc import day_fraction, seconds_to_midnight

log = logging.getLogger(__name__)
MAX_WAIT = 24 * 3600  # no Retry-After, however large, keeps an upstream shut longer than a day
SHARES = ("listening", "search", "builds")
_share: ContextVar[str] = ContextVar("budget_share", default="listening")


@dataclass(frozen=True)
class Budget:
    """Calls per UTC day: the total, the reserve listening keeps, the caps of search and builds."""

    total: int
    listening_reserve: int
    search: int
    builds: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Budget:
        total = config["SPOTIFY_DAILY_BUDGET"]
        return cls(
            total,
            int(total * config["BUDGET_LISTENING_RESERVE"]),
            int(total * config["BUDGET_SEARCH_SHARE"]),
            int(total * config["BUDGET_BUILD_SHARE"]),
        )

    def cap(self, share: str) -> int | None:
        return {"search": self.search, "builds": self.builds}.get(share)


@dataclass(frozen=True)
class Usage:
    """Calls made today, in total and by share, against the budget."""

    calls: int
    budget: Budget | None
    day_fraction: float
    shares: dict[str, int]


@contextmanager
def spending(share: str) -> Iterator[None]:
    """Count the calls made inside against `share` (listening, search or builds)."""
    token = _share.set(share)
    try:
        yield
    finally:
        _share.reset(token)


def clamp_wait(seconds: float) -> int:
    """A wait in whole seconds between 1 s and a day, whatever an upstream asked for."""
    return int(min(max(seconds, 1), MAX_WAIT))


class UpstreamLimiter:
    """Counts one upstream's calls per UTC day, enforces its budget shares, keeps its breaker."""

    def __init__(self, name: str, budget: Budget | None) -> None:
        self.name = name
        self.budget = budget

    def _key(self, now: float) -> str:
        return f"{self.name}#{datetime.fromtimestamp(now, UTC):%Y-%m-%d}"

    def before_call(self, *, unmetered: bool = False) -> None:
        """Refuse while the breaker is open or the share is spent; else count the call.

        Token refreshes are `unmetered`: counted, never refused (without a token nothing works).
        """
        now = time.time()
        state = self.breaker()
        if state and state.open_until > now:
            raise CircuitOpen(
                f"{self.name} breaker open",
                retry_after=clamp_wait(state.open_until - now + 1),
                reason=state.reason,
                upstream=self.name,
            )
        share = "token" if unmetered else _share.get()
        row = DailyCalls(self._key(now))
        try:
            row.update(actions=self._count(share, now), condition=self._within(share))
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise BudgetExceeded(
                f"{self.name} {share} budget spent",
                retry_after=seconds_to_midnight(now),
                reason=f"{share}_budget",
                upstream=self.name,
            ) from exc
        if self.budget is not None:
            self._measure(share, row, self.budget)

    @staticmethod
    def _measure(share: str, row: DailyCalls, budget: Budget) -> None:
        """The call and today's budget, from the counts the update just returned (no read)."""
        metrics.count("SpotifyCalls")
        metrics.detail("spotify_calls_by_class", share, 1, add=True)
        used = int(row.total or 0)
        metrics.gauge(
            "BudgetUsedPercent", round(100 * used / budget.total, 2) if budget.total else 0
        )
        left = budget.total - used
        others_left = budget.total - budget.listening_reserve - int(row.others or 0)
        for name in SHARES:
            spent = int(getattr(row, name) or 0)
            cap = budget.cap(name)
            remaining = left if cap is None else min(left, others_left, cap - spent)
            metrics.detail("budget_by_share", name, {"used": spent, "remaining": max(0, remaining)})
        metrics.detail("budget_by_share", "total", {"used": used, "remaining": max(0, left)})

    def _count(self, share: str, now: float) -> list[Any]:
        expires = datetime.fromtimestamp(now, UTC) + timedelta(days=3)
        actions = [DailyCalls.total.add(1), DailyCalls.expires_at.set(expires)]
        actions.append(getattr(DailyCalls, share).add(1))
        if share in ("search", "builds"):
            actions.append(DailyCalls.others.add(1))
        return actions

    def _within(self, share: str) -> Any:
        budget = self.budget
        if budget is None or share == "token":
            return None
        condition = _below(DailyCalls.total, budget.total)
        cap = budget.cap(share)
        if cap is not None:
            condition &= _below(DailyCalls.others, budget.total - budget.listening_reserve)
            condition &= _below(getattr(DailyCalls, share), cap)
        return condition

    def usage(self) -> Usage:
        """Today's counts."""
        now = time.time()
        try:
            row = DailyCalls.get(self._key(now))
        except DoesNotExist:
            row = DailyCalls(self._key(now))
        shares = {s: int(getattr(row, s) or 0) for s in (*SHARES, "token")}
        return Usage(int(row.total or 0), self.budget, day_fraction(now), shares)

    def breaker(self) -> CircuitState | None:
        """The breaker's stored state, its deadline never more than a day away."""
        try:
            state = CircuitState.get(self.name)
        except DoesNotExist:
            return None
        state.open_until = min(state.open_until, time.time() + MAX_WAIT)
        return state

    def open_breaker(self, seconds: float, reason: str) -> None:
        """Open the breaker for `seconds` (at most a day); a later deadline is never shortened."""
        now = time.time()
        seconds = clamp_wait(seconds)
        current = self.breaker()
        if current and current.open_until >= now + seconds:
            return
        CircuitState(self.name, open_until=now + seconds, reason=reason, opened_at=now).save()
        metrics.count("BreakerOpenings")
        log.warning(
            "circuit opened", extra={"upstream": self.name, "seconds": seconds, "reason": reason}
        )


def _below(attribute: Any, limit: int) -> Any:
    return attribute.does_not_exist() | (attribute < limit)
