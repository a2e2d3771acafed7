"""Entry points Zappa calls by dotted path, outside any request: each builds its own app context.

Paths stay short (Zappa truncates EventBridge rule names near 63 characters) and every task is
idempotent: Lambda retries a failed asynchronous event, and a schedule may fire twice.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from flask import Flask

from app.log import task

log = logging.getLogger(__name__)


@cache
def _app() -> Flask:
    # Built on first use, never at import: Zappa imports this module during cold start.
    from app import create_app

    return create_app()


@task
def refresh_token(event: dict | None = None, context: Any = None) -> dict[str, Any]:
    """Scheduled: refresh the owner's token if it expires before the next run."""
    from app.services import owner

    app = _app()
    with app.app_context():
        summary = owner.refresh_if_due(app.config["TOKEN_REFRESH_INTERVAL_MINUTES"])
    log.info("token refresh task", extra={"summary": summary})
    return summary


@task
def create_tables(event: dict | None = None, context: Any = None) -> dict[str, str]:
    """Create any missing table for this stage (`zappa invoke dev app.tasks.create_tables`)."""
    from app import db

    with _app().app_context():
        return db.create_tables()


@task
def build_artist(artist_id: str) -> dict[str, Any]:
    """Asynchronous: advance one artist's catalog build, re-dispatching itself while work remains.

    Each invocation runs one slice (BUILD_SLICE_SECONDS, under the Lambda timeout) so a big
    discography spans several invocations, each resuming from what the last one saved.
    """
    from pynamodb.exceptions import DoesNotExist

    from app.services import catalog_build
    from app.services.dispatch import dispatch

    app = _app()
    with app.app_context():
        seconds = app.config["BUILD_SLICE_SECONDS"]
        try:
            result, ran = catalog_build.run_build(artist_id, seconds)
        except DoesNotExist:
            # Only a request creates a catalog, so its record is gone (tables re-created). Raising
            # would just make Lambda retry this asynchronous event twice for nothing.
            log.warning("build task for an unknown catalog", extra={"artist_id": artist_id})
            return {"artist_id": artist_id, "status": "missing", "ran": False}
        if ran and catalog_build.needs_run(result):
            dispatch(artist_id)
        return {"artist_id": artist_id, "status": result.status, "ran": ran}


@task
def resume_builds(event: dict | None = None, context: Any = None) -> dict[str, Any]:
    """Scheduled: restart catalog builds whose wait (quota, rate limit) is over."""
    from app.services import catalog

    with _app().app_context():
        resumed = catalog.resume_waiting()
    return {"resumed": resumed}


@task
def archive_plays(event: dict | None = None, context: Any = None) -> dict[str, Any]:
    """Scheduled: store the owner's recent plays for good (see app/services/history/archive.py)."""
    from app.errors import AppError
    from app.services.history import archive
    from app.spotify.errors import UpstreamError

    with _app().app_context():
        try:
            summary = archive.archive_plays()
        except (AppError, UpstreamError) as exc:  # not connected, Spotify down: next run catches up
            summary = {"skipped": type(exc).__name__}
            archive.note_skipped()
    log.info("archive task", extra={"summary": summary})
    return summary
