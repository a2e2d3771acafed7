"""The baseline: a bare Flask JSON endpoint, served the same way as the service."""

from __future__ import annotations

from flask import Flask, jsonify


def create_app() -> Flask:
    """A Flask app with one small JSON answer, about the size of a now-playing body."""
    bare = Flask("bare")

    @bare.get("/json")
    def payload():
        return jsonify(is_playing=True, title="A song", artists=["An artist"], progress_ms=1234)

    return bare
