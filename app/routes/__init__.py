"""Blueprints: parse arguments, call one service, return a dict. Only the factory imports this."""

from __future__ import annotations

import flask_smorest
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


def register_blueprints(api: Api) -> None:
    """Attach every feature's blueprint to the API."""
    from app.routes import artists, auth, embed, listening, status

    api.register_blueprint(status.blp)
    api.register_blueprint(auth.blp)
    api.register_blueprint(listening.blp)
    api.register_blueprint(artists.blp)
    api.register_blueprint(embed.blp)
