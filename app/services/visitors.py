"""A per-visitor allowance of uncached work, counted in DynamoDB so every container agrees.

A cached answer costs nothing and is never limited. Work that would call Spotify for one
visitor (a search nobody made before, a new artist's catalog) is counted per visitor in fixed
windows; past the allowance the visitor gets 429 with Retry-After. Visitors are known only by a
keyed hash of their network address, never the address itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from pynamodb.exceptions import PynamoDBException, UpdateError

from app.errors import TooManyRequests
from app.models import Counter

log = logging.getLogger(__name__)
# Who is asking, worked out only when uncached work is counted: a cached answer never hashes.
Visitor = Callable[[], str]


def spend(visitor: Visitor) -> None:
    """Count one uncached request for `visitor`; TooManyRequests once the window's are spent."""
    limit = current_app.config["VISITOR_UNCACHED_LIMIT"]
    window = current_app.config["VISITOR_WINDOW_SECONDS"]
    if limit <= 0 or not (who := visitor()):
        return
    now = time.time()
    start = int(now // window) * window
    within = Counter.value.does_not_exist() | (Counter.value < limit)
    expires = datetime.fromtimestamp(start + window + 3600, UTC)
    try:
        Counter(f"visitor#{who}#{start}").update(
            actions=[Counter.value.add(1), Counter.expires_at.set(expires)], condition=within
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise TooManyRequests(retry_after=int(start + window - now) + 1) from exc
        log.warning("visitor count failed; allowing", extra={"error_type": type(exc).__name__})
    except PynamoDBException as exc:  # the daily budget still guards Spotify
        log.warning("visitor count failed; allowing", extra={"error_type": type(exc).__name__})
