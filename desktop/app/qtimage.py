"""Conversions between QImage and the engine's numpy arrays."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPainter


def gray_from_qimage(img: QImage) -> np.ndarray:
    """QImage (any format, alpha composited onto white) to float32 gray in [0, 1], white = 1."""
    if img.hasAlphaChannel():
        flat = QImage(img.size(), QImage.Format.Format_RGB32)
        flat.fill(0xFFFFFFFF)
        p = QPainter(flat)
        p.drawImage(0, 0, img)
        p.end()
        img = flat
    g = img.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, bpl = g.width(), g.height(), g.bytesPerLine()
    a = np.frombuffer(g.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)[:, :w]
    return a.astype(np.float32) / 255.0


def qimage_from_gray(a: np.ndarray, invert: bool = False) -> QImage:
    """float [0, 1] array to an 8-bit grayscale QImage (a copy, safe to keep)."""
    u8 = np.ascontiguousarray(np.clip((1.0 - a if invert else a) * 255.0 + 0.5, 0, 255).astype(np.uint8))
    h, w = u8.shape
    return QImage(u8.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
