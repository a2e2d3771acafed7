"""The ways a catalog build leaves the request: a Zappa task on Lambda, a thread, or inline.

Wiring, like the factory that installs it: services call app.services.dispatch, never this
module. BUILD_MODE is read at each dispatch, so an app's mode can be changed while it runs.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from app import storage
from app.services import catalog

log = logging.getLogger(__name__)
BUILD_TASK = "app.tasks.build_artist"  # by name: nothing may import the Lambda entry point


def dispatch_build(artist_id: str) -> None:
    """Run one build of the artist by BUILD_MODE (auto: a Lambda task on Lambda, else a thread)."""
    config = current_app.config
    mode = config["BUILD_MODE"]
    if mode == "auto":
        mode = "lambda" if config["ON_LAMBDA"] else "thread"
    if mode == "lambda":
        _lambda_task(config["LAMBDA_FUNCTION_NAME"], config["AWS_REGION"], artist_id)
    elif mode == "thread":
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app
        threading.Thread(target=_build_in, args=(app, artist_id), daemon=True).start()
    else:
        with storage.without_deadline():  # stands in for a task, which no visitor waits on
            catalog.build_until_paused(artist_id)


def _lambda_task(function: str, region: str, artist_id: str) -> None:
    """An asynchronous invocation of this function running app.tasks.build_artist."""
    from zappa.asynchronous import LambdaAsyncResponse

    try:
        sender = LambdaAsyncResponse(lambda_function_name=function, aws_region=region)
        sender.send(BUILD_TASK, [artist_id], {})
    except Exception as exc:  # throttled or refused Invoke: stays queued for resume_builds
        log.warning(
            "build dispatch failed", extra={"artist_id": artist_id, "error": type(exc).__name__}
        )


def _build_in(app: Flask, artist_id: str) -> None:
    with app.app_context():
        try:
            catalog.build_until_paused(artist_id)
        except Exception:  # a background thread must log its failure, not die silently
            log.exception("catalog build failed", extra={"artist_id": artist_id})
