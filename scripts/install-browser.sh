#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py drives it with Playwright, which
# never downloads a browser of its own). A quick no-op when it is installed; otherwise apt-get as
# root, or through sudo when that works, else a clear failure: the browser tests never skip.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  echo "install-browser: CHROMIUM_PATH=$CHROMIUM is not an executable file." >&2
  exit 1
fi
if ! command -v apt-get > /dev/null; then
  echo "install-browser: no Chromium at $CHROMIUM and no apt-get to install it. Install Chromium" >&2
  echo "(or Chrome) and set CHROMIUM_PATH to its binary; the browser tests need it." >&2
  exit 1
fi

if [[ "$(id -u)" == "0" ]]; then
  as_root=()
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
  as_root=(sudo -n)
elif command -v sudo > /dev/null && [[ -t 0 ]]; then
  as_root=(sudo) # a terminal: sudo may ask for the password
else
  echo "install-browser: Chromium is missing at $CHROMIUM and installing it needs root." >&2
  echo "Run: sudo apt-get install -y chromium   (then make test again)," >&2
  echo "or set CHROMIUM_PATH to an existing Chromium binary." >&2
  exit 1
fi

echo "install-browser: installing Debian's chromium for the browser tests (once)..."
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
"$CHROMIUM" --version 2> /dev/null
