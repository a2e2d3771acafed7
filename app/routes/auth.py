"""Owner login with Spotify (Authorization Code flow) and disconnect."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, redirect, request, session, url_for

from app.errors import CrossSiteRefused, Forbidden
from app.routes import Blueprint
from app.schemas.auth import CallbackArgs, ConnectedSchema
from app.services import owner

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Owner authorization.")


def redirect_uri() -> str:
    """The callback URL Spotify must send the owner back to.

    Built from the request so API Gateway's stage path (/dev) and custom domains just work;
    Spotify refuses `localhost`, so a local request is answered with 127.0.0.1 instead.
    """
    pinned = current_app.config["SPOTIFY_REDIRECT_URI"]
    if pinned:
        return pinned
    parts = urlsplit(url_for("auth.callback", _external=True))
    host = parts.netloc.replace("localhost", "127.0.0.1", 1)
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@blp.route("/login")
@blp.response(302)
def login():
    """Send the owner to Spotify's consent page with a single-use state."""
    url, state = owner.start_login(redirect_uri())
    session["oauth_state"] = state
    return redirect(url, code=302)


@blp.route("/callback")
@blp.arguments(CallbackArgs, location="query")
@blp.response(200, ConnectedSchema)
def callback(args):
    """Finish login: only the configured owner's account is stored."""
    result = owner.finish_login(
        redirect_uri(),
        current_app.config["SPOTIFY_OWNER_ID"],
        state=args.get("state"),
        expected_state=session.pop("oauth_state", None),
        code=args.get("code"),
        error=args.get("error"),
    )
    session["owner"] = result["user_id"]
    return result


def _same_site() -> bool:
    """Whether a state-changing request comes from this service's own pages (or no browser).

    SameSite=Lax cookies still travel from sibling subdomains, so the browser's own account of
    where the request started (Sec-Fetch-Site, else Origin) decides.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@blp.route("/disconnect", methods=["POST"])
@blp.response(200, ConnectedSchema)
def disconnect():
    """Delete the stored token; only the owner's own logged-in browser, from this site."""
    if not _same_site():
        raise CrossSiteRefused()
    if session.get("owner") != current_app.config["SPOTIFY_OWNER_ID"] or not session.get("owner"):
        raise Forbidden("Only the site owner, logged in through /auth/login, can disconnect.")
    owner.disconnect()
    session.pop("owner", None)
    return {"connected": False}
