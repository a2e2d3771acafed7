"""One method per Spotify endpoint this service uses, returning plain dicts (or None on 204).

Removed dev-mode endpoints (batch tracks/albums/artists, artist top-tracks) are never called, and
every paged call passes an explicit limit within the 2026 caps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from spotipy import Spotify, SpotifyException

from app.spotify.auth import OwnerAuth
from app.spotify.errors import (
    BadRequestUpstream,
    ForbiddenUpstream,
    NotFoundUpstream,
    TokenRejected,
    UpstreamDown,
)
from app.spotify.session import GuardedSession

ALBUMS_PAGE = 10  # GET /artists/{id}/albums caps limit at 10 in development mode
TRACKS_PAGE = 50
SEARCH_LIMIT_MAX = 10


class SpotifyClient:
    """The owner-authorized Spotify Web API, with errors translated for the services."""

    def __init__(self, config: Mapping[str, Any], auth: OwnerAuth, session: GuardedSession):
        self.config = config
        self.auth = auth
        self.session = session

    def _spotify(self, token: str) -> Spotify:
        client = Spotify(
            auth=token,
            requests_session=self.session,
            requests_timeout=self.config["SPOTIFY_TIMEOUT"],
        )
        client.prefix = self.config["SPOTIFY_API_URL"] + "/"
        return client

    def _call(self, fn: Callable[[Spotify], Any]) -> Any:
        try:
            return fn(self._spotify(self.auth.access_token()))
        except SpotifyException as exc:
            if exc.http_status != 401:
                raise _translate(exc) from exc
        # 401 with a token we believed valid: it was revoked early; refresh once and retry.
        self.auth.refresh()
        try:
            return fn(self._spotify(self.auth.access_token()))
        except SpotifyException as exc:
            raise _translate(exc) from exc

    def currently_playing(self) -> dict[str, Any] | None:
        return self._call(
            lambda sp: sp.current_user_playing_track(additional_types=("track", "episode"))
        )

    def recently_played(self, limit: int) -> dict[str, Any]:
        return self._call(lambda sp: sp.current_user_recently_played(limit=limit))

    def top(self, kind: str, time_range: str, limit: int) -> dict[str, Any]:
        return self._call(lambda sp: sp._get(f"me/top/{kind}", time_range=time_range, limit=limit))

    def search_artists(self, query: str, limit: int) -> dict[str, Any]:
        limit = min(limit, SEARCH_LIMIT_MAX)
        return self._call(lambda sp: sp.search(q=query, type="artist", limit=limit))

    def artist_albums_page(self, artist_id: str, offset: int) -> dict[str, Any]:
        return self._call(
            lambda sp: sp._get(
                f"artists/{artist_id}/albums",
                include_groups="album,single",
                limit=ALBUMS_PAGE,
                offset=offset,
            )
        )

    def album_tracks_page(self, album_id: str, offset: int) -> dict[str, Any]:
        return self._call(
            lambda sp: sp._get(f"albums/{album_id}/tracks", limit=TRACKS_PAGE, offset=offset)
        )

    def audio_features(self, track_ids: list[str]) -> list[dict[str, Any] | None]:
        """Spotify's own audio features, for apps that still have access (403 otherwise)."""
        answer = self._call(lambda sp: sp._get("audio-features", ids=",".join(track_ids)))
        return (answer or {}).get("audio_features") or []


def _translate(exc: SpotifyException) -> Exception:
    status, reason = exc.http_status, exc.reason
    message = f"spotify answered {status}"
    kinds = {
        400: BadRequestUpstream,
        401: TokenRejected,
        403: ForbiddenUpstream,
        404: NotFoundUpstream,
    }
    return kinds.get(status, UpstreamDown)(message, status=status, reason=reason)
