#!/usr/bin/env bash
# Debian packages: the run-time libraries the app and the packaged binary need (the one list is
# desktop/app/system_packages.py, also the .deb's Depends:), and the tools the GUI, report and
# packaging tests use. Usage: scripts/system-packages.sh [--runtime]   (--runtime: no test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME=$(python3 desktop/app/system_packages.py)
TEST_TOOLS="xvfb xdotool imagemagick x11-utils binutils poppler-utils dpkg-dev lintian desktop-file-utils help2man chrpath"
[ "${1:-}" = "--runtime" ] && TEST_TOOLS=""
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
want=$(for p in $RUNTIME $TEST_TOOLS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$want" ]; then
  echo "installing Debian packages: $want"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null
fi
