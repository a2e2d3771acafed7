"""How the models reach DynamoDB: one shared connection, short timeouts, a breaker, a deadline.

A stalled DynamoDB must not hold a visitor: calls time out fast and are never retried by the
SDK, the first timeout opens this container's breaker so the calls after it fail at once, and no
request spends more than its deadline waiting for storage. A skipped call raises a botocore
connection error, which PynamoDB reports as its usual PynamoDBException.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TableError
from pynamodb.models import Model

from app import tracing

# Failures that mean the store is unreachable or stalled (not a refused or conditional write).
_SPAN = "app.span"  # where a call's span waits in botocore's per-call context
_UNREACHABLE = (
    ConnectTimeoutError,
    ReadTimeoutError,
    EndpointConnectionError,
    ConnectionClosedError,
)


@dataclass(frozen=True)
class StoreSettings:
    """Where DynamoDB is and how long to wait for it; create_app builds this from Config."""

    host: str | None = None
    region: str = "us-east-1"
    connect_timeout: float = 0.5
    read_timeout: float = 1.0
    max_retries: int = 0
    local_credentials: bool = False  # a local DynamoDB-compatible server takes any credentials
    breaker_seconds: float = 5.0
    request_deadline: float = 2.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoreSettings:
        return cls(
            host=config["DYNAMODB_HOST"] or None,
            region=config["AWS_REGION"],
            connect_timeout=config["DYNAMODB_CONNECT_TIMEOUT"],
            read_timeout=config["DYNAMODB_READ_TIMEOUT"],
            max_retries=config["DYNAMODB_MAX_RETRIES"],
            local_credentials=config["DYNAMODB_LOCAL_CREDENTIALS"],
            breaker_seconds=config["DYNAMODB_BREAKER_SECONDS"],
            request_deadline=config["STORAGE_DEADLINE"],
        )


class StoreSkipped(BotocoreConnectionError):
    """Not sent: the breaker is open or the request's storage deadline has passed."""

    fmt = "DynamoDB call skipped: {reason}"


class Breaker:
    """This container's view of DynamoDB: open for a while after a timeout, then try again."""

    def __init__(self) -> None:
        self.open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float) -> None:
        with self._lock:
            self.open_until = max(self.open_until, time.monotonic() + seconds)

    def reset(self) -> None:
        self.open_until = 0.0


breaker = Breaker()
_settings = StoreSettings()
_deadline: ContextVar[float | None] = ContextVar("storage_deadline", default=None)
_shared: list[Connection] = []
_shared_lock = threading.Lock()


def configure(settings: StoreSettings) -> None:
    """Use these settings from now on (connections are rebuilt on next use)."""
    global _settings
    _settings = settings
    _shared.clear()
    breaker.reset()


def settings() -> StoreSettings:
    return _settings


def start_deadline() -> None:
    """Give the current request its storage deadline (cleared by end_deadline)."""
    _deadline.set(time.monotonic() + _settings.request_deadline)


def end_deadline() -> None:
    _deadline.set(None)


@contextmanager
def without_deadline() -> Iterator[None]:
    """Work that a request runs but does not wait on as a visitor would (an inline build).

    Its time does not count: the request's own deadline is moved on by as long as it took.
    """
    previous = _deadline.get()
    started = time.monotonic()
    token = _deadline.set(None)
    try:
        yield
    finally:
        _deadline.reset(token)
        if previous is not None:
            _deadline.set(previous + (time.monotonic() - started))


def _before_send(**_: Any) -> None:
    if breaker.is_open():
        raise StoreSkipped(reason="breaker open")
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise StoreSkipped(reason="request deadline passed")


def _after_error(
    exception: BaseException | None = None, context: dict | None = None, **_: Any
) -> None:
    if isinstance(exception, _UNREACHABLE):
        breaker.trip(_settings.breaker_seconds)
    if context is not None and exception is not None:
        _end_span(context, lambda span: tracing.failed(span, exception))


def _start_span(model: Any = None, context: dict | None = None, **_: Any) -> None:
    """Each DynamoDB call's span, named by its operation (DynamoDB.GetItem); never its keys."""
    if context is not None and model is not None:
        attributes = {"rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": model.name}
        span = tracing.begin_call(f"DynamoDB.{model.name}", attributes)
        if span is not None:
            context[_SPAN] = span


def _after_call(http_response: Any = None, context: dict | None = None, **_: Any) -> None:
    if context is not None:
        status = getattr(http_response, "status_code", 0)
        _end_span(context, lambda span: tracing.answered(span, status))


def _end_span(context: dict, record: Callable[[Any], None]) -> None:
    span = context.pop(_SPAN, None)
    if span is not None:
        record(span)
        span.end()


class GuardedConnection(Connection):
    """PynamoDB's Connection whose botocore client consults the breaker and the deadline."""

    @property
    def client(self) -> Any:
        client = super().client
        # PynamoDB builds a new client when the old one's credentials ran out: guard each one.
        if getattr(self, "_guarded", None) is not client:
            client.meta.events.register("before-send.dynamodb", _before_send)
            client.meta.events.register("after-call-error.dynamodb", _after_error)
            client.meta.events.register("before-call.dynamodb", _start_span)
            client.meta.events.register("after-call.dynamodb", _after_call)
            self._guarded = client
        return client


def shared_connection() -> Connection:
    """One connection (one botocore client) for every table, built from the settings."""
    with _shared_lock:
        if not _shared:
            local = "local" if _settings.local_credentials else None
            _shared.append(
                GuardedConnection(
                    region=_settings.region,
                    host=_settings.host,
                    connect_timeout_seconds=_settings.connect_timeout,
                    read_timeout_seconds=_settings.read_timeout,
                    max_retry_attempts=_settings.max_retries,
                    aws_access_key_id=local,
                    aws_secret_access_key=local,
                )
            )
        return _shared[0]


DEFAULT_PREFIX = "spotify-api-local"


class BaseModel(Model):
    """A model whose table connection is the shared, guarded one."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # PynamoDB builds a TableConnection (with a Connection of its own) per model; swap in the
        # shared one so all tables use one client and the storage breaker.
        connection = super()._get_connection()
        shared = shared_connection()
        if connection.connection is not shared:
            meta_table = connection.get_meta_table()
            try:
                shared.get_meta_table(meta_table.table_name)
            except TableError:
                shared.add_meta_table(meta_table)
            connection.connection = shared
        return connection


def table_meta(name: str) -> Any:
    """A model's Meta: its table's name suffix; the prefix and store come from configure()."""
    return type(
        "Meta",
        (),
        {
            "table_suffix": name,
            "table_name": f"{DEFAULT_PREFIX}-{name}",
            "billing_mode": "PAY_PER_REQUEST",
        },
    )
