"""The owner's token on the OwnerToken model (spotipy's cache, through spotipy_glue.StoreCache).

Writes are conditional on the version read, so two containers refreshing at once cannot lose a
token: the second write fails, and that container adopts the stored winner instead. Each
container re-reads the record at least every RECHECK_SECONDS, so a disconnect or a new login made
anywhere reaches it within that time.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, PynamoDBException

from app.models import OwnerToken
from app.spotify.errors import Malformed

log = logging.getLogger(__name__)
# Reload from DynamoDB this long before expiry, in case another container already refreshed.
RELOAD_MARGIN = 120
RECHECK_SECONDS = 30


class TokenConflict(Exception):
    """Another container wrote the token since we read it."""


def check_token(token_info: Any) -> dict[str, Any]:
    """The token dict if it holds what every call needs, else Malformed (nothing is stored)."""
    usable = isinstance(token_info, dict) and isinstance(token_info.get("access_token"), str)
    usable = usable and bool(token_info["access_token"])
    usable = usable and isinstance(token_info.get("expires_at"), int | float)
    usable = usable and isinstance(token_info.get("refresh_token"), str)
    if not usable:
        raise Malformed("token answer without a usable token")
    return token_info


class DynamoTokenStore:
    """The owner's record, memoised in this container for at most RECHECK_SECONDS."""

    def __init__(self) -> None:
        self._record: OwnerToken | None = None
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def record(self, *, fresh: bool = False) -> OwnerToken | None:
        """The stored owner record, from memory unless stale or `fresh` is asked for.

        When DynamoDB cannot be read, the copy in memory (if any) is kept and used.
        """
        with self._lock:
            if fresh or not self._usable(self._record):
                try:
                    self._remember(OwnerToken.get(OwnerToken.KEY, consistent_read=True))
                except DoesNotExist:
                    self._remember(None)
                except PynamoDBException:
                    if fresh or self._record is None:
                        raise
                    log.warning("token recheck failed; using the copy in memory")
            return self._record

    def generation(self) -> int:
        """Which login the owner's data belongs to: the login's time, 0 while disconnected.

        Caches of the owner's data are keyed by it, so a disconnect or a new login leaves every
        container's copies behind as soon as that container rechecks the record.
        """
        record = self.record()
        return int(record.authorized_at.timestamp()) if record else 0

    def _remember(self, record: OwnerToken | None) -> None:
        self._record, self._read_at = record, time.monotonic()

    def get_cached_token(self) -> dict[str, Any] | None:
        record = self.record()
        return dict(record.token) if record and record.token else None

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        """Store a refreshed token, conditional on the version this container read."""
        check_token(token_info)
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
            self._read_at = time.monotonic()

    def connect(self, user_id: str, token_info: dict[str, Any]) -> None:
        """Store a newly authorized owner token, replacing whatever was there."""
        check_token(token_info)
        with self._lock:
            record = self._current() or OwnerToken()
            now = datetime.now(UTC)
            record.user_id, record.token, record.authorized_at = user_id, token_info, now
            record.refreshed_at, record.reauth_reason = now, None
            record.save()
            self._remember(record)

    def mark_reauth_required(self, reason: str) -> None:
        """Drop the dead token but keep who and when, so status can explain."""
        with self._lock:
            self._record = None
            record = self._current()
            if record is None:
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
    def _current() -> OwnerToken | None:
        try:
            return OwnerToken.get(OwnerToken.KEY, consistent_read=True)
        except DoesNotExist:
            return None

    def _usable(self, record: OwnerToken | None) -> bool:
        """Whether the copy in memory may be used without asking DynamoDB again.

        Without a token it is always asked again: a login made elsewhere shows up at once.
        """
        if record is None or not record.token or self._read_at is None:
            return False
        if time.monotonic() - self._read_at > RECHECK_SECONDS:
            return False
        return record.token.get("expires_at", 0) - time.time() > RELOAD_MARGIN
