"""Upstream failures as the services see them: no spotipy exception crosses this package."""

from __future__ import annotations

from typing import Any

from app import metrics


class UpstreamError(Exception):
    """An upstream call failed; retry_after says how long to leave the upstream alone."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: int = 0,
        reason: str | None = None,
        upstream: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.reason = reason
        self.upstream = upstream  # "spotify" or "reccobeats", when known


class CircuitOpen(UpstreamError):
    """The breaker is open: nothing was sent."""


class BudgetExceeded(UpstreamError):
    """Today's call budget is spent: nothing was sent."""


class RateLimited(UpstreamError):
    """429, either the rolling rate limit or the daily QUOTA_EXCEEDED."""


class UpstreamDown(UpstreamError):
    """5xx, timeout, connection failure or an unreadable answer."""


class Malformed(UpstreamDown):
    """A 2xx answer of the wrong shape (or a token answer without a token): unusable."""

    def __init__(self, message: str, *, retry_after: int = 60, **kw: Any) -> None:
        super().__init__(message, retry_after=retry_after, reason="MALFORMED_RESPONSE", **kw)


class NotFoundUpstream(UpstreamError):
    """404: the thing asked for does not exist."""


class BadRequestUpstream(UpstreamError):
    """400: Spotify refused the request itself (e.g. a malformed id)."""


class ForbiddenUpstream(UpstreamError):
    """403: e.g. an endpoint a development-mode app may no longer call."""


class TokenRejected(UpstreamError):
    """401 from the API: the access token is no longer accepted."""


class AuthorizationLost(UpstreamError):
    """invalid_grant: the refresh token was revoked or is past its six-month life."""


class NoToken(Exception):
    """No owner token is stored yet."""


class NotConfigured(Exception):
    """Sample mode: there is no Spotify app, so no owner to authorize."""


def counted(error: UpstreamError) -> UpstreamError:
    """The error, counted in the request's metrics (UpstreamErrors) and by upstream and kind."""
    metrics.count("UpstreamErrors")
    kind = f"{error.upstream or 'spotify'}:{type(error).__name__}"
    metrics.detail("upstream_errors_by_kind", kind, 1, add=True)
    return error
