"""Artist search and an artist's whole discography with audio features, chart-ready."""

from __future__ import annotations

from flask import jsonify, url_for

from app.routes import Blueprint, visitor
from app.routes.http_cache import json_bytes, rendered, respond, send
from app.schemas import ErrorSchema
from app.schemas.artists import BuildingSchema, CatalogSchema, SearchArgs, SearchSchema
from app.services import catalog

blp = Blueprint("artists", __name__, url_prefix="/api/artists", description="Artists.")
RATE_LIMITED = "Too much uncached work from this address; Retry-After says when to come back"


@blp.route("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(429, schema=ErrorSchema, description=RATE_LIMITED)
def search(args):
    """Find artists by name."""
    return respond(catalog.search(args["q"], args["limit"], visitor))


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
@blp.alt_response(429, schema=ErrorSchema, description=RATE_LIMITED)
def audio_features(artist_id):
    """Every track of the artist with its audio features and a chart-ready summary."""
    answer = catalog.audio_features(artist_id, visitor)
    if answer.status == 200:
        built = rendered(("json", *answer.variant), lambda: json_bytes(answer.build()))
        return send(built, None, max_age=3600)
    body = answer.build()
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = url_for("artists.audio_features", artist_id=artist_id)
    response.headers["Retry-After"] = str(body["retry_after"])
    response.cache_control.no_store = True
    return response
