"""Artist search and discography answers."""

from __future__ import annotations

import marshmallow as ma

from app.schemas import Freshness, Open, StrictSchema
from app.schemas.listening import ArtistSchema


class SearchArgs(StrictSchema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    limit = ma.fields.Integer(
        load_default=10,
        validate=ma.validate.Range(1, 10),
        metadata={"description": "1 to 10 (Spotify's development-mode cap)"},
    )


class SearchSchema(Freshness):
    items = ma.fields.List(ma.fields.Nested(ArtistSchema), required=True)


class ArtistRefSchema(Open):
    id = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    url = ma.fields.String(allow_none=True)
    image_url = ma.fields.String(allow_none=True)


class ProgressSchema(Open):
    albums_done = ma.fields.Integer(required=True)
    albums_total = ma.fields.Integer(allow_none=True)
    tracks = ma.fields.Integer(required=True)
    features_found = ma.fields.Integer(required=True)


class BuildingSchema(Open):
    status = ma.fields.String(required=True, metadata={"description": "queued|building|waiting"})
    artist = ma.fields.Nested(ArtistRefSchema, required=True)
    progress = ma.fields.Nested(ProgressSchema, required=True)
    reason = ma.fields.String(
        allow_none=True,
        validate=ma.validate.OneOf(
            ["budget", "rate_limited", "spotify_unavailable", "provider_unavailable"]
        ),
        metadata={"description": "why a waiting build waits; null unless status is waiting"},
    )
    message = ma.fields.String(allow_none=True)
    retry_at = ma.fields.String(allow_none=True)
    retry_after = ma.fields.Integer(required=True)


class CatalogSchema(Open):
    status = ma.fields.String(required=True, metadata={"example": "ready"})
    artist = ma.fields.Nested(ArtistRefSchema, required=True)
    tracks = ma.fields.List(ma.fields.Dict(), required=True)
    summary = ma.fields.Dict(required=True)
    built_at = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    refreshing = ma.fields.Boolean(required=True)
