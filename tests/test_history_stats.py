"""/api/history: statistics for any period, on this day, the plays; visible as the owner chose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.services.history import ingest
from app.services.history.plays import Stream


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


STREAMS = [
    Stream(at("2024-05-03T18:00:00"), 200_000, "One", "A", "LP A", track_id="0" * 22),
    Stream(at("2024-05-03T18:04:00"), 12_000, "Two", "A", "LP A", skipped=True),
    Stream(at("2024-05-03T22:30:00"), 300_000, "Three", "B", "LP B"),
    Stream(at("2024-05-04T10:00:00"), 200_000, "One", "A", "LP A", track_id="0" * 22),
    Stream(at("2024-05-06T09:00:00"), 100_000, "Four", "C", None),
    Stream(at("2023-05-03T12:00:00"), 250_000, "Three", "B", "LP B"),
]


@pytest.fixture
def history(app):
    with app.app_context():
        ingest.store(STREAMS)
    return app.test_client()


def names(rows):
    return [(r["name"], r["plays"], r["minutes"]) for r in rows]


def test_a_month_in_numbers(history):
    body = history.get("/api/history/stats?period=2024-05").get_json()
    assert body["period"] == {"from": "2024-05-01", "to": "2024-05-31", "label": "2024-05"}
    assert body["totals"] == {
        "plays": 4,
        "minutes": 13.5,
        "streams": 5,
        "artists": 3,
        "tracks": 4,
        "albums": 2,
    }
    artists = body["top"]["artists"]
    assert names(artists["by_minutes"]) == [("A", 2, 6.9), ("B", 1, 5.0), ("C", 1, 1.7)]
    assert [r["name"] for r in artists["by_plays"]] == ["A", "B", "C"]
    top_track = body["top"]["tracks"]["by_plays"][0]
    assert top_track["name"] == "One" and top_track["artist"] == "A"
    assert top_track["url"] == "https://open.spotify.com/track/" + "0" * 22
    assert body["days"] == [
        {"date": "2024-05-03", "plays": 2, "minutes": 8.5},
        {"date": "2024-05-04", "plays": 1, "minutes": 3.3},
        {"date": "2024-05-06", "plays": 1, "minutes": 1.7},
    ]
    assert body["skip_rate"] == 0.2
    assert body["longest_streak"] == {"days": 2, "from": "2024-05-03", "to": "2024-05-04"}
    assert body["source"] == "archive" and body["stale"] is False


def test_the_hour_of_week_heatmap_is_in_the_time_zone_asked_for(history):
    utc = history.get("/api/history/stats?period=2024-05").get_json()["heatmap"]
    assert utc["tz"] == "UTC" and utc["minutes"][4][18] == 3.5 and utc["minutes"][4][22] == 5.0
    berlin = history.get("/api/history/stats?period=2024-05&tz=Europe/Berlin").get_json()
    grid = berlin["heatmap"]["minutes"]  # CEST, UTC+2: Friday 22:30 is Saturday 00:30
    assert grid[4][20] == 3.5 and grid[5][0] == 5.0 and grid[5][12] == 3.3 and grid[0][11] == 1.7
    assert sum(map(sum, grid)) == pytest.approx(13.5, abs=0.2)


def test_any_period_from_dates_years_or_all(history):
    def totals(query):
        return history.get(f"/api/history/stats?{query}").get_json()["totals"]["plays"]

    assert totals("period=all") == 5
    assert totals("period=2023") == 1
    assert totals("from=2024-05-04&to=2024-05-06") == 2
    assert totals("from=2023-05-03&to=2024-05-03") == 3  # day, months, days, across a year
    assert totals("period=last-30-days") == 0


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("period=2024-13", "period"),
        ("period=sometime", "period"),
        ("from=2024-05-10&to=2024-05-01", "forwards"),
        ("from=2001-01-01&to=2024-01-01", "20 years"),
        ("period=2024&from=2024-01-01", "not both"),
        ("from=yesterday", "'from'"),
        ("tz=Mars/Olympus", "time zone"),
        ("top=0", "top"),
    ],
)
def test_bad_periods_are_a_400_that_says_why(history, query, word):
    answer = history.get(f"/api/history/stats?{query}")
    assert answer.status_code == 400 and word in answer.get_json()["error"]["message"]


def test_on_this_day_in_earlier_years(history):
    body = history.get("/api/history/on-this-day?date=2024-05-03").get_json()
    [year] = body["years"]
    assert (year["year"], year["date"], year["plays"], year["minutes"]) == (
        2023,
        "2023-05-03",
        1,
        4.2,
    )
    assert [t["name"] for t in year["tracks"]] == ["Three"]


def test_the_plays_are_listed_only_when_the_owner_made_them_public(monkeypatch, history, app):
    assert history.get("/api/history").status_code == 404
    monkeypatch.setitem(app.config, "HISTORY_VISIBILITY", "full")
    first = history.get("/api/history?limit=2").get_json()
    assert [p["track"] for p in first["items"]] == ["Four", "One"]
    assert first["items"][0]["ended_at"] == "2024-05-06T09:00:00.000Z"
    rest = history.get(f"/api/history?limit=10&cursor={first['next_cursor']}").get_json()
    assert [p["track"] for p in rest["items"]] == ["Three", "Two", "One", "Three"]
    assert rest["next_cursor"] is None
    window = history.get("/api/history?from=2024-05-03&to=2024-05-03").get_json()
    assert len(window["items"]) == 3 and {p["counted"] for p in window["items"]} == {True, False}


def test_history_can_be_switched_off(monkeypatch, history, app):
    monkeypatch.setitem(app.config, "HISTORY_VISIBILITY", "off")
    for path in ("/api/history/stats", "/api/history/on-this-day", "/api/history"):
        assert history.get(path).status_code == 404


def test_history_answers_cache_like_the_others(history):
    first = history.get("/api/history/stats?period=2024", headers={"Origin": "https://x.test"})
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "Origin" in first.headers["Vary"] and first.headers["ETag"]
    again = history.get(
        "/api/history/stats?period=2024", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
