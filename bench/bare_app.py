"""The baselines' app: bare Flask answering what the service answered, byte for byte.

A baseline that returns other bytes (a smaller body, another status) measures something else;
this one replays recorded answers (status, content type, body) per path and query string.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from flask import Flask, Response, request

Answers = dict[str, tuple[int, str, bytes]]


def same_bytes(answers: Answers) -> Flask:
    """Bare Flask: one view returning the recorded answer for the request's path and query."""
    bare = Flask("bare")

    @bare.route("/", defaults={"path": ""})
    @bare.route("/<path:path>")
    def recorded(path: str) -> Response:
        status, kind, body = answers[request.full_path.rstrip("?")]
        return Response(body, status, content_type=kind)

    return bare


def save(answers: Answers, file: Path) -> None:
    data = {k: [s, kind, base64.b64encode(body).decode()] for k, (s, kind, body) in answers.items()}
    file.write_text(json.dumps(data))


def create_app(answers_file: str) -> Flask:
    """For gunicorn: `bench.bare_app:create_app('answers.json')`, a file written by save()."""
    data = json.loads(Path(answers_file).read_text())
    return same_bytes({k: (s, kind, base64.b64decode(b)) for k, (s, kind, b) in data.items()})
