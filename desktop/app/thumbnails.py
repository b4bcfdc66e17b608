"""Thumbnails of image files, read off the window's thread.

A table asks for a file's thumbnail when it paints its row. Read there, a PNG is decoded whole
whatever size is asked for: a hostile pass scrolled a batch of 50 photos of 64 MP to its end and
the window froze 19.5 s (2.2 s for 40 A4 scans at 300 dpi). Here ``get`` answers from the cache at
once, or None, and asks one reader thread for it; ``ready`` says when it is in the cache, so the
table repaints. The newest requests are read first (what is on screen now), and at most
MAX_PENDING wait: rows scrolled past are asked for again when they are shown again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap, QPixmapCache

from desktop.engine.imageio import too_large

MAX_PENDING = 256


def read_thumbnail(path: str, side: int) -> QImage:
    """The image at ``path`` at most ``side`` px on its longest side, turned as its EXIF says (a null
    QImage when it cannot be read). Safe off the window's thread: QImage, not QPixmap."""
    try:
        with Image.open(path) as im:
            if too_large(im.width, im.height):
                return QImage()
            im.draft("RGB", (side, side))  # JPEG: decoded at 1/2 .. 1/8 size
            im.thumbnail((side, side))
            rgba = ImageOps.exif_transpose(im).convert("RGBA")
    except Exception:  # any unreadable file: no thumbnail (its row says why)
        return QImage()
    data = rgba.tobytes()
    return QImage(data, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGBA8888).copy()


class ThumbnailLoader(QObject):
    """Thumbnails of ``side`` px in Qt's pixmap cache, under ``prefix`` + the path."""

    ready = Signal(object)  # a path whose thumbnail is now in the cache (object: a name that is not UTF-8 stays whole)
    _done = Signal(object, int, QImage)  # path, generation, image: from the reader thread to the window's

    def __init__(self, side: int, prefix: str, parent: QObject | None = None):
        super().__init__(parent)
        self.side, self.prefix = side, prefix
        self._pending: OrderedDict[str, None] = OrderedDict()
        self._failed: set[str] = set()  # read once and unreadable: not asked for at every repaint
        self._wake = threading.Condition()
        self._generation = 0  # bumped by clear(): a thumbnail read before it is not put in the cache
        self._thread: threading.Thread | None = None
        self._done.connect(self._store)

    def get(self, path: str) -> QPixmap | None:
        """The cached thumbnail, or None (and it is read in the background, unless it failed before)."""
        pix = QPixmapCache.find(self.prefix + path)
        if pix is not None or path in self._failed:
            return pix
        with self._wake:
            self._pending[path] = None
            self._pending.move_to_end(path)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="thumbnails", daemon=True)
                self._thread.start()
            self._wake.notify()
        return None

    def clear(self) -> None:
        """Forget every thumbnail (a new run: the files may have changed) and every request."""
        with self._wake:
            self._pending.clear()
            self._generation += 1
        self._failed.clear()
        QPixmapCache.clear()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                path, _ = self._pending.popitem(last=True)  # the newest: what is on screen now
                generation = self._generation
            image = read_thumbnail(path, self.side)
            try:
                self._done.emit(path, generation, image)
            except RuntimeError:  # the table went away meanwhile
                return

    def _store(self, path: str, generation: int, image: QImage) -> None:
        if generation != self._generation:
            return
        if image.isNull():
            self._failed.add(path)
        else:
            QPixmapCache.insert(self.prefix + path, QPixmap.fromImage(image))
        self.ready.emit(path)
