"""Multi-page artist discographies plus audio-feature answers, for paging and feature-join tests."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.catalog import (
    API,
    artist,
    isrc_for,
    simplified_album,
    simplified_artist,
    simplified_track,
    unit,
)
from tests.fakes.responses import offset_page

ALBUMS_LIMIT = 10  # GET /artists/{id}/albums max limit in 2026 dev mode
TRACKS_LIMIT = 50  # GET /albums/{id}/tracks max limit
INCLUDE_GROUPS = "album,single"

TrackCount = int | Sequence[int] | Callable[[int], int]


@dataclass
class Discography:
    """An artist's releases exactly as the paged Spotify endpoints would serve them."""

    artist: dict[str, Any]
    album_pages: list[dict[str, Any]]
    track_pages: dict[str, list[dict[str, Any]]]
    isrcs: dict[str, str] = field(default_factory=dict)

    @property
    def albums(self) -> list[dict[str, Any]]:
        """All ArtistDiscographyAlbumObjects across pages, in served order."""
        return [a for page in self.album_pages for a in page["items"]]

    def tracks(self, album_id: str) -> list[dict[str, Any]]:
        """All SimplifiedTrackObjects of one album across its pages."""
        return [t for page in self.track_pages[album_id] for t in page["items"]]

    @property
    def track_ids(self) -> list[str]:
        """Every track id of the discography, album by album."""
        return [t["id"] for a in self.albums for t in self.tracks(a["id"])]


def _count(spec: TrackCount, index: int) -> int:
    """Resolve the per-album track count from an int, a list or a callable."""
    if callable(spec):
        return spec(index)
    if isinstance(spec, int):
        return spec
    return spec[index % len(spec)]


def _pages(items: list, base: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Split items into consecutive offset pages (an empty list still yields one page)."""
    offsets = range(0, max(len(items), 1), limit)
    return [
        offset_page(items[o : o + limit], base, limit, o, len(items), **params) for o in offsets
    ]


def discography(
    artist_seed: str,
    n_releases: int,
    tracks_per_album: TrackCount = 10,
    base_url: str = API,
    duplicate_editions: bool = False,
    artist_name: str | None = None,
    names: Callable[[str], str] | None = None,
    cover: Callable[[int], list[dict[str, Any]]] | None = None,
    genres: Sequence[str] = (),
) -> Discography:
    """Build artist + album pages (limit 10) + per-album track pages (limit 50) for one artist.

    Releases with <= 3 tracks are singles; albums come first, newest first, as Spotify groups
    them. With duplicate_editions the newest album gets a "(Deluxe Edition)" twin whose first
    tracks re-use the original recordings (same name and ISRC, new Spotify ids).
    """
    name_of = names or _default_name
    images = cover or (lambda i: [])
    main = artist(artist_seed, artist_name, images(0), genres)
    credit = [simplified_artist(artist_seed, main["name"])]
    releases: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    isrcs: dict[str, str] = {}
    for i in range(n_releases):
        seed = f"{artist_seed}-release-{i}"
        count = _count(tracks_per_album, i)
        kind = "single" if count <= 3 else "album"
        year = 2025 - i
        album = simplified_album(
            seed,
            name_of(seed),
            credit,
            kind,
            count,
            f"{year}-{1 + i % 12:02d}-{1 + (7 * i) % 28:02d}",
            images(i),
            kind,
        )
        tracks = []
        for n in range(count):
            tseed = f"{seed}-track-{n}"
            disc, number = divmod(n, 25) if count > 40 else (0, n)
            tracks.append(
                simplified_track(
                    tseed,
                    name_of(tseed),
                    credit,
                    explicit=unit(f"x:{tseed}") < 0.15,
                    disc_number=disc + 1,
                    track_number=number + 1,
                )
            )
            isrcs[tracks[-1]["id"]] = isrc_for(tseed)
        releases.append((album, tracks))
    if duplicate_editions:
        releases.append(_deluxe(releases, artist_seed, credit, isrcs, name_of, images))
    releases.sort(key=lambda r: (r[0]["album_type"] != "album", _neg_date(r[0])))
    albums_base = f"{base_url}/artists/{main['id']}/albums"
    album_pages = _pages(
        [a for a, _ in releases], albums_base, ALBUMS_LIMIT, include_groups=INCLUDE_GROUPS
    )
    track_pages = {
        a["id"]: _pages(t, f"{base_url}/albums/{a['id']}/tracks", TRACKS_LIMIT) for a, t in releases
    }
    return Discography(main, album_pages, track_pages, isrcs)


def _default_name(seed: str) -> str:
    """Fallback titles: "Song <seed>" for tracks, "Record <seed>" for releases."""
    return f"Song {seed}" if "-track-" in seed or "-bonus-" in seed else f"Record {seed}"


def _neg_date(album: dict[str, Any]) -> str:
    """Sort key putting newer release dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in album["release_date"])


