"""Per-app Spotify wiring: one guarded session, the owner's auth and the API client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from app.spotify import objects
from app.spotify.auth import OwnerAuth
from app.spotify.client import SpotifyClient
from app.spotify.features import (
    FeaturesProvider,
    ReccoBeats,
    SampleFeatures,
    SpotifyFeatures,
    WithFallback,
)
from app.spotify.guard import CallGuard
from app.spotify.sample import SampleClient
from app.spotify.session import GuardedSession


@dataclass
class Gateway:
    """Everything that talks to Spotify for one app; auth is None in sample mode."""

    guard: CallGuard
    client: SpotifyClient | SampleClient
    auth: OwnerAuth | None
    sample: bool
    features: FeaturesProvider

    @property
    def source(self) -> str:
        return "sample" if self.sample else "spotify"

    def now_playing(self) -> objects.Playback | None:
        return objects.playback(self.client.currently_playing())

    def recently_played(self, limit: int) -> list[objects.Play]:
        return objects.plays(self.client.recently_played(limit))

    def top_artists(self, time_range: str, limit: int) -> list[objects.Artist]:
        items = self.client.top("artists", time_range, limit).get("items") or []
        return [objects.artist(a) for a in items]

    def top_tracks(self, time_range: str, limit: int) -> list[objects.Track]:
        items = self.client.top("tracks", time_range, limit).get("items") or []
        return [objects.track(t) for t in items]

    def search_artists(self, query: str, limit: int) -> list[objects.Artist]:
        return objects.artist_search(self.client.search_artists(query, limit))

    def releases(self, artist_id: str, offset: int) -> objects.Page:
        return objects.release_page(self.client.artist_albums_page(artist_id, offset), artist_id)

    def album_tracks(self, album_id: str, offset: int) -> objects.Page:
        return objects.track_page(self.client.album_tracks_page(album_id, offset))


def init_app(app: Flask) -> None:
    """Build the gateway (no I/O) and keep it on the app."""
    config = app.config
    guard = CallGuard("spotify", config["SPOTIFY_DAILY_BUDGET"])
    if config["SAMPLE"]:
        sample = SampleClient()
        features = SampleFeatures(sample.audio_features_rows)
        app.extensions["spotify"] = Gateway(guard, sample, None, True, features)
        return
    # Token calls go to the accounts service: counted, but never refused for budget.
    session = GuardedSession(guard, unmetered_prefixes=(config["SPOTIFY_ACCOUNTS_URL"],))
    auth = OwnerAuth(config, session)
    features_guard = CallGuard("reccobeats", None)
    client = SpotifyClient(config, auth, session)
    app.extensions["spotify"] = Gateway(
        guard, client, auth, False, _features(config, client, features_guard)
    )


def _features(
    config: Mapping[str, Any], client: SpotifyClient, guard: CallGuard
) -> FeaturesProvider:
    reccobeats = ReccoBeats(
        GuardedSession(guard),
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
