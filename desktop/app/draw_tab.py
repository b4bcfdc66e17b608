"""The Draw tab: the pad on the left, as large as the window allows, the answer on the right.

While a stroke is drawn the answer is a provisional guess (the input alone, no jittered copies,
shown grey without percentages); when the stroke ends it is the final answer, with the digit
boxes and, when asked, "Why?" drawn over the drawing itself.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSlider,
                               QVBoxLayout, QWidget)

from desktop.app.canvas import ERASER_WIDTH, NUMBER_PAGE_WIDTH, PAGE_SIDE, PEN_WIDTH, DrawingCanvas
from desktop.app.locate import marks_for
from desktop.app.correction import CorrectionButton, sample_of
from desktop.app.result_panel import ResultPanel
from desktop.app.state import remembered, remember
from desktop.app.widgets import PenPreview
from desktop.engine.explain import occlusion_map, occlusion_maps
from desktop.engine.recognize import recognize, recognize_number

LIVE_INTERVAL_MS = 60  # while drawing, predict at most this often
log = logging.getLogger("digits.draw")
OUTSIDE_MESSAGE = ("Some strokes lie outside the square (drawn in number mode): they are kept but not read. "
                   "Turn Number mode on to see them, or Clear.")


class SteadyScrollArea(QScrollArea):
    """A scroll area that does not follow its widget's resizes from inside its own handling of one.

    Sizing the widget to the viewport resizes it, which comes back here at once; when the answer's
    word-wrapped lines and fonts (sized to the panel) make the widget want a scroll bar at one width
    and not at the other, that never settled: endless recursion, a stack overflow, SIGSEGV, after
    about forty minutes of drawing numbers in the real window (a soak's gdb backtrace: 10,250 x
    QScrollArea::eventFilter -> QWidget::resize). The nested resize is left to the widget alone; the
    next event brings the scroll bars up to date.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._following = False

    def eventFilter(self, watched, event) -> bool:
        if self._following:
            return False
        self._following = True
        try:
            return super().eventFilter(watched, event)
        finally:
            self._following = False


