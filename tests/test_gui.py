"""The real widgets, driven with pytest-qt offscreen: drawing, undo, images, batch, metrics, settings."""
import csv
import shutil

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from benchmarks.synthetic import Style, digit_strokes
from desktop.app.settings_dialog import SettingsDialog
from desktop.app.state import AppState
from desktop.engine.model_files import read_metrics


def on_widget(widget, points) -> list[QPoint]:
    """Points in the pad's page units (280 a side) where they are on screen: the pad is shown as
    large as the window allows, the drawing kept in page units."""
    if hasattr(widget, "to_widget"):
        return [widget.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    return [QPoint(int(x), int(y)) for x, y in points]


def drag(qtbot, widget, points):
    pts = on_widget(widget, points)
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=pts[0])
    for p in pts[1:]:
        qtbot.mouseMove(widget, p)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=pts[-1])


def draw_digit(qtbot, canvas, digit, seed=0, box=None):
    strokes, _ = digit_strokes(digit, np.random.default_rng(seed), Style(width=(18, 18)), box=box)
    for s in strokes:
        drag(qtbot, canvas, s)


def test_empty_canvas_invites_and_never_guesses(win, qtbot):
    r, c = win.draw.result, win.draw.canvas
    start = r.verdict.text()
    assert r.digit.text() == "–" and r.bars.probs is None
    draw_digit(qtbot, c, 4)
    assert r.bars.probs is not None and r.digit.text() != "–"  # ink: an answer
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    win.draw.predict()  # asked again on the cleared pad: still no guess
    assert c.is_empty() and win.draw.last is None
    assert r.digit.text() == "–" and r.bars.probs is None and r.verdict.text() == start
    # A stray click leaves a dot: the pad is not empty, the model's path runs, and it is no digit.
    drag(qtbot, c, [(140, 140), (141, 140)])
    assert not c.is_empty() and win.draw.last is not None and win.draw.last.digit is None
    assert r.digit.text() == "–" and r.bars.probs is None


def test_drawn_digits_are_recognised(win, qtbot):
    right = 0
    for d in range(10):
        win.draw.canvas.clear()
        draw_digit(qtbot, win.draw.canvas, d, seed=d)
        right += win.draw.result.digit.text() == str(d)
        assert win.draw.result.bars.probs is not None
        assert win.draw.result.model_view.image is not None  # the 28x28 view is shown
        assert "ms" in win.draw.result.timing.text()
    assert right >= 9


def test_undo_redo_clear(win, qtbot):
    c = win.draw.canvas
    drag(qtbot, c, [(140, 40), (140, 240)])  # a 1
    assert win.draw.result.digit.text() == "1"
    drag(qtbot, c, [(60, 140), (220, 140)])  # a bar across it
    assert len(c._strokes) == 2
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(c._strokes) == 1 and win.draw.result.digit.text() == "1"
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(c._strokes) == 2
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert c.is_empty() and win.draw.result.digit.text() == "–"
    c.undo_stack.undo()  # clearing is undoable too
    assert len(c._strokes) == 2


def test_eraser_removes_ink(win, qtbot):
    c = win.draw.canvas
    drag(qtbot, c, [(140, 40), (140, 240)])
    win.draw.eraser.setChecked(True)
    win.draw.width_slider.setValue(40)
    drag(qtbot, c, [(140, 30), (140, 250)])
    assert c.gray().min() > 0.9
    assert win.draw.result.digit.text() == "–"


def test_number_mode_reads_several_digits(win, qtbot):
    win.draw.number_mode.setChecked(True)
    c = win.draw.canvas
    assert c.page_width == 560 and c.image().width() == 560
    for i, d in enumerate((2, 0, 7)):
        draw_digit(qtbot, c, d, seed=3, box=(100 + 170 * i, 140, 90, 190))
    assert win.draw.result.digit.text() == "207"
    assert "overall" in win.draw.result.verdict.text()


def test_why_overlay(win, qtbot):
    win.draw.why.setChecked(True)
    draw_digit(qtbot, win.draw.canvas, 7)
    qtbot.wait(200)  # a live prediction pending from the stroke must not wipe the overlay
    assert win.draw.result.model_view.heat is not None


