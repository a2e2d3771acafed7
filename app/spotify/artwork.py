"""Cover art from Spotify's image CDN, for the SVG card (which must inline its images).

Only https://i.scdn.co/image/<id> is fetched, never a redirect, never more than MAX_BYTES, and
never for longer than DEADLINE in all: a CDN that drips bytes is cut off, not waited for.
"""

from __future__ import annotations

import logging
import re
import time

import requests

from app import tracing

log = logging.getLogger(__name__)
SPOTIFY_IMAGE = re.compile(r"https://i\.scdn\.co/image/[A-Za-z0-9]+")
TYPES = {"image/jpeg", "image/png", "image/webp"}
MAX_BYTES = 200_000
TIMEOUT = (1.0, 1.0)  # connect, each read
DEADLINE = 2.0  # the whole fetch


def allowed(url: str) -> bool:
    """Whether the URL is one of Spotify's cover images (the whole string, nothing after)."""
    return SPOTIFY_IMAGE.fullmatch(url) is not None


def fetch(session: requests.Session, url: str) -> tuple[bytes, str] | None:
    """The image's bytes and type, or None when it is not allowed, too big, slow or missing."""
    if not allowed(url):
        return None
    deadline = time.monotonic() + DEADLINE
    with tracing.http_call("artwork", "GET", "https://i.scdn.co/image/{id}") as span:
        try:
            with session.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False) as answer:
                tracing.answered(span, answer.status_code)
                kind = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if answer.status_code != 200 or kind not in TYPES:
                    return None
                content = b""
                while chunk := answer.raw.read1(16_384):  # whatever has arrived: a drip is seen
                    content += chunk
                    if len(content) > MAX_BYTES or time.monotonic() > deadline:
                        return None
        except requests.RequestException as exc:
            tracing.failed(span, exc)
            log.warning("artwork fetch failed", extra={"error_type": type(exc).__name__})
            return None
    return content, kind
