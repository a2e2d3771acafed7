"""PynamoDB models for everything the service stores; host and table names come from the env.

PynamoDB caches each model's connection and rebuilds it only when the table name changes, so host
and names are fixed when the models are defined rather than per Flask app.
"""

from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

STAGE = os.environ.get("STAGE", "local")
TABLE_PREFIX = os.environ.get("TABLE_PREFIX") or f"spotify-api-{STAGE}"
DYNAMODB_HOST = os.environ.get("DYNAMODB_HOST") or None
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _Meta:
    """Shared table settings: short timeouts so an unreachable DynamoDB fails a request fast."""

    host = DYNAMODB_HOST
    region = REGION
    connect_timeout_seconds = float(os.environ.get("DYNAMODB_CONNECT_TIMEOUT", "1"))
    read_timeout_seconds = float(os.environ.get("DYNAMODB_READ_TIMEOUT", "3"))
    max_retry_attempts = int(os.environ.get("DYNAMODB_MAX_RETRIES", "1"))
    billing_mode = "PAY_PER_REQUEST"
    if DYNAMODB_HOST and not os.environ.get("AWS_ACCESS_KEY_ID"):
        # A local DynamoDB-compatible server accepts any credentials; Lambda uses its role.
        aws_access_key_id = "local"
        aws_secret_access_key = "local"


def _meta(name: str) -> Any:
    return type("Meta", (_Meta,), {"table_name": f"{TABLE_PREFIX}-{name}"})


class OwnerToken(Model):
    """The owner's Spotify token: one item, versioned so concurrent refreshes cannot clobber."""

    Meta = _meta("tokens")
    KEY = "owner"

    owner = UnicodeAttribute(hash_key=True, default=KEY)
    user_id = UnicodeAttribute()
    token = JSONAttribute(null=True)  # spotipy's token dict; only app.spotify.token_store reads it
    authorized_at = UTCDateTimeAttribute()
    refreshed_at = UTCDateTimeAttribute(null=True)
    reauth_reason = UnicodeAttribute(null=True)
    version = VersionAttribute()


class OAuthState(Model):
    """A pending login's `state`: deleted on first use, expired by DynamoDB TTL."""

    Meta = _meta("oauth-states")

    state = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()


class Counter(Model):
    """An atomic counter, e.g. Spotify calls per UTC day."""

    Meta = _meta("counters")

    name = UnicodeAttribute(hash_key=True)
    # Not `count`: that would hide Model.count(); the stored attribute keeps its name.
    value = NumberAttribute(default=0, attr_name="count")
    expires_at = TTLAttribute(null=True)


class CircuitState(Model):
    """An upstream's circuit breaker, shared by every container so all obey one Retry-After."""

    Meta = _meta("circuits")

    name = UnicodeAttribute(hash_key=True)
    open_until = NumberAttribute(default=0)  # epoch seconds
    reason = UnicodeAttribute(null=True)
    opened_at = NumberAttribute(null=True)


class CacheEntry(Model):
    """A flask-caching entry shared by all containers; values are compressed pickles."""

    Meta = _meta("cache")

    key = UnicodeAttribute(hash_key=True)
    value = BinaryAttribute(legacy_encoding=False)
    expires_at = TTLAttribute(null=True)
    # A value over one item's size is stored as parts "<key>#<parts_id>:<n>", written first.
    parts = NumberAttribute(null=True)
    parts_id = UnicodeAttribute(null=True)


class TrackFeatures(Model):
    """Audio features of one Spotify track, kept indefinitely because they never change."""

    Meta = _meta("track-features")

    track_id = UnicodeAttribute(hash_key=True)
    # None when the provider has no analysis for the track.
    features: MapAttribute[str, Any] = MapAttribute(null=True)
    source = UnicodeAttribute(null=True)
    isrc = UnicodeAttribute(null=True)
    fetched_at = UTCDateTimeAttribute()


class AlbumTrack(MapAttribute):
    """A track as listed on its album, enough to chart it without another Spotify call."""

    id = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    track_number = NumberAttribute()
    disc_number = NumberAttribute()
    duration_ms = NumberAttribute()
    explicit = BooleanAttribute(default=False)


class ArtistAlbum(Model):
    """One release of an artist's catalog with its track list; tracks None until fetched."""

    Meta = _meta("artist-albums")

    artist_id = UnicodeAttribute(hash_key=True)
    album_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    album_type = UnicodeAttribute()
    release_date = UnicodeAttribute(null=True)
    total_tracks = NumberAttribute(default=0)
    image_url = UnicodeAttribute(null=True)
    position = NumberAttribute(default=0)
    tracks = ListAttribute(of=AlbumTrack, null=True)
    tracks_complete = BooleanAttribute(default=False)
    next_tracks_offset = NumberAttribute(default=0)


class ArtistCatalog(Model):
    """An artist's catalog snapshot and build progress; expires so new releases get picked up."""

    Meta = _meta("artist-catalogs")

    artist_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="queued")  # queued | building | waiting | ready
    refreshing = BooleanAttribute(default=False)  # ready data served while new albums load
    lease_until = NumberAttribute(default=0)  # one builder at a time across containers
    albums_total = NumberAttribute(null=True)
    albums_listed = BooleanAttribute(default=False)
    next_albums_offset = NumberAttribute(default=0)
    albums_done = NumberAttribute(default=0)
    tracks = NumberAttribute(default=0)
    features_found = NumberAttribute(default=0)
    features_done = BooleanAttribute(default=False)
    message = UnicodeAttribute(null=True)
    retry_at = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    ready_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # refresh after this; not a DynamoDB TTL
    version = VersionAttribute()


MODELS: tuple[type[Model], ...] = (
    OwnerToken,
    OAuthState,
    Counter,
    CircuitState,
    CacheEntry,
    TrackFeatures,
    ArtistAlbum,
    ArtistCatalog,
)
