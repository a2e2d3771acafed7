"""Spans to X-Ray from Lambda: imported only where the function has active tracing."""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

log = logging.getLogger(__name__)


class XRayUdpExporter(SpanExporter):
    """Spans as OTLP to the X-Ray endpoint Lambda runs for a function with active tracing.

    The wire format of ADOT's OTLPUdpSpanExporter (aws-opentelemetry-distro, which would bring
    some fifty instrumentation packages with it): a JSON header line, "T1S", then the
    base64 of the protobuf ExportTraceServiceRequest, in one non-blocking datagram.
    """

    HEADER = '{"format":"json","version":1}\n'

    def __init__(self, address: str) -> None:
        udp = next((a[4:] for a in address.split() if a.startswith("udp:")), address.split()[0])
        host, _, port = udp.rpartition(":")
        self.target = (host, int(port))
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.setblocking(False)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        data = base64.b64encode(encode_spans(spans).SerializeToString()).decode()
        try:
            self.socket.sendto(f"{self.HEADER}T1S{data}".encode(), self.target)
        except OSError as exc:  # a lost trace must never fail a request
            log.debug("span export failed", extra={"error_type": type(exc).__name__})
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.socket.close()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True
