#!/usr/bin/env bash
# Build the desktop binary from a clean virtual environment holding only the app's runtime
# dependencies. Usage: scripts/package.sh [--onefile | --deb]   (default: the one-folder build)
#   --deb: the one-folder build, then dist/digit-recognizer_<version>_<arch>.deb (packaging/make-deb.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv-build/bin/python ] || "$PY" -m venv .venv-build
.venv-build/bin/python -m pip install -q --upgrade pip
.venv-build/bin/python -m pip install -q -c packaging/build-constraints.txt . "pyinstaller>=6.10"
# Refuse to package a Qt binding that leaks references to None (it crashes the binary's Python).
.venv-build/bin/python -m desktop.app.qt_binding
if [ "${1:-}" = "--onefile" ]; then
  .venv-build/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/onefile build.spec -- --onefile
  echo "built dist/digits-onefile ($(du -sh dist/digits-onefile | cut -f1))"
else
  .venv-build/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/onedir build.spec
  echo "built dist/digits/ ($(du -sh dist/digits | cut -f1), $(find dist/digits -type f | wc -l) files)"
fi
.venv-build/bin/pip freeze --exclude-editable | grep -iE "pyside6|litert|numpy|pillow|pyinstaller|tqdm" > dist/build-versions.txt
# Which code the binary is: a dist/ left from an older commit looked current (a hostile pass ran a
# binary 95 commits old, with bugs fixed long before). "-dirty": built with uncommitted changes.
echo "commit $(git describe --always --dirty 2>/dev/null || echo unknown)" >> dist/build-versions.txt
# Desktop integration: `dist/digits/digits --install` for this user, or the .deb for everyone.
if [ "${1:-}" = "--deb" ]; then
  PYTHON_BUILD=.venv-build/bin/python bash packaging/make-deb.sh
fi
