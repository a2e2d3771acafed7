"""Serve Spotify-derived data from the shared cache, refreshing at most once per lifetime.

Every answer is an Envelope: the data, when it was fetched, until when it is fresh. Stale data
is kept well past its freshness so that when Spotify is down, rate-limited or out of quota the
website still gets the last good answer, marked stale, instead of an error. A refresh happens
once: threads of a container wait for the one fetching, and other containers, seeing its lease,
serve what they have (or, with nothing to serve, wait briefly for its answer).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from flask import current_app
from pynamodb.exceptions import PynamoDBException

from app import metrics
from app.errors import AppError, BudgetExhausted, DatabaseUnavailable, UpstreamUnavailable
from app.extensions import cache
from app.models import Lease
from app.services.envelope import Envelope, Fetch, Served
from app.services.local_cache import LocalCache, local_cache
from app.spotify.errors import BudgetExceeded, UpstreamError

log = logging.getLogger(__name__)
KEEP_STALE = 7 * 24 * 3600  # how long last-good data stays available as a fallback
LEASE_SECONDS = 15
THREAD_WAIT = 1.5  # for another thread of this container fetching the same data
CONTAINER_WAIT = 1.0  # with nothing to serve, for another container fetching it
_UNLEASED = "-"


def _local() -> LocalCache:
    return local_cache("envelopes", 256)


def _flight(key: str) -> threading.Lock:
    flights: dict[str, threading.Lock] = current_app.extensions.setdefault("flights", {})
    return flights.setdefault(key, threading.Lock())


def _shared_get(key: str) -> Envelope | None:
    try:
        return cache.get(key)
    except PynamoDBException as exc:
        log.warning("cache read failed", extra={"key": key, "error_type": type(exc).__name__})
        return None


def _newest(*envelopes: Envelope | None) -> Envelope | None:
    found = [e for e in envelopes if e is not None]
    return max(found, key=lambda e: e.fetched_at) if found else None


def peek(key: str) -> Envelope | None:
    """What is held for `key` (fresh or stale), here or shared; never fetches."""
    held = _local().get(key)
    if held is not None and held.fresh_until > time.time():
        return held
    return _newest(held, _shared_get(key))


def is_cached(key: str) -> bool:
    """Whether anything (fresh or stale) is held for `key`, so serving it costs no fetch."""
    return peek(key) is not None


def serve(key: str, fetch: Fetch, source: str) -> Served:
    """Answer from cache while fresh; else refresh once, or fall back to stale data.

    Counted in the request's metrics: a hit (held fresh), stale (held, past freshness), or a
    miss (fetched now; counted where the fetch succeeds).
    """
    asked = time.time()
    served = _serve(key, fetch, source)
    if served.stale:
        metrics.count("CacheStale")
    elif served.envelope.fetched_at < asked:
        metrics.count("CacheHits")
    return served


def _serve(key: str, fetch: Fetch, source: str) -> Served:
    local = _local()
    held = local.get(key)
    if held and held.fresh_until > time.time():
        return Served(held, stale=False)
    envelope = _newest(held, _shared_get(key))
    if envelope and envelope.fresh_until > time.time():
        local[key] = envelope
        return Served(envelope, stale=False)
    flight = _flight(key)
    if not flight.acquire(timeout=THREAD_WAIT):
        if envelope:
            return Served(envelope, stale=True)
        raise UpstreamUnavailable(retry_after=2)
    try:
        done = local.get(key)  # the thread we waited for may have refreshed it
        if done and done.fresh_until > time.time():
            return Served(done, stale=False)
        return _refresh_once(key, fetch, source, _newest(envelope, done))
    finally:
        flight.release()


def _refresh_once(key: str, fetch: Fetch, source: str, envelope: Envelope | None) -> Served:
    holder = _take_lease(key)
    if holder is None:
        if envelope:
            return Served(envelope, stale=True)  # another container is refreshing right now
        arrived = _wait_for_shared(key)
        if arrived:
            _local()[key] = arrived
            return Served(arrived, stale=False)
    try:
        return _refresh(key, fetch, source, envelope)
    finally:
        _release_lease(key, holder)  # success or failure: the next request may try at once


def _wait_for_shared(key: str) -> Envelope | None:
    deadline = time.monotonic() + CONTAINER_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.15)
        found = _shared_get(key)
        if found and found.fresh_until > time.time():
            return found
    return None


def _refresh(key: str, fetch: Fetch, source: str, envelope: Envelope | None) -> Served:
    try:
        data, lifetime, state = fetch(envelope)
    except UpstreamError as exc:
        return _fallback(key, envelope, exc)
    except PynamoDBException as exc:
        if envelope:
            return Served(envelope, stale=True)
        raise DatabaseUnavailable(retry_after=5) from exc
    metrics.count("CacheMisses")
    now = time.time()
    fresh = Envelope(data, now, now + lifetime, source, state)
    _local()[key] = fresh
    try:
        cache.set(key, fresh, timeout=KEEP_STALE)
    except PynamoDBException as exc:
        log.warning("cache write failed", extra={"key": key, "error_type": type(exc).__name__})
    return Served(fresh, stale=False)


def _take_lease(key: str) -> str | None:
    try:
        return Lease.take(f"fetch:{key}", LEASE_SECONDS)
    except PynamoDBException:
        return _UNLEASED  # the store is unwell: fetch without a lease rather than not at all


def _release_lease(key: str, holder: str | None) -> None:
    if holder in (None, _UNLEASED):
        return
    try:
        Lease.release(f"fetch:{key}", holder)
    except PynamoDBException:
        pass  # it lapses after LEASE_SECONDS anyway


def forget(keys: Iterable[str]) -> None:
    """Drop these entries here and in the shared cache (other containers' copies age out)."""
    for key in keys:
        _local().pop(key)
        try:
            cache.delete(key)
        except PynamoDBException:
            log.warning("cache delete failed", extra={"key": key})


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
