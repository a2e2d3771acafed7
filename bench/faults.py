"""Fault matrix against the deployed-like stack (gunicorn, dynalite, fake Spotify on loopback).

For each fault: visitors keep requesting the public endpoints while it lasts; every answer must be
correct data, last-good data marked stale (with an Age header), or the documented JSON error with
Retry-After, and must arrive within 2 s. Then the fault ends and the service must recover on its
own (the owner's re-login for a revoked token), having lost nothing: the token, the built catalog
and the cached listening data are all still there.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.stack import Stack  # noqa: E402
from bench.support import record  # noqa: E402

LIMIT_S = 2.0
PROBE_SECONDS, VISITORS = 8.0, 4
TRACK_SECONDS = 4  # the fake's tracks end every 4 s, so now-playing keeps needing Spotify
ARTIST = "l1NQ6C9tkjgAEZjhakMrNa"  # the sample artist the fake Spotify knows
UNKNOWN_ARTIST = "0000000000000000000000"
DOCUMENTED_503 = {
    "spotify_unavailable",
    "budget_exhausted",
    "reauthorization_required",
    "database_unavailable",
}
DOCUMENTED_429 = {"rate_limited"}  # a visitor's own allowance of uncached work, spent


@dataclass
class Fault:
    """One row of the matrix: how to cause the fault, how it ends, how long recovery may take."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    recovery_limit_s: float = 15.0
    kill_dynamodb: bool = False
    stall_dynamodb: bool = False  # SIGSTOP: connections accepted, nothing answered
    deadline_passes: bool = False  # stand in for a many-hour Retry-After running out
    relogin: bool = False
    search_flood: bool = False  # visitors' distinct searches until refused
    probe_seconds: float = PROBE_SECONDS


MATRIX = [
    Fault("429 rate limit, Retry-After 3 s", {"fault": "rate_limit", "retry_after": 3}, 3 + 10),
    Fault("429 QUOTA_EXCEEDED, Retry-After 50000 s", {"fault": "quota"}, 10, deadline_passes=True),
    Fault("500 server error", {"fault": "server_error"}, 30 + 10),
    Fault("10 s stall", {"fault": "stall", "stall_seconds": 10}, 30 + 10),
    Fault("malformed JSON", {"fault": "malformed"}, 60 + 10),
    Fault("401, token revoked", {"fault": "revoked"}, 10, relogin=True),
    Fault("DynamoDB killed, restarted", {}, 10, kill_dynamodb=True),
    Fault("DynamoDB stalled 10 s (SIGSTOP)", {}, 15, stall_dynamodb=True, probe_seconds=10),
    Fault("wrong-shape JSON", {"fault": "wrong_shape"}, 60 + 10),
    Fault("token answer without access_token", {"fault": "bad_token"}, 60 + 10),
    Fault("Retry-After 10^23 s", {"fault": "huge_retry_after"}, 10, deadline_passes=True),
    Fault("anonymous search flood", {}, 10, search_flood=True),
]


