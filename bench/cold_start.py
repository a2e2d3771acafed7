"""Cold start of the packaged Lambda against the floor of any such service, in the same run.

Each sample is a fresh python3.12 process that sees only an unzipped package and the runtime's boto3
(tests/lambda_driver.py), imports Zappa's handler and serves one API Gateway request. The floor
swaps `wsgi.app` for a one-route Flask app in a copy of the same package that imports requests and
creates a botocore DynamoDB client, as any Flask service on DynamoDB calling a web API must; it
answers /health. The service answers /api/status, its first request that builds a DynamoDB client
and reads through it (the endpoint is unreachable here: nothing may leave the machine). A bare
Flask app and the service's own /health are reported beside. Variants are interleaved, medians of
RUNS; the service is also started with active tracing, to show what tracing costs (the goal
holds with it on). Bytecode is never written, as on Lambda's read-only disk. Secrets come from the
environment, so no remote_env fetch is timed (on AWS: one S3 GET).
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import record  # noqa: E402
from tests import lambda_package as lp  # noqa: E402

RUNS = 9
GOAL = 1.3
BARE_APP = '''"""A bare Flask app: the least a Flask app behind Zappa can cost."""
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}
'''
FLOOR_APP = '''"""The floor: Flask, requests and a DynamoDB client, all such a service must load."""
import botocore.session
import requests  # noqa: F401
from flask import Flask

app = Flask(__name__)
dynamodb = botocore.session.get_session().create_client("dynamodb")


@app.get("/health")
def health():
    return {"status": "ok"}
'''
# Active tracing as Lambda sets it up: the X-Ray endpoint (nothing listens: UDP goes nowhere)
# and a sampled invocation, so every span is made, encoded and sent.
TRACED = {
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "_X_AMZN_TRACE_ID": "Root=1-6757e988-bd862e3fe1be46a994272793;"
    "Parent=53995c3f42cd8ad8;Sampled=1",
}
ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_LAMBDA_FUNCTION_NAME": "spotify-data-api-dev",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing may reach AWS
    "SECRET_KEY": "bench-secret-key",
    "SPOTIFY_CLIENT_ID": "bench-client",
    "SPOTIFY_CLIENT_SECRET": "bench-secret",
    "SPOTIFY_OWNER_ID": "bench-owner",
}


def _variant(task: Path, dest: Path, app_source: str | None = None, bytecode: bool = True) -> Path:
    """A copy of the unzipped package with secrets from the env, optionally another app module."""
    shutil.copytree(task, dest, symlinks=True)
    settings = dest / "zappa_settings.py"
    text = re.sub(r"^REMOTE_ENV=.*\n", "", settings.read_text(), flags=re.M)
    if app_source:
        text = text.replace("APP_MODULE='wsgi'", "APP_MODULE='other_app'")
        (dest / "other_app.py").write_text(app_source)
    settings.write_text(text)
    if not bytecode:
        for cache in list(dest.rglob("__pycache__")):
            shutil.rmtree(cache)
    return dest


def _cold_start(task: Path, runtime: Path, path: str, env: dict) -> tuple[float, float]:
    """Seconds from spawning the process to the first answer, and the handler's share of it."""
    started = time.perf_counter()
    container = lp.LambdaProcess(task, runtime, {**ENV, **env})
    answer = container.invoke(lp.api_event(path))
    total = time.perf_counter() - started
    container.close()
    assert answer.get("result", {}).get("statusCode") == 200, answer
    return total, container.ready["import_seconds"] + answer["seconds"]


def main() -> int:
    archive = lp.build("dev")
    size = archive.stat().st_size / 2**20
    with zipfile.ZipFile(archive) as zipped:
        unzipped = sum(info.file_size for info in zipped.infolist()) / 2**20
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        root = Path(tmp)
        task = lp.unpack(archive, root / "unzipped")
        runtime = lp.runtime_dir(root / "runtime")
        app = _variant(task, root / "app")
        nopyc = _variant(task, root / "nopyc", bytecode=False)
        variants = {  # name: (package, first request, environment)
            "app": (app, "/api/status", {}),
            "floor": (_variant(task, root / "floor", FLOOR_APP), "/health", {}),
            "app, traced": (app, "/api/status", TRACED),
            "app /health": (app, "/health", {}),
            "bare": (_variant(task, root / "bare", BARE_APP), "/health", {}),
            "app, no .pyc": (nopyc, "/api/status", {}),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        _cold_start(app, runtime, "/health", {})  # warm the OS file cache once, not timed
        for _ in range(RUNS):  # interleaved, so machine noise lands on every variant alike
            for name, (package, path, env) in variants.items():
                samples[name].append(_cold_start(package, runtime, path, env))

    def median(name: str, index: int) -> float:
        return statistics.median(sample[index] for sample in samples[name]) * 1000

    rows = []
    comparisons = (
        ("spawn to first answer", "app", "floor", 0, "Flask + requests + a DynamoDB client"),
        ("spawn to first answer, traced", "app, traced", "app", 0, "the same, tracing off"),
        ("handler import + init + request", "app", "floor", 1, "the floor, the same part"),
        ("spawn to first /health answer", "app /health", "floor", 0, "the floor's /health"),
        ("spawn to first /health answer", "app /health", "bare", 0, "bare Flask's /health"),
    )
    for label, ours_name, base_name, index, baseline in comparisons:
        ours, base = median(ours_name, index), median(base_name, index)
        print(f"cold start, {label}: {ours:.0f} ms vs {baseline} {base:.0f} ms, x{ours / base:.2f}")
        rows.append(
            {
                "figure": f"cold start: {label} (median of {RUNS})",
                "value": round(ours, 1),
                "baseline": round(base, 1),
                "ratio": round(ours / base, 2),
                "unit": f"ms (baseline: {baseline}, through the same Zappa handler)",
            }
        )
    worst = max(rows[0]["ratio"], median("app, traced", 0) / median("floor", 0))
    ours, nopyc = median("app", 0), median("app, no .pyc", 0)
    print(f"cold start without the precompiled .pyc files: {nopyc:.0f} ms (x{nopyc / ours:.2f})")
    rows.append(
        {
            "figure": "cold start without precompiled bytecode (spawn to first answer)",
            "value": round(nopyc, 1),
            "baseline": round(ours, 1),
            "ratio": round(nopyc / ours, 2),
            "unit": "ms (baseline: the package as built, with unchecked-hash .pyc)",
        }
    )
    print(f"package: {size:.2f} MiB zipped, {unzipped:.2f} MiB unzipped")
    rows.append(
        {
            "figure": "Lambda zip size",
            "value": round(size, 2),
            "baseline": round(unzipped, 2),
            "ratio": None,
            "unit": "MiB zipped (baseline: MiB unzipped; Lambda allows 50 zipped, 250 unzipped)",
        }
    )
    record("cold_start", rows)
    print(f"cold start x{worst:.2f} the floor (goal ≤ {GOAL})")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
