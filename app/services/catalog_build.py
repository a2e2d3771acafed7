"""Build an artist's catalog in resumable steps: list releases, fetch track lists, fetch features.

Every step saves what it fetched before asking for more, so a build cut short by a timeout, a
429 or a crash resumes where it stopped and never fetches anything twice. A build spends at most
the builds' share of the day's Spotify budget, so a huge discography waits for tomorrow instead
of starving the listening endpoints. Paging stops when a page is empty, repeats the last one,
reaches the total, or hits MAX_ALBUM_PAGES / MAX_TRACK_PAGES: an upstream that always links a
next page cannot keep a build going.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from pynamodb.exceptions import DoesNotExist, UpdateError

from app.models import ArtistAlbum, ArtistCatalog, StoredTrack
from app.services.catalog_features import fetch_features
from app.spotify.discography import Page
from app.spotify.errors import BudgetExceeded, RateLimited, UpstreamError
from app.spotify.gateway import gateway

log = logging.getLogger(__name__)
LEASE_SLACK = 30
MAX_ALBUM_PAGES = 100  # 1,000 releases (10 a page): beyond any real artist
MAX_TRACK_PAGES = 20  # 1,000 tracks on one release (50 a page)
Progress = Callable[[ArtistCatalog], None]


class SliceOver(Exception):
    """This run's time is up; progress is saved and the build continues in a new run."""


def _now() -> datetime:
    return datetime.now(UTC)


def claim(artist_id: str, seconds: float) -> ArtistCatalog | None:
    """Take the build lease, or None when another run holds it or there is nothing to do."""
    try:
        catalog = ArtistCatalog.get(artist_id, consistent_read=True)
    except DoesNotExist:
        return None
    now = time.time()
    if (catalog.status == "ready" and not catalog.refreshing) or catalog.lease_until > now:
        return None
    try:
        catalog.update(
            actions=[
                ArtistCatalog.lease_until.set(now + seconds + LEASE_SLACK),
                ArtistCatalog.status.set("ready" if catalog.refreshing else "building"),
                ArtistCatalog.updated_at.set(_now()),
            ],
        )
    except UpdateError:
        return None  # another run claimed it between our read and write
    return catalog


def needs_run(catalog: ArtistCatalog) -> bool:
    """Whether the build has work it can do now (not finished, not waiting for a deadline)."""
    unfinished = catalog.status != "ready" or catalog.refreshing
    return unfinished and (catalog.retry_at or 0) <= time.time()


def run_build(
    artist_id: str, seconds: float, progress: Progress | None = None
) -> tuple[ArtistCatalog, bool]:
    """One run of at most `seconds`; returns the catalog and whether this run held the lease."""
    catalog = claim(artist_id, seconds)
    if catalog is None:
        return ArtistCatalog.get(artist_id, consistent_read=True), False
    deadline = time.time() + seconds
    report = progress or (lambda _: None)
    try:
        _list_releases(catalog, deadline, report)
        _fetch_tracks(catalog, deadline, report)
        fetch_features(catalog, lambda: _check(deadline), report)
        _finish(catalog)
    except SliceOver:
        catalog.status = "ready" if catalog.refreshing else "queued"
        catalog.retry_at = None
    except UpstreamError as exc:
        retry = max(int(exc.retry_after or 60), 1)
        catalog.status = "ready" if catalog.refreshing else "waiting"
        catalog.retry_at = time.time() + retry
        catalog.reason = pause_reason(exc)
        catalog.message = f"{PAUSED[catalog.reason]}; resuming in {retry} s."
        log.info(
            "catalog build paused",
            extra={"artist_id": artist_id, "retry_after": retry, "error_type": type(exc).__name__},
        )
    catalog.lease_until = 0
    catalog.updated_at = _now()
    catalog.save()
    report(catalog)
    return catalog, True


PAUSED = {
    "budget": "Today's Spotify budget for catalog builds is spent",
    "rate_limited": "Spotify or the audio-features provider asked for a pause",
    "spotify_unavailable": "Spotify is unavailable",
    "provider_unavailable": "The audio-features provider is unavailable",
}


def pause_reason(exc: UpstreamError) -> str:
    """Why a build waits, as the 202 answer's machine-readable `reason` (a PAUSED key)."""
    if isinstance(exc, BudgetExceeded):
        return "budget"
    if isinstance(exc, RateLimited) or exc.reason in ("RATE_LIMITED", "QUOTA_EXCEEDED"):
        return "rate_limited"
    if exc.upstream == "reccobeats":
        return "provider_unavailable"
    return "spotify_unavailable"


