"""The layering holds: every import points downward, and only config.py reads the environment.

routes → services → spotify | persistence; config, errors, extensions, schemas, utc, log,
tracing, metrics and the SVG drawing are leaves; tasks and cli are entry points nothing imports
(the factory may register the CLI). The import graph is read from the source with `ast`,
function-level imports included, so a wrong-way import fails here with its file and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

LAYERS = {
    "entry": {"app.tasks", "app.cli"},
    "factory": {"app", "app.dispatchers"},
    "persistence": {"app.storage", "app.db", "app.cache_backend"},
    "leaf": {"app.config", "app.errors", "app.extensions", "app.utc", "app.log", "app.svg_card"},
}
LAYERS["leaf"] |= {"app.tracing", "app.xray_export", "app.metrics"}
PACKAGES = {"app.routes": "routes", "app.services": "services", "app.spotify": "spotify"}
PACKAGES["app.schemas"] = "leaf"
PACKAGES["app.models"] = "persistence"
ALLOWED = {
    "entry": {"factory", "routes", "services", "spotify", "persistence", "leaf"},
    "factory": {"factory", "routes", "services", "spotify", "persistence", "leaf"},
    "routes": {"routes", "services", "leaf"},
    "services": {"services", "spotify", "persistence", "leaf"},
    "spotify": {"spotify", "persistence", "leaf"},
    "persistence": {"persistence", "leaf"},
    "leaf": {"leaf"},
}


def module_name(path: Path, root: Path = APP.parent) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    for name, members in LAYERS.items():
        if module in members:
            return name
    for package, name in PACKAGES.items():
        if module == package or module.startswith(package + "."):
            return name
    raise AssertionError(f"{module} belongs to no layer: add it to test_architecture.LAYERS")


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of an app module in the file, wherever it is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "app"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "app":
                continue
            for alias in node.names:  # `from app import cli` imports the module app.cli
                candidate = f"{node.module}.{alias.name}"
                is_module = (APP.parent / Path(*candidate.split("."))).with_suffix(".py").exists()
                is_package = (APP.parent / Path(*candidate.split("."))).is_dir()
                found.append((node.lineno, candidate if is_module or is_package else node.module))
    return found


def violations(files: list[Path], root: Path = APP.parent) -> list[str]:
    wrong = []
    for path in files:
        source = module_name(path, root)
        for line, target in imports(path):
            if target == source or (source == "app" and target == "app.cli"):
                continue  # the factory registers the CLI, the one allowed use of an entry point
            if target in LAYERS["entry"]:
                wrong.append(f"{path.relative_to(root)}:{line} imports {target} (an entry)")
            elif layer(target) not in ALLOWED[layer(source)]:
                wrong.append(
                    f"{path.relative_to(root)}:{line} imports {target} "
                    f"({layer(source)} → {layer(target)})"
                )
    return wrong


def app_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_every_import_points_downward() -> None:
    assert violations(app_files()) == []


@pytest.mark.parametrize(
    ("where", "source"),
    [
        ("services/catalog.py", "from app import tasks\n"),
        ("services/catalog.py", "def f():\n    from app.routes import http_cache\n"),
        ("spotify/client.py", "from app.services import owner\n"),
        ("routes/artists.py", "from app.models import ArtistCatalog\n"),
        ("config.py", "from app.spotify import gateway\n"),
        ("models.py", "import app.services.freshness\n"),
    ],
)
def test_the_rule_names_a_wrong_way_import(tmp_path, where, source) -> None:
    copy = tmp_path / "app" / where
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(source)
    [problem] = violations([copy], root=tmp_path)
    assert problem.startswith(f"app/{where}:") and " imports app." in problem


ENVIRONMENT = re.compile(r"\bos\.(environ|getenv|putenv)\b|\bfrom os import .*environ|getenv")


def test_only_config_reads_the_environment() -> None:
    readers = [
        str(p.relative_to(APP.parent))
        for p in app_files()
        if p.name != "config.py" and ENVIRONMENT.search(p.read_text())
    ]
    assert readers == []


PARTS = re.compile(r"\b(gateway\(\)|gw)\.(_\w+|auth)\b")


def test_services_and_routes_use_the_gateways_methods_never_its_parts() -> None:
    reaching = [
        f"{p.relative_to(APP.parent)}: {m.group(0)}"
        for p in sorted((APP / "services").glob("*.py")) + sorted((APP / "routes").glob("*.py"))
        for m in PARTS.finditer(p.read_text())
    ]
    assert reaching == []


def test_no_module_is_over_250_lines() -> None:
    sizes = {str(p.relative_to(APP.parent)): len(p.read_text().splitlines()) for p in app_files()}
    assert {name: n for name, n in sizes.items() if n > 250} == {}
