"""Artist search, and an artist's discography with audio features: served when built, else built."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from pynamodb.exceptions import DoesNotExist, PutError

from app.errors import InvalidArgument, NotFound
from app.models import ArtistCatalog
from app.services import catalog_build, visitors
from app.services.catalog_view import artist_ref, view
from app.services.connection import require_connection
from app.services.dispatch import dispatch
from app.services.envelope import Answer, body
from app.services.freshness import is_cached, serve, unavailable
from app.services.local_cache import LocalCache, local_cache
from app.spotify import objects
from app.spotify.client import SEARCH_LIMIT_MAX
from app.spotify.errors import BadRequestUpstream, NotFoundUpstream, UpstreamError
from app.spotify.gateway import gateway
from app.spotify.objects import SPOTIFY_ID
from app.utc import iso_utc

log = logging.getLogger(__name__)
SEARCH_TTL = 24 * 3600
POLL_SECONDS = 2
RECHECK_SECONDS = 30


def search(query: str, limit: int, visitor: visitors.Visitor) -> Answer:
    """Artists matching a query; one Spotify call per distinct query, whatever the limit.

    Spotify's development-mode search returns at most 10: the full page is fetched and cached
    once, and each request takes its slice. A query nobody asked before costs the visitor one of
    their uncached requests.
    """
    gw = gateway()
    normalized = " ".join(query.lower().split())
    # Hashed: a visitor's search text is neither stored nor logged.
    key = "search:" + hashlib.sha256(normalized.encode()).hexdigest()[:32]
    if not is_cached(key):
        visitors.spend(visitor)

    def fetch(_: Any) -> tuple[Any, float, dict[str, Any]]:
        require_connection()
        found = gw.search_artists(query, SEARCH_LIMIT_MAX)
        return [objects.to_json(a) for a in found], SEARCH_TTL, {}

    served = serve(key, fetch, gw.source)
    build = lambda: body(served, {"items": served.envelope.data[:limit]})  # noqa: E731
    return Answer(served, ("search", key, limit), build)


@dataclass(frozen=True)
class CatalogAnswer:
    """200 with a ready catalog (its body named by `variant`, built once), else 202 progress."""

    status: int
    variant: tuple[Any, ...]
    build: Callable[[], dict[str, Any]]


def audio_features(artist_id: str, visitor: visitors.Visitor) -> CatalogAnswer:
    """The chart-ready catalog when ready; else the progress of a build under way."""
    held = _held_ready(artist_id)
    catalog = held or ensure(artist_id, visitor)
    if catalog_build.needs_run(catalog) and catalog.lease_until < time.time():
        dispatch(artist_id)
        catalog = _catalog(artist_id) or catalog
    if catalog.status == "ready" and catalog.ready_at:
        if held is None and not catalog.refreshing:
            _held()[artist_id] = catalog
        snapshot = (catalog.ready_at.timestamp(), bool(catalog.refreshing))
        return CatalogAnswer(200, ("catalog", artist_id, *snapshot), lambda: view(catalog))
    return CatalogAnswer(202, (), lambda: progress(catalog))


def _held() -> LocalCache:
    """Ready catalogs read in the last RECHECK_SECONDS: a hit re-reads none from DynamoDB.

    A ready catalog changes only when it expires (then every container starts the refresh from
    DynamoDB's copy) or an operator rebuilds it, which answers reach within RECHECK_SECONDS.
    """
    return local_cache("ready-catalogs", 256, ttl=RECHECK_SECONDS)


def _held_ready(artist_id: str) -> ArtistCatalog | None:
    held = _held().get(artist_id)
    if held is None or (held.expires_at or 0) < time.time():
        return None
    return held


def ensure(artist_id: str, visitor: visitors.Visitor | None = None) -> ArtistCatalog:
    """The artist's catalog record, started if new and marked for refresh if expired."""
    if not SPOTIFY_ID.fullmatch(artist_id):
        raise InvalidArgument("Invalid artist id: expected a 22-character Spotify id.")
    catalog = _catalog(artist_id)
    if catalog is None:
        if visitor is not None:
            visitors.spend(visitor)  # a new artist costs Spotify calls: a visitor's uncached work
        catalog = _start(artist_id)
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
    require_connection()
    try:
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
    catalog.features_done, catalog.album_pages = False, 0
    try:
        catalog.save()
    except PutError:
        return _catalog(catalog.artist_id) or catalog
    return catalog


def progress(catalog: ArtistCatalog) -> dict[str, Any]:
    """The 202 body: where the build is, why it waits, and when to ask again."""
    waiting = catalog.status == "waiting"
    return {
        "status": catalog.status,
        "artist": artist_ref(catalog),
        "progress": {
            "albums_done": catalog.albums_done or 0,
            "albums_total": catalog.albums_total,
            "tracks": catalog.tracks or 0,
            "features_found": catalog.features_found or 0,
        },
        "reason": catalog.reason if waiting else None,
        "message": catalog.message,
        "retry_at": iso_utc(catalog.retry_at) if waiting and catalog.retry_at else None,
        "retry_after": max(1, int((catalog.retry_at or 0) - time.time()))
        if waiting
        else POLL_SECONDS,
    }


def build_until_paused(
    artist_id: str, report: catalog_build.Progress | None = None
) -> ArtistCatalog:
    """Run slices until the catalog is ready, the build must wait, or another run holds it."""
    seconds = current_app.config["BUILD_SLICE_SECONDS"]
    while True:
        catalog, ran = catalog_build.run_build(artist_id, seconds, report)
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
