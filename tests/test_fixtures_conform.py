"""Prove the Spotify fakes and bundled sample data match Spotify's OpenAPI file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import spotify as sp
from tests.fakes.make_sample import SAMPLE, STATIC, build
from tests.fakes.openapi import (
    assert_conforms,
    assert_schema,
    conformance_errors,
    response_pointer,
    schema_errors,
)

CURRENT = "/me/player/currently-playing"
TERMS = ("short_term", "medium_term", "long_term")
SAMPLE_ENDPOINTS = {
    "currently_playing.json": CURRENT,
    "recently_played.json": "/me/player/recently-played",
    "me.json": "/me",
    "search_artists.json": "/search",
    "artist.json": "/artists/{id}",
    "artist_albums.json": "/artists/{id}/albums",
    **{f"top_artists_{t}.json": "/me/top/artists" for t in TERMS},
    **{f"top_tracks_{t}.json": "/me/top/tracks" for t in TERMS},
}
FEATURE_KEYS = {
    "id", "href", "isrc", "acousticness", "danceability", "energy", "instrumentalness", "key",
    "liveness", "loudness", "mode", "speechiness", "tempo", "valence",
}  # fmt: skip


def load(rel: str) -> Any:
    """Read one bundled sample file."""
    return json.loads((SAMPLE / rel).read_text(encoding="utf-8"))


def pages_of(payload: Any) -> list[dict[str, Any]]:
    """Sample files for paged endpoints hold a list of pages; others hold one body."""
    return payload if isinstance(payload, list) else [payload]


def only_null_errors(errors: list[str]) -> bool:
    """True when every violation is a null where the spec forgot `nullable: true`."""
    return bool(errors) and all(": None " in e for e in errors)


@pytest.fixture(scope="module")
def disco() -> sp.Discography:
    """A discography with a >50-track album, >10 releases and a deluxe twin."""
    return sp.discography("fixture-artist", 12, [12, 2, 55, 1], duplicate_editions=True)


# --- the checker itself -------------------------------------------------------------------


def test_checker_rejects_wrong_types() -> None:
    bad = sp.track("bad")
    bad["duration_ms"] = "215000"
    with pytest.raises(AssertionError, match=r"\$\.item\.duration_ms: '215000' is not of type"):
        assert_conforms(sp.currently_playing(bad), CURRENT)
    with pytest.raises(AssertionError, match="duration_ms"):
        assert_schema(bad, "TrackObject")


def test_checker_rejects_missing_required_fields() -> None:
    page = sp.top_tracks([sp.track("t")])
    del page["items"][0]["album"]["release_date"]
    del page["previous"]
    errors = conformance_errors(page, "/me/top/tracks")
    assert "$: 'previous' is a required property" in errors
    assert any("'release_date' is a required property" in e for e in errors)


def test_checker_reports_unknown_paths_and_schemas() -> None:
    with pytest.raises(AssertionError, match="no response"):
        response_pointer("/nope")
    with pytest.raises(AssertionError, match="no component schema"):
        schema_errors({}, "NopeObject")


# --- builders ------------------------------------------------------------------------------


def test_ids_are_base62_22_and_stable() -> None:
    ids = {sp.spotify_id(f"artist-{i}") for i in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and i.isalnum() and i.isascii() for i in ids)
    assert sp.spotify_id("artist-3") == sp.spotify_id("artist-3")


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("ImageObject", sp.image("/x.svg", None, None)),
        ("SimplifiedArtistObject", sp.simplified_artist("a")),
        ("ArtistObject", sp.artist("a", images=sp.image_set("/x.svg"), genres=["folk"])),
        ("SimplifiedAlbumObject", sp.simplified_album("al")),
        ("ArtistDiscographyAlbumObject", sp.simplified_album("al", album_group="single")),
        ("TrackObject", sp.track("t", explicit=True, disc_number=2, track_number=7)),
        ("SimplifiedTrackObject", sp.simplified_track("t")),
        ("EpisodeObject", sp.episode("e")),
        ("SimplifiedShowObject", sp.show("s")),
        ("PrivateUserObject", sp.user("me", "Me")),
        ("PlayHistoryObject", sp.play_history(sp.track("t"), datetime(2026, 1, 2, tzinfo=UTC))),
    ],
)
def test_object_builders_conform(name: str, payload: dict[str, Any]) -> None:
    assert_schema(payload, name)


@pytest.mark.parametrize("kind", ["track", "episode"])
def test_currently_playing_conforms(kind: str) -> None:
    item = sp.track("now") if kind == "track" else sp.episode("now")
    body = sp.currently_playing(item, kind, progress_ms=61_000, is_playing=False)
    assert_conforms(body, CURRENT)
    assert body["context"]["type"] == ("album" if kind == "track" else "show")


@pytest.mark.parametrize("kind", ["ad", "unknown"])
def test_ad_and_unknown_hit_only_the_spec_nullability_gap(kind: str) -> None:
    body = sp.currently_playing(sp.track("ignored"), kind, progress_ms=5_000)
    assert body["item"] is None and body["context"] is None
    assert only_null_errors(conformance_errors(body, CURRENT))
    assert_conforms({k: v for k, v in body.items() if v is not None}, CURRENT)


def test_local_track_hits_only_the_spec_nullability_gap() -> None:
    local = sp.local_track("Demo 4", "Me At Home", "Tapes", 187_000)
    assert local["is_local"] is True and local["id"] is None and local["album"]["id"] is None
    assert local["uri"] == "spotify:local:Me+At+Home:Tapes:Demo+4:187"
    assert only_null_errors(conformance_errors(sp.currently_playing(local), CURRENT))


def test_recently_played_conforms_and_cursors_point_back() -> None:
    start = datetime(2026, 11, 22, 12, tzinfo=UTC)
    items = [sp.play_history(sp.track(f"r{i}"), start - timedelta(minutes=4 * i)) for i in range(3)]
    body = sp.recently_played(items, limit=3, base_url="http://127.0.0.1:9/v1")
    assert_conforms(body, "/me/player/recently-played")
    before = int((start - timedelta(minutes=8)).timestamp() * 1000)
    assert body["cursors"] == {"after": str(before + 480_000), "before": str(before)}
    assert (
        body["next"] == f"http://127.0.0.1:9/v1/me/player/recently-played?before={before}&limit=3"
    )
    assert items[0]["played_at"] == "2026-11-22T12:00:00.000Z"


def test_top_search_and_paging_conform() -> None:
    artists = [sp.artist(f"a{i}") for i in range(3)]
    top = sp.top_artists(artists, "short_term", limit=3, total=7)
    assert_conforms(top, "/me/top/artists")
    assert (
        top["next"]
        == "https://api.spotify.com/v1/me/top/artists?offset=3&limit=3&time_range=short_term"
    )
    assert_conforms(sp.top_tracks([sp.track("t")], "long_term", 50), "/me/top/tracks")
    found = sp.search_artists(artists, limit=3, offset=3, total=9, query="glass")
    assert_conforms(found, "/search")
    assert found["artists"]["previous"].endswith("offset=0&limit=3&query=glass&type=artist")
    assert_schema(sp.paging([], "https://x/y"), "PagingObject")


def test_token_response_shape() -> None:
    first = sp.token_response("acc", "ref")
    assert first["token_type"] == "Bearer" and first["expires_in"] == 3600
    assert first["refresh_token"] == "ref" and "user-top-read" in first["scope"].split()
    assert "refresh_token" not in sp.token_response("acc2")


def test_spotify_audio_features_conform_and_null_for_unknown() -> None:
    assert_conforms(sp.spotify_audio_features(["a", "b"]), "/audio-features")
    body = sp.spotify_audio_features(["a", "b"], unknown={"b"})
    assert body["audio_features"][1] is None
    assert only_null_errors(conformance_errors(body, "/audio-features"))


# --- discography ---------------------------------------------------------------------------


def test_discography_pages_conform(disco: sp.Discography) -> None:
    assert_conforms(disco.artist, "/artists/{id}")
    for page in disco.album_pages:
        assert_conforms(page, "/artists/{id}/albums")
    for pages in disco.track_pages.values():
        for page in pages:
            assert_conforms(page, "/albums/{id}/tracks")


def test_discography_album_paging_chain(disco: sp.Discography) -> None:
    pages = disco.album_pages
    assert [len(p["items"]) for p in pages] == [10, 3]
    base = f"https://api.spotify.com/v1/artists/{disco.artist['id']}/albums"
    assert pages[0]["href"] == f"{base}?offset=0&limit=10&include_groups=album,single"
    assert pages[0]["next"] == pages[1]["href"] and pages[1]["next"] is None
    assert pages[1]["previous"] == pages[0]["href"] and pages[0]["previous"] is None
    assert {p["total"] for p in pages} == {13}
    kinds = [a["album_type"] for a in disco.albums]
    assert kinds == sorted(kinds)  # albums before singles, as include_groups orders them
    assert all(a["album_group"] == a["album_type"] for a in disco.albums)


def test_discography_multi_page_album(disco: sp.Discography) -> None:
    big = next(a for a in disco.albums if a["total_tracks"] == 55)
    pages = disco.track_pages[big["id"]]
    assert [len(p["items"]) for p in pages] == [50, 5]
    assert pages[0]["next"] == pages[1]["href"] and pages[1]["next"] is None
    assert pages[0]["next"].endswith(f"/albums/{big['id']}/tracks?offset=50&limit=50")
    assert len({t["id"] for t in disco.tracks(big["id"])}) == 55


def test_track_count_accepts_int_and_callable() -> None:
    d = sp.discography("x", 2, lambda i: 4 + i, base_url="http://127.0.0.1:5/v1")
    assert sorted(a["total_tracks"] for a in d.albums) == [4, 5]
    assert d.album_pages[0]["href"].startswith("http://127.0.0.1:5/v1/artists/")
    assert len(sp.discography("y", 1, 3).track_ids) == 3


def test_duplicate_editions_share_isrcs(disco: sp.Discography) -> None:
    deluxe = next(a for a in disco.albums if a["name"].endswith("(Deluxe Edition)"))
    original = next(a for a in disco.albums if a["name"] + " (Deluxe Edition)" == deluxe["name"])
    old, new = disco.tracks(original["id"]), disco.tracks(deluxe["id"])
    assert len(new) == len(old) + 2
    for a, b in zip(old, new, strict=False):
        assert a["id"] != b["id"] and a["name"] == b["name"]
        assert disco.isrcs[a["id"]] == disco.isrcs[b["id"]]
    assert "external_ids" not in old[0]  # SimplifiedTrackObject has no external_ids in the spec


def test_reccobeats_features_shape(disco: sp.Discography) -> None:
    ids = disco.track_ids[:12]
    body = sp.reccobeats_features(ids, missing={ids[2], ids[5]}, isrcs=disco.isrcs)
    rows = body["content"]
    served = [r["href"].rsplit("/", 1)[-1] for r in rows]
    assert sorted(served) == sorted(set(ids) - {ids[2], ids[5]})
    assert served != [i for i in ids if i in served]  # not in request order
    assert body == sp.reccobeats_features(ids, missing={ids[2], ids[5]}, isrcs=disco.isrcs)
    for row in rows:
        assert set(row) == FEATURE_KEYS and len(row["id"]) == 36
        assert row["isrc"] == disco.isrcs[row["href"].rsplit("/", 1)[-1]]
        assert_schema(row, "AudioFeaturesObject")  # value ranges match Spotify's


# --- bundled sample data -------------------------------------------------------------------


@pytest.mark.parametrize(("rel", "path"), sorted(SAMPLE_ENDPOINTS.items()))
def test_sample_file_conforms(rel: str, path: str) -> None:
    for page in pages_of(load(rel)):
        assert_conforms(page, path)


def test_sample_album_tracks_conform_and_cover_every_album() -> None:
    album_ids = {a["id"] for page in load("artist_albums.json") for a in page["items"]}
    files = {p.stem for p in (SAMPLE / "album_tracks").glob("*.json")}
    assert files == album_ids
    for album_id in files:
        pages = load(f"album_tracks/{album_id}.json")
        for page in pages:
            assert_conforms(page, "/albums/{id}/tracks")
        assert sum(len(p["items"]) for p in pages) == pages[0]["total"]
    assert any(len(load(f"album_tracks/{a}.json")) > 1 for a in files)


def test_sample_audio_features_cover_most_tracks() -> None:
    track_ids = {
        t["id"]
        for p in (SAMPLE / "album_tracks").glob("*.json")
        for page in json.loads(p.read_text(encoding="utf-8"))
        for t in page["items"]
    }
    rows = load("audio_features.json")["content"]
    served = {r["href"].rsplit("/", 1)[-1] for r in rows}
    assert served < track_ids and len(served) >= 0.8 * len(track_ids)
    for row in rows:
        assert set(row) == FEATURE_KEYS
        assert_schema(row, "AudioFeaturesObject")


def test_sample_lists_are_realistic() -> None:
    plays = load("recently_played.json")["items"]
    stamps = [datetime.fromisoformat(p["played_at"].replace("Z", "+00:00")) for p in plays]
    assert len(plays) == 50 and stamps == sorted(stamps, reverse=True)
    assert stamps[0] - stamps[-1] < timedelta(days=1)
    for rel, path in SAMPLE_ENDPOINTS.items():
        if path.startswith("/me/top/"):
            assert len(load(rel)["items"]) == 20, rel
    now = load("currently_playing.json")
    assert now["is_playing"] and 0 < now["progress_ms"] < now["item"]["duration_ms"]
    assert load("search_artists.json")["artists"]["items"][0] == load("artist.json")


def test_sample_matches_generator() -> None:
    for rel, payload in build().items():
        assert load(rel) == payload, f"{rel} is stale: run python -m tests.fakes.make_sample"


def test_sample_images_exist_offline() -> None:
    text = " ".join((SAMPLE / p).read_text() for p in SAMPLE_ENDPOINTS)
    urls = {w.strip('",') for w in text.split() if "/static/sample/" in w}
    assert urls
    for url in urls:
        assert url.startswith("/static/sample/cover-")
        assert (STATIC / Path(url).name).is_file(), url
    covers = list(STATIC.glob("cover-*.svg"))
    assert len(covers) == 12
    for svg in covers:
        body = svg.read_text(encoding="utf-8")
        assert len(body.encode()) < 1024 and 'viewBox="0 0 640 640"' in body
        assert "<text" not in body
