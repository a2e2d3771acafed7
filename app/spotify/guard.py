"""Daily call budget and circuit breaker, both in DynamoDB so every container obeys them."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError

from app.models import CircuitState, Counter
from app.spotify.errors import BudgetExceeded, CircuitOpen
from app.utc import day_fraction, seconds_to_midnight

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    """Calls made today against the budget, and the fraction of the UTC day gone."""

    calls: int
    budget: int
    day_fraction: float


class CallGuard:
    """Counts outbound calls per UTC day and keeps one upstream's breaker."""

    def __init__(self, name: str, budget: int | None) -> None:
        self.name = name
        self.budget = budget

    def _counter_key(self, now: float) -> str:
        return f"{self.name}-calls#{datetime.fromtimestamp(now, UTC):%Y-%m-%d}"

    def before_call(self, *, metered: bool = True) -> None:
        """Refuse to send while the breaker is open or the budget is spent; else count the call."""
        now = time.time()
        state = self.breaker()
        if state and state.open_until > now:
            raise CircuitOpen(
                f"{self.name} breaker open",
                retry_after=int(state.open_until - now) + 1,
                reason=state.reason,
            )
        expires = datetime.fromtimestamp(now, UTC) + timedelta(days=3)
        # One conditional increment: no read first, and two containers cannot both take the
        # budget's last call.
        within = None
        if metered and self.budget is not None:
            within = Counter.value.does_not_exist() | (Counter.value < self.budget)
        try:
            Counter(self._counter_key(now)).update(
                actions=[Counter.value.add(1), Counter.expires_at.set(expires)], condition=within
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise BudgetExceeded(
                f"{self.name} daily budget spent", retry_after=seconds_to_midnight(now)
            ) from exc

    def usage(self) -> Usage:
        """Read today's count."""
        now = time.time()
        try:
            calls = int(Counter.get(self._counter_key(now)).value)
        except DoesNotExist:
            calls = 0
        return Usage(calls=calls, budget=self.budget or 0, day_fraction=day_fraction(now))

    def breaker(self) -> CircuitState | None:
        """The breaker's stored state, if it was ever opened."""
        try:
            return CircuitState.get(self.name)
        except DoesNotExist:
            return None

    def open(self, seconds: int, reason: str) -> None:
        """Open the breaker for `seconds`; a later deadline never gets shortened."""
        now = time.time()
        until = now + max(1, seconds)
        current = self.breaker()
        if current and current.open_until >= until:
            return
        CircuitState(self.name, open_until=until, reason=reason, opened_at=now).save()
        log.warning(
            "circuit opened", extra={"upstream": self.name, "seconds": seconds, "reason": reason}
        )
