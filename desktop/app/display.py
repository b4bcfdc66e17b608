"""Can a window open here? Found before Qt starts, because Qt aborts the process when it cannot,
with a hint that is often wrong (it blames libxcb-cursor0 for any failed X connection)."""
from __future__ import annotations

import ctypes
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from desktop.app.system_packages import missing_packages

PROBE_TIMEOUT_S = 3.0  # a DISPLAY on an unreachable host would otherwise hang the start
CLASSIFY_HINT = "{prog} classify FOLDER --out results.csv"
# xcb_connection_has_error() codes (xcb.h) that mean something other than "nobody answered".
XCB_PARSE_ERROR, XCB_INVALID_SCREEN = 5, 6


@dataclass(frozen=True)
class DisplayCheck:
    platform: str | None = None  # a Qt platform to use instead of Qt's default (xcb)
    problem: str | None = None  # why no window can open, in plain words


def x_server_problem(display: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """None when an X server at `display` accepts a connection, else what went wrong."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return "libxcb.so.1 (Debian package libxcb1) is missing"
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    result: list[int] = []

    def probe() -> None:  # ctypes releases the GIL, so the join below can time out
        conn = xcb.xcb_connect(display.encode(), None)
        result.append(xcb.xcb_connection_has_error(conn))
        xcb.xcb_disconnect(conn)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout)
    if not result:
        return f"the X display {display!r} did not answer within {timeout:.0f} s"
    if result[0] == 0:
        return None
    if result[0] == XCB_PARSE_ERROR:
        return f"DISPLAY={display!r} is not a display name (expected e.g. ':0')"
    if result[0] == XCB_INVALID_SCREEN:
        return f"the X server behind DISPLAY={display!r} has no such screen"
    return (f"no X server answers at DISPLAY={display!r} (none is running there, or this user may not "
            "use it: check XAUTHORITY)")


def wayland_socket(env: dict[str, str]) -> Path | None:
    """The compositor's socket when WAYLAND_DISPLAY names one that exists."""
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        return None
    path = Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    return path if path.exists() else None


def wayland_plugin_shipped() -> bool:
    """Whether Qt's Wayland platform plugin is here (pip's PySide6 has it; the binary leaves it out)."""
    spec = importlib.util.find_spec("PySide6")
    for base in (spec.submodule_search_locations or []) if spec else []:
        if any((Path(base) / "Qt" / "plugins" / "platforms").glob("libqwayland*.so")):
            return True
    return False


def check_display(env: dict[str, str], prog: str = "digits") -> DisplayCheck:
    """Which platform Qt should use here, or why no window can open."""
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0]
    if chosen not in ("", "xcb", "wayland"):
        return DisplayCheck()  # offscreen, vnc, ...: the caller knows what it asked for
    hint = "To classify images without a window: " + CLASSIFY_HINT.format(prog=prog)
    display, wayland = env.get("DISPLAY"), env.get("WAYLAND_DISPLAY")
    if not display and not wayland:
        return DisplayCheck(problem=f"No display was found (neither DISPLAY nor WAYLAND_DISPLAY is set): run "
                                    f"{prog} in a desktop session.\n{hint}\n(See: {prog} --help)")
    if chosen != "wayland" and display:
        missing = missing_packages()
        if missing:
            return DisplayCheck(problem="The window cannot open: system libraries Qt needs are missing. On Debian "
                                        "or Ubuntu, install them with:\n  sudo apt-get install " + " ".join(missing))
        x_problem = x_server_problem(display)
        if x_problem is None:
            return DisplayCheck(platform="xcb" if chosen else None)
    else:
        x_problem = "QT_QPA_PLATFORM asks for Wayland" if chosen == "wayland" else "DISPLAY is not set"
    if chosen != "xcb" and wayland_socket(env):
        if wayland_plugin_shipped():
            return DisplayCheck(platform="wayland")
        return DisplayCheck(problem="This is a Wayland session without a usable X server "
                                    f"({x_problem}), and this build draws its window through X11 only (it does not "
                                    "ship Qt's Wayland plugin). Turn on XWayland (most desktops run it; it sets "
                                    f"DISPLAY) and unset QT_QPA_PLATFORM if it says wayland, then start {prog} "
                                    f"again.\n{hint}")
    if wayland and chosen != "xcb":
        return DisplayCheck(problem=f"No Wayland compositor answers at WAYLAND_DISPLAY={wayland!r}, and "
                                    f"{x_problem}.\n{hint}")
    return DisplayCheck(problem=f"The window cannot open: {x_problem}. Run {prog} in a desktop session, or set "
                                f"DISPLAY to a running X server.\n{hint}")
