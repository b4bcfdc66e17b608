#!/usr/bin/env bash
# The test command (README; CI runs it through .ci/run): system packages, a virtual environment
# with every extra (train, build, dev), then the whole suite, GUI under Xvfb and packaging included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[train,build,dev]"
export QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1 LANG=C.UTF-8 PYTHONUNBUFFERED=1
exec .venv/bin/python -m pytest -ra --durations=15 "$@"
