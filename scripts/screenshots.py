"""The Draw tab's answers for the README, from the real window (X11 via Xvfb): a letter is "not a
digit", an ambiguous digit is "unsure". Writes docs/screenshots/draw-*.png.

    .venv/bin/python scripts/screenshots.py

The app runs in this process on a real X server; the strokes are given in the pad's own units
(280 a side) and mapped to the widget, as a mouse would draw them; the screen is captured with
ImageMagick's `import`, cropped to the window. The other screenshots are taken by the tests that
check the window (tests/test_xvfb.py with DIGITS_SCREENSHOTS=dir).
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

# Strokes in pad units (x, y), y downwards: a capital A, and a 1 with a long flag (a 1 or a 7).
LETTER_A = [[(60, 250), (100, 140), (140, 30), (180, 140), (220, 250)], [(95, 165), (140, 165), (185, 165)]]
SHOTS = {"draw-letter-not-a-digit.png": LETTER_A}


# Shapes on a class boundary (a 1 or a 7, a 4 or a 9, a 0 or a 6): the first one the model is unsure
# of is kept (what is unsure depends on the model shipped).
AMBIGUOUS = [
    [[(90, 60), (160, 40), (150, 250)]],
    [[(110, 70), (155, 40), (150, 250)]],
    [[(120, 50), (155, 40), (150, 250)]],
    [[(120, 40), (90, 130), (190, 130)], [(175, 40), (165, 250)], [(120, 40), (175, 40)]],
    [[(100, 60), (160, 40), (145, 250)]],
    [[(130, 40), (90, 140), (190, 140)], [(170, 40), (165, 250)], [(130, 40), (150, 30), (170, 40)]],
]


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    shots = dict(SHOTS)
    with xvfb(None, "1000x700x24") as env:
        os.environ.update(env)
        os.environ.pop("QT_QPA_PLATFORM", None)
        os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        from PySide6.QtCore import QPointF, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from desktop.app.main_window import MainWindow
        from desktop.app.state import AppState

        app = QApplication([])
        win = MainWindow(AppState.from_settings())
        win.move(0, 0)
        win.resize(1000, 660)
        win.show()

        def settle(seconds=0.5):
            end = time.time() + seconds
            while time.time() < end:
                app.processEvents()
                time.sleep(0.01)

        def stroke(canvas, pts):
            at = [canvas.to_widget(QPointF(x, y)).toPoint() for x, y in pts]
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at[0])
            for a, b in zip(at, at[1:]):
                for k in range(1, 5):  # a mouse reports several samples between far points
                    QTest.mouseMove(canvas, a + (b - a) * k / 4)
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at[-1])

        def draw(strokes):
            win.draw.canvas.clear()
            for s in strokes:
                stroke(win.draw.canvas, s)
            settle()
            return win.draw.last

        def shot(name):
            g = win.frameGeometry()
            subprocess.run(["import", "-window", "root", "-crop", f"{g.width()}x{g.height()}+{g.x()}+{g.y()}",
                            str(out / name)], check=True)

        settle(1)
        for name, strokes in shots.items():
            p = draw(strokes)
            print(f"{name}: {p.status}, {p.digit} {p.top3[:2]}")
            shot(name)
        for strokes in AMBIGUOUS:
            p = draw(strokes)
            print(f"ambiguous: {p.status}, {p.top3[:2]}")
            if p.status == "unsure":
                shot("draw-ambiguous-unsure.png")
                break
        win.close()


if __name__ == "__main__":
    main()
