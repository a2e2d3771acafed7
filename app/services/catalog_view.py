"""A built catalog as the API answers it: every track with its features, and the summary."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from pynamodb.exceptions import PynamoDBException

from app.extensions import cache
from app.models import ArtistAlbum, ArtistCatalog
from app.services.catalog_features import known_features
from app.services.freshness import local_cache
from app.services.summary import summarize
from app.spotify.gateway import gateway
from app.utc import iso_utc

log = logging.getLogger(__name__)


def artist_ref(catalog: ArtistCatalog) -> dict[str, Any]:
    return {
        "id": catalog.artist_id,
        "name": catalog.name,
        "url": f"https://open.spotify.com/artist/{catalog.artist_id}",
        "image_url": catalog.image_url,
    }


def view(catalog: ArtistCatalog) -> dict[str, Any]:
    """The ready catalog with features and summary, assembled once per snapshot and cached."""
    snapshot = int(catalog.ready_at.timestamp()) if catalog.ready_at else 0
    key = f"artist-view:{catalog.artist_id}:{snapshot}"
    local = local_cache("artist-views", 8)  # a snapshot never changes: keep the big body here
    body = local.get(key)
    if body is None:
        body = cache.get(key)
    if body is None:
        body = _assemble(catalog)
        try:
            cache.set(key, body, timeout=(current_app.config["CATALOG_TTL_DAYS"] + 1) * 86400)
        except PynamoDBException as exc:  # the answer is assembled; caching it is a bonus
            log.warning("view cache write failed", extra={"error_type": type(exc).__name__})
    local[key] = body
    return {**body, "refreshing": bool(catalog.refreshing)}


def _assemble(catalog: ArtistCatalog) -> dict[str, Any]:
    albums = sorted(
        ArtistAlbum.query(catalog.artist_id), key=lambda a: (a.release_date or "", -a.position)
    )
    ids = [t.id for a in albums for t in a.tracks or [] if t.id]
    features = known_features(ids)
    tracks: list[dict[str, Any]] = []
    first_by_isrc: dict[str, str | None] = {}
    for album in albums:  # oldest first, so the first edition of a recording comes first
        for t in album.tracks or []:
            row = features.get(t.id) if t.id else None
            isrc = row.isrc if row else None
            duplicate_of = first_by_isrc.get(isrc) if isrc else None
            if isrc and not duplicate_of:
                first_by_isrc[isrc] = t.id
            tracks.append(
                {
                    "id": t.id,
                    "name": t.name,
                    "album": {
                        "id": album.album_id,
                        "name": album.name,
                        "release_date": album.release_date,
                        "album_type": album.album_type,
                        "image_url": album.image_url,
                    },
                    "release_date": album.release_date,
                    "track_number": t.track_number,
                    "disc_number": t.disc_number,
                    "duration_ms": t.duration_ms,
                    "explicit": t.explicit,
                    "isrc": isrc,
                    "duplicate_of": duplicate_of,
                    "features": row.features.as_dict() if row and row.features else None,
                    "feature_source": row.source if row and row.features else None,
                }
            )
    album_rows = [
        {"id": a.album_id, "name": a.name, "release_date": a.release_date} for a in albums
    ]
    return {
        "status": "ready",
        "artist": artist_ref(catalog),
        "tracks": tracks,
        "summary": summarize(tracks, album_rows),
        "built_at": iso_utc(catalog.ready_at),
        "source": gateway().source,
    }
