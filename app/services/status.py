"""What /api/status reports: enough to operate the service, never a secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import db


def service_status(config: Mapping[str, Any]) -> dict[str, Any]:
    """Collect version, stage and dependency health."""
    return {
        "version": config["API_VERSION"],
        "stage": config["STAGE"],
        "mode": "sample" if config["SAMPLE"] else "spotify",
        "dynamodb": db.ping(),
        "token": {},
        "spotify": {},
    }
