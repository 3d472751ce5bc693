#!/usr/bin/env bash
# Make sure node and npm exist to build the widget bundle in js/.
set -euo pipefail
if command -v npm >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  exit 0
fi
echo "error: npm not found; install Node.js >= 18 (sudo apt-get install nodejs npm) to build the widget." >&2
exit 1