def test_images_tab_good_broken_and_paste(win, qtbot, tmp_path, sample):
    good = tmp_path / "seven.png"
    Image.fromarray(255 - sample["x_test"][0]).resize((200, 200)).save(good)
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    t = win.images
    t.add_files([str(good)])
    assert t.result.digit.text() == str(sample["y_test"][0]) and t.message.text() == ""
    t.add_files([str(bad)])
    assert "not an image" in t.message.text() and t.result.digit.text() == "–"
    img = QImage(str(good))
    QApplication.clipboard().setImage(img)
    qtbot.keyClick(win, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert win.tabs.currentWidget() is t and t.list.count() == 3
    assert t.result.digit.text() == str(sample["y_test"][0])


def make_folder(path, sample, n, broken=2):
    path.mkdir()
    for i in range(n):
        Image.fromarray(sample["x_test"][i % 3000]).save(path / f"{i:05d}.png")
    for i in range(broken):
        (path / f"broken{i}.png").write_text("broken")
    return path


def test_batch_runs_filters_and_exports(win, qtbot, tmp_path, sample):
    folder = make_folder(tmp_path / "batch", sample, 300)
    b = win.batch
    b.folder.setText(str(folder))
    qtbot.mouseClick(b.start_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not b.running and b.status.text().startswith("Done"), timeout=60000)
    assert len(b.model.rows) == 302 and b.progress.value() == 302
    assert "2 errors" in b.status.text()
    b.filter_box.setCurrentIndex(2)  # failed only
    assert b.proxy.rowCount() == 2
    b.filter_box.setCurrentIndex(0)
    b.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by confidence
    out = tmp_path / "export.csv"
    assert b.export(str(out))
    with open(out) as f:
        got = list(csv.DictReader(f))
    assert len(got) == 302
    right = sum(r["digit"] == str(sample["y_test"][int(r["path"][-9:-4])]) for r in got if not r["error"])
    assert right >= 295


def test_batch_cancel_keeps_results(win, qtbot, tmp_path, sample):
    folder = make_folder(tmp_path / "big", sample, 4000, broken=0)
    b = win.batch
    b.folder.setText(str(folder))
    b.start()
    qtbot.waitUntil(lambda: len(b.model.rows) > 0, timeout=60000)
    b.cancel()
    qtbot.waitUntil(lambda: not b.running, timeout=60000)
    qtbot.wait(50)
    assert b.status.text().startswith("Cancelled")
    assert 0 < len(b.model.rows) < 4000
    assert b.start_btn.isEnabled()


def test_metrics_tab_populated_from_shipped_files(win):
    m = read_metrics()
    t = win.metrics
    assert t.comparison_table.rowCount() == len(m["comparison"]["models"]) >= 5
    assert t.variants_table.rowCount() == 4
    names = [t.comparison_table.item(i, 0).text() for i in range(t.comparison_table.rowCount())]
    assert {"simple_nn", "simple_cnn", "larger_cnn", "compact_cnn"} <= set(names)
    assert t.heatmap.matrix is not None and t.heatmap.matrix.sum() == 10000
    assert t.loss_chart.series


def test_settings_persist_and_refuse_bad_models(win, tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"garbage")
    d = SettingsDialog(win.state, win)
    d.path.setText(str(bad))
    d.accept()
    assert "not a valid TFLite model" in d.message.text() and win.state.model_path is None
    d.path.setText("")
    d.threads.setValue(2)
    d.accept()
    assert AppState.from_settings().threads == 2


def test_tampered_model_is_reported(tmp_path, monkeypatch):
    from desktop.engine.model_files import assets_dir, read_manifest

    d = tmp_path / "assets"
    shutil.copytree(assets_dir(), d)
    (d / read_manifest(d)["model_file"]).write_bytes(b"x" * 100)
    monkeypatch.setenv("DIGITS_ASSETS", str(d))
    state = AppState.from_settings()
    assert state.classifier is None and "modified or damaged" in state.error
    assert state.describe().startswith("No model")


def test_about_lists_versions_and_manifest(win):
    import numpy
    import PIL
    import PySide6

    from desktop import __version__

    text = win.about_text()
    m = win.state.manifest
    # The versions actually running and the shipped model's own checksum, not fixed text.
    for v in (__version__, PySide6.__version__, numpy.__version__, PIL.__version__, m["sha256"][:16]):
        assert v in text, v


def test_quit_shortcut_closes_the_window(win, qtbot):
    assert win.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not win.isVisible()
