"""Every marshmallow schema of the API, in one package: arguments in, answers out.

The routes document their answers with these, and the tests check every JSON answer against
the schema documented for it, so what is documented and what is served cannot drift apart.
"""

from __future__ import annotations

import marshmallow as ma


class StrictSchema(ma.Schema):
    """Reject unknown arguments so a typo is reported instead of silently ignored."""

    class Meta:
        unknown = ma.RAISE


class Open(ma.Schema):
    """An answer that may grow fields: clients must ignore the ones they do not know."""

    class Meta:
        unknown = ma.INCLUDE


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "not_found"})
    message = ma.fields.String(required=True)
    request_id = ma.fields.String(allow_none=True)
    details = ma.fields.Dict(required=False)


class ErrorSchema(ma.Schema):
    """The one error shape: {"error": {"code", "message", "request_id"}}."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class Freshness(Open):
    fetched_at = ma.fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    source = ma.fields.String(required=True, metadata={"description": "spotify or sample"})
    stale = ma.fields.Boolean(required=True, metadata={"description": "past freshness"})
