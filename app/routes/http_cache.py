"""HTTP caching for the website and any CDN: max-age from remaining freshness, ETag, 304, Age."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from app.services.freshness import Served


def with_cache_headers(response: Response, served: Served) -> Response:
    """Any body with Cache-Control/ETag/Age derived from the served envelope; 304 when unchanged."""
    response.cache_control.public = True
    response.cache_control.max_age = served.max_age
    if served.stale:
        response.headers["Age"] = str(served.age)
        if served.retry_after:
            response.headers["Retry-After"] = str(served.retry_after)
    return conditional(response)


def cached_json(body: dict[str, Any], served: Served) -> Response:
    """JSON with the envelope's caching headers; 304 when unchanged."""
    return with_cache_headers(jsonify(body), served)


def conditional(response: Response) -> Response:
    """ETag and a 304 on If-None-Match; the Date header is left to the server.

    Werkzeug's make_conditional adds a Date, and gunicorn, werkzeug's server and API Gateway
    each add their own: a client would get two.
    """
    response.add_etag()
    response.make_conditional(request)  # updates the response in place
    response.headers.pop("Date", None)
    return response


def vary_by_origin(response: Response) -> Response:
    """Every /api/* answer varies by Origin (CORS headers differ), so shared caches keep apart."""
    if request.path.startswith("/api/"):
        response.vary.add("Origin")
    return response
