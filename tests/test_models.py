"""Models round-trip over HTTP against the session's local DynamoDB server."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import PutError

from app.cache_backend import DynamoDBCache
from app.models import (
    ArtistAlbum,
    ArtistCatalog,
    CacheEntry,
    CircuitState,
    Counter,
    OAuthState,
    OwnerToken,
    StoredTrack,
    TrackFeatures,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_every_table_is_on_the_local_server():
    assert OwnerToken.Meta.host.startswith("http://127.0.0.1:")
    assert OwnerToken.Meta.table_name == "spotify-api-test-tokens"
    assert OwnerToken.exists()


def test_owner_token_round_trip():
    token = {"access_token": "a", "refresh_token": "r", "expires_at": 1, "scope": "x"}
    OwnerToken(user_id="owner1", token=token, authorized_at=NOW).save()
    stored = OwnerToken.get(OwnerToken.KEY)
    assert stored.token == token and stored.user_id == "owner1"
    assert stored.authorized_at == NOW and stored.version == 1


def test_versioned_write_conflict_is_detected_not_overwritten():
    OwnerToken(user_id="owner1", token={"v": 0}, authorized_at=NOW).save()
    first, second = OwnerToken.get(OwnerToken.KEY), OwnerToken.get(OwnerToken.KEY)
    first.token = {"v": 1}
    first.save()
    second.token = {"v": 2}
    with pytest.raises(PutError) as info:
        second.save()
    assert info.value.cause_response_code == "ConditionalCheckFailedException"
    assert OwnerToken.get(OwnerToken.KEY).token == {"v": 1}


def test_counter_increments_atomically():
    counter = Counter("calls#2026-11-23")
    for _ in range(3):
        counter.update(actions=[Counter.value.add(1)])
    assert Counter.get("calls#2026-11-23").value == 3


def test_small_state_models_round_trip():
    OAuthState("s1", expires_at=NOW).save()
    CircuitState("spotify", open_until=123, reason="QUOTA_EXCEEDED").save()
    assert OAuthState.get("s1").expires_at == NOW
    assert CircuitState.get("spotify").reason == "QUOTA_EXCEEDED"


def test_catalog_models_round_trip():
    ArtistCatalog("artist1", name="Band", status="building", albums_total=2).save()
    track = StoredTrack(id="t1", name="Song", track_number=1, disc_number=1, duration_ms=1000)
    ArtistAlbum("artist1", "album1", name="LP", album_type="album", tracks=[track]).save()
    TrackFeatures("t1", features={"energy": 0.5}, source="reccobeats", fetched_at=NOW).save()
    assert ArtistCatalog.get("artist1").status == "building"
    album = next(ArtistAlbum.query("artist1"))
    assert album.tracks[0].name == "Song" and album.tracks[0].explicit is False
    assert TrackFeatures.get("t1").features.as_dict() == {"energy": 0.5}


def test_cache_backend_round_trip_expiry_and_add():
    cache = DynamoDBCache(key_prefix="t:")
    big = {"rows": ["x" * 100] * 10_000}  # ~1 MB raw: compressed below the item limit
    assert cache.set("big", big, timeout=60)
    assert cache.get("big") == big
    assert cache.add("lock", 1, timeout=60) is True
    assert cache.add("lock", 2, timeout=60) is False
    cache.set("short", 1, timeout=1)
    time.sleep(1.1)
    assert cache.get("short") is None
    assert cache.add("short", 2, timeout=60) is True  # an expired entry can be re-taken


def test_cache_value_over_the_item_limit_is_split_and_rejoined():
    cache = DynamoDBCache(key_prefix="t:")
    noise = os.urandom(900_000)  # incompressible: three parts after compression
    assert cache.set("huge", {"blob": noise}, timeout=60)
    entry = CacheEntry.get("t:huge")
    assert entry.parts == 3 and entry.value == b""
    assert cache.get("huge") == {"blob": noise}
    assert cache.set("huge", {"blob": noise[::-1]}, timeout=60)  # rewrite: fresh part names
    assert cache.get("huge") == {"blob": noise[::-1]}
    rewritten = CacheEntry.get("t:huge")
    CacheEntry(f"t:huge#{rewritten.parts_id}:1").delete()
    assert cache.get("huge") is None  # a lost part is a miss, never a corrupt value


def test_db_create_is_idempotent(runner):
    first = json.loads(runner.invoke(args=["db", "create"]).output)
    second = json.loads(runner.invoke(args=["db", "create"]).output)
    assert set(first.values()) == {"exists"} == set(second.values())
    status = json.loads(runner.invoke(args=["db", "status"]).output)
    assert status["reachable"] and set(status["tables"].values()) == {"present"}


def test_db_create_creates_a_missing_table(runner):
    Counter.delete_table()
    result = json.loads(runner.invoke(args=["db", "create"]).output)
    assert result[Counter.Meta.table_name] == "created"
    assert list(result.values()).count("created") == 1


@pytest.fixture
def short_breaker(monkeypatch):
    monkeypatch.setenv("DYNAMODB_BREAKER_SECONDS", "0.5")


def test_stopped_dynamodb_is_reported_fast_and_health_stays_up(short_breaker, client, dynamodb):
    dynamodb.stop()
    try:
        started = time.perf_counter()
        status = client.get("/api/status")
        elapsed = time.perf_counter() - started
        assert status.status_code == 200
        assert status.get_json()["dynamodb"]["reachable"] is False
        assert elapsed < 2.0
        assert client.get("/health").status_code == 200
    finally:
        dynamodb.start()
    time.sleep(0.5)  # this container's breaker stays open for DYNAMODB_BREAKER_SECONDS
    assert client.get("/api/status").get_json()["dynamodb"]["reachable"] is True
