"""HTTP caching for the website and any CDN: max-age from remaining freshness, ETag, 304, Age.

An answer is rendered once per envelope (and variant): its JSON bytes and ETag are kept, and a
hit only adds what depends on the moment (max-age, Age). The bytes are exactly what `jsonify`
would produce, since they are produced by it, once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import cast

from flask import Response, current_app, request
from werkzeug.http import generate_etag, parse_etags

from app.services.freshness import Answer, Served
from app.services.local_cache import local_cache

JSON = "application/json"


def rendered(key: Hashable, render: Callable[[], bytes]) -> tuple[bytes, str]:
    """The bytes and ETag for `key`, rendered on first use in this container."""
    cache = local_cache("rendered", 512)
    found = cache.get(key)
    if found is None:
        data = render()
        found = (data, generate_etag(data))
        cache[key] = found
    return found


def json_bytes(value: object) -> bytes:
    """Exactly what jsonify would answer (sorted keys; compact, or indented in debug mode)."""
    response = cast(Response, current_app.json.response(value))
    return response.get_data()


def respond(answer: Answer) -> Response:
    """The answer as JSON with its envelope's caching headers; 304 when unchanged."""
    data, etag = rendered(("json", *answer.key), lambda: json_bytes(answer.build()))
    return send(data, etag, JSON, answer.served)


def send(
    data: bytes, etag: str, content_type: str, served: Served | None, max_age: int = 0
) -> Response:
    """A cacheable answer: 304 when the client holds this ETag; headers from the envelope."""
    matches = request.environ.get("HTTP_IF_NONE_MATCH")
    not_modified = bool(matches) and parse_etags(matches).contains(etag)
    response = Response(b"" if not_modified else data, 304 if not_modified else 200)
    response.headers["Content-Type"] = content_type
    age = served.max_age if served else max_age
    response.headers["Cache-Control"] = f"public, max-age={age}"
    response.headers["ETag"] = f'"{etag}"'
    if served is not None and served.stale:
        response.headers["Age"] = str(served.age)
        if served.retry_after:
            response.headers["Retry-After"] = str(served.retry_after)
    if not_modified:
        del response.headers["Content-Type"]
    return response


def conditional(response: Response) -> Response:
    """ETag and a 304 on If-None-Match; the Date header is left to the server.

    Werkzeug's make_conditional adds a Date, and gunicorn, werkzeug's server and API Gateway
    each add their own: a client would get two.
    """
    response.add_etag()
    response.make_conditional(request)  # updates the response in place
    response.headers.remove("Date")
    return response


def vary_by_origin(response: Response) -> Response:
    """Every /api/* answer varies by Origin (CORS headers differ), so shared caches keep apart."""
    if request.path.startswith("/api/"):
        vary = ", ".join(response.headers.getlist("Vary"))  # .get() raises inside when absent
        if not vary:
            response.headers["Vary"] = "Origin"
        elif "origin" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Origin"
    return response
