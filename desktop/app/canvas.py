"""The drawing pad: anti-aliased round pen, eraser, undo and redo per stroke.

Strokes are kept in page units (PAGE_SIDE a side, twice as wide in number mode), not in widget
pixels: the pad is shown as large as the window allows, but the image the model reads is always
rendered at one pixel per page unit, so the answer does not depend on the window's size or the
screen's scale.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QCursor, QGuiApplication, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen,
                           QPixmap, QResizeEvent, QUndoCommand, QUndoStack)
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.app.locate import DigitMark
from desktop.app.overlay import letterbox, paint_marks
from desktop.app.qtimage import gray_from_qimage

PAGE_SIDE = 280  # page units: the model's image of the pad is this many pixels high
NUMBER_PAGE_WIDTH = 2 * PAGE_SIDE  # number mode: a page twice as wide
MIN_PAD = 140  # the pad never forces the window larger than this (widget pixels)
PEN_WIDTH, ERASER_WIDTH = 18.0, 30.0  # page units
# Steps Ctrl+Z goes back. Each keeps its strokes (a cleared page's too): unlimited, a long session
# grew by about 70 KB a digit (500 digits: +45 MB; a day at a kiosk: hundreds of MB).
UNDO_LIMIT = 200


def _every_sample(on: bool) -> None:
    """Deliver every mouse sample (on) or let Qt merge queued ones (off, its default).

    Over the pad every sample counts: X11 motion events that queue up while a live guess runs
    are otherwise merged into one, and a curve drawn meanwhile becomes a straight chord.
    """
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, not on)


PATH_SEGMENTS = 8  # a stroke is painted in paths of this many segments (see _draw_stroke)


@dataclass(eq=False)  # each stroke is itself: undo removes this one, not the first drawn the same
class Stroke:
    points: list[QPointF] = field(default_factory=list)  # page units
    width: float = PEN_WIDTH
    eraser: bool = False
    page_width: float = float(NUMBER_PAGE_WIDTH)  # the page's width when drawn: ink past it was never on it


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
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.pen_width = PEN_WIDTH
        self.eraser_width = ERASER_WIDTH
        self._eraser = False
        self.page_width = PAGE_SIDE
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._image = self._new_image()  # what the model reads: one pixel per page unit
        self._view: QImage | None = None  # what the screen shows: the page at the widget's pixels
        self.marks: list[DigitMark] = []  # boxes and "Why?" over the drawing, in page pixels
        self.selected: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Drawing canvas")
        self.undo_stack.indexChanged.connect(self._stack_moved)
        # A window taking the mouse mid-stroke (a dialog opened by a key, another program's grab)
        # keeps the release from this one: the stroke ends where it is. Left unended, the pad stayed
        # "still drawing", Clear did nothing and the next press dropped the stroke (a 40-minute soak).
        QGuiApplication.instance().focusWindowChanged.connect(self._focus_window_changed)
        self._render()

    def _focus_window_changed(self, window) -> None:
        if self._current is not None and window is not self.window().windowHandle():
            self.finish_stroke()
            _every_sample(False)  # no release comes to turn Qt's merging of moves back on

    def _stack_moved(self, _index: int) -> None:
        self.strokeFinished.emit()  # a stroke, undo, redo or clear: the drawing is settled

    def sizeHint(self) -> QSize:
        return QSize(self.page_width * 3 // 2, PAGE_SIDE * 3 // 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_PAD * self.page_width // PAGE_SIDE, MIN_PAD)

    # --- geometry ----------------------------------------------------------------------
    def page_rect(self) -> QRectF:
        """Where the page is shown: as large as the widget allows, its aspect kept, centred."""
        return letterbox(QRectF(self.rect()), self.page_width, PAGE_SIDE)

    def scale(self) -> float:
        """Widget pixels per page unit."""
        return self.page_rect().width() / self.page_width if self.page_width else 1.0

    def to_page(self, pos: QPointF) -> QPointF:
        r = self.page_rect()
        return (pos - r.topLeft()) / self.scale()

    def to_widget(self, page: QPointF) -> QPointF:
        return self.page_rect().topLeft() + page * self.scale()

    # --- state -------------------------------------------------------------------------
    @property
    def drawing(self) -> bool:
        """A stroke is under way (the mouse button is down)."""
        return self._current is not None

    @property
    def eraser(self) -> bool:
        return self._eraser

    @eraser.setter
    def eraser(self, on: bool) -> None:
        self._eraser = bool(on)
        self.update_cursor()

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    def image(self) -> QImage:
        """The page at one pixel per unit: what the model reads and what Save writes."""
        return self._image

    def gray(self) -> np.ndarray:
        return gray_from_qimage(self._image)

    def ink_outside(self) -> bool:
        """Some stroke lies beyond the page's right edge (drawn in number mode, now hidden)."""
        return any(s.page_width > self.page_width and pt.x() - s.width / 2 > self.page_width
                   for s in self._strokes for pt in s.points)

    def _new_image(self) -> QImage:
        return QImage(self.page_width, PAGE_SIDE, QImage.Format.Format_RGB32)

    def set_page_width(self, width: int) -> None:
        """Wider page for number mode; the strokes stay where they are, in page units."""
        self.page_width = width
        self._image = self._new_image()
        self.set_marks([])
        self.updateGeometry()
        self._render()

    def set_marks(self, marks: list[DigitMark], selected: int | None = None) -> None:
        """Digit boxes and saliency to show over the drawing (page pixels); [] for none."""
        self.marks, self.selected = marks, selected
        self.update()

    def clear(self) -> None:
        self.finish_stroke()  # Esc mid-stroke: the stroke is part of what is cleared
        if self._strokes:
            self.undo_stack.push(_Clear(self))

    def undo(self) -> None:
        """Undo the last stroke; mid-stroke, the stroke under way (it ends first: undone under a
        stroke still drawn, a clear came back and merged with it)."""
        self.finish_stroke()
        self.undo_stack.undo()

    def redo(self) -> None:
        self.finish_stroke()
        self.undo_stack.redo()

    # --- painting ----------------------------------------------------------------------
    def _pen(self, s: Stroke) -> QPen:
        color = QColor("white") if s.eraser else QColor("black")
        return QPen(color, s.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    def _paint_stroke(self, p: QPainter, s: Stroke) -> None:
        p.save()
        # Ink that ran off the page's right edge (into the grey beside the square) was never on
        # the page: a wider page (number mode) must not bring it back.
        p.setClipRect(QRectF(-PAGE_SIDE, -PAGE_SIDE, s.page_width + PAGE_SIDE, 3 * PAGE_SIDE))
        self._draw_stroke(p, s)
        p.restore()

    def _draw_stroke(self, p: QPainter, s: Stroke) -> None:
        p.setPen(self._pen(s))
        if len(s.points) == 1:
            p.drawPoint(s.points[0])
            return
        # Quadratic segments through midpoints: smooth curves from jittery mouse samples. Drawn in
        # paths of PATH_SEGMENTS: Qt outlines a wide pen's path as a whole, in time that grows with
        # its crossings, and six frantic scribbles of 600 samples took 1.6 s to paint again at each
        # stroke, undo and resize (a hostile pass; one of 20,000 samples, 3.3 s). Round caps join them.
        path = QPainterPath(s.points[0])
        for k, (a, b) in enumerate(zip(s.points[1:-1], s.points[2:]), 1):
            path.quadTo(a, (a + b) / 2)
            if k % PATH_SEGMENTS == 0:
                p.drawPath(path)
                path = QPainterPath(path.currentPosition())
        path.lineTo(s.points[-1])
        p.drawPath(path)

    def _painter(self, img: QImage, scale: float) -> QPainter:
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(scale, scale)
        return p

    def _view_scale(self) -> float:
        """Image pixels per page unit of the screen's copy (the widget's scale times the pixel ratio)."""
        return self.scale() * max(1.0, self.devicePixelRatioF())

    def _targets(self) -> list[tuple[QImage, float]]:
        """What strokes are painted on, with its scale: the model's image, and the screen's copy if any."""
        return [(img, scale) for img, scale in ((self._image, 1.0), (self._view, self._view_scale())) if img is not None]

    def _paint_over(self, stroke: Stroke) -> None:
        """Paint ``stroke`` over what is painted, without painting the rest again."""
        for img, scale in self._targets():
            p = self._painter(img, scale)
            self._paint_stroke(p, stroke)
            p.end()
        self.update()

    def _render(self) -> None:
        """Paint every stroke again, on the model's image and on the screen's copy."""
        r = self.page_rect()
        dpr = max(1.0, self.devicePixelRatioF())
        self._view = None
        if r.width() >= 1 and r.height() >= 1:
            self._view = QImage(round(r.width() * dpr), round(r.height() * dpr), QImage.Format.Format_RGB32)
        for img, scale in self._targets():
            img.fill(QColor("white"))
            p = self._painter(img, scale)
            for s in self._strokes:
                self._paint_stroke(p, s)
            if self._current:
                self._paint_stroke(p, self._current)
            p.end()
        self.update()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._render()  # the screen's copy at the new size; the model's image is unchanged
        self.update_cursor()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        r = self.page_rect()
        # Around the page a tone darker than paper: the page's edge is where strokes stop.
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window).darker(112))
        if self._view is not None:
            p.drawImage(r, self._view)
        p.setPen(QPen(QColor(128, 128, 128), 1))
        p.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5))  # the page's edge, where strokes stop
        paint_marks(p, self.marks, r, self._image.size(), self.selected)
        p.end()

    # --- cursor ------------------------------------------------------------------------
    def update_cursor(self) -> None:
        """A crosshair for the pen; for the eraser a circle as wide as what it will rub out."""
        if not self._eraser:
            self.setCursor(Qt.CursorShape.CrossCursor)
            return
        d = int(max(8, min(128, self.eraser_width * self.scale())))
        pix = QPixmap(d + 2, d + 2)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("white"), 3))  # a light ring under a dark one: seen on ink and paper
        p.drawEllipse(QRectF(1, 1, d, d))
        p.setPen(QPen(QColor("black"), 1))
        p.drawEllipse(QRectF(1, 1, d, d))
        p.end()
        self.setCursor(QCursor(pix, d // 2 + 1, d // 2 + 1))

    # --- mouse -------------------------------------------------------------------------
    def enterEvent(self, e) -> None:
        _every_sample(True)  # before the press: its first moves may arrive with it
        super().enterEvent(e)

    def leaveEvent(self, e) -> None:
        if self._current is None:
            _every_sample(False)
        super().leaveEvent(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return
        self.finish_stroke()  # one whose release never came is kept, not dropped
        width = self.eraser_width if self._eraser else self.pen_width
        self._current = Stroke([self.to_page(e.position())], width, self._eraser, float(self.page_width))
        _every_sample(True)
        self.set_marks([])  # boxes and "Why?" describe the drawing before this stroke
        self._paint_over(self._current)  # its first dot (all painted again: 1.6 s a press on six scribbles)
        self.changed.emit()

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._current is None:
            return
        if not e.buttons() & Qt.MouseButton.LeftButton:  # its release went elsewhere
            self.finish_stroke()
            return
        self._current.points.append(self.to_page(e.position()))
        # Only the newest segment needs painting while drawing: redrawing all strokes stutters.
        for img, scale in self._targets():
            p = self._painter(img, scale)
            p.setPen(self._pen(self._current))
            p.drawLine(self._current.points[-2], self._current.points[-1])
            p.end()
        self.update()
        self.changed.emit()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._current is None or e.button() != Qt.MouseButton.LeftButton:
            return
        self.finish_stroke()
        if not self.underMouse():
            _every_sample(False)

    def finish_stroke(self) -> None:
        """End the stroke under way as a release does; the button's further moves draw nothing. A
        mode switch mid-stroke changes the page under it: its first half jumped from the pointer,
        and a final answer showed while the button was still down (a hostile GUI pass)."""
        if self._current is None:
            return
        stroke, self._current = self._current, None
        self.undo_stack.push(_AddStroke(self, stroke))  # redo() renders it properly
