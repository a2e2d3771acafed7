"""The listening history: statistics for a period, on this day, the plays one by one."""

from __future__ import annotations

import marshmallow as ma

from app.schemas import Freshness, Open, StrictSchema

DATE = {"description": "YYYY-MM-DD, inclusive (UTC days)"}
PERIOD = r"^([1-9][0-9]{3}|[1-9][0-9]{3}-(0[1-9]|1[0-2])|last-[1-9][0-9]{0,3}-days|all)$"


class StatsArgs(StrictSchema):
    period = ma.fields.String(
        validate=ma.validate.Regexp(PERIOD, error="'period' is 2024, 2024-05, last-N-days or all"),
        metadata={"description": "2024, 2024-05, last-N-days or all (default last-30-days)"},
    )
    start = ma.fields.Date(data_key="from", metadata=DATE)
    end = ma.fields.Date(data_key="to", metadata=DATE)
    tz = ma.fields.String(
        load_default="UTC",
        validate=ma.validate.Length(1, 64),
        metadata={"description": "IANA time zone of the hour-of-week heatmap"},
    )
    top = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 50))


class OnThisDayArgs(StrictSchema):
    date = ma.fields.Date(metadata={"description": "YYYY-MM-DD; default today (UTC)"})


class PlaysArgs(StrictSchema):
    start = ma.fields.Date(data_key="from", metadata=DATE)
    end = ma.fields.Date(data_key="to", metadata=DATE)
    cursor = ma.fields.String(validate=ma.validate.Length(1, 500))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 100))


class RankedSchema(Open):
    name = ma.fields.String(allow_none=True)
    artist = ma.fields.String()
    url = ma.fields.String()
    plays = ma.fields.Integer(required=True)
    minutes = ma.fields.Float(required=True)


class RankingsSchema(Open):
    by_minutes = ma.fields.List(ma.fields.Nested(RankedSchema), required=True)
    by_plays = ma.fields.List(ma.fields.Nested(RankedSchema), required=True)


class TopSchema(Open):
    artists = ma.fields.Nested(RankingsSchema, required=True)
    tracks = ma.fields.Nested(RankingsSchema, required=True)
    albums = ma.fields.Nested(RankingsSchema, required=True)


class DaySchema(Open):
    date = ma.fields.String(required=True)
    plays = ma.fields.Integer(required=True)
    minutes = ma.fields.Float(required=True)


class StatsSchema(Freshness):
    period = ma.fields.Dict(required=True, metadata={"description": "from, to, label"})
    totals = ma.fields.Dict(
        required=True,
        metadata={"description": "plays (30 s or more), minutes, streams, distinct artists…"},
    )
    top = ma.fields.Nested(TopSchema, required=True)
    days = ma.fields.List(ma.fields.Nested(DaySchema), required=True)
    heatmap = ma.fields.Dict(
        required=True, metadata={"description": "tz; minutes[weekday, Monday first][hour]"}
    )
    skip_rate = ma.fields.Float(allow_none=True)
    longest_streak = ma.fields.Dict(allow_none=True)
    coverage = ma.fields.Dict(required=True, metadata={"description": "sources and gaps"})


class YearOnThisDaySchema(Open):
    year = ma.fields.Integer(required=True)
    date = ma.fields.String(required=True)
    plays = ma.fields.Integer(required=True)
    minutes = ma.fields.Float(required=True)
    tracks = ma.fields.List(ma.fields.Nested(RankedSchema), required=True)
    artists = ma.fields.List(ma.fields.Nested(RankedSchema), required=True)


class OnThisDaySchema(Freshness):
    date = ma.fields.String(required=True)
    years = ma.fields.List(ma.fields.Nested(YearOnThisDaySchema), required=True)


class HistoryPlaySchema(Open):
    ended_at = ma.fields.String(required=True)
    ms_played = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    track = ma.fields.String(required=True)
    artist = ma.fields.String(allow_none=True)
    album = ma.fields.String(allow_none=True)
    counted = ma.fields.Boolean(required=True, metadata={"description": "30 s or more"})
    skipped = ma.fields.Boolean(allow_none=True)
    source = ma.fields.String(required=True, metadata={"description": "live, export, account"})
    url = ma.fields.String(allow_none=True)


class PlaysSchema(Freshness):
    items = ma.fields.List(ma.fields.Nested(HistoryPlaySchema), required=True)
    next_cursor = ma.fields.String(allow_none=True)
