"""One JSON error shape for every failure: {"error": {"code", "message", "request_id"}}."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, g, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a client may see; subclasses set status, code and a safe message."""

    status: int = 500
    code: str = "internal_error"
    message: str = "The server hit an unexpected error."

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.headers = dict(headers or {})
        self.details = details


class InvalidArgument(AppError):
    status, code, message = 400, "invalid_argument", "A request argument is invalid."


class InvalidState(AppError):
    status, code, message = 400, "invalid_state", "The login link is invalid or has expired."


class NotOwner(AppError):
    status, code = 403, "not_owner"
    message = "Only the site owner's Spotify account can be connected to this service."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "You are not allowed to do that."


class CrossSiteRefused(AppError):
    status, code = 403, "cross_site_refused"
    message = "This action is accepted only from the service's own pages."


class NotFound(AppError):
    status, code, message = 404, "not_found", "The requested resource does not exist."


class TooManyRequests(AppError):
    """A visitor asked for too much uncached work; Retry-After says when they may again."""

    status, code = 429, "rate_limited"
    message = "Too many requests for uncached data from your address; try again later."

    def __init__(self, retry_after: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.headers["Retry-After"] = str(max(1, int(retry_after)))


class ServiceUnavailable(AppError):
    status, code, message = 503, "unavailable", "The service is temporarily unavailable."
    default_retry_after: int | None = None  # every 503 tells a polling website when to come back

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kw: Any):
        super().__init__(message, **kw)
        retry_after = retry_after if retry_after is not None else self.default_retry_after
        if retry_after is not None:
            self.headers["Retry-After"] = str(max(1, int(retry_after)))


class ReauthorizationRequired(ServiceUnavailable):
    code = "reauthorization_required"
    message = "The site owner must log in to Spotify again (GET /auth/login)."
    default_retry_after = 300  # a person has to act: no point polling faster


class NotConnected(ServiceUnavailable):
    code = "not_connected"
    message = "No Spotify account is connected yet; the site owner must log in (GET /auth/login)."
    default_retry_after = 300


class UpstreamUnavailable(ServiceUnavailable):
    code = "spotify_unavailable"
    message = "Spotify is unavailable right now and nothing is cached yet; try again later."


class BudgetExhausted(ServiceUnavailable):
    code = "budget_exhausted"
    message = "Today's Spotify call budget is spent and nothing is cached yet; try again later."


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message = "The service's database is unreachable; try again shortly."


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> Response:
    """Build the one error body; every handler ends here."""
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "request_id": g.get("request_id"),
    }
    if details:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def _validation_message(messages: dict[str, Any]) -> str:
    parts = []
    for location, fields in messages.items():
        if not isinstance(fields, dict):
            parts.append(f"{location}: {fields}")
            continue
        for field, problems in fields.items():
            text = " ".join(problems) if isinstance(problems, list) else str(problems)
            if text == "Unknown field.":
                parts.append(f"Unknown {location} argument '{field}'.")
            else:
                parts.append(f"Invalid {location} argument '{field}': {text}")
    return " ".join(parts) or "A request argument is invalid."


def handle_app_error(exc: AppError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.headers, exc.details)


def handle_http_exception(exc: HTTPException) -> Response:
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs/flask-smorest argument validation
        messages = data["messages"]
        return error_response(
            exc.code or 400, "invalid_argument", _validation_message(messages), data.get("headers")
        )
    headers = {k: v for k, v in exc.get_headers() if k.lower() not in {"content-type"}}
    return error_response(
        exc.code or 500, _snake(exc.name), exc.description or exc.name, headers=headers
    )


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled exception", extra={"error_type": type(exc).__name__})
    return error_response(500, AppError.code, AppError.message)


def register_error_handlers(app: Flask) -> None:
    """Route every error to the one JSON shape; registered after flask-smorest so ours win."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
