"""Regenerate app/sample/*.json and covers deterministically: python -m tests.fakes.make_sample."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes import spotify as sp

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "app" / "sample"
STATIC = ROOT / "app" / "static" / "sample"
NOW = datetime(2026, 11, 22, 19, 30, 0, tzinfo=UTC)
N_COVERS = 12
PALETTE = [
    ("#ff5f6d", "#ffc371"), ("#2b5876", "#4e4376"), ("#11998e", "#38ef7d"),
    ("#fc466b", "#3f5efb"), ("#f7971e", "#ffd200"), ("#654ea3", "#eaafc8"),
    ("#0f2027", "#2c5364"), ("#e96443", "#904e95"), ("#43cea2", "#185a9d"),
    ("#c94b4b", "#4b134f"), ("#ee9ca7", "#ffdde1"), ("#3a1c71", "#ffaf7b"),
]  # fmt: skip
ARTISTS = [
    ("Ivory Cartographers", ["indie folk", "chamber pop"]),
    ("Mira Solenne", ["dream pop"]),
    ("The Glass Orchards", ["indie rock"]),
    ("Koto Rivers", ["ambient", "downtempo"]),
    ("Nightjar Assembly", ["post-rock"]),
    ("Juniper Vale", ["folk"]),
    ("Ostra Kind", ["electronica"]),
    ("Lumen Drift", ["synthwave"]),
    ("Paper Comets", ["power pop"]),
    ("Saffron Static", ["shoegaze"]),
    ("Halcyon Tideworks", ["jazz fusion"]),
    ("Bruno Calloway Trio", ["jazz"]),
    ("Velvet Harbor Club", ["neo soul"]),
    ("Quill & Quarry", ["alt country"]),
    ("Teodora Vask", ["art pop"]),
    ("Moth Parade", ["garage rock"]),
    ("Wren & Lowlight", ["indie pop"]),
    ("Cassius Fenwright", ["singer-songwriter"]),
    ("Aurora Drydock", ["electropop"]),
    ("The Pale Meridian Choir", ["chamber folk"]),
]
WORDS_A = "Paper Silver Hollow Northern Quiet Copper Velvet Distant Amber Golden Electric".split()
WORDS_B = "Lanterns Harbors Orchards Signals Rivers Comets Mornings Maps Tides Windows".split()
ALBUM_NAMES = [
    "Cartography of Small Hours",
    "Salt & Compass",
    "Lighthouse Weather",
    "Inland Sea",
    "Collected Demos 2014-2024",
    "Paper Boats",
    "Atlas Without Borders",
    "Tin Roof Rain",
    "The Long Meridian",
    "North of Nowhere",
    "Weatherglass",
    "Field Notes",
    "Harbor Lights",
]


def cover(n: int) -> str:
    """Offline image URL of cover n (1-based, wraps around)."""
    return f"/static/sample/cover-{(n - 1) % N_COVERS + 1}.svg"


def title(seed: str) -> str:
    """Invented two-word song title derived from a seed."""
    a = WORDS_A[int(sp.unit(f"a:{seed}") * len(WORDS_A))]
    b = WORDS_B[int(sp.unit(f"b:{seed}") * len(WORDS_B))]
    return f"{a} {b}" if sp.unit(f"f:{seed}") < 0.7 else f"The {a} {b}"


def svg(n: int) -> str:
    """A small gradient square with a soft disc, no text."""
    c1, c2 = PALETTE[n % len(PALETTE)]
    cx, cy = 160 + (n * 97) % 320, 160 + (n * 61) % 320
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 640" width="640" height="640">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{c1}"/>'
        f'<stop offset="1" stop-color="{c2}"/></linearGradient>'
        '<radialGradient id="r"><stop offset="0" stop-color="#fff" stop-opacity=".45"/>'
        '<stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>'
        '<rect width="640" height="640" fill="url(#g)"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{180 + n * 7}" fill="url(#r)"/></svg>\n'
    )


def full_tracks(disco: sp.Discography, n_albums: int = 2) -> list[dict[str, Any]]:
    """TrackObjects for the discography artist's newest albums, so samples cross-reference."""
    out = []
    for album in disco.albums[1 : 1 + n_albums]:
        simple = {k: v for k, v in album.items() if k != "album_group"}
        for t in disco.tracks(album["id"])[:4]:
            out.append({"album": simple, **t, "external_ids": {"isrc": disco.isrcs[t["id"]]}})
    return out


