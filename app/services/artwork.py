"""Cover art as data URIs for the SVG card: an SVG shown as an <img> cannot load external images.

Only Spotify's image CDN (fetched through the gateway, with a deadline and a size cap) and the
app's own bundled sample covers (read from disk) are accepted, so a track's image URL can never
make the server fetch an arbitrary address.
"""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

from flask import current_app
from pynamodb.exceptions import PynamoDBException

from app.extensions import cache
from app.services.freshness import local_cache
from app.spotify import artwork
from app.spotify.gateway import gateway

log = logging.getLogger(__name__)
SAMPLE_IMAGE = re.compile(r"/static/sample/[A-Za-z0-9_-]+\.(svg|png|jpg)")
MAX_BYTES = artwork.MAX_BYTES
KEEP = 7 * 24 * 3600
KEEP_FAILURE = 300  # a broken image is retried after five minutes, not on every card
FAILED = "-"


def data_uri(url: str | None) -> str | None:
    """The image as a data: URI, or None when it is not allowed or cannot be had."""
    if not url or not (artwork.allowed(url) or SAMPLE_IMAGE.fullmatch(url)):
        return None
    key = f"artwork:{url}"
    local = local_cache("artwork", 16)  # the card is polled: most hits need no DynamoDB read
    held = local.get(key)
    if held:
        return held
    try:
        held = cache.get(key)
    except PynamoDBException:  # the card must render even when the cache is down
        held = None
    if held:
        if held != FAILED:  # an image at a URL never changes; a failure is retried later
            local[key] = held
        return None if held == FAILED else held
    found = _sample(url) if url.startswith("/static/") else _fetch(url)
    if found:
        local[key] = found
    try:
        cache.set(key, found or FAILED, timeout=KEEP if found else KEEP_FAILURE)
    except PynamoDBException:  # caching is only an optimization here
        log.warning("artwork cache write failed")
    return found


def _encode(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _sample(url: str) -> str | None:
    static = Path(current_app.static_folder or "").resolve()
    path = (static / url.removeprefix("/static/")).resolve()
    if static not in path.parents or not path.is_file():
        return None
    kind = {"svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg"}[path.suffix[1:]]
    return _encode(path.read_bytes()[:MAX_BYTES], kind)


def _fetch(url: str) -> str | None:
    found = gateway().artwork(url)
    return _encode(*found) if found else None
