"""Validate payloads against Spotify's OpenAPI description so fakes cannot drift from the real API.

The description is the structural subset the repository carries (spotify_openapi.json, made by
scripts/trim_spotify_openapi.py from the full file): the endpoints this service calls and every
schema they reach.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

SPEC_PATH = Path(__file__).resolve().parent / "spotify_openapi.json"
SPEC_URI = "urn:spotify-openapi"
_JSON = "application/json"


@functools.cache
def load_spec() -> dict[str, Any]:
    """Parse the description once per process."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _const_of(schema: dict[str, Any], prop: str, schemas: dict[str, Any]) -> str | None:
    """Find the single enum value of `prop` in a schema, looking through $ref and allOf."""
    if "$ref" in schema:
        return _const_of(schemas[schema["$ref"].rsplit("/", 1)[-1]], prop, schemas)
    enum = schema.get("properties", {}).get(prop, {}).get("enum", [])
    if len(enum) == 1:
        return enum[0]
    found = (_const_of(part, prop, schemas) for part in schema.get("allOf", []))
    return next((v for v in found if v), None)


def _add_discriminator_mappings(node: Any, schemas: dict[str, Any]) -> None:
    """Give mapping-less discriminators an explicit mapping (spec bug: "track" is no schema name).

    Without it the validator resolves `type: track` to `#/components/schemas/track` and fails.
    """
    if isinstance(node, list):
        for child in node:
            _add_discriminator_mappings(child, schemas)
        return
    if not isinstance(node, dict):
        return
    disc = node.get("discriminator")
    if isinstance(disc, dict) and "mapping" not in disc:
        members = node.get("oneOf") or node.get("anyOf") or []
        mapping = {_const_of(m, disc["propertyName"], schemas): m["$ref"] for m in members}
        disc["mapping"] = {k: v for k, v in mapping.items() if k}
    for child in node.values():
        _add_discriminator_mappings(child, schemas)


@functools.cache
def _registry() -> Registry:
    """Register the (patched copy of the) spec as one resource so `#/components/...` resolve."""
    spec = copy.deepcopy(load_spec())
    _add_discriminator_mappings(spec, spec["components"]["schemas"])
    return Registry().with_resource(SPEC_URI, Resource.opaque(spec))


def _escape(token: str) -> str:
    """Escape one JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def response_pointer(path: str, method: str = "get", status: str = "200") -> str:
    """Find the JSON pointer of a response body schema, following a components/responses $ref."""
    spec = load_spec()
    try:
        response = spec["paths"][path][method.lower()]["responses"][str(status)]
    except KeyError as exc:
        raise AssertionError(f"spec has no response {method.upper()} {path} {status}") from exc
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        name = pointer.rsplit("/", 1)[-1]
        response = spec["components"]["responses"][name]
    else:
        pointer = "/" + "/".join(
            _escape(t) for t in ("paths", path, method.lower(), "responses", str(status))
        )
    if _JSON not in response.get("content", {}):
        raise AssertionError(f"{method.upper()} {path} {status} has no JSON body in the spec")
    return f"{pointer}/content/{_escape(_JSON)}/schema"


def _errors(payload: Any, pointer: str) -> list[ValidationError]:
    """Collect every validation error for payload against the schema at pointer."""
    validator = OAS30Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    return sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))


def _describe(error: ValidationError) -> str:
    """Render one error as `$.a.0.b: message` for readable assertion output."""
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where}: {error.message[:300]}"


def conformance_errors(
    payload: Any, path: str, method: str = "get", status: str = "200"
) -> list[str]:
    """List readable errors so tests can also assert *which* known spec gaps a payload hits."""
    return [_describe(e) for e in _errors(payload, response_pointer(path, method, status))]


def schema_errors(payload: Any, schema_name: str) -> list[str]:
    """List readable errors against a named component schema."""
    if schema_name not in load_spec()["components"]["schemas"]:
        raise AssertionError(f"spec has no component schema {schema_name!r}")
    return [_describe(e) for e in _errors(payload, f"/components/schemas/{schema_name}")]


def _fail(label: str, errors: list[str]) -> None:
    """Raise an AssertionError listing the first few errors."""
    if errors:
        shown = "\n  ".join(errors[:10])
        more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise AssertionError(f"payload does not conform to {label}:\n  {shown}{more}")


def assert_conforms(payload: dict, path: str, method: str = "get", status: str = "200") -> None:
    """Fail with every schema violation of a response body for paths[path][method][status]."""
    _fail(f"{method.upper()} {path} {status}", conformance_errors(payload, path, method, status))


def assert_schema(payload: dict, schema_name: str) -> None:
    """Fail with every violation of a named component schema (e.g. "TrackObject")."""
    _fail(f"#/components/schemas/{schema_name}", schema_errors(payload, schema_name))


def body_strategy(path: str, method: str = "get", status: str = "200") -> Any:
    """A hypothesis strategy of answers that conform to the response schema of that operation.

    schemathesis generates request bodies from OpenAPI (nullable, $ref and all), so the response
    schema is offered to it as the request body of a one-operation document.
    """
    import schemathesis

    spec = load_spec()
    node: Any = spec
    for token in response_pointer(path, method, status).lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    document = {
        "openapi": "3.0.3",
        "info": {"title": "generated answers", "version": "1"},
        "paths": {
            "/answer": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {_JSON: {"schema": node}},
                    },
                    "responses": {"200": {"description": ""}},
                }
            }
        },
        "components": spec["components"],
    }
    operation = schemathesis.openapi.from_dict(document)["/answer"]["POST"]
    return operation.as_strategy().map(lambda case: case.body)
