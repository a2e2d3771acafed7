"""Spotify's answers as the service reads them: the fields it uses, typed as Spotify documents.

Decoding with msgspec checks every type, so an answer of the wrong shape (an item that is a
string, a progress that is text, a list where an object belongs) fails here, as one error, instead
of deep inside a service. Cosmetic fields are optional: Spotify leaves ids null for local files,
drops fields in development mode, and sends null where its own description says otherwise.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from app.spotify.errors import Malformed

T = TypeVar("T")


class _Raw(msgspec.Struct):
    """Unknown fields are ignored: Spotify adds fields, and we read only what we use."""


class Me(_Raw):
    id: str
    display_name: str | None = None


class ExternalUrls(_Raw):
    spotify: str | None = None


class Image(_Raw):
    url: str | None = None
    width: int | None = None
    height: int | None = None


class Named(_Raw):
    """An artist or show as referenced from a track, album or episode."""

    id: str | None = None
    name: str | None = None
    external_urls: ExternalUrls | None = None
    images: list[Image] | None = None


class Album(_Raw):
    id: str | None = None
    name: str | None = None
    external_urls: ExternalUrls | None = None
    release_date: str | None = None
    images: list[Image] | None = None
    album_type: str | None = None
    total_tracks: int | None = None
    artists: list[Named] | None = None


class Track(_Raw):
    id: str | None = None
    name: str | None = None
    artists: list[Named] | None = None
    album: Album | None = None
    external_urls: ExternalUrls | None = None
    uri: str | None = None
    duration_ms: int | None = None
    explicit: bool | None = None
    is_local: bool | None = None
    track_number: int | None = None
    disc_number: int | None = None


class Episode(_Raw):
    id: str | None = None
    name: str | None = None
    show: Named | None = None
    images: list[Image] | None = None
    external_urls: ExternalUrls | None = None
    uri: str | None = None
    duration_ms: int | None = None
    explicit: bool | None = None


class Playing(_Raw):
    """GET /me/player/currently-playing; `item` is decoded by its `type` afterwards."""

    is_playing: bool | None = None
    progress_ms: int | None = None
    currently_playing_type: str | None = None
    item: dict[str, Any] | None = None


class PlayHistory(_Raw):
    played_at: str | None = None
    track: Track | None = None


class Page(_Raw):
    """An offset-paged list; `items` are decoded by the caller's item type."""

    items: list[dict[str, Any] | None] = []
    total: int | None = None
    offset: int | None = None
    next: str | None = None


class CursorPage(_Raw):
    items: list[PlayHistory] = []
    next: str | None = None


class Artist(_Raw):
    id: str | None = None
    name: str | None = None
    external_urls: ExternalUrls | None = None
    images: list[Image] | None = None
    genres: list[str] | None = None


class SearchAnswer(_Raw):
    artists: Page | None = None


class AudioFeaturesAnswer(_Raw):
    audio_features: list[dict[str, Any] | None] = []


class FeatureRow(_Raw):
    """One audio-features row (Spotify's or ReccoBeats'); ReccoBeats adds `href` and `isrc`."""

    id: str | None = None
    href: str | None = None
    isrc: str | None = None
    acousticness: float | None = None
    danceability: float | None = None
    energy: float | None = None
    instrumentalness: float | None = None
    key: int | None = None
    liveness: float | None = None
    loudness: float | None = None
    mode: int | None = None
    speechiness: float | None = None
    tempo: float | None = None
    valence: float | None = None


class FeatureRows(_Raw):
    content: list[FeatureRow] = []


def decode(raw: Any, kind: type[T], what: str, upstream: str = "spotify") -> T:
    """`raw` as `kind`, or Malformed naming the answer and the first wrong field."""
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        raise Malformed(f"{what}: {exc}", upstream=upstream) from exc
