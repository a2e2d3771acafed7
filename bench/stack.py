"""The service as deployed, on loopback: dynalite, a fake Spotify server and gunicorn (2 workers).

Used by the load run and the fault matrix. Every process writes its log into one folder, which
`scan_logs` searches afterwards for any token or secret the run handled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.bare_app import Answers, save
from bench.support import ROOT, free_port

OWNER_ID = "sample-listener"  # the id in app/sample/me.json, which the fake serves
CLIENT_SECRET = "bench-client-secret-7c1f0d"  # fake, but scanned for like a real one
SECRET_KEY = "bench-flask-secret-2b9e44"
WORKERS, THREADS = 2, 4


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Poll until the URL answers at all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f} s")


class Stack:
    """Start, fault and stop the pieces; the bench process itself talks only HTTP to them."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="spotify-api-stack-"))
        self.db_port, self.fake_port, self.app_port = free_port(), free_port(), free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.app_url = f"http://127.0.0.1:{self.app_port}"
        self.fake_url = f"http://127.0.0.1:{self.fake_port}"
        self.env = {
            **os.environ,
            "STAGE": "local",  # plain-HTTP loopback: session cookies must not demand HTTPS
            "TABLE_PREFIX": "spotify-api-stack",
            "DYNAMODB_HOST": f"http://127.0.0.1:{self.db_port}",
            "DYNAMODB_PORT": str(self.db_port),
            "DYNAMODB_DATA": str(self.dir / "dynamodb" / "data"),
            "AWS_REGION": "us-east-1",
            "LOG_LEVEL": "INFO",
            "SECRET_KEY": SECRET_KEY,
            "SPOTIFY_CLIENT_ID": "bench-client",
            "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
            "SPOTIFY_OWNER_ID": OWNER_ID,
            "SPOTIFY_ACCOUNTS_URL": self.fake_url,
            "SPOTIFY_API_URL": f"{self.fake_url}/v1",
            "RECCOBEATS_URL": f"{self.fake_url}/reccobeats/v1",
            "SPOTIFY_REDIRECT_URI": f"{self.app_url}/auth/callback",
            "SPOTIFY_DAILY_BUDGET": "100000",
            # Every bench visitor is 127.0.0.1: a short window lets each fault row's uncached
            # searches reach Spotify (20 per 10 s) before the allowance refuses the rest.
            "VISITOR_WINDOW_SECONDS": "10",
            "BUILD_MODE": "thread",
        }
        for name in ("FLASK_DEBUG", "SAMPLE_MODE"):
            self.env.pop(name, None)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Stack:
        self.dynamodb("start")
        self._spawn(
            "fake", [sys.executable, str(ROOT / "bench" / "fake_spotify.py"), str(self.fake_port)]
        )
        wait_until_up(f"{self.fake_url}/_control/stats")
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "create"],
            check=True,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
        )
        self._spawn("app", self.gunicorn("wsgi:app", self.app_port))
        wait_until_up(f"{self.app_url}/health")
        return self

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.dynamodb("stop")

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_: Any) -> None:
        self.stop()

    def gunicorn(self, target: str, port: int) -> list[str]:
        return [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            f"--workers={WORKERS}",
            f"--threads={THREADS}",
            f"--bind=127.0.0.1:{port}",
            "--graceful-timeout=5",
            target,
        ]

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def spawn_baseline(self, port: int, answers: Answers) -> None:
        """Bare Flask replaying the service's answers, under the same gunicorn settings."""
        file = self.dir / "baseline-answers.json"
        save(answers, file)
        self._spawn("baseline", self.gunicorn(f"bench.bare_app:create_app({str(file)!r})", port))
        wait_until_up(f"http://127.0.0.1:{port}{next(iter(answers))}")

    # -- DynamoDB --------------------------------------------------------------------------

    def dynamodb(self, action: str) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "dynamodb.sh"), action],
            check=True,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
        )

    def _dynamodb_pid(self) -> int:
        return int((self.dir / "dynamodb" / f"dynamodb-{self.db_port}.pid").read_text())

    def stall_dynamodb(self) -> None:
        """SIGSTOP: the socket still accepts connections, nothing is answered (a hung store)."""
        os.kill(self._dynamodb_pid(), signal.SIGSTOP)

    def resume_dynamodb(self) -> None:
        os.kill(self._dynamodb_pid(), signal.SIGCONT)

    def kill_dynamodb(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown, no flush beyond what it already wrote."""
        os.kill(self._dynamodb_pid(), signal.SIGKILL)
        time.sleep(0.2)

    # -- fake Spotify ----------------------------------------------------------------------

    def fault(self, fault: str, **options: Any) -> None:
        response = requests.post(
            f"{self.fake_url}/_control/fault", json={"fault": fault, **options}, timeout=5
        )
        response.raise_for_status()

    def spotify_stats(self) -> dict[str, Any]:
        return requests.get(f"{self.fake_url}/_control/stats", timeout=5).json()

    # -- owner -----------------------------------------------------------------------------

    def login(self) -> requests.Response:
        """The owner's real OAuth round trip: /auth/login → fake authorize → /auth/callback."""
        with requests.Session() as browser:
            return browser.get(f"{self.app_url}/auth/login", timeout=10)

    # -- secrets ---------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        """Every secret the run handled: configured ones and every token the fake issued."""
        return [CLIENT_SECRET, SECRET_KEY, *self.spotify_stats()["issued"]]

    def scan_logs(self) -> dict[str, Any]:
        """Search every process log for every secret; return what was scanned and any hit."""
        wanted = self.secrets()
        hits, size = [], 0
        # Our processes' output; fake.log is "Spotify's" log, dynamodb/data holds stored tokens.
        logs = [p for p in sorted(self.dir.glob("*.log")) if p.name != "fake.log"]
        logs += sorted((self.dir / "dynamodb").glob("dynamodb-*.log"))
        for path in logs:
            text = path.read_text(errors="replace")
            size += len(text)
            hits += [f"{path.name}: {s[:6]}…" for s in wanted if s in text]
        return {
            "files": len(logs),
            "bytes": size,
            "secrets": len(wanted),
            "hits": hits,
        }
