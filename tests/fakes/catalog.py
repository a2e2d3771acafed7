"""Catalogue objects (artists, albums, tracks, episodes) that conform to the OpenAPI file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

API = "https://api.spotify.com/v1"
OPEN = "https://open.spotify.com"
DEFAULT_SCOPE = (
    "user-read-currently-playing user-read-recently-played user-top-read user-read-private"
)
MARKETS = ["DE", "FR", "GB", "US"]
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def spotify_id(seed: str) -> str:
    """Derive a 22-char base62 id from a seed so fixtures are stable across runs."""
    n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(out)


def unit(seed: str) -> float:
    """Map a seed to a stable float in [0, 1) for deterministic "random" values."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") / 2**64


def _obj(kind: str, id_: str) -> dict[str, Any]:
    """Common id/href/uri/external_urls fields of a catalogue object."""
    return {
        "external_urls": {"spotify": f"{OPEN}/{kind}/{id_}"},
        "href": f"{API}/{kind}s/{id_}",
        "id": id_,
        "type": kind,
        "uri": f"spotify:{kind}:{id_}",
    }


def image(url: str, h: int | None = 640, w: int | None = 640) -> dict[str, Any]:
    """ImageObject; height/width are nullable in the spec (user images often lack them)."""
    return {"url": url, "height": h, "width": w}


def image_set(url: str) -> list[dict[str, Any]]:
    """The usual 640/300/64 trio Spotify returns, all pointing at one (scalable) file."""
    return [image(url, s, s) for s in (640, 300, 64)]


def simplified_artist(seed: str, name: str | None = None) -> dict[str, Any]:
    """SimplifiedArtistObject as embedded in tracks and albums."""
    return {**_obj("artist", spotify_id(seed)), "name": name or f"Artist {seed}"}


def artist(
    seed: str,
    name: str | None = None,
    images: list[dict[str, Any]] | None = None,
    genres: Sequence[str] = (),
) -> dict[str, Any]:
    """ArtistObject as 2026 dev mode returns it: no followers/popularity (neither is required)."""
    return {
        **simplified_artist(seed, name),
        "genres": list(genres),
        "images": images if images is not None else [],
    }


def simplified_album(
    seed: str,
    name: str | None = None,
    artists: list[dict[str, Any]] | None = None,
    album_type: str = "album",
    total_tracks: int = 10,
    release_date: str = "2024-05-17",
    images: list[dict[str, Any]] | None = None,
    album_group: str | None = None,
) -> dict[str, Any]:
    """SimplifiedAlbumObject; album_group turns it into an ArtistDiscographyAlbumObject."""
    precision = {4: "year", 7: "month"}.get(len(release_date), "day")
    album = {
        "album_type": album_type,
        "total_tracks": total_tracks,
        # Deprecated and dropped in dev mode, but AlbumBase still lists it as required.
        "available_markets": list(MARKETS),
        **_obj("album", spotify_id(seed)),
        "images": images if images is not None else [],
        "name": name or f"Album {seed}",
        "release_date": release_date,
        "release_date_precision": precision,
        "artists": artists if artists is not None else [simplified_artist(f"{seed}-artist")],
    }
    if album_group is not None:
        album["album_group"] = album_group
    return album


def isrc_for(seed: str) -> str:
    """Stable, well-formed ISRC (CC-XXX-YY-NNNNN) derived from a seed."""
    n = int(unit(f"isrc:{seed}") * 10**7)
    return f"QZ{spotify_id(seed)[:3].upper()}{20 + n % 7}{n % 100000:05d}"


def duration_for(seed: str) -> int:
    """Plausible 2:10-5:40 track length in ms derived from a seed."""
    return 130_000 + int(unit(f"dur:{seed}") * 210_000)


