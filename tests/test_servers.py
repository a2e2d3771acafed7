"""The app behind the real servers people run it with: one Date header each, whoever adds it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers import free_port

PATHS = ("/health", "/api/now-playing", "/api/top/tracks?limit=3", "/api/nope")


def _wait(port: int, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server never listened")


@pytest.fixture(scope="module", params=["gunicorn", "flask run"])
def server(request, dynamodb) -> Iterator[int]:
    port = free_port()
    bin_dir = Path(sys.executable).parent
    command = {
        "gunicorn": [str(bin_dir / "gunicorn"), "-b", f"127.0.0.1:{port}", "wsgi:app"],
        "flask run": [str(bin_dir / "flask"), "run", "--port", str(port)],
    }[request.param]
    env = {**os.environ, "SAMPLE_MODE": "1", "SECRET_KEY": "servers-test", "FLASK_APP": "wsgi"}
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("path", PATHS)
def test_one_date_header(server: int, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert len(response.msg.get_all("Date") or []) == 1, response.msg.items()
