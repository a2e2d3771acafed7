"""The owner's listening: arguments and answers."""

from __future__ import annotations

import marshmallow as ma

from app.schemas import Freshness, Open, StrictSchema

LIMIT = ma.fields.Integer(
    load_default=20, validate=ma.validate.Range(1, 50), metadata={"description": "1 to 50"}
)
TIME_RANGE = ma.fields.String(
    load_default="medium_term",
    validate=ma.validate.OneOf(["short_term", "medium_term", "long_term"]),
    metadata={"description": "short_term (~4 weeks), medium_term (~6 months), long_term (years)"},
)


class LimitArgs(StrictSchema):
    limit = LIMIT


class TopArgs(StrictSchema):
    limit = LIMIT
    time_range = TIME_RANGE


class NoArgs(StrictSchema):
    """Now-playing takes no argument; a typo'd one is a 400, not silently ignored."""


class ImageSchema(Open):
    url = ma.fields.String(required=True)
    width = ma.fields.Integer(allow_none=True)
    height = ma.fields.Integer(allow_none=True)


class RefSchema(Open):
    id = ma.fields.String(allow_none=True)
    name = ma.fields.String(required=True)
    url = ma.fields.String(allow_none=True)


class AlbumSchema(RefSchema):
    release_date = ma.fields.String(allow_none=True)
    images = ma.fields.List(ma.fields.Nested(ImageSchema))


class ItemSchema(Open):
    """A track or a podcast episode."""

    id = ma.fields.String(allow_none=True)
    type = ma.fields.String(required=True, metadata={"example": "track"})
    title = ma.fields.String(required=True)
    artists = ma.fields.List(ma.fields.Nested(RefSchema))
    album = ma.fields.Nested(AlbumSchema, allow_none=True)
    show = ma.fields.Nested(RefSchema, allow_none=True)
    images = ma.fields.List(ma.fields.Nested(ImageSchema))
    url = ma.fields.String(allow_none=True)
    uri = ma.fields.String(allow_none=True)
    duration_ms = ma.fields.Integer(allow_none=True)
    explicit = ma.fields.Boolean()
    is_local = ma.fields.Boolean()


class PlaySchema(Open):
    played_at = ma.fields.String(required=True)
    track = ma.fields.Nested(ItemSchema, required=True)


class NowPlayingSchema(Freshness):
    is_playing = ma.fields.Boolean(required=True)
    type = ma.fields.String(
        allow_none=True, metadata={"description": "track, episode, ad, unknown; null if idle"}
    )
    item = ma.fields.Nested(ItemSchema, allow_none=True)
    progress_ms = ma.fields.Integer(
        allow_none=True, metadata={"description": "position at fetched_at; add elapsed time"}
    )
    last_played = ma.fields.Nested(PlaySchema, allow_none=True)


class RecentSchema(Freshness):
    items = ma.fields.List(ma.fields.Nested(PlaySchema), required=True)


class ArtistSchema(RefSchema):
    images = ma.fields.List(ma.fields.Nested(ImageSchema))
    genres = ma.fields.List(ma.fields.String())


class TopArtistsSchema(Freshness):
    time_range = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(ArtistSchema), required=True)


class TopTracksSchema(Freshness):
    time_range = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(ItemSchema), required=True)
