"""Scheduled token refresh through Zappa's real handler and through `flask token refresh`."""

from __future__ import annotations

import time

import pytest
from responses import matchers

from app import tasks
from app.models import OwnerToken
from tests.fakes import spotify as sp
from tests.helpers import ACCOUNTS, store_owner_token
from tests.zappa_helpers import lambda_handler, scheduled_event


@pytest.fixture
def production_env(spotify_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "prod-like-secret")
    tasks._app.cache_clear()
    yield
    tasks._app.cache_clear()


def test_scheduled_refresh_through_zappas_handler(production_env, owner_app, spotify, tmp_path):
    store_owner_token(owner_app, expires_in=20 * 60)  # expires before the next 45-minute run
    spotify.post(
        f"{ACCOUNTS}/api/token",
        json=sp.token_response("access-sched"),
        match=[
            matchers.urlencoded_params_matcher(
                {"grant_type": "refresh_token", "refresh_token": "refresh-0"}
            )
        ],
    )
    with lambda_handler(tmp_path) as handler:
        summary = handler.handler(scheduled_event("app.tasks.refresh_token"), None)
    assert summary["refreshed"] is True
    token = OwnerToken.get(OwnerToken.KEY).token
    assert token["access_token"] == "access-sched" and token["refresh_token"] == "refresh-0"
    assert token["expires_at"] > time.time() + 3000


def test_scheduled_refresh_is_idempotent_when_not_due(production_env, owner_app, spotify):
    store_owner_token(owner_app, expires_in=3500)
    assert tasks.refresh_token({}, None)["refreshed"] is False
    assert tasks.refresh_token()["refreshed"] is False
    assert len(spotify.calls) == 0


def test_refresh_warns_two_weeks_before_the_six_month_limit(
    production_env, owner_app, spotify, capsys
):
    from datetime import UTC, datetime, timedelta

    store_owner_token(owner_app, expires_in=3500)
    record = OwnerToken.get(OwnerToken.KEY)
    record.authorized_at = datetime.now(UTC) - timedelta(days=172)
    record.save()
    capsys.readouterr()
    summary = tasks.refresh_token()
    assert summary["refresh_token_days_left"] == pytest.approx(10, abs=0.1)
    assert "expires soon" in capsys.readouterr().out


def test_flask_token_refresh_command(owner_app, spotify):
    store_owner_token(owner_app, expires_in=60)
    spotify.post(f"{ACCOUNTS}/api/token", json=sp.token_response("access-cli", "refresh-cli"))
    result = owner_app.test_cli_runner().invoke(args=["token", "refresh", "--within", "45"])
    assert result.exit_code == 0, result.output
    assert OwnerToken.get(OwnerToken.KEY).token["refresh_token"] == "refresh-cli"


def test_zappa_command_event_creates_tables(production_env, tmp_path):
    with lambda_handler(tmp_path) as handler:
        result = handler.handler({"command": "app.tasks.create_tables"}, None)
    assert set(result.values()) == {"exists"}
