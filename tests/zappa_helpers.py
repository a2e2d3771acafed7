"""Drive Zappa's real LambdaHandler with the settings module Zappa itself generates."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scheduled_event(function: str, stage: str = "dev") -> dict:
    """The EventBridge "Scheduled Event" Zappa routes by the rule name's text after the last '-'."""
    rule = f"arn:aws:events:us-east-1:123456789012:rule/spotify-data-api-{stage}-{function}"
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-23T12:00:00Z",
        "region": "us-east-1",
        "resources": [rule],
        "detail": {},
    }


@contextmanager
def lambda_handler(workdir: Path, stage: str = "dev") -> Iterator[object]:
    """A fresh zappa.handler.LambdaHandler loading `zappa_settings` generated for `stage`.

    The stage's settings are kept, but its tables are the test session's (same prefix), so the
    test can arrange and check data where the handler's app reads and writes it.
    """
    subprocess.run(
        [
            str(Path(sys.executable).parent / "zappa"),
            "save-python-settings-file",
            stage,
            "-o",
            str(workdir / "zappa_settings.py"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (workdir / "zappa_settings.py").open("a") as settings:
        settings.write(f"ENVIRONMENT_VARIABLES['TABLE_PREFIX'] = {os.environ['TABLE_PREFIX']!r}\n")
    from zappa.handler import LambdaHandler

    saved_env, saved_path = dict(os.environ), list(sys.path)
    sys.path.insert(0, str(workdir))
    LambdaHandler._LambdaHandler__instance = None
    LambdaHandler.settings = None
    sys.modules.pop("zappa_settings", None)
    try:
        yield LambdaHandler("zappa_settings")
    finally:
        LambdaHandler._LambdaHandler__instance = None
        LambdaHandler.settings = None
        sys.modules.pop("zappa_settings", None)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_env)
