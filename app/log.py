"""Structured JSON logs via structlog: one line per request, stdlib records rendered alike."""

from __future__ import annotations

import logging
import sys
import time
import uuid

import structlog
from flask import Flask, Response, g, request

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
# Third-party loggers that print request headers (bearer tokens, client secrets) at DEBUG.
_QUIET = ("spotipy", "urllib3", "botocore", "pynamodb", "werkzeug")


class _StdoutHandler(logging.StreamHandler):
    """Write to whatever sys.stdout is at emit time, since test runners swap it."""

    @property
    def stream(self):  # type: ignore[override]
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
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    handler.set_name("app-json")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "app-json"] + [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _request_id() -> str:
    context = request.environ.get("lambda.context")
    lambda_id = getattr(context, "aws_request_id", None)
    header = request.headers.get("X-Request-Id", "")
    if lambda_id:
        return str(lambda_id)
    if header and len(header) <= 128 and header.replace("-", "").isalnum():
        return header
    return uuid.uuid4().hex


def init_request_logging(app: Flask) -> None:
    """Bind a request id for the request and log one line when it ends."""
    access = structlog.get_logger("app.access")

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
        access.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
        )
        return response
