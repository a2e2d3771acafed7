"""Marshmallow schemas shared by blueprints: the error envelope and common argument types."""

from __future__ import annotations

import marshmallow as ma


class StrictSchema(ma.Schema):
    """Reject unknown arguments so a typo is reported instead of silently ignored."""

    class Meta:
        unknown = ma.RAISE


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "not_found"})
    message = ma.fields.String(required=True)
    request_id = ma.fields.String(allow_none=True)
    details = ma.fields.Dict(required=False)


class ErrorSchema(ma.Schema):
    """The one error shape: {"error": {"code", "message", "request_id"}}."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)
