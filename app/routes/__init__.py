"""Blueprints: parse arguments, call one service, return a dict. Only the factory imports this."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

import flask_smorest
from flask import current_app, request
from flask_smorest import Api
from webargs.flaskparser import FlaskParser


class _Parser(FlaskParser):
    # A bad argument is a client error about the request line: 400, named in the message.
    DEFAULT_VALIDATION_STATUS = 400
    # None defers to the schema's Meta.unknown, so StrictSchema can refuse unknown arguments.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None}


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
