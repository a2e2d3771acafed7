"""A flask-caching backend on DynamoDB, so every Lambda container shares one cache."""

from __future__ import annotations

import pickle
import time
import zlib
from datetime import UTC, datetime
from typing import Any

from flask_caching.backends.base import BaseCache
from pynamodb.exceptions import DoesNotExist, PutError

from app.models import CacheEntry

# Values are compressed so a large discography stays under DynamoDB's 400 KB item limit.
_COMPRESS_LEVEL = 6


class DynamoDBCache(BaseCache):
    """cachelib's interface over CacheEntry; expiry is checked on read, not left to TTL."""

    def __init__(self, default_timeout: int = 300, key_prefix: str = "", **_: Any) -> None:
        super().__init__(default_timeout)
        self.key_prefix = key_prefix

    @classmethod
    def factory(cls, app: Any, config: dict, args: list, kwargs: dict) -> DynamoDBCache:
        return cls(*args, **kwargs)

    def _expiry(self, timeout: int | None) -> datetime | None:
        timeout = self._normalize_timeout(timeout)
        return datetime.fromtimestamp(time.time() + timeout, tz=UTC) if timeout else None

    def _live(self, entry: CacheEntry) -> bool:
        return entry.expires_at is None or entry.expires_at.timestamp() > time.time()

    def get(self, key: str) -> Any:
        try:
            entry = CacheEntry.get(self.key_prefix + key)
        except DoesNotExist:
            return None
        return pickle.loads(zlib.decompress(entry.value)) if self._live(entry) else None

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        self._entry(key, value, timeout).save()
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Store only if absent or expired: the primitive behind cross-container locks."""
        try:
            self._entry(key, value, timeout).save(
                condition=CacheEntry.key.does_not_exist()
                | (CacheEntry.expires_at <= datetime.now(tz=UTC))
            )
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        CacheEntry(self.key_prefix + key).delete()
        return True

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def clear(self) -> bool:
        for entry in CacheEntry.scan(attributes_to_get=["key"]):
            if entry.key.startswith(self.key_prefix):
                entry.delete()
        return True

    def _entry(self, key: str, value: Any, timeout: int | None) -> CacheEntry:
        blob = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), _COMPRESS_LEVEL)
        return CacheEntry(self.key_prefix + key, value=blob, expires_at=self._expiry(timeout))
