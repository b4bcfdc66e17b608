"""Small painted widgets: probability bars, an array view, a line chart and a heatmap.

Charts are painted with QPainter rather than matplotlib, which would add seconds to start-up
and tens of MB to the binary.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.app.overlay import heat_rgba, qimage_rgba
from desktop.app.qtimage import qimage_from_gray
from desktop.engine.recognize import format_confidence

SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _text_color(w: QWidget) -> QColor:
    return w.palette().color(QPalette.ColorRole.WindowText)


class ProbabilityBars(QWidget):
    """Ten horizontal bars, the top class highlighted; empty when there is nothing to show.

    Provisional (a guess while a stroke is drawn): grey bars and no percentages, since the
    answer is not yet the one the finished drawing will get.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.probs: np.ndarray | None = None
        self.provisional = False
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_probabilities(self, probs: np.ndarray | None, provisional: bool = False) -> None:
        self.probs = None if probs is None else np.asarray(probs, dtype=float)
        self.provisional = provisional
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 240)

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = _text_color(self)
        h = self.height() / 10
        font = QFont(self.font())  # labels grow with the bars, up to twice the normal size
        font.setPointSizeF(max(self.font().pointSizeF(), min(2 * self.font().pointSizeF(), h * 0.35)))
        p.setFont(font)
        label_w = p.fontMetrics().horizontalAdvance("0") + 10
        value_w = 0 if self.provisional else p.fontMetrics().horizontalAdvance("> 99.9%") + 8
        bar_w = max(10, self.width() - label_w - value_w - 8)
        top = int(np.argmax(self.probs)) if self.probs is not None else -1
        bar_h = round(h * 0.6)
        for d in range(10):
            y = d * h
            bar_y = round(y + h * 0.2)  # whole pixels: every bar's edges alike, none blurred
            p.setPen(fg)
            p.drawText(QRectF(0, y, label_w, h), Qt.AlignmentFlag.AlignCenter, str(d))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(128, 128, 128, 40))
            p.drawRoundedRect(QRectF(label_w + 4, bar_y, bar_w, bar_h), 3, 3)
            if self.probs is not None:
                if self.provisional:
                    p.setBrush(QColor("#9e9e9e") if d == top else QColor("#c8c8c8"))
                else:
                    p.setBrush(QColor("#2e7d32") if d == top else QColor("#5c8bd6"))
                p.drawRoundedRect(QRectF(label_w + 4, bar_y, bar_w * float(self.probs[d]), bar_h), 3, 3)
                if not self.provisional:
                    p.setPen(fg)
                    p.drawText(QRectF(label_w + 8 + bar_w, y, value_w, h), Qt.AlignmentFlag.AlignVCenter,
                               format_confidence(self.probs[d]))
        p.end()


class ArrayView(QWidget):
    """A gray array shown enlarged with crisp pixels, optionally with a heat overlay.

    ``clicked`` lets a row of them act as buttons (the digits of a number); ``selected`` frames one.
    """

    clicked = Signal()

    def __init__(self, side: int = 140, parent: QWidget | None = None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.heat: QImage | None = None
        self.selected = False
        self.setFixedSize(side, side)

    def set_side(self, side: int) -> None:
        if side != self.width():
            self.setFixedSize(side, side)

    def set_selected(self, on: bool) -> None:
        self.selected = on
        self.update()

    def set_array(self, a: np.ndarray | None, heat: np.ndarray | None = None) -> None:
        self.image = None if a is None else qimage_from_gray(a)
        self.heat = None
        if heat is not None:
            h, w = heat.shape
            self.heat = qimage_rgba(heat_rgba(heat, 4 * w, 4 * h))
        self.update()

    def mousePressEvent(self, e) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("black"))
        if self.image is not None:
            p.drawImage(self.rect(), self.image)
        if self.heat is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(self.rect(), self.heat)
        if self.selected:
            p.setPen(QPen(QColor("#1565c0"), 4))
            p.drawRect(self.rect().adjusted(2, 2, -2, -2))
        p.end()


