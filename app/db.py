"""Table lifecycle and reachability checks, shared by the CLI, /api/status and Zappa tasks."""

from __future__ import annotations

import logging

from flask import Flask, Response
from pynamodb.exceptions import PynamoDBException, TableDoesNotExist

from app import storage
from app.errors import DatabaseUnavailable, handle_app_error
from app.models import MODELS, OwnerToken

log = logging.getLogger(__name__)


def create_tables() -> dict[str, str]:
    """Create every missing table; safe to run again and again."""
    result = {}
    for model in MODELS:
        name = model.Meta.table_name
        if model.exists():
            result[name] = "exists"
            continue
        model.create_table(wait=True, ignore_update_ttl_errors=True)
        result[name] = "created"
    return result


def table_status() -> dict[str, str]:
    """Report each table as present or missing."""
    return {m.Meta.table_name: "present" if m.exists() else "missing" for m in MODELS}


def ping() -> dict[str, object]:
    """Check DynamoDB answers, within the models' short timeouts (not while the breaker is open)."""
    if storage.breaker.is_open():
        return {"reachable": False, "error": "breaker_open"}
    try:
        OwnerToken.describe_table()
    except TableDoesNotExist:
        return {"reachable": True, "tables": "missing"}
    except (PynamoDBException, OSError) as exc:
        return {"reachable": False, "error": type(exc).__name__}
    return {"reachable": True, "tables": "present"}


def _database_error(exc: PynamoDBException) -> Response:
    log.warning("dynamodb error", extra={"error_type": type(exc).__name__})
    return handle_app_error(DatabaseUnavailable(retry_after=5))


def init_app(app: Flask) -> None:
    """Give each request its storage deadline; answer 503 when DynamoDB fails mid-request."""
    app.before_request(storage.start_deadline)
    app.teardown_request(lambda _exc: storage.end_deadline())
    app.register_error_handler(PynamoDBException, _database_error)
