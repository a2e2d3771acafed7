"""Cold start of the packaged Lambda vs a bare Flask app behind the same Zappa handler, same run.

Each sample is a fresh python3.12 process that sees only an unzipped package and the runtime's boto3
(tests/lambda_driver.py), imports Zappa's handler and serves one API Gateway request for /health.
The baseline swaps `wsgi.app` for a one-route Flask app in a copy of the same package, so the
difference is what this service adds. Bytecode is never written, as on Lambda's read-only disk.
Secrets come from the environment here, so no remote_env fetch is timed (on AWS: one S3 GET).
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

RUNS = 7
BARE_APP = '''"""A bare Flask app: the least a Flask app behind Zappa can cost."""
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}
'''
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


def _variant(task: Path, dest: Path, app_module: str | None = None, bytecode: bool = True) -> Path:
    """A copy of the unzipped package with secrets from the env, optionally another app module."""
    shutil.copytree(task, dest, symlinks=True)
    settings = dest / "zappa_settings.py"
    text = re.sub(r"^REMOTE_ENV=.*\n", "", settings.read_text(), flags=re.M)
    if app_module:
        text = text.replace("APP_MODULE='wsgi'", f"APP_MODULE='{app_module}'")
        (dest / f"{app_module}.py").write_text(BARE_APP)
    settings.write_text(text)
    if not bytecode:
        for cache in list(dest.rglob("__pycache__")):
            shutil.rmtree(cache)
    return dest


def _cold_start(task: Path, runtime: Path) -> tuple[float, float]:
    """Seconds from spawning the process to the first answer, and the handler's share of it."""
    started = time.perf_counter()
    container = lp.LambdaProcess(task, runtime, ENV)
    answer = container.invoke(lp.api_event("/health"))
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
        variants = {
            "app": _variant(task, root / "app"),
            "bare": _variant(task, root / "bare", app_module="bare_app"),
            "app, no .pyc": _variant(task, root / "nopyc", bytecode=False),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        _cold_start(variants["app"], runtime)  # warm the OS file cache once, not timed
        for _ in range(RUNS):  # interleaved, so machine noise lands on every variant alike
            for name, path in variants.items():
                samples[name].append(_cold_start(path, runtime))

    def median(name: str, index: int) -> float:
        return statistics.median(sample[index] for sample in samples[name]) * 1000

    rows = []
    for label, index in (
        ("spawn to first /health answer", 0),
        ("handler import + init + request", 1),
    ):
        ours, bare = median("app", index), median("bare", index)
        print(f"cold start, {label}: {ours:.0f} ms vs bare Flask {bare:.0f} ms, x{ours / bare:.2f}")
        rows.append(
            {
                "figure": f"cold start: {label} (median of {RUNS})",
                "value": round(ours, 1),
                "baseline": round(bare, 1),
                "ratio": round(ours / bare, 2),
                "unit": "ms (baseline: bare Flask app through the same Zappa handler)",
            }
        )
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
