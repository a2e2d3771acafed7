"""Draw the now-playing answer as a small SVG card; every text is escaped, every size clamped."""

from __future__ import annotations

import re
import time
from typing import Any
from xml.sax.saxutils import escape

from app.utc import parse_iso

WIDTH, HEIGHT, ART = 420, 120, 96
TEXT_X, BAR_WIDTH = 124, 272
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
GREEN, AMBER, MUTED = "#1ed760", "#f5b841", "#aab2bd"
# Characters XML 1.0 forbids even when escaped; a hostile title must not break the document.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: Any, limit: int = 200) -> str:
    """Escape for XML text and attributes (quotes too), after truncating to `limit` characters."""
    clean = _INVALID_XML.sub("", str(value or "")).strip()
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return escape(clean, {'"': "&quot;", "'": "&apos;"})


def pick_image(images: list[dict[str, Any]] | None, size: int = ART * 2) -> str | None:
    """The smallest image at least `size` pixels wide, else the largest there is."""
    ranked = sorted(images or [], key=lambda i: i.get("width") or 0)
    wide = [i for i in ranked if (i.get("width") or 0) >= size]
    chosen = wide[0] if wide else (ranked[-1] if ranked else None)
    return chosen.get("url") if chosen else None


def artwork_url(body: dict[str, Any]) -> str | None:
    """The cover to show: the playing item's, else the last played track's."""
    item = body.get("item") or ((body.get("last_played") or {}).get("track"))
    if not item:
        return None
    album = item.get("album") or {}
    return pick_image(album.get("images") or item.get("images"))


def _names(item: dict[str, Any]) -> str:
    if item.get("type") == "episode":
        return (item.get("show") or {}).get("name") or "Podcast"
    return ", ".join(a.get("name", "") for a in item.get("artists") or [])


def _ago(iso: str | None, now: float) -> str:
    if not iso:
        return ""
    try:
        seconds = now - parse_iso(iso)
    except ValueError:  # an upstream timestamp we cannot read: draw the card without it
        return ""
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''} ago"
    return "just now"


def describe(body: dict[str, Any], now: float) -> dict[str, Any]:
    """Label, title, subtitle and progress for the answer's state."""
    item, kind = body.get("item"), body.get("type")
    card: dict[str, Any] = {"color": GREEN, "progress": None}
    if item:
        card["label"] = "Now playing" if body.get("is_playing") else "Paused"
        card["title"], card["subtitle"] = item.get("title"), _names(item)
        duration, position = item.get("duration_ms"), body.get("progress_ms")
        if isinstance(duration, int) and duration > 0 and isinstance(position, int):
            fetched = parse_iso(body["fetched_at"])
            elapsed = max(0.0, now - fetched) * 1000 if body.get("is_playing") else 0
            at = min(max(position + elapsed, 0.0), float(duration))  # inside the bar, always
            card["progress"] = (at, duration, body.get("is_playing"))
    elif kind in ("ad", "unknown"):
        card["label"] = "Now playing"
        card["title"] = "An advertisement" if kind == "ad" else "Something is playing"
        card["subtitle"] = "Back to the music soon" if kind == "ad" else ""
    elif body.get("last_played"):
        play = body["last_played"]
        card["label"] = f"Not playing · last played {_ago(play.get('played_at'), now)}".rstrip()
        card["title"], card["subtitle"] = play["track"].get("title"), _names(play["track"])
        card["color"] = MUTED
    else:
        card.update(label="Not playing", title="Nothing playing right now", subtitle="")
        card["color"] = MUTED
    if body.get("stale"):
        card["label"] += " · last known"
        card["color"] = AMBER
    return card


def render(card: dict[str, Any], artwork: str | None) -> str:
    """The SVG document for a described card."""
    label, title, subtitle = (
        text(card["label"], 48),
        text(card["title"], 30),
        text(card["subtitle"], 40),
    )
    name = text(
        f"{card['label']}: {card['title']}"
        + (f" by {card['subtitle']}" if card["subtitle"] else "")
    )
    art = (
        f'<image href="{text(artwork, 10**6)}" x="12" y="12" width="{ART}" height="{ART}" '
        'preserveAspectRatio="xMidYMid slice" clip-path="url(#art)"/>'
        if artwork
        else f'<rect x="12" y="12" width="{ART}" height="{ART}" rx="8" fill="#2a2f36"/>'
        f'<path d="M54 76V44l22-5v29" fill="none" stroke="{MUTED}" stroke-width="4"/>'
        f'<circle cx="48" cy="76" r="7" fill="{MUTED}"/>'
        f'<circle cx="70" cy="68" r="7" fill="{MUTED}"/>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{name}">'
        f"<title>{name}</title>"
        f'<defs><clipPath id="art"><rect x="12" y="12" width="{ART}" height="{ART}" rx="8"/>'
        "</clipPath></defs>"
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" rx="12" '
        'fill="#121418" stroke="#2a2f36"/>'
        f"{art}"
        f'<g font-family="{FONT}">'
        f'<text x="{TEXT_X}" y="34" font-size="12" font-weight="600" letter-spacing="0.5" '
        f'fill="{card["color"]}">{label}</text>'
        f'<text x="{TEXT_X}" y="60" font-size="17" font-weight="600" fill="#f1f3f5">{title}</text>'
        f'<text x="{TEXT_X}" y="82" font-size="14" fill="{MUTED}">{subtitle}</text>'
        "</g>"
        f"{_bar(card['progress'])}"
        "</svg>"
    )


def _bar(progress: tuple[float, int, bool] | None) -> str:
    if not progress:
        return ""
    position, duration, playing = progress
    if duration <= 0:
        return ""
    position = min(max(position, 0.0), float(duration))
    done = round(BAR_WIDTH * position / duration, 1)
    remaining = max(0.0, (duration - position) / 1000)
    grow = (
        f'<animate attributeName="width" from="{done}" to="{BAR_WIDTH}" '
        f'dur="{remaining:.0f}s" fill="freeze"/>'
        if playing and remaining >= 1
        else ""
    )
    return (
        f'<rect x="{TEXT_X}" y="98" width="{BAR_WIDTH}" height="4" rx="2" fill="#2a2f36"/>'
        f'<rect x="{TEXT_X}" y="98" width="{done}" height="4" rx="2" fill="{GREEN}">{grow}</rect>'
    )


def unavailable(code: str) -> str:
    """A card for when there is nothing to show: Spotify or the owner's login is unavailable."""
    subtitle = {
        "reauthorization_required": "The site owner needs to reconnect Spotify",
        "not_connected": "Spotify is not connected yet",
    }.get(code, "Spotify is unavailable; try again later")
    card = {"label": "Now playing", "title": "Unavailable right now", "subtitle": subtitle}
    return render({**card, "color": AMBER, "progress": None}, None)


def now() -> float:
    """The clock the card's relative times and progress use."""
    return time.time()
