"""Frozen dataclasses named after Spotify's objects, parsed defensively from raw answers.

Spotify leaves ids null for local files, items null for ads, and (in development mode) drops
fields such as popularity; parsing tolerates all of it so services never touch raw dicts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class ArtistRef:
    id: str | None
    name: str
    url: str | None


@dataclass(frozen=True)
class AlbumRef:
    id: str | None
    name: str
    url: str | None
    release_date: str | None
    images: tuple[Image, ...]


@dataclass(frozen=True)
class Track:
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


@dataclass(frozen=True)
class Episode:
    id: str | None
    title: str
    show: ArtistRef | None
    images: tuple[Image, ...]
    url: str | None
    uri: str | None
    duration_ms: int | None
    explicit: bool
    type: str = "episode"


@dataclass(frozen=True)
class Artist:
    id: str
    name: str
    url: str | None
    images: tuple[Image, ...]
    genres: tuple[str, ...]


@dataclass(frozen=True)
class Playback:
    """GET /me/player/currently-playing; item is None for ads and unknown content."""

    type: str
    is_playing: bool
    progress_ms: int | None
    item: Track | Episode | None


@dataclass(frozen=True)
class Play:
    played_at: str
    track: Track


def to_json(obj: Any) -> Any:
    """A dataclass tree as plain JSON-ready data."""
    return asdict(obj) if obj is not None else None


def _url(raw: dict[str, Any]) -> str | None:
    return (raw.get("external_urls") or {}).get("spotify")


def images(raw: list[dict[str, Any]] | None) -> tuple[Image, ...]:
    return tuple(
        Image(i["url"], i.get("width"), i.get("height")) for i in raw or [] if i.get("url")
    )


def artist_ref(raw: dict[str, Any]) -> ArtistRef:
    return ArtistRef(raw.get("id"), raw.get("name") or "", _url(raw))


def album_ref(raw: dict[str, Any] | None) -> AlbumRef | None:
    if not raw:
        return None
    return AlbumRef(
        raw.get("id"),
        raw.get("name") or "",
        _url(raw),
        raw.get("release_date"),
        images(raw.get("images")),
    )


def track(raw: dict[str, Any]) -> Track:
    return Track(
        id=raw.get("id"),
        title=raw.get("name") or "",
        artists=tuple(artist_ref(a) for a in raw.get("artists") or []),
        album=album_ref(raw.get("album")),
        url=_url(raw),
        uri=raw.get("uri"),
        duration_ms=raw.get("duration_ms"),
        explicit=bool(raw.get("explicit")),
        is_local=bool(raw.get("is_local")),
    )


def episode(raw: dict[str, Any]) -> Episode:
    show = raw.get("show")
    return Episode(
        id=raw.get("id"),
        title=raw.get("name") or "",
        show=artist_ref(show) if show else None,
        images=images(raw.get("images") or (show or {}).get("images")),
        url=_url(raw),
        uri=raw.get("uri"),
        duration_ms=raw.get("duration_ms"),
        explicit=bool(raw.get("explicit")),
    )


def artist(raw: dict[str, Any]) -> Artist:
    return Artist(
        raw["id"],
        raw.get("name") or "",
        _url(raw),
        images(raw.get("images")),
        tuple(raw.get("genres") or ()),
    )


def playback(raw: dict[str, Any] | None) -> Playback | None:
    """None when Spotify answered 204: nothing playing, or a private session."""
    if raw is None:
        return None
    kind = raw.get("currently_playing_type") or "unknown"
    item = raw.get("item")
    parsed: Track | Episode | None = None
    if item and item.get("type") == "episode":
        parsed = episode(item)
    elif item:
        parsed = track(item)
    return Playback(kind, bool(raw.get("is_playing")), raw.get("progress_ms"), parsed)


def plays(raw: dict[str, Any]) -> list[Play]:
    return [
        Play(p["played_at"], track(p["track"])) for p in raw.get("items") or [] if p.get("track")
    ]


@dataclass(frozen=True)
class Release:
    """An album or single as listed by GET /artists/{id}/albums."""

    id: str
    name: str
    album_type: str
    release_date: str | None
    total_tracks: int
    image_url: str | None
    artist_name: str | None


@dataclass(frozen=True)
class AlbumTrack:
    """A track as listed by GET /albums/{id}/tracks (no ISRC there: it comes with features)."""

    id: str | None
    name: str
    track_number: int
    disc_number: int
    duration_ms: int
    explicit: bool


@dataclass(frozen=True)
class Page:
    """One offset page: its items, the total and whether another page follows."""

    items: tuple[Any, ...]
    total: int
    has_next: bool


def _largest_image(raw: list[dict[str, Any]] | None) -> str | None:
    found = sorted(images(raw), key=lambda i: i.width or 0, reverse=True)
    return found[0].url if found else None


def release_page(raw: dict[str, Any], artist_id: str) -> Page:
    def release(a: dict[str, Any]) -> Release:
        names = [x.get("name") for x in a.get("artists") or [] if x.get("id") == artist_id]
        return Release(
            a["id"],
            a.get("name") or "",
            a.get("album_type") or "album",
            a.get("release_date"),
            int(a.get("total_tracks") or 0),
            _largest_image(a.get("images")),
            names[0] if names else None,
        )

    items = tuple(release(a) for a in raw.get("items") or [] if a.get("id"))
    return Page(items, int(raw.get("total") or len(items)), bool(raw.get("next")))


def track_page(raw: dict[str, Any]) -> Page:
    items = tuple(
        AlbumTrack(
            t.get("id"),
            t.get("name") or "",
            int(t.get("track_number") or 0),
            int(t.get("disc_number") or 1),
            int(t.get("duration_ms") or 0),
            bool(t.get("explicit")),
        )
        for t in raw.get("items") or []
    )
    return Page(items, int(raw.get("total") or len(items)), bool(raw.get("next")))


def artist_search(raw: dict[str, Any]) -> list[Artist]:
    return [artist(a) for a in (raw.get("artists") or {}).get("items") or [] if a.get("id")]
