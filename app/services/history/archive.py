"""The live archive: every play Spotify lists as recently played, stored before it scrolls away.

Spotify remembers only the last 50 plays, so a scheduled task (app.tasks.archive_plays, every 30
minutes) keeps them. It first takes the plays /api/recently-played already fetched (no call at
all), and asks Spotify only when those are older than FRESH_ENOUGH, with the `after` cursor of
the newest stored live play, paging while pages come back full. Its calls spend the listening
share of the budget. When 50 or more plays arrive all newer than the last stored one, plays in
between may have scrolled away: that time range is recorded as a gap, so statistics say so.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from app import metrics
from app.services import freshness
from app.services.connection import owner_key, require_connection
from app.services.history import ingest, rollups
from app.services.history.plays import Stream
from app.spotify import objects
from app.spotify.gateway import gateway
from app.utc import parse_iso

log = logging.getLogger(__name__)
PAGE = 50  # all Spotify keeps
MAX_PAGES = 3
CHECKED = "meta#archive-checked"  # when the plays the archive last saw were fetched
FRESH_ENOUGH = 600  # seconds: plays fetched this recently for a visitor need no call of ours


def _stream(play: dict[str, Any]) -> Stream | None:
    """A recently-played entry (as the API answers it) as a stream; its length as played."""
    track = play.get("track") or {}
    try:
        ended = int(parse_iso(play.get("played_at")) * 1000)
    except ValueError:
        return None
    if not track.get("title"):
        return None
    artists = [a.get("name") for a in track.get("artists") or [] if a.get("name")]
    return Stream(
        ended,
        int(track.get("duration_ms") or 0),  # Spotify lists only plays that finished past 30 s
        track["title"],
        artists[0] if artists else None,
        (track.get("album") or {}).get("name"),
        track_id=track.get("id"),
        source="live",
    )


def coverage() -> dict[str, list[int]]:
    """Each source's covered range: [first, last] stream end, epoch ms."""
    return rollups.read(["meta#coverage"]).get("meta#coverage", {})


def last_live_ms() -> int | None:
    return coverage().get("live", [None, None])[1]


def archive_plays() -> dict[str, Any]:
    """Store new plays; returns what was done (for the task's log line)."""
    require_connection()
    last = last_live_ms()
    found: list[Stream] = []
    calls = 0
    held = freshness.peek(owner_key("recently-played"))
    if held is not None:
        found += [s for s in map(_stream, held.data["items"]) if s]
    if held is None or time.time() - held.fetched_at > FRESH_ENOUGH:
        after = last
        for _ in range(MAX_PAGES):
            page = gateway().recently_played(PAGE, after_ms=after)
            calls += 1
            found += [s for s in map(_stream, (objects.to_json(p) for p in page)) if s]
            if len(page) < PAGE:
                break
            after = max(s.ended_ms for s in found)
    unique = {(s.track_key, s.ended_ms): s for s in found}.values()
    new = [s for s in unique if last is None or s.ended_ms > last]
    if last is not None and len(new) >= PAGE:
        oldest = min(s.ended_ms for s in new)
        ingest.note_gap(last, oldest)
        log.warning("live archive may have missed plays", extra={"from": last, "to": oldest})
    stored = ingest.store(new)
    _checked(time.time() if calls or held is None else held.fetched_at)
    return {"calls": calls, "seen": len(found), "added": stored.added, "last_ms": last}


def _checked(as_of: float) -> None:
    """Remember how recent the plays the archive has seen are, and report the lag."""
    rollups.write({CHECKED: {"checked_at": as_of}})
    metrics.gauge("ArchiveLagMinutes", round(max(0.0, time.time() - as_of) / 60, 1))


def note_skipped() -> None:
    """A run that could not reach Spotify: the lag keeps growing from the last run that did."""
    checked = rollups.read([CHECKED]).get(CHECKED)
    if checked:
        metrics.gauge("ArchiveLagMinutes", round((time.time() - checked["checked_at"]) / 60, 1))
