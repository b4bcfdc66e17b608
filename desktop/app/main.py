"""Entry point of the app and of the packaged binary.

``digits-app`` opens the window; ``digits-app classify ...`` is the batch CLI (so the binary
classifies folders without Python); ``digits-app --self-test`` checks the bundled model.
"""
from __future__ import annotations

import ctypes.util
import multiprocessing
import os
import subprocess
import sys
import time

# Debian packages that provide what Qt's xcb platform plugin loads at run time.
XCB_LIBS = {
    "xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0", "xcb-render-util": "libxcb-render-util0", "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0", "xcb-util": "libxcb-util1", "xcb-shm": "libxcb-shm0",
    "xcb-sync": "libxcb-sync1", "xcb-xfixes": "libxcb-xfixes0", "xcb-xkb": "libxcb-xkb1", "X11-xcb": "libx11-xcb1",
    "xkbcommon-x11": "libxkbcommon-x11-0", "EGL": "libegl1", "GL": "libgl1", "fontconfig": "libfontconfig1",
    "freetype": "libfreetype6", "glib-2.0": "libglib2.0-0", "dbus-1": "libdbus-1-3",
}


def missing_display_packages() -> list[str]:
    """Debian packages whose libraries the xcb plugin needs and this system lacks."""
    try:  # one ldconfig call for all of them (find_library runs it once per library)
        ldconfig = "/sbin/ldconfig" if os.path.exists("/sbin/ldconfig") else "ldconfig"  # not on users' PATH
        cache = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]
    return [pkg for lib, pkg in XCB_LIBS.items() if f"lib{lib}.so" not in cache]


def platform_problem() -> str | None:
    """A plain-words reason the window cannot open, found before Qt aborts the process over it."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM", "xcb") not in ("xcb", ""):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return ("No display was found (DISPLAY is not set). Run this on a desktop session, or use "
                "'digits-app classify FOLDER --out results.csv' to classify images without a window.")
    missing = missing_display_packages()
    if missing:
        return ("The window cannot open because system libraries Qt needs are missing. On Debian or Ubuntu, "
                "install them with:\n  sudo apt-get install " + " ".join(missing))
    return None


def self_test() -> int:
    """Load the bundled model, verify its hash, classify the bundled digits: 0 only if all are right."""
    import numpy as np

    from desktop.engine.errors import DigitsError
    from desktop.engine.model_files import assets_dir, load_shipped
    from desktop.engine.preprocess import preprocess

    try:
        clf = load_shipped()
        with np.load(assets_dir() / "selftest.npz") as d:
            x, y = d["x"], d["y"]
    except (DigitsError, OSError) as e:
        print(f"self-test FAILED: {e}")
        return 1
    ok = 0
    for img, label in zip(x, y):
        probs = clf.predict_one(preprocess(img.astype(np.float32) / 255.0).input28)
        ok += int(probs.argmax() == label)
        print(f"  digit {label}: predicted {probs.argmax()} ({100 * probs.max():.1f}%)")
    print(f"self-test {'passed' if ok == len(y) else 'FAILED'}: {ok}/{len(y)} bundled digits right, "
          f"model {clf.path.name} sha256 verified")
    return 0 if ok == len(y) else 1


def run_gui(argv: list[str]) -> int:
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 3
    t0 = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.app.main_window import MainWindow
    from desktop.app.state import APP, ORG, AppState

    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setDesktopFileName("digit-recognizer")
    from PySide6.QtGui import QIcon

    from desktop.engine.model_files import assets_dir

    app.setWindowIcon(QIcon(str(assets_dir() / "icon.png")))
    state = AppState.from_settings()
    win = MainWindow(state)
    win.show()
    if os.environ.get("DIGITS_REPORT_STARTUP"):  # benchmarks/startup.py reads this line
        QTimer.singleShot(0, lambda: print(f"shown {time.perf_counter() - t0:.4f}", flush=True))
    if state.classifier is None:
        QTimer.singleShot(0, lambda: QMessageBox.critical(win, "Model problem", state.error))
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the packaged binary's worker processes start here
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "classify":
        from desktop.cli import main as cli_main

        return cli_main(argv)
    if "--self-test" in argv:
        return self_test()
    if "--verbose" in argv:  # what the app decides, on stderr: for bug reports and the Xvfb test
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        argv.remove("--verbose")
    if "--version" in argv:
        from desktop import __version__

        print(f"Digit Recognizer {__version__}")
        return 0
    return run_gui([sys.argv[0], *argv])


if __name__ == "__main__":
    sys.exit(main())
