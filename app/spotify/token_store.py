"""spotipy CacheHandler on the OwnerToken model: the only code besides spotipy that knows a token.

Writes are conditional on the version read, so two containers refreshing at once cannot lose a
token: the second write fails, and that container adopts the stored winner instead.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError
from spotipy.cache_handler import CacheHandler

from app.models import OwnerToken

log = logging.getLogger(__name__)
# Reload from DynamoDB this long before expiry, in case another container already refreshed.
RELOAD_MARGIN = 120


class TokenConflict(Exception):
    """Another container wrote the token since we read it."""


class DynamoTokenStore(CacheHandler):
    """The owner's token, memoised in this container until shortly before it expires."""

    def __init__(self) -> None:
        self._record: OwnerToken | None = None
        self._lock = threading.Lock()

    def record(self, *, fresh: bool = False) -> OwnerToken | None:
        """The stored owner record, from memory unless stale or `fresh` is asked for."""
        with self._lock:
            if fresh or not self._usable(self._record):
                try:
                    self._record = OwnerToken.get(OwnerToken.KEY, consistent_read=True)
                except DoesNotExist:
                    self._record = None
            return self._record

    def get_cached_token(self) -> dict[str, Any] | None:
        record = self.record()
        return dict(record.token) if record and record.token else None

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        """Store a refreshed token, conditional on the version this container read."""
        with self._lock:
            record = self._record
            if record is None:
                raise TokenConflict("no stored owner token to update")
            record.token = token_info
            record.refreshed_at = datetime.now(UTC)
            try:
                record.save()
            except PutError as exc:
                self._record = None
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    raise TokenConflict("token refreshed by another container") from exc
                raise

    def connect(self, user_id: str, token_info: dict[str, Any]) -> None:
        """Store a newly authorized owner token, replacing whatever was there."""
        with self._lock:
            try:
                record = OwnerToken.get(OwnerToken.KEY, consistent_read=True)
            except DoesNotExist:
                record = OwnerToken()
            now = datetime.now(UTC)
            record.user_id, record.token, record.authorized_at = user_id, token_info, now
            record.refreshed_at, record.reauth_reason = now, None
            record.save()
            self._record = record

    def mark_reauth_required(self, reason: str) -> None:
        """Drop the dead token but keep who and when, so status can explain."""
        with self._lock:
            self._record = None
            try:
                record = OwnerToken.get(OwnerToken.KEY, consistent_read=True)
            except DoesNotExist:
                return
            record.token, record.reauth_reason = None, reason
            try:
                record.save()
            except PutError:
                log.info("token changed while marking re-auth; keeping the newer one")

    def disconnect(self) -> bool:
        """Delete the stored token; True when there was one."""
        with self._lock:
            self._record = None
            try:
                OwnerToken(OwnerToken.KEY).delete(
                    condition=OwnerToken.owner.exists(), add_version_condition=False
                )
            except DeleteError:
                return False
            return True

    @staticmethod
    def _usable(record: OwnerToken | None) -> bool:
        if record is None or not record.token:
            return False
        return record.token.get("expires_at", 0) - time.time() > RELOAD_MARGIN
