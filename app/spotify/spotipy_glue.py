"""spotipy itself, imported on the first call to Spotify: never on a cold start or a cached hit.

spotipy 2.x imports redis unconditionally (its optional Redis cache handler), which was a tenth of
a cold start; every other module of this package imports spotipy through here, inside a function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import requests
from spotipy import Spotify, SpotifyException, SpotifyOauthError
from spotipy.cache_handler import CacheHandler, MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth

__all__ = [
    "MemoryCacheHandler",
    "Spotify",
    "SpotifyException",
    "SpotifyOAuth",
    "SpotifyOauthError",
    "StoreCache",
    "client",
    "oauth",
]


class TokenStore(Protocol):
    def get_cached_token(self) -> dict[str, Any] | None: ...
    def save_token_to_cache(self, token_info: dict[str, Any]) -> None: ...


class StoreCache(CacheHandler):
    """Our token store as the CacheHandler spotipy requires (it checks the class)."""

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    def get_cached_token(self) -> dict[str, Any] | None:
        return self.store.get_cached_token()

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        self.store.save_token_to_cache(token_info)


def client(token: str, session: requests.Session, timeout: float, api_url: str) -> Spotify:
    """spotipy on our session, pointed at SPOTIFY_API_URL: the one place one is built."""
    spotify = Spotify(auth=token, requests_session=session, requests_timeout=timeout)
    spotify.prefix = api_url + "/"
    return spotify


def oauth(
    config: Mapping[str, Any],
    session: requests.Session,
    redirect_uri: str,
    cache_handler: CacheHandler,
) -> SpotifyOAuth:
    """SpotifyOAuth on our session and cache, pointed at SPOTIFY_ACCOUNTS_URL; never prompts."""
    manager = SpotifyOAuth(
        client_id=config["SPOTIFY_CLIENT_ID"],
        client_secret=config["SPOTIFY_CLIENT_SECRET"],
        redirect_uri=redirect_uri,
        scope=config["SPOTIFY_SCOPES"],
        cache_handler=cache_handler,
        requests_session=session,
        requests_timeout=config["SPOTIFY_TIMEOUT"],
        open_browser=False,
    )
    accounts = config["SPOTIFY_ACCOUNTS_URL"]
    manager.OAUTH_AUTHORIZE_URL = f"{accounts}/authorize"
    manager.OAUTH_TOKEN_URL = f"{accounts}/api/token"
    return manager
