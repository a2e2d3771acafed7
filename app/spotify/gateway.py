"""The one door to Spotify (and the features provider and image CDN) that services use.

Each method says which budget share its calls spend, turns the answer into the service's
objects, and treats an answer it cannot read as a failure of the upstream (the breaker opens).
Sample mode is the same gateway over bundled answers, with no owner to log in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import requests
from flask import Flask, current_app

from app.models import CircuitState, OwnerToken
from app.spotify import artwork, discography, objects
from app.spotify.auth import Grant, OwnerAuth
from app.spotify.client import SpotifyClient
from app.spotify.errors import Malformed, NotConfigured, counted
from app.spotify.features import (
    FeaturesProvider,
    Found,
    ReccoBeats,
    SampleFeatures,
    SpotifyFeatures,
    WithFallback,
)
from app.spotify.limiter import Budget, UpstreamLimiter, Usage, spending
from app.spotify.sample import SampleClient
from app.spotify.session import MALFORMED_COOLDOWN, GuardedSession

T = TypeVar("T")


class SpotifyApi(Protocol):
    """Spotify's raw answers, one method per endpoint; SpotifyClient and SampleClient both are."""

    def currently_playing(self) -> Any: ...
    def recently_played(self, limit: int, after_ms: int | None = None) -> Any: ...
    def top(self, kind: str, time_range: str, limit: int) -> Any: ...
    def search_artists(self, query: str, limit: int) -> Any: ...
    def artist_albums_page(self, artist_id: str, offset: int) -> Any: ...
    def album_tracks_page(self, album_id: str, offset: int) -> Any: ...


class Gateway:
    """Everything that talks to Spotify for one app."""

    def __init__(
        self,
        api: SpotifyApi,
        limiter: UpstreamLimiter,
        features: FeaturesProvider,
        auth: OwnerAuth | None,
        images: requests.Session,
    ) -> None:
        self._api, self._limiter, self._features = api, limiter, features
        self._auth, self._images = auth, images

    @property
    def source(self) -> str:
        return "spotify" if self._auth else "sample"

    @property
    def auth(self) -> OwnerAuth | None:
        """The owner's authorization itself, for tests; services use the methods below."""
        return self._auth

    def _read(self, share: str, fetch: Callable[[], Any], parse: Callable[[Any], T]) -> T:
        with spending(share):
            answer = fetch()
        try:
            return parse(answer)
        except Malformed as exc:
            self._limiter.open_breaker(MALFORMED_COOLDOWN, "MALFORMED_RESPONSE")
            counted(exc)
            raise

    # --- listening: the reserved share ------------------------------------------------------
    def now_playing(self) -> objects.Playback | None:
        return self._read("listening", self._api.currently_playing, objects.playback)

    def recently_played(self, limit: int, after_ms: int | None = None) -> list[objects.Play]:
        return self._read(
            "listening", lambda: self._api.recently_played(limit, after_ms), objects.plays
        )

    def top_artists(self, time_range: str, limit: int) -> list[objects.Artist]:
        fetch = lambda: self._api.top("artists", time_range, limit)  # noqa: E731
        return self._read("listening", fetch, objects.top_artists)

    def top_tracks(self, time_range: str, limit: int) -> list[objects.Track]:
        fetch = lambda: self._api.top("tracks", time_range, limit)  # noqa: E731
        return self._read("listening", fetch, objects.top_tracks)

    # --- search and catalog builds: capped shares ------------------------------------------
    def search_artists(self, query: str, limit: int) -> list[objects.Artist]:
        fetch = lambda: self._api.search_artists(query, limit)  # noqa: E731
        return self._read("search", fetch, objects.artist_search)

    def releases(self, artist_id: str, offset: int) -> discography.Page:
        return self._read(
            "builds",
            lambda: self._api.artist_albums_page(artist_id, offset),
            lambda answer: discography.release_page(answer, artist_id, offset),
        )

    def album_tracks(self, album_id: str, offset: int) -> discography.Page:
        return self._read(
            "builds",
            lambda: self._api.album_tracks_page(album_id, offset),
            lambda answer: discography.track_page(answer, offset),
        )

    @property
    def features_source(self) -> str:
        return self._features.name

    @property
    def features_batch_size(self) -> int:
        return self._features.batch_size

    def audio_features(self, track_ids: list[str]) -> Found:
        with spending("builds"):
            return self._features.fetch(track_ids)

    def artwork(self, url: str) -> tuple[bytes, str] | None:
        """A cover image from Spotify's CDN (not metered: it is not the Web API)."""
        return artwork.fetch(self._images, url)

    # --- the owner's authorization ---------------------------------------------------------
    def _owner(self) -> OwnerAuth:
        if self._auth is None:
            raise NotConfigured("sample mode has no Spotify app")
        return self._auth

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return self._owner().authorize_url(redirect_uri, state)

    def exchange(self, redirect_uri: str, code: str) -> Grant:
        return self._owner().exchange(redirect_uri, code)

    def connect(self, grant: Grant) -> None:
        self._owner().store.connect(grant.user_id, grant.token_info)

    def disconnect(self) -> bool:
        return self._owner().store.disconnect()

    def owner_record(self, fresh: bool = False) -> OwnerToken | None:
        return self._owner().store.record(fresh=fresh)

    def refresh_token(self) -> None:
        self._owner().refresh()

    def check_connection(self) -> None:
        """Raise NoToken or AuthorizationLost unless a call could be made for the owner now."""
        if self._auth is not None:
            self._auth.access_token()

    def generation(self) -> int:
        """Changes whenever the owner logs in or disconnects (0 in sample mode)."""
        return self._auth.store.generation() if self._auth else 0

    # --- the budget and breaker, for status ------------------------------------------------
    def usage(self) -> Usage:
        return self._limiter.usage()

    def breaker(self) -> CircuitState | None:
        return self._limiter.breaker()


def init_app(app: Flask) -> None:
    """Build the gateway (no I/O) and keep it on the app."""
    config = app.config
    limiter = UpstreamLimiter("spotify", Budget.from_config(config))
    images = requests.Session()
    if config["SAMPLE"]:
        sample = SampleClient()
        features: FeaturesProvider = SampleFeatures(sample.audio_features_answer)
        app.extensions["spotify"] = Gateway(sample, limiter, features, None, images)
        return
    session = GuardedSession(limiter, token_url=f"{config['SPOTIFY_ACCOUNTS_URL']}/api/token")
    auth = OwnerAuth(config, session)
    client = SpotifyClient(config, auth, session)
    app.extensions["spotify"] = Gateway(client, limiter, _features(config, client), auth, images)


def _features(config: Mapping[str, Any], client: SpotifyClient) -> FeaturesProvider:
    reccobeats = ReccoBeats(
        GuardedSession(UpstreamLimiter("reccobeats", None)),
        config["RECCOBEATS_URL"],
        config["FEATURES_BATCH_SIZE"],
        config["FEATURES_TIMEOUT"],
    )
    if not config["SPOTIFY_AUDIO_FEATURES"]:
        return reccobeats
    return WithFallback(SpotifyFeatures(client.audio_features), reccobeats)


def gateway() -> Gateway:
    """The current app's gateway."""
    return current_app.extensions["spotify"]
