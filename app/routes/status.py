"""Liveness and service status."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app

from app.routes import Blueprint
from app.services import status as status_service

blp = Blueprint("status", __name__, description="Liveness and service state.")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class StatusSchema(ma.Schema):
    version = ma.fields.String(required=True)
    stage = ma.fields.String(required=True)
    mode = ma.fields.String(required=True, metadata={"description": "spotify or sample"})
    dynamodb = ma.fields.Dict(required=True)
    token = ma.fields.Dict(required=True)
    spotify = ma.fields.Dict(required=True)


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    """Liveness: answers without touching the network."""
    return {"status": "ok"}


@blp.route("/api/status")
@blp.response(200, StatusSchema)
def api_status():
    """Version, stage, DynamoDB reachability, token and Spotify quota state."""
    return status_service.service_status(current_app.config)
