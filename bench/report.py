"""Write bench/RESULTS.md: one table of every bench's figures, with the machine and the date."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import RESULTS, ROOT  # noqa: E402

ORDER = [
    "quota_sim",
    "latency",
    "hit_cost",
    "discography_calls",
    "history",
    "cold_start",
    "load",
    "faults",
    "fuzz",
]
TITLES = {
    "quota_sim": "A simulated day of website traffic against the daily Spotify budget",
    "latency": "Cached now-playing hit vs bare Flask, same bytes (werkzeug, loopback)",
    "hit_cost": "Cached hits in-process vs bare Flask returning the same bytes (goal ≤ 1.5×)",
    "discography_calls": "Discography builds: outbound calls vs the lower bound",
    "history": "Listening history: import, statistics over ten years, the live archive",
    "cold_start": "Lambda cold start vs Flask + requests + a DynamoDB client (goal ≤ 1.3×)",
    "load": "Load: gunicorn + dynalite + fake Spotify vs the same bytes replayed (goal ≥ 0.7×)",
    "faults": "Fault matrix (every answer correct, stale or documented, within 2 s)",
    "fuzz": "API fuzzing: schemathesis over /openapi.json (no 5xx, answers as documented)",
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    )
    return out.stdout.strip() or "unknown"


def fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if 0 < abs(value) < 0.01 else f"{value:.2f}"


def main() -> int:
    names = [n for n in ORDER if (RESULTS / f"{n}.json").exists()]
    names += sorted(p.stem for p in RESULTS.glob("*.json") if p.stem not in ORDER)
    if not names:
        print("no results in bench/results; run `make bench`", file=sys.stderr)
        return 1
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit()}.",
        f"Machine: {machine()}.",
        "",
        "Every ratio is value / baseline, both measured in the same run on this machine.",
        "",
        "| Figure | Value | Baseline | Ratio | Unit / note |",
        "|---|---:|---:|---:|---|",
    ]
    for name in names:
        rows = json.loads((RESULTS / f"{name}.json").read_text())
        lines.append(f"| **{TITLES.get(name, name)}** | | | | |")
        for row in rows:
            lines.append(
                f"| {row['figure']} | {fmt(row['value'])} | {fmt(row['baseline'])} "
                f"| {fmt_ratio(row['ratio'])} | {row.get('unit', '')} |"
            )
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print(f"wrote bench/RESULTS.md ({sum(1 for line in lines if line.startswith('| ')) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
