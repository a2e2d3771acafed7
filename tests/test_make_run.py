"""The README's first command, `make run`, brings the service up in sample mode on a fresh setup."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tests.helpers import free_port

pytestmark = pytest.mark.timeout(180)


def test_make_run_serves_health_site_and_sample_data(tmp_path: Path) -> None:
    port, db_port = free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DYNAMODB_HOST", "TABLE_PREFIX", "FLASK_DEBUG", "SECRET_KEY"}
    }
    env.update(
        STAGE="local",
        PORT=str(port),
        DYNAMODB_PORT=str(db_port),
        DYNAMODB_DATA=str(tmp_path / "dynamodb" / "data"),
    )
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert server.poll() is None, log.read_text(errors="replace")[-3000:]
        assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
        assert "<html" in requests.get(f"{base}/", timeout=5).text
        now = requests.get(f"{base}/api/now-playing", timeout=10).json()
        assert now["source"] == "sample"
        history = requests.get(f"{base}/api/history/stats?period=all", timeout=10).json()
        assert history["totals"]["plays"] > 5_000  # the synthetic history, so the site is full
    finally:
        with contextlib.suppress(ProcessLookupError):  # make may have exited on its own
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
        subprocess.run([str(ROOT / "scripts" / "dynamodb.sh"), "stop"], cwd=ROOT, env=env)
