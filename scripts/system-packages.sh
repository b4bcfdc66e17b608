#!/usr/bin/env bash
# Debian packages: the Qt runtime libraries a real window needs (also what the packaged binary
# needs on a user's machine), fonts, and the tools the GUI, report and packaging tests use.
set -euo pipefail
RUNTIME="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
 libdbus-1-3 fonts-dejavu-core"
TEST_TOOLS="xvfb xdotool imagemagick x11-utils binutils poppler-utils"
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
want=$(for p in $RUNTIME $TEST_TOOLS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$want" ]; then
  echo "installing Debian packages: $want"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null
fi
