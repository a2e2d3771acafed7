"""Application factory: wires config, extensions, logging, blueprints and error handlers."""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any

from flask import Flask

from app.config import Config


class _Flask(Flask):
    """Flask, asking once per view or hook whether it is a coroutine, not on every request.

    Flask calls ensure_sync for the view and each hook of every request, and the inspection it
    does was a tenth of the cost of a cached answer. Only plain functions are remembered: they
    are the app's fixed set of views and hooks, where a bound method may be made per call.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if type(func) is not FunctionType:
            return super().ensure_sync(func)
        found = self._sync.get(func)
        if found is None:
            self._sync[func] = found = super().ensure_sync(func)
        return found


def create_app(config_class: type[Config] = Config) -> Flask:
    """Build a configured app; does no I/O, so it is cheap on a Lambda cold start."""
    from app import db, dispatchers, errors, log, metrics, models, tracing
    from app.extensions import SignedCookieSessions, api, cache, cors
    from app.routes import http_cache, register_blueprints, site
    from app.services import dispatch
    from app.spotify import gateway

    settings = config_class()
    settings.validate()
    app = _Flask(__name__)
    app.config.from_object(settings)
    app.session_interface = SignedCookieSessions()
    app.config["SAMPLE"] = not settings.spotify_configured
    models.configure(app.config)

    log.configure_logging(app.config["LOG_LEVEL"])
    log.init_request_logging(app)
    tracing.init_app(app)
    metrics.init_app(app)
    cache.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        expose_headers=["Age", "ETag", "Retry-After", "X-Request-Id"],
        max_age=3600,
    )
    app.after_request(http_cache.vary_by_origin)
    gateway.init_app(app)
    dispatch.install(app, dispatchers.dispatch_build)
    api.init_app(app)
    register_blueprints(api)
    # The demo website is not part of the API: a plain Flask blueprint, left out of /openapi.json.
    app.register_blueprint(site.blp)
    errors.register_error_handlers(app)
    db.init_app(app)
    if not app.config["ON_LAMBDA"]:  # `flask ...` commands; Lambda never runs them
        from app import cli

        cli.register(app)
    return app
