"""Unbound extension objects, bound to an app in create_app."""

import threading
from collections.abc import Callable
from typing import Any, cast

from cachetools import LRUCache
from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_caching import Cache
from flask_cors import CORS
from flask_smorest import Api

from app.schemas import ErrorSchema


class ServiceApi(Api):
    """flask-smorest's Api: our one error shape as every operation's default response, and the
    OpenAPI document built when first asked for (/openapi.json), not on every cold start."""

    ERROR_SCHEMA = ErrorSchema
    _pending: list[Callable[[], None]]
    _documenting = threading.Lock()

    @property
    def spec(self) -> Any:
        """The OpenAPI document, with every blueprint registered so far documented in it."""
        with self._documenting:
            pending, self._pending = getattr(self, "_pending", []), []
            for document in pending:
                document()
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec, self._pending = value, []

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Api.register_blueprint, its documentation part deferred to the spec's first use."""
        name = options.get("name", blp.name)
        app = self._app
        app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        app.register_blueprint(blp, **options)

        def document() -> None:
            blp.register_views_in_doc(self, app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})

        self._pending.append(document)


class RememberingCORS(CORS):
    """flask-cors, remembering the headers it adds to a simple request per path, Origin and method.

    For a GET or HEAD they depend on nothing else, and working them out again on every request
    cost as much as serving a cached answer. Preflights, Private Network Access requests and
    answers that set their own CORS headers are left to flask-cors as they come.
    """

    def init_app(self, app: Flask, **kwargs: Any) -> None:  # type: ignore[override]
        hooks = app.after_request_funcs.setdefault(None, [])
        count = len(hooks)
        super().init_app(app, **kwargs)
        [decide] = hooks[count:]  # the one hook flask-cors registers
        hooks[count] = _remembering(cast(Callable[[Response], Response], decide))


def _remembering(decide: Callable[[Response], Response]) -> Callable[[Response], Response]:
    remembered: LRUCache = LRUCache(maxsize=1024)
    lock = threading.Lock()

    def add_cors_headers(response: Response) -> Response:
        environ = request.environ
        method = environ["REQUEST_METHOD"]
        if (
            method not in ("GET", "HEAD")
            or "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK" in environ
            or "Access-Control-Allow-Origin" in response.headers
        ):
            return decide(response)
        key = (request.path, method, environ.get("HTTP_ORIGIN"))
        with lock:
            added = remembered.get(key)
        if added is None:
            probe = Response()
            probe.headers.clear()
            decide(probe)
            added = tuple(probe.headers.items())
            with lock:
                remembered[key] = added
        for name, value in added:
            response.headers.add(name, value)
        return response

    return add_cors_headers


api = ServiceApi()
cache = Cache()
cors = RememberingCORS()


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per key, not per request."""

    _signer: tuple[Any, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._signer is None or self._signer[0] != key:
            self._signer = (key, super().get_signing_serializer(app))
        return self._signer[1]

    def open_session(self, app: Flask, request: Any) -> Any:
        """No session cookie sent (every website visitor): an empty session, no cookie parsing."""
        if self.get_cookie_name(app) not in request.environ.get("HTTP_COOKIE", ""):
            return None if self.get_signing_serializer(app) is None else self.session_class()
        return super().open_session(app, request)