def _deluxe(
    releases: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    artist_seed: str,
    credit: list[dict[str, Any]],
    isrcs: dict[str, str],
    name_of: Callable[[str], str],
    images: Callable[[int], list[dict[str, Any]]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Deluxe twin of the newest album: same recordings (ISRCs) plus two bonus tracks."""
    original, originals = next((a, t) for a, t in releases if a["album_type"] == "album")
    seed = f"{artist_seed}-deluxe"
    tracks = []
    for n, old in enumerate(originals):
        new = {
            **simplified_track(
                f"{seed}-track-{n}",
                old["name"],
                credit,
                old["duration_ms"],
                old["explicit"],
                1,
                n + 1,
            )
        }
        isrcs[new["id"]] = isrcs[old["id"]]
        tracks.append(new)
    for b in range(2):
        tseed = f"{seed}-bonus-{b}"
        tracks.append(simplified_track(tseed, name_of(tseed), credit, track_number=len(tracks) + 1))
        isrcs[tracks[-1]["id"]] = isrc_for(tseed)
    album = simplified_album(
        seed,
        f"{original['name']} (Deluxe Edition)",
        credit,
        "album",
        len(tracks),
        _later(original["release_date"]),
        original["images"],
        "album",
    )
    return album, tracks


def _later(date: str) -> str:
    """A date one year after the given YYYY-MM-DD (deluxe editions come out later)."""
    return f"{int(date[:4]) + 1}{date[4:]}"


def _features(key: str) -> dict[str, Any]:
    """Deterministic, plausible audio features derived from a recording key (ISRC or id)."""
    u = lambda name: unit(f"{name}:{key}")  # noqa: E731
    return {
        "acousticness": round(u("ac") ** 2, 4),
        "danceability": round(0.25 + 0.65 * u("da"), 3),
        "energy": round(0.2 + 0.75 * u("en"), 3),
        "instrumentalness": round(u("in") ** 4, 5),
        "key": int(u("key") * 12),
        "liveness": round(0.05 + 0.4 * u("li") ** 2, 4),
        "loudness": round(-14 + 11 * u("lo"), 3),
        "mode": int(u("mo") < 0.62),
        "speechiness": round(0.025 + 0.2 * u("sp") ** 3, 4),
        "tempo": round(70 + 110 * u("te"), 3),
        "valence": round(0.05 + 0.9 * u("va"), 3),
    }


def reccobeats_features(
    track_ids: Iterable[str],
    missing: Iterable[str] = frozenset(),
    isrcs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """ReccoBeats GET /v1/audio-features?ids= answer: unknown ids omitted, rows shuffled.

    Rows carry ReccoBeats UUIDs, so callers must map back via `href`; same-ISRC tracks share
    feature values because they are the same recording.
    """
    ids = list(dict.fromkeys(track_ids))
    skip = set(missing)
    rows = []
    for tid in ids:
        if tid in skip:
            continue
        isrc = (isrcs or {}).get(tid) or isrc_for(tid)
        rid = str(uuid.UUID(bytes=hashlib.sha256(f"rb:{tid}".encode()).digest()[:16], version=4))
        rows.append(
            {
                "id": rid,
                "href": f"https://open.spotify.com/track/{tid}",
                "isrc": isrc,
                **_features(isrc),
            }
        )
    shuffled = rows[:]
    random.Random(",".join(ids)).shuffle(shuffled)
    if len(shuffled) > 1 and shuffled == rows:
        shuffled.reverse()
    return {"content": shuffled}


def spotify_audio_features(
    track_ids: Iterable[str], unknown: Iterable[str] = frozenset()
) -> dict[str, Any]:
    """Spotify's own GET /audio-features?ids= answer (403 for dev mode since Nov 2024)."""
    skip = set(unknown)
    out: list[dict[str, Any] | None] = []
    for tid in track_ids:
        if tid in skip:
            out.append(None)
            continue
        out.append(
            {
                **_features(tid),
                "analysis_url": f"{API}/audio-analysis/{tid}",
                "duration_ms": 130_000 + int(unit(f"dur:{tid}") * 210_000),
                "id": tid,
                "time_signature": 4 if unit(f"ts:{tid}") < 0.9 else 3,
                "track_href": f"{API}/tracks/{tid}",
                "type": "audio_features",
                "uri": f"spotify:track:{tid}",
            }
        )
    return {"audio_features": out}
