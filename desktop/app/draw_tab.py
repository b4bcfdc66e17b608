"""The Draw tab: a canvas on the left, the live answer on the right."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget)

from desktop.app.canvas import CANVAS_SIZE, DrawingCanvas
from desktop.app.result_panel import ResultPanel
from desktop.engine.explain import occlusion_map
from desktop.engine.recognize import recognize, recognize_number

LIVE_INTERVAL_MS = 60  # while drawing, predict at most this often
log = logging.getLogger("digits.draw")


class DrawTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.last = None
        self.canvas = DrawingCanvas()
        self.result = ResultPanel("Draw a digit on the pad.")
        self.width_slider = QSlider(Qt.Orientation.Horizontal)
        self.width_slider.setRange(4, 40)
        self.width_slider.setValue(int(self.canvas.pen_width))
        self.width_slider.setAccessibleName("Pen width")
        self.width_slider.valueChanged.connect(lambda v: setattr(self.canvas, "pen_width", float(v)))
        self.eraser = QCheckBox("Eraser")
        self.eraser.toggled.connect(lambda on: setattr(self.canvas, "eraser", on))
        self.number_mode = QCheckBox("Number mode (several digits)")
        self.number_mode.toggled.connect(self._on_mode)
        self.why = QCheckBox("Why? (show what mattered)")
        self.why.toggled.connect(lambda _: self.predict())
        self.undo_btn = QPushButton("Undo")
        self.redo_btn = QPushButton("Redo")
        self.clear_btn = QPushButton("Clear")
        self.undo_btn.clicked.connect(self.canvas.undo_stack.undo)
        self.redo_btn.clicked.connect(self.canvas.undo_stack.redo)
        self.clear_btn.clicked.connect(self.canvas.clear)
        self.canvas.undo_stack.canUndoChanged.connect(self.undo_btn.setEnabled)
        self.canvas.undo_stack.canRedoChanged.connect(self.redo_btn.setEnabled)
        self.undo_btn.setEnabled(False)
        self.redo_btn.setEnabled(False)

        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_INTERVAL_MS)
        self._live.timeout.connect(lambda: self.predict(live=True))
        self.canvas.changed.connect(self._schedule_live)
        self.canvas.strokeFinished.connect(self.predict)

        tools = QHBoxLayout()
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.width_slider)
        tools.addWidget(self.eraser)
        buttons = QHBoxLayout()
        for b in (self.undo_btn, self.redo_btn, self.clear_btn):
            buttons.addWidget(b)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addLayout(tools)
        left.addLayout(buttons)
        left.addWidget(self.number_mode)
        left.addWidget(self.why)
        left.addStretch()
        lay = QHBoxLayout(self)
        lay.addLayout(left)
        lay.addWidget(self.result, 1)

    def _on_mode(self, number: bool) -> None:
        self.canvas.set_page_width(2 * CANVAS_SIZE if number else CANVAS_SIZE)
        self.predict()

    def _schedule_live(self) -> None:
        if not self._live.isActive():
            self._live.start()

    def predict(self, live: bool = False) -> None:
        """Classify what is on the canvas now; the explanation only when a stroke ends."""
        if live and not self.canvas.drawing:
            return  # the stroke ended meanwhile: its final prediction has been made
        if not live:
            self._live.stop()
        clf = self.state.classifier
        if clf is None:
            self.result.show_empty("No model loaded: see Settings.")
            return
        if self.canvas.is_empty():
            self.last = None
            self.result.show_empty()
            return
        gray = self.canvas.gray()
        if self.number_mode.isChecked():
            self.last = recognize_number(clf, gray)
            self.result.show_number(self.last)
            return
        self.last = recognize(clf, gray)
        if not live:
            log.info("prediction %s %s %.4f %.2fms", self.last.digit, self.last.status, self.last.confidence,
                     1000 * self.last.seconds)
        heat = None
        if self.why.isChecked() and not live and self.last.digit is not None:
            heat = occlusion_map(clf, self.last.input28, self.last.digit)
        self.result.show_prediction(self.last, heat)
