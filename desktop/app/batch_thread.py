"""The batch run off the UI thread: walk the folder once, plan the workers, send rows back in chunks.

Stopped the Qt way (as in Qt's Mandelbrot example): ``requestInterruption()`` from the button,
``stop()`` (interrupt, then wait) when the window closes; the run checks between rows, and the
engine asks too while it waits for a slow file (``should_stop``), so a stop never waits for one.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QThread, Signal

from desktop.engine.batch import classify_rows, plan_workers
from desktop.engine.classifier import ClassifierSpec
from desktop.engine.files import find_images

EMIT_ROWS = 64  # rows per signal at most: one per row would flood the event loop
EMIT_EVERY = 0.1  # seconds: rows done are shown at least this often, however slow the next file


class BatchThread(QThread):
    """Runs the engine's batch classifier on a verified model's spec; rows come back in chunks."""

    rowsReady = Signal(list)
    counted = Signal(int)

    def __init__(self, paths: list[str], recursive: bool, number: bool, model: ClassifierSpec,
                 workers: int | None = None, parent=None):
        super().__init__(parent)
        self.paths, self.recursive, self.number = paths, recursive, number
        self.model, self.workers = model, workers
        self.error = ""
        self.cancelled = False  # the run ended on a request (Qt clears that request when the thread ends)
        self._pending: list = []  # rows done, not yet sent (rowsReady)
        self._sent = 0.0  # when rows were last sent

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the run to end and wait for it (True when it has ended)."""
        self.requestInterruption()
        return self.wait(timeout_ms)

    def run(self) -> None:
        found = []
        for f in find_images(self.paths, self.recursive):  # the one walk: counted, then classified
            if self.isInterruptionRequested():
                self.cancelled = True
                return
            found.append(f)
        self.counted.emit(len(found))
        # Spawned workers: forking this multi-threaded process could deadlock the child.
        rows = classify_rows(found, self.model, plan_workers(len(found), self.workers), self.number,
                             start_method="spawn", should_stop=self._waiting)
        self._pending, self._sent = [], time.monotonic()
        try:
            for r in rows:
                self._pending.append(r)
                self._emit(due_only=True)
                if self.isInterruptionRequested():
                    break
            # Ended by the request, between rows or inside the engine while it waited for a file.
            self.cancelled = self.isInterruptionRequested()
        except Exception as e:  # a worker that died, an unusable model: shown to the user, the rows so far stay
            self.error = str(e)
        finally:
            rows.close()
            self._emit()

    def _waiting(self) -> bool:
        """Asked by the engine while it waits for a slow file: show the rows done so far (no next row
        comes to trigger that), and say whether to stop now."""
        self._emit(due_only=True)
        return self.isInterruptionRequested()

    def _emit(self, due_only: bool = False) -> None:
        """Send the rows held back: all of them, or only when EMIT_ROWS are held or EMIT_EVERY has passed."""
        if due_only and len(self._pending) < EMIT_ROWS and time.monotonic() - self._sent <= EMIT_EVERY:
            return
        if self._pending:
            self.rowsReady.emit(self._pending)
        self._pending, self._sent = [], time.monotonic()
