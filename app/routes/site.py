"""The demo website: static files from the repository's site/ folder, served at /."""

from __future__ import annotations

import html
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_from_directory

from app.errors import NotFound

SITE_DIR = Path(__file__).resolve().parents[2] / "site"

blp = Blueprint("site", __name__)


@blp.get("/")
def index() -> Response:
    """The site's single page; behind a path prefix (API Gateway's /dev) it says where it lives."""
    if not request.script_root:
        return _send("index.html")
    # https://<api>/dev (no trailing slash) would resolve the page's relative URLs against /.
    base = f'<head>\n  <base href="{html.escape(request.script_root, quote=True)}/">'
    page = (SITE_DIR / "index.html").read_text().replace("<head>", base, 1)
    response = Response(page, mimetype="text/html")
    response.cache_control.public, response.cache_control.max_age = True, 300
    return response


@blp.get("/config.js")
def config() -> Response:
    """The one setting, API_BASE: from SITE_API_BASE when set, else the file (same origin)."""
    base = current_app.config.get("SITE_API_BASE")
    if not base:
        return _send("config.js")
    body = f"export const API_BASE = {json.dumps(base)};\n"
    return Response(body, mimetype="text/javascript")


@blp.get("/<any(css, js, vendor, img):folder>/<path:name>")
def asset(folder: str, name: str) -> Response:
    """Stylesheets, modules, images and the vendored chart library."""
    return _send(f"{folder}/{name}")


def _send(name: str) -> Response:
    if not (SITE_DIR / name).is_file():
        if name.startswith("vendor/"):
            raise NotFound(
                f"The site's vendored file {name} is missing: run `npm ci` (or `npm run "
                "build:site`) to copy it from node_modules."
            )
        raise NotFound()
    response = send_from_directory(SITE_DIR, name, max_age=300)
    return response
