"""The owner-authorized Spotify Web API through spotipy's public methods, raw answers out.

Removed dev-mode endpoints (batch tracks/albums/artists, artist top-tracks) are never called, and
every paged call passes an explicit limit within the 2026 caps. One spotipy client serves every
call made with the same access token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from app.spotify.auth import OwnerAuth
from app.spotify.errors import (
    BadRequestUpstream,
    ForbiddenUpstream,
    NotFoundUpstream,
    TokenRejected,
    UpstreamDown,
    counted,
)
from app.spotify.session import GuardedSession

if TYPE_CHECKING:
    from spotipy import Spotify, SpotifyException

ALBUMS_PAGE = 10  # GET /artists/{id}/albums caps limit at 10 in development mode
TRACKS_PAGE = 50
SEARCH_LIMIT_MAX = 10


class SpotifyClient:
    """Spotify's answers as plain JSON (None on 204), with errors translated for the gateway."""

    def __init__(self, config: Mapping[str, Any], auth: OwnerAuth, session: GuardedSession):
        self.config = config
        self.auth = auth
        self.session = session
        self._client: tuple[str, Spotify] | None = None
        self._lock = threading.Lock()

    def _spotify(self) -> tuple[str, Spotify]:
        """The current access token and its spotipy client, built once per token."""
        token = self.auth.access_token()
        with self._lock:
            if self._client is None or self._client[0] != token:
                from app.spotify import spotipy_glue

                config = self.config
                client = spotipy_glue.client(
                    token, self.session, config["SPOTIFY_TIMEOUT"], config["SPOTIFY_API_URL"]
                )
                self._client = (token, client)
            return self._client

    def _call(self, fn: Callable[[Spotify], Any]) -> Any:
        from app.spotify.spotipy_glue import SpotifyException

        token, spotify = self._spotify()
        try:
            return fn(spotify)
        except SpotifyException as exc:
            if exc.http_status != 401:
                raise _translate(exc) from exc
        # 401 with a token we believed valid: it was revoked early; refresh once and retry.
        self.auth.refresh(rejected=token)
        try:
            return fn(self._spotify()[1])
        except SpotifyException as exc:
            raise _translate(exc) from exc

    def currently_playing(self) -> Any:
        return self._call(
            lambda sp: sp.current_user_playing_track(additional_types=("track", "episode"))
        )

    def recently_played(self, limit: int, after_ms: int | None = None) -> Any:
        return self._call(lambda sp: sp.current_user_recently_played(limit=limit, after=after_ms))

    def top(self, kind: str, time_range: str, limit: int) -> Any:
        if kind == "artists":
            return self._call(lambda sp: sp.current_user_top_artists(limit, 0, time_range))
        return self._call(lambda sp: sp.current_user_top_tracks(limit, 0, time_range))

    def search_artists(self, query: str, limit: int) -> Any:
        limit = min(limit, SEARCH_LIMIT_MAX)
        return self._call(lambda sp: sp.search(q=query, type="artist", limit=limit))

    def artist_albums_page(self, artist_id: str, offset: int) -> Any:
        return self._call(
            lambda sp: sp.artist_albums(
                artist_id, include_groups="album,single", limit=ALBUMS_PAGE, offset=offset
            )
        )

    def album_tracks_page(self, album_id: str, offset: int) -> Any:
        return self._call(lambda sp: sp.album_tracks(album_id, limit=TRACKS_PAGE, offset=offset))

    def audio_features(self, track_ids: list[str]) -> Any:
        """Spotify's own audio features, for apps that still have access (403 otherwise).

        spotipy's audio_features() unwraps and reshapes the answer (and returns an error body as
        if it were rows), so the raw endpoint is read with _get and checked like every answer.
        """
        return self._call(lambda sp: sp._get("audio-features", ids=",".join(track_ids)))


def _translate(exc: SpotifyException) -> Exception:
    status, reason = exc.http_status, exc.reason
    message = f"spotify answered {status}"
    kinds = {
        400: BadRequestUpstream,
        401: TokenRejected,
        403: ForbiddenUpstream,
        404: NotFoundUpstream,
    }
    return counted(kinds.get(status, UpstreamDown)(message, status=status, reason=reason))
