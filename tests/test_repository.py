"""The repository is self-contained: no tracked file refers to a path outside it.

A user's clone has nothing beside it, so a test, bench or script that reads `../something` (or
climbs out with `Path(__file__).parents[...]`) passes on the build machine and fails for them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
_CLIMB = re.compile(r"(?<![\w.])(?:\.\./)+[\w.\-/]*")
_PARENTS = re.compile(r"parents\[(\d+)\]((?:\.parent\b)*)")
_PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)")
_WORKSPACE = re.compile(r"/work/|\.\./shared|/\s*[\"']shared[\"']\s*/")
# The samples below name the folder beside the checkout in pieces: no tracked file, this one
# included, spells out a path into it.
SHARED = "shar" + "ed"


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [name for name in listed.decode().split("\0") if name]


def outside_references(name: str, text: str) -> list[str]:
    """Every reference in a file at repository path `name` that leads outside the repository."""
    depth = len(PurePosixPath(name).parts) - 1  # folders between the repository root and the file
    found = [m.group(0) for m in _WORKSPACE.finditer(text)]
    for match in _CLIMB.finditer(text):
        climbs = match.group(0).count("../")
        if climbs > depth:
            found.append(match.group(0))
    if name.endswith(".py"):
        for match in _PARENTS.finditer(text):
            if int(match.group(1)) + match.group(2).count(".parent") > depth:
                found.append(match.group(0))
        for match in _PARENT_CHAIN.finditer(text):
            if match.group(1).count(".parent") > depth + 1:
                found.append(match.group(0))
    return found


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tests/fakes/openapi.py", f'Path(__file__).resolve().parents[2].parent / "{SHARED}"'),
        ("tests/fakes/openapi.py", "Path(__file__).resolve().parents[3]"),
        ("tests/x.py", "Path(__file__).parent.parent.parent"),
        ("bench/x.sh", "cat ../../spec.yml"),
        ("Makefile", f"SPEC := ../{SHARED}/spotify/openapi.yml"),
        ("README.md", f"read /wor{''}k/{SHARED}/spotify/api-2026.md"),
    ],
)
def test_the_check_catches_references_outside(name: str, text: str) -> None:
    assert outside_references(name, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tests/fakes/openapi.py", "Path(__file__).resolve().parents[2] / 'app'"),
        ("tests/x.py", "Path(__file__).parent.parent / 'app'"),
        ("docs/deploy.md", "see [the README](../README.md)"),
        ("scripts/package.sh", 'cd "$(dirname "$0")/.."'),
    ],
)
def test_the_check_allows_references_inside(name: str, text: str) -> None:
    assert outside_references(name, text) == []


def test_no_tracked_file_refers_outside_the_repository() -> None:
    offenders = {}
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (an image)
        if name == "tests/test_repository.py":
            continue  # this file spells out the patterns it looks for
        found = outside_references(name, text)
        if found:
            offenders[name] = found[:3]
    assert offenders == {}
