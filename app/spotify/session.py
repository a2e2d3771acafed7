"""HTTP sessions for upstream calls: no retries, no sleeping on Retry-After, every call limited.

spotipy and urllib3 default to retrying and sleeping for the whole Retry-After (hours under the
dev-mode quota); here a 429 comes straight back so the breaker can record its deadline. Answers
are checked before spotipy reads them: a body that is not the JSON it should be, or a token answer
without a token, is a malformed answer and opens the breaker like any other failure.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app import tracing
from app.spotify.errors import Malformed, RateLimited, UpstreamDown, UpstreamError, counted
from app.spotify.limiter import UpstreamLimiter, clamp_wait

SERVER_ERROR_COOLDOWN = 30
MALFORMED_COOLDOWN = 60


def retry_after(response: requests.Response, default: int) -> int:
    """Retry-After in seconds (a number or an HTTP date), at most a day; else `default`."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return clamp_wait(int(value[:9]))  # 9 digits: already far past the one-day cap
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return default
    return clamp_wait(moment.timestamp() - _date(response))


def _date(response: requests.Response) -> float:
    try:
        return parsedate_to_datetime(response.headers["Date"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError):
        return time.time()


class GuardedSession(requests.Session):
    """A requests session that consults a limiter before each call and opens it on failure."""

    def __init__(self, limiter: UpstreamLimiter, *, token_url: str | None = None) -> None:
        super().__init__()
        self.limiter = limiter
        self.token_url = token_url  # exactly this URL is the token endpoint: never refused
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
        is_token = self.token_url is not None and url.split("?", 1)[0] == self.token_url
        self.limiter.before_call(unmetered=is_token)
        with tracing.http_call(self.limiter.name, method.upper(), url) as span:
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.RequestException as exc:
                self.limiter.open_breaker(SERVER_ERROR_COOLDOWN, type(exc).__name__)
                raise counted(
                    UpstreamDown(
                        f"{self.limiter.name} unreachable: {type(exc).__name__}",
                        upstream=self.limiter.name,
                    )
                ) from exc
            tracing.answered(span, response.status_code)
            try:
                self._inspect(response, is_token)
            except UpstreamError as exc:
                counted(exc)
                raise
        return response

    def _inspect(self, response: requests.Response, is_token: bool) -> None:
        status = response.status_code
        if status == 429:
            seconds = retry_after(response, SERVER_ERROR_COOLDOWN)
            reason = _reason(response) or "RATE_LIMITED"
            self.limiter.open_breaker(seconds, reason)
            raise RateLimited(
                f"{self.limiter.name} answered 429 {reason}",
                status=429,
                retry_after=seconds,
                reason=reason,
                upstream=self.limiter.name,
            )
        if status >= 500:
            seconds = retry_after(response, SERVER_ERROR_COOLDOWN)
            self.limiter.open_breaker(seconds, f"HTTP_{status}")
            raise UpstreamDown(
                f"{self.limiter.name} answered {status}",
                status=status,
                retry_after=seconds,
                upstream=self.limiter.name,
            )
        problem = _shape_problem(response, is_token)
        if problem:
            self.limiter.open_breaker(MALFORMED_COOLDOWN, "MALFORMED_RESPONSE")
            raise Malformed(
                f"{self.limiter.name} sent {problem}", status=status, upstream=self.limiter.name
            )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


_NOT_JSON = object()


def _shape_problem(response: requests.Response, is_token: bool) -> str | None:
    """What is wrong with an answer spotipy would choke on, or None."""
    status = response.status_code
    if status == 204 or not response.content:
        return "an empty token answer" if is_token and status < 300 else None
    body = _json(response)
    if body is _NOT_JSON:
        return "an unreadable answer"
    if status >= 400:  # spotipy reads {"error": {...}}, or an OAuth error's string
        error = body.get("error") if isinstance(body, dict) else None
        shapes: tuple[type, ...] = (dict, str) if is_token else (dict,)
        ok = isinstance(body, dict) and (error is None or isinstance(error, shapes))
        return None if ok else "an error body of the wrong shape"
    if is_token:
        ok = isinstance(body, dict) and isinstance(body.get("access_token"), str)
        ok = ok and bool(body["access_token"]) and isinstance(body.get("expires_in"), int)
        return None if ok else "a token answer without a usable token"
    return None if isinstance(body, dict) else "an answer that is not a JSON object"


def _reason(response: requests.Response) -> str | None:
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    reason = error.get("reason") if isinstance(error, dict) else None
    return reason[:64] if isinstance(reason, str) else None
