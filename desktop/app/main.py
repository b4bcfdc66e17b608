"""Entry point of the app and of the packaged binary.

``digits [IMAGE ...]`` opens the window (with the images in the Images tab); ``digits classify ...``
is the batch CLI (so the binary classifies folders without Python); ``--self-test`` checks the
bundled model; ``--install``/``--uninstall`` add or remove the menu entry for this user.
From source the same entry point is ``digits-app``.
"""
from __future__ import annotations

import argparse
import difflib
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

from desktop import __version__

COMMANDS = ("classify",)
EXIT_NO_DISPLAY = 3
SIGNAL_POLL_MS = 200  # how often Python gets to run a signal handler (Ctrl+C) while Qt runs the window


def program_name() -> str:
    """What the user typed: the binary is `digits`; from source the GUI script is `digits-app`."""
    return "digits" if getattr(sys, "frozen", False) else "digits-app"


def build_parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [options] [IMAGE ...]\n       %(prog)s classify PATH ... [--out FILE] [options]",
        description="Digit Recognizer: draw a digit, open images or classify whole folders, offline.",
        epilog="commands:\n"
               "  classify     classify image files and folders without a window\n"
               "               (see: %(prog)s classify --help)\n\n"
               "examples:\n"
               "  %(prog)s                                   open the window\n"
               "  %(prog)s scan1.png scan2.jpg               open the window with these images\n"
               "  %(prog)s classify scans/ --out results.csv\n"
               "  %(prog)s --install                         add it to this user's menu (no root)")
    p.add_argument("images", nargs="*", metavar="IMAGE", help="image files to open in the Images tab")
    p.add_argument("--version", action="version", version=f"Digit Recognizer {__version__}")
    p.add_argument("--self-test", action="store_true", help="verify the bundled model and classify bundled digits")
    p.add_argument("--verbose", action="store_true", help="log what the app decides on stderr")
    once = p.add_mutually_exclusive_group()
    once.add_argument("--install", action="store_true",
                      help="add this binary to your menu: ~/.local/bin/digits, entry and icon in ~/.local/share")
    once.add_argument("--uninstall", action="store_true", help="remove what --install added")
    return p


def unknown_argument_message(arg: str) -> str:
    close = difflib.get_close_matches(arg, COMMANDS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"'{arg}' is neither a command nor an existing file{hint}"


def self_test() -> int:
    """Load the bundled model, verify its hash, classify the bundled digits: 0 only if all are right."""
    import numpy as np

    from desktop.engine.errors import DigitsError
    from desktop.engine.model_files import assets_dir, load_shipped
    from desktop.engine.recognize import format_confidence, recognize_many

    try:
        clf = load_shipped()
        with np.load(assets_dir() / "selftest.npz") as d:
            x, y = d["x"], d["y"]
    except (DigitsError, OSError) as e:
        print(f"self-test FAILED: {e}")
        return 1
    answers = recognize_many(clf, list(x.astype(np.float32) / 255.0))  # the app's own path, in one batch
    ok = 0
    for p, label in zip(answers, y):
        ok += int(p.digit == label)
        print(f"  digit {label}: predicted {p.digit} ({format_confidence(p.confidence)}, {p.status})")
    print(f"self-test {'passed' if ok == len(y) else 'FAILED'}: {ok}/{len(y)} bundled digits right, "
          f"model {clf.path.name} sha256 verified")
    return 0 if ok == len(y) else 1


def run_gui(argv: list[str], images: list[str], prog: str) -> int:
    from desktop.app.display import check_display

    check = check_display(dict(os.environ), prog)
    if check.problem:
        print(check.problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    if check.platform:
        os.environ["QT_QPA_PLATFORM"] = check.platform
    t0 = time.perf_counter()
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.app import errors_dialog

    # Every mouse move of a stroke, however fast: on X11 Qt merges the moves that come faster than
    # it handles them, and a quick stroke became a straight line from press to release (an hour's
    # soak under Xvfb: 46 of 80 fast digits read "1").
    if QApplication.instance() is None:  # an attribute Qt reads when the application is made
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    app = QApplication.instance() or QApplication(argv)
    win = make_window(images)
    errors_dialog.install(lambda: win)
    win.show()
    if os.environ.get("DIGITS_REPORT_STARTUP"):  # benchmarks/startup.py reads this line
        QTimer.singleShot(0, lambda: print(f"shown {time.perf_counter() - t0:.4f}", flush=True))
    if win.state.classifier is None:
        QTimer.singleShot(0, lambda: QMessageBox.critical(win, "Model problem", win.state.error))
    # Ctrl+C in the terminal closes the window as its close button does (during a batch, a second
    # within seconds). Qt's loop never returns to Python on its own, so Python never ran its handler
    # and Ctrl+C was ignored: a timer lets it run a few times a second.
    signal.signal(signal.SIGINT, lambda *_: win.close())
    wake = QTimer(interval=SIGNAL_POLL_MS)
    wake.timeout.connect(lambda: None)
    wake.start()
    return app.exec()


def make_window(images: list[str]):
    """The main window (the QApplication must exist), with `images` open in the Images tab."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop.app.main_window import MainWindow
    from desktop.app.state import APP, ORG, AppState
    from desktop.engine.model_files import assets_dir

    app = QApplication.instance()
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setDesktopFileName("digit-recognizer")
    app.setWindowIcon(QIcon(str(assets_dir() / "icon.png")))
    win = MainWindow(AppState.from_settings())
    if images:  # opened from the file manager or the command line
        win.tabs.setCurrentWidget(win.images)
        win.images.add_files(images)
    return win


def user_install(uninstall: bool, prog: str) -> int:
    from desktop.app import install as inst

    if uninstall:
        removed = inst.uninstall()
        print("\n".join(f"removed {p}" for p in removed) or "nothing to remove: not installed for this user")
        return 0
    if not getattr(sys, "frozen", False):
        print(f"{prog}: --install adds the packaged binary to the menu; build it with scripts/package.sh "
              "and run dist/digits/digits --install", file=sys.stderr)
        return 2
    from desktop.engine.model_files import assets_dir

    try:
        written = inst.install(Path(sys.executable), assets_dir() / "icon.png")
    except OSError as e:
        print(f"{prog}: cannot install: {e}", file=sys.stderr)
        return 1
    print("\n".join(f"added {p}" for p in written))
    bin_dir = str(written[0].parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        print(f"note: {bin_dir} is not on your PATH; the menu entry works anyway")
    return 0


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the packaged binary's worker processes start here
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "classify":
        from desktop.cli import main as cli_main

        return cli_main(argv)
    prog = program_name()
    parser = build_parser(prog)
    args = parser.parse_args(argv)  # --help, --version and bad options end here (exit 0 or 2)
    for arg in args.images:
        if not os.path.exists(arg):
            parser.error(unknown_argument_message(arg))
    if args.self_test:
        return self_test()
    if args.install or args.uninstall:
        return user_install(args.uninstall, prog)
    if args.verbose:  # what the app decides, on stderr: for bug reports and the Xvfb test
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    return run_gui([sys.argv[0]], [os.path.abspath(a) for a in args.images], prog)


if __name__ == "__main__":
    sys.exit(main())
