"""Catalog builds against a misbehaving upstream: paging that ends, odd ids, readable pauses."""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from app.models import ArtistCatalog
from app.services import catalog_build
from tests.fakes import spotify as sp
from tests.helpers import API, slow_down, storage_deadline, store_owner_token

RECCOBEATS = "https://api.reccobeats.com/v1"
ALBUMS = re.compile(rf"{API}/artists/\w+/albums.*")
TRACKS = re.compile(rf"{API}/albums/\w+/tracks.*")


@pytest.fixture
def connected(owner_app):
    store_owner_token(owner_app, expires_in=10**7)
    return owner_app


def _offset(request) -> int:
    return int(parse_qs(urlsplit(request.url).query).get("offset", ["0"])[0])


def _no_features(spotify) -> list[list[str]]:
    asked: list[list[str]] = []

    def answer(request):
        asked.append(parse_qs(urlsplit(request.url).query)["ids"][0].split(","))
        return 200, {}, json.dumps({"content": []})

    spotify.add_callback(responses.GET, re.compile(rf"{RECCOBEATS}/audio-features.*"), answer)
    return asked


def _serve_first_track_pages(spotify, disco) -> None:
    def tracks(request):
        album_id = urlsplit(request.url).path.rstrip("/").split("/")[-2]
        return 200, {}, json.dumps(disco.track_pages[album_id][0])

    spotify.add_callback(responses.GET, TRACKS, tracks)


def _build(app, disco) -> dict:
    answer = app.test_client().get(f"/api/artists/{disco.artist['id']}/audio-features")
    assert answer.status_code in (200, 202), answer.get_json()
    return answer.get_json()


def _album_calls(spotify) -> int:
    return len([c for c in spotify.calls if "/albums?" in c.request.url])


def test_an_album_page_served_again_and_again_ends_the_listing(connected, spotify):
    disco = sp.discography("looping", 12, tracks_per_album=2)
    first = copy.deepcopy(disco.album_pages[0])  # always page one, always a `next`
    spotify.add_callback(responses.GET, ALBUMS, lambda r: (200, {}, json.dumps(first)))
    _serve_first_track_pages(spotify, disco)
    _no_features(spotify)
    body = _build(connected, disco)
    assert body["status"] == "ready"
    assert _album_calls(spotify) <= 3, "a repeated page ends the listing"


def test_an_empty_page_with_a_next_link_ends_the_listing(connected, spotify):
    disco = sp.discography("emptied", 3, tracks_per_album=2)
    pages = copy.deepcopy(disco.album_pages)
    pages[0]["next"] = f"{API}/artists/{disco.artist['id']}/albums?offset=10&limit=10"
    pages[0]["total"] = 10**6  # and a total that never comes

    def albums(request):
        offset = _offset(request)
        page = pages[0] if offset == 0 else {**pages[0], "items": [], "offset": offset}
        return 200, {}, json.dumps(page)

    spotify.add_callback(responses.GET, ALBUMS, albums)
    _serve_first_track_pages(spotify, disco)
    _no_features(spotify)
    assert _build(connected, disco)["status"] == "ready"
    assert _album_calls(spotify) == 2


def test_pages_never_go_past_the_documented_cap(connected, spotify, monkeypatch):
    monkeypatch.setattr(catalog_build, "MAX_ALBUM_PAGES", 5)  # 100 (1,000 releases) in use
    spotify.assert_all_requests_are_fired = False  # features are never reached here
    disco = sp.discography("endless", 1, tracks_per_album=1)
    template = disco.album_pages[0]["items"][0]

    def albums(request):  # a new release on every page, a `next` forever, no total to trust
        offset = _offset(request)
        items = []
        for n in range(10):
            item = copy.deepcopy(template)
            item["id"] = sp.spotify_id(f"endless-{offset + n}")
            item["total_tracks"] = 0
            items.append(item)
        page = {**disco.album_pages[0], "items": items, "offset": offset, "total": 10**9}
        page["next"] = f"{API}/artists/{disco.artist['id']}/albums?offset={offset + 10}&limit=10"
        return 200, {}, json.dumps(page)

    spotify.add_callback(responses.GET, ALBUMS, albums)
    spotify.add_callback(
        responses.GET,
        TRACKS,
        lambda r: (200, {}, json.dumps({**disco.track_pages[template["id"]][0], "items": []})),
    )
    _no_features(spotify)
    _build(connected, disco)
    assert _album_calls(spotify) == catalog_build.MAX_ALBUM_PAGES


