"""Serve Spotify-derived data from the shared cache, refreshing at most once per lifetime.

Every answer is an Envelope: the data, when it was fetched, until when it is fresh. Stale data
is kept well past its freshness so that when Spotify is down, rate-limited or out of quota the
website still gets the last good answer, marked stale, instead of an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from flask import current_app
from pynamodb.exceptions import PynamoDBException

from app.errors import AppError, BudgetExhausted, DatabaseUnavailable, UpstreamUnavailable
from app.extensions import cache
from app.services import owner
from app.spotify.errors import BudgetExceeded, UpstreamError

log = logging.getLogger(__name__)
KEEP_STALE = 7 * 24 * 3600  # how long last-good data stays available as a fallback
LOCK_SECONDS = 15
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


class LocalCache:
    """A per-container LRU in front of DynamoDB: a hit costs no read, and survives an outage.

    cachetools caches are not thread-safe, and `flask run` and gunicorn threads share this one.
    """

    def __init__(self, maxsize: int) -> None:
        self._lru: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            return self._lru.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._lru[key] = value


def local_cache(name: str, maxsize: int) -> LocalCache:
    """This app's in-process cache of that name (one per container)."""
    return current_app.extensions.setdefault(f"local-cache:{name}", LocalCache(maxsize))


def _local() -> LocalCache:
    return local_cache("envelopes", 256)


def _shared_get(key: str) -> Envelope | None:
    try:
        return cache.get(key)
    except PynamoDBException as exc:
        log.warning("cache read failed", extra={"key": key, "error_type": type(exc).__name__})
        return None


def _newest(*envelopes: Envelope | None) -> Envelope | None:
    found = [e for e in envelopes if e is not None]
    return max(found, key=lambda e: e.fetched_at) if found else None


def serve(key: str, fetch: Fetch, source: str) -> Served:
    """Answer from cache while fresh; else refresh once (one container) or fall back to stale."""
    local = _local()
    now = time.time()
    held = local.get(key)
    if held and held.fresh_until > now:
        return Served(held, stale=False)
    shared = _shared_get(key)
    envelope = _newest(held, shared)
    if envelope and envelope.fresh_until > now:
        local[key] = envelope
        return Served(envelope, stale=False)
    if not envelope:
        return _refresh(key, fetch, source, envelope)  # nothing to serve meanwhile: no lock
    if not _take_lock(key):
        return Served(envelope, stale=True)  # another container is refreshing right now
    try:
        return _refresh(key, fetch, source, envelope)
    finally:
        _release_lock(key)  # success or failure: the next request may try again at once


def _refresh(key: str, fetch: Fetch, source: str, envelope: Envelope | None) -> Served:
    try:
        owner.access_guard()
        data, lifetime, state = fetch(envelope)
    except UpstreamError as exc:
        return _fallback(key, envelope, exc)
    except PynamoDBException as exc:
        if envelope:
            return Served(envelope, stale=True)
        raise DatabaseUnavailable(retry_after=5) from exc
    now = time.time()
    fresh = Envelope(data, now, now + lifetime, source, state)
    _local()[key] = fresh
    try:
        cache.set(key, fresh, timeout=KEEP_STALE)
    except PynamoDBException as exc:
        log.warning("cache write failed", extra={"key": key, "error_type": type(exc).__name__})
    return Served(fresh, stale=False)


def _take_lock(key: str) -> bool:
    try:
        return cache.add(f"lock:{key}", 1, timeout=LOCK_SECONDS)
    except PynamoDBException:
        return True


def _release_lock(key: str) -> None:
    try:
        cache.delete(f"lock:{key}")
    except PynamoDBException:
        pass  # it expires after LOCK_SECONDS anyway


def _fallback(key: str, envelope: Envelope | None, exc: UpstreamError) -> Served:
    log.warning(
        "spotify unavailable; serving stale" if envelope else "spotify unavailable; no cache",
        extra={
            "key": key,
            "error_type": type(exc).__name__,
            "status": exc.status,
            "reason": exc.reason,
            "retry_after": exc.retry_after,
        },
    )
    if envelope:
        return Served(envelope, stale=True, retry_after=exc.retry_after or None)
    raise unavailable(exc) from exc


def unavailable(exc: UpstreamError) -> AppError:
    """The 503 a client gets when an upstream failure leaves nothing to serve."""
    error = BudgetExhausted if isinstance(exc, BudgetExceeded) else UpstreamUnavailable
    return error(retry_after=exc.retry_after or 30)
