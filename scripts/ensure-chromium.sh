#!/usr/bin/env bash
# Make sure a Chromium/Chrome exists for the render engine and the browser tests.
# Uses the package's own finder; installs Debian's chromium when root with apt.
set -euo pipefail
PY="${1:-.venv/bin/python}"
find_browser() { "$PY" -c "from vizwidget.engine import find_browser; print(find_browser() or '')"; }
found="$(find_browser)"
if [ -n "$found" ]; then
  echo "browser: $found"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser: none found, installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  found="$(find_browser)"
  [ -n "$found" ] && { echo "browser: $found"; exit 0; }
fi
echo "error: no Chromium/Chrome found; install one (sudo apt-get install chromium), run plotly_get_chrome, or set BROWSER_PATH." >&2
exit 1
