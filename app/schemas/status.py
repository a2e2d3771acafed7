"""Liveness and the service's state."""

from __future__ import annotations

import marshmallow as ma


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class ShareSchema(ma.Schema):
    used = ma.fields.Integer(required=True)
    reserve = ma.fields.Integer(allow_none=True, metadata={"description": "listening only"})
    cap = ma.fields.Integer(allow_none=True, metadata={"description": "search and builds"})


class SpotifyUsageSchema(ma.Schema):
    """Absent fields and `error` instead when DynamoDB could not be read."""

    calls_today = ma.fields.Integer()
    budget = ma.fields.Integer()
    shares = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(ShareSchema))
    budget_stretch = ma.fields.Float()
    circuit = ma.fields.Dict()
    error = ma.fields.String()  # when DynamoDB could not be read
    error_type = ma.fields.String()


class StatusSchema(ma.Schema):
    version = ma.fields.String(required=True)
    stage = ma.fields.String(required=True)
    mode = ma.fields.String(required=True, metadata={"description": "spotify or sample"})
    dynamodb = ma.fields.Dict(required=True)
    token = ma.fields.Dict(required=True)
    spotify = ma.fields.Nested(SpotifyUsageSchema, required=True)
