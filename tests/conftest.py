"""Shared fixtures: a local DynamoDB server for the session, a fresh app per test, clean tables."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest

from tests.documented import documented_schema_errors
from tests.helpers import CLIENT_ID, CLIENT_SECRET, LEAK_PATTERN, OWNER_ID, free_port

ROOT = Path(__file__).resolve().parents[1]


# The test session's settings, read by every app the tests create (TestingConfig reads the env).
_PORT = free_port()
_DATA = tempfile.mkdtemp(prefix="dynamodb-test-")
os.environ.update(
    STAGE="test",
    TABLE_PREFIX="spotify-api-test",
    DYNAMODB_HOST=f"http://127.0.0.1:{_PORT}",
    DYNAMODB_PORT=str(_PORT),
    DYNAMODB_DATA=f"{_DATA}/data",
    AWS_REGION="us-east-1",
)
# A developer's shell or Makefile may export settings; tests start from the documented defaults.
_SCRUB = {"SECRET_KEY", "SAMPLE_MODE", "FLASK_DEBUG", "FLASK_ENV", "LOG_LEVEL", "CORS_ORIGINS"}
_SCRUB |= {"BUILD_MODE", "SITE_API_BASE", "RECCOBEATS_URL", "FEATURES_BATCH_SIZE"}
_SCRUB |= {"CATALOG_TTL_DAYS", "BUILD_SLICE_SECONDS", "TOKEN_REFRESH_INTERVAL_MINUTES"}
for _name in list(os.environ):
    if _name in _SCRUB or _name.startswith("SPOTIFY_"):
        os.environ.pop(_name, None)


class LocalDynamoDB:
    """The test session's dynalite process, driven through the project's own script."""

    def _script(self, action: str) -> None:
        subprocess.run([str(ROOT / "scripts" / "dynamodb.sh"), action], check=True, cwd=ROOT)

    def start(self) -> None:
        self._script("start")

    def stop(self) -> None:
        self._script("stop")

    def _pid(self) -> int:
        run_dir = Path(os.environ["DYNAMODB_DATA"]).parent  # where scripts/dynamodb.sh keeps it
        return int((run_dir / f"dynamodb-{os.environ['DYNAMODB_PORT']}.pid").read_text())

    def stall(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted, nothing is answered."""
        os.kill(self._pid(), signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self._pid(), signal.SIGCONT)


@pytest.fixture(scope="session")
def session_config() -> dict:
    """The test session's app config: the models are pointed at its store before each test."""
    from app import create_app
    from app.config import TestingConfig

    return dict(create_app(TestingConfig).config)


@pytest.fixture(scope="session")
def dynamodb(session_config) -> Iterator[LocalDynamoDB]:
    from app import db, models

    server = LocalDynamoDB()
    server.start()
    models.configure(session_config)
    db.create_tables()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_tables(dynamodb: LocalDynamoDB, session_config: dict) -> None:
    """Empty every table before each test so tests never see each other's data."""
    from app import models
    from app.models import MODELS

    models.configure(session_config)  # a fresh container: the test store, no breaker open
    for model in MODELS:
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)


@pytest.fixture
def app():
    from app import create_app
    from app.config import TestingConfig

    return create_app(TestingConfig)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def spotify_env(monkeypatch):
    """Configure a Spotify app and owner, as a deployment would."""
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SPOTIFY_OWNER_ID", OWNER_ID)


@pytest.fixture
def owner_app(spotify_env):
    """A fresh app configured for Spotify (not sample mode)."""
    from app import create_app
    from app.config import TestingConfig

    return create_app(TestingConfig)


@pytest.fixture
def spotify():
    """Spotify faked at the HTTP layer; every registered answer must be used."""
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


# --- No token or secret may appear in a log line or a response body, in any test. ---------------
# --- Every timestamp in a JSON answer is RFC 3339 UTC with a Z (whole seconds, or Spotify's ms). -
_bodies: list[str] = []
_bad_times: list[str] = []
_off_schema: list[str] = []  # answers that do not match the schema /openapi.json documents
_TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:")
_RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _record_body(sender, response, **_):
    if response.direct_passthrough or response.mimetype not in {"application/json", "text/html"}:
        return
    _bodies.append(response.get_data(as_text=True))
    if response.mimetype == "application/json":
        body = json.loads(_bodies[-1] or "null")
        found = _strings(body)
        _bad_times.extend(t for t in found if _TIMESTAMP_LIKE.match(t) and not _RFC3339_Z.match(t))
        _off_schema.extend(documented_schema_errors(sender, response.status_code, body))


flask.request_finished.connect(_record_body)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "setup":
        _bodies.clear()
        _bad_times.clear()
        _off_schema.clear()
    if report.when != "teardown":
        return
    places = [(name, text) for name, text in report.sections if name.startswith("Captured")]
    places += [("response body", body) for body in _bodies]
    leaks = [(name, m.group(0)) for name, text in places for m in LEAK_PATTERN.finditer(text)]
    if leaks:
        report.outcome = "failed"
        report.longrepr = f"secret or token leaked: {leaks[:5]}"
    elif _bad_times:
        report.outcome = "failed"
        report.longrepr = f"timestamps not RFC 3339 UTC with Z: {sorted(set(_bad_times))[:5]}"
    elif _off_schema:
        report.outcome = "failed"
        report.longrepr = "answers that break their documented schema:\n" + "\n".join(
            sorted(set(_off_schema))[:5]
        )


@pytest.fixture
def fake_spotify_world():
    """All of Spotify and ReccoBeats answered by the fake app; the stored test token is valid."""
    import responses

    from tests.fakes.spotify_app import create_app, mount

    fake = create_app()
    state = fake.extensions["fake_spotify"]
    state.access.add("access-0")
    state.refresh.add("refresh-0")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mount(mock, fake, "https://accounts.spotify.com")
        mount(mock, fake, "https://api.spotify.com")
        mount(mock, fake, "https://api.reccobeats.com", prefix="/reccobeats")
        yield state


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the Lambda zip's size after the run, when the package tests used it."""
    import zipfile

    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])]
    if not any(r.nodeid.startswith("tests/test_package.py") for r in reports):
        return
    for path in sorted((ROOT / "dist").glob("spotify-data-api-*.zip")):
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            files = len(archive.infolist())
        terminalreporter.write_line(
            f"Lambda package {path.relative_to(ROOT)}: {path.stat().st_size / 2**20:.2f} MiB "
            f"zipped, {unzipped / 2**20:.2f} MiB unzipped, {files} files"
        )