def scrolled(w: QWidget) -> QScrollArea:
    """``w`` in a frameless scroll area: a small window scrolls it rather than growing to fit it."""
    area = SteadyScrollArea()
    area.setWidget(w)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.viewport().setAutoFillBackground(False)  # the tab page's own background shows through
    w.setAutoFillBackground(False)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # Only heights scroll: the area is never narrower than what it holds.
    area.setMinimumWidth(w.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
    return area


class DrawTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.last = None
        self.canvas = DrawingCanvas()
        self.result = ResultPanel("Draw a digit on the pad.")
        # "Wrong? ▾" under the answer: keeps the image read with the right digit (correction.py).
        self.correction = CorrectionButton(
            "draw", lambda: sample_of(self.last, self.canvas.gray(), self.result.strip.chosen))
        self.result.layout().addWidget(self.correction)
        self.result.selectedChanged.connect(self._select)
        # Within the sliders' ranges: a damaged setting never draws with a negative or page-wide pen.
        self.canvas.pen_width = min(40.0, max(4.0, remembered("draw/pen_width", PEN_WIDTH, float)))
        self.canvas.eraser_width = min(80.0, max(8.0, remembered("draw/eraser_width", ERASER_WIDTH, float)))
        self.width_slider = QSlider(Qt.Orientation.Horizontal)
        self.width_slider.setRange(4, 40)
        self.width_slider.setValue(int(self.canvas.pen_width))
        self.width_slider.setAccessibleName("Pen width")
        self.pen_preview = PenPreview()
        self.width_slider.valueChanged.connect(self._pen_width)
        self.eraser = QCheckBox("Eraser")
        self.eraser.toggled.connect(self._eraser_on)
        self.eraser_slider = QSlider(Qt.Orientation.Horizontal)
        self.eraser_slider.setRange(8, 80)
        self.eraser_slider.setValue(int(self.canvas.eraser_width))
        self.eraser_slider.setAccessibleName("Eraser width")
        self.eraser_preview = PenPreview(eraser=True)
        self.eraser_slider.valueChanged.connect(self._eraser_width)
        self.number_mode = QCheckBox("Number mode")
        self.number_mode.setToolTip("Read several digits in a row (e.g. 2024): the pad widens")
        self.why = QCheckBox("Why?")
        self.why.setToolTip("Shade, over your drawing, the ink that drove the answer")
        self.why.setChecked(remembered("draw/why", False, bool))
        self.why.toggled.connect(self._on_why)
        self.undo_btn = QPushButton("Undo")
        self.redo_btn = QPushButton("Redo")
        self.clear_btn = QPushButton("Clear")
        self.undo_btn.clicked.connect(self.canvas.undo)
        self.redo_btn.clicked.connect(self.canvas.redo)
        self.clear_btn.clicked.connect(self.canvas.clear)
        self.canvas.undo_stack.canUndoChanged.connect(self.undo_btn.setEnabled)
        self.canvas.undo_stack.canRedoChanged.connect(self.redo_btn.setEnabled)
        self.undo_btn.setEnabled(False)
        self.redo_btn.setEnabled(False)
        for b in (self.undo_btn, self.redo_btn, self.clear_btn):  # the style's 80 px minimum is too wide
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 24)
        self.notice = QLabel(OUTSIDE_MESSAGE)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #c62828")
        self.notice.hide()

        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_INTERVAL_MS)
        self._live.timeout.connect(lambda: self.predict(live=True))
        self.canvas.changed.connect(self._schedule_live)
        self.canvas.strokeFinished.connect(self.predict)

        pen = QHBoxLayout()
        pen.addWidget(QLabel("Pen"))
        pen.addWidget(self.width_slider, 1)
        pen.addWidget(self.pen_preview)
        pen.addWidget(self.eraser)
        pen.addWidget(self.eraser_slider, 1)
        pen.addWidget(self.eraser_preview)
        actions = QHBoxLayout()
        for w in (self.undo_btn, self.redo_btn, self.clear_btn, self.number_mode, self.why):
            actions.addWidget(w)
        actions.addStretch()
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.canvas, 1)
        left.addWidget(self.notice)
        left.addLayout(pen)
        left.addLayout(actions)
        self.lay = QHBoxLayout(self)
        self.lay.addLayout(left, 1)
        self.lay.addWidget(scrolled(self.result), 1)
        self._sync_previews()
        self.number_mode.setChecked(remembered("draw/number_mode", False, bool))
        self.number_mode.toggled.connect(self._on_mode)
        self._apply_mode(self.number_mode.isChecked())

    # --- tools ---------------------------------------------------------------------------
    def _sync_previews(self) -> None:
        self.pen_preview.set_width(self.canvas.pen_width, self.canvas.scale())
        self.eraser_preview.set_width(self.canvas.eraser_width, self.canvas.scale())

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._sync_previews()  # the dots show the widths at the pad's new scale

    def _pen_width(self, v: int) -> None:
        self.canvas.pen_width = float(v)
        remember("draw/pen_width", v)
        self._sync_previews()

    def _eraser_width(self, v: int) -> None:
        self.canvas.eraser_width = float(v)
        remember("draw/eraser_width", v)
        self.canvas.update_cursor()
        self._sync_previews()

    def _eraser_on(self, on: bool) -> None:
        self.canvas.eraser = on

    def _on_why(self, on: bool) -> None:
        remember("draw/why", on)
        self.predict()

    def _apply_mode(self, number: bool) -> None:
        self.canvas.set_page_width(NUMBER_PAGE_WIDTH if number else PAGE_SIDE)
        # A wide page takes more of the row: the answer keeps its minimum, the pad grows inside the window.
        self.lay.setStretch(0, 3)
        self.lay.setStretch(1, 1 if number else 2)
        self.notice.setVisible(not number and self.canvas.ink_outside())
        self._sync_previews()

    def _on_mode(self, number: bool) -> None:
        remember("draw/number_mode", number)
        self.canvas.finish_stroke()  # the page's width changes: no stroke is drawn across two pages
        self._apply_mode(number)
        self.predict()

    def _select(self, k: int) -> None:
        self.canvas.set_marks(self.canvas.marks, k)
        self.correction.answer_changed()  # a digit of the number chosen: there is something to correct

    # --- answers -------------------------------------------------------------------------
    def _schedule_live(self) -> None:
        if not self._live.isActive():
            self._live.start()

    def predict(self, live: bool = False) -> None:
        """Classify what is on the canvas now; provisional while drawing, final when a stroke ends."""
        if live and not self.canvas.drawing:
            return  # the stroke ended meanwhile: its final prediction has been made
        if not live:
            self._live.stop()
            self.notice.setVisible(not self.number_mode.isChecked() and self.canvas.ink_outside())
        clf = self.state.classifier
        if clf is None:
            self.result.show_empty("No model loaded: see Settings.")
            return
        if self.canvas.is_empty():
            self.last = None
            self.canvas.set_marks([])
            self.result.show_empty()
            return
        gray = self.canvas.gray()
        if self.number_mode.isChecked():
            number = recognize_number(clf, gray)
            if live:
                self.result.show_provisional(number)
                return
            self.last = number
            heats = None
            if self.why.isChecked():
                heats = occlusion_maps(clf, [d.input28 for d in number.digits], [d.digit for d in number.digits])
            log.info("prediction %s %s %.4f %.2fms", number.text or "-", number.status, number.confidence,
                     1000 * number.seconds)
            self.result.show_number(number, heats)
            self.canvas.set_marks(marks_for(gray, number, heats), self.result.strip.current)
            self.correction.answer_changed()
            return
        p = recognize(clf, gray, live=live)
        if live:
            self.result.show_provisional(p)
            return
        self.last = p
        log.info("prediction %s %s %.4f %.2fms", p.digit, p.status, p.confidence, 1000 * p.seconds)
        heat = None
        if self.why.isChecked() and p.digit is not None:
            heat = occlusion_map(clf, p.input28, p.digit)
        self.result.show_prediction(p, heat)
        self.canvas.set_marks(marks_for(gray, p, [heat]) if heat is not None else [])
        self.correction.answer_changed()
