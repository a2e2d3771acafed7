"""The Lambda zip itself: built offline by `make package`, then driven through Zappa's own handler.

Each LambdaProcess is a cold container: the stage's Python with only the unzipped package and the
runtime's boto3 on sys.path. Everything it calls goes to one local fake (FakeUpstream): its secrets
through Zappa's remote_env (an S3 JSON file), asynchronous task invokes (recorded, then delivered
by the test as Lambda would), DynamoDB (forwarded to the session's dynalite), Spotify and
ReccoBeats. So nothing here reaches AWS or Spotify, and every AWS call is checked against the
stage's IAM policy.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from app.models import ArtistAlbum, ArtistCatalog, OwnerToken, Play, TrackFeatures
from tests import lambda_package as lp
from tests.fakes import spotify as sp
from tests.fakes.catalog_server import CatalogServer
from tests.fakes.responses import token_response
from tests.helpers import CLIENT_ID, CLIENT_SECRET, OWNER_ID

FUNCTION = "spotify-data-api-dev"
ACCOUNT = "123456789012"
SECRET_KEY = "packaged-secret-key-5c1d"
OWNER_SECRETS = {
    "SECRET_KEY": SECRET_KEY,
    "SPOTIFY_CLIENT_ID": CLIENT_ID,
    "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
    "SPOTIFY_OWNER_ID": OWNER_ID,
}
# Zappa's remote_env for dev, s3://<bucket>/<key>, as a path-style S3 request for that object.
SECRETS_PATH = "/" + lp.stage_config("dev")["remote_env"].removeprefix("s3://")
PUBLIC_HOSTS = {"/v1/": "https://api.spotify.com", "/reccobeats/": "https://api.reccobeats.com"}


def build_event(artist_id: str) -> dict:
    """Exactly what zappa.asynchronous.run(app.tasks.build_artist, args=[id]) sends (zappa 0.63's
    LambdaAsyncResponse.send/_send: the message plus the command that routes it)."""
    return {
        "command": "zappa.asynchronous.route_lambda_task",
        "task_path": "app.tasks.build_artist",
        "capture_response": False,
        "response_id": None,
        "args": [artist_id],
        "kwargs": {},
    }


class FakeUpstream(ThreadingHTTPServer):
    """Answers what the package calls at run time and records every AWS call as IAM would see it."""

    daemon_threads = True

    def __init__(self, dynamodb_url: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_port}"
        self.dynamodb_url = dynamodb_url
        self.secrets: dict[str, str] | None = None
        self.calls: list[tuple[str, str, dict[str, list[str]]]] = []
        self.aws: list[tuple[str, str]] = []  # (IAM action, resource ARN) of every AWS request
        self.invokes: list[dict] = []  # Lambda Invoke requests not yet delivered
        self.errors: list[str] = []  # a fake's assertion that failed inside the server
        self.routes: list[tuple[str, re.Pattern, Callable]] = []
        self.delay = 0.0  # seconds added to every Spotify/ReccoBeats answer
        self.lock = threading.Lock()

    def add_callback(self, method: str, url: re.Pattern, callback: Callable) -> None:
        """The part of `responses.RequestsMock` that CatalogServer registers its routes on."""
        self.routes.append((method, url, callback))

    def serve_catalog(self, disco: sp.Discography, delay: float = 0.0) -> CatalogServer:
        """Serve this artist's releases, track lists and ReccoBeats features (and nothing else)."""
        with self.lock:
            self.routes, self.delay, self.invokes, self.errors = [], delay, [], []
        return CatalogServer(self, disco)

    def take_invokes(self) -> list[dict]:
        with self.lock:
            taken, self.invokes = self.invokes, []
        return taken


