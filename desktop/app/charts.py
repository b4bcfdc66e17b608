"""The Metrics tab's charts, painted with QPainter: curves with ticks and a legend beside them, and
a confusion matrix that says which axis is the true digit and which the predicted one.

(QPainter, not matplotlib: matplotlib would add seconds to start-up and tens of MB to the binary.)
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _fg(w: QWidget) -> QColor:
    return w.palette().color(QPalette.ColorRole.WindowText)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten) spanning [lo, hi], about ``count`` of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 5, 10)), key=lambda st: abs(math.log(st / raw)))  # the nearest round step
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(int((hi - first) / step + 1e-9) + 1)]


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks of a log axis between lo and hi: 1, 2, 5 times each power of ten (fewer when wide)."""
    if lo <= 0 or hi <= lo:
        return [lo]
    mults = (1, 2, 5) if math.log10(hi / lo) < 3 else (1,)
    ticks = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1) for m in mults]
    inside = [t for t in ticks if lo <= t <= hi]
    return inside if len(inside) >= 2 else [lo, hi]


def _label(v: float) -> str:
    return f"{v:.3g}"


class LineChart(QWidget):
    """Series against epoch, y on a log or linear axis, ticks on both axes, axis titles, and a
    legend to the right of the plot so it never covers a curve."""

    def __init__(self, title: str, y_title: str = "", log: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.title, self.y_title, self.log = title, y_title, log
        self.series: dict[str, list[float]] = {}
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_series(self, series: dict[str, list[float]]) -> None:
        self.series = {k: list(v) for k, v in series.items() if v}
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    def legend_width(self) -> int:
        fm = QFontMetrics(self.font())
        return 28 + max((fm.horizontalAdvance(k) for k in self.series), default=0)

    def plot_rect(self) -> QRectF:
        """The plotting area; the legend lies to its right, the tick labels and titles outside it."""
        return QRectF(64, 28, max(40.0, self.width() - 64 - 12 - self.legend_width()), max(40.0, self.height() - 28 - 46))

    def y_ticks(self) -> list[float]:
        values = [v for s in self.series.values() for v in s if (v > 0 if self.log else math.isfinite(v))]
        if not values:
            return []
        lo, hi = min(values), max(values)
        return log_ticks(lo, hi) if self.log else nice_ticks(lo, hi)

    def x_ticks(self) -> list[int]:
        n = max((len(s) for s in self.series.values()), default=0)
        if n == 0:
            return []
        return [int(t) for t in nice_ticks(1, n, 6) if t >= 1 and float(t).is_integer()] or [1]

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = _fg(self)
        p.setPen(fg)
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(0, 0, self.width(), 22), Qt.AlignmentFlag.AlignCenter, self.title)
        p.setFont(self.font())
        plot = self.plot_rect()
        p.drawRect(plot)
        values = [v for s in self.series.values() for v in s if (v > 0 if self.log else math.isfinite(v))]
        if not values:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no data")
            p.end()
            return
        f = (lambda v: math.log10(max(v, 1e-12))) if self.log else (lambda v: v)
        y_ticks = self.y_ticks()
        lo, hi = min(f(min(values)), f(y_ticks[0])), max(f(max(values)), f(y_ticks[-1]))
        hi = hi if hi > lo else lo + 1
        n = max(len(s) for s in self.series.values())

        def x_at(epoch: float) -> float:
            return plot.left() + plot.width() * ((epoch - 1) / max(n - 1, 1))

        def y_at(v: float) -> float:
            return plot.bottom() - plot.height() * (f(v) - lo) / (hi - lo)

        grid = QColor(fg)
        grid.setAlpha(40)
        for t in y_ticks:
            y = y_at(t)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(fg)
            p.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y))
            p.drawText(QRectF(0, y - 8, plot.left() - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       _label(t))
        for t in self.x_ticks():
            x = x_at(t)
            p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            p.drawText(QRectF(x - 20, plot.bottom() + 4, 40, 16), Qt.AlignmentFlag.AlignHCenter, str(t))
        p.drawText(QRectF(plot.left(), plot.bottom() + 22, plot.width(), 18), Qt.AlignmentFlag.AlignCenter, "epoch")
        if self.y_title:
            p.save()
            p.translate(12, plot.center().y())
            p.rotate(-90)
            p.drawText(QRectF(-plot.height() / 2, -10, plot.height(), 20), Qt.AlignmentFlag.AlignCenter,
                       self.y_title + (" (log scale)" if self.log else ""))
            p.restore()
        legend_x = plot.right() + 12
        for i, (name, s) in enumerate(self.series.items()):
            color = QColor(SERIES[i % len(SERIES)])
            pts = [QPointF(x_at(j + 1), y_at(v)) for j, v in enumerate(s) if (v > 0 or not self.log)]
            p.setPen(QPen(color, 2))
            p.drawPolyline(QPolygonF(pts))
            y = plot.top() + 4 + 18 * i
            p.drawLine(QPointF(legend_x, y + 8), QPointF(legend_x + 18, y + 8))
            p.setPen(fg)
            p.drawText(QRectF(legend_x + 24, y, self.width() - legend_x - 24, 16),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        p.end()


class ConfusionMatrix(QWidget):
    """Counts in cells, rows the true digit and columns the predicted one (titled on the axes);
    colour on a log scale so the few errors show."""

    MARGIN_LEFT, MARGIN_TOP = 46, 44

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.matrix: np.ndarray | None = None
        self.setMinimumSize(360, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_matrix(self, m: np.ndarray | None) -> None:
        self.matrix = None if m is None else np.asarray(m)
        self.update()

    def heightForWidth(self, w: int) -> int:
        return w

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        fg = _fg(self)
        if self.matrix is None:
            p.setPen(fg)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no confusion matrix shipped")
            p.end()
            return
        n = len(self.matrix)
        left, top = self.MARGIN_LEFT, self.MARGIN_TOP
        side = max(4.0, min(self.width() - left - 4, self.height() - top - 4) / n)
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(fg)
        p.drawText(QRectF(left, 0, side * n, 18), Qt.AlignmentFlag.AlignCenter, "predicted")
        p.save()
        p.translate(10, top + side * n / 2)
        p.rotate(-90)
        p.drawText(QRectF(-side * n / 2, -9, side * n, 18), Qt.AlignmentFlag.AlignCenter, "true")
        p.restore()
        shown = np.log1p(self.matrix.astype(float))
        peak = shown.max() or 1.0
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(11.0, side / 4.2)))
        p.setFont(font)
        for i in range(n):
            p.setPen(fg)
            p.drawText(QRectF(22, top + i * side, left - 24, side), Qt.AlignmentFlag.AlignCenter, str(i))
            p.drawText(QRectF(left + i * side, 20, side, top - 22), Qt.AlignmentFlag.AlignCenter, str(i))
            for j in range(n):
                v = shown[i, j] / peak
                cell = QRectF(left + j * side, top + i * side, side - 1, side - 1)
                p.fillRect(cell, QColor.fromRgbF(1 - 0.8 * v, 1 - 0.55 * v, 1 - 0.2 * v))
                p.setPen(QColor("white") if v > 0.6 else QColor("black"))
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(int(self.matrix[i, j])))
        p.end()
