"""The live archive and the owner's tools: plays kept as Spotify lists them, gaps said, cleanup."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine

from app import tasks
from app.models import Play, Rollup
from tests.fakes import spotify as sp
from tests.helpers import API, store_owner_token

RECENT_URL = f"{API}/me/player/recently-played"
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def recent(n: int, newest: datetime, prefix: str = "p") -> dict:
    plays = [
        sp.play_history(sp.track(f"{prefix}{i}"), newest - timedelta(minutes=4 * i))
        for i in range(n)
    ]
    return sp.recently_played(plays, limit=50)


@pytest.fixture
def owner(monkeypatch, owner_app):
    store_owner_token(owner_app, expires_in=10**8)
    monkeypatch.setattr(tasks, "_app", lambda: owner_app)
    return owner_app


def test_the_archive_stores_new_plays_from_the_last_one_on(owner, spotify):
    spotify.get(RECENT_URL, json=recent(5, START))
    first = tasks.archive_plays()
    assert (first["calls"], first["added"]) == (1, 5)
    stored_last = first["last_ms"]
    assert stored_last is None
    after = int((START).timestamp() * 1000)
    spotify.get(
        RECENT_URL,
        json=recent(2, START + timedelta(minutes=30), prefix="q"),
        match=[responses.matchers.query_param_matcher({"limit": "50", "after": str(after)})],
    )
    second = tasks.archive_plays()
    assert (second["calls"], second["added"], second["last_ms"]) == (1, 2, after)
    assert len(list(Play.scan())) == 7
    assert {p.source for p in Play.scan()} == {"live"}


def test_plays_a_visitor_already_fetched_cost_the_archive_no_call(owner, spotify):
    spotify.get(RECENT_URL, json=recent(3, START))
    with time_machine.travel(START + timedelta(minutes=1), tick=True):
        assert owner.test_client().get("/api/recently-played").status_code == 200
        summary = tasks.archive_plays()
    assert (summary["calls"], summary["added"]) == (0, 3)
    assert len(spotify.calls) == 1


def test_fifty_new_plays_mean_some_may_be_lost_and_that_is_recorded(owner, spotify):
    spotify.get(RECENT_URL, json=recent(2, START))
    tasks.archive_plays()
    later = START + timedelta(days=2)
    spotify.get(RECENT_URL, json=recent(50, later, prefix="g"))
    summary = tasks.archive_plays()
    assert summary["added"] == 50
    body = owner.test_client().get("/api/history/stats?period=all").get_json()
    [gap] = body["coverage"]["gaps"]
    assert gap["from"] == "2026-11-20T08:00:00Z" and gap["to"] < later.strftime("%Y-%m-%dT%H:%M")
    assert body["coverage"]["sources"]["live"]["to"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_archive_spends_the_listening_share_and_stops_when_not_connected(owner, spotify):
    spotify.get(RECENT_URL, json=recent(1, START))
    tasks.archive_plays()
    shares = owner.test_client().get("/api/status").get_json()["spotify"]["shares"]
    assert shares["listening"]["used"] == 1
    with owner.app_context():
        from app.services import owner as owner_service

        owner_service.disconnect()
    assert tasks.archive_plays() == {"skipped": "NotConnected"}


def test_scheduled_archive_through_zappas_handler(monkeypatch, owner_app, spotify, tmp_path):
    from tests.zappa_helpers import lambda_handler, scheduled_event

    monkeypatch.setenv("SECRET_KEY", "prod-like-secret")
    tasks._app.cache_clear()
    store_owner_token(owner_app, expires_in=10**8)
    spotify.get(RECENT_URL, json=recent(4, START))
    try:
        with lambda_handler(tmp_path) as handler:
            summary = handler.handler(scheduled_event("app.tasks.archive_plays"), None)
    finally:
        tasks._app.cache_clear()
    assert summary["added"] == 4 and summary["calls"] == 1


# --- the owner's tools ------------------------------------------------------------------------


def _fill(app, runner):
    from app.services.history import ingest
    from app.services.history.plays import Stream

    base = int(datetime(2024, 1, 10, 12, tzinfo=UTC).timestamp() * 1000)
    day = 86_400_000
    with app.app_context():
        ingest.store(Stream(base + n * day * 10, 120_000, f"T{n}", "Band", "LP") for n in range(40))


def test_forget_before_a_date_deletes_plays_and_their_summaries(app, runner):
    _fill(app, runner)
    result = runner.invoke(args=["history", "forget", "--before", "2024-06-01"])
    assert result.exit_code == 0, result.output
    kept = sorted(p.ended_at for p in Play.scan())
    assert kept[0] >= "2024-06-01" and json.loads(result.output)["deleted"] == 40 - len(kept)
    periods = {r.period for r in Rollup.scan()}
    assert not any(p < "day#2024-06-01" for p in periods if p.startswith("day#"))
    assert "month#2024-01" not in periods and "month#2024-06" in periods
    stats = app.test_client().get("/api/history/stats?period=2024").get_json()
    assert stats["totals"]["plays"] == len([k for k in kept if k.startswith("2024")])


def test_rebuild_rollups_gives_the_same_summaries(app, runner):
    _fill(app, runner)
    before = app.test_client().get("/api/history/stats?period=all&top=5").get_json()
    wanted = {r.period for r in Rollup.scan() if not r.period.startswith("meta#")}
    with Rollup.batch_write() as batch:
        for period in wanted:
            batch.delete(Rollup(period))
    result = runner.invoke(args=["history", "rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert {r.period for r in Rollup.scan() if not r.period.startswith("meta#")} == wanted
    with app.app_context():
        from app.services.freshness import local_cache

        app.extensions.pop("local-cache:envelopes", None)
        assert local_cache("envelopes", 2).get("x") is None
    after = app.test_client().get("/api/history/stats?period=all&top=5&tz=UTC").get_json()
    assert after["totals"] == before["totals"] and after["top"] == before["top"]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_export_gives_every_play_back(app, runner, kind):
    _fill(app, runner)
    result = runner.invoke(args=["history", "export", "--format", kind])
    assert result.exit_code == 0, result.output
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(result.output)))
    else:
        rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 40 and rows[0]["track"] == "T0" and rows[-1]["track"] == "T39"
    assert rows[0]["ended_at"] == "2024-01-10T12:00:00.000Z"


def test_sample_mode_has_about_three_years_of_history(app, runner):
    started = time.perf_counter()
    result = runner.invoke(args=["history", "sample"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] > 5_000
    again = runner.invoke(args=["history", "sample"])
    assert json.loads(again.output) == {"added": 0, "already": True}
    body = app.test_client().get("/api/history/stats?period=all").get_json()
    first = datetime.fromisoformat(body["period"]["from"])
    assert (datetime.now(UTC).date() - first.date()).days >= 3 * 365 - 1
    assert time.perf_counter() - started < 120
