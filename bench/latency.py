"""p50/p99 of a cached /api/now-playing hit against bare Flask answering the same bytes, over HTTP.

Both apps are served by the same werkzeug server class on loopback and hit by one client,
alternating in rounds so machine noise lands on both alike.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bare_app import same_bytes  # noqa: E402
from bench.support import local_dynamodb, percentile, record  # noqa: E402

ROUNDS, PER_ROUND = 10, 300


def serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def timed(session, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = session.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return out


def main() -> int:
    import os

    import requests

    from app import create_app
    from app.config import Config

    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ["SAMPLE_MODE"] = "1"
    with local_dynamodb("spotify-api-bench-latency"):
        app = create_app(Config)
        app_url, app_server = serve(app)
        session = requests.Session()
        answer = session.get(f"{app_url}/api/now-playing")  # fills the cache
        kind = answer.headers["Content-Type"]
        bare_url, bare_server = serve(same_bytes({"/api/now-playing": (200, kind, answer.content)}))
        ours, base = [], []
        for _ in range(ROUNDS):
            ours += timed(session, f"{app_url}/api/now-playing", PER_ROUND)
            base += timed(session, f"{bare_url}/api/now-playing", PER_ROUND)
        app_server.shutdown()
        bare_server.shutdown()
    rows = []
    for q in (50, 99):
        a, b = percentile(ours, q), percentile(base, q)
        print(f"p{q}: cached /api/now-playing {a:.2f} ms, same bytes {b:.2f} ms, ratio {a / b:.2f}")
        rows.append(
            {
                "figure": f"cached /api/now-playing p{q}",
                "value": round(a, 2),
                "baseline": round(b, 2),
                "ratio": round(a / b, 2),
                "unit": "ms (baseline: bare Flask answering the same bytes)",
            }
        )
    record("latency", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
