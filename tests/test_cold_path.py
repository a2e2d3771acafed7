"""What a new container imports: no spotipy (nor redis) until Spotify is called; no CLI on Lambda.

That rich (structlog's dev renderer) stays out is checked on the Lambda zip in test_package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes import spotify as sp
from tests.helpers import API, store_owner_token

ROOT = Path(__file__).resolve().parents[1]
# A second container on the same tables: builds the app as wsgi.py does on Lambda, serves a
# liveness check and the owner's cached now-playing, then reports what it had to import.
SECOND_CONTAINER = """
import json, sys
from app import create_app
from app.config import TestingConfig

app = create_app(TestingConfig)
client = app.test_client()
answers = [client.get(path).status_code for path in ("/health", "/api/now-playing")]
names = ("spotipy", "redis", "app.cli")
print(json.dumps({"answers": answers, "imported": [n for n in names if n in sys.modules]}))
"""


def _second_container(**env: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SECOND_CONTAINER],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cached_hit_in_a_new_container_imports_no_spotipy(owner_app, spotify) -> None:
    store_owner_token(owner_app, expires_in=10**7)
    spotify.get(f"{API}/me/player/currently-playing", json=sp.currently_playing(sp.track("t")))
    assert owner_app.test_client().get("/api/now-playing").status_code == 200  # cached now

    on_lambda = _second_container(AWS_LAMBDA_FUNCTION_NAME="spotify-data-api-test")
    assert on_lambda == {"answers": [200, 200], "imported": []}
    # Locally the `flask` CLI needs its commands, so they are registered there.
    assert "app.cli" in _second_container()["imported"]


def test_the_openapi_document_is_built_when_first_asked_for(app) -> None:
    from app.extensions import api

    assert api._spec.to_dict()["paths"] == {}  # nothing documented yet: the app is built
    served = app.test_client().get("/openapi.json").get_json()
    assert {"/api/now-playing", "/api/history/stats", "/health"} <= set(served["paths"])
    assert served == app.test_client().get("/openapi.json").get_json()  # documented once
