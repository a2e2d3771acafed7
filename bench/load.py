"""Load run: gunicorn serving the service against dynalite and a fake Spotify server, driven by
locust on loopback across the public endpoints' mix, against bare Flask replaying the very bytes
the service answered for each path of the mix, under the same gunicorn settings, in the same run.
Prints throughput, p50/p99, the error count (must be 0) and how many Spotify calls the run cost.
Goal: at least 0.7x the baseline's throughput, with 0 errors.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bare_app import Answers  # noqa: E402
from bench.stack import Stack  # noqa: E402
from bench.support import ROOT, free_port, record  # noqa: E402

REQUESTS, USERS, ROUNDS = 3000, 16, 3
GOAL = 0.7
ARTIST = "l1NQ6C9tkjgAEZjhakMrNa"  # the sample artist the fake Spotify knows
PATHS = [
    "/api/now-playing=8",
    "/api/now-playing.svg=2",
    "/api/recently-played?limit=10=3",
    "/api/top/artists?time_range=short_term=2",
    "/api/top/tracks?time_range=medium_term=2",
    "/api/top/tracks?time_range=long_term&limit=5=1",
    "/api/artists/search?q=ivory=1",
    f"/api/artists/{ARTIST}/audio-features=1",
    # Not /api/status: an operator's check (it reads DynamoDB each time); the site never calls it.
]


def load(url: str, paths: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_client.py"), url, str(REQUESTS), str(USERS)]
        + paths,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def warm(stack: Stack) -> None:
    """Log the owner in and build the artist's catalog, as a site would before visitors come."""
    assert stack.login().status_code == 200, "owner login failed"
    deadline = time.monotonic() + 60
    while stack_get(stack, f"/api/artists/{ARTIST}/audio-features") != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("catalog build did not finish")
        time.sleep(0.5)


def stack_get(stack: Stack, path: str) -> int:
    import requests

    return requests.get(stack.app_url + path, timeout=10).status_code


def record_answers(stack: Stack) -> Answers:
    """What the service answers for each path of the mix, for the baseline to replay."""
    import requests

    answers: Answers = {}
    for spec in PATHS:
        path = spec.rpartition("=")[0]
        response = requests.get(stack.app_url + path, timeout=10)
        assert response.status_code == 200, (path, response.status_code)
        answers[path] = (200, response.headers["Content-Type"], response.content)
    return answers


def merge(runs: list[dict]) -> dict:
    requests_ = sum(r["requests"] for r in runs)
    return {
        "requests": requests_,
        "errors": sum(r["errors"] for r in runs),
        "rps": round(requests_ / sum(r["seconds"] for r in runs), 1),
        "p50_ms": sorted(r["p50_ms"] for r in runs)[len(runs) // 2],
        "p99_ms": max(r["p99_ms"] for r in runs),
        "error_samples": [s for r in runs for s in r["error_samples"]][:5],
    }


def main() -> int:
    with Stack() as stack:
        warm(stack)
        answers = record_answers(stack)
        base_port = free_port()
        stack.spawn_baseline(base_port, answers)
        service_runs, base_runs = [], []
        calls_before = stack.spotify_stats()["calls"].get("total", 0)
        for _ in range(ROUNDS):  # alternate, so machine noise lands on both alike
            base_runs.append(load(f"http://127.0.0.1:{base_port}", PATHS))
            service_runs.append(load(stack.app_url, PATHS))
        calls = stack.spotify_stats()["calls"].get("total", 0) - calls_before
        scan = stack.scan_logs()
    service, base = merge(service_runs), merge(base_runs)
    print(f"service : {service}")
    print(f"baseline: {base}")
    print(f"Spotify calls during {service['requests']} requests: {calls}")
    print(
        f"log scan: {scan['files']} files, {scan['bytes']} bytes,"
        f" {scan['secrets']} secrets looked for, found: {scan['hits'] or 'none'}"
    )
    rows = [
        _row("load: throughput (req/s)", service["rps"], base["rps"], "req/s (same bytes)"),
        _row("load: p50 latency (ms)", service["p50_ms"], base["p50_ms"], "ms"),
        _row("load: p99 latency (ms)", service["p99_ms"], base["p99_ms"], "ms"),
        _row("load: errors", service["errors"], base["errors"], f"of {service['requests']}"),
        _row("load: Spotify calls", calls, service["requests"], "calls per requests served"),
        _row("load: secrets found in logs", len(scan["hits"]), 0, f"{scan['bytes']} bytes scanned"),
    ]
    record("load", rows)
    throughput = service["rps"] / base["rps"]
    print(f"throughput x{throughput:.2f} the same-bytes baseline (goal ≥ {GOAL}), 0 errors needed")
    clean = service["errors"] == 0 and base["errors"] == 0 and not scan["hits"]
    return 0 if clean and throughput >= GOAL else 1


def _row(figure: str, value: float, baseline: float, unit: str) -> dict:
    ratio = round(value / baseline, 4) if baseline else None
    return {"figure": figure, "value": value, "baseline": baseline, "ratio": ratio, "unit": unit}


if __name__ == "__main__":
    raise SystemExit(main())
