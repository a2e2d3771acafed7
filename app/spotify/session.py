"""HTTP sessions for upstream calls: no retries, no sleeping on Retry-After, every call guarded.

spotipy and urllib3 default to retrying and sleeping for the whole Retry-After (hours under the
dev-mode quota); here a 429 comes straight back so the breaker can record its deadline.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.spotify.errors import RateLimited, UpstreamDown
from app.spotify.guard import CallGuard

SERVER_ERROR_COOLDOWN = 30
MALFORMED_COOLDOWN = 60


def retry_after(response: requests.Response, default: int) -> int:
    """Read Retry-After in seconds, falling back to a default."""
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else default


class GuardedSession(requests.Session):
    """A requests session that consults a CallGuard before each call and opens it on failure."""

    def __init__(self, guard: CallGuard, *, unmetered_prefixes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.guard = guard
        self.unmetered_prefixes = unmetered_prefixes
        adapter = HTTPAdapter(
            max_retries=Retry(
                total=0, redirect=0, respect_retry_after_header=False, raise_on_status=False
            )
        )
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    # Forwards every argument unchanged; typeshed's long signature is not worth repeating.
    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self.guard.before_call(metered=not url.startswith(self.unmetered_prefixes))
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            self.guard.open(SERVER_ERROR_COOLDOWN, type(exc).__name__)
            raise UpstreamDown(f"{self.guard.name} unreachable: {type(exc).__name__}") from exc
        self._inspect(response)
        return response

    def _inspect(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            seconds = retry_after(response, SERVER_ERROR_COOLDOWN)
            reason = _reason(response) or "RATE_LIMITED"
            self.guard.open(seconds, reason)
            raise RateLimited(
                f"{self.guard.name} answered 429 {reason}",
                status=429,
                retry_after=seconds,
                reason=reason,
            )
        if status >= 500:
            seconds = retry_after(response, SERVER_ERROR_COOLDOWN)
            self.guard.open(seconds, f"HTTP_{status}")
            raise UpstreamDown(
                f"{self.guard.name} answered {status}", status=status, retry_after=seconds
            )
        if 200 <= status < 300 and status != 204 and response.content:
            try:
                response.json()
            except ValueError as exc:
                self.guard.open(MALFORMED_COOLDOWN, "MALFORMED_RESPONSE")
                raise UpstreamDown(
                    f"{self.guard.name} sent an unreadable answer",
                    status=status,
                    retry_after=MALFORMED_COOLDOWN,
                ) from exc


def _reason(response: requests.Response) -> str | None:
    try:
        error = response.json().get("error")
    except ValueError:
        return None
    return error.get("reason") if isinstance(error, dict) else None
