"""The listening history at scale: import, statistics and the live archive, each against a floor.

1. Import. A synthetic extended export of 150,000 plays over ten years in 13 files, with IP
   addresses and the other personal fields. `flask history import` runs as its own process;
   its wall time is compared with writing the same number of plays with plain PynamoDB batch
   writes to the same dynalite (the store's floor), and its peak memory (max RSS) is reported.
   Then the tables are scanned for every personal value, and the import is run again (0 added).
2. Statistics. /api/history/stats for period=all over those ten years: DynamoDB items read and
   p50 time, against a baseline that reads every play (one query per month).
3. The archive. A simulated month of the owner listening in bursts (up to 25 tracks an hour)
   against a fake recently-played that keeps 50 plays, the archive task every 30 minutes on a
   fake clock: plays lost and archive calls per day.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import ROOT, connect_owner, local_dynamodb, percentile, record, spotify_env  # noqa: E402

PLAYS, FILES = int(os.environ.get("HISTORY_BENCH_PLAYS", 150_000)), 13
RUNS = 7


def run_import(paths: list[Path]) -> tuple[float, float, dict]:
    """`flask history import` in a process of its own: (seconds, peak MiB, its summary)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "flask"),
            "--app",
            "wsgi",
            "history",
            "import",
            *map(str, paths),
        ],
        cwd=ROOT,
        env={**os.environ, "SAMPLE_MODE": "1", "SECRET_KEY": "bench"},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(done.stdout[done.stdout.index("{") :])
    return seconds, max(peak, before) / 1024, summary


def floor_writes(count: int) -> float:
    """The same number of plays written with plain PynamoDB batch writes, nothing else."""
    from app.models import Play

    class FloorPlay(Play):
        class Meta(Play.Meta):
            table_name = Play.Meta.table_name + "-floor"

    FloorPlay.create_table(wait=True)
    start = datetime(2016, 11, 1, tzinfo=UTC)
    started = time.perf_counter()
    with FloorPlay.batch_write() as batch:
        for n in range(count):
            ended = start + timedelta(seconds=n * 2100)
            batch.save(
                FloorPlay(
                    f"{ended:%Y-%m}",
                    f"{ended:%Y-%m-%dT%H:%M:%S}.000Z#{n:016x}",
                    ms=180_000,
                    kind="track",
                    track=f"Track {n % 40} of Artist {n % 400}",
                    artist=f"Artist {n % 400}",
                    album=f"Album {n % 40}",
                    track_id=None,
                    skipped=False,
                    source="export",
                )
            )
    return time.perf_counter() - started


def sensitive_found() -> int:
    from tests.fakes.exports import personal_values_in_tables

    return len(personal_values_in_tables())


