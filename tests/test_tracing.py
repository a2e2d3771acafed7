"""Tracing: a span per request and per DynamoDB, Spotify, provider and CDN call, nothing secret.

Spans are captured in memory (OpenTelemetry's InMemorySpanExporter) while the requests run for
real against the local DynamoDB and Spotify faked at the HTTP layer; the X-Ray exporter is read
back from a UDP socket, decoded as the OTLP it sends.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import tracing
from tests.fakes import spotify as sp
from tests.fakes.catalog_server import CatalogServer
from tests.helpers import API, CLIENT_SECRET, store_owner_token
from tests.test_svg import PNG, hostile_track

LAMBDA_TRACE = "Root=1-6757e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    tracing.start(memory)
    yield memory
    tracing.stop()


@pytest.fixture
def traced_app(spans, spotify_env):
    from app import create_app
    from app.config import TestingConfig

    app = create_app(TestingConfig)
    store_owner_token(app, expires_in=10**7)
    spans.clear()  # the token store's writes above ran outside any request
    return app


def by_name(found: tuple[ReadableSpan, ...]) -> dict[str, list[ReadableSpan]]:
    named: dict[str, list[ReadableSpan]] = {}
    for span in found:
        named.setdefault(span.name, []).append(span)
    return named


def everything_said(found: tuple[ReadableSpan, ...]) -> str:
    """Every name, attribute key and value and event of the spans, as one text to search."""
    parts = []
    for span in found:
        parts.append(span.name)
        for key, value in (span.attributes or {}).items():
            parts.append(f"{key}={value}")
        parts += [str(e.attributes) for e in span.events]
    return "\n".join(parts)


def test_a_catalog_build_shows_each_call_by_operation_under_the_request(traced_app, spans, spotify):
    disco = sp.discography("traced", 2, tracks_per_album=3)
    CatalogServer(spotify, disco)
    answer = traced_app.test_client().get(f"/api/artists/{disco.artist['id']}/audio-features")
    assert answer.status_code == 200

    found = spans.get_finished_spans()
    named = by_name(found)
    [server] = named["GET /api/artists/<string:artist_id>/audio-features"]
    assert server.attributes["http.response.status_code"] == 200
    assert server.parent is None or server.parent.is_remote is False
    assert named["spotify GET /v1/artists/{id}/albums"]
    assert len(named["spotify GET /v1/albums/{id}/tracks"]) == 2
    assert named["reccobeats GET /v1/audio-features"]
    assert {"DynamoDB.GetItem", "DynamoDB.PutItem", "DynamoDB.UpdateItem"} <= set(named)
    for span in found:
        if span is not server:  # every call hangs under the request's span, in its trace
            assert span.parent is not None and span.parent.span_id == server.context.span_id
            assert span.context.trace_id == server.context.trace_id
    dynamodb = named["DynamoDB.GetItem"][0].attributes
    assert dynamodb["rpc.service"] == "DynamoDB" and dynamodb["rpc.method"] == "GetItem"
    albums = named["spotify GET /v1/artists/{id}/albums"][0].attributes
    assert albums["http.response.status_code"] == 200 and albums["server.address"]
    assert disco.artist["id"] not in everything_said(found)  # ids are named, never shown


def test_search_text_tokens_and_secrets_reach_no_span(traced_app, spans, spotify):
    spotify.get(f"{API}/search", json=sp.search_artists([sp.artist("a")], limit=10))
    assert traced_app.test_client().get("/api/artists/search?q=Secret+Band").status_code == 200
    spotify.get(f"{API}/me/player/currently-playing", json=sp.currently_playing(hostile_track()))
    spotify.get("https://i.scdn.co/image/evilcover", body=PNG, content_type="image/png")
    assert traced_app.test_client().get("/api/now-playing.svg").status_code == 200

    found = spans.get_finished_spans()
    named = by_name(found)
    assert named["spotify GET /v1/search"] and named["artwork GET /image/{id}"]
    said = everything_said(found)
    for secret in ("Secret", "Band", "access-0", "refresh-0", CLIENT_SECRET, "test-secret-key"):
        assert secret not in said
    assert "evilcover" not in said and "?" not in said


def test_a_lambda_invocation_is_the_parent_and_its_sampling_decides(
    traced_app, spans, monkeypatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", LAMBDA_TRACE)
    assert traced_app.test_client().get("/health").status_code == 200
    [server] = spans.get_finished_spans()
    assert f"{server.context.trace_id:032x}" == "6757e988bd862e3fe1be46a994272793"
    assert server.parent is not None and f"{server.parent.span_id:016x}" == "53995c3f42cd8ad8"

    spans.clear()
    monkeypatch.setenv("_X_AMZN_TRACE_ID", LAMBDA_TRACE.replace("Sampled=1", "Sampled=0"))
    assert traced_app.test_client().get("/health").status_code == 200
    assert spans.get_finished_spans() == ()  # X-Ray did not sample this invocation


def test_a_task_has_its_own_span_with_its_calls(traced_app, spans, monkeypatch, spotify) -> None:
    from app import tasks

    monkeypatch.setattr(tasks, "_app", lambda: traced_app)
    tasks.refresh_token({}, None)
    named = by_name(spans.get_finished_spans())
    [task] = named["task refresh_token"]
    assert named["DynamoDB.GetItem"][0].parent.span_id == task.context.span_id


def test_an_untraced_app_pays_for_no_hook(app) -> None:
    hooks = [f.__module__ for f in app.before_request_funcs[None]]
    assert "app.tracing" not in hooks
    assert app.test_client().get("/health").status_code == 200


def test_the_xray_exporter_sends_otlp_in_one_datagram(spans) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    from app.xray_export import XRayUdpExporter

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(5)
    port = daemon.getsockname()[1]
    exporter = XRayUdpExporter(f"udp:127.0.0.1:{port} tcp:127.0.0.1:{port}")
    with TracerProvider().get_tracer("t").start_as_current_span("DynamoDB.GetItem") as span:
        span.set_attribute("rpc.method", "GetItem")
    exporter.export([span])
    message = daemon.recv(65_536).decode()
    header, _, body = message.partition("\n")
    assert header == '{"format":"json","version":1}' and body.startswith("T1S")
    decoded = ExportTraceServiceRequest.FromString(base64.b64decode(body[3:]))
    [sent] = decoded.resource_spans[0].scope_spans[0].spans
    assert sent.name == "DynamoDB.GetItem"
    exporter.shutdown()
    daemon.close()
