"""CloudWatch metrics as EMF lines: one per request or task, read back from the captured stdout."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from responses import matchers

from app import tasks
from app.models import OwnerToken
from tests.fakes import spotify as sp
from tests.helpers import ACCOUNTS, API, store_owner_token

NOW_URL = f"{API}/me/player/currently-playing"
NOW_ARGS = [matchers.query_param_matcher({"additional_types": "track,episode"})]
RECENT_URL = f"{API}/me/player/recently-played"
QUOTA = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}


@pytest.fixture
def emf_app(spotify_env, monkeypatch):
    """An app as on Lambda: metrics on (METRICS=emf) for the stage `test`."""
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("METRICS", "emf")
    monkeypatch.setenv("STAGE", "test")
    app = create_app(TestingConfig)
    tasks._app.cache_clear()
    monkeypatch.setattr(tasks, "_app", lambda: app)
    yield app
    monkeypatch.delenv("METRICS")
    create_app(TestingConfig)  # metrics off again for the tests after this one


def emf_lines(capsys) -> list[dict]:
    """Every EMF line written since the last call, checked against the format's own rules."""
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    for line in lines:
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "SpotifyDataApi"
        assert directive["Dimensions"] == [["stage"]] and line["stage"] == "test"
        names = [m["Name"] for m in directive["Metrics"]]
        assert len(names) == len(set(names)), "each metric once per line"
        assert all(name in line for name in names)
    return lines


def values(line: dict) -> dict:
    names = [m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    return {name: line[name][0] if isinstance(line[name], list) else line[name] for name in names}


def test_a_request_writes_one_line_with_calls_cache_and_budget(emf_app, spotify, capsys):
    store_owner_token(emf_app, expires_in=10**7)
    spotify.get(NOW_URL, json=sp.currently_playing(sp.track("t")), match=NOW_ARGS)
    client = emf_app.test_client()
    capsys.readouterr()
    assert client.get("/api/now-playing").status_code == 200
    [line] = emf_lines(capsys)
    found = values(line)
    assert found["SpotifyCalls"] == 1 and found["CacheMisses"] == 1
    assert found["ServerErrors"] == 0 and found["LatencyMs"] > 0
    budget = emf_app.config["SPOTIFY_DAILY_BUDGET"]
    assert found["BudgetUsedPercent"] == pytest.approx(100 / budget, abs=0.01)
    assert line["spotify_calls_by_class"] == {"listening": 1}
    assert line["budget_by_share"]["total"] == {"used": 1, "remaining": budget - 1}
    assert line["budget_by_share"]["listening"]["used"] == 1
    units = {m["Name"]: m["Unit"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units["LatencyMs"] == "Milliseconds" and units["BudgetUsedPercent"] == "Percent"

    for _ in range(3):  # cached hits: one line each, no call
        assert client.get("/api/now-playing").status_code == 200
    hits = emf_lines(capsys)
    assert len(hits) == 3
    assert all(values(h)["CacheHits"] == 1 and "SpotifyCalls" not in values(h) for h in hits)


def test_a_rate_limited_refresh_counts_the_error_the_breaker_and_the_stale_answer(
    emf_app, spotify, capsys
):
    store_owner_token(emf_app, expires_in=10**7)
    spotify.get(NOW_URL, json=sp.currently_playing(sp.track("t")), match=NOW_ARGS)
    client = emf_app.test_client()
    assert client.get("/api/now-playing").status_code == 200
    spotify.get(NOW_URL, status=429, json=QUOTA, headers={"Retry-After": "50000"})
    with time_machine.travel(time.time() + 3600):
        capsys.readouterr()
        answer = client.get("/api/now-playing")
    assert answer.status_code == 200 and answer.get_json()["stale"] is True
    [line] = emf_lines(capsys)
    found = values(line)
    assert found["UpstreamErrors"] == 1 and found["BreakerOpenings"] == 1
    assert found["CacheStale"] == 1 and found["SpotifyCalls"] == 1
    assert line["upstream_errors_by_kind"] == {"spotify:RateLimited": 1}


def test_the_refresh_task_reports_token_days_left_then_a_lost_authorization(
    emf_app, spotify, capsys
):
    store_owner_token(emf_app, expires_in=3500)
    record = OwnerToken.get(OwnerToken.KEY)
    record.authorized_at = datetime.now(UTC) - timedelta(days=172)
    record.save()
    capsys.readouterr()
    tasks.refresh_token({}, None)
    [line] = emf_lines(capsys)
    assert values(line)["TokenDaysLeft"] == pytest.approx(10, abs=0.1)
    assert values(line)["ReauthorizationRequired"] == 0

    store_owner_token(emf_app, expires_in=60)  # due: the refresh finds the grant revoked
    spotify.post(f"{ACCOUNTS}/api/token", status=400, json={"error": "invalid_grant"})
    capsys.readouterr()
    tasks.refresh_token({}, None)
    [line] = emf_lines(capsys)
    assert values(line)["ReauthorizationRequired"] == 1
    assert values(line)["SpotifyCalls"] == 1 and line["spotify_calls_by_class"] == {"token": 1}


def test_the_archive_task_reports_its_lag_also_when_it_cannot_run(emf_app, spotify, capsys):
    store_owner_token(emf_app, expires_in=10**7)
    played = datetime.now(UTC) - timedelta(minutes=5)
    recent = sp.recently_played([sp.play_history(sp.track("t"), played)], limit=50)
    spotify.get(RECENT_URL, json=recent)
    capsys.readouterr()
    tasks.archive_plays({}, None)
    [line] = emf_lines(capsys)
    assert values(line)["ArchiveLagMinutes"] == pytest.approx(0, abs=0.1)

    OwnerToken.get(OwnerToken.KEY).delete()  # the owner disconnected: the run is skipped
    emf_app.extensions["spotify"].owner_record(fresh=True)
    with time_machine.travel(time.time() + 3 * 3600):
        capsys.readouterr()
        assert "skipped" in tasks.archive_plays({}, None)
    [line] = emf_lines(capsys)
    assert values(line)["ArchiveLagMinutes"] == pytest.approx(180, abs=1)


def test_off_the_lambda_no_line_is_written(client, capsys) -> None:
    capsys.readouterr()
    assert client.get("/api/now-playing").status_code == 200
    assert '"_aws"' not in capsys.readouterr().out