def simplified_track(
    seed: str,
    name: str | None = None,
    artists: list[dict[str, Any]] | None = None,
    duration_ms: int | None = None,
    explicit: bool = False,
    disc_number: int = 1,
    track_number: int = 1,
) -> dict[str, Any]:
    """SimplifiedTrackObject as in album track pages (the spec gives it no external_ids)."""
    return {
        "artists": artists if artists is not None else [simplified_artist(f"{seed}-artist")],
        "available_markets": list(MARKETS),
        "disc_number": disc_number,
        "duration_ms": duration_ms if duration_ms is not None else duration_for(seed),
        "explicit": explicit,
        **_obj("track", spotify_id(seed)),
        "is_playable": True,
        "name": name or f"Track {seed}",
        "preview_url": None,
        "track_number": track_number,
        "is_local": False,
    }


def track(
    seed: str,
    name: str | None = None,
    album: dict[str, Any] | None = None,
    artists: list[dict[str, Any]] | None = None,
    duration_ms: int | None = None,
    explicit: bool = False,
    disc_number: int = 1,
    track_number: int = 1,
    isrc: str | None = None,
) -> dict[str, Any]:
    """Full TrackObject with album and external_ids.isrc (kept after the March 2026 revert)."""
    album = album if album is not None else simplified_album(f"{seed}-album", artists=artists)
    base = simplified_track(
        seed, name, artists or album["artists"], duration_ms, explicit, disc_number, track_number
    )
    return {
        "album": album,
        **base,
        "external_ids": {"isrc": isrc or isrc_for(seed)},
    }


def local_track(
    name: str, artist_name: str, album_name: str, duration_ms: int = 200_000
) -> dict[str, Any]:
    """Local-file TrackObject: null ids/hrefs, spotify:local URI (violates the spec's types)."""
    q = "+".join
    uri = f"spotify:local:{q(artist_name.split())}:{q(album_name.split())}:{q(name.split())}:"
    uri += str(duration_ms // 1000)
    nulls = {"external_urls": {}, "href": None, "id": None, "uri": None}
    return {
        "album": {
            "album_type": None,
            "total_tracks": 0,
            "available_markets": [],
            **nulls,
            "images": [],
            "name": album_name,
            "release_date": None,
            "release_date_precision": None,
            "type": "album",
            "artists": [],
        },
        "artists": [{**nulls, "name": artist_name, "type": "artist"}],
        "available_markets": [],
        "disc_number": 0,
        "duration_ms": duration_ms,
        "explicit": False,
        "external_ids": {},
        **nulls,
        "uri": uri,
        "is_local": True,
        "name": name,
        "preview_url": None,
        "track_number": 0,
        "type": "track",
    }


def show(
    seed: str, name: str | None = None, images: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """SimplifiedShowObject (ShowBase still requires the deprecated publisher/markets)."""
    return {
        "available_markets": list(MARKETS),
        "copyrights": [],
        "description": "A conversation about records.",
        "html_description": "<p>A conversation about records.</p>",
        "explicit": False,
        **_obj("show", spotify_id(seed)),
        "images": images if images is not None else [],
        "is_externally_hosted": False,
        "languages": ["en"],
        "media_type": "audio",
        "name": name or f"Show {seed}",
        "publisher": "Sample Audio",
        "total_episodes": 120,
    }


def episode(
    seed: str,
    name: str | None = None,
    show_name: str | None = None,
    duration_ms: int = 2_400_000,
    images: list[dict[str, Any]] | None = None,
    release_date: str = "2026-11-18",
) -> dict[str, Any]:
    """EpisodeObject including its show, for currently-playing with additional_types=episode."""
    return {
        "audio_preview_url": None,
        "description": "An episode about records.",
        "html_description": "<p>An episode about records.</p>",
        "duration_ms": duration_ms,
        "explicit": False,
        **_obj("episode", spotify_id(seed)),
        "images": images if images is not None else [],
        "is_externally_hosted": False,
        "is_playable": True,
        "languages": ["en"],
        "name": name or f"Episode {seed}",
        "release_date": release_date,
        "release_date_precision": "day",
        "resume_point": {"fully_played": False, "resume_position_ms": 0},
        "show": show(f"{seed}-show", show_name, images),
    }
