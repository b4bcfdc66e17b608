"""Painting answers over the user's own drawing or image: digit boxes and the "Why?" saliency.

Colours are chosen to read on white paper and on black ink alike: the saliency is a
semi-transparent orange, its strongest part outlined in magenta; boxes are outlined in two tones
(a light halo under a dark line) and labelled on filled chips.
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop.app.locate import DigitMark

HEAT_RGB = (255, 112, 0)  # orange: visible over white paper and over black ink
HEAT_MAX_ALPHA = 190
HEAT_FLOOR = 0.15  # saliency below this is left clear, so the drawing shows through
OUTLINE_LEVEL = 0.5  # the region that mattered most is outlined
OUTLINE_RGB = (200, 0, 170)  # magenta
BOX_COLOR, SELECTED_COLOR = QColor("#00796b"), QColor("#1565c0")
MAX_HEAT_SIDE = 400  # the saliency is resampled to at most this many pixels a side, then scaled


def heat_rgba(heat: np.ndarray, width: int, height: int) -> np.ndarray:
    """(height, width, 4) uint8: orange with alpha by saliency, magenta outline at OUTLINE_LEVEL."""
    width, height = max(2, width), max(2, height)
    h = np.asarray(Image.fromarray(np.asarray(heat, np.float32), mode="F")
                   .resize((width, height), Image.Resampling.BILINEAR))
    h = np.clip(h, 0.0, 1.0)
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., :3] = HEAT_RGB
    rgba[..., 3] = np.where(h > HEAT_FLOOR, (HEAT_MAX_ALPHA * h).astype(np.uint8), 0)
    hot = h >= OUTLINE_LEVEL
    inner = hot.copy()
    inner[1:] &= hot[:-1]
    inner[:-1] &= hot[1:]
    inner[:, 1:] &= hot[:, :-1]
    inner[:, :-1] &= hot[:, 1:]
    edge = hot & ~inner
    edge[1:] |= edge[:-1]  # two pixels thick: one is lost when scaled down
    rgba[edge, :3] = OUTLINE_RGB
    rgba[edge, 3] = 255
    return rgba


def qimage_rgba(rgba: np.ndarray) -> QImage:
    h, w = rgba.shape[:2]
    return QImage(np.ascontiguousarray(rgba).data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def paint_marks(p: QPainter, marks: list[DigitMark], to_widget: QRectF, source_size: QSize,
                selected: int | None = None, boxes: bool = True) -> None:
    """Paint ``marks`` (boxes in source pixels) where the source image is drawn at ``to_widget``."""
    if not marks or source_size.isEmpty():
        return
    sx = to_widget.width() / source_size.width()
    sy = to_widget.height() / source_size.height()
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for m in marks:
        x, y, w, h = m.box
        r = QRectF(to_widget.left() + x * sx, to_widget.top() + y * sy, w * sx, h * sy)
        if m.heat is not None and r.width() >= 1 and r.height() >= 1:
            side = min(MAX_HEAT_SIDE, int(max(r.width(), r.height())))
            k = side / max(r.width(), r.height())
            img = qimage_rgba(heat_rgba(m.heat, int(r.width() * k), int(r.height() * k)))
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(r, img)
        if boxes:
            chosen = selected is not None and m.index == selected
            color = SELECTED_COLOR if chosen else BOX_COLOR
            box = r.adjusted(-3, -3, 3, 3)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(255, 255, 255, 200), 4 if chosen else 3))  # halo: reads on black
            p.drawRect(box)
            p.setPen(QPen(color, 2 if chosen else 1.5, Qt.PenStyle.SolidLine if chosen else Qt.PenStyle.DashLine))
            p.drawRect(box)
            font = QFont(p.font())
            font.setBold(True)
            p.setFont(font)
            fm_h = p.fontMetrics().height()
            chip = QRectF(box.left(), max(to_widget.top(), box.top() - fm_h - 2),
                          p.fontMetrics().horizontalAdvance(m.label) + 8, fm_h + 2)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(chip, 3, 3)
            p.setPen(QColor("white"))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, m.label)
    p.restore()


class HeatSwatch(QWidget):
    """The "Why?" colours on paper and on ink: a ramp from clear to orange, the magenta outline."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFixedSize(84, 24)

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        ramp = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.fillRect(QRectF(ramp.left(), ramp.top(), ramp.width(), ramp.height() / 2), QColor("white"))
        p.fillRect(QRectF(ramp.left(), ramp.center().y(), ramp.width(), ramp.height() / 2), QColor("black"))
        g = QLinearGradient(ramp.topLeft(), ramp.topRight())
        g.setColorAt(0, QColor(*HEAT_RGB, 0))
        g.setColorAt(1, QColor(*HEAT_RGB, HEAT_MAX_ALPHA))
        p.fillRect(ramp, g)
        p.setPen(QPen(QColor(*OUTLINE_RGB), 2))
        p.drawRect(QRectF(ramp.right() - ramp.width() / 3, ramp.top() + 1, ramp.width() / 3 - 1, ramp.height() - 2))
        p.end()


class WrappedLabel(QLabel):
    """A word-wrapped label that is always as tall as its lines at its width: a layout of fixed
    and expanding neighbours (the bars) otherwise gives it its two-line size hint and cuts it."""

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        need = self.heightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)


class HeatLegend(QWidget):
    """What the "Why?" colours mean, beside a swatch of them."""

    TEXT = "Why?: orange marks the ink that drove the answer (stronger = more); outlined: what mattered most."

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Why? legend")
        self.setToolTip("Occlusion sensitivity: how much hiding each part of the ink lowers the answer's "
                        "probability, computed with the same model")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(HeatSwatch(), 0, Qt.AlignmentFlag.AlignTop)
        self.label = WrappedLabel(self.TEXT)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.label, 1)


def letterbox(outer: QRectF, width: float, height: float) -> QRectF:
    """The largest rect of aspect width:height centred in ``outer``."""
    if width <= 0 or height <= 0 or outer.isEmpty():
        return QRectF()
    k = min(outer.width() / width, outer.height() / height)
    w, h = width * k, height * k
    return QRectF(outer.left() + (outer.width() - w) / 2, outer.top() + (outer.height() - h) / 2, w, h)
