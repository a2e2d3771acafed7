"""Artist discography with audio features: complete builds, zero-call repeats, resumption."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from responses import matchers

from app.models import ArtistAlbum, ArtistCatalog, TrackFeatures
from tests.fakes import spotify as sp
from tests.fakes.catalog_server import CatalogServer
from tests.fakes.openapi import assert_conforms
from tests.helpers import API, store_owner_token

QUOTA = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}


@pytest.fixture
def connected(owner_app):
    store_owner_token(owner_app, expires_in=10**7)
    return owner_app


def url(disco) -> str:
    return f"/api/artists/{disco.artist['id']}/audio-features"


def big_discography(**kw):
    # 23 releases = 3 album pages; one 60-track compilation spans two track pages.
    counts = [12, 60, 3, 9, 2, 11, 1, 10]
    return sp.discography("big-artist", 23, tracks_per_album=counts, **kw)


def test_fixture_pages_conform_to_spotify(spotify):
    disco = big_discography()
    for page in disco.album_pages:
        assert_conforms(page, "/artists/{id}/albums")
    for pages in disco.track_pages.values():
        for page in pages:
            assert_conforms(page, "/albums/{id}/tracks")


def test_multi_page_discography_builds_completely_then_costs_nothing(connected, spotify):
    disco = big_discography(duplicate_editions=True)
    server = CatalogServer(spotify, disco, missing=disco.track_ids[::9])
    response = connected.test_client().get(url(disco))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready" and body["artist"]["name"] == disco.artist["name"]
    assert len(body["tracks"]) == len(disco.track_ids)
    assert {t["id"] for t in body["tracks"]} == set(disco.track_ids)
    assert server.total == server.lower_bound()  # ratio 1.00
    assert all(n == 1 for n in server.calls.values())  # nothing fetched twice

    track = next(t for t in body["tracks"] if t["features"])
    assert set(track) >= {
        "id",
        "name",
        "album",
        "release_date",
        "track_number",
        "disc_number",
        "duration_ms",
        "explicit",
        "isrc",
        "features",
        "feature_source",
    }
    assert track["feature_source"] == "reccobeats" and 0 <= track["features"]["energy"] <= 1
    gaps = [t for t in body["tracks"] if t["features"] is None]
    assert {t["id"] for t in gaps} == set(disco.track_ids[::9])  # mapped by id, not position
    assert all(t["feature_source"] is None for t in gaps)
    coverage = body["summary"]["coverage"]
    assert coverage["tracks"] == len(disco.track_ids)
    assert coverage["with_features"] == len(disco.track_ids) - len(gaps)
    assert coverage["ratio"] == pytest.approx(coverage["with_features"] / coverage["tracks"], 1e-3)

    deluxe = [t for t in body["tracks"] if t["duplicate_of"]]
    assert deluxe, "deluxe edition re-uses recordings: marked as duplicates"
    for dup in deluxe:
        original = next(t for t in body["tracks"] if t["id"] == dup["duplicate_of"])
        assert original["isrc"] == dup["isrc"] and original["duplicate_of"] is None
    assert coverage["unique_recordings"] == len(disco.track_ids) - len(deluxe)
    energy = body["summary"]["features"]["energy"]
    assert set(energy) == {"count", "mean", "median", "min", "max"}
    assert energy["min"] <= energy["median"] <= energy["max"]
    assert len(body["summary"]["albums"]) == len(disco.albums)

    calls = server.total
    again = connected.test_client().get(url(disco))
    assert again.status_code == 200 and again.get_json()["tracks"] == body["tracks"]
    from app import create_app
    from app.config import TestingConfig

    other = create_app(TestingConfig).test_client().get(url(disco))  # another container
    assert other.status_code == 200
    assert server.total == calls  # zero outbound calls on repeat requests
    assert again.headers["ETag"] and "max-age" in again.headers["Cache-Control"]


def test_interrupted_build_resumes_without_refetching(connected, spotify):
    disco = big_discography()
    server = CatalogServer(spotify, disco)
    server.fail("albums", 2, 503, {"Retry-After": "20"})  # listing interrupted on page 2
    server.fail("tracks", 5, 500)  # then a track page fails
    server.fail("features", 2, 429, {"Retry-After": "40"}, QUOTA)  # then the provider limits
    client = connected.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        first = client.get(url(disco))
        assert first.status_code == 202
        body = first.get_json()
        assert body["status"] == "waiting" and body["progress"]["albums_total"] == len(disco.albums)
        assert first.headers["Location"].endswith(url(disco))
        assert 1 <= int(first.headers["Retry-After"]) <= 21
        statuses = []
        for _ in range(6):
            clock.shift(45)  # past every Retry-After / breaker deadline
            response = client.get(url(disco))
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
        assert statuses[-1] == 200 and statuses.count(202) >= 2
    assert all(n == 1 for n in server.calls.values()), "a page or batch was fetched twice"
    assert server.total == server.lower_bound() + 3  # only the three failed calls were repeated
    assert len(response.get_json()["tracks"]) == len(disco.track_ids)


def test_provider_429_pauses_the_build_and_it_resumes_later(connected, spotify):
    disco = sp.discography("small", 3, tracks_per_album=30)
    server = CatalogServer(spotify, disco)
    server.fail("features", 1, 429, {"Retry-After": "3600"})
    client = connected.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        paused = client.get(url(disco)).get_json()
        assert paused["status"] == "waiting" and paused["retry_at"]
        assert paused["progress"]["tracks"] == 90 and paused["progress"]["features_found"] == 0
        clock.shift(600)  # still inside the provider's Retry-After: nothing is asked
        assert client.get(url(disco)).status_code == 202
        assert server.kinds["features"] == 1
        clock.shift(3600)
        done = client.get(url(disco))
    assert done.status_code == 200
    assert done.get_json()["summary"]["coverage"]["with_features"] == 90
    assert server.kinds["albums"] == 1 and server.kinds["tracks"] == 3


def test_spotify_audio_features_403_falls_back_to_the_provider(monkeypatch, spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_AUDIO_FEATURES", "1")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    disco = sp.discography("own-features", 2, tracks_per_album=5)
    server = CatalogServer(spotify, disco)
    spotify.get(
        f"{API}/audio-features",
        status=403,
        json={"error": {"status": 403, "message": "Forbidden"}},
        match=[matchers.query_param_matcher({"ids": ",".join(disco.track_ids)})],
    )
    body = app.test_client().get(url(disco)).get_json()
    assert body["status"] == "ready"
    assert {t["feature_source"] for t in body["tracks"]} == {"reccobeats"}
    assert server.kinds["features"] == 1


def test_spotify_audio_features_used_when_the_app_still_has_access(
    monkeypatch, spotify_env, spotify
):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_AUDIO_FEATURES", "1")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    disco = sp.discography("legacy-app", 1, tracks_per_album=4)
    CatalogServer(spotify, disco, reccobeats=False)
    assert_conforms(sp.spotify_audio_features(disco.track_ids), "/audio-features")
    # Unknown ids come back as null entries (the spec does not model that null).
    answer = sp.spotify_audio_features(disco.track_ids, unknown={disco.track_ids[0]})
    spotify.get(f"{API}/audio-features", json=answer)
    body = app.test_client().get(url(disco)).get_json()
    sources = [t["feature_source"] for t in body["tracks"]]
    assert sources.count("spotify") == 3 and sources.count(None) == 1


def test_build_runs_off_the_request_path_with_202_progress(monkeypatch, spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("BUILD_MODE", "thread")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    disco = sp.discography("threaded", 12, tracks_per_album=8)
    CatalogServer(spotify, disco)
    client = app.test_client()
    first = client.get(url(disco))
    assert first.status_code == 202
    assert first.get_json()["status"] in {"queued", "building"}
    deadline = time.time() + 20
    while time.time() < deadline:
        response = client.get(first.headers["Location"])
        if response.status_code == 200:
            break
        progress = response.get_json()["progress"]
        assert progress["albums_done"] <= progress["albums_total"] == 12
        time.sleep(0.05)
    assert response.status_code == 200 and len(response.get_json()["tracks"]) == 96


def test_a_refused_async_invoke_leaves_the_build_queued_for_the_schedule(
    monkeypatch, spotify_env, spotify
):
    """Lambda throttles or refuses the self-invoke: the visitor still gets 202, nothing is lost."""
    import zappa.asynchronous

    from app import create_app, tasks
    from app.config import TestingConfig

    def refused(*_args, **_kwargs):
        raise RuntimeError("Rate exceeded")

    monkeypatch.setenv("BUILD_MODE", "lambda")
    monkeypatch.setattr(zappa.asynchronous.LambdaAsyncResponse, "send", refused)
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    disco = sp.discography("refused", 3, tracks_per_album=4)
    server = CatalogServer(spotify, disco)
    response = app.test_client().get(url(disco))
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    monkeypatch.setattr(tasks, "_app", lambda: app)
    app.config["BUILD_MODE"] = "inline"  # the schedule's run, here without Lambda
    assert tasks.resume_builds() == {"resumed": [disco.artist["id"]]}
    assert app.test_client().get(url(disco)).status_code == 200
    assert all(n == 1 for n in server.calls.values())


def test_invalid_and_unknown_artists(connected, spotify):
    client = connected.test_client()
    bad = client.get("/api/artists/not-an-id/audio-features")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_argument"
    unknown = "0" * 22
    spotify.get(
        f"{API}/artists/{unknown}/albums",
        status=404,
        json={"error": {"status": 404, "message": "Resource not found"}},
    )
    missing = client.get(f"/api/artists/{unknown}/audio-features")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert ArtistCatalog.count(unknown) == 0


def test_expired_snapshot_refresh_only_fetches_new_albums(monkeypatch, spotify_env, spotify):
    from app import create_app
    from app.config import TestingConfig

    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    old = sp.discography("growing", 12, tracks_per_album=6)
    server = CatalogServer(spotify, old)
    client = app.test_client()
    with time_machine.travel(time.time(), tick=True) as clock:
        assert client.get(url(old)).status_code == 200
        built = dict(server.calls)
        new = sp.discography("growing", 13, tracks_per_album=6)  # one more release appeared
        server.disco = new
        clock.shift(8 * 86400)  # past CATALOG_TTL_DAYS (7)
        refreshed = client.get(url(new))
    body = refreshed.get_json()
    assert refreshed.status_code == 200 and len(body["tracks"]) == 13 * 6
    new_album = next(a for a in new.albums if a["id"] not in {x["id"] for x in old.albums})
    track_calls = [u for u in server.calls if "/tracks" in u and u not in built]
    assert track_calls == [f"{API}/albums/{new_album['id']}/tracks/?limit=50&offset=0"]
    assert server.kinds["features"] == 2 + 1  # 72 ids in two batches, then the 6 new ones


def test_builds_wait_instead_of_spending_the_whole_budget(monkeypatch, spotify_env, spotify):
    from datetime import UTC, datetime

    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SPOTIFY_DAILY_BUDGET", "40")
    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**8)
    disco = sp.discography("huge", 30, tracks_per_album=5)  # 3 album pages + 30 track pages
    server = CatalogServer(spotify, disco)
    client = app.test_client()
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC), tick=True) as clock:
        body = client.get(url(disco)).get_json()
        assert body["status"] == "waiting" and "budget" in body["message"]
        assert server.kinds["albums"] + server.kinds["tracks"] == 20  # half of the budget of 40
        status = client.get("/api/status").get_json()["spotify"]
        assert status["calls_today"] == 20
        clock.shift(15 * 3600)  # the next UTC day: the build goes on where it stopped
        done = client.get(url(disco))
    assert done.status_code == 200 and len(done.get_json()["tracks"]) == 150
    assert server.total == server.lower_bound()
    assert all(n == 1 for n in server.calls.values())


def test_a_ready_catalog_is_served_from_memory_then_rechecked(monkeypatch, connected, spotify):
    """Hits on a ready catalog read nothing from DynamoDB; a change there shows after the hold."""
    from app.services import catalog

    disco = sp.discography("held", 3, tracks_per_album=4)
    CatalogServer(spotify, disco)
    monkeypatch.setattr(catalog, "RECHECK_SECONDS", 0.5)
    client = connected.test_client()
    first = client.get(url(disco))
    assert first.status_code == 200
    reads = []
    real = catalog._catalog
    monkeypatch.setattr(catalog, "_catalog", lambda a: reads.append(a) or real(a))
    again = [client.get(url(disco)) for _ in range(5)]
    assert reads == []  # the held record answered
    assert {r.data for r in again} == {first.data} and {r.headers["ETag"] for r in again} == {
        first.headers["ETag"]
    }
    assert again[0].headers["Cache-Control"] == "public, max-age=3600"
    assert (
        client.get(url(disco), headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )

    record = ArtistCatalog.get(disco.artist["id"])
    rebuilt = record.ready_at + timedelta(seconds=1)  # as an operator's rebuild elsewhere
    record.update(actions=[ArtistCatalog.ready_at.set(rebuilt), ArtistCatalog.name.set("Renamed")])
    time.sleep(0.6)
    seen = client.get(url(disco))
    assert reads == [disco.artist["id"]]  # read again once the hold ran out
    assert seen.status_code == 200 and seen.get_json()["artist"]["name"] == "Renamed"
    assert seen.headers["ETag"] != first.headers["ETag"]


def test_search_artists(connected, spotify):
    artists = [sp.artist(f"s{i}", name=f"Search {i}") for i in range(3)]
    answer = sp.search_artists(artists, limit=5, query="search")
    assert_conforms(answer, "/search")
    spotify.get(
        f"{API}/search",
        json=answer,
        match=[
            matchers.query_param_matcher(
                {"q": "search", "type": "artist", "limit": "10", "offset": "0"}
            )
        ],
    )
    client = connected.test_client()
    body = client.get("/api/artists/search?q=search&limit=5").get_json()
    assert [a["name"] for a in body["items"]] == ["Search 0", "Search 1", "Search 2"]
    assert client.get("/api/artists/search?q=search&limit=5").status_code == 200
    assert len(spotify.calls) == 1
    too_many = client.get("/api/artists/search?q=x&limit=11")
    assert too_many.status_code == 400 and "'limit'" in too_many.get_json()["error"]["message"]
    assert client.get("/api/artists/search").status_code == 400


def test_flask_artists_build_command(connected, spotify):
    disco = sp.discography("cli", 4, tracks_per_album=3)
    CatalogServer(spotify, disco)
    result = connected.test_cli_runner().invoke(args=["artists", "build", disco.artist["id"]])
    assert result.exit_code == 0, result.output
    assert '"status": "ready"' in result.output
    assert len(list(ArtistAlbum.query(disco.artist["id"]))) == 4
    assert sum(1 for _ in TrackFeatures.scan()) == 12
    bad = connected.test_cli_runner().invoke(args=["artists", "build", "nope"])
    assert bad.exit_code != 0 and "invalid_argument" in bad.output


def test_sample_mode_artist_builds_from_bundled_data(client):
    sample = json.loads(Path("app/sample/artist.json").read_text())
    body = client.get(f"/api/artists/{sample['id']}/audio-features").get_json()
    assert body["status"] == "ready" and body["source"] == "sample"
    assert body["summary"]["coverage"]["with_features"] > 0
