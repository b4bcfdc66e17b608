"""Thumbnails of image files for the batch table, read off the window's thread (background.NewestFirst).

A table asks for a file's thumbnail when it paints its row. Read there, a PNG is decoded whole
whatever size is asked for: a hostile pass scrolled a batch of 50 photos of 64 MP to its end and
the window froze 19.5 s (2.2 s for 40 A4 scans at 300 dpi). Here ``get`` answers from the cache at
once, or None and asks for it; ``ready`` says when it is in the cache, so the table repaints.
A thumbnail shows the file as the engine reads it (imageio.load_gray: gray, its alpha on white,
16-bit and EXIF-turned images as they look; Qt's reader gave a 16-bit PNG's none).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap, QPixmapCache

from desktop.app.background import NewestFirst
from desktop.app.qtimage import qimage_from_gray
from desktop.engine.imageio import fit_longest, load_gray

MAX_PENDING = 256  # thumbnails waiting to be read at most: rows scrolled past are asked for again when shown


def read_thumbnail(path: str, side: int) -> QImage:
    """The image at ``path`` at most ``side`` px on its longest side. Safe off the window's thread:
    a QImage, not a QPixmap. Raises what load_gray raises."""
    gray = load_gray(path, decode_side=side)
    return qimage_from_gray(gray if max(gray.shape) <= side else fit_longest(gray, side))


class ThumbnailLoader(QObject):
    """Thumbnails of ``side`` px in Qt's pixmap cache, under ``prefix`` + the path."""

    ready = Signal(object)  # a path whose thumbnail is now in the cache (object: a name that is not UTF-8 stays whole)

    def __init__(self, side: int, prefix: str, parent: QObject | None = None):
        super().__init__(parent)
        self.side, self.prefix = side, prefix
        self._failed: set[str] = set()  # read once and unreadable: not asked for at every repaint
        self._reader = NewestFirst(lambda path: read_thumbnail(path, side), MAX_PENDING, self)
        self._reader.done.connect(self._store)

    def get(self, path: str) -> QPixmap | None:
        """The cached thumbnail, or None (and it is read in the background, unless it failed before)."""
        pix = QPixmapCache.find(self.prefix + path)
        if pix is None and path not in self._failed:
            self._reader.request(path)
        return pix

    def clear(self) -> None:
        """Forget every thumbnail (a new run: the files may have changed) and every request."""
        self._reader.clear()
        self._failed.clear()
        QPixmapCache.clear()

    def _store(self, path: str, image: object) -> None:
        if isinstance(image, QImage) and not image.isNull():
            QPixmapCache.insert(self.prefix + path, QPixmap.fromImage(image))
        else:
            self._failed.add(path)
        self.ready.emit(path)
