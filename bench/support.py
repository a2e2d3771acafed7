"""Shared bench plumbing: a throwaway local DynamoDB and an app wired to it before import."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.helpers import free_port  # noqa: F401 - the benches' import point for it

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@contextmanager
def local_dynamodb(prefix: str = "spotify-api-bench") -> Iterator[str]:
    """Start dynalite on a free port with fresh data, and set the env every app here reads."""
    port = free_port()
    data = tempfile.mkdtemp(prefix="dynamodb-bench-")
    env = {
        "STAGE": "bench",
        "TABLE_PREFIX": prefix,
        "DYNAMODB_HOST": f"http://127.0.0.1:{port}",
        "DYNAMODB_PORT": str(port),
        "DYNAMODB_DATA": f"{data}/data",
        "AWS_REGION": "us-east-1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    script = str(ROOT / "scripts" / "dynamodb.sh")
    subprocess.run([script, "start"], check=True, cwd=ROOT, capture_output=True)
    try:
        from app import db, models
        from app.config import TestingConfig

        models.configure(vars(TestingConfig()))  # the env above: this dynalite, this prefix
        db.create_tables()
        yield env["DYNAMODB_HOST"]
    finally:
        subprocess.run([script, "stop"], cwd=ROOT, capture_output=True)


def spotify_env(budget: int = 600) -> None:
    """Configure a Spotify app and owner, as a deployment would (values are fakes)."""
    os.environ.update(
        SPOTIFY_CLIENT_ID="bench-client",
        SPOTIFY_CLIENT_SECRET="bench-secret",
        SPOTIFY_OWNER_ID="bench-owner",
        SECRET_KEY="bench-secret-key",
        SPOTIFY_DAILY_BUDGET=str(budget),
    )


def connect_owner(app: Any, lifetime: int = 3600) -> None:
    """Store an owner token as a finished login would."""
    token = {
        "access_token": "bench-access",
        "token_type": "Bearer",
        "expires_in": 3600,
        "expires_at": int(time.time()) + lifetime,
        "refresh_token": "bench-refresh",
        "scope": app.config["SPOTIFY_SCOPES"],
    }
    with app.app_context():
        app.extensions["spotify"].auth.store.connect("bench-owner", token)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def record(name: str, rows: list[dict[str, Any]]) -> None:
    """Save a bench's figures (figure, value, baseline, ratio) for bench/RESULTS.md."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=2) + "\n")
