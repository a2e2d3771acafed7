"""Check an answer against the schema the app's own /openapi.json documents for it.

conftest runs this on every JSON answer of every test, so the marshmallow schemas (the
documentation) and what the views really return cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

import flask
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

_URI = "urn:app-openapi"
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")


def _spec(app: flask.Flask) -> tuple[dict[str, Any], Registry]:
    """The app's OpenAPI document (built once per app) and a registry to resolve its $refs."""
    if "test-openapi" not in app.extensions:
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
        app.extensions["test-openapi"] = (
            spec,
            Registry().with_resource(_URI, Resource.opaque(spec)),
        )
    return app.extensions["test-openapi"]


def _pointer(spec: dict[str, Any], path: str | None, method: str, status: int) -> str | None:
    """The JSON pointer of the documented body schema, or None when nothing is documented."""
    if path is None:  # no route matched: the one error shape
        return "/components/schemas/Error"
    operation = spec["paths"].get(path, {}).get(method)
    if operation is None:
        return None  # not part of the API (the website)
    responses = operation["responses"]
    key = str(status) if str(status) in responses or status < 400 else "default"
    response = responses.get(key)
    if response is None:
        return None
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = spec["components"]["responses"][name]
        base = f"/components/responses/{name}"
    else:
        base = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/responses/{key}"
    if "application/json" not in response.get("content", {}):
        return None
    return f"{base}/content/application~1json/schema"


def documented_schema_errors(app: flask.Flask, status: int, body: Any) -> list[str]:
    """Every way `body` breaks the schema documented for the current request's route and status."""
    if not flask.has_request_context() or "flask-smorest" not in app.extensions:
        return []
    rule = flask.request.url_rule
    path = _CONVERTER.sub(r"{\1}", rule.rule) if rule is not None else None
    spec, registry = _spec(app)
    pointer = _pointer(spec, path, flask.request.method.lower(), status)
    if pointer is None:
        return []
    validator = OAS30Validator({"$ref": f"{_URI}#{pointer}"}, registry=registry)
    errors: list[ValidationError] = list(validator.iter_errors(body))
    where = f"{flask.request.method} {flask.request.path} {status}"
    return [f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors]
