#!/usr/bin/env bash
# Build the Lambda zip for a stage offline: `zappa package` run from a runtime-only virtualenv whose
# Python matches the stage's runtime (Zappa packs the compiled wheels of the venv it runs in).
# Usage: scripts/package.sh [stage]      (default: $STAGE or dev) -> dist/spotify-data-api-<stage>.zip
# Env: PACKAGE_PYTHON to force an interpreter. Needs PyPI only when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."

STAGE="${1:-${STAGE:-dev}}"
die() { echo "package: $*" >&2; exit 1; }

# The stage's runtime and architecture, following "extends" the way Zappa does.
CONFIG="$(python3 - "$STAGE" <<'PY'
import json, sys
settings, stage = json.load(open("zappa_settings.json")), sys.argv[1]
if stage not in settings:
    sys.exit(f"package: no stage {stage!r} in zappa_settings.json")
config = {}
while stage:
    config = {**settings[stage], **config}
    stage = settings[stage].get("extends")
print(config["runtime"].removeprefix("python"), config.get("architecture", "x86_64"))
PY
)"
read -r VERSION ARCH <<<"$CONFIG"
# Compiled wheels are for the machine pip runs on; Lambda's arm64 is Linux's aarch64.
MACHINE="$(uname -s)-$(uname -m)"
[[ "$MACHINE" == "Linux-${ARCH/arm64/aarch64}" ]] || die "stage '$STAGE' runs on Linux $ARCH, but this is $MACHINE:
the zip would carry the wrong compiled wheels. Build on Linux $ARCH (e.g. a python:$VERSION container)."

matches() { "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$VERSION'.split('.'))))" 2>/dev/null; }

find_python() {
  local candidate prefix
  candidate="$(command -v "python$VERSION" || true)"  # a pyenv shim may exist yet fail to run
  if [[ -n "$candidate" ]] && matches "$candidate"; then echo "$candidate"; return 0; fi
  if command -v pyenv >/dev/null && prefix="$(pyenv prefix "$VERSION" 2>/dev/null)"; then
    candidate="$prefix/bin/python$VERSION"
    if matches "$candidate"; then echo "$candidate"; return 0; fi
  fi
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$VERSION"*/bin/python"$VERSION"; do
    if [[ -x "$candidate" ]] && matches "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

if [[ -n "${PACKAGE_PYTHON:-}" ]]; then
  matches "$PACKAGE_PYTHON" || die "PACKAGE_PYTHON=$PACKAGE_PYTHON is not Python $VERSION"
  PY="$PACKAGE_PYTHON"
else
  PY="$(find_python)" || die "stage '$STAGE' runs python$VERSION on Lambda, but no python$VERSION was found.
Install it (e.g. 'pyenv install $VERSION') or set PACKAGE_PYTHON=/path/to/python$VERSION."
fi

# A venv with requirements.txt only, rebuilt from scratch whenever requirements or Python change.
VENV=".venv-package-py$VERSION"
STAMP="$VENV/.requirements-stamp"
WANT="$("$PY" -VV | tr -d '\n'; sha256sum requirements.txt | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  echo "package: building $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-compile -r requirements.txt
  # Zappa zips files with a 1980 timestamp, which invalidates ordinary .pyc files on Lambda (read-only
  # /var/task, so every cold start would recompile). Hash-based, unchecked .pyc files stay valid.
  "$VENV/bin/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash \
    "$VENV/lib/python$VERSION/site-packages"
  echo "$WANT" >"$STAMP"
fi

# `zappa package` needs no AWS credentials; a region keeps boto from looking one up, and -j skips
# Zappa's PyPI update check, so nothing here touches the network.
mkdir -p dist
OUT="dist/spotify-data-api-$STAGE.zip"
rm -f "$OUT"
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" \
  "$VENV/bin/zappa" package "$STAGE" -j --disable_progress -o "$OUT" >/dev/null
# Zappa copies the project's own files without bytecode; compile them into the zip with the stage's
# Python (unchecked-hash, like the dependencies above), so a cold start never compiles app/.
"$VENV/bin/python" - "$OUT" <<'PY'
import importlib.util, py_compile, sys, tempfile, zipfile
from pathlib import Path
path = sys.argv[1]
with zipfile.ZipFile(path) as archive:
    names = set(archive.namelist())
    sources = {n: archive.read(n) for n in names if n.endswith(".py")}
added = set()
with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
    for name, source in sorted(sources.items()):
        cached = importlib.util.cache_from_source(name)
        if cached in names or "__pycache__" in name:  # Zappa drops an __init__.py in every folder
            continue
        src, out = Path(tmp, "src.py"), Path(tmp, "out.pyc")
        src.write_bytes(source)
        py_compile.compile(str(src), str(out), dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        info = zipfile.ZipInfo(cached)  # Zappa's own entries: 1980 timestamps, mode 755
        info.create_system, info.external_attr = 3, 0o755 << 16
        archive.writestr(info, out.read_bytes(), zipfile.ZIP_DEFLATED)
        added.add(name.split("/")[0])
print(f"package: compiled what came without bytecode: {', '.join(sorted(added))}")
PY
python3 - "$OUT" <<'PY'
import os, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as archive:
    unpacked = sum(info.file_size for info in archive.infolist())
    count = len(archive.infolist())
size = os.path.getsize(path)
print(f"package: {path}: {size / 2**20:.2f} MiB zipped, {unpacked / 2**20:.2f} MiB unzipped, {count} files")
PY
