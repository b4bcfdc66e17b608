"""The status in the window: Draw and Images say "not a digit", the Batch tab shows and filters each status."""
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from desktop.app.batch_tab import COLUMNS, ResultsFilter
from desktop.app.result_panel import NOT_A_DIGIT_MESSAGE
from desktop.engine.recognize import DIGIT, ERROR, NO_DIGIT, NOT_A_DIGIT, STATUSES, NotDigitRule
from tests.test_gui import on_widget


@pytest.fixture(autouse=True)
def default_rule(monkeypatch):
    """The engine's own rule, whatever a manifest being trained next door says."""
    from desktop.engine import model_files

    monkeypatch.setattr(model_files, "rule_from_manifest", lambda entry: NotDigitRule())


def drag(qtbot, widget, points):
    pts = on_widget(widget, points)  # page units to the pad's widget pixels
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=pts[0])
    for a, b in zip(pts, pts[1:]):  # in small steps, as a hand moves
        for t in np.linspace(0, 1, 8)[1:]:
            qtbot.mouseMove(widget, QPoint(int(a.x() + t * (b.x() - a.x())), int(a.y() + t * (b.y() - a.y()))))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=pts[-1])


BOXED_CROSS = [[(50, 50), (230, 50), (230, 230), (50, 230), (50, 50)], [(50, 50), (230, 230)], [(230, 50), (50, 230)]]


def assert_small_print(panel, answer) -> None:
    """Under "That doesn't look like a digit": the engine's best guess, or that none stands out (a tie)."""
    guess = panel.guess.text()
    if answer.best_guess is None:
        assert guess == "No digit stands out"
    else:
        assert guess.startswith(f"Best guess: {answer.best_guess} (")


def test_draw_tab_says_a_ticked_box_is_not_a_digit(win, qtbot):
    r = win.draw.result
    for s in BOXED_CROSS:
        drag(qtbot, win.draw.canvas, s)
    assert win.draw.last.status == NOT_A_DIGIT
    assert r.verdict.text() == NOT_A_DIGIT_MESSAGE and r.digit.text() == "?"
    assert_small_print(r, win.draw.last)
    from desktop.engine.recognize import NotDigitRule, Prediction

    probs = np.full(10, 0.85 / 9, np.float32)
    probs[3] = 0.15  # a 3 a little ahead, under the rule's 0.2: not a digit, with a guess worth naming
    r.show_prediction(Prediction(3, probs, win.draw.last.input28, rule=NotDigitRule("max_probability", 0.2)))
    assert r.digit.text() == "?" and r.guess.text() == "Best guess: 3 (15%)"
    # A digit afterwards: the message and the small print go.
    win.draw.canvas.clear()
    drag(qtbot, win.draw.canvas, [(148, 40), (132, 240)])  # a 1 as a hand draws it (a ruler-straight one: test_not_digit_rule)
    assert win.draw.last.status == DIGIT and r.digit.text() == "1"
    assert r.guess.text() == "" and r.verdict.text().endswith("sure") and "100.0%" not in r.verdict.text()


def test_images_tab_says_noise_is_not_a_digit(win, tmp_path):
    f = tmp_path / "noise.png"
    Image.fromarray((np.random.default_rng(1).uniform(0, 1, (100, 100)) * 255).astype(np.uint8)).save(f)
    win.images.add_files([str(f)])
    assert win.images.result.verdict.text() == NOT_A_DIGIT_MESSAGE
    assert_small_print(win.images.result, win.images.last)


def test_batch_tab_status_column_and_filter(win, qtbot, tmp_path, sample):
    d = tmp_path / "imgs"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(d / "a_digit.png")
    Image.fromarray((np.random.default_rng(0).uniform(0, 1, (120, 120)) * 255).astype(np.uint8)).save(d / "b_noise.png")
    Image.new("L", (50, 50), 255).save(d / "c_blank.png")
    (d / "d_broken.png").write_text("not an image")
    b = win.batch
    b.folder.setText(str(d))
    b.start()
    qtbot.waitUntil(lambda: not b.running and b.status.text().startswith("Done"), timeout=60000)
    col = COLUMNS.index("status")
    shown = {b.proxy.index(i, 1).data(): b.proxy.index(i, col).data() for i in range(b.proxy.rowCount())}
    assert shown == {"a_digit.png": DIGIT, "b_noise.png": NOT_A_DIGIT, "c_blank.png": NO_DIGIT, "d_broken.png": ERROR}
    assert "1 not a digit" in b.status.text()
    for status in STATUSES:
        b.filter_box.setCurrentIndex(ResultsFilter.MODES.index(f"Status: {status}"))
        names = [b.proxy.index(i, 1).data() for i in range(b.proxy.rowCount())]
        assert names == [n for n, s in shown.items() if s == status], status
    b.filter_box.setCurrentIndex(2)  # the original "failed only" still selects error rows (no digit is one)
    assert b.proxy.rowCount() == 2
    b.filter_box.setCurrentIndex(0)
    assert b.proxy.rowCount() == 4


def test_a_tie_names_no_best_guess_in_any_place():
    """A not-a-digit answer whose top classes tie (int8 scores often do) named "0", the tie's first
    class, as its best guess: in the verdict's small print and in a number's digit tiles."""
    from desktop.app.result_panel import NO_GUESS, describe

    from desktop.engine.recognize import Prediction
    from tests.test_status import stroke_input

    flat = Prediction(0, np.full(10, 0.1, np.float32), stroke_input())
    assert flat.status == NOT_A_DIGIT and flat.best_guess is None and NO_GUESS.lower() in describe(flat)
    probs = np.full(10, 0.85 / 9, np.float32)
    probs[3] = 0.15
    ahead = Prediction(3, probs, stroke_input(), rule=NotDigitRule("max_probability", 0.2))
    assert ahead.status == NOT_A_DIGIT and ahead.best_guess == 3 and "best guess 3" in describe(ahead)
