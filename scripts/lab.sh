#!/usr/bin/env bash
# Start JupyterLab on notebooks/ with the demo runs (make lab). Extra arguments go to jupyter lab.
set -euo pipefail
cd "$(dirname "$0")/.."
export VIZWIDGET_DEMO_RUNS="${VIZWIDGET_DEMO_RUNS:-$PWD/demo-run/runs}"
exec "${PYTHON:-.venv/bin/python}" -m jupyter lab --no-browser --ServerApp.root_dir="$PWD/notebooks" \
  --LabApp.default_url=/lab/tree/00_tour.ipynb "$@"
