"""Structured JSON logs via structlog: one line per request, stdlib records rendered alike.

The app owns the root logger: on Lambda the runtime installs its own root handler and Zappa calls
`logging.basicConfig()`, and either would print every record a second time, as plain text.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import nullcontext
from functools import wraps
from typing import Any, TypeVar

import msgspec
import structlog
from flask import Flask, Response, g, request

from app import metrics, tracing

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
_STARTED = "app.started"  # the WSGI environ key holding when the request began
# Request ids made here: a random half per process (a forked worker makes its own), then a count.
_ids: tuple[int, str, Iterator[int]] = (-1, "", iter(()))


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


def _request_id(environ: dict[str, Any]) -> str:
    lambda_id = getattr(environ.get("lambda.context"), "aws_request_id", None)
    header = environ.get("HTTP_X_REQUEST_ID", "")
    if lambda_id:
        return str(lambda_id)
    if header and len(header) <= 128 and header.replace("-", "").isalnum():
        return header
    return _new_id()


def _new_id() -> str:
    """32 hex digits, unique per process and request, cheaper than a uuid4."""
    global _ids
    pid, prefix, count = _ids
    if pid != os.getpid():
        pid, prefix, count = _ids = os.getpid(), secrets.token_hex(8), itertools.count(1)
    return f"{prefix}{next(count):016x}"


_stamp: tuple[int, str] = (-1, "")


def _timestamp() -> str:
    """Now in RFC 3339 with microseconds, UTC; the part up to the second formatted once a second."""
    global _stamp
    now = time.time()
    second, text = _stamp
    if second != int(now):
        second = int(now)
        _stamp = second, text = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{text}.{int((now - second) * 1_000_000):06d}Z"


class AccessLog:
    """The one line per request, rendered straight to JSON with msgspec.

    It is the hot path of every answer, so it skips the logging chain, yet writes under the JSON
    handler's lock, in the same shape as every other line, and only when INFO is logged.
    """

    def __init__(self, handler: logging.Handler, level: int) -> None:
        self.handler, self.enabled = handler, level <= logging.INFO
        self._encode = _ENCODER.encode

    def write(self, context: dict[str, Any], **fields: Any) -> None:
        """Log the request's fields with the bound context (its request id, ...)."""
        if not self.enabled:
            return
        fields.update(context)
        fields.update(event="request", level="info", logger="app.access")
        fields["timestamp"] = _timestamp()
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
        environ = request.environ
        g.request_id = request_id = _request_id(environ)
        environ[_STARTED] = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        environ = request.environ
        started = environ.get(_STARTED)
        context = structlog.contextvars.get_contextvars()
        response.headers["X-Request-Id"] = context.get("request_id", "")
        access.write(
            context,
            method=environ["REQUEST_METHOD"],
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
        task_id = getattr(context, "aws_request_id", None) or _new_id()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(task=fn.__name__, task_id=str(task_id))
        try:
            with tracing.task_span(fn.__name__), metrics.collecting():
                return fn(*args, **kwargs)
        finally:
            structlog.contextvars.clear_contextvars()

    return run
