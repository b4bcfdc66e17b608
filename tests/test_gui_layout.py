"""The Draw tab's layout and feedback (issue 13), driven offscreen with pytest-qt: a pad that grows
with the window while the answer stays the same, number mode inside the window, provisional live
guesses, a digit of a number selected, "Why?" over the drawing, the tools' settings remembered."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from benchmarks.synthetic import Style, digit_strokes
from desktop.app import draw_tab
from desktop.app.main_window import MainWindow
from desktop.app.result_panel import PROVISIONAL_MESSAGE
from desktop.app.state import AppState
from tests.test_gui import drag, draw_digit, on_widget


def in_window(w, widget) -> QRect:
    """A widget's rectangle in the window's coordinates."""
    return QRect(widget.mapTo(w, QPoint(0, 0)), widget.size())


def page_in_window(w) -> QRect:
    c = w.draw.canvas
    return c.page_rect().toRect().translated(c.mapTo(w, QPoint(0, 0)))


def result_area(w) -> QRect:
    return in_window(w, w.draw.result.parentWidget().parentWidget())  # the scroll area around it


def settle(qtbot, w, size):
    w.resize(*size)
    qtbot.waitUntil(lambda: w.size().width() == size[0] and w.size().height() == size[1], timeout=2000)
    qtbot.wait(30)


def test_the_pad_is_square_grows_with_the_window_and_nothing_covers_it(win, qtbot):
    settle(qtbot, win, (800, 600))
    small = page_in_window(win)
    assert abs(small.width() - small.height()) <= 1
    assert not small.intersects(result_area(win))  # the answer sits beside the pad, never on it
    assert win.draw.canvas.rect().contains(win.draw.canvas.page_rect().toRect())
    view_small = win.draw.result.model_view.width()
    font_small = win.draw.result.digit.font().pixelSize()
    settle(qtbot, win, (1600, 1000))
    big = page_in_window(win)
    assert abs(big.width() - big.height()) <= 1
    assert big.width() >= 1.8 * small.width()  # most of a larger window goes to the pad...
    assert not big.intersects(result_area(win))
    assert win.draw.result.model_view.width() > view_small  # ...and the answer grows with it
    assert win.draw.result.digit.font().pixelSize() > font_small


def test_the_answer_does_not_depend_on_the_window_size(win, qtbot):
    grays, answers = [], []
    for size in ((800, 600), (1600, 1000)):
        settle(qtbot, win, size)
        win.draw.canvas.clear()
        draw_digit(qtbot, win.draw.canvas, 3, seed=4)
        grays.append(win.draw.canvas.gray())
        answers.append(win.draw.last)
    assert grays[0].shape == grays[1].shape == (280, 280)  # the model's image is the page, not the widget
    assert np.abs(grays[0] - grays[1]).mean() < 0.01  # the same drawing (mouse positions round to pixels)
    assert answers[0].digit == answers[1].digit == 3
    assert abs(answers[0].confidence - answers[1].confidence) < 0.02


def test_number_mode_widens_the_pad_inside_the_window(win, qtbot):
    settle(qtbot, win, (800, 600))
    square = page_in_window(win)
    win.draw.number_mode.setChecked(True)
    qtbot.wait(30)
    assert win.size().width() == 800 and win.size().height() == 600  # the window did not grow
    wide = page_in_window(win)
    assert abs(wide.width() - 2 * wide.height()) <= 2 and wide.width() > square.width()
    assert QRect(QPoint(0, 0), win.size()).contains(wide)
    assert not wide.intersects(result_area(win))
    # Strokes at the right end of the wide page are read (at 800x600 the panel covered them).
    c = win.draw.canvas
    for i, d in enumerate((2, 0, 2, 4)):
        draw_digit(qtbot, c, d, seed=10 + i, box=(75 + 135 * i, 140, 80, 170))
    assert win.draw.result.digit.text() == "2024"


def test_the_window_never_grows_past_the_screen(win, qtbot):
    avail = win.screen().availableGeometry()
    win.resize(avail.width() + 600, avail.height() + 400)  # e.g. a size remembered from a larger screen
    win.fit_to_screen()
    assert avail.contains(win.frameGeometry())
    win.draw.number_mode.setChecked(True)
    qtbot.wait(30)
    assert avail.contains(win.frameGeometry())
    assert win.minimumSizeHint().width() <= 640 and win.minimumSizeHint().height() <= 450  # 1280x900 at 2x


def test_a_live_guess_is_provisional_until_the_stroke_ends(win, qtbot, monkeypatch):
    calls = []
    real = draw_tab.recognize
    monkeypatch.setattr(draw_tab, "recognize", lambda clf, gray, **kw: calls.append(kw) or real(clf, gray, **kw))
    c, r = win.draw.canvas, win.draw.result
    strokes, _ = digit_strokes(8, np.random.default_rng(1), Style(width=(18, 18)))
    pts = on_widget(c, strokes[0])
    qtbot.mousePress(c, Qt.MouseButton.LeftButton, pos=pts[0])
    for p in pts[1 : len(pts) // 2]:
        qtbot.mouseMove(c, p)
    qtbot.waitUntil(lambda: r.provisional, timeout=2000)  # the live timer fired mid-stroke
    assert calls and calls[-1] == {"live": True}  # the fast path: no jittered copies
    assert r.verdict.text() == PROVISIONAL_MESSAGE and "%" not in r.verdict.text() + r.digit.text()
    assert r.bars.provisional and r.bars.probs is not None
    assert "color" in r.digit.styleSheet() and r.digit.font().italic()
    assert r.timing.text() == ""
    for p in pts[len(pts) // 2 :]:
        qtbot.mouseMove(c, p)
    qtbot.mouseRelease(c, Qt.MouseButton.LeftButton, pos=pts[-1])
    assert not r.provisional and not r.bars.provisional  # the final answer, in full
    assert calls[-1] == {"live": False}
    assert r.digit.styleSheet() == "" and r.digit.font().bold() and "ms" in r.timing.text()
    assert "%" in r.verdict.text()


def test_a_digit_of_a_number_is_selected_to_see_its_bars(win, qtbot):
    settle(qtbot, win, (1000, 700))
    win.draw.number_mode.setChecked(True)
    c = win.draw.canvas
    centres = (100, 270, 440)
    for x, d in zip(centres, (2, 0, 7)):
        draw_digit(qtbot, c, d, seed=3, box=(x, 140, 90, 190))
    n, r = win.draw.last, win.draw.result
    assert n.text == "207" and len(r.strip.tiles) == 3
    # Boxes over the drawing, left to right, each around its digit.
    assert [m.label for m in c.marks] == ["2", "0", "7"]
    for m, x in zip(c.marks, centres):
        bx, _, bw, _ = m.box
        assert bx < x < bx + bw
    qtbot.mouseClick(r.strip.tiles[2], Qt.MouseButton.LeftButton)
    assert np.array_equal(r.bars.probs, n.digits[2].probabilities)
    assert r.caption.text() == "Digit 3 of 3" and r.detail.text().startswith("Digit 3 of 3: 7")
    assert c.selected == 2 and r.strip.tiles[2].selected and not r.strip.tiles[0].selected
    qtbot.mouseClick(r.strip.tiles[1], Qt.MouseButton.LeftButton)
    assert np.array_equal(r.bars.probs, n.digits[1].probabilities) and c.selected == 1


def orange_pixels(img, rect) -> int:
    a = img.copy(rect).convertToFormat(img.Format.Format_RGB32)
    ptr = np.frombuffer(a.constBits(), np.uint8, a.bytesPerLine() * a.height()).reshape(a.height(), -1, 4)
    b, g, r_ = (ptr[:, : a.width(), k].astype(int) for k in range(3))
    # Orange (HEAT_RGB) over white paper or black ink: red well above blue, green between.
    return int(((r_ - b > 60) & (g > b + 15) & (r_ > g + 30)).sum())


@pytest.mark.parametrize("number", [False, True])
def test_why_is_drawn_over_the_drawing_with_a_legend(win, qtbot, number):
    settle(qtbot, win, (1000, 700))
    win.draw.number_mode.setChecked(number)
    c = win.draw.canvas
    if number:
        for i, d in enumerate((4, 1)):
            draw_digit(qtbot, c, d, seed=2, box=(120 + 280 * i, 140, 90, 190))
    else:
        draw_digit(qtbot, c, 7)
    page = c.page_rect().toRect()
    assert orange_pixels(c.grab().toImage(), page) == 0  # off: no saliency shown
    win.draw.why.setChecked(True)
    qtbot.wait(50)
    assert len(c.marks) == (2 if number else 1) and all(m.heat is not None for m in c.marks)
    assert win.draw.result.legend.isVisible()
    shot = c.grab().toImage()
    for m in c.marks:  # orange inside each digit's box, on the drawing at its full size
        x, y, w, h = m.box
        k = c.scale()
        box = QRect(int(page.x() + x * k), int(page.y() + y * k), int(w * k), int(h * k))
        assert orange_pixels(shot, box) > 0.03 * box.width() * box.height()
    c.clear()
    assert c.marks == [] and not win.draw.result.legend.isVisible()


def test_turning_number_mode_off_says_where_strokes_went(win, qtbot):
    win.draw.number_mode.setChecked(True)
    draw_digit(qtbot, win.draw.canvas, 1, box=(420, 140, 60, 190))
    win.draw.number_mode.setChecked(False)
    assert win.draw.notice.isVisibleTo(win.draw) and "outside" in win.draw.notice.text()
    win.draw.number_mode.setChecked(True)
    assert not win.draw.notice.isVisibleTo(win.draw)


def test_eraser_has_its_own_width_and_cursor(win, qtbot):
    d, c = win.draw, win.draw.canvas
    d.width_slider.setValue(10)
    d.eraser_slider.setValue(50)
    assert c.cursor().shape() == Qt.CursorShape.CrossCursor
    assert d.pen_preview.text() == "10" and d.eraser_preview.text() == "50"
    drag(qtbot, c, [(140, 40), (140, 240)])
    d.eraser.setChecked(True)
    assert c.cursor().shape() == Qt.CursorShape.BitmapCursor  # a ring as wide as the eraser
    assert c.cursor().pixmap().width() >= 50 * c.scale() * 0.9
    drag(qtbot, c, [(140, 30), (140, 250)])
    assert [s.width for s in c._strokes] == [10.0, 50.0]
    assert c.gray().min() > 0.9  # the wide eraser took the whole stroke


def test_pen_width_and_modes_are_remembered(win, qtbot):
    win.draw.width_slider.setValue(27)
    win.draw.eraser_slider.setValue(44)
    win.draw.number_mode.setChecked(True)
    win.draw.why.setChecked(True)
    again = MainWindow(AppState.from_settings())
    qtbot.addWidget(again)
    assert again.draw.width_slider.value() == 27 and again.draw.canvas.pen_width == 27.0
    assert again.draw.eraser_slider.value() == 44 and again.draw.canvas.eraser_width == 44.0
    assert again.draw.number_mode.isChecked() and again.draw.canvas.page_width == 560
    assert again.draw.why.isChecked()


def test_the_drawing_toolbar_shows_on_the_draw_tab_only(win, qtbot):
    tb = win.drawing_toolbar
    assert tb.isVisible() and win.undo_action in tb.actions() and win.clear_action in tb.actions()
    for tab in (win.images, win.batch, win.metrics):
        win.tabs.setCurrentWidget(tab)
        assert not tb.isVisible(), tab
    win.tabs.setCurrentWidget(win.draw)
    assert tb.isVisible()