class ItemsRead:
    """Counts the items DynamoDB returns (Query, Scan, GetItem, BatchGetItem) while active."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, parsed: dict | None = None, **_: object) -> None:
        parsed = parsed or {}
        self.items += len(parsed.get("Items", [])) + (1 if parsed.get("Item") else 0)
        self.items += sum(len(v) for v in parsed.get("Responses", {}).values())


def statistics(app) -> dict:
    from app import storage
    from app.models import Play
    from app.services.history import stats

    counter = ItemsRead()
    storage.shared_connection().client.meta.events.register("after-call.dynamodb", counter)
    today = date(2026, 11, 1)
    ours, floor, items, floor_items = [], [], 0, 0
    with app.app_context():
        found = stats.period("all", None, None, today)
        zone = stats.zone("Europe/Berlin")
        for _ in range(RUNS):
            counter.items = 0
            started = time.perf_counter()
            body = stats.compute(found, zone, 10)
            ours.append(time.perf_counter() - started)
            items = counter.items
            counter.items = 0
            started = time.perf_counter()
            cursor = date(found.first.year, found.first.month, 1)
            every = 0
            while cursor <= found.last:
                every += sum(1 for _ in Play.query(f"{cursor:%Y-%m}"))
                cursor = (cursor + timedelta(days=32)).replace(day=1)
            floor.append(time.perf_counter() - started)
            floor_items = counter.items
    return {
        "items": items,
        "floor_items": floor_items,
        "p50": percentile(ours, 50),
        "floor_p50": percentile(floor, 50),
        "plays": body["totals"]["streams"],
        "every": every,
    }


def archive_month() -> dict:
    """30 days of bursty listening, the archive every 30 minutes: plays lost, calls per day."""
    import responses
    import time_machine

    from app import create_app
    from app.config import Config
    from app.models import Play
    from app.services.history import archive
    from tests.fakes import spotify as sp

    rng = random.Random(5)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    plays: list[tuple[float, dict]] = []  # (end, track)
    for hour in range(30 * 24):
        if rng.random() < 0.35:  # a listening hour: up to 25 tracks, some cut short
            at = start.timestamp() + hour * 3600
            for n in range(rng.randint(5, 25)):
                at += rng.randint(120, 144)
                track = sp.track(f"m{hour}-{n}", duration_ms=140_000)
                plays.append((at, track))
    calls = 0

    def recently_played(request):
        nonlocal calls
        calls += 1
        now = time.time()
        after = int(request.params.get("after") or 0) / 1000
        done = [p for p in plays if after < p[0] <= now][-50:][::-1]  # Spotify keeps 50
        items = [sp.play_history(t, datetime.fromtimestamp(e, UTC)) for e, t in done]
        return 200, {}, json.dumps(sp.recently_played(items, limit=50))

    with (
        time_machine.travel(start, tick=False) as clock,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        mock.add_callback(
            responses.GET, "https://api.spotify.com/v1/me/player/recently-played", recently_played
        )
        app = create_app(Config)
        connect_owner(app, lifetime=40 * 86400)
        for run in range(30 * 48):
            clock.move_to(start + timedelta(minutes=30 * run + 1))
            with app.app_context():
                archive.archive_plays()
        stored = sum(1 for p in Play.scan() if p.source == "live")
    return {"played": len(plays), "lost": len(plays) - stored, "calls_per_day": calls / 30}


def main() -> int:
    from tests.fakes import exports as ex

    rows, ok = [], True
    spotify_env(600)
    with local_dynamodb("spotify-api-bench-history"):
        folder = Path(tempfile.mkdtemp(prefix="history-export-"))
        paths = ex.write(folder, ex.synthetic(PLAYS, FILES))
        floor = floor_writes(PLAYS)
        seconds, peak, summary = run_import(paths)
        again_seconds, _, again = run_import(paths)
        from app import create_app
        from app.config import Config
        from app.models import Entity, Play, Rollup

        app = create_app(Config)
        items = (
            sum(1 for _ in Play.scan())
            + sum(1 for _ in Rollup.scan())
            + sum(1 for _ in Entity.scan())
        )
        leaks = sensitive_found()
        print(f"import: {summary} in {seconds:.1f} s (floor {floor:.1f} s), peak {peak:.0f} MiB")
        print(f"again: {again} in {again_seconds:.1f} s; items written {items}; leaks {leaks}")
        found = statistics(app)
        print(f"stats: {found}")
        ok &= seconds / floor <= 1.5 and peak <= 300 and again["added"] == 0 and leaks == 0
        ok &= found["items"] <= 0.02 * found["floor_items"]
    with local_dynamodb("spotify-api-bench-archive"):
        month = archive_month()
        print(f"archive month: {month}")
        ok &= month["lost"] == 0 and month["calls_per_day"] <= 48
    rows += [
        {
            "figure": f"import of {PLAYS:,} plays in {FILES} files: wall time",
            "value": round(seconds, 1),
            "baseline": round(floor, 1),
            "ratio": round(seconds / floor, 2),
            "unit": "s (baseline: the same count of plain PynamoDB batch writes; goal ≤ 1.5)",
        },
        {
            "figure": "import: peak memory (max RSS)",
            "value": round(peak),
            "baseline": 300,
            "ratio": round(peak / 300, 2),
            "unit": "MiB (baseline: the 300 MiB goal)",
        },
        {
            "figure": "import: plays added / items written",
            "value": summary["added"],
            "baseline": items,
            "ratio": None,
            "unit": "plays / all items (plays, summaries, names)",
        },
        {
            "figure": "import again: plays added",
            "value": again["added"],
            "baseline": 0,
            "ratio": None,
            "unit": f"{again['duplicates']:,} found as duplicates in {again_seconds:.1f} s",
        },
        {
            "figure": "personal values found in a scan of every table",
            "value": leaks,
            "baseline": 0,
            "ratio": None,
            "unit": "IP addresses, country, platform, user agent, username",
        },
        {
            "figure": "stats period=all over ten years: items read",
            "value": found["items"],
            "baseline": found["floor_items"],
            "ratio": round(found["items"] / found["floor_items"], 4),
            "unit": "items (baseline: reading every play; goal ≤ 0.02)",
        },
        {
            "figure": "stats period=all over ten years: p50",
            "value": round(found["p50"] * 1000, 1),
            "baseline": round(found["floor_p50"] * 1000, 1),
            "ratio": round(found["p50"] / found["floor_p50"], 3),
            "unit": f"ms (baseline: reading every play), median of {RUNS}",
        },
        {
            "figure": "archive, a simulated month: plays lost",
            "value": month["lost"],
            "baseline": month["played"],
            "ratio": None,
            "unit": "of the plays listened to (bursts up to 25 an hour)",
        },
        {
            "figure": "archive, a simulated month: calls per day",
            "value": round(month["calls_per_day"], 1),
            "baseline": 48,
            "ratio": round(month["calls_per_day"] / 48, 2),
            "unit": "calls (baseline: the 48 a day goal)",
        },
    ]
    record("history", rows)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
