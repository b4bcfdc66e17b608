"""An unexpected error in the window becomes a message, never a silent traceback or a crash.

PySide6 prints an exception raised in a slot and carries on; a user sees nothing, and the
drawing or batch they were working on may be half updated. This hook says what happened in plain
words, keeps the full traceback on stderr (and in the ``--verbose`` log) for a bug report, and
leaves the window running so nothing is lost.
"""
from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

log = logging.getLogger("digits.app")


def describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc) or "no details"
    return (f"Something went wrong ({name}: {text}). Your drawing and results are kept. "
            "If it happens again, run the app with --verbose and report the log.")


def install(parent_getter) -> None:
    """Route uncaught exceptions to a message box over the window ``parent_getter()`` returns."""
    from PySide6.QtWidgets import QMessageBox

    showing = False

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        print("".join(traceback.format_exception(kind, exc, tb)), file=sys.stderr, flush=True)
        log.error("unexpected error: %s", describe(exc))
        if showing:  # an error while the box is up (e.g. in a paint event) must not stack boxes
            return
        showing = True
        try:
            QMessageBox.warning(parent_getter(), "Unexpected error", describe(exc))
        finally:
            showing = False

    sys.excepthook = hook
