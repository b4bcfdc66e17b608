"""Screenshots of each tab of the real window (X11 via Xvfb) for the README: docs/*.png.

    .venv/bin/python scripts/screenshots.py

The app runs in this process on a real X server; each tab is set up as a user would leave it and
the screen is captured with ImageMagick's `import`, cropped to the window.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.xvfb_helpers import xvfb  # noqa: E402


def main() -> None:
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    with xvfb(94, "1100x760x24") as env:
        os.environ.update(env)
        os.environ.pop("QT_QPA_PLATFORM", None)
        os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        import numpy as np
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from benchmarks.synthetic import Style, digit_strokes, photo, pen_digit
        from desktop.app.main_window import MainWindow
        from desktop.app.state import AppState

        app = QApplication([])
        win = MainWindow(AppState.from_settings())
        win.move(0, 0)
        win.resize(1100, 720)
        win.show()

        def settle(seconds=0.4):
            end = time.time() + seconds
            while time.time() < end:
                app.processEvents()
                time.sleep(0.01)

        def shot(name):
            settle()
            g = win.frameGeometry()
            subprocess.run(["import", "-window", "root", "-crop", f"{g.width()}x{g.height()}+{g.x()}+{g.y()}",
                            str(out / name)], check=True)

        def stroke(canvas, pts):
            pts = [QPoint(int(x), int(y)) for x, y in pts]
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=pts[0])
            for p in pts[1:]:
                QTest.mouseMove(canvas, p)
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=pts[-1])

        settle(1)
        strokes, _ = digit_strokes(4, np.random.default_rng(3), Style(width=(18, 18)))
        for s in strokes:
            stroke(win.draw.canvas, s)
        win.draw.why.setChecked(True)
        shot("tab-draw.png")
        win.draw.why.setChecked(False)
        win.draw.number_mode.setChecked(True)
        win.draw.canvas.clear()
        for i, d in enumerate((2, 0, 2, 6)):
            strokes, _ = digit_strokes(d, np.random.default_rng(10 + i), Style(width=(14, 14)),
                                       box=(75 + 135 * i, 140, 80, 170))
            for s in strokes:
                stroke(win.draw.canvas, s)
        shot("tab-draw-number.png")

        tmp = Path(tempfile.mkdtemp())
        rng = np.random.default_rng(5)
        photo(pen_digit(8, rng), rng).save(tmp / "photo-of-an-8.jpg")
        pen_digit(3, rng).save(tmp / "drawing-3.png")
        (tmp / "notes.png").write_text("not an image")
        win.tabs.setCurrentWidget(win.images)
        win.images.add_files([str(tmp / "drawing-3.png"), str(tmp / "notes.png"), str(tmp / "photo-of-an-8.jpg")])
        shot("tab-images.png")

        batch = tmp / "batch"
        batch.mkdir()
        for i in range(400):
            d = i % 10
            im = pen_digit(d, rng, Style(width=(4, 30), scale=(0.3, 0.9), offset=0.15))
            im.resize((64, 64)).save(batch / f"scan-{i:04d}.png")
        (batch / "broken.png").write_bytes(b"\x89PNG\r\n")
        win.tabs.setCurrentWidget(win.batch)
        win.batch.folder.setText(str(batch))
        win.batch.start()
        while win.batch.running:
            settle(0.1)
        settle(0.5)
        shot("tab-batch.png")
        win.tabs.setCurrentWidget(win.metrics)
        shot("tab-metrics.png")
        win.close()


if __name__ == "__main__":
    main()
