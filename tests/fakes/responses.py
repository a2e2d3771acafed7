"""Whole endpoint answers (player, top items, profile, search, token) from catalogue objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes.catalog import API, DEFAULT_SCOPE, OPEN, spotify_id


def page_url(base: str, **params: Any) -> str:
    """Build an absolute paging URL in Spotify's style (commas kept literal)."""
    return f"{base}?{urlencode(params, safe=',')}"


def paging(
    items: list[Any],
    href: str,
    limit: int = 20,
    offset: int = 0,
    total: int | None = None,
    next_url: str | None = None,
    previous_url: str | None = None,
) -> dict[str, Any]:
    """Generic PagingObject; next/previous are the only nullable members."""
    return {
        "href": href,
        "items": items,
        "limit": limit,
        "next": next_url,
        "offset": offset,
        "previous": previous_url,
        "total": len(items) if total is None else total,
    }


def offset_page(
    items: list[Any], base: str, limit: int, offset: int, total: int, **params: Any
) -> dict[str, Any]:
    """Offset-paged answer with correct absolute href/next/previous for GET base?offset&limit."""

    def url(off: int) -> str:
        return page_url(base, offset=off, limit=limit, **params)

    nxt = url(offset + limit) if offset + limit < total else None
    prev = url(max(offset - limit, 0)) if offset > 0 else None
    return paging(items, url(offset), limit, offset, total, nxt, prev)


def _ms(when: datetime) -> int:
    """Unix epoch milliseconds, as Spotify's timestamps and cursors use."""
    return int(when.timestamp() * 1000)


def iso(when: datetime) -> str:
    """Spotify's played_at format: UTC with milliseconds and a Z suffix."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def context_for(item: dict[str, Any]) -> dict[str, Any]:
    """Album (track) or show (episode) ContextObject, as when playing from that page."""
    parent = item["show"] if item["type"] == "episode" else item["album"]
    return {k: parent[k] for k in ("external_urls", "href", "type", "uri")}


def currently_playing(
    item: dict[str, Any] | None,
    kind: str = "track",
    progress_ms: int | None = 0,
    is_playing: bool = True,
    timestamp: int = 1_795_000_000_000,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """GET /me/player/currently-playing 200 body; ads/unknown carry a null item and context."""
    if kind in ("ad", "unknown"):
        item, context = None, None
    elif context is None and item is not None and not item.get("is_local"):
        context = context_for(item)
    return {
        "timestamp": timestamp,
        "context": context,
        "progress_ms": progress_ms,
        "item": item,
        "currently_playing_type": kind,
        "actions": {"disallows": {"resuming": True}} if is_playing else {"disallows": {}},
        "is_playing": is_playing,
    }


def play_history(
    track: dict[str, Any], played_at: datetime | str, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """PlayHistoryObject; played_at accepts a datetime or an already formatted string."""
    stamp = played_at if isinstance(played_at, str) else iso(played_at)
    return {"track": track, "played_at": stamp, "context": context or context_for(track)}


def _parse(stamp: str) -> datetime:
    """Parse a played_at string back to an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def recently_played(
    items: list[dict[str, Any]], limit: int = 50, base_url: str = API
) -> dict[str, Any]:
    """CursorPagingPlayHistoryObject; cursors are ms strings and next walks back with `before`."""
    base = f"{base_url}/me/player/recently-played"
    body: dict[str, Any] = {"items": items, "next": None, "limit": limit}
    body["href"] = page_url(base, limit=limit)
    if items:
        times = [_ms(_parse(i["played_at"])) for i in items]
        body["cursors"] = {"after": str(max(times)), "before": str(min(times))}
        body["next"] = page_url(base, before=min(times), limit=limit)
    else:
        body["cursors"] = None
    return body


def _top(
    kind: str,
    items: list,
    time_range: str,
    limit: int,
    offset: int,
    total: int | None,
    base_url: str,
) -> dict[str, Any]:
    """Shared paging for /me/top/{artists,tracks}."""
    total = offset + len(items) if total is None else total
    return offset_page(
        items, f"{base_url}/me/top/{kind}", limit, offset, total, time_range=time_range
    )


def top_artists(
    artists: list[dict[str, Any]],
    time_range: str = "medium_term",
    limit: int = 20,
    offset: int = 0,
    total: int | None = None,
    base_url: str = API,
) -> dict[str, Any]:
    """GET /me/top/artists answer (PagingArtistObject)."""
    return _top("artists", artists, time_range, limit, offset, total, base_url)


def top_tracks(
    tracks: list[dict[str, Any]],
    time_range: str = "medium_term",
    limit: int = 20,
    offset: int = 0,
    total: int | None = None,
    base_url: str = API,
) -> dict[str, Any]:
    """GET /me/top/tracks answer (PagingTrackObject)."""
    return _top("tracks", tracks, time_range, limit, offset, total, base_url)


def user(
    user_id: str = "sample-listener",
    display_name: str = "Sample Listener",
    images: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """GET /me PrivateUserObject after 2026 dev-mode cuts (no email/country/product/followers)."""
    return {
        "account_id": spotify_id(f"account:{user_id}")[:10],
        "display_name": display_name,
        "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
        "href": f"{API}/users/{user_id}",
        "id": user_id,
        "images": images if images is not None else [],
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def token_response(
    access_token: str,
    refresh_token: str | None = None,
    expires_in: int = 3600,
    scope: str = DEFAULT_SCOPE,
) -> dict[str, Any]:
    """POST accounts.spotify.com/api/token answer; refresh_token is absent on most refreshes."""
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": expires_in,
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    return body


def search_artists(
    artists: list[dict[str, Any]],
    limit: int = 5,
    offset: int = 0,
    total: int | None = None,
    base_url: str = API,
    query: str = "sample",
) -> dict[str, Any]:
    """GET /search?type=artist answer: {"artists": PagingArtistObject} (limit max 10 in 2026)."""
    total = offset + len(artists) if total is None else total
    page = offset_page(
        artists, f"{base_url}/search", limit, offset, total, query=query, type="artist"
    )
    return {"artists": page}
