"""What a cached answer costs, against a bare Flask view returning the very same bytes.

Both apps are called in-process as WSGI applications with the same prebuilt environ (no test
client, no network), 500 times per path after a warm-up, in production mode (sample data on a
local dynalite, the archive filled). The floor is `Flask` + one view returning the bytes the
service answered for that path, with the same content type: what returning them costs at all.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bare_app import same_bytes  # noqa: E402
from bench.support import local_dynamodb, record  # noqa: E402

CALLS, ROUNDS = 500, 5
ARTIST = "l1NQ6C9tkjgAEZjhakMrNa"  # the sample artist
PATHS = [
    "/health",
    "/api/now-playing",
    "/api/recently-played?limit=10",
    "/api/top/tracks",
    "/api/top/artists?time_range=short_term&limit=5",
    "/api/artists/search?q=a",
    f"/api/artists/{ARTIST}/audio-features",
    "/api/history/stats?period=last-30-days",
    "/api/now-playing.svg",
]


def environ(path: str) -> dict:
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(app, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    chunks = app(environ(path), start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return seen["status"], seen["headers"], body


def per_call(app, path: str) -> float:
    """Median over ROUNDS of the mean time of CALLS calls, in milliseconds.

    The service's one access line per request is written, to /dev/null rather than the screen.
    """
    rounds = []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for _ in range(CALLS):
                call(app, path)
            rounds.append((time.perf_counter() - started) / CALLS * 1000)
    return statistics.median(rounds)


def main() -> int:
    os.environ.update(SAMPLE_MODE="1", SECRET_KEY="bench-secret-key")
    for name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID", "FLASK_DEBUG"):
        os.environ.pop(name, None)
    rows, worst = [], 0.0
    with local_dynamodb("spotify-api-bench-hits"):
        from app import create_app
        from app.config import Config
        from app.services.history import ingest, sample
        from app.services.history.answers import today

        app = create_app(Config)
        with app.app_context():
            ingest.store(sample.streams(today()))
        answers = {}
        for path in PATHS:
            for _ in range(30):  # builds, caches: until the answer is the steady cached one
                status, headers, body = call(app, path)
                if status.startswith("200"):
                    break
                time.sleep(0.2)
            assert status.startswith("200"), (path, status, body[:200])
            answers[path] = (200, dict(headers)["Content-Type"], body)
        floor = same_bytes(answers)
        for path in PATHS:
            assert call(floor, path)[2] == answers[path][2]
            ours, bare = per_call(app, path), per_call(floor, path)
            ratio = ours / bare
            worst = max(worst, ratio)
            print(f"{path:48} {ours:7.3f} ms  floor {bare:6.3f} ms  x{ratio:.2f}", flush=True)
            rows.append(
                {
                    "figure": f"cached hit {path}",
                    "value": round(ours * 1000, 1),
                    "baseline": round(bare * 1000, 1),
                    "ratio": round(ratio, 2),
                    "unit": f"µs per call (bare Flask, same {len(answers[path][2]):,} bytes)",
                }
            )
    record("hit_cost", rows)
    print(f"worst ratio x{worst:.2f} (goal ≤ 1.5)")
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
