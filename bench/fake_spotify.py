"""Serve the fake Spotify (accounts + Web API + ReccoBeats) over HTTP on loopback.

Run: python bench/fake_spotify.py PORT   (the app itself lives in tests/fakes/spotify_app.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.serving import run_simple  # noqa: E402

from tests.fakes.spotify_app import create_app  # noqa: E402

if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
