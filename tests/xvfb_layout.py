"""Drive the real window in an X server for the layout checks of issue 13 (used by test_xvfb.py).

    DISPLAY=:N python -m tests.xvfb_layout OUT_DIR [--fill]

Runs the app's window in this process on the X server named by DISPLAY; every stroke and drag is
real X input from xdotool, every picture a screenshot of the screen (ImageMagick `import`), cropped
to the window. Writes OUT_DIR/layout.json (where the window, the pad and the answer are, in screen
pixels, and what was answered) and one PNG per step: draw, live, why, number, images-region.
--fill: the window first fills the screen's free area, as when a person maximises it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out: Path, fill: bool = False) -> None:
    from PySide6.QtCore import QPointF, QRect
    from PySide6.QtWidgets import QApplication

    from benchmarks.synthetic import Style, digit_strokes
    from desktop.app.main_window import MainWindow
    from desktop.app.state import AppState

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    win = MainWindow(AppState.from_settings())
    if fill:
        win.setGeometry(win.screen().availableGeometry())
    win.show()
    k = win.devicePixelRatioF()
    facts: dict = {"scale": k}

    def settle(seconds: float = 0.3) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    def px(r: QRect) -> list[int]:
        return [round(r.x() * k), round(r.y() * k), round(r.width() * k), round(r.height() * k)]

    def global_rect(w, r: QRect | None = None) -> list[int]:
        r = r or w.rect()
        return px(QRect(w.mapToGlobal(r.topLeft()), r.size()))

    def xdo(*args: str) -> None:
        """Real input; the window's event loop keeps running meanwhile, as with a person."""
        p = subprocess.Popen(["xdotool", *args])
        while p.poll() is None:
            app.processEvents()
            time.sleep(0.002)
        settle(0.15)

    def screen_point(w, p: QPointF) -> tuple[int, int]:
        g = w.mapToGlobal(p)
        return round(g.x() * k), round(g.y() * k)

    def stroke(points, release: bool = True) -> None:
        c = win.draw.canvas
        pts = [screen_point(c, c.to_widget(QPointF(float(x), float(y)))) for x, y in points]
        args = ["mousemove", str(pts[0][0]), str(pts[0][1]), "mousedown", "1"]
        for x, y in pts[1:]:
            args += ["sleep", "0.004", "mousemove", str(x), str(y)]
        if release:
            args += ["mouseup", "1"]
        xdo(*args)

    def draw(d: int, seed: int, box=None) -> None:
        for s in digit_strokes(d, np.random.default_rng(seed), Style(width=(16, 16)), box=box)[0]:
            stroke(s)

    def click(w) -> None:
        x, y = screen_point(w, QPointF(w.rect().center()))
        xdo("mousemove", str(x), str(y), "click", "1")

    def shot(name: str) -> None:
        settle(0.4)
        full = out / f"{name}-screen.png"
        subprocess.run(["import", "-window", "root", str(full)], check=True, timeout=30)
        g = px(win.frameGeometry())
        Image.open(full).crop((g[0], g[1], g[0] + g[2], g[1] + g[3])).save(out / f"{name}.png")

    def where() -> dict:
        return {"window": px(win.frameGeometry()), "screen": px(win.screen().availableGeometry()),
                "page": global_rect(win.draw.canvas, win.draw.canvas.page_rect().toRect()),
                "answer": global_rect(win.draw.result.parentWidget().parentWidget())}

    settle(1.0)
    facts["start"] = where()
    draw(4, 3)
    facts["draw"] = {**where(), "text": win.draw.result.digit.text(), "verdict": win.draw.result.verdict.text()}
    shot("draw")

    win.draw.canvas.clear()  # half an 8, the button still down: a provisional guess
    half = digit_strokes(8, np.random.default_rng(1), Style(width=(16, 16)))[0][0]
    stroke(half[: len(half) // 2], release=False)
    settle(0.3)
    r = win.draw.result
    facts["live"] = {"provisional": r.provisional, "text": r.digit.text(), "verdict": r.verdict.text()}
    shot("live")
    xdo("mouseup", "1")

    win.draw.canvas.clear()
    draw(7, 5)
    click(win.draw.why)
    c = win.draw.canvas
    facts["why"] = {"checked": win.draw.why.isChecked(), "text": r.digit.text(), "legend": r.legend.isVisible(),
                    "boxes": [global_rect(c, QRect(c.to_widget(QPointF(m.box[0], m.box[1])).toPoint(),
                                                   c.to_widget(QPointF(m.box[0] + m.box[2], m.box[1] + m.box[3]))
                                                   .toPoint())) for m in c.marks]}
    shot("why")
    click(win.draw.why)

    win.draw.canvas.clear()
    click(win.draw.number_mode)
    settle(0.3)
    facts["number_ticked"] = where()
    for i, d in enumerate((2, 0, 2, 4)):
        draw(d, 10 + i, box=(75 + 135 * i, 140, 80, 170))
    facts["number"] = {**where(), "checked": win.draw.number_mode.isChecked(), "text": r.digit.text()}
    shot("number")
    click(win.draw.why)  # "Why?" for each digit of the number
    facts["number_why"] = {"marks": len(c.marks), "heats": sum(m.heat is not None for m in c.marks)}
    shot("number-why")
    click(win.draw.why)
    click(win.draw.number_mode)

    page = np.full((400, 300), 255, np.uint8)  # a 7 with a footer under it, as on a scanned page
    with np.load(ROOT / "tests" / "fixtures" / "mnist_sample.npz") as f:
        x, y = f["x_test"], f["y_test"]
    pick = {d: x[np.flatnonzero(y == d)[0]] for d in (7, 1, 2)}
    page[40:180, 80:220] = 255 - np.asarray(Image.fromarray(pick[7]).resize((140, 140)))
    for i, d in enumerate((1, 2)):
        page[300:356, 150 + 45 * i : 206 + 45 * i] = np.minimum(
            page[300:356, 150 + 45 * i : 206 + 45 * i], 255 - np.asarray(Image.fromarray(pick[d]).resize((56, 56))))
    page[370:376, 20:280] = 0
    path = Path(tempfile.mkdtemp()) / "page-with-footer.png"
    Image.fromarray(page).save(path)
    t = win.images
    win.tabs.setCurrentWidget(t)
    t.add_files([str(path)])
    settle(0.3)
    whole = t.result.digit.text()
    a = screen_point(t.preview, t.preview.to_widget(60, 20))
    b = screen_point(t.preview, t.preview.to_widget(240, 200))
    xdo("mousemove", str(a[0]), str(a[1]), "mousedown", "1", "sleep", "0.05", "mousemove",
        str((a[0] + b[0]) // 2), str((a[1] + b[1]) // 2), "sleep", "0.05", "mousemove", str(b[0]), str(b[1]),
        "sleep", "0.05", "mouseup", "1")
    facts["images"] = {"whole": whole, "region": t.region(), "text": t.result.digit.text(),
                       "preview": global_rect(t.preview, t.preview.image_rect().toRect()),
                       "window": px(win.frameGeometry()), "screen": px(win.screen().availableGeometry())}
    shot("images-region")
    (out / "layout.json").write_text(json.dumps(facts, indent=1))
    win.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--fill" in sys.argv[2:])