class _Handler(BaseHTTPRequestHandler):
    server: FakeUpstream

    def _answer(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _aws(self, action: str, resource: str) -> None:
        with self.server.lock:
            self.server.aws.append((action, resource))

    def do_GET(self) -> None:
        self.server.calls.append(("GET", self.path, {}))
        if self._public_api("GET"):
            return
        bucket, _, key = urlsplit(self.path).path.lstrip("/").partition("/")
        self._aws("s3:GetObject", f"arn:aws:s3:::{bucket}/{unquote(key)}")
        if self.path == SECRETS_PATH and self.server.secrets is not None:
            self._answer(200, json.dumps(self.server.secrets).encode(), "application/json")
            return
        error = b"<Error><Code>NoSuchKey</Code><Message>No such key.</Message></Error>"
        self._answer(404, error, "application/xml")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("DynamoDB_20120810."):
            self._dynamodb(target, body)
            return
        invoke = re.fullmatch(
            r"/2015-03-31/functions/([^/]+)/invocations", urlsplit(self.path).path
        )
        if invoke:
            self._invoke(unquote(invoke[1]), body)
            return
        form = parse_qs(body.decode())
        self.server.calls.append(("POST", self.path, form))
        if self.path == "/api/token":
            self._answer(
                200, json.dumps(token_response("access-pkg1")).encode(), "application/json"
            )
        else:
            self._answer(
                404, b'{"error": {"status": 404, "message": "Not found"}}', "application/json"
            )

    def _invoke(self, function: str, body: bytes) -> None:
        """Lambda's Invoke API: accepted (202) and queued for the test to deliver."""
        self._aws(
            "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}"
        )
        invocation = {
            "function": function,
            "type": self.headers.get("X-Amz-Invocation-Type"),
            "payload": json.loads(body),
        }
        with self.server.lock:
            self.server.invokes.append(invocation)
        self._answer(202, b"", "application/json", x_amzn_RequestId="fake-invoke")

    def _dynamodb(self, target: str, body: bytes) -> None:
        """Record the operation on each table it touches, then let dynalite answer it."""
        request = json.loads(body or b"{}")
        tables = (
            [request["TableName"]]
            if "TableName" in request
            else list(request.get("RequestItems", {}))
        )
        for table in tables or ["*"]:  # an operation on no single table needs Resource "*"
            resource = (
                f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}" if table != "*" else "*"
            )
            self._aws("dynamodb:" + target.split(".", 1)[1], resource)
        headers = {
            name: self.headers[name]
            for name in ("Content-Type", "X-Amz-Target", "X-Amz-Date", "Authorization")
            if self.headers.get(name)
        }
        forward = urllib.request.Request(
            self.server.dynamodb_url, data=body, headers=headers, method="POST"
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(forward, timeout=30) as answer:
                status, reply, data = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, reply, data = error.code, error.headers, error.read()
        extra = {
            name.replace("-", "_"): reply[name]
            for name in ("x-amzn-RequestId", "x-amz-crc32")
            if reply.get(name)
        }
        self._answer(status, data, reply.get("Content-Type", "application/x-amz-json-1.0"), **extra)

    def _public_api(self, method: str) -> bool:
        """Spotify's catalog and ReccoBeats, answered by the routes CatalogServer registered."""
        prefix = next((p for p in PUBLIC_HOSTS if self.path.startswith(p)), None)
        if prefix is None:
            return False
        url = PUBLIC_HOSTS[prefix] + self.path.removeprefix("/reccobeats")
        route = next((r for r in self.server.routes if r[0] == method and r[1].match(url)), None)
        if route is None:
            body = {"error": {"status": 404, "message": "Resource not found"}}
            self._answer(404, json.dumps(body).encode(), "application/json")
            return True
        time.sleep(self.server.delay)
        try:
            status, headers, text = route[2](SimpleNamespace(url=url, method=method))
        except Exception as exc:  # a fake's assertion: fail the request and tell the test
            self.server.errors.append(f"{url}: {exc!r}")
            status, headers, text = 500, {}, '{"error": {"status": 500, "message": "fake"}}'
        extra = {name.replace("-", "_"): value for name, value in headers.items()}
        self._answer(status, text.encode(), "application/json", **extra)
        return True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def package() -> Path:
    return lp.build("dev", force=bool(os.environ.get("CI")))


@pytest.fixture(scope="session")
def unpacked(package: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lambda")
    return lp.unpack(package, root / "task"), lp.runtime_dir(root / "runtime")


@pytest.fixture(scope="module")
def upstream(dynamodb) -> Iterator[FakeUpstream]:
    server = FakeUpstream(os.environ["DYNAMODB_HOST"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _environment(upstream: FakeUpstream, **extra: str) -> dict[str, str]:
    """What Lambda sets, plus endpoints that keep every AWS and Spotify call on this machine."""
    return {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
        "AWS_ENDPOINT_URL": upstream.url,  # S3 (remote_env) and Lambda (async tasks) go here
        "DYNAMODB_HOST": upstream.url,  # recorded, then answered by the test session's dynalite
        "SPOTIFY_ACCOUNTS_URL": upstream.url,
        "SPOTIFY_API_URL": f"{upstream.url}/v1",
        "RECCOBEATS_URL": f"{upstream.url}/reccobeats/v1",
        **extra,
    }


@pytest.fixture(scope="module")
def sample_lambda(dynamodb, unpacked, upstream) -> Iterator[lp.LambdaProcess]:
    """A container for a site still being built: only SECRET_KEY in its secrets, sample data."""
    upstream.secrets = {"SECRET_KEY": SECRET_KEY}
    container = lp.LambdaProcess(*unpacked, _environment(upstream, SAMPLE_MODE="1"))
    yield container
    container.close()


@pytest.fixture(scope="module")
def owner_lambda(dynamodb, unpacked, upstream) -> Iterator[lp.LambdaProcess]:
    """A production-like container: every secret comes from the stage's remote_env file."""
    upstream.secrets = OWNER_SECRETS
    container = lp.LambdaProcess(*unpacked, _environment(upstream))
    container.invoke({"command": "app.tasks.create_tables"})
    yield container
    container.close()


def _http(container: lp.LambdaProcess, event: dict) -> tuple[int, dict, dict | None, dict]:
    answer = container.invoke(event)
    assert "error" not in answer, answer
    response = answer["result"]
    body = response.get("body")
    is_json = response["headers"].get("Content-Type") == "application/json"
    return (
        response["statusCode"],
        response["headers"],
        json.loads(body) if is_json else None,
        answer,
    )


@cache
def _dev(model: type) -> type:
    """A model bound to the dev stage's table (the package's), to arrange and check its data."""
    name = model.Meta.table_name.replace("spotify-api-test-", "spotify-api-dev-", 1)
    meta = type("Meta", (model.Meta,), {"table_name": name})
    return type(f"Dev{model.__name__}", (model,), {"Meta": meta})


def _connect_owner() -> None:
    """A finished owner login in the dev tables: a token valid far beyond the test."""
    token = {
        "access_token": "access-pkg2",
        "token_type": "Bearer",
        "expires_in": 3600,
        "expires_at": int(time.time()) + 10**6,
        "refresh_token": "refresh-pkg2",
        "scope": "user-read-currently-playing user-read-recently-played user-top-read",
    }
    model, now = _dev(OwnerToken), datetime.now(UTC)
    try:
        record = model.get(model.KEY)  # versioned: overwrite the stored one, not a blind put
    except model.DoesNotExist:
        record = model(model.KEY)
    record.user_id, record.token, record.reauth_reason = OWNER_ID, token, None
    record.authorized_at = record.refreshed_at = now
    record.save()


def _deliver_invokes(container: lp.LambdaProcess, upstream: FakeUpstream) -> list[dict]:
    """Play Lambda's async queue: run each recorded invoke in the function until none is left."""
    results = []
    for _ in range(50):
        invokes = upstream.take_invokes()
        if not invokes:
            return results
        for invoke in invokes:
            assert (invoke["function"], invoke["type"]) == (FUNCTION, "Event"), invoke
            answer = container.invoke(invoke["payload"])
            assert "error" not in answer, answer
            results.append(answer["result"])
    raise AssertionError(f"still dispatching after {len(results)} invocations")


# --- what is in the zip ---------------------------------------------------------------------------


def test_zip_holds_the_app_and_its_runtime_dependencies_only(package: Path) -> None:
    names = zipfile.ZipFile(package).namelist()
    tops = {name.split("/")[0] for name in names}
    for needed in ("app", "wsgi.py", "handler.py", "zappa_settings.py", "zappa", "flask"):
        assert needed in tops, needed
    for needed in (
        "spotipy",
        "pynamodb",
        "structlog",
        "flask_smorest",
        "flask_caching",
        "werkzeug",
    ):
        assert needed in tops, needed
    assert "app/sample/currently_playing.json" in names
    for needed in ("site/index.html", "site/js/main.js", "site/vendor/chart.umd.min.js"):
        assert needed in names, f"{needed}: the website at / needs it on Lambda too"
    unwanted = {
        "tests",
        "pytest",
        "_pytest",
        "moto",
        "responses",
        "boto3",
        "botocore",
        "s3transfer",
    }
    unwanted |= {
        "ruff",
        ".venv",
        "node_modules",
        "bench",
        "docs",
        "scripts",
        "iam",
        ".data",
        "dist",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
    unwanted |= {
        ".env",
        "troposphere",
        "yaml",
        "pip",
        "setuptools",
        "Makefile",
        "zappa_settings.json",
    }
    # structlog imports rich (its dev console renderer's dependency) whenever it is installed:
    # about 50 ms of a cold start for a renderer production never uses.
    unwanted |= {"rich", "schemathesis", "pygments"}
    assert not tops & unwanted, tops & unwanted
    assert not [n for n in names if n.startswith(("boto3-", "botocore-", "pytest-", "responses-"))]
    assert not [n for n in names if ".cpython-311" in n], "bytecode for the wrong Python"
    size = package.stat().st_size
    print(f"\n{package.name}: {size / 2**20:.2f} MiB ({len(names)} files)")
    assert size < 15 * 2**20, "the zip should stay far below Lambda's 50 MiB direct-upload limit"


def test_zip_settings_are_the_dev_stage(package: Path) -> None:
    settings = zipfile.ZipFile(package).read("zappa_settings.py").decode()
    assert "APP_MODULE='wsgi'" in settings and "APP_FUNCTION='app'" in settings
    assert "API_STAGE='dev'" in settings and "DEBUG=False" in settings
    assert "LOG_LEVEL='INFO'" in settings  # at DEBUG Zappa prints every remote_env secret
    assert "REMOTE_ENV='s3://" in settings
    for name in ("SECRET_KEY", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_CLIENT_ID", "SPOTIFY_OWNER_ID"):
        assert name not in settings


def test_package_python_matches_the_stage_runtime(package: Path) -> None:
    import subprocess

    version = subprocess.run(
        [str(lp.package_python()), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"python{version}" == lp.stage_config("dev")["runtime"]
    names = zipfile.ZipFile(package).namelist()
    platform = f"cpython-{version.replace('.', '')}-x86_64-linux-gnu"
    compiled = [n for n in names if n.endswith(".so")]
    assert compiled and all(platform in n or "abi3" in n for n in compiled), compiled


# --- the packaged handler in a cold container ---------------------------------------------------


def test_create_tables_command_is_idempotent(sample_lambda: lp.LambdaProcess) -> None:
    first = sample_lambda.invoke({"command": "app.tasks.create_tables"})["result"]
    again = sample_lambda.invoke({"command": "app.tasks.create_tables"})["result"]
    assert set(first) == set(again) and all(n.startswith("spotify-api-dev-") for n in first)
    assert set(first.values()) <= {"created", "exists"} and set(again.values()) == {"exists"}


def test_keep_warm_event_is_answered_without_work(sample_lambda: lp.LambdaProcess) -> None:
    event = lp.scheduled_event("handler.keep_warm_callback", name="zappa-keep-warm")
    assert event["resources"][0].endswith("-handler.keep_warm_callback")
    answer = sample_lambda.invoke(event)
    assert answer == {**answer, "result": None} and "error" not in answer


def test_health(sample_lambda: lp.LambdaProcess) -> None:
    status, headers, body, answer = _http(sample_lambda, lp.api_event("/health"))
    assert (status, body) == (200, {"status": "ok"})
    assert headers["X-Request-Id"] == answer["request_id"]  # the Lambda request id reaches the app


def test_status_reports_the_stage_and_sample_mode(sample_lambda: lp.LambdaProcess) -> None:
    status, _, body, _ = _http(sample_lambda, lp.api_event("/api/status"))
    assert status == 200
    assert body["stage"] == "dev" and body["mode"] == "sample"
    assert body["dynamodb"]["reachable"] is True


def test_openapi_document(sample_lambda: lp.LambdaProcess) -> None:
    status, _, body, _ = _http(sample_lambda, lp.api_event("/openapi.json"))
    assert status == 200 and body["openapi"].startswith("3.")
    assert {"/api/now-playing", "/api/recently-played", "/auth/login"} <= set(body["paths"])


@pytest.mark.parametrize(
    ("path", "query", "key"),
    [
        ("/api/now-playing", None, "is_playing"),
        ("/api/recently-played", {"limit": "3"}, "items"),
        ("/api/top/artists", None, "items"),
        ("/api/top/tracks", {"time_range": "long_term", "limit": "5"}, "items"),
    ],
)
def test_public_data_routes(sample_lambda: lp.LambdaProcess, path, query, key) -> None:
    status, headers, body, answer = _http(sample_lambda, lp.api_event(path, query))
    assert status == 200, body
    assert body["source"] == "sample" and key in body
    assert headers["Cache-Control"].startswith("public, max-age=") and headers["ETag"]
    assert answer["result"]["multiValueHeaders"]["Content-Type"] == ["application/json"]
    if query and "limit" in query:
        assert len(body["items"]) == int(query["limit"])


def test_website_at_the_stage_root_resolves_its_urls_under_the_stage(sample_lambda) -> None:
    # https://<api>/dev without a trailing slash: relative URLs must still land under /dev/.
    status, headers, _, answer = _http(sample_lambda, lp.api_event("/", headers={"Accept": "*/*"}))
    page = answer["result"]["body"]
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<base href="/dev/">' in page and 'src="js/main.js"' in page
    status, headers, _, answer = _http(sample_lambda, lp.api_event("/vendor/chart.umd.min.js"))
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert len(answer["result"]["body"]) > 100_000  # Chart.js itself, not an error page


def test_unknown_route_is_a_json_404(sample_lambda: lp.LambdaProcess) -> None:
    status, _, body, answer = _http(sample_lambda, lp.api_event("/api/nope"))
    assert status == 404
    assert body["error"]["code"] == "not_found"
    assert body["error"]["request_id"] == answer["request_id"]


def test_bad_argument_is_a_json_400(sample_lambda: lp.LambdaProcess) -> None:
    status, _, body, _ = _http(sample_lambda, lp.api_event("/api/recently-played", {"limit": "0"}))
    assert status == 400 and "limit" in body["error"]["message"]


def test_login_redirect_uses_the_stage_path(owner_lambda: lp.LambdaProcess, upstream) -> None:
    status, headers, _, answer = _http(owner_lambda, lp.api_event("/auth/login"))
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{upstream.url}/authorize"
    query = parse_qs(location.query)
    assert query["redirect_uri"] == [f"https://{lp.HOST}/dev/auth/callback"]
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    cookie = answer["result"]["multiValueHeaders"]["Set-Cookie"][0]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_login_redirect_on_a_custom_domain_has_no_stage(owner_lambda: lp.LambdaProcess) -> None:
    event = lp.api_event("/auth/login", host="api.example.com")
    status, headers, _, _ = _http(owner_lambda, event)
    assert status == 302
    query = parse_qs(urlsplit(headers["Location"]).query)
    assert query["redirect_uri"] == ["https://api.example.com/auth/callback"]


def test_scheduled_refresh_is_routed_by_rule_name(owner_lambda: lp.LambdaProcess, upstream) -> None:
    model = _dev(OwnerToken)
    token = {
        "access_token": "access-pkg0",
        "token_type": "Bearer",
        "expires_in": 3600,
        "expires_at": int(time.time()) + 20 * 60,  # expires before the next 45-minute run
        "refresh_token": "refresh-pkg0",
        "scope": "user-read-currently-playing user-read-recently-played user-top-read",
    }
    now = datetime.now(UTC)
    model(model.KEY, user_id=OWNER_ID, token=token, authorized_at=now, refreshed_at=now).save()
    upstream.calls.clear()

    answer = owner_lambda.invoke(lp.scheduled_event("app.tasks.refresh_token"))

    assert answer["result"]["refreshed"] is True, answer
    [(method, path, form)] = [call for call in upstream.calls if call[1] == "/api/token"]
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["refresh-pkg0"]
    stored = model.get(model.KEY).token
    assert stored["access_token"] == "access-pkg1" and stored["refresh_token"] == "refresh-pkg0"


def test_scheduled_archive_is_routed_by_rule_name(owner_lambda, upstream) -> None:
    _connect_owner()
    plays = [
        sp.play_history(sp.track(f"pkg{i}"), datetime(2026, 11, 20, 8, i, tzinfo=UTC))
        for i in range(3)
    ]
    answer_body = json.dumps(sp.recently_played(plays, limit=50))
    with upstream.lock:
        upstream.routes.append(
            (
                "GET",
                re.compile(r".*/v1/me/player/recently-played.*"),
                lambda r: (200, {}, answer_body),
            )
        )
    event = lp.scheduled_event("app.tasks.archive_plays")
    assert event["resources"][0].endswith(f"/{FUNCTION}-app.tasks.archive_plays")
    answer = owner_lambda.invoke(event)
    assert answer.get("result", {}).get("added") == 3, answer
    stored = {p.track for p in _dev(Play).scan()}
    assert {"Track pkg0", "Track pkg1", "Track pkg2"} <= stored


def test_status_in_owner_mode(owner_lambda: lp.LambdaProcess) -> None:
    status, _, body, _ = _http(owner_lambda, lp.api_event("/api/status"))
    assert status == 200 and body["mode"] == "spotify"


def test_async_build_task_event_builds_the_catalog(owner_lambda, upstream) -> None:
    disco = sp.discography("pkg-async", 4, tracks_per_album=[5, 12, 2, 7])
    server = upstream.serve_catalog(disco)
    artist_id = disco.artist["id"]
    _connect_owner()
    _dev(ArtistCatalog)(artist_id, status="queued").save()  # what a first request leaves behind

    answer = owner_lambda.invoke(build_event(artist_id))

    assert answer.get("result") == {"artist_id": artist_id, "status": "ready", "ran": True}, answer
    catalog = _dev(ArtistCatalog).get(artist_id)
    assert catalog.status == "ready" and catalog.ready_at and catalog.albums_done == 4
    assert catalog.name == disco.artist["name"] and catalog.tracks == len(disco.track_ids)
    assert catalog.features_found == len(disco.track_ids)
    albums = list(_dev(ArtistAlbum).query(artist_id))
    assert len(albums) == 4 and all(album.tracks_complete for album in albums)
    stored = {row.track_id: row for row in _dev(TrackFeatures).batch_get(disco.track_ids)}
    assert set(stored) == set(disco.track_ids)
    assert all(row.source == "reccobeats" and row.features for row in stored.values())
    assert server.total == server.lower_bound() and not upstream.errors
    assert upstream.take_invokes() == [], "a build finished in one run dispatches nothing"


def test_build_task_for_an_unknown_catalog_is_a_no_op(owner_lambda, upstream) -> None:
    server = upstream.serve_catalog(sp.discography("pkg-unknown", 1))
    answer = owner_lambda.invoke(build_event("0" * 22))
    assert answer.get("result") == {"artist_id": "0" * 22, "status": "missing", "ran": False}
    assert server.total == 0 and upstream.take_invokes() == []


def test_audio_features_request_dispatches_the_build_as_an_async_invoke(
    owner_lambda, upstream
) -> None:
    disco = sp.discography("pkg-dispatch", 3, tracks_per_album=6)
    server = upstream.serve_catalog(disco)
    artist_id = disco.artist["id"]
    path = f"/api/artists/{artist_id}/audio-features"
    _connect_owner()

    status, headers, body, _ = _http(owner_lambda, lp.api_event(path))

    assert status == 202 and body["status"] == "queued", body
    assert headers["Location"].endswith(f"/dev{path}") and headers["Retry-After"]
    assert server.kinds == {"albums": 1}, "the request only checks the artist; the task builds"
    [invoke] = upstream.take_invokes()
    assert invoke["function"] == FUNCTION and invoke["type"] == "Event"  # asynchronous
    assert invoke["payload"] == build_event(artist_id)

    # Lambda runs the queued event in a container of the same function.
    answer = owner_lambda.invoke(invoke["payload"])
    assert answer.get("result") == {"artist_id": artist_id, "status": "ready", "ran": True}

    status, headers, body, _ = _http(owner_lambda, lp.api_event(path))
    assert status == 200 and body["status"] == "ready" and headers["ETag"]
    assert [t["id"] for t in body["tracks"]] and {t["id"] for t in body["tracks"]} == set(
        disco.track_ids
    )
    assert all(t["feature_source"] == "reccobeats" for t in body["tracks"])
    assert server.total == server.lower_bound(), "the request's first page was not fetched again"
    assert not upstream.errors and upstream.take_invokes() == []


def test_a_build_longer_than_one_run_continues_in_new_invocations(
    dynamodb, unpacked, upstream
) -> None:
    upstream.secrets = OWNER_SECRETS
    container = lp.LambdaProcess(*unpacked, _environment(upstream, BUILD_SLICE_SECONDS="0.5"))
    try:
        disco = sp.discography("pkg-slices", 6, tracks_per_album=10)
        server = upstream.serve_catalog(disco, delay=0.15)  # at most 4 calls fit in one run
        path = f"/api/artists/{disco.artist['id']}/audio-features"
        _connect_owner()
        assert _http(container, lp.api_event(path))[0] == 202
        results = _deliver_invokes(container, upstream)
        status, _, body, _ = _http(container, lp.api_event(path))
    finally:
        log = container.close()
    statuses = [result["status"] for result in results]
    assert len(results) >= 2 and all(result["ran"] for result in results), results
    assert statuses[-1] == "ready" and set(statuses[:-1]) == {"queued"}, statuses
    assert status == 200 and len(body["tracks"]) == len(disco.track_ids)
    assert server.total == server.lower_bound(), "a later run fetched something again"
    assert all(count == 1 for count in server.calls.values()) and not upstream.errors
    assert CLIENT_SECRET not in log and "access-pkg2" not in log


def test_resume_schedule_is_routed_by_rule_name_and_dispatches_due_builds(
    owner_lambda, upstream
) -> None:
    model = _dev(ArtistCatalog)
    due = sp.discography("pkg-resume-due", 1).artist["id"]
    later = sp.discography("pkg-resume-later", 1).artist["id"]
    message = "Paused: RateLimited (429); resuming in 60 s."
    model(due, status="waiting", retry_at=time.time() - 1, message=message).save()
    model(later, status="waiting", retry_at=time.time() + 3600, message=message).save()
    server = upstream.serve_catalog(sp.discography("pkg-resume-due", 1))
    event = lp.scheduled_event("app.tasks.resume_builds")
    assert event["resources"][0].endswith(f"/{FUNCTION}-app.tasks.resume_builds")

    answer = owner_lambda.invoke(event)

    assert "error" not in answer, answer
    assert due in answer["result"]["resumed"] and later not in answer["result"]["resumed"]
    payloads = [invoke["payload"] for invoke in upstream.take_invokes()]
    assert build_event(due) in payloads and build_event(later) not in payloads
    assert server.total == 0, "the schedule only dispatches; each build runs in its own invocation"


def test_missing_secrets_fail_fast_with_one_clear_message(dynamodb, unpacked, upstream) -> None:
    upstream.secrets = None  # the stage's secrets file was never uploaded
    container = lp.LambdaProcess(*unpacked, _environment(upstream))
    answer = container.invoke(lp.api_event("/health"))
    log = container.close()
    assert answer["type"] == "ConfigError"
    for name in ("SECRET_KEY", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID"):
        assert name in answer["error"]
    assert "Could not load remote settings file" in log


def _allowed(policy: dict, action: str, resource: str) -> bool:
    """IAM's answer for one request under an Allow-only policy (`*` and `?` wildcards)."""
    return any(
        statement["Effect"] == "Allow"
        and any(fnmatchcase(action, pattern) for pattern in statement["Action"])
        and any(fnmatchcase(resource, pattern) for pattern in statement["Resource"])
        for statement in policy["Statement"]
    )


def test_every_aws_call_the_package_made_is_allowed_by_the_stage_policy(
    owner_lambda, upstream
) -> None:
    owner_lambda.invoke({"command": "app.tasks.create_tables"})  # some calls even when run alone
    policy = json.loads((lp.ROOT / lp.stage_config("dev")["attach_policy"]).read_text())
    calls = sorted(set(upstream.aws))
    denied = [call for call in calls if not _allowed(policy, *call)]
    assert not denied, f"the dev role would be denied: {denied}"
    actions = sorted({action for action, _ in calls})
    print(f"\n{len(calls)} distinct AWS calls allowed: {', '.join(actions)}")
    assert "dynamodb:DescribeTable" in actions and "s3:GetObject" in actions
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/spotify-api-%s-tokens"
    assert _allowed(policy, "dynamodb:GetItem", table % "dev")
    assert not _allowed(policy, "dynamodb:GetItem", table % "prod")  # the check can say no
    assert not _allowed(policy, "dynamodb:DeleteTable", table % "dev")


def test_project_modules_ship_precompiled(package: Path) -> None:
    names = set(zipfile.ZipFile(package).namelist())
    tag = f"cpython-{lp.runtime_version().replace('.', '')}"
    sources = [n for n in names if n.endswith(".py") and n.startswith(("app/", "wsgi.py"))]
    sources += ["handler.py", "zappa_settings.py"]
    missing = [
        n
        for n in sources
        if f"{n.rpartition('/')[0]}/__pycache__/".lstrip("/")
        + f"{n.rpartition('/')[2][:-3]}.{tag}.pyc"
        not in names
    ]
    assert len(sources) > 30 and not missing, missing


def _json_lines(answer: dict) -> list[dict]:
    """The invocation's log, each line parsed; a line that is not one JSON object fails.

    Zappa print()s a command event's result for `zappa invoke` to show (two lines, outside
    logging); an asynchronous task arrives as such a command, so those two lines are allowed.
    """
    lines = [line for line in answer["log"] if line.strip()]
    if lines and lines[-2:-1] == [f"Result of {answer.get('command')}:\n"]:
        lines = lines[:-2]
    for line in lines:
        assert line.startswith("{") and line.endswith("}\n"), f"not one JSON line: {line!r}"
    return [json.loads(line) for line in lines]


def test_each_record_is_written_once_as_json_despite_lambdas_root_handler(sample_lambda) -> None:
    answer = sample_lambda.invoke(lp.api_event("/health"))
    records = _json_lines(answer)
    access = [r for r in records if r.get("logger") == "app.access"]
    assert len(access) == 1 and access[0]["path"] == "/health", records
    assert access[0]["request_id"] == answer["request_id"]
    # On Lambda each request also writes its metrics: one EMF line, with the same request id.
    [emf] = [r for r in records if "_aws" in r]
    assert emf["request_id"] == answer["request_id"] and emf["LatencyMs"]
    assert len(records) == 2, "one request, one log line: no second copy from Zappa or the runtime"


def test_the_oauth_callback_query_reaches_no_log_line(owner_lambda) -> None:
    login = owner_lambda.invoke(lp.api_event("/auth/login"))
    cookie = login["result"]["multiValueHeaders"]["Set-Cookie"][0].split(";")[0]
    state = parse_qs(urlsplit(login["result"]["headers"]["Location"]).query)["state"][0]
    code = "code-AQBx9secretcallbackcode"
    query = {"code": code, "state": state}
    answer = owner_lambda.invoke(lp.api_event("/auth/callback", query, headers={"Cookie": cookie}))
    records = _json_lines(answer)  # at the dev stage's LOG_LEVEL=DEBUG
    assert any(r.get("path") == "/auth/callback" for r in records), records
    text = "".join(answer["log"])
    assert code not in text and state not in text


def test_tasks_log_their_own_id_never_the_previous_requests(owner_lambda) -> None:
    request = owner_lambda.invoke(lp.api_event("/health"))
    scheduled = owner_lambda.invoke(lp.scheduled_event("app.tasks.refresh_token"))
    asynchronous = owner_lambda.invoke(build_event("1" * 22))
    asynchronous["command"] = build_event("1" * 22)["command"]
    for answer, name in ((scheduled, "refresh_token"), (asynchronous, "build_artist")):
        records = _json_lines(answer)
        assert records and all(r.get("task") == name for r in records), records
        assert all("request_id" not in r for r in records), records
        assert request["request_id"] not in "".join(answer["log"])
    assert {r["task_id"] for r in _json_lines(scheduled)} == {scheduled["request_id"]}
    [async_id] = {r["task_id"] for r in _json_lines(asynchronous)}
    assert re.fullmatch(r"[0-9a-f]{32}", async_id)


def test_logs_hold_no_secret_or_token(sample_lambda, owner_lambda) -> None:
    log = sample_lambda.close() + owner_lambda.close()
    assert '"path":"/auth/login"' in log  # the logs were captured at all
    secrets = (SECRET_KEY, CLIENT_SECRET, "access-pkg0", "access-pkg1", "refresh-pkg0")
    for secret in (*secrets, "access-pkg2", "refresh-pkg2"):
        assert secret not in log, "a secret reached the function's logs"
