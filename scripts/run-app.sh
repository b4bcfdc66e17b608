#!/usr/bin/env bash
# Run the app on the shipped model: Qt's system libraries, a virtual environment with the app's
# runtime dependencies only (no TensorFlow), then the window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
PY=${PYTHON:-python3}
[ -x .venv-app/bin/python ] || "$PY" -m venv .venv-app
.venv-app/bin/python -m pip install -q --upgrade pip
.venv-app/bin/python -m pip install -q -e .
exec .venv-app/bin/digits-app "$@"
