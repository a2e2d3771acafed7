"""A flask-caching backend on DynamoDB, so every Lambda container shares one cache."""

from __future__ import annotations

import pickle
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_caching.backends.base import BaseCache
from pynamodb.exceptions import DoesNotExist, PutError

from app.models import CacheEntry

_COMPRESS_LEVEL = 6
# DynamoDB items stop at 400 KB; a bigger value (a 300-release discography) is split in parts.
PART_BYTES = 350_000


class DynamoDBCache(BaseCache):
    """cachelib's interface over CacheEntry; expiry is checked on read, not left to TTL."""

    def __init__(self, default_timeout: int = 300, key_prefix: str = "", **_: Any) -> None:
        super().__init__(default_timeout)
        self.key_prefix = key_prefix

    @classmethod
    def factory(cls, app: Any, config: dict, args: list, kwargs: dict) -> DynamoDBCache:
        return cls(*args, **kwargs)

    def _expiry(self, timeout: int | timedelta | None) -> datetime | None:
        if isinstance(timeout, timedelta):
            timeout = int(timeout.total_seconds())
        timeout = self._normalize_timeout(timeout)
        return datetime.fromtimestamp(time.time() + timeout, tz=UTC) if timeout else None

    def _live(self, entry: CacheEntry) -> bool:
        return entry.expires_at is None or entry.expires_at.timestamp() > time.time()

    def get(self, key: str) -> Any:
        try:
            entry = CacheEntry.get(self.key_prefix + key)
        except DoesNotExist:
            return None
        if not self._live(entry):
            return None
        blob = self._join(entry) if entry.parts else entry.value
        return pickle.loads(zlib.decompress(blob)) if blob is not None else None

    def set(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        self._entry(key, value, timeout).save()
        return True

    def _join(self, entry: CacheEntry) -> bytes | None:
        keys = [_part_key(entry.key, entry.parts_id, n) for n in range(int(entry.parts))]
        found = {part.key: part.value for part in CacheEntry.batch_get(keys)}
        if len(found) != len(keys):
            return None  # a part expired or was never written: a miss, not an error
        return b"".join(found[k] for k in keys)

    def add(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
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

    def _entry(self, key: str, value: Any, timeout: int | timedelta | None) -> CacheEntry:
        """The item to write; a value too big for one item has its parts written here first."""
        blob = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), _COMPRESS_LEVEL)
        full_key, expires = self.key_prefix + key, self._expiry(timeout)
        if len(blob) <= PART_BYTES:
            return CacheEntry(full_key, value=blob, expires_at=expires)
        parts_id = uuid.uuid4().hex[:12]  # fresh names, so a reader never mixes two writes
        chunks = [blob[i : i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
        with CacheEntry.batch_write() as batch:
            for n, chunk in enumerate(chunks):
                batch.save(
                    CacheEntry(_part_key(full_key, parts_id, n), value=chunk, expires_at=expires)
                )
        return CacheEntry(
            full_key, value=b"", expires_at=expires, parts=len(chunks), parts_id=parts_id
        )


def _part_key(key: str, parts_id: str, n: int) -> str:
    return f"{key}#{parts_id}:{n}"
