"""Build, unpack and run the Lambda zip the way AWS Lambda does; shared by tests and bench."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
END = "\x1eEND "  # lambda_driver.py's marker after each invocation's output
HOST = "abc123.execute-api.us-east-1.amazonaws.com"
LAMBDA_PROVIDED = ("boto3", "botocore", "s3transfer")  # what /var/runtime gives every function
_SOURCES = (
    "app",
    "wsgi.py",
    "requirements.txt",
    "zappa_settings.json",
    "scripts/package.sh",
    "iam",
    "site",
)


def stage_config(stage: str) -> dict[str, Any]:
    """A stage's Zappa settings with `extends` resolved, as Zappa resolves it."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    config: dict[str, Any] = {}
    while stage:
        config = {**settings[stage], **config}
        stage = settings[stage].get("extends")
    return config


def runtime_version(stage: str = "dev") -> str:
    return stage_config(stage)["runtime"].removeprefix("python")


def zip_path(stage: str = "dev") -> Path:
    return ROOT / "dist" / f"spotify-data-api-{stage}.zip"


def package_python(stage: str = "dev") -> Path:
    """The interpreter of the runtime-only venv the package was built from (the stage's Python)."""
    return ROOT / f".venv-package-py{runtime_version(stage)}" / "bin" / "python"


def _newest_source() -> float:
    paths = [ROOT / name for name in _SOURCES]
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return max(p.stat().st_mtime for p in files if p.is_file() and "__pycache__" not in p.parts)


def build(stage: str = "dev", *, force: bool = False) -> Path:
    """Run `make package`, unless the zip is newer than every source it is built from."""
    path = zip_path(stage)
    fresh = path.exists() and package_python(stage).exists()
    if force or not fresh or path.stat().st_mtime < _newest_source():
        subprocess.run(["make", "package", f"STAGE={stage}"], cwd=ROOT, check=True, timeout=900)
    return path


def unpack(archive: Path, dest: Path) -> Path:
    """Extract like Lambda: files keep the zip's timestamps (Zappa writes 1980-01-01)."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            target = Path(zipped.extract(info, dest))
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (stamp, stamp))
    return dest


def runtime_dir(dest: Path, stage: str = "dev") -> Path:
    """Stand in for /var/runtime: boto3 and botocore, which the package deliberately leaves out."""
    site = package_python(stage).parents[1] / "lib" / f"python{runtime_version(stage)}"
    dest.mkdir(parents=True, exist_ok=True)
    for name in LAMBDA_PROVIDED:
        link = dest / name
        if not link.exists():
            link.symlink_to(site / "site-packages" / name, target_is_directory=True)
    return dest


def api_event(
    path: str,
    query: dict[str, str] | None = None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    host: str = HOST,
    stage: str = "dev",
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event for the `/{proxy+}` resource Zappa creates."""
    headers = {
        "Accept": "application/json",
        "Host": host,
        "User-Agent": "Mozilla/5.0 (personal website)",
        "X-Amzn-Trace-Id": "Root=1-5e1b4151-5ac6c58f5b5dbd6a3e2f1b4c",
        "X-Forwarded-For": "203.0.113.7, 130.176.1.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    request_id = str(uuid.uuid4())
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "Ab1CdEfGhIjKlMn=",
            "requestTime": "23/Nov/2026:12:00:00 +0000",
            "path": f"/{stage}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": host.split(".")[0],
            "requestTimeEpoch": 1795435200000,
            "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": headers["User-Agent"]},
            "domainName": host,
            "apiId": "abc123",
        },
        "body": None,
        "isBase64Encoded": False,
    }


def scheduled_event(function: str, stage: str = "dev", name: str | None = None) -> dict[str, Any]:
    """The EventBridge event of a rule named exactly as Zappa names the rule for `function`."""
    from zappa.core import Zappa

    zappa = Zappa(load_credentials=False, aws_region="us-east-1", runtime="python3.12")
    event = {"function": function, **({"name": name} if name else {})}
    rule = zappa.get_scheduled_event_name(event, function, f"spotify-data-api-{stage}")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-23T12:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"],
        "detail": {},
    }


class LambdaProcess:
    """One cold Lambda container: a fresh interpreter with only the package and runtime boto3."""

    def __init__(self, package_dir: Path, runtime: Path, env: dict[str, str], stage: str = "dev"):
        self.proc = subprocess.Popen(
            [str(package_python(stage)), "-I", "-S", "-B", str(ROOT / "tests" / "lambda_driver.py")]
            + [str(package_dir), str(runtime)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env},
            text=True,
        )
        self._log: list[str] = []  # drained continuously so a chatty handler never blocks on a pipe
        self._logged = threading.Condition()
        self._drain = threading.Thread(target=self._collect, daemon=True)
        self._drain.start()
        self.ready = self._read()

    def _collect(self) -> None:
        for line in self.proc.stderr:
            with self._logged:
                self._log.append(line)
                self._logged.notify_all()

    def _read(self) -> dict[str, Any]:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Lambda process died:\n{self.close()}")
        return json.loads(line)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Send one event; {"result": handler's return} or {"error", "type"}, plus timings and
        "log": the lines the function wrote while handling it (as CloudWatch would show them)."""
        with self._logged:
            mark = len(self._log)
        self.proc.stdin.write(json.dumps(event) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        end = f"{END}{answer['request_id']}\n"
        with self._logged:
            if not self._logged.wait_for(lambda: end in self._log[mark:], timeout=10):
                raise RuntimeError("the invocation's log never ended")
            lines = self._log[mark : self._log.index(end, mark)]
        answer["log"] = [line for line in lines if not line.startswith(END)]
        return answer

    def close(self) -> str:
        """Stop the container and return everything it logged."""
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._drain.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return "".join(line for line in self._log if not line.startswith(END))
