"""Outbound calls to build a whole discography versus the lower bound, and on a repeat request.

Lower bound = album pages (10 per call) + track pages (50 per call) + feature batches (40 ids
per call). Synthetic artists of 5, 50 and 300 releases; the 300-release build outgrows a day's
build share of the Spotify budget, so it runs over more than one (simulated) UTC day.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import connect_owner, local_dynamodb, record, spotify_env  # noqa: E402

SIZES = tuple(int(n) for n in sys.argv[1:]) or (5, 50, 300)
MAX_DAYS = 30


def build(app, releases: int) -> dict:
    import responses
    import time_machine

    from tests.fakes import spotify as sp
    from tests.fakes.catalog_server import CatalogServer

    disco = sp.discography(f"bench-{releases}", releases, tracks_per_album=[11, 4, 1, 14, 62, 2])
    url = f"/api/artists/{disco.artist['id']}/audio-features"
    client = app.test_client()
    start = datetime(2026, 11, 24, 6, tzinfo=UTC).timestamp() + releases * 86400 * 3
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
        time_machine.travel(start, tick=True) as clock,
    ):
        server = CatalogServer(mock, disco)
        days = 1
        while (status := client.get(url).status_code) != 200:
            if status != 202 or days > MAX_DAYS:
                raise SystemExit(f"build of {releases} releases stuck: HTTP {status}, day {days}")
            clock.shift(86400)  # the build waits for the next day's budget
            days += 1
        first = server.total
        assert all(n == 1 for n in server.calls.values()), "something was fetched twice"
        assert client.get(url).status_code == 200
        repeat = server.total - first
    return {
        "releases": releases,
        "tracks": len(disco.track_ids),
        "calls": first,
        "lower_bound": server.lower_bound(),
        "repeat": repeat,
        "days": days,
    }


def main() -> int:
    spotify_env(600)
    os.environ["BUILD_MODE"] = "inline"
    rows, ok = [], True
    with local_dynamodb("spotify-api-bench-disco"):
        from app import create_app
        from app.config import Config

        app = create_app(Config)
        connect_owner(app, lifetime=10**8)
        for size in SIZES:
            r = build(app, size)
            ratio = r["calls"] / r["lower_bound"]
            ok &= ratio == 1.0 and r["repeat"] == 0
            print(
                f"{size:>4} releases, {r['tracks']:>5} tracks: {r['calls']} calls, lower bound "
                f"{r['lower_bound']}, ratio {ratio:.2f}; repeat request: {r['repeat']} calls; "
                f"built over {r['days']} day(s)"
            )
            rows.append(
                {
                    "figure": f"discography build calls, {size} releases",
                    "value": r["calls"],
                    "baseline": r["lower_bound"],
                    "ratio": round(ratio, 2),
                    "unit": "calls (baseline: lower bound)",
                }
            )
            rows.append(
                {
                    "figure": f"repeat request calls, {size} releases",
                    "value": r["repeat"],
                    "baseline": 0,
                    "ratio": None,
                    "unit": "calls",
                }
            )
    record("discography_calls", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
