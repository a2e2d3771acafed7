"""Start a catalog build off the request path, by whatever means the factory installed."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

Dispatcher = Callable[[str], None]
"""Runs (or queues) one build run for an artist id; must not block a request for long."""


def install(app: Flask, dispatcher: Dispatcher) -> None:
    """Give the app its way of dispatching builds (create_app chooses it)."""
    app.extensions["build_dispatcher"] = dispatcher


def dispatch(artist_id: str) -> None:
    """Run the artist's build off the request path."""
    current_app.extensions["build_dispatcher"](artist_id)
