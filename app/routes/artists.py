"""Artist search and an artist's whole discography with audio features, chart-ready."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, url_for

from app.routes import Blueprint
from app.routes.http_cache import cached_json, conditional
from app.routes.listening import ArtistSchema, Freshness, Open
from app.schemas import StrictSchema
from app.services import catalog

blp = Blueprint("artists", __name__, url_prefix="/api/artists", description="Artists.")


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


@blp.route("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def search(args):
    """Find artists by name."""
    return cached_json(*catalog.search(args["q"], args["limit"]))


ARTIST_ID_PARAM = {
    "in": "path",
    "name": "artist_id",
    "required": True,
    "description": "A Spotify artist id (22 base-62 characters); anything else is a 400",
    "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{22}$"},
}


@blp.route("/<string:artist_id>/audio-features", parameters=[ARTIST_ID_PARAM])
@blp.response(200, CatalogSchema)
@blp.alt_response(202, schema=BuildingSchema, description="Being built; poll Location")
def audio_features(artist_id):
    """Every track of the artist with its audio features and a chart-ready summary."""
    status, body = catalog.audio_features(artist_id)
    response = jsonify(body)
    response.status_code = status
    if status == 202:
        response.headers["Location"] = url_for("artists.audio_features", artist_id=artist_id)
        response.headers["Retry-After"] = str(body["retry_after"])
        response.cache_control.no_store = True
        return response
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return conditional(response)
