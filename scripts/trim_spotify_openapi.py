#!/usr/bin/env python3
"""Regenerate tests/fakes/spotify_openapi.json from a full Spotify OpenAPI file, structure only.

The repository carries just what its fixtures are checked against: the GET operations this
service calls and every component they reach, keeping types, required fields, enums,
nullability, formats and ranges, and dropping every description, summary, example and title.

Usage: python3 scripts/trim_spotify_openapi.py PATH/TO/openapi.yml [--out FILE]
The full file is sonallux/spotify-web-api's fixed copy of Spotify's description (MIT licence).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "tests" / "fakes" / "spotify_openapi.json"
# Every Spotify endpoint the service or its fakes answer for (GET only).
PATHS = (
    "/me",
    "/me/player/currently-playing",
    "/me/player/recently-played",
    "/me/top/artists",
    "/me/top/tracks",
    "/search",
    "/artists/{id}",
    "/artists/{id}/albums",
    "/albums/{id}/tracks",
    "/audio-features",
)
# Schema keywords that describe structure; anything else (prose, examples, vendor keys) is dropped.
SCHEMA_KEYS = {
    "type", "format", "enum", "nullable", "required", "items", "properties", "allOf", "oneOf",
    "anyOf", "not", "additionalProperties", "discriminator", "$ref", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength",
    "pattern", "uniqueItems", "readOnly", "deprecated", "default",
}  # fmt: skip


def schema(node: Any) -> Any:
    """A schema with its structural keywords only (property names are kept whatever they are)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in SCHEMA_KEYS:
            continue
        if key == "properties":
            out[key] = {name: schema(sub) for name, sub in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = schema(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [schema(sub) for sub in value]
        elif key == "discriminator":
            out[key] = {k: v for k, v in value.items() if k in ("propertyName", "mapping")}
        else:
            out[key] = value
    return out


def parameter(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    kept = {k: node[k] for k in ("name", "in", "required") if k in node}
    return {**kept, "schema": schema(node.get("schema", {}))}


def response(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    content = {
        media: {"schema": schema(body.get("schema", {}))}
        for media, body in (node.get("content") or {}).items()
    }
    return {"description": "", **({"content": content} if content else {})}


def operation(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "parameters": [parameter(p) for p in node.get("parameters", [])],
        "responses": {str(code): response(r) for code, r in node["responses"].items()},
    }


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    """The used operations plus the closure of the components they reference."""
    paths = {path: {"get": operation(spec["paths"][path]["get"])} for path in PATHS}
    trimmers = {"schemas": schema, "responses": response, "parameters": parameter}
    components: dict[str, dict[str, Any]] = {kind: {} for kind in trimmers}
    todo = _refs(paths)
    while todo:
        ref = todo.pop()
        _, _, kind, name = ref.split("/")
        if name in components[kind]:
            continue
        components[kind][name] = trimmers[kind](spec["components"][kind][name])
        todo |= _refs(components[kind][name])
    source = spec.get("info", {})
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": "Spotify Web API, structural subset",
            "version": str(source.get("version", "")),
            "x-source": "sonallux/spotify-web-api (MIT licence); "
            "regenerate with scripts/trim_spotify_openapi.py",
        },
        "paths": paths,
        "components": {kind: dict(sorted(items.items())) for kind, items in components.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="the full OpenAPI file (YAML or JSON)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with args.spec.open(encoding="utf-8") as fh:
        full = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    trimmed = trim(full)
    args.out.write_text(json.dumps(trimmed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = {kind: len(items) for kind, items in trimmed["components"].items()}
    print(f"{args.out}: {len(trimmed['paths'])} paths, components {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
