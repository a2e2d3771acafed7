"""Unbound extension objects, bound to an app in create_app."""

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_caching import Cache
from flask_cors import CORS
from flask_smorest import Api

from app.schemas import ErrorSchema


class ServiceApi(Api):
    """flask-smorest Api documenting our one error shape as every operation's default response."""

    ERROR_SCHEMA = ErrorSchema


api = ServiceApi()
cache = Cache()
cors = CORS()


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per key, not per request."""

    _signer: tuple[Any, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._signer is None or self._signer[0] != key:
            self._signer = (key, super().get_signing_serializer(app))
        return self._signer[1]
