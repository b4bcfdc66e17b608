"""How long the UI thread stalls while the Batch tab classifies a folder (offscreen Qt).

    python -m benchmarks.ui_stall [--files 10000]

A 5 ms timer runs on the UI thread during the batch; the longest gap between its ticks is the
longest time the window could not repaint or react. Prints the table of gaps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=10000)
    args = ap.parse_args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.synthetic import pen_digit
    from desktop.app.main_window import MainWindow
    from desktop.app.state import AppState

    app = QApplication([])
    win = MainWindow(AppState.from_settings())
    win.show()
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        digits = [pen_digit(d, rng).resize((56, 56)) for d in range(10)]
        for i in range(args.files):
            digits[i % 10].save(Path(tmp) / f"{i:06d}.png")
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick():
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(5)
        win.tabs.setCurrentWidget(win.batch)
        win.batch.folder.setText(tmp)
        start = time.perf_counter()
        win.batch.start()
        win.batch.thread.finished.connect(lambda: QTimer.singleShot(50, app.quit))
        app.exec()  # the real event loop, as the app runs it
        elapsed = time.perf_counter() - start
        timer.stop()
        g = np.array(gaps) * 1000
        print("| files | batch time (s) | rate (files/s) | timer ticks | median gap (ms) | p99 gap (ms) | "
              "longest stall (ms) |\n|---|---|---|---|---|---|---|")
        print(f"| {len(win.batch.model.rows)} | {elapsed:.1f} | {len(win.batch.model.rows) / elapsed:.0f} | {len(g)} | "
              f"{np.median(g):.1f} | {np.percentile(g, 99):.1f} | {g.max():.1f} |")


if __name__ == "__main__":
    main()
