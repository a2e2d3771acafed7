"""The owner's listening: now playing, recently played, top artists and tracks."""

from __future__ import annotations

from app.routes import Blueprint
from app.routes.http_cache import respond
from app.schemas.listening import (
    LimitArgs,
    NoArgs,
    NowPlayingSchema,
    RecentSchema,
    TopArgs,
    TopArtistsSchema,
    TopTracksSchema,
)
from app.services import listening

blp = Blueprint("listening", __name__, url_prefix="/api", description="The owner's listening.")


@blp.route("/now-playing")
@blp.arguments(NoArgs, location="query")
@blp.response(200, NowPlayingSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def now_playing(_args):
    """What the owner is playing now; when idle, the last played track."""
    return respond(listening.now_playing())


@blp.route("/recently-played")
@blp.arguments(LimitArgs, location="query")
@blp.response(200, RecentSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def recently_played(args):
    """The owner's most recent plays, newest first."""
    return respond(listening.recently_played(args["limit"]))


@blp.route("/top/artists")
@blp.arguments(TopArgs, location="query")
@blp.response(200, TopArtistsSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def top_artists(args):
    """The owner's top artists for a time range."""
    return respond(listening.top("artists", args["time_range"], args["limit"]))


@blp.route("/top/tracks")
@blp.arguments(TopArgs, location="query")
@blp.response(200, TopTracksSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def top_tracks(args):
    """The owner's top tracks for a time range."""
    return respond(listening.top("tracks", args["time_range"], args["limit"]))
