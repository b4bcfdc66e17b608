"""The Images tab: open, drop or paste images; see each one, what the model sees, and the answer.

The image is read whole or, after a rectangle is dragged on it, only that region (a digit on a
page with a footer); as one digit, or as a number (a toggle, set by the Batch tab when a row
was read as one). Digit boxes and "Why?" are drawn over the image itself.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QMimeData, QPoint, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (QApplication, QCheckBox, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMenu, QPushButton, QSplitter, QVBoxLayout, QWidget)

from desktop.app.background import NewestFirst
from desktop.app.draw_tab import scrolled
from desktop.app.locate import Box, marks_for, offset
from desktop.app.preview import ImagePreview
from desktop.app.qtimage import qimage_from_gray
from desktop.app.correction import CorrectionButton, crop, sample_of
from desktop.app.places import accept_as_copy, image_paths_in_text, local_paths, remember_dir, start_dir
from desktop.app.result_panel import ResultPanel
from desktop.app.state import remember, remembered
from desktop.engine.errors import DigitsError, needs_memory
from desktop.engine.explain import occlusion_map, occlusion_maps
from desktop.engine.files import IMAGE_SUFFIXES
from desktop.engine.imageio import load_gray, slow_to_decode, too_large
from desktop.engine.recognize import recognize, recognize_number

log = logging.getLogger("digits.images")
FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ");;All files (*)"
SOURCE, REGION = Qt.ItemDataRole.UserRole, Qt.ItemDataRole.UserRole + 1
INVITATION = "Open, drop or paste an image of a digit."
QT_IMAGE_LIMIT = 256 << 20  # bytes: Qt's image reader refuses to decode larger (QImageReader.allocationLimit)


def fitted(box: Box | None, shape: tuple[int, ...]) -> Box | None:
    """``box`` clipped to an image of ``shape``; None when too little of it is left to read."""
    if box is None:
        return None
    h, w = shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(box[0] + box[2])), min(h, int(box[1] + box[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


PASTE_SIDE = 2048  # a pasted or dropped image is kept at most this long (the engine reads at 160-640 px)
PASTE_AT_ONCE = 2_000_000  # pixels: a paste this small is encoded on the window's thread (a few ms)
PASTES_WAITING = 64  # large pastes waiting to be encoded, at most (more are dropped: none is pasted so fast)




def damaged(mime: QMimeData) -> bool:
    """Qt could not decode the clipboard's encoded image (another program's PNG, say), and its header
    gives no size, or a size Qt's 256 MB limit would take: damaged (cut short, say), not too large.
    False when there is none to look at."""
    encoded = [mime.data(f) for f in mime.formats() if f.startswith("image/")]
    if not encoded:
        return bool(mime.hasFormat("application/x-qt-image")) and not len(mime.data("application/x-qt-image"))
    buf = QBuffer()
    buf.setData(max(encoded, key=len))
    size = QImageReader(buf).size()
    return not size.isValid() or size.width() * size.height() * 4 <= QT_IMAGE_LIMIT


def image_of(mime: QMimeData) -> QImage:
    """The image the mime data holds; a null image where Qt could decode none. A 0-byte image/png
    gives no image (None, or empty bytes), and QImage(None) raised: an "Unexpected error" dialog
    with PySide's list of signatures (an hour's soak of the real window)."""
    data = mime.imageData()
    if isinstance(data, QImage):
        return data
    if isinstance(data, QPixmap):
        return data.toImage()
    return QImage.fromData(bytes(data)) if isinstance(data, (bytes, QByteArray)) and len(data) else QImage()


def _read_request(request: tuple[int, str | os.PathLike]) -> np.ndarray:
    return load_gray(request[1])


def why_unread(name: str, error: BaseException) -> str:
    """What an image that a thread of its own failed to read says, in words (a MemoryError too)."""
    if isinstance(error, MemoryError):
        return needs_memory(name)
    return f"{name} could not be read: {str(error) or type(error).__name__}."


@dataclass(eq=False)  # one paste, known by identity: two pastes of one image are two
class _Paste:
    """A large paste waiting to be encoded (its own thread touches only this), then listed in turn."""

    image: QImage
    name: str
    png: bytes | None = None  # when encoded
    failed: bool = False


def encoded(image: QImage) -> bytes:
    """A pasted image as PNG bytes, shrunk to PASTE_SIDE first: reading shrinks it far more anyway, and
    encoding 64 MP to PNG froze the window 1.3-1.7 s. (QImage, not QPixmap: safe off the window's thread.)"""
    if max(image.width(), image.height()) > PASTE_SIDE:
        image = image.scaled(PASTE_SIDE, PASTE_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data())


def _same_file(path: Path) -> str:
    """One key for every name of a file (relative, with .., through links)."""
    return os.path.normcase(os.path.realpath(path))


class ImagesTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.showing = 0  # counts the images shown: a slow read finished after another was chosen is dropped
        self.slow_reads = NewestFirst(_read_request, keep=1, parent=self)  # requests: (showing, source)
        self.slow_reads.done.connect(self._on_read)
        # Large pastes are shrunk and encoded on a thread of their own (an 8000x8000 paste held the
        # window 0.4-0.6 s, 2.3 s once, in a hostile pass's long session), listed in the order pasted.
        self.pending: list[_Paste] = []
        self.encoder = NewestFirst(lambda paste: encoded(paste.image), keep=PASTES_WAITING, parent=self)
        self.encoder.done.connect(self._on_encoded)
        self.gray: np.ndarray | None = None  # the current image, whole
        self.last = None
        self.pasted = 0  # images pasted this session
        self.setAcceptDrops(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Loaded images")
        self.list.currentItemChanged.connect(lambda cur, _: self._show(cur))
        # Pasted images are kept in memory (up to PASTE_SIDE): an afternoon of pastes needs a way out.
        self.remove_action = QAction("Remove from the list\tDel", self.list)
        self.remove_action.triggered.connect(self.remove_current)
        # Delete is a key press in the list, not the action's shortcut: the window's "Clear drawing"
        # holds that shortcut (an ambiguous pair does nothing in Qt).
        self.list.installEventFilter(self)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._list_menu)
        open_btn = QPushButton("Open…")
        open_btn.clicked.connect(self.open_dialog)
        paste_btn = QPushButton("Paste")
        paste_btn.clicked.connect(self.paste)
        self.number_mode = QCheckBox("Number")
        self.number_mode.setToolTip("Read several digits in a row (e.g. 2024) instead of one")
        self.number_mode.setChecked(remembered("images/number_mode", False, bool))
        self.number_mode.toggled.connect(self._on_number)
        self.why = QCheckBox("Why?")
        self.why.setToolTip("Shade the parts of the image that drove the answer")
        self.why.setChecked(remembered("images/why", False, bool))
        self.why.toggled.connect(self._on_why)
        self.whole_btn = QPushButton("Whole image")
        self.whole_btn.setToolTip("Read the whole image again, not the region dragged on it")
        self.whole_btn.setEnabled(False)
        self.whole_btn.clicked.connect(lambda: self.set_region(None))
        self.preview = ImagePreview(INVITATION)
        self.preview.regionSelected.connect(self.set_region)
        self.hint = QLabel("Drag on the image to read only part of it.")
        self.hint.setStyleSheet("color: gray")
        self.hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.result = ResultPanel("Open, drop or paste an image.", nothing_found="No digit found in this image.")
        # "Wrong? ▾" under the answer: keeps the image read with the right digit (correction.py).
        self.correction = CorrectionButton(
            "images", lambda: sample_of(self.last, crop(self.gray, self.region()), self.result.strip.chosen))
        self.result.layout().addWidget(self.correction)
        self.result.selectedChanged.connect(lambda k: self.preview.set_marks(self.preview.marks, k))
        self.preview.digitClicked.connect(self.result.choose_digit)
        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(open_btn)
        row.addWidget(paste_btn)
        left.addLayout(row)
        left.addWidget(self.list)
        lw = QWidget()
        lw.setLayout(left)
        mid = QVBoxLayout()
        tools = QHBoxLayout()
        for w in (self.number_mode, self.why, self.whole_btn):
            tools.addWidget(w)
        tools.addStretch()
        mid.addLayout(tools)
        mid.addWidget(self.preview, 1)
        mid.addWidget(self.hint)
        mid.addWidget(self.message)
        mw = QWidget()
        mw.setLayout(mid)
        split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(lw)
        split.addWidget(mw)
        split.addWidget(scrolled(self.result))
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        split.setSizes([160, 420, 320])
        lw.setMinimumWidth(100)
        QVBoxLayout(self).addWidget(split)

    # --- adding images -------------------------------------------------------------------
    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open images", start_dir("images"), FILTER)
        if files:
            remember_dir("images", files[0])  # the next dialog starts here (else in Pictures)
        self.add_files(files)

    def open(self, path: str, number: bool) -> None:
        """Show one file read as a number or as one digit (the Batch tab's double-click)."""
        self.add_files([path], number=number)

    def add_files(self, files: list[str], number: bool | None = None) -> None:
        """Add files to the list and show the last; ``number`` sets the mode first when given."""
        # Each file once (a list of 5,000 addresses pasted over 3,000 files made 5,000 entries); a
        # folder is read in the Batch tab (dropped here with a file, it was an entry "is a folder").
        files = list(dict.fromkeys(files))
        folders = {f for f in files if os.path.isdir(f)}
        files = [f for f in files if f not in folders]
        if number is not None and number != self.number_mode.isChecked():
            self.number_mode.blockSignals(True)  # the new file is read once, below, in that mode
            self.number_mode.setChecked(number)
            self.number_mode.blockSignals(False)
            remember("images/number_mode", number)
        # Nor again when opened again, or by another name (bad/../bad/a.png, a link): its entry is shown
        # (a hostile pass: one file opened four ways made four entries).
        listed = {_same_file(src): row for row in range(self.list.count())
                  if isinstance(src := self.list.item(row).data(SOURCE), Path)}
        show = None
        for f in files:
            key = _same_file(Path(f))
            if key in listed:
                show = listed[key]
                continue
            item = QListWidgetItem(Path(f).name)
            item.setData(SOURCE, Path(f))  # a Path: a name that is not UTF-8 keeps its bytes (a str becomes a QString)
            item.setToolTip(f)
            self.list.addItem(item)
            listed[key] = show = self.list.count() - 1
        if show is not None and show == self.list.currentRow():
            self._show(self.list.item(show))  # read again: the mode may have changed, or the file
        elif show is not None:
            self.list.setCurrentRow(show)
        if folders:  # said after the last file is shown (showing one clears the message)
            self.message.setText(f"{len(folders)} folder{'s' if len(folders) > 1 else ''} left out: "
                                 "folders are read in the Batch tab.")

    def add_image(self, image: QImage, name: str) -> None:
        """An in-memory image (pasted): encoded to PNG so it goes through the same loader."""
        if image.isNull():
            # Qt could not decode it (over its 256 MB image limit, or broken): said here, not added
            # as an entry that read "The image data is empty" (a 40-minute soak pasted 72 MP).
            self.message.setText(f"The {name} could not be read: it is too large (over 256 MB decoded) or "
                                 "damaged. Save it to a file and open that instead.")
            return
        if refused := too_large(image.width(), image.height(), f"The {name}"):
            # Refused before the encoding: a 9000x9000 paste froze the window 1.5 s, then the loader refused it.
            self.message.setText(refused)
            return
        if image.width() * image.height() <= PASTE_AT_ONCE:
            self._add_encoded(name, encoded(image))
            return
        if len(self.pending) >= PASTES_WAITING:
            self.message.setText(f"{len(self.pending)} pasted images are still being read: paste again when "
                                 "they are listed.")
            return
        paste = _Paste(image, name)
        self.pending.append(paste)
        self.message.setText(f"Reading the {name}…")
        self.encoder.request(paste)

    def _on_encoded(self, paste: _Paste, result: object) -> None:
        if paste not in self.pending:
            return  # taken off with "Remove all" while it was read
        if isinstance(result, BaseException):  # (a MemoryError: said, not lost with the thread)
            log.exception("encoding %s", paste.name, exc_info=result)
            paste.failed = True
            self.message.setText(why_unread(f"The {paste.name}", result))
        else:
            paste.png = result
        # Listed in the order pasted (the thread takes the newest first), each when those before it are.
        while self.pending and (self.pending[0].png is not None or self.pending[0].failed):
            done = self.pending.pop(0)
            if done.png is not None:
                if self.message.text().startswith("Reading the"):
                    self.message.setText("")
                self._add_encoded(done.name, done.png)

    def _add_encoded(self, name: str, png: bytes) -> None:
        item = QListWidgetItem(name)
        item.setData(SOURCE, png)
        self.list.addItem(item)
        self.list.setCurrentRow(self.list.count() - 1)

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.list and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers()):
            self.remove_current()
            return True
        return super().eventFilter(watched, event)

    def remove_current(self) -> None:
        """Take the image shown off the list (its file stays); the next one is shown."""
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
        if self.list.count() == 0:
            self.remove_all()

    def remove_all(self) -> None:
        self.showing += 1  # a slow read still going is dropped when it ends
        self.pending.clear()  # and pastes still being read are not listed
        self.encoder.clear()
        self.list.clear()
        self.gray, self.last = None, None
        self.whole_btn.setEnabled(False)
        self.message.setText("")
        self.preview.set_image(None, INVITATION)
        self.result.show_empty()
        self.correction.answer_changed()

    def list_menu(self) -> QMenu:
        m = QMenu(self)
        m.addAction(self.remove_action)
        m.addAction("Remove all", self.remove_all)
        return m

    def _list_menu(self, pos: QPoint) -> None:
        menu = self.list_menu()
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()  # a child of the tab: each right-click's menu would stay for the session

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is None:  # Qt may have no clipboard data at all (offscreen, some platforms): an AttributeError
            self.message.setText("The clipboard holds no image.")
            return
        if mime.hasImage():
            image = image_of(mime)
            if image.isNull() and damaged(mime):
                # Not "too large (over 256 MB decoded) or damaged" of 3 KB of broken PNG, naming a
                # "pasted image 6" that was never added (a hostile pass).
                self.message.setText("The image in the clipboard could not be read: it is damaged or empty. Copy "
                                     "it again, or save it to a file and open that.")
                return
            self.pasted += 1  # counted, not the list's length: after a removal, names repeated
            self.add_image(image, f"pasted image {self.pasted}")
        elif files := local_paths(mime):
            self.add_files(files)
        elif files := image_paths_in_text(mime.text() if mime.hasText() else ""):
            self.add_files(files)  # a path copied from a terminal or a file manager's address bar
        else:  # text, or only web addresses: nothing here to read
            self.message.setText("The clipboard holds no image.")

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls() or e.mimeData().hasImage():
            accept_as_copy(e)

    def dropEvent(self, e: QDropEvent) -> None:
        accept_as_copy(e)
        files = local_paths(e.mimeData())
        if e.mimeData().hasImage():
            self.add_image(image_of(e.mimeData()), "dropped image")
        elif files:
            self.add_files(files)
        else:  # a web link: accepted, then nothing happened, under the previous drop's message
            self.message.setText("Only files on this computer can be opened: save the image, then open it.")

    # --- modes and region ------------------------------------------------------------------
    def _on_number(self, on: bool) -> None:
        remember("images/number_mode", on)
        self.read()

    def _on_why(self, on: bool) -> None:
        remember("images/why", on)
        self.read()

    def region(self) -> Box | None:
        item = self.list.currentItem()
        return None if item is None else item.data(REGION)

    def set_region(self, box: Box | None) -> None:
        """Read only ``box`` (image pixels) of the current image; None: the whole image again."""
        item = self.list.currentItem()
        if item is None or self.gray is None:
            return
        item.setData(REGION, box)  # kept per image: going back to it reads the same part
        self.preview.set_region(box)
        self.whole_btn.setEnabled(box is not None)
        self.read()

    # --- showing -------------------------------------------------------------------------
    def _show(self, item: QListWidgetItem | None) -> None:
        self.showing += 1
        self.message.setText("")
        self.gray = None
        self.whole_btn.setEnabled(False)
        if item is None:
            return
        source = item.data(SOURCE)
        if not slow_to_decode(source):
            try:
                self._shown(item, load_gray(source))
            except DigitsError as e:
                self._shown(item, e)
            return
        # A very large image is read by a thread of its own: the window answers meanwhile.
        self.preview.set_image(None, "")
        self.message.setText(f"Reading {item.text()}…")
        self.result.show_empty("Reading the image…")
        self.slow_reads.request((self.showing, source))

    def _on_read(self, request: tuple[int, object], result: object) -> None:
        if request[0] != self.showing or self.list.currentItem() is None:
            return  # another image was chosen meanwhile
        self.message.setText("")
        if isinstance(result, Exception) and not isinstance(result, DigitsError):
            log.exception("reading %s", request[1], exc_info=result)  # (a MemoryError, say): said, not "Reading…" for ever
            result = DigitsError(why_unread(self.list.currentItem().text(), result))
        self._shown(self.list.currentItem(), result)

    def _shown(self, item: QListWidgetItem, result: np.ndarray | DigitsError) -> None:
        """Show an image read (and read it), or why it could not be read."""
        if isinstance(result, DigitsError):
            self.preview.set_image(None, "")
            self.message.setText(str(result))
            self.result.show_empty("This file could not be read.")
            log.info("image %s error %s", item.text(), result)
            return
        gray = result
        self.gray = gray
        # The file is read again each time: one that changed on disk may no longer hold the region.
        item.setData(REGION, fitted(item.data(REGION), gray.shape))
        self.preview.set_image(qimage_from_gray(gray))
        self.preview.set_region(item.data(REGION))
        self.whole_btn.setEnabled(item.data(REGION) is not None)
        self.read(item.text())

    def read(self, name: str | None = None) -> None:
        """Recognise the current image (or its region) in the current mode and show the answer."""
        if self.gray is None:
            return
        name = name or (self.list.currentItem().text() if self.list.currentItem() else "")
        clf = self.state.classifier
        if clf is None:
            self.result.show_empty("No model loaded: see Settings.")
            return
        box = self.region()
        gray, dx, dy = self.gray, 0.0, 0.0
        if box is not None:
            x, y, w, h = (int(v) for v in box)
            gray, dx, dy = self.gray[y : y + h, x : x + w], float(x), float(y)
        why = self.why.isChecked()
        if self.number_mode.isChecked():
            n = recognize_number(clf, gray)
            self.last = n
            heats = occlusion_maps(clf, [d.input28 for d in n.digits], [d.digit for d in n.digits]) if why else None
            log.info("image %s prediction %s %s %.4f", name, n.text or "-", n.status, n.confidence)
            self.result.show_number(n, heats)
            marks = marks_for(gray, n, heats)
            selected = self.result.strip.current
        else:
            p = recognize(clf, gray)
            self.last = p
            heat = occlusion_map(clf, p.input28, p.digit) if why and p.digit is not None else None
            log.info("image %s prediction %s %s %.4f", name, p.digit, p.status, p.confidence)
            self.result.show_prediction(p, heat)
            marks = marks_for(gray, p, [heat]) if p.digit is not None else []
            selected = None
        for m in marks:
            m.box = offset(m.box, dx, dy)
        self.preview.set_marks(marks, selected)
        self.correction.answer_changed()
