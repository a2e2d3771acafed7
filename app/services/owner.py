"""The owner's Spotify connection: login, callback, disconnect, refresh and its reported state."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError

from app import metrics, storage
from app.errors import (
    AppError,
    InvalidArgument,
    InvalidState,
    NotOwner,
    UpstreamUnavailable,
)
from app.models import OAuthState
from app.services import freshness, listening
from app.spotify.auth import REFRESH_TOKEN_LIFETIME_DAYS
from app.spotify.errors import (
    AuthorizationLost,
    BadRequestUpstream,
    NotConfigured,
    UpstreamError,
)
from app.spotify.gateway import gateway
from app.utc import iso_utc

log = logging.getLogger(__name__)
STATE_TTL = 600
EXPIRY_WARNING_DAYS = 14


class SpotifyNotConfigured(AppError):
    """Login in sample mode: the server's state, not a fault, so 409 rather than a 5xx."""

    status, code = 409, "spotify_not_configured"
    message = "No Spotify app is configured (sample mode); set SPOTIFY_CLIENT_ID and friends."


def _configured() -> None:
    if gateway().source == "sample":
        raise SpotifyNotConfigured()


def start_login(redirect_uri: str) -> tuple[str, str]:
    """Create a single-use state and return (authorize URL, state)."""
    _configured()
    state = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(seconds=STATE_TTL)
    OAuthState(state, expires_at=expires).save()
    return gateway().authorize_url(redirect_uri, state), state


def _consume_state(state: str | None, expected: str | None) -> None:
    if not state or not expected or not secrets.compare_digest(state, expected):
        raise InvalidState()
    # One conditional delete makes the state single-use across containers and enforces expiry.
    alive = OAuthState.state.exists() & (OAuthState.expires_at > datetime.now(UTC))
    try:
        OAuthState(state).delete(condition=alive)
    except DeleteError as exc:
        raise InvalidState() from exc


def finish_login(
    redirect_uri: str,
    owner_id: str,
    *,
    state: str | None,
    expected_state: str | None,
    code: str | None,
    error: str | None,
) -> dict[str, Any]:
    """Check state, exchange the code and store the token if the account is the owner's."""
    _configured()
    _consume_state(state, expected_state)
    if error or not code:
        raise InvalidArgument(f"Spotify did not authorize the app: {error or 'no code'}.")
    gw = gateway()
    # Spotify's code is single-use: a slow exchange must not leave the token unstored because
    # the visitors' storage deadline passed meanwhile (each call keeps its own timeouts).
    with storage.without_deadline():
        try:
            grant = gw.exchange(redirect_uri, code)
        except BadRequestUpstream as exc:
            raise InvalidArgument("Spotify refused the authorization code; log in again.") from exc
        except UpstreamError as exc:
            raise UpstreamUnavailable(retry_after=exc.retry_after or 30) from exc
        if grant.user_id != owner_id:
            log.warning("non-owner login refused")
            raise NotOwner()
        gw.connect(grant)
    log.info("owner connected")
    return {"connected": True, "user_id": grant.user_id, "display_name": grant.display_name}


def disconnect() -> bool:
    """Forget the owner's token and the listening data cached for it."""
    _configured()
    gw = gateway()
    before = gw.generation()
    deleted = gw.disconnect()
    freshness.forget(listening.cache_keys(before))
    return deleted


def refresh_if_due(within_minutes: int) -> dict[str, Any]:
    """Refresh when the access token expires within the window; warn near the six-month limit."""
    gw = gateway()
    try:
        record = gw.owner_record(fresh=True)
    except NotConfigured:
        return {"refreshed": False, "reason": "sample_mode"}
    if record is None:
        return {"refreshed": False, "reason": "no_token"}
    if not record.token:
        metrics.gauge("ReauthorizationRequired", 1)
        return {"refreshed": False, "reason": "reauthorization_required"}
    remaining = record.token.get("expires_at", 0) - time.time()
    summary: dict[str, Any] = {"refreshed": False}
    if remaining < within_minutes * 60:
        try:
            gw.refresh_token()
            summary["refreshed"] = True
        except AuthorizationLost:
            summary["reason"] = "reauthorization_required"
        except UpstreamError as exc:
            summary["reason"] = type(exc).__name__
    status = token_status()
    days_left = status.get("refresh_token_days_left")
    lost = summary.get("reason") == "reauthorization_required"
    metrics.gauge("ReauthorizationRequired", int(lost))
    if days_left is not None:
        metrics.gauge("TokenDaysLeft", days_left)
    if days_left is not None and days_left <= EXPIRY_WARNING_DAYS:
        log.warning(
            "spotify refresh token expires soon; owner must log in again",
            extra={"days_left": days_left},
        )
    summary.update(
        {k: status.get(k) for k in ("access_token_expires_at", "refresh_token_days_left")}
    )
    return summary


def token_status() -> dict[str, Any]:
    """What is known about the stored token, never its value."""
    try:
        record = gateway().owner_record()
    except NotConfigured:
        return {"present": False, "mode": "sample"}
    if record is None:
        return {"present": False, "reauth_required": False}
    now = datetime.now(UTC)
    expiry = record.authorized_at + timedelta(days=REFRESH_TOKEN_LIFETIME_DAYS)
    expires_at = (record.token or {}).get("expires_at")
    return {
        "present": bool(record.token),
        "user_id": record.user_id,
        "reauth_required": record.token is None,
        "reauth_reason": record.reauth_reason,
        "access_token_expires_at": iso_utc(expires_at) if expires_at else None,
        "authorized_at": iso_utc(record.authorized_at),
        "refresh_token_age_days": round((now - record.authorized_at).total_seconds() / 86400, 1),
        "refresh_token_expires_estimate": iso_utc(expiry),
        "refresh_token_days_left": round((expiry - now).total_seconds() / 86400, 1),
    }
