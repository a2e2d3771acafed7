"""What /api/status reports: enough to operate the service, never a secret."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pynamodb.exceptions import PynamoDBException

from app import db
from app.services import budget, owner


def service_status(config: Mapping[str, Any]) -> dict[str, Any]:
    """Collect version, stage and dependency health."""
    return {
        "version": config["API_VERSION"],
        "stage": config["STAGE"],
        "mode": "sample" if config["SAMPLE"] else "spotify",
        "dynamodb": db.ping(),
        "token": _safe(owner.token_status),
        "spotify": _safe(budget.spotify_status),
    }


def _safe(section: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    # Status must answer even when DynamoDB does not; each section degrades on its own.
    try:
        return section()
    except PynamoDBException as exc:
        return {"error": "database_unavailable", "error_type": type(exc).__name__}
