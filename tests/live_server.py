"""Real HTTP servers in threads of the test process (`responses` fakes their outbound calls)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SITE = Path(__file__).resolve().parents[1] / "site"


@contextmanager
def serve(app: Callable) -> Iterator[str]:
    """Serve a WSGI app on a free local port; yields its base URL ending in a slash."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def static_host(api_base: Callable[[], str]) -> Callable:
    """The site/ folder as any static host would serve it, with config.js edited to the API's URL.

    This is the deployment README "Deploying the site to any static host" describes.
    """
    files = SharedDataMiddleware(NotFound(), {"/": str(SITE)}, cache=False)

    def app(environ, start_response):
        path = Request(environ).path
        if path == "/config.js":
            body = f"export const API_BASE = {json.dumps(api_base())};\n"
            return Response(body, mimetype="text/javascript")(environ, start_response)
        if path == "/":
            environ["PATH_INFO"] = "/index.html"
        return files(environ, start_response)

    return app