class Visitors:
    """Threads requesting the public endpoints; every answer is judged as it arrives."""

    def __init__(self, base: str) -> None:
        self.base, self.n = base, 0
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.by_path: Counter[str] = Counter()
        self.problems: list[str] = []
        self.slowest = 0.0
        self.flood = False

    def paths(self) -> list[str]:
        with self.lock:
            self.n += 1
            unique = self.n
        if self.flood:  # anonymous distinct searches, and the owner's site meanwhile
            searches = [f"/api/artists/search?q=flood{unique}x{i}" for i in range(5)]
            return [*searches, "/api/now-playing"]
        return [
            "/api/now-playing",
            "/api/recently-played?limit=10",
            "/api/top/artists?time_range=short_term",
            f"/api/artists/search?q=probe{unique}",  # never cached: needs Spotify every time
            f"/api/artists/{ARTIST}/audio-features",
            f"/api/artists/{UNKNOWN_ARTIST}/audio-features",
            "/api/status",
            "/health",
        ]

    def visit(self, path: str) -> None:
        started = time.perf_counter()
        try:
            response = requests.get(self.base + path, timeout=15)
        except requests.RequestException as exc:
            self._note(path, f"no answer: {type(exc).__name__}", 0)
            return
        self._note(path, judge(path, response), time.perf_counter() - started)

    def _note(self, path: str, verdict: str, seconds: float) -> None:
        with self.lock:
            self.slowest = max(self.slowest, seconds)
            if seconds > LIMIT_S:
                self.problems.append(f"{path}: {seconds:.2f} s")
            if verdict.startswith("bad"):
                self.problems.append(f"{path}: {verdict}")
            self.seen[verdict] += 1
            self.by_path[f"{_kind(path)} → {verdict}"] += 1

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds

        def loop() -> None:
            while time.monotonic() < deadline:
                for path in self.paths():
                    self.visit(path)

        threads = [threading.Thread(target=loop) for _ in range(VISITORS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def _kind(path: str) -> str:
    """The endpoint a path belongs to, without per-request query values."""
    if path.startswith("/api/artists/search"):
        return "/api/artists/search"
    if path.startswith(f"/api/artists/{UNKNOWN_ARTIST}"):
        return "/api/artists/<unknown>/audio-features"
    return path.split("?")[0]


def judge(path: str, response: requests.Response) -> str:
    """Classify one answer: fresh, stale, a documented error, or bad."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        return f"bad: HTTP {status} without JSON"
    if status == 429:
        error = body.get("error", {})
        if error.get("code") not in DOCUMENTED_429 or not path.startswith("/api/artists"):
            return f"bad: undocumented 429 {error}"
        if not response.headers.get("Retry-After", "").isdigit():
            return "bad: 429 without Retry-After"
        return f"error {error['code']}"
    if status == 503:
        error = body.get("error", {})
        if error.get("code") not in DOCUMENTED_503 or not error.get("request_id"):
            return f"bad: undocumented 503 {error}"
        if not response.headers.get("Retry-After", "").isdigit():
            return "bad: 503 without Retry-After"
        return f"error {error['code']}"
    if path.startswith(f"/api/artists/{UNKNOWN_ARTIST}") and status == 404:
        return "fresh" if body.get("error", {}).get("code") == "not_found" else "bad: 404 shape"
    if status == 202:
        return "building"
    if status != 200:
        return f"bad: HTTP {status} {body}"
    if path == "/api/status":
        reachable = body.get("dynamodb", {}).get("reachable")
        return "fresh" if reachable else "status: database unreachable"
    if body.get("stale"):
        return "stale" if response.headers.get("Age", "").isdigit() else "bad: stale without Age"
    return "fresh"


def fresh_now_playing(stack: Stack) -> bool:
    """True once now-playing is answered from Spotify again (not stale)."""
    try:
        response = requests.get(f"{stack.app_url}/api/now-playing", timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.json().get("stale") is False


def snapshot(stack: Stack) -> dict[str, Any]:
    """What must survive every fault: token, catalog and cached listening data."""
    status = requests.get(f"{stack.app_url}/api/status", timeout=5).json()
    catalog = requests.get(f"{stack.app_url}/api/artists/{ARTIST}/audio-features", timeout=5)
    recent = requests.get(f"{stack.app_url}/api/recently-played?limit=10", timeout=5).json()
    return {
        "token_present": status["token"].get("present"),
        "reauth": status["token"].get("reauth_required"),
        "catalog_tracks": len(catalog.json().get("tracks", [])) if catalog.ok else None,
        "recent": [item["track"]["id"] for item in recent.get("items", [])],
    }


def wait_for(check, limit: float) -> float | None:
    """Seconds until check() holds, or None past the limit."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if check():
            return round(time.monotonic() - started, 1)
        time.sleep(0.5)
    return None


def advance_breaker_deadline() -> None:
    """Move the stored Retry-After deadline to now, as if the many hours had passed."""
    from app.models import CircuitState

    state = CircuitState.get("spotify")
    state.update(actions=[CircuitState.open_until.set(time.time())])


def _listening_calls(stack: Stack) -> int:
    """Spotify calls counted today against the listening share (from /api/status)."""
    status = requests.get(f"{stack.app_url}/api/status", timeout=5).json()
    return int(status["spotify"].get("shares", {}).get("listening", {}).get("used", 0))


CACHED = [
    "/api/now-playing",
    "/api/recently-played?limit=10",
    "/api/top/artists?time_range=short_term",
]


def warm(stack: Stack) -> None:
    """Visit every cached endpoint until it answers fresh, so a fault meets last-good data."""

    def fresh(path: str) -> bool:
        response = requests.get(stack.app_url + path, timeout=5)
        return response.status_code == 200 and response.json().get("stale") is False

    for path in CACHED:
        if wait_for(lambda path=path: fresh(path), 30) is None:
            raise RuntimeError(f"{path} never answered fresh before the fault")


def run_fault(stack: Stack, fault: Fault, before: dict[str, Any]) -> dict[str, Any]:
    warm(stack)
    visitors = Visitors(stack.app_url)
    calls_before = stack.spotify_stats()["calls"].get("total", 0)
    listening_before = _listening_calls(stack)
    if fault.kill_dynamodb:
        stack.kill_dynamodb()
    elif fault.stall_dynamodb:
        stack.stall_dynamodb()
    elif fault.options:
        stack.fault(**fault.options)
    if fault.search_flood:
        visitors.flood = True
    visitors.run(fault.probe_seconds)
    faulted_calls = stack.spotify_stats()["calls"].get("total", 0) - calls_before
    if fault.kill_dynamodb:
        stack.dynamodb("start")
    elif fault.stall_dynamodb:
        stack.resume_dynamodb()
    else:
        stack.fault("ok")
    if fault.deadline_passes:
        advance_breaker_deadline()
    if fault.relogin:
        assert stack.login().status_code == 200, "owner re-login failed"
    recovery = wait_for(lambda: fresh_now_playing(stack), fault.recovery_limit_s)
    after = snapshot(stack)
    lost = [k for k in ("token_present", "catalog_tracks", "recent") if after[k] != before[k]]
    if after["reauth"]:
        lost.append("reauth still required")
    degraded = sum(n for verdict, n in visitors.seen.items() if verdict != "fresh")
    ok = not visitors.problems and recovery is not None and not lost and degraded > 0
    if fault.search_flood:  # refused, while listening kept getting fresh answers from Spotify
        refused = visitors.seen.get("error rate_limited", 0)
        listening_fresh = _listening_calls(stack) > listening_before
        ok = not visitors.problems and recovery is not None and not lost and refused > 0
        ok = ok and listening_fresh
    return {
        "fault": fault.name,
        "answers": sum(visitors.seen.values()),
        "verdicts": dict(visitors.seen),
        "by_endpoint": dict(sorted(visitors.by_path.items())),
        "spotify_calls_during": faulted_calls,
        "slowest_s": round(visitors.slowest, 2),
        "recovery_s": recovery,
        "recovery_limit_s": fault.recovery_limit_s,
        "lost": lost,
        "problems": visitors.problems[:5],
        "ok": ok,
    }


def main() -> int:
    from app import create_app

    stack = Stack()
    os.environ.update(stack.env)
    create_app()  # points this process's models at the stack's tables (the breaker's deadline)
    results = []
    with stack:
        assert stack.login().status_code == 200, "owner login failed"
        assert wait_for(
            lambda: (
                requests.get(
                    f"{stack.app_url}/api/artists/{ARTIST}/audio-features", timeout=5
                ).status_code
                == 200
            ),
            60,
        ), "catalog build did not finish"
        stack.fault("ok", track_seconds=TRACK_SECONDS)
        before = snapshot(stack)
        for fault in MATRIX:
            result = run_fault(stack, fault, before)
            results.append(result)
            mark = "PASS" if result["ok"] else "FAIL"
            print(
                f"{mark} {fault.name}: {result['answers']} answers {result['verdicts']}, "
                f"slowest {result['slowest_s']} s, recovered in {result['recovery_s']} s, "
                f"lost {result['lost'] or 'nothing'} {result['problems'] or ''}",
                flush=True,
            )
            for line, count in result["by_endpoint"].items():
                print(f"    {count:>5}  {line}")
        scan = stack.scan_logs()
    print(
        f"log scan: {scan['files']} files, {scan['bytes']} bytes, {scan['secrets']} secrets"
        f" looked for, found: {scan['hits'] or 'none'}"
    )
    rows = []
    for r in results:
        rows.append(
            {
                "figure": f"fault {r['fault']}: slowest answer (s)",
                "value": r["slowest_s"],
                "baseline": LIMIT_S,
                "ratio": round(r["slowest_s"] / LIMIT_S, 2),
                "unit": f"limit; {r['answers']} answers, {'PASS' if r['ok'] else 'FAIL'}",
            }
        )
        rows.append(
            {
                "figure": f"fault {r['fault']}: recovery (s)",
                "value": r["recovery_s"],
                "baseline": r["recovery_limit_s"],
                "ratio": round(r["recovery_s"] / r["recovery_limit_s"], 2)
                if r["recovery_s"] is not None
                else None,
                "unit": "limit (cooldown + 10 s); lost: " + (", ".join(r["lost"]) or "nothing"),
            }
        )
    rows.append(
        {
            "figure": "faults: secrets found in logs",
            "value": len(scan["hits"]),
            "baseline": 0,
            "ratio": None,
            "unit": f"{scan['secrets']} secrets in {scan['bytes']} bytes of logs",
        }
    )
    record("faults", rows)
    return 0 if all(r["ok"] for r in results) and not scan["hits"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
