"""Embeddable cards: now playing as an SVG for READMEs and profiles."""

from __future__ import annotations

from flask import Response

from app import svg_card
from app.errors import ServiceUnavailable
from app.routes import Blueprint
from app.routes.http_cache import rendered, send
from app.services import artwork, listening

blp = Blueprint("embed", __name__, url_prefix="/api", description="Embeddable cards.")
SVG = "image/svg+xml"
SVG_TYPE = "image/svg+xml; charset=utf-8"


@blp.route("/now-playing.svg")
@blp.response(
    200,
    {"type": "string"},
    content_type=SVG,
    description="A 420×120 card: artwork, title, artist, progress; last played when idle.",
)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(
    503,
    schema={"type": "string"},
    content_type=SVG,
    description="An 'unavailable' card (Spotify down, or the owner must log in again).",
)
def now_playing_svg():
    """Now playing as an SVG card, with the same caching as /api/now-playing.

    Artwork is inlined as a data URI because an SVG shown through an <img> loads nothing external.
    """
    try:
        answer = listening.now_playing()
    except ServiceUnavailable as exc:
        response = Response(svg_card.unavailable(exc.code), status=503, mimetype=SVG)
        response.headers.update(exc.headers)
        response.headers["Cache-Control"] = "no-store"
        return response
    second = int(svg_card.now())  # the card shows times to the second at most: drawn once a second

    def draw() -> bytes:
        body = answer.build()
        card = svg_card.describe(body, second)
        image = artwork.data_uri(svg_card.artwork_url(body))
        return svg_card.render(card, image).encode()

    return send(rendered(("svg", *answer.key, second), draw, SVG_TYPE), answer.served)
