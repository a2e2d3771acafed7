"""The service's view of Spotify's objects, built from decoded answers (app/spotify/raw.py).

Only values that are safe to pass on survive: ids must be Spotify ids (22 base-62 characters)
or become null, links must point at open.spotify.com, images at https (or the bundled samples),
and plays need a readable time. Anything else is dropped and counted, never forwarded.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec

from app.spotify import raw
from app.utc import parse_iso

log = logging.getLogger(__name__)
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_OPEN_URL = re.compile(r"https://open\.spotify\.com/[A-Za-z0-9/_-]+")
_IMAGE_URL = re.compile(r"(https://[A-Za-z0-9.-]+)?/(?!/)[^\s\"'<>\\]*")


class _Obj(msgspec.Struct):
    """Answers are built from these; msgspec turns them into JSON-ready data cheaply."""


class Image(_Obj):
    url: str
    width: int | None
    height: int | None


class ArtistRef(_Obj):
    id: str | None
    name: str
    url: str | None


class AlbumRef(_Obj):
    id: str | None
    name: str
    url: str | None
    release_date: str | None
    images: tuple[Image, ...]


class Track(_Obj):
    id: str | None
    title: str
    artists: tuple[ArtistRef, ...]
    album: AlbumRef | None
    url: str | None
    uri: str | None
    duration_ms: int | None
    explicit: bool
    is_local: bool
    type: str = "track"


class Episode(_Obj):
    id: str | None
    title: str
    show: ArtistRef | None
    images: tuple[Image, ...]
    url: str | None
    uri: str | None
    duration_ms: int | None
    explicit: bool
    type: str = "episode"


class Artist(_Obj):
    id: str
    name: str
    url: str | None
    images: tuple[Image, ...]
    genres: tuple[str, ...]


class Playback(_Obj):
    """GET /me/player/currently-playing; item is None for ads and unknown content."""

    type: str
    is_playing: bool
    progress_ms: int | None
    item: Track | Episode | None


class Play(_Obj):
    played_at: str
    track: Track


def to_json(obj: Any) -> Any:
    """An object tree as plain JSON-ready data (None stays None)."""
    return msgspec.to_builtins(obj)


def spotify_id(value: str | None) -> str | None:
    """The id if it is a Spotify id, else None."""
    return value if value and SPOTIFY_ID.fullmatch(value) else None


def _url(links: raw.ExternalUrls | None) -> str | None:
    link = links.spotify if links else None
    return link if link and _OPEN_URL.fullmatch(link) else None


def images(found: list[raw.Image] | None) -> tuple[Image, ...]:
    return tuple(
        Image(i.url, i.width, i.height)
        for i in found or []
        if i.url and _IMAGE_URL.fullmatch(i.url)
    )


def artist_ref(named: raw.Named) -> ArtistRef:
    return ArtistRef(spotify_id(named.id), named.name or "", _url(named.external_urls))


def album_ref(album: raw.Album | None) -> AlbumRef | None:
    if album is None:
        return None
    return AlbumRef(
        spotify_id(album.id),
        album.name or "",
        _url(album.external_urls),
        album.release_date,
        images(album.images),
    )


def track(found: raw.Track) -> Track:
    return Track(
        id=spotify_id(found.id),
        title=found.name or "",
        artists=tuple(artist_ref(a) for a in found.artists or []),
        album=album_ref(found.album),
        url=_url(found.external_urls),
        uri=found.uri,
        duration_ms=found.duration_ms,
        explicit=bool(found.explicit),
        is_local=bool(found.is_local),
    )


def episode(found: raw.Episode) -> Episode:
    show = found.show
    return Episode(
        id=spotify_id(found.id),
        title=found.name or "",
        show=artist_ref(show) if show else None,
        images=images(found.images or (show.images if show else None)),
        url=_url(found.external_urls),
        uri=found.uri,
        duration_ms=found.duration_ms,
        explicit=bool(found.explicit),
    )


def artist(found: raw.Artist) -> Artist | None:
    """None for an artist without a usable id (nothing could link to it)."""
    artist_id = spotify_id(found.id)
    if artist_id is None:
        return None
    return Artist(
        artist_id,
        found.name or "",
        _url(found.external_urls),
        images(found.images),
        tuple(found.genres or ()),
    )


def playback(answer: Any) -> Playback | None:
    """None when Spotify answered 204: nothing playing, or a private session."""
    if answer is None:
        return None
    playing = raw.decode(answer, raw.Playing, "currently-playing")
    item = playing.item
    kind = (item or {}).get("type") or playing.currently_playing_type or "track"
    parsed: Track | Episode | None = None  # another kind of item is shown as unknown content
    if item is not None and kind == "episode":
        parsed = episode(raw.decode(item, raw.Episode, "currently-playing item"))
    elif item is not None and kind == "track":
        parsed = track(raw.decode(item, raw.Track, "currently-playing item"))
    return Playback(
        playing.currently_playing_type or "unknown",
        bool(playing.is_playing),
        playing.progress_ms,
        parsed,
    )


def plays(answer: Any) -> list[Play]:
    """Recently played, newest first; a play without a readable time is dropped."""
    page = raw.decode(answer, raw.CursorPage, "recently-played")
    found = []
    for entry in page.items:
        try:
            parse_iso(entry.played_at)
        except ValueError:
            continue
        if entry.played_at and entry.track:
            found.append(Play(entry.played_at, track(entry.track)))
    _count_dropped("plays", len(page.items) - len(found))
    return found


def page_items(answer: Any, kind: type[raw.T], what: str) -> tuple[raw.Page, list[raw.T]]:
    """An offset page and its items decoded as `kind` (null items dropped)."""
    page = raw.decode(answer, raw.Page, what)
    return page, [raw.decode(item, kind, what) for item in page.items if item is not None]


def top_artists(answer: Any) -> list[Artist]:
    return artists(page_items(answer, raw.Artist, "top artists")[1])


def top_tracks(answer: Any) -> list[Track]:
    return [track(t) for t in page_items(answer, raw.Track, "top tracks")[1]]


def artist_search(answer: Any) -> list[Artist]:
    found = raw.decode(answer, raw.SearchAnswer, "search").artists
    items = found.items if found else []
    return artists([raw.decode(i, raw.Artist, "search") for i in items if i is not None])


def artists(found: list[raw.Artist]) -> list[Artist]:
    kept = [a for a in (artist(f) for f in found) if a is not None]
    _count_dropped("artists", len(found) - len(kept))
    return kept


def _count_dropped(what: str, count: int) -> None:
    if count:
        log.warning("spotify answer had unusable entries", extra={"what": what, "dropped": count})
