"""API fuzzing with schemathesis against the app's own /openapi.json: no 5xx, answers as documented.

Runs every documented operation through schemathesis's generated cases and all of its checks,
in sample mode and with a connected owner against a fake Spotify (tests/fakes/spotify_app.py).
schemathesis's lazy pytest fixture does not run on this pytest, so cases are driven directly.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.helpers import store_owner_token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))  # bench/fuzz.py asks for more
# The OAuth callback's `state` must be one the server issued: no schema can say so, so a
# schema-valid callback is rightly refused (400 invalid_state). Every other check still runs.
NONCE_CHECKED = {"GET /auth/callback": [positive_data_acceptance]}
# History periods: `from` must not come after `to`, `tz` must be a zone the tz database knows,
# and a `cursor` must be one the API gave out. No schema can say those; the rest is checked.
NONCE_CHECKED["GET /api/history/stats"] = [positive_data_acceptance]
NONCE_CHECKED["GET /api/history"] = [positive_data_acceptance]


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the schema lost operations"
    return operations


def _run(operation) -> None:
    """Every generated case of one operation, through all of schemathesis's checks."""
    excluded = NONCE_CHECKED.get(operation.label, [])

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case):
        case.call_and_validate(excluded_checks=excluded)

    check()


def _fuzz(app) -> None:
    failures = []
    for operation in _operations(app):
        try:
            _run(operation)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_fuzz_sample_mode(app):
    _fuzz(app)


def test_fuzz_with_spotify_connected(spotify_env, fake_spotify_world):
    from app import create_app
    from app.config import TestingConfig

    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**6)
    _fuzz(app)
    assert fake_spotify_world.calls.get("api", 0) > 0, "the fuzzing never reached Spotify"


pytestmark = pytest.mark.timeout(600)
