#!/usr/bin/env bash
# Pack the one-folder build (dist/digits/) into dist/digit-recognizer_<version>_<arch>.deb with
# dpkg-deb: the program in /opt/digit-recognizer/, `digits` on the PATH, the menu entry and icons
# where freedesktop looks, the doc files and man page Debian policy asks for. Run by
# `scripts/package.sh --deb`; needs the tools scripts/system-packages.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON_BUILD:-.venv-build/bin/python}  # has Pillow (icon sizes) and the desktop package
PKG=digit-recognizer
for tool in dpkg-deb help2man chrpath strip gzip; do
  command -v "$tool" >/dev/null || { echo "make-deb: $tool is missing; run scripts/system-packages.sh" >&2; exit 2; }
done
[ -x dist/digits/digits ] || { echo "make-deb: no dist/digits/digits; run scripts/package.sh first" >&2; exit 2; }
VERSION=$(dist/digits/digits --version | awk '{print $NF}')  # what the binary itself says it is
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/$PKG
DOC=$STAGE/usr/share/doc/$PKG
rm -rf build/deb
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$DOC" "$STAGE/usr/share/man/man1" \
  "$STAGE/usr/share/lintian/overrides"

cp -a dist/digits "$STAGE/opt/$PKG"
ln -s "/opt/$PKG/digits" "$STAGE/usr/bin/digits"
# The interpreter's own libraries carry the build machine's library path (pyenv's lib folder) as
# RUNPATH: a user's machine must never search it. Its extension modules keep debug symbols too.
for so in "$STAGE/opt/$PKG/_internal"/libpython*.so* "$STAGE/opt/$PKG/_internal"/python3*/lib-dynload/*.so; do
  chrpath -d "$so" >/dev/null
  case "$so" in */lib-dynload/*) strip --strip-unneeded "$so" ;; esac
done
"$PY" -m desktop.app.install --stage "$STAGE" --icon assets/icon.png >/dev/null
cp packaging/debian/copyright "$DOC/copyright"
sed "s/@VERSION@/$VERSION/; s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")/" \
  packaging/debian/changelog | gzip -9n > "$DOC/changelog.gz"
help2man --no-info --no-discard-stderr --name "handwritten digit recognizer: window and batch classifier" \
  --version-string "$VERSION" dist/digits/digits | gzip -9n > "$STAGE/usr/share/man/man1/digits.1.gz"
cp packaging/debian/lintian-overrides "$STAGE/usr/share/lintian/overrides/$PKG"

# Permissions as policy wants them: nothing writable by others, only the program executable.
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f -exec chmod 0644 {} +
chmod 0755 "$STAGE/opt/$PKG/digits"

sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" \
    -e "s/@DEPENDS@/$(python3 desktop/app/system_packages.py --depends)/" \
    -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)/" packaging/debian/control > "$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"

OUT=dist/${PKG}_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
echo "built $OUT ($(du -h "$OUT" | cut -f1))"
