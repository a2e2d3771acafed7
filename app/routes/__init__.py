"""Blueprints: parse arguments, call one service, return a dict. Only the factory imports this."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
from typing import Any

import flask_smorest
from cachetools import LRUCache
from flask import current_app, request
from flask_smorest import Api
from webargs.flaskparser import FlaskParser


class _Parser(FlaskParser):
    """webargs' Flask parser; a query string it has read before is not read again.

    Answers are cached, so the same few URLs come back all day: parsing one (a marshmallow
    schema built and run per request) would cost more than serving it. Only successful parses
    are remembered; a bad query string is rejected afresh each time.
    """

    # A bad argument is a client error about the request line: 400, named in the message.
    DEFAULT_VALIDATION_STATUS = 400
    # None defers to the schema's Meta.unknown, so StrictSchema can refuse unknown arguments.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None}

    def __init__(self) -> None:
        super().__init__()
        self._parsed: LRUCache = LRUCache(maxsize=2048)
        self._lock = threading.Lock()

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None, **kw: Any) -> Any:
        if location != "query" or kw.get("validate") is not None:
            return super().parse(argmap, req, location=location, **kw)
        key = (id(argmap), repr(kw.get("unknown")), (req or request).query_string)
        with self._lock:
            found = self._parsed.get(key)
        if found is None:
            found = super().parse(argmap, req, location=location, **kw)
            with self._lock:
                self._parsed[key] = found
        return dict(found)  # a view may add to its arguments; the memory stays as parsed


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint whose argument errors answer 400."""

    ARGUMENTS_PARSER = _Parser()


def visitor() -> str:
    """Who is asking, as a keyed hash of their network: an address itself is never kept.

    IPv6 clients are counted by their /64, which one household or phone can rotate within.
    """
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        network = (
            str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
        )
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, network.encode(), hashlib.sha256).hexdigest()[:32]


def register_blueprints(api: Api) -> None:
    """Attach every feature's blueprint to the API."""
    from app.routes import artists, auth, embed, history, listening, status

    api.register_blueprint(status.blp)
    api.register_blueprint(auth.blp)
    api.register_blueprint(listening.blp)
    api.register_blueprint(artists.blp)
    api.register_blueprint(embed.blp)
    api.register_blueprint(history.blp)