def _check(deadline: float) -> None:
    if time.time() >= deadline:
        raise SliceOver()


def stored_album_ids(artist_id: str) -> set[str]:
    """Releases already stored for the artist (keys only)."""
    return {a.album_id for a in ArtistAlbum.query(artist_id, attributes_to_get=["album_id"])}


def store_releases(catalog: ArtistCatalog, page: Page, known: set[str] | None = None) -> None:
    """Save one page of releases, skipping ones already stored (a refresh keeps their tracks)."""
    known = stored_album_ids(catalog.artist_id) if known is None else known
    position = catalog.next_albums_offset
    with ArtistAlbum.batch_write() as batch:
        for offset, release in enumerate(page.items):
            if release.id in known:
                continue
            batch.save(
                ArtistAlbum(
                    catalog.artist_id,
                    release.id,
                    name=release.name,
                    album_type=release.album_type,
                    release_date=release.release_date,
                    total_tracks=release.total_tracks,
                    image_url=release.image_url,
                    position=position + offset,
                )
            )
            known.add(release.id)
    catalog.name = catalog.name or next((r.artist_name for r in page.items if r.artist_name), None)
    catalog.image_url = catalog.image_url or next((r.image_url for r in page.items), None)
    catalog.albums_total = page.total
    catalog.next_albums_offset = position + len(page.items)
    catalog.album_pages = int(catalog.album_pages or 0) + 1
    catalog.albums_listed = not page.has_next or catalog.album_pages >= MAX_ALBUM_PAGES
    _note_invalid(catalog, page)


def _list_releases(catalog: ArtistCatalog, deadline: float, report: Progress) -> None:
    if catalog.albums_listed:
        return
    gw, known = gateway(), stored_album_ids(catalog.artist_id)  # read once per run, not per page
    previous: tuple[str, ...] = ()
    while not catalog.albums_listed:
        _check(deadline)
        page = gw.releases(catalog.artist_id, int(catalog.next_albums_offset))
        store_releases(catalog, page, known)
        ids = tuple(r.id for r in page.items)
        if ids and ids == previous:  # the same page again: the upstream is looping, not paging
            catalog.albums_listed = True
        previous = ids
        catalog.save()
        report(catalog)


def _fetch_tracks(catalog: ArtistCatalog, deadline: float, report: Progress) -> None:
    gw = gateway()
    albums = [a for a in ArtistAlbum.query(catalog.artist_id) if not a.tracks_complete]
    for album in albums:
        while not album.tracks_complete:
            _check(deadline)
            page = gw.album_tracks(album.album_id, int(album.next_tracks_offset))
            seen = {t.id for t in album.tracks or [] if t.id}
            repeated = bool(page.items) and all(t.id and t.id in seen for t in page.items)
            album.track_pages = int(album.track_pages or 0) + 1
            _note_invalid(catalog, page)
            if repeated:  # the same page again: the upstream is looping, not paging
                album.tracks_complete = True
                album.save()
                break
            album.tracks = (album.tracks or []) + [
                StoredTrack(
                    id=t.id,
                    name=t.name,
                    track_number=t.track_number,
                    disc_number=t.disc_number,
                    duration_ms=t.duration_ms,
                    explicit=t.explicit,
                )
                for t in page.items
            ]
            album.next_tracks_offset += len(page.items)
            album.tracks_complete = not page.has_next or album.track_pages >= MAX_TRACK_PAGES
            album.save()
            catalog.tracks = (catalog.tracks or 0) + len(page.items)
        catalog.albums_done = (catalog.albums_done or 0) + 1
        catalog.save()
        report(catalog)


def _note_invalid(catalog: ArtistCatalog, page: Page) -> None:
    if page.invalid_ids:
        catalog.invalid_ids = int(catalog.invalid_ids or 0) + page.invalid_ids
        log.warning(
            "upstream ids that are not Spotify ids skipped",
            extra={"artist_id": catalog.artist_id, "count": page.invalid_ids},
        )


def _finish(catalog: ArtistCatalog) -> None:
    ttl = current_app.config["CATALOG_TTL_DAYS"] * 86400
    catalog.status, catalog.refreshing = "ready", False
    catalog.message, catalog.reason, catalog.retry_at = None, None, None
    catalog.ready_at = _now()
    catalog.expires_at = time.time() + ttl
