"""The owner's authorization: spotipy's SpotifyOAuth, pointed at our token store and session.

spotipy never prompts here: a missing token is reported as NoToken rather than falling into its
interactive flow, and it never writes a `.cache` file because every handler is ours.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PynamoDBException

from app import storage
from app.models import Lease
from app.spotify import raw
from app.spotify.errors import (
    AuthorizationLost,
    BadRequestUpstream,
    NoToken,
    UpstreamDown,
)
from app.spotify.session import GuardedSession
from app.spotify.token_store import DynamoTokenStore, TokenConflict, check_token

log = logging.getLogger(__name__)
REFRESH_TOKEN_LIFETIME_DAYS = 182  # Spotify: refresh tokens expire six months after login
REFRESH_LEASE = "token-refresh"
REFRESH_LEASE_SECONDS = 5
REFRESH_WAIT_SECONDS = 1.0  # how long another container's refresh is waited for
EXPIRY_MARGIN = 60  # a token this close to expiry is refreshed first, as spotipy does


@dataclass(frozen=True)
class Grant:
    """A freshly exchanged authorization: who logged in and their token."""

    user_id: str
    display_name: str | None
    token_info: dict[str, Any]


class OwnerAuth:
    """Authorize, store and refresh the owner's token."""

    def __init__(self, config: Mapping[str, Any], session: GuardedSession) -> None:
        self.config = config
        self.session = session
        self.store = DynamoTokenStore()
        self._refresh_lock = threading.RLock()  # adopting a stored token may re-enter

    def _oauth(self, redirect_uri: str | None = None, cache_handler: Any = None) -> Any:
        from app.spotify import spotipy_glue as sp

        redirect = redirect_uri or self.config["SPOTIFY_REDIRECT_URI"] or "http://127.0.0.1"
        cache = cache_handler or sp.StoreCache(self.store)
        return sp.oauth(self.config, self.session, redirect, cache)

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Spotify's consent page for the owner, carrying our single-use state."""
        return self._oauth(redirect_uri).get_authorize_url(state=state)

    def exchange(self, redirect_uri: str, code: str) -> Grant:
        """Trade a callback code for a token and read whose it is; stores nothing."""
        from app.spotify import spotipy_glue as sp

        memory = sp.MemoryCacheHandler()
        oauth = self._oauth(redirect_uri, cache_handler=memory)
        try:
            oauth.get_access_token(code, as_dict=False, check_cache=False)
        except sp.SpotifyOauthError as exc:
            raise BadRequestUpstream(f"code exchange refused: {exc.error}", status=400) from exc
        token_info = check_token(memory.get_cached_token())
        client = sp.client(
            token_info["access_token"],
            self.session,
            self.config["SPOTIFY_TIMEOUT"],
            self.config["SPOTIFY_API_URL"],
        )
        try:
            me = raw.decode(client.me(), raw.Me, "me")
        except sp.SpotifyException as exc:
            raise UpstreamDown(
                f"/me failed with {exc.http_status}", status=exc.http_status
            ) from exc
        return Grant(me.id, me.display_name, token_info)

    def access_token(self) -> str:
        """A valid access token, refreshed when within a minute of expiry."""
        return self._valid_token()["access_token"]

    def refresh(self, rejected: str | None = None) -> dict[str, Any]:
        """Refresh now and return the token stored.

        `rejected` is an access token Spotify just refused: when another thread or container has
        already replaced it, that newer token is used instead of refreshing again.
        """
        if rejected is not None:
            record = self.store.record(fresh=True)
            token = dict(record.token) if record and record.token else None
            if token and token["access_token"] != rejected and not self._expired(token):
                return token
        return self._valid_token(force=True)

    @staticmethod
    def _expired(token: dict[str, Any]) -> bool:
        """spotipy's rule (is_token_expired), without building an OAuth manager per check."""
        return bool(token["expires_at"] - int(time.time()) < EXPIRY_MARGIN)

    def _valid_token(self, force: bool = False) -> dict[str, Any]:
        token = self._stored_token(fresh=force)
        if not force and not self._expired(token):
            return token
        # One refresh per container at a time; the threads that waited use its result.
        with self._refresh_lock:
            if not force:
                token = self._stored_token()
                if not self._expired(token):
                    return token
            # A refreshed (maybe rotated) token must be stored, or only a dead one is left: its
            # storage is not cut by the visitor's deadline (each call keeps its own timeouts).
            with storage.without_deadline():
                return self._refresh_once(token)

    def _stored_token(self, fresh: bool = False) -> dict[str, Any]:
        record = self.store.record(fresh=fresh)
        if record is None or not record.token:
            if record is not None and record.reauth_reason:
                raise AuthorizationLost(record.reauth_reason)
            raise NoToken()
        token = dict(record.token)
        if not set(self.config["SPOTIFY_SCOPES"].split()) <= set(token.get("scope", "").split()):
            raise AuthorizationLost("scope_changed")  # new scopes need a new consent
        return token

    def _refresh_once(self, token: dict[str, Any]) -> dict[str, Any]:
        """Refresh, unless another container is already doing it: then wait for its token."""
        try:
            holder = Lease.take(REFRESH_LEASE, REFRESH_LEASE_SECONDS)
        except PynamoDBException:
            holder = "unleased"  # the store is unwell: refresh anyway, the save will tell
        if holder is None:
            newer = self._wait_for_refresh(token["access_token"])
            if newer is not None:
                return newer
        try:
            return self._refresh(token)
        finally:
            if holder not in (None, "unleased"):
                with contextlib.suppress(PynamoDBException):
                    Lease.release(REFRESH_LEASE, holder)

    def _wait_for_refresh(self, old_access: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + REFRESH_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
            record = self.store.record(fresh=True)
            token = dict(record.token) if record and record.token else None
            if token and token["access_token"] != old_access and not self._expired(token):
                return token
        return None

    def _refresh(self, token: dict[str, Any]) -> dict[str, Any]:
        from app.spotify.spotipy_glue import SpotifyOauthError

        oauth = self._oauth()
        used_refresh_token = token["refresh_token"]
        try:
            return oauth.refresh_access_token(used_refresh_token)
        except TokenConflict:
            return self._adopt_stored()
        except SpotifyOauthError as exc:
            if exc.error != "invalid_grant":
                raise UpstreamDown(f"token refresh failed: {exc.error}") from exc
            # A rotated refresh token written by another container makes ours invalid: not revoked.
            stored = self.store.record(fresh=True)
            if stored and stored.token and stored.token["refresh_token"] != used_refresh_token:
                return self._adopt_stored()
            log.warning("spotify authorization lost; owner must log in again")
            self.store.mark_reauth_required("invalid_grant")
            raise AuthorizationLost("invalid_grant") from exc

    def _adopt_stored(self) -> dict[str, Any]:
        record = self.store.record(fresh=True)
        if record is None or not record.token:
            raise NoToken()
        if record.token.get("expires_at", 0) - time.time() <= 60:
            return self._valid_token()
        return dict(record.token)
