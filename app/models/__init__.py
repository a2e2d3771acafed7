"""PynamoDB models for everything the service stores; create_app points them at a store.

Table names are `<TABLE_PREFIX>-<name>`. Every model shares one connection (app/storage.py), so
a container builds one botocore client, not one per table.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
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
from pynamodb.exceptions import DeleteError, PutError

from app import storage
from app.storage import BaseModel, table_meta


class OwnerToken(BaseModel):
    """The owner's Spotify token: one item, versioned so concurrent refreshes cannot clobber."""

    Meta = table_meta("tokens")
    KEY = "owner"

    owner = UnicodeAttribute(hash_key=True, default=KEY)
    user_id = UnicodeAttribute()
    token = JSONAttribute(null=True)  # spotipy's token dict; only app.spotify.token_store reads it
    authorized_at = UTCDateTimeAttribute()
    refreshed_at = UTCDateTimeAttribute(null=True)
    reauth_reason = UnicodeAttribute(null=True)
    version = VersionAttribute()


class OAuthState(BaseModel):
    """A pending login's `state`: deleted on first use, expired by DynamoDB TTL."""

    Meta = table_meta("oauth-states")

    state = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()


class Counter(BaseModel):
    """An atomic counter, e.g. Spotify calls per UTC day."""

    Meta = table_meta("counters")

    name = UnicodeAttribute(hash_key=True)
    # Not `count`: that would hide Model.count(); the stored attribute keeps its name.
    value = NumberAttribute(default=0, attr_name="count")
    expires_at = TTLAttribute(null=True)


class DailyCalls(BaseModel):
    """Calls to one upstream on one UTC day, in total and by budget share."""

    Meta = table_meta("daily-calls")

    name = UnicodeAttribute(hash_key=True)  # "<upstream>#YYYY-MM-DD"
    total = NumberAttribute(default=0)
    listening = NumberAttribute(null=True)
    search = NumberAttribute(null=True)
    builds = NumberAttribute(null=True)
    token = NumberAttribute(null=True)
    others = NumberAttribute(null=True)  # search + builds: what may never touch the reserve
    expires_at = TTLAttribute(null=True)


class Lease(BaseModel):
    """A short exclusive claim every container respects (one refresh at a time); it lapses."""

    Meta = table_meta("leases")

    name = UnicodeAttribute(hash_key=True)
    until = NumberAttribute()  # epoch seconds
    holder = UnicodeAttribute()
    expires_at = TTLAttribute()

    @classmethod
    def take(cls, name: str, seconds: float) -> str | None:
        """Claim `name` for `seconds` unless someone holds it; the holder id, or None."""
        now, holder = time.time(), uuid.uuid4().hex
        lease = cls(name, until=now + seconds, holder=holder)
        lease.expires_at = datetime.fromtimestamp(now + seconds + 3600, UTC)
        try:
            lease.save(condition=cls.name.does_not_exist() | (cls.until < now))
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return holder

    @classmethod
    def release(cls, name: str, holder: str) -> None:
        """Let go of a claim early, only if it is still ours."""
        try:
            cls(name).delete(condition=cls.holder == holder)
        except DeleteError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise


class CircuitState(BaseModel):
    """An upstream's circuit breaker, shared by every container so all obey one Retry-After."""

    Meta = table_meta("circuits")

    name = UnicodeAttribute(hash_key=True)
    open_until = NumberAttribute(default=0)  # epoch seconds
    reason = UnicodeAttribute(null=True)
    opened_at = NumberAttribute(null=True)


class CacheEntry(BaseModel):
    """A flask-caching entry shared by all containers; values are compressed pickles."""

    Meta = table_meta("cache")

    key = UnicodeAttribute(hash_key=True)
    value = BinaryAttribute(legacy_encoding=False)
    expires_at = TTLAttribute(null=True)
    # A value over one item's size is stored as parts "<key>#<parts_id>:<n>", written first.
    parts = NumberAttribute(null=True)
    parts_id = UnicodeAttribute(null=True)


class TrackFeatures(BaseModel):
    """Audio features of one Spotify track, kept indefinitely because they never change."""

    Meta = table_meta("track-features")

    track_id = UnicodeAttribute(hash_key=True)
    # None when the provider has no analysis for the track.
    features: MapAttribute[str, Any] = MapAttribute(null=True)
    source = UnicodeAttribute(null=True)
    isrc = UnicodeAttribute(null=True)
    fetched_at = UTCDateTimeAttribute()


class StoredTrack(MapAttribute):
    """A track as listed on its album, enough to chart it without another Spotify call."""

    id = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    track_number = NumberAttribute()
    disc_number = NumberAttribute()
    duration_ms = NumberAttribute()
    explicit = BooleanAttribute(default=False)


class ArtistAlbum(BaseModel):
    """One release of an artist's catalog with its track list; tracks None until fetched."""

    Meta = table_meta("artist-albums")

    artist_id = UnicodeAttribute(hash_key=True)
    album_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    album_type = UnicodeAttribute()
    release_date = UnicodeAttribute(null=True)
    total_tracks = NumberAttribute(default=0)
    image_url = UnicodeAttribute(null=True)
    position = NumberAttribute(default=0)
    tracks = ListAttribute(of=StoredTrack, null=True)
    tracks_complete = BooleanAttribute(default=False)
    next_tracks_offset = NumberAttribute(default=0)
    track_pages = NumberAttribute(default=0)  # pages fetched: capped, whatever `next` says


class ArtistCatalog(BaseModel):
    """An artist's catalog snapshot and build progress; expires so new releases get picked up."""

    Meta = table_meta("artist-catalogs")

    artist_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="queued")  # queued | building | waiting | ready
    refreshing = BooleanAttribute(default=False)  # ready data served while new albums load
    lease_until = NumberAttribute(default=0)  # one builder at a time across containers
    albums_total = NumberAttribute(null=True)
    albums_listed = BooleanAttribute(default=False)
    next_albums_offset = NumberAttribute(default=0)
    album_pages = NumberAttribute(default=0)  # pages fetched: capped, whatever `next` says
    albums_done = NumberAttribute(default=0)
    tracks = NumberAttribute(default=0)
    features_found = NumberAttribute(default=0)
    features_done = BooleanAttribute(default=False)
    message = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it waits: budget | rate_limited | ...unavailable
    invalid_ids = NumberAttribute(default=0)  # upstream ids that were not Spotify ids, skipped
    retry_at = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    ready_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # refresh after this; not a DynamoDB TTL
    version = VersionAttribute()


from app.models.history import Entity, Play, Rollup  # noqa: E402  (history's own module)

MODELS: tuple[type[BaseModel], ...] = (
    OwnerToken,
    OAuthState,
    Counter,
    DailyCalls,
    Lease,
    CircuitState,
    CacheEntry,
    TrackFeatures,
    ArtistAlbum,
    ArtistCatalog,
    Play,
    Rollup,
    Entity,
)


def configure(config: Mapping[str, Any]) -> None:
    """Point every model at `<TABLE_PREFIX>-<name>` on the store the app's config names."""
    settings = storage.StoreSettings.from_config(config)
    table_prefix = config["TABLE_PREFIX"]
    storage.configure(settings)
    for model in MODELS:
        meta: Any = model.Meta
        meta.table_name = f"{table_prefix}-{meta.table_suffix}"
        meta.host, meta.region = settings.host, settings.region
        model._connection = None  # PynamoDB rebuilds a connection only when the name changes
