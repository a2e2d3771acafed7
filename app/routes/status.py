"""Liveness and service status."""

from __future__ import annotations

from flask import Response, current_app

from app.routes import Blueprint
from app.routes.http_cache import JSON, json_bytes, rendered
from app.schemas.status import HealthSchema, StatusSchema
from app.services import status as status_service

blp = Blueprint("status", __name__, description="Liveness and service state.")


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    """Liveness: answers without touching the network."""
    return Response(rendered(("health",), lambda: json_bytes({"status": "ok"})).data, mimetype=JSON)


@blp.route("/api/status")
@blp.response(200, StatusSchema)
def api_status():
    """Version, stage, DynamoDB reachability, token and Spotify quota state."""
    return status_service.service_status(current_app.config)
