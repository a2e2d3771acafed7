"""The owner's listening history: statistics for any period, on this day, the plays themselves."""

from __future__ import annotations

from app.routes import Blueprint
from app.routes.http_cache import respond
from app.schemas.history import (
    OnThisDayArgs,
    OnThisDaySchema,
    PlaysArgs,
    PlaysSchema,
    StatsArgs,
    StatsSchema,
)
from app.services.history import answers

blp = Blueprint(
    "history", __name__, url_prefix="/api/history", description="The owner's listening history."
)
HIDDEN = "Not public (HISTORY_VISIBILITY)"


@blp.route("/stats")
@blp.arguments(StatsArgs, location="query")
@blp.response(200, StatsSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(404, description=HIDDEN)
def stats(args):
    """Totals, top artists, tracks and albums, days, hour-of-week, skips and streaks of a period."""
    return respond(
        answers.statistics(
            args.get("period"), args.get("start"), args.get("end"), args["tz"], args["top"]
        )
    )


@blp.route("/on-this-day")
@blp.arguments(OnThisDayArgs, location="query")
@blp.response(200, OnThisDaySchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(404, description=HIDDEN)
def on_this_day(args):
    """What the owner played on this date in earlier years."""
    return respond(answers.on_this_day(args.get("date")))


@blp.route("")
@blp.arguments(PlaysArgs, location="query")
@blp.response(200, PlaysSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(404, description="Not public unless HISTORY_VISIBILITY=full")
def plays(args):
    """The plays themselves, newest first, a page at a time (`next_cursor` continues)."""
    return respond(
        answers.plays(args.get("start"), args.get("end"), args.get("cursor"), args["limit"])
    )