class PenPreview(QWidget):
    """The pen's or eraser's width shown as a dot at the pad's current scale, with its value."""

    def __init__(self, eraser: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.eraser = eraser
        self.width_units = 18.0
        self.scale = 1.0  # widget pixels per page unit, from the pad
        self.setFixedSize(72, 40)

    def set_width(self, units: float, scale: float | None = None) -> None:
        self.width_units = units
        if scale is not None:
            self.scale = scale
        self.setToolTip(f"{'Eraser' if self.eraser else 'Pen'} width: {units:.0f} (of the pad's 280)")
        self.update()

    def text(self) -> str:
        return f"{self.width_units:.0f}"

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = self.height() - 4
        p.fillRect(QRectF(0, 2, side, side), QColor("white"))
        d = max(2.0, min(side - 2.0, self.width_units * self.scale))
        c = QPointF(2 + side / 2, 2 + side / 2)
        if self.eraser:
            p.setPen(QPen(QColor("black"), 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("black"))
        p.drawEllipse(c, d / 2, d / 2)
        p.setPen(_text_color(self))
        p.drawText(QRectF(side + 6, 0, self.width() - side - 6, self.height()), Qt.AlignmentFlag.AlignVCenter,
                   self.text())
        p.end()


class LineChart(QWidget):
    """Several series against epoch on a log or linear axis, with a legend."""

    def __init__(self, title: str, log: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.title, self.log = title, log
        self.series: dict[str, list[float]] = {}
        self.setMinimumSize(360, 240)

    def set_series(self, series: dict[str, list[float]]) -> None:
        self.series = {k: v for k, v in series.items() if v}
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 280)

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = _text_color(self)
        p.setPen(fg)
        p.drawText(QRectF(0, 0, self.width(), 20), Qt.AlignmentFlag.AlignCenter, self.title)
        plot = QRectF(48, 26, self.width() - 60, self.height() - 60)
        p.drawRect(plot)
        values = [v for s in self.series.values() for v in s if v > 0]
        if not values:
            p.end()
            return
        f = np.log10 if self.log else (lambda v: v)
        lo, hi = float(f(min(values))), float(f(max(values)))
        hi = hi if hi > lo else lo + 1
        n = max(len(s) for s in self.series.values())
        for k, lbl in ((0, hi), (1, lo)):
            y = plot.top() + k * plot.height()
            p.drawText(QRectF(0, y - 8, 46, 16), Qt.AlignmentFlag.AlignRight, f"{10 ** lbl if self.log else lbl:.3g}")
        p.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16), Qt.AlignmentFlag.AlignCenter,
                   f"epoch (1-{n})")
        for i, (name, s) in enumerate(self.series.items()):
            color = QColor(SERIES[i % len(SERIES)])
            pts = [QPointF(plot.left() + plot.width() * (j / max(n - 1, 1)),
                           plot.bottom() - plot.height() * (float(f(max(v, 1e-9))) - lo) / (hi - lo))
                   for j, v in enumerate(s)]
            p.setPen(QPen(color, 2))
            p.drawPolyline(QPolygonF(pts))
            p.drawText(QRectF(plot.left() + 6, plot.top() + 4 + 14 * i, plot.width(), 14),
                       Qt.AlignmentFlag.AlignLeft, name)
        p.end()


class Heatmap(QWidget):
    """A confusion matrix: counts in cells, colour on a log scale so the few errors show."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.matrix: np.ndarray | None = None
        self.setMinimumSize(320, 320)

    def set_matrix(self, m: np.ndarray | None) -> None:
        self.matrix = None if m is None else np.asarray(m)
        self.update()

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        fg = _text_color(self)
        if self.matrix is None:
            p.end()
            return
        n = len(self.matrix)
        side = min(self.width() - 30, self.height() - 30) / n
        shown = np.log1p(self.matrix)
        top = shown.max() or 1
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, side / 4.5))
        p.setFont(font)
        for i in range(n):
            p.setPen(fg)
            p.drawText(QRectF(0, 24 + i * side, 24, side), Qt.AlignmentFlag.AlignCenter, str(i))
            p.drawText(QRectF(26 + i * side, 0, side, 22), Qt.AlignmentFlag.AlignCenter, str(i))
            for j in range(n):
                v = shown[i, j] / top
                cell = QRectF(26 + j * side, 24 + i * side, side - 1, side - 1)
                p.fillRect(cell, QColor.fromRgbF(1 - 0.8 * v, 1 - 0.55 * v, 1 - 0.2 * v))
                p.setPen(QColor("white") if v > 0.6 else QColor("black"))
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(int(self.matrix[i, j])))
        p.end()
