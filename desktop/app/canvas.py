"""The drawing pad: anti-aliased round pen, eraser, undo and redo per stroke."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.app.qtimage import gray_from_qimage

CANVAS_SIZE = 280  # logical pixels; the image drawn on is this size whatever the screen scale


@dataclass
class Stroke:
    points: list[QPointF] = field(default_factory=list)
    width: float = 18.0
    eraser: bool = False


class _AddStroke(QUndoCommand):
    def __init__(self, canvas: "DrawingCanvas", stroke: Stroke):
        super().__init__("stroke")
        self.canvas, self.stroke = canvas, stroke

    def redo(self) -> None:
        self.canvas._strokes.append(self.stroke)
        self.canvas._render()

    def undo(self) -> None:
        self.canvas._strokes.remove(self.stroke)
        self.canvas._render()


class _Clear(QUndoCommand):
    def __init__(self, canvas: "DrawingCanvas"):
        super().__init__("clear")
        self.canvas, self.saved = canvas, list(canvas._strokes)

    def redo(self) -> None:
        self.canvas._strokes.clear()
        self.canvas._render()

    def undo(self) -> None:
        self.canvas._strokes[:] = self.saved
        self.canvas._render()


class DrawingCanvas(QWidget):
    """Black ink on white paper, like a pen; ``changed`` fires while drawing, ``strokeFinished`` after."""

    changed = Signal()
    strokeFinished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.pen_width = 18.0
        self.eraser = False
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._image = self._new_image(CANVAS_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(CANVAS_SIZE, CANVAS_SIZE)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Drawing canvas")
        self.undo_stack.indexChanged.connect(self._stack_moved)
        self._render()

    def _stack_moved(self, _index: int) -> None:
        self.strokeFinished.emit()  # a stroke, undo, redo or clear: the drawing is settled

    def sizeHint(self) -> QSize:
        return QSize(CANVAS_SIZE, CANVAS_SIZE)

    # --- state -------------------------------------------------------------------------
    @property
    def drawing(self) -> bool:
        """A stroke is under way (the mouse button is down)."""
        return self._current is not None

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    def image(self) -> QImage:
        return self._image

    def gray(self) -> np.ndarray:
        return gray_from_qimage(self._image)

    def _new_image(self, width: int) -> QImage:
        """At the screen's pixel density, so strokes stay crisp on high-DPI displays."""
        dpr = max(1.0, self.devicePixelRatioF())
        img = QImage(round(width * dpr), round(CANVAS_SIZE * dpr), QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        return img

    def set_page_width(self, width: int) -> None:
        """Wider page for number mode; the strokes stay where they are."""
        self.setFixedSize(width, CANVAS_SIZE)
        self._image = self._new_image(width)
        self._render()

    def clear(self) -> None:
        if self._strokes:
            self.undo_stack.push(_Clear(self))

    def set_image(self, img: QImage) -> None:
        """Replace the drawing (for tests and 'paste into canvas'); not undoable."""
        self._strokes.clear()
        self.undo_stack.clear()
        self._image = self._new_image(self.width())
        p = QPainter(self._image)
        p.drawImage(self.rect(), img)
        p.end()
        self.update()
        self.strokeFinished.emit()

    # --- painting ----------------------------------------------------------------------
    def _pen(self, s: Stroke) -> QPen:
        color = QColor("white") if s.eraser else QColor("black")
        return QPen(color, s.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    def _paint_stroke(self, p: QPainter, s: Stroke) -> None:
        p.setPen(self._pen(s))
        if len(s.points) == 1:
            p.drawPoint(s.points[0])
            return
        path = QPainterPath(s.points[0])
        # Quadratic segments through midpoints: smooth curves from jittery mouse samples.
        for a, b in zip(s.points[1:-1], s.points[2:]):
            path.quadTo(a, (a + b) / 2)
        path.lineTo(s.points[-1])
        p.drawPath(path)

    def _render(self) -> None:
        self._image.fill(QColor("white"))
        p = QPainter(self._image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for s in self._strokes:
            self._paint_stroke(p, s)
        if self._current:
            self._paint_stroke(p, self._current)
        p.end()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.drawImage(0, 0, self._image)
        p.end()

    # --- mouse -------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return
        self._current = Stroke([e.position()], self.pen_width, self.eraser)
        self._render()
        self.changed.emit()

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._current is None:
            return
        self._current.points.append(e.position())
        # Only the newest segment needs painting while drawing: redrawing all strokes stutters.
        p = QPainter(self._image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(self._pen(self._current))
        p.drawLine(self._current.points[-2], self._current.points[-1])
        p.end()
        self.update()
        self.changed.emit()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._current is None or e.button() != Qt.MouseButton.LeftButton:
            return
        stroke, self._current = self._current, None
        self.undo_stack.push(_AddStroke(self, stroke))  # redo() renders it properly