def library(disco: sp.Discography) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Artists (with images) and a pool of full tracks, two albums per artist."""
    artists, tracks = [], []
    for i, (name, genres) in enumerate(ARTISTS):
        seed = f"sample-artist-{i}"
        artists.append(sp.artist(seed, name, sp.image_set(cover(i + 1)), genres))
        credit = [sp.simplified_artist(seed, name)]
        if i == 0:
            tracks.extend(full_tracks(disco))
            continue
        for j in range(2):
            aseed = f"{seed}-album-{j}"
            count = 4 + int(sp.unit(aseed) * 8)
            album = sp.simplified_album(
                aseed, title(aseed), credit, "album", count,
                f"{2024 - 3 * j - i % 3}-{1 + (i + j) % 12:02d}-{1 + i * 3 % 27:02d}",
                sp.image_set(cover(i + j * 5 + 1)),
            )  # fmt: skip
            for k in range(min(count, 4)):
                tseed = f"{aseed}-track-{k}"
                tracks.append(
                    sp.track(tseed, title(tseed), album, credit, track_number=k + 1,
                             explicit=sp.unit(f"x:{tseed}") < 0.1)
                )  # fmt: skip
    return artists, tracks


def pick(pool: list[Any], seed: str, n: int) -> list[Any]:
    """Deterministic sample of n distinct items ordered by a seeded score."""
    return sorted(pool, key=lambda x: sp.unit(f"{seed}:{x['id']}"))[:n]


def releases_track_count(i: int) -> int:
    """Track counts of the discography: albums, singles and one 54-track demo collection."""
    return [11, 2, 9, 1, 54, 3, 12, 1, 10, 2, 8, 1, 13][i]


def names(seed: str) -> str:
    """Album titles from ALBUM_NAMES, song titles from the word pools."""
    if "-track-" in seed or "-bonus-" in seed:
        return title(seed)
    return ALBUM_NAMES[int(seed.rsplit("-", 1)[-1])]


def build() -> dict[str, Any]:
    """All sample files as {relative path: JSON payload}."""
    disco = sp.discography(
        "sample-artist-0", 13, releases_track_count, duplicate_editions=True,
        artist_name=ARTISTS[0][0], names=names, cover=lambda i: sp.image_set(cover(i + 1)),
        genres=ARTISTS[0][1],
    )  # fmt: skip
    artists, tracks = library(disco)
    files: dict[str, Any] = {}
    by_range = {"short_term": "s", "medium_term": "m", "long_term": "l"}
    for rng, key in by_range.items():
        top_a = pick(artists, f"top-a-{key}", 20)
        files[f"top_artists_{rng}.json"] = sp.top_artists(top_a, rng, 50)
        files[f"top_tracks_{rng}.json"] = sp.top_tracks(pick(tracks, f"top-t-{key}", 20), rng, 50)
    plays, when = [], NOW - timedelta(minutes=7)
    for n in range(50):
        t = tracks[int(sp.unit(f"play-{n}") * len(tracks))]
        plays.append(sp.play_history(t, when))
        when -= timedelta(milliseconds=t["duration_ms"] + int(sp.unit(f"gap-{n}") * 1_500_000))
    files["recently_played.json"] = sp.recently_played(plays, 50)
    now_track = tracks[3]
    files["currently_playing.json"] = sp.currently_playing(
        now_track, "track", now_track["duration_ms"] // 3, True, int(NOW.timestamp() * 1000)
    )
    files["me.json"] = sp.user(
        "sample-listener", "Sample Listener", [sp.image(cover(12), 300, 300)]
    )
    assert disco.artist["id"] == artists[0]["id"]
    found = [disco.artist, *(a for a in artists if "The" in a["name"] or "&" in a["name"])]
    files["search_artists.json"] = sp.search_artists(found[:5], 5, 0, 23, query="the")
    files["artist.json"] = disco.artist
    files["artist_albums.json"] = disco.album_pages
    for album_id, pages in disco.track_pages.items():
        files[f"album_tracks/{album_id}.json"] = pages
    ids = disco.track_ids
    missing = {t for t in ids if sp.unit(f"missing:{t}") < 0.12}
    files["audio_features.json"] = sp.reccobeats_features(ids, missing, disco.isrcs)
    return files


def main() -> None:
    """Write the sample JSON and SVG covers, removing stale album track files first."""
    (SAMPLE / "album_tracks").mkdir(parents=True, exist_ok=True)
    STATIC.mkdir(parents=True, exist_ok=True)
    for stale in (SAMPLE / "album_tracks").glob("*.json"):
        stale.unlink()
    for rel, payload in build().items():
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        (SAMPLE / rel).write_text(text, encoding="utf-8")
    for n in range(1, N_COVERS + 1):
        (STATIC / f"cover-{n}.svg").write_text(svg(n), encoding="utf-8")


if __name__ == "__main__":
    main()