def test_a_track_page_served_again_ends_that_album(connected, spotify):
    disco = sp.discography("samepage", 1, tracks_per_album=4)
    album_id = disco.albums[0]["id"]
    page = copy.deepcopy(disco.track_pages[album_id][0])
    page["next"], page["total"] = f"{API}/albums/{album_id}/tracks?offset=50&limit=50", 10**6
    spotify.add_callback(
        responses.GET, ALBUMS, lambda r: (200, {}, json.dumps(disco.album_pages[0]))
    )
    spotify.add_callback(responses.GET, TRACKS, lambda r: (200, {}, json.dumps(page)))
    _no_features(spotify)
    body = _build(connected, disco)
    assert body["status"] == "ready" and len(body["tracks"]) == 4
    assert len([c for c in spotify.calls if "/tracks" in c.request.url]) == 2


def test_ids_that_are_not_spotify_ids_never_reach_the_features_provider(connected, spotify):
    disco = sp.discography("oddids", 1, tracks_per_album=3)
    album_id = disco.albums[0]["id"]
    page = copy.deepcopy(disco.track_pages[album_id][0])
    page["items"][1]["id"] = "Duis reprehenderit dolor nulla"
    spotify.add_callback(
        responses.GET, ALBUMS, lambda r: (200, {}, json.dumps(disco.album_pages[0]))
    )
    spotify.add_callback(responses.GET, TRACKS, lambda r: (200, {}, json.dumps(page)))
    asked = _no_features(spotify)
    body = _build(connected, disco)
    sent = [i for batch in asked for i in batch]
    assert sent == [page["items"][0]["id"], page["items"][2]["id"]]
    assert [t["id"] for t in body["tracks"]].count(None) == 1
    assert ArtistCatalog.get(disco.artist["id"]).invalid_ids == 1


@pytest.mark.parametrize(
    ("fail", "reason"),
    [
        ("tracks-429", "rate_limited"),
        ("tracks-500", "spotify_unavailable"),
        ("features-500", "provider_unavailable"),
    ],
)
def test_a_paused_build_says_why_in_a_word(connected, spotify, fail, reason):
    from tests.fakes.catalog_server import CatalogServer

    spotify.assert_all_requests_are_fired = False  # the build stops before some of them
    disco = sp.discography(f"paused-{fail}", 2, tracks_per_album=3)
    server = CatalogServer(spotify, disco)
    kind, status = fail.split("-")
    headers = {"Retry-After": "30"} if status == "429" else {}
    server.fail("features" if kind == "features" else "tracks", 1, int(status), headers)
    body = _build(connected, disco)
    assert body["status"] == "waiting" and body["reason"] == reason, body
    assert body["message"] and body["retry_after"] > 0


def test_an_inline_build_longer_than_the_storage_deadline_still_answers(
    connected, spotify, monkeypatch
):
    """The build stands in for a task: its time does not use up the request's storage deadline."""
    from tests.fakes.catalog_server import CatalogServer

    storage_deadline(1.0)
    spotify.assert_all_requests_are_fired = False
    disco = sp.discography("slow-inline", 3, tracks_per_album=2)
    server = CatalogServer(spotify, disco)
    slow_down(monkeypatch, server, "_record", 0.4)  # 4+ calls in the build: it outlasts 1 s
    answer = connected.test_client().get(f"/api/artists/{disco.artist['id']}/audio-features")
    assert answer.status_code == 200, answer.get_json()
    assert server.total >= 5
