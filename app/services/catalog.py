"""Artist discography with audio features: served from DynamoDB when ready, else built off-path."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from flask import Flask, current_app
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException

from app.errors import InvalidArgument, NotFound
from app.extensions import cache
from app.models import ArtistAlbum, ArtistCatalog
from app.services import catalog_build, owner
from app.services.cached import local_cache, serve, unavailable
from app.services.charts import summarize
from app.spotify import objects
from app.spotify.errors import BadRequestUpstream, NotFoundUpstream, UpstreamError
from app.spotify.gateway import gateway
from app.utc import iso_utc

log = logging.getLogger(__name__)
ARTIST_ID = re.compile(r"^[0-9A-Za-z]{22}$")
SEARCH_TTL = 24 * 3600
POLL_SECONDS = 2


def search(query: str, limit: int) -> tuple[dict[str, Any], Any]:
    """Artists matching a query (Spotify's development-mode search returns at most 10)."""
    gw = gateway()
    key = f"search:{query.strip().lower()}:{limit}"

    def fetch(_):
        return ([objects.to_json(a) for a in gw.search_artists(query, limit)], SEARCH_TTL, {})

    served = serve(key, fetch, gw.source)
    env = served.envelope
    body = {
        "items": env.data,
        "fetched_at": iso_utc(env.fetched_at),
        "source": env.source,
        "stale": served.stale,
    }
    return body, served


def audio_features(artist_id: str) -> tuple[int, dict[str, Any]]:
    """(200, chart-ready catalog) when ready; else (202, progress) with a build under way."""
    catalog = ensure(artist_id)
    now = time.time()
    if catalog_build.needs_run(catalog) and catalog.lease_until < now:
        dispatch(artist_id)
        catalog = _catalog(artist_id) or catalog
    if catalog.status == "ready" and catalog.ready_at:
        return 200, view(catalog)
    return 202, progress(catalog)


def ensure(artist_id: str) -> ArtistCatalog:
    """The artist's catalog record, started if new and marked for refresh if expired."""
    if not ARTIST_ID.match(artist_id):
        raise InvalidArgument("Invalid artist id: expected a 22-character Spotify id.")
    catalog = _catalog(artist_id) or _start(artist_id)
    expired = (catalog.expires_at or 0) < time.time()
    if catalog.status == "ready" and not catalog.refreshing and expired:
        catalog = _begin_refresh(catalog)
    return catalog


def _catalog(artist_id: str) -> ArtistCatalog | None:
    try:
        return ArtistCatalog.get(artist_id, consistent_read=True)
    except DoesNotExist:
        return None


def _start(artist_id: str) -> ArtistCatalog:
    """Verify the artist exists with the first page of releases (a build needs it anyway)."""
    catalog = ArtistCatalog(artist_id, status="queued")
    owner.access_guard()
    try:
        catalog_build.check_budget()
        page = gateway().releases(artist_id, 0)
    except (NotFoundUpstream, BadRequestUpstream) as exc:
        raise NotFound("No Spotify artist has this id.") from exc
    except UpstreamError as exc:
        raise unavailable(exc) from exc
    catalog_build.store_releases(catalog, page)
    try:
        catalog.save(condition=ArtistCatalog.artist_id.does_not_exist())
    except PutError:
        return _catalog(artist_id) or catalog  # another request started it first
    return catalog


def _begin_refresh(catalog: ArtistCatalog) -> ArtistCatalog:
    """Look for new releases while the expired snapshot keeps being served."""
    catalog.refreshing, catalog.albums_listed, catalog.next_albums_offset = True, False, 0
    catalog.features_done = False
    try:
        catalog.save()
    except PutError:
        return _catalog(catalog.artist_id) or catalog
    return catalog


def progress(catalog: ArtistCatalog) -> dict[str, Any]:
    """The 202 body: where the build is and when to ask again."""
    waiting = catalog.status == "waiting"
    return {
        "status": catalog.status,
        "artist": _artist(catalog),
        "progress": {
            "albums_done": catalog.albums_done or 0,
            "albums_total": catalog.albums_total,
            "tracks": catalog.tracks or 0,
            "features_found": catalog.features_found or 0,
        },
        "message": catalog.message,
        "retry_at": iso_utc(catalog.retry_at) if waiting and catalog.retry_at else None,
        "retry_after": max(1, int((catalog.retry_at or 0) - time.time()))
        if waiting
        else POLL_SECONDS,
    }


def _artist(catalog: ArtistCatalog) -> dict[str, Any]:
    return {
        "id": catalog.artist_id,
        "name": catalog.name,
        "url": f"https://open.spotify.com/artist/{catalog.artist_id}",
        "image_url": catalog.image_url,
    }


def view(catalog: ArtistCatalog) -> dict[str, Any]:
    """The ready catalog with features and summary, assembled once per snapshot and cached."""
    key = f"artist-view:{catalog.artist_id}:{int(catalog.ready_at.timestamp())}"
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
    features = catalog_build.known_features(ids)
    tracks: list[dict[str, Any]] = []
    first_by_isrc: dict[str, str | None] = {}
    for album in albums:  # oldest first, so the first edition of a recording comes first
        for t in album.tracks or []:
            row = features.get(t.id)
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
        "artist": _artist(catalog),
        "tracks": tracks,
        "summary": summarize(tracks, album_rows),
        "built_at": iso_utc(catalog.ready_at),
        "source": gateway().source,
    }


def dispatch(artist_id: str) -> None:
    """Run the build off the request path: Lambda async task, a thread, or inline."""
    mode = current_app.config["BUILD_MODE"]
    if mode == "auto":
        mode = "lambda" if current_app.config["ON_LAMBDA"] else "thread"
    if mode == "lambda":
        from zappa.asynchronous import run

        from app import tasks

        try:
            run(tasks.build_artist, args=[artist_id])
        except Exception as exc:  # throttled or refused Invoke: stays queued for resume_builds
            log.warning(
                "build dispatch failed", extra={"artist_id": artist_id, "error": type(exc).__name__}
            )
    elif mode == "thread":
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app
        threading.Thread(target=_build_in, args=(app, artist_id), daemon=True).start()
    else:
        build_until_paused(artist_id)


def _build_in(app: Flask, artist_id: str) -> None:
    with app.app_context():
        try:
            build_until_paused(artist_id)
        except Exception:  # a background thread must log its failure, not die silently
            log.exception("catalog build failed", extra={"artist_id": artist_id})


def build_until_paused(
    artist_id: str, progress: catalog_build.Progress | None = None
) -> ArtistCatalog:
    """Run slices until the catalog is ready, the build must wait, or another run holds it."""
    seconds = current_app.config["BUILD_SLICE_SECONDS"]
    while True:
        catalog, ran = catalog_build.run_build(artist_id, seconds, progress)
        if not ran or not catalog_build.needs_run(catalog):
            return catalog


def resume_waiting() -> list[str]:
    """Dispatch every build that can run again now (its Retry-After or lease has passed)."""
    now = time.time()
    due = [
        c.artist_id
        for c in ArtistCatalog.scan()
        if catalog_build.needs_run(c) and c.lease_until < now
    ]
    for artist_id in due:
        dispatch(artist_id)
    return due
