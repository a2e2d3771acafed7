"""OpenTelemetry spans: one per request or task, one per DynamoDB, Spotify, provider or CDN call.

On Lambda with active tracing, spans go to X-Ray through the function's own X-Ray endpoint over
UDP, as OTLP (the format ADOT's Lambda layers send), under the invocation's segment. Anywhere
else nothing is set up: no daemon, no collector, no error, and a request costs no span at all.
Span names and attributes never carry a URL's ids or query, a token, a code or a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from opentelemetry import context as otel_context
from opentelemetry import trace

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

_tracer: trace.Tracer | None = None  # set by start(): until then nothing is traced
_provider: Any = None
_SPAN, _TOKEN, _STATUS = "app.span", "app.span-token", "app.status"  # WSGI environ keys
# The path segments kept in a span's name: the API's own words (`me`, `currently-playing`, `v1`).
# Any other segment is an id (a Spotify id, an image hash): named {id}, never shown.
_WORD = re.compile(r"[a-z][a-z-]{0,15}|v\d{1,2}")


def start(exporter: SpanExporter) -> None:
    """Trace from now on, each finished span handed to `exporter` at once (Lambda freezes
    between invocations, so nothing may wait in a batch)."""
    global _tracer, _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    if _provider is None:  # this module's own provider: the global one is left to others
        _provider = TracerProvider(resource=Resource.create({"service.name": "spotify-data-api"}))
        _tracer = _provider.get_tracer("app")
    _provider.add_span_processor(SimpleSpanProcessor(exporter))


def stop() -> None:
    """Stop tracing and forget the exporters (apps built after this trace nothing)."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def init_app(app: Flask) -> None:
    """Start exporting when the config says so, and then give each request its span (untraced,
    a request pays for no hook at all)."""
    if app.config["TRACING"] == "xray" and _tracer is None:
        from app.xray_export import XRayUdpExporter

        start(XRayUdpExporter(app.config["XRAY_DAEMON_ADDRESS"]))
    if _tracer is not None:
        app.before_request(_begin)
        app.after_request(_status)
        app.teardown_request(_end)


def _begin() -> None:
    assert _tracer is not None
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    span = _tracer.start_span(
        f"{request.method} {rule}",
        context=_parent(),
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": request.method, "http.route": rule},
    )
    environ = request.environ
    environ[_SPAN] = span
    environ[_TOKEN] = otel_context.attach(trace.set_span_in_context(span))


def _status(response: Response) -> Response:
    request.environ[_STATUS] = response.status_code
    return response


def _end(exc: BaseException | None) -> None:
    environ = request.environ
    span = environ.pop(_SPAN, None)
    if span is None:
        return
    status = environ.get(_STATUS, 500)
    span.set_attribute("http.response.status_code", status)
    if status >= 500 or exc is not None:
        span.set_status(trace.StatusCode.ERROR)
    span.end()
    otel_context.detach(environ.pop(_TOKEN))


def _parent() -> otel_context.Context | None:
    """Lambda's invocation segment (from _X_AMZN_TRACE_ID), when there is one."""
    from opentelemetry.propagators.aws import AwsXRayLambdaPropagator

    return AwsXRayLambdaPropagator().extract({})


@contextmanager
def task_span(name: str) -> Iterator[None]:
    """A task's own span (a schedule or an asynchronous build), under its invocation."""
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span(f"task {name}", context=_parent()):
        yield


def begin_call(name: str, attributes: Mapping[str, Any]) -> Any:
    """A started span for one call to something else, when inside a traced request or task
    (None otherwise); the caller ends it. Calls are leaves: the span is not made current."""
    if _tracer is None or not trace.get_current_span().is_recording():
        return None
    return _tracer.start_span(name, kind=trace.SpanKind.CLIENT, attributes=dict(attributes))


@contextmanager
def call(name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
    """begin_call() as a context: the span (or None), ended when the block is left."""
    span = begin_call(name, attributes)
    try:
        yield span
    except BaseException as exc:
        failed(span, exc)
        raise
    finally:
        if span is not None:
            span.end()


def http_call(upstream: str, method: str, url: str) -> Any:
    """call() for an HTTP request, named by its path with every id replaced: `spotify GET
    /v1/artists/{id}/albums`. Neither the query nor an id reaches the span."""
    parts = urlsplit(url)
    segments = parts.path.rstrip("/").split("/")
    template = "/".join(s if not s or _WORD.fullmatch(s) else "{id}" for s in segments)
    attributes = {
        "http.request.method": method,
        "server.address": parts.hostname or "",
        "url.template": template,
        "upstream": upstream,
    }
    return call(f"{upstream} {method} {template}", attributes)


def answered(span: Any, status: int) -> None:
    """Record an HTTP answer's status on a call's span (4xx and 5xx mark it an error)."""
    if span is not None:
        span.set_attribute("http.response.status_code", status)
        if status >= 400:
            span.set_status(trace.StatusCode.ERROR)


def failed(span: Any, error: BaseException) -> None:
    """Record that a call raised, by the error's type only (its message may quote a URL)."""
    if span is not None:
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(trace.StatusCode.ERROR)
