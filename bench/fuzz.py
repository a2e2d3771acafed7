"""schemathesis over /openapi.json with more generated cases than `make test` uses.

Runs tests/test_fuzz.py (sample mode, and a connected owner against the fake Spotify) with
FUZZ_EXAMPLES cases per operation and records the failure count, which must be 0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import ROOT, record  # noqa: E402

EXAMPLES = 150


def operations() -> int:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ["SAMPLE_MODE"] = "1"
    from app import create_app
    from app.config import Config

    spec = create_app(Config).test_client().get("/openapi.json").get_json()
    return sum(len(methods) for methods in spec["paths"].values())


def failing_modes(summary: str) -> int:
    """How many of the two fuzzing runs failed, from pytest's summary line."""
    found = re.search(r"(\d+) failed", summary)
    return int(found.group(1)) if found else 2  # no summary: count the whole run as failed


def main() -> int:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
        cwd=ROOT,
        env={**os.environ, "FUZZ_EXAMPLES": str(EXAMPLES)},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    failed = run.returncode != 0
    n = operations()
    print(f"schemathesis: {n} operations x 2 modes x up to {EXAMPLES} cases: {summary}")
    if failed:
        print(run.stdout[-5000:])
    record(
        "fuzz",
        [
            {
                "figure": "schemathesis: failing runs (sample mode, connected owner)",
                "value": failing_modes(summary) if failed else 0,
                "baseline": 2,
                "ratio": None,
                "unit": f"of 2 runs; {n} operations, up to {EXAMPLES} cases each, all checks, "
                f"{seconds:.0f} s; pytest: {json.dumps(summary)}",
            }
        ],
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
