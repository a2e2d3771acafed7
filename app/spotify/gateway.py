"""Per-app Spotify wiring: one guarded session, the owner's auth and the API client."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from app.spotify import objects
from app.spotify.auth import OwnerAuth
from app.spotify.client import SpotifyClient
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


def init_app(app: Flask) -> None:
    """Build the gateway (no I/O) and keep it on the app."""
    config = app.config
    guard = CallGuard("spotify", config["SPOTIFY_DAILY_BUDGET"])
    if config["SAMPLE"]:
        app.extensions["spotify"] = Gateway(guard, SampleClient(), None, True)
        return
    # Token calls go to the accounts service: counted, but never refused for budget.
    session = GuardedSession(guard, unmetered_prefixes=(config["SPOTIFY_ACCOUNTS_URL"],))
    auth = OwnerAuth(config, session)
    app.extensions["spotify"] = Gateway(guard, SpotifyClient(config, auth, session), auth, False)


def gateway() -> Gateway:
    """The current app's gateway."""
    return current_app.extensions["spotify"]
