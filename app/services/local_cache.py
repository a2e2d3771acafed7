"""Per-container caches in front of DynamoDB: a hit costs no read, and survives an outage."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import Cache, LRUCache, TTLCache
from flask import current_app


class LocalCache:
    """A per-container LRU in front of DynamoDB: a hit costs no read, and survives an outage.

    cachetools caches are not thread-safe, and `flask run` and gunicorn threads share this one.
    """

    def __init__(self, maxsize: int, ttl: float | None = None) -> None:
        self._lru: Cache = LRUCache(maxsize) if ttl is None else TTLCache(maxsize, ttl)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            return self._lru.get(key)

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._lru[key] = value

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._lru.pop(key, None)


def local_cache(name: str, maxsize: int, ttl: float | None = None) -> LocalCache:
    """This app's in-process cache of that name (one per container); entries live `ttl` seconds."""
    extensions = current_app.extensions
    key = f"local-cache:{name}"
    found = extensions.get(key)
    if found is None:
        found = extensions.setdefault(key, LocalCache(maxsize, ttl))
    return found
