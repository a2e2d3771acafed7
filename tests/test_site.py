"""The website's files served by Flask at /, without a browser."""

from __future__ import annotations

import re

from app.routes import site


def fetch(client, path: str):
    """GET and close at once: file responses hold an open file until closed."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def test_index_and_assets_are_served(client):
    page = fetch(client, "/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b'<script type="module" src="js/main.js">' in page.data
    for path in ("/css/site.css", "/js/main.js", "/js/api.js", "/img/favicon.svg"):
        assert fetch(client, path).status_code == 200, path
    config = fetch(client, "/config.js")
    assert b'export const API_BASE = "";' in config.data


def test_api_base_can_come_from_the_environment(monkeypatch):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.setenv("SITE_API_BASE", 'https://api.example.com"; alert(1); "')
    body = create_app(TestingConfig).test_client().get("/config.js").get_data(as_text=True)
    assert body == 'export const API_BASE = "https://api.example.com\\"; alert(1); \\"";\n'


def test_missing_vendor_file_is_a_clear_json_404(client, monkeypatch, tmp_path):
    monkeypatch.setattr(site, "SITE_DIR", tmp_path)
    response = client.get("/vendor/chart.umd.min.js")
    assert response.status_code == 404
    assert "npm ci" in response.get_json()["error"]["message"]


def test_site_never_shadows_the_api(client):
    assert client.get("/js/../app/config.py").status_code == 404
    missing = client.get("/api/unknown")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/health").get_json() == {"status": "ok"}


def test_chart_library_is_served_locally_from_npm(client):
    """site/vendor/ is generated from node_modules by npm's postinstall: same bytes, no CDN."""
    root = site.SITE_DIR.parent
    npm = root / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
    served = fetch(client, "/vendor/chart.umd.min.js")
    assert served.status_code == 200 and served.data == npm.read_bytes()
    assert "site/vendor/" in (root / ".gitignore").read_text().splitlines()
    page = (site.SITE_DIR / "index.html").read_text()
    # Every script, stylesheet and image the page loads is a path on its own host.
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not re.match(r"^(https?:)?//", url), url
