"""How long the Batch tab's table holds the UI thread when sorted, filtered, or fed rows while sorted.

    python -m benchmarks.table_sort [--rows 3000 30000]

Rows are made up (no classification): the table alone is measured, offscreen. The rows are kept
sorted by the table's model with Python's sort on keys made once per row (batch_tab.ResultsModel);
sorted by Qt's proxy, each comparison called the model's data() (3,000 rows: 0.6-2 s frozen).
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

BATCH = 100  # rows per delivery during a run (BatchThread sends what is done every ~0.1 s)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[3000, 30000])
    args = ap.parse_args(argv)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop.app.batch_tab import COLUMNS, BatchTab
    from desktop.app.state import AppState
    from desktop.engine.recognize import STATUSES
    from desktop.engine.results import Row

    app = QApplication([])
    print(f"{'rows':>7} {'action':34} {'ms':>8}")
    for n in args.rows:
        rng = np.random.default_rng(0)
        rows = [Row(f"/scans/box{i % 7}/scan_{i}.png", str(i % 10), float(rng.random()), False, "", "",
                    STATUSES[int(rng.integers(len(STATUSES) - 1))]) for i in range(n)]
        tab = BatchTab(AppState.from_settings())
        tab.show()
        tab.model.root = "/scans"
        tab.table.sortByColumn(COLUMNS.index("confidence"), Qt.SortOrder.DescendingOrder)
        worst = 0.0
        for i in range(0, n, BATCH):  # a run delivering rows while sorted by confidence
            t = time.perf_counter()
            tab.model.append(rows[i : i + BATCH])
            app.processEvents()
            worst = max(worst, time.perf_counter() - t)
        print(f"{n:>7} {'rows arriving, worst delivery':34} {1000 * worst:>8.1f}")
        for name in ("file", "digit", "confidence", "status"):
            t = time.perf_counter()
            tab.table.sortByColumn(COLUMNS.index(name), Qt.SortOrder.AscendingOrder)
            app.processEvents()
            print(f"{n:>7} {'sort by ' + name:34} {1000 * (time.perf_counter() - t):>8.1f}")
        for text in ("scan_1", ""):
            t = time.perf_counter()
            tab.search.setText(text)
            app.processEvents()
            print(f"{n:>7} {'filter ' + repr(text):34} {1000 * (time.perf_counter() - t):>8.1f}")
        tab.close()


if __name__ == "__main__":
    main()
