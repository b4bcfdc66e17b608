"""The Images tab's preview: the image as large as its space allows, a region dragged on it to
read only that part, and the answer's digit boxes and "Why?" drawn over it."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.app.locate import Box, DigitMark
from desktop.app.overlay import letterbox, paint_marks

MIN_DRAG = 6  # widget pixels: a shorter drag is a click (selects the digit under it)


class ImagePreview(QWidget):
    regionSelected = Signal(object)  # Box in image pixels, or None for the whole image
    digitClicked = Signal(int)

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder
        self.image: QImage | None = None
        self.region: Box | None = None
        self.marks: list[DigitMark] = []
        self.selected: int | None = None
        self._drag: tuple[QPointF, QPointF] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Image preview")
        self.setToolTip("Drag a rectangle to read only that part of the image")

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 120)

    def set_image(self, image: QImage | None, placeholder: str | None = None) -> None:
        self.image, self.region, self.marks, self._drag = image, None, [], None
        if placeholder is not None:
            self.placeholder = placeholder
        self.update()

    def set_region(self, region: Box | None) -> None:
        self.region = region
        self.update()

    def set_marks(self, marks: list[DigitMark], selected: int | None = None) -> None:
        self.marks, self.selected = marks, selected
        self.update()

    # --- geometry --------------------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the image is drawn: as large as the widget allows, its aspect kept, centred."""
        if self.image is None:
            return QRectF()
        return letterbox(QRectF(self.rect()).adjusted(4, 4, -4, -4), self.image.width(), self.image.height())

    def to_image(self, pos: QPointF) -> QPointF:
        r = self.image_rect()
        k = self.image.width() / r.width()
        return QPointF((pos.x() - r.left()) * k, (pos.y() - r.top()) * k)

    def to_widget(self, x: float, y: float) -> QPointF:
        r = self.image_rect()
        k = r.width() / self.image.width()
        return QPointF(r.left() + x * k, r.top() + y * k)

    def _box_rect(self, box: Box) -> QRectF:
        x, y, w, h = box
        return QRectF(self.to_widget(x, y), self.to_widget(x + w, y + h))

    # --- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        # A preview squeezed below its minimum (a window made smaller than it allows) shows no
        # image to drag on: its width on screen is zero.
        if e.button() == Qt.MouseButton.LeftButton and self.image is not None and not self.image_rect().isEmpty():
            self._drag = (e.position(), e.position())

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag = (self._drag[0], e.position())
            self.update()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._drag is None or e.button() != Qt.MouseButton.LeftButton:
            return
        a, b = self._drag[0], e.position()
        self._drag = None
        self.update()
        if abs(a.x() - b.x()) < MIN_DRAG or abs(a.y() - b.y()) < MIN_DRAG:
            for m in self.marks:  # a click: the digit under it, if any
                if self._box_rect(m.box).adjusted(-4, -4, 4, 4).contains(b):
                    self.digitClicked.emit(m.index)
                    return
            return
        box = self.region_from(a, b)
        if box is not None:
            self.regionSelected.emit(box)

    def region_from(self, a: QPointF, b: QPointF) -> Box | None:
        """The dragged rectangle in image pixels, clipped to the image; None if it misses it."""
        if self.image_rect().isEmpty():
            return None
        p, q = self.to_image(a), self.to_image(b)
        w, h = self.image.width(), self.image.height()
        x0, x1 = sorted((min(max(p.x(), 0), w), min(max(q.x(), 0), w)))
        y0, y1 = sorted((min(max(p.y(), 0), h), min(max(q.y(), 0), h)))
        x0, y0, x1, y1 = int(x0), int(y0), int(round(x1)), int(round(y1))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)

    # --- painting --------------------------------------------------------------------------
    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        if self.image is None:
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            p.end()
            return
        r = self.image_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(r, self.image)
        if self.region is not None:  # dim what is not read, outline what is
            inside = self._box_rect(self.region)
            p.save()
            p.setClipRect(r)
            shade = QColor(90, 90, 90, 150)
            for part in (QRectF(r.left(), r.top(), r.width(), inside.top() - r.top()),
                         QRectF(r.left(), inside.bottom(), r.width(), r.bottom() - inside.bottom()),
                         QRectF(r.left(), inside.top(), inside.left() - r.left(), inside.height()),
                         QRectF(inside.right(), inside.top(), r.right() - inside.right(), inside.height())):
                if part.width() > 0 and part.height() > 0:
                    p.fillRect(part, shade)
            p.restore()
            p.setPen(QPen(QColor("#1565c0"), 2))
            p.drawRect(inside)
        paint_marks(p, self.marks, r, self.image.size(), self.selected)
        if self._drag is not None:
            a, b = self._drag
            p.setPen(QPen(QColor("white"), 3))
            p.drawRect(QRectF(a, b).normalized())
            p.setPen(QPen(QColor("#1565c0"), 1, Qt.PenStyle.DashLine))
            p.drawRect(QRectF(a, b).normalized())
        p.end()
