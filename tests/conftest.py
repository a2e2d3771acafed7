"""Shared fixtures: a local DynamoDB server for the session, a fresh app per test, clean tables."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Models read these when app.models is first imported, so set them before any app import.
_PORT = _free_port()
_DATA = tempfile.mkdtemp(prefix="dynamodb-test-")
os.environ.update(
    STAGE="test",
    TABLE_PREFIX="spotify-api-test",
    DYNAMODB_HOST=f"http://127.0.0.1:{_PORT}",
    DYNAMODB_PORT=str(_PORT),
    DYNAMODB_DATA=f"{_DATA}/data",
    AWS_REGION="us-east-1",
)
for _name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID", "SECRET_KEY"):
    os.environ.pop(_name, None)


class LocalDynamoDB:
    """The test session's dynalite process, driven through the project's own script."""

    def _script(self, action: str) -> None:
        subprocess.run([str(ROOT / "scripts" / "dynamodb.sh"), action], check=True, cwd=ROOT)

    def start(self) -> None:
        self._script("start")

    def stop(self) -> None:
        self._script("stop")


@pytest.fixture(scope="session")
def dynamodb() -> Iterator[LocalDynamoDB]:
    from app import db

    server = LocalDynamoDB()
    server.start()
    db.create_tables()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_tables(dynamodb: LocalDynamoDB) -> None:
    """Empty every table before each test so tests never see each other's data."""
    from app.models import MODELS

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
