"""HTTP caching for the website and any CDN: max-age from remaining freshness, ETag, 304, Age.

An answer is rendered once per envelope (and variant): its JSON bytes and ETag are kept, and a
hit only adds what depends on the moment (max-age, Age). The bytes are exactly what `jsonify`
would produce, since they are produced by it, once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import cast

from flask import Response, current_app, request
from werkzeug.http import generate_etag, parse_etags

from app.services.envelope import Answer, Served
from app.services.local_cache import local_cache

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Rendering:
    """An answer's bytes with the headers that do not depend on the moment."""

    data: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]


def rendered(key: Hashable, render: Callable[[], bytes], content_type: str = JSON) -> Rendering:
    """The rendering for `key`, made on first use in this container."""
    cache = local_cache("rendered", 512)
    found = cache.get(key)
    if found is None:
        data = render()
        etag = generate_etag(data)
        # Vary: Origin is what vary_by_origin would add to every /api answer (all that use this).
        headers = (("Content-Type", content_type), ("ETag", f'"{etag}"'), ("Vary", "Origin"))
        found = Rendering(data, etag, headers)
        cache[key] = found
    return found


def json_bytes(value: object) -> bytes:
    """Exactly what jsonify would answer (sorted keys; compact, or indented in debug mode)."""
    response = cast(Response, current_app.json.response(value))
    return response.get_data()


def respond(answer: Answer) -> Response:
    """The answer as JSON with its envelope's caching headers; 304 when unchanged."""
    return send(rendered(("json", *answer.key), lambda: json_bytes(answer.build())), answer.served)


def send(rendering: Rendering, served: Served | None, max_age: int = 0) -> Response:
    """A cacheable answer: 304 when the client holds its ETag; headers from the envelope."""
    age = served.max_age if served else max_age
    headers = [*rendering.headers, ("Cache-Control", f"public, max-age={age}")]
    if served is not None and served.stale:
        headers.append(("Age", str(served.age)))
        if served.retry_after:
            headers.append(("Retry-After", str(served.retry_after)))
    matches = request.environ.get("HTTP_IF_NONE_MATCH")
    if matches and parse_etags(matches).contains(rendering.etag):
        return Response(b"", 304, headers[1:])  # a 304 carries no Content-Type
    return Response(rendering.data, 200, headers)


def vary_by_origin(response: Response) -> Response:
    """Every /api/* answer varies by Origin (CORS headers differ), so shared caches keep apart."""
    if request.path.startswith("/api/"):
        vary = ", ".join(response.headers.getlist("Vary"))  # .get() raises inside when absent
        if not vary:
            response.headers["Vary"] = "Origin"
        elif "origin" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Origin"
    return response
