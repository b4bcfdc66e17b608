"""The Images tab: open, drop or paste images; see each one, what the model sees, and the answer."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from desktop.app.result_panel import ResultPanel
from desktop.engine.errors import DigitsError
from desktop.engine.files import IMAGE_SUFFIXES
from desktop.engine.imageio import load_gray
from desktop.engine.recognize import recognize

log = logging.getLogger("digits.images")
FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ");;All files (*)"


class ImagesTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setAcceptDrops(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Loaded images")
        self.list.currentItemChanged.connect(lambda cur, _: self._show(cur))
        open_btn = QPushButton("Open…")
        open_btn.clicked.connect(self.open_dialog)
        paste_btn = QPushButton("Paste")
        paste_btn.clicked.connect(self.paste)
        self.preview = QLabel("Open, drop or paste an image of a digit.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(240, 240)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.result = ResultPanel("Open, drop or paste an image.")
        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(open_btn)
        row.addWidget(paste_btn)
        left.addLayout(row)
        left.addWidget(self.list)
        lw = QWidget()
        lw.setLayout(left)
        mid = QVBoxLayout()
        mid.addWidget(self.preview, 1)
        mid.addWidget(self.message)
        mw = QWidget()
        mw.setLayout(mid)
        split = QSplitter()
        split.addWidget(lw)
        split.addWidget(mw)
        split.addWidget(self.result)
        split.setSizes([200, 320, 360])
        QVBoxLayout(self).addWidget(split)

    # --- adding images -------------------------------------------------------------------
    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open images", "", FILTER)
        self.add_files(files)

    def add_files(self, files: list[str]) -> None:
        for f in files:
            item = QListWidgetItem(Path(f).name)
            item.setData(Qt.ItemDataRole.UserRole, f)
            item.setToolTip(f)
            self.list.addItem(item)
        if files:
            self.list.setCurrentRow(self.list.count() - 1)

    def add_image(self, image: QImage, name: str) -> None:
        """An in-memory image (pasted): encoded to PNG so it goes through the same loader."""
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        item = QListWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, bytes(buf.data()))
        self.list.addItem(item)
        self.list.setCurrentRow(self.list.count() - 1)

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime.hasImage():
            self.add_image(QImage(mime.imageData()), f"pasted image {self.list.count() + 1}")
        elif mime.hasUrls():
            self.add_files([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])
        else:
            self.message.setText("The clipboard holds no image.")

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls() or e.mimeData().hasImage():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        if e.mimeData().hasImage():
            self.add_image(QImage(e.mimeData().imageData()), "dropped image")
        else:
            self.add_files([u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()])

    # --- showing -------------------------------------------------------------------------
    def _show(self, item: QListWidgetItem | None) -> None:
        self.message.setText("")
        if item is None:
            return
        source = item.data(Qt.ItemDataRole.UserRole)
        try:
            gray = load_gray(source)
        except DigitsError as e:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("")
            self.message.setText(str(e))
            self.result.show_empty("This file could not be read.")
            log.info("image %s error %s", item.text(), e)
            return
        from desktop.app.qtimage import qimage_from_gray

        pix = QPixmap.fromImage(qimage_from_gray(gray))
        self.preview.setPixmap(pix.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
        if self.state.classifier is None:
            self.result.show_empty("No model loaded: see Settings.")
            return
        p = recognize(self.state.classifier, gray)
        log.info("image %s prediction %s %s %.4f", item.text(), p.digit, p.status, p.confidence)
        self.result.show_prediction(p)
