"""Structured JSON logs via structlog: one line per request, stdlib records rendered alike.

The app owns the root logger: on Lambda the runtime installs its own root handler and Zappa calls
`logging.basicConfig()`, and either would print every record a second time, as plain text.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, MutableMapping
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import msgspec
import structlog
from flask import Flask, Response, g, request

_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
# Third-party loggers that print request headers (bearer tokens, client secrets) at DEBUG, or
# URLs with their query strings: Zappa logs whole events at DEBUG and a second access line (with
# the OAuth callback's code and state) at INFO, next to ours.
_QUIET = ("spotipy", "urllib3", "botocore", "pynamodb", "werkzeug", "zappa", "zappa.handler")
# Query parameters that carry a credential; their values never reach a log line.
_SECRET_PARAM = re.compile(
    r"(\b(?:code|state|access_token|refresh_token|id_token|client_secret)=)[^&;\s\"'#]+", re.I
)
T = TypeVar("T")
_ENCODER = msgspec.json.Encoder(enc_hook=repr)


class SpotipyErrors(logging.Filter):
    """spotipy logs every upstream 4xx at ERROR with the URL and its parameters (a visitor's
    search text among them): keep it a WARNING that names the method, path and status only."""

    _LINE = re.compile(r"HTTP Error for (\S+) to (\S+?)(?:\?\S*)? with Params: .* returned (\d+)")

    def filter(self, record: logging.LogRecord) -> bool:
        match = self._LINE.match(record.getMessage())
        if match:
            method, url, status = match.groups()
            record.msg, record.args = "spotify answered %s to %s %s", (status, method, url)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank credential query parameters in every text field of a record."""
    for key, value in event.items():
        if isinstance(value, str) and "=" in value:
            event[key] = _SECRET_PARAM.sub(r"\1[redacted]", value)
    return event


def _dumps(event: Any, **_options: Any) -> str:
    """JSON the way the access line writes it (compact, msgspec), so every line reads alike."""
    return _ENCODER.encode(event).decode()


class _StdoutHandler(logging.StreamHandler):
    """Write to whatever sys.stdout is at emit time, since test runners swap it."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str) -> None:
    """Send every log record to stdout as one JSON object per line."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    handler.set_name("app-json")
    root = logging.getLogger()
    for other in list(root.handlers):  # Lambda's runtime handler, basicConfig's, an earlier app's
        root.removeHandler(other)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    spotipy = logging.getLogger("spotipy.client")
    if not any(isinstance(f, SpotipyErrors) for f in spotipy.filters):
        spotipy.addFilter(SpotipyErrors())
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _request_id() -> str:
    environ = request.environ
    lambda_id = getattr(environ.get("lambda.context"), "aws_request_id", None)
    header = environ.get("HTTP_X_REQUEST_ID", "")
    if lambda_id:
        return str(lambda_id)
    if header and len(header) <= 128 and header.replace("-", "").isalnum():
        return header
    return uuid.uuid4().hex


class AccessLog:
    """The one line per request, rendered straight to JSON with msgspec.

    It is the hot path of every answer, so it skips the logging chain, yet writes under the JSON
    handler's lock, in the same shape as every other line, and only when INFO is logged.
    """

    def __init__(self, handler: logging.Handler, level: int) -> None:
        self.handler, self.enabled = handler, level <= logging.INFO
        self._encode = _ENCODER.encode

    def write(self, **fields: Any) -> None:
        if not self.enabled:
            return
        fields.update(structlog.contextvars.get_contextvars())
        fields.update(event="request", level="info", logger="app.access")
        fields["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = self._encode(fields).decode() + "\n"
        with self.handler.lock or nullcontext():
            sys.stdout.write(line)
            sys.stdout.flush()


def init_request_logging(app: Flask) -> None:
    """Bind a request id for the request and log one line when it ends."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "app-json")
    access = AccessLog(handler, logging.getLogger().getEffectiveLevel())

    @app.before_request
    def _start() -> None:
        g.request_id = _request_id()
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        started = g.get("started")
        access.write(
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
        )
        return response

    @app.teardown_request
    def _forget(_exc: BaseException | None) -> None:
        # A warm container's next scheduled task must not log this request's id.
        structlog.contextvars.clear_contextvars()


def task(fn: Callable[..., T]) -> Callable[..., T]:
    """Run a Zappa task with its own log context: its name and a task id, never a request's.

    The id is the Lambda invocation's request id when Zappa passes the context, else a new one.
    """

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> T:
        context = args[1] if len(args) > 1 else kwargs.get("context")
        task_id = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(task=fn.__name__, task_id=str(task_id))
        try:
            return fn(*args, **kwargs)
        finally:
            structlog.contextvars.clear_contextvars()

    return run
