"""The Debian packages the packaged binary needs from the system: the one list.

Read by scripts/system-packages.sh and scripts/package.sh (the .deb's Depends:) by running this
file with the system Python (it imports nothing but the standard library), by the binary's
missing-library message, and by the packaging test, which checks it against what the built
binary's libraries link to (readelf + dpkg -S).

    python3 desktop/app/system_packages.py             # names, space separated
    python3 desktop/app/system_packages.py --depends   # the .deb's Depends: value
"""
from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys

# Debian package -> the libraries (sonames) of it that the binary loads. build.spec leaves these
# out of the bundle on purpose: the user's copies match their X server and GPU driver.
RUNTIME: dict[str, tuple[str, ...]] = {
    "libc6": ("libc.so.6",),
    "zlib1g": ("libz.so.1",),
    "liblzma5": ("liblzma.so.5",),
    "libzstd1": ("libzstd.so.1",),
    "libglib2.0-0": ("libglib-2.0.so.0", "libgthread-2.0.so.0"),
    "libdbus-1-3": ("libdbus-1.so.3",),
    "libfontconfig1": ("libfontconfig.so.1",),
    "libfreetype6": ("libfreetype.so.6",),
    "libegl1": ("libEGL.so.1",),
    "libgl1": ("libGL.so.1",),
    "libx11-6": ("libX11.so.6",),
    "libx11-xcb1": ("libX11-xcb.so.1",),
    "libxcb1": ("libxcb.so.1",),
    "libxcb-cursor0": ("libxcb-cursor.so.0",),
    "libxcb-glx0": ("libxcb-glx.so.0",),
    "libxcb-icccm4": ("libxcb-icccm.so.4",),
    "libxcb-image0": ("libxcb-image.so.0",),
    "libxcb-keysyms1": ("libxcb-keysyms.so.1",),
    "libxcb-randr0": ("libxcb-randr.so.0",),
    "libxcb-render0": ("libxcb-render.so.0",),
    "libxcb-render-util0": ("libxcb-render-util.so.0",),
    "libxcb-shape0": ("libxcb-shape.so.0",),
    "libxcb-shm0": ("libxcb-shm.so.0",),
    "libxcb-sync1": ("libxcb-sync.so.1",),
    "libxcb-util1": ("libxcb-util.so.1",),
    "libxcb-xfixes0": ("libxcb-xfixes.so.0",),
    "libxcb-xkb1": ("libxcb-xkb.so.1",),
    "libxkbcommon0": ("libxkbcommon.so.0",),
    "libxkbcommon-x11-0": ("libxkbcommon-x11.so.0",),
    # No library: fontconfig needs at least one font, or every label is drawn as empty boxes.
    "fonts-dejavu-core": (),
}


def packages() -> list[str]:
    return list(RUNTIME)


def depends() -> str:
    """The value of the .deb's Depends: field."""
    return ", ".join(RUNTIME)


def _known_libraries() -> str | None:
    """ldconfig's cache as text: one call for every library (find_library would run it once each)."""
    ldconfig = "/sbin/ldconfig" if os.path.exists("/sbin/ldconfig") else "ldconfig"  # not on users' PATH
    try:
        return subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def missing_packages() -> list[str]:
    """The packages of the list whose libraries this system lacks."""
    cache = _known_libraries()

    def present(soname: str) -> bool:
        if cache is not None:
            return soname + " " in cache
        return ctypes.util.find_library(soname[3:].split(".so")[0]) is not None

    return [pkg for pkg, libs in RUNTIME.items() if not all(present(lib) for lib in libs)]


if __name__ == "__main__":
    print(depends() if "--depends" in sys.argv[1:] else " ".join(packages()))
