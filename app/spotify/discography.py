"""An artist's releases and their track lists, page by page, as a catalog build reads them."""

from __future__ import annotations

from typing import Any

import msgspec

from app.spotify import raw
from app.spotify.objects import images, page_items, spotify_id


class Release(msgspec.Struct, frozen=True):
    """An album or single as listed by GET /artists/{id}/albums."""

    id: str
    name: str
    album_type: str
    release_date: str | None
    total_tracks: int
    image_url: str | None
    artist_name: str | None


class ListedTrack(msgspec.Struct, frozen=True):
    """A track as an album lists it (GET /albums/{id}/tracks): no ISRC there."""

    id: str | None
    name: str
    track_number: int
    disc_number: int
    duration_ms: int
    explicit: bool


class Page(msgspec.Struct, frozen=True):
    """One offset page: its items, the total, whether another page follows, ids dropped."""

    items: tuple[Any, ...]
    total: int
    has_next: bool
    invalid_ids: int = 0


def _has_next(page: raw.Page, offset: int, count: int) -> bool:
    """Another page only if Spotify links one, this one had items, and the total says so.

    A `next` alone is not trusted: a misbehaving upstream that always links one would page forever.
    """
    total = page.total if page.total is not None else offset + count
    return bool(page.next) and count > 0 and offset + count < total


def _largest_image(found_images: list[raw.Image] | None) -> str | None:
    found = sorted(images(found_images), key=lambda i: i.width or 0, reverse=True)
    return found[0].url if found else None


def release_page(answer: Any, artist_id: str, offset: int) -> Page:
    """A page of the artist's releases; a release without a Spotify id is dropped and counted."""
    page, albums = page_items(answer, raw.Album, "artist albums")
    releases = []
    for album in albums:
        album_id = spotify_id(album.id)
        if album_id is None:
            continue
        names = [a.name for a in album.artists or [] if a.id == artist_id and a.name]
        releases.append(
            Release(
                album_id,
                album.name or "",
                album.album_type or "album",
                album.release_date,
                max(0, album.total_tracks or 0),
                _largest_image(album.images),
                names[0] if names else None,
            )
        )
    return Page(
        tuple(releases),
        max(0, page.total or 0) or offset + len(albums),
        _has_next(page, offset, len(albums)),
        len(albums) - len(releases),
    )


def track_page(answer: Any, offset: int) -> Page:
    """A page of an album's tracks; an id that is not a Spotify id becomes null and is counted."""
    page, tracks = page_items(answer, raw.Track, "album tracks")
    listed = tuple(
        ListedTrack(
            spotify_id(t.id),
            t.name or "",
            max(0, t.track_number or 0),
            max(1, t.disc_number or 1),
            max(0, t.duration_ms or 0),
            bool(t.explicit),
        )
        for t in tracks
    )
    invalid = sum(1 for t, kept in zip(tracks, listed, strict=True) if t.id and not kept.id)
    return Page(
        listed,
        max(0, page.total or 0) or offset + len(tracks),
        _has_next(page, offset, len(tracks)),
        invalid,
    )
