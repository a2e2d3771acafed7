"""A simulated day of website traffic against a faked Spotify, on a fake clock (no sleeping).

Now-playing is polled once per second all day; recently-played and top artists/tracks once per
minute; the scheduled token refresh runs every 45 minutes and the history's live archive every
30; the owner listens for 8 hours in tracks of 2-6 minutes (one in ten skipped part-way). Prints
the Spotify calls made against the daily budget (the archive's included), and the median /
95th-percentile delay between a real track change and the API showing it.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import connect_owner, local_dynamodb, percentile, record, spotify_env  # noqa: E402

DAY_START = datetime(2026, 11, 24, tzinfo=UTC).timestamp()
SESSIONS = [(7 * 3600, 2 * 3600), (12.5 * 3600, 1 * 3600), (18 * 3600, 5 * 3600)]  # 8 hours
BUDGET = 600


@dataclass(frozen=True)
class Play:
    start: float
    end: float
    track: dict


def listening_day(seed: int = 7) -> list[Play]:
    """The owner's plays: back-to-back tracks of 2-6 minutes, some skipped."""
    from tests.fakes import spotify as sp

    rng = random.Random(seed)
    plays: list[Play] = []
    for offset, length in SESSIONS:
        t = DAY_START + offset
        while t < DAY_START + offset + length:
            n = len(plays)
            duration = rng.randint(120, 360) * 1000
            album = sp.simplified_album(f"album-{n % 40}", images=sp.image_set(f"/c/{n % 40}"))
            track = sp.track(f"track-{n}", album=album, duration_ms=duration)
            played = duration / 1000 * (rng.uniform(0.2, 0.9) if rng.random() < 0.1 else 1)
            plays.append(Play(t, t + played, track))
            t += played
    return plays


class FakeSpotify:
    """Spotify's player, top and token endpoints, answering from the day's plays at 'now'."""

    def __init__(self, plays: list[Play]) -> None:
        self.plays = plays
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def current(self, now: float) -> Play | None:
        return next((p for p in self.plays if p.start <= now < p.end), None)

    def currently_playing(self, request):
        import time

        from tests.fakes import spotify as sp

        self._count("currently-playing")
        play = self.current(time.time())
        if play is None:
            return 204, {}, ""
        progress = int((time.time() - play.start) * 1000)
        return 200, {}, json.dumps(sp.currently_playing(play.track, progress_ms=progress))

    def recently_played(self, request):
        import time

        from tests.fakes import spotify as sp

        self._count("recently-played")
        after = int(request.params.get("after") or 0) / 1000  # the archive's cursor
        done = [p for p in self.plays if after < p.end <= time.time()][-50:][::-1]
        items = [sp.play_history(p.track, datetime.fromtimestamp(p.end, UTC)) for p in done]
        return 200, {}, json.dumps(sp.recently_played(items, limit=50))

    def top(self, request):
        from tests.fakes import spotify as sp

        self._count("top")
        kind = request.path_url.split("?")[0].rsplit("/", 1)[-1]
        if kind == "artists":
            body = sp.top_artists([sp.artist(f"a{i}") for i in range(20)], limit=50)
        else:
            body = sp.top_tracks([p.track for p in self.plays[:20]], limit=50)
        return 200, {}, json.dumps(body)

    def token(self, request):
        from tests.fakes import spotify as sp

        self._count("token")
        return 200, {}, json.dumps(sp.token_response(f"access-{sum(self.calls.values())}"))

    def install(self, mock) -> None:
        import re

        import responses

        api = "https://api.spotify.com/v1"
        mock.add_callback(
            responses.GET, f"{api}/me/player/currently-playing", callback=self.currently_playing
        )
        mock.add_callback(
            responses.GET, f"{api}/me/player/recently-played", callback=self.recently_played
        )
        mock.add_callback(responses.GET, re.compile(f"{api}/me/top/.*"), callback=self.top)
        mock.add_callback(
            responses.POST, "https://accounts.spotify.com/api/token", callback=self.token
        )


def simulate() -> dict:
    import responses
    import time_machine

    from app import create_app
    from app.config import Config
    from app.services import owner
    from app.services.history import archive

    plays = listening_day()
    fake = FakeSpotify(plays)
    shown: dict[str, float] = {}  # track id -> first second the API showed it
    archived = archive_calls = 0
    with (
        time_machine.travel(DAY_START, tick=False) as clock,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        fake.install(mock)
        app = create_app(Config)
        connect_owner(app, lifetime=3000)
        client = app.test_client()
        for second in range(86_400):
            clock.move_to(DAY_START + second)
            body = client.get("/api/now-playing").get_json()
            item = body.get("item") or {}
            if item.get("id") and item["id"] not in shown:
                shown[item["id"]] = DAY_START + second
            if second % 60 == 0:
                client.get("/api/recently-played?limit=10")
                client.get("/api/top/artists?time_range=short_term")
                client.get("/api/top/tracks?time_range=short_term")
            if second % (45 * 60) == 0:
                with app.app_context():
                    owner.refresh_if_due(45)
            if second % (30 * 60) == 90:
                before = fake.calls.get("recently-played", 0)
                with app.app_context():
                    archived += archive.archive_plays()["added"]
                archive_calls += fake.calls.get("recently-played", 0) - before
        with app.app_context():
            counted = app.extensions["spotify"].usage().calls
    delays = [shown[p.track["id"]] - p.start for p in plays if p.track["id"] in shown]
    missed = sum(1 for p in plays if p.track["id"] not in shown)
    return {
        "calls": sum(fake.calls.values()),
        "counted": counted,
        "by_endpoint": fake.calls,
        "tracks": len(plays),
        "missed": missed,
        "delay_p50": percentile(delays, 50),
        "delay_p95": percentile(delays, 95),
        "archive_calls": archive_calls,
        "archived": archived,
        "finished": sum(1 for p in plays if p.end <= DAY_START + 86_400),
    }


def main() -> int:
    spotify_env(BUDGET)
    with local_dynamodb("spotify-api-bench-quota"):
        result = simulate()
    calls = result["calls"]
    print(f"Spotify calls in the simulated day: {calls} (service counted {result['counted']})")
    print(f"  by endpoint: {result['by_endpoint']}")
    print(f"  budget: {BUDGET}  ->  calls/budget = {calls / BUDGET:.2f}")
    print(f"Track changes: {result['tracks']} (never shown: {result['missed']}, skipped early)")
    print(f"Archive: {result['archive_calls']} calls, {result['archived']} plays archived")
    print(
        f"  delay until shown: median {result['delay_p50']:.0f} s, p95 {result['delay_p95']:.0f} s"
    )
    record(
        "quota_sim",
        [
            {
                "figure": "Spotify calls per simulated day",
                "value": calls,
                "baseline": BUDGET,
                "ratio": round(calls / BUDGET, 2),
                "unit": "calls (baseline: daily budget)",
            },
            {
                "figure": "of which the history's live archive",
                "value": result["archive_calls"],
                "baseline": 48,
                "ratio": round(result["archive_calls"] / 48, 2),
                "unit": f"calls (baseline: 48, one every 30 min); {result['archived']} plays kept",
            },
            {
                "figure": "Track change shown after (median)",
                "value": round(result["delay_p50"], 1),
                "baseline": None,
                "ratio": None,
                "unit": "s",
            },
            {
                "figure": "Track change shown after (p95)",
                "value": round(result["delay_p95"], 1),
                "baseline": None,
                "ratio": None,
                "unit": "s",
            },
        ],
    )
    if calls > BUDGET:
        print("FAIL: the day's calls exceeded the budget")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
