"""The Batch tab: classify a folder in the background, watch the table fill, filter, export."""
from __future__ import annotations

import io
import logging
import time
from pathlib import Path

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QSaveFile, QSize, QSortFilterProxyModel, Qt, QThread,
                            Signal)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImageReader, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget)

from desktop.engine.batch import Row, classify_files
from desktop.engine.files import find_images
from desktop.engine.recognize import NOT_A_DIGIT, STATUSES, UNSURE, format_confidence
from desktop.engine.results import RowWriter

log = logging.getLogger("digits.batch")

COLUMNS = ["", "file", "digit", "confidence", "unsure", "error", "status"]  # status last: indices stay
THUMB = 28
THUMB_CACHE = 4000


class BatchThread(QThread):
    """Runs the engine's batch classifier off the UI thread; rows come back in chunks."""

    rowsReady = Signal(list)
    counted = Signal(int)

    def __init__(self, paths: list[str], recursive: bool, number: bool, model_path: str | None,
                 workers: int, parent=None):
        super().__init__(parent)
        self.paths, self.recursive, self.number = paths, recursive, number
        self.model_path, self.workers = model_path, workers
        self.error = ""
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    @property
    def cancelled(self) -> bool:
        return self._cancel

    def run(self) -> None:
        total = 0
        for _ in find_images(self.paths, self.recursive):
            total += 1
            if self._cancel:
                return
        self.counted.emit(total)
        chunks = classify_files(find_images(self.paths, self.recursive), self.model_path,
                                workers=self.workers if total > 256 else 1, number=self.number,
                                start_method="spawn")
        try:
            for rows in chunks:
                self.rowsReady.emit(rows)
                if self._cancel:
                    break
        except Exception as e:  # an unusable model: shown to the user, the rows so far stay
            self.error = str(e)
        finally:
            chunks.close()


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []
        self._thumbs: dict[str, QPixmap] = {}

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def append(self, rows: list[Row]) -> None:
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self._thumbs.clear()
        self.endResetModel()

    def _thumb(self, path: str) -> QPixmap:
        pix = self._thumbs.get(path)
        if pix is None:
            reader = QImageReader(path)
            size = reader.size()
            if size.isValid() and max(size.width(), size.height()) > THUMB:
                reader.setScaledSize(size.scaled(QSize(THUMB, THUMB), Qt.AspectRatioMode.KeepAspectRatio))
            pix = QPixmap.fromImage(reader.read())
            if len(self._thumbs) > THUMB_CACHE:
                self._thumbs.clear()
            self._thumbs[path] = pix
        return pix

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and not r.error:
            return self._thumb(r.path)
        if role == Qt.ItemDataRole.DisplayRole:
            return [None, Path(r.path).name, r.digit, None if r.confidence is None else format_confidence(r.confidence),
                    "yes" if r.unsure else "", r.error, r.status][col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return r.path
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return [r.path, r.path, r.digit, -1.0 if r.confidence is None else r.confidence, r.unsure, r.error,
                    STATUSES.index(r.status) if r.status in STATUSES else len(STATUSES)][col]
        return None


class ResultsFilter(QSortFilterProxyModel):
    # The first three are the original filters (kept at their indices); then one per status.
    MODES = ["All", "Unsure only", "Failed only", *(f"Status: {s}" for s in STATUSES)]
    FIRST_STATUS = 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = 0
        self.text = ""
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set_mode(self, mode: int) -> None:
        self.mode = mode
        self.invalidateFilter()

    def set_text(self, text: str) -> None:
        self.text = text.lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        r = self.sourceModel().rows[source_row]
        if self.mode == 1 and not r.unsure:
            return False
        if self.mode == 2 and not r.error:
            return False
        if self.mode >= self.FIRST_STATUS and r.status != STATUSES[self.mode - self.FIRST_STATUS]:
            return False
        return not self.text or self.text in r.path.lower()


class BatchTab(QWidget):
    inspect = Signal(str)

    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.thread: BatchThread | None = None
        self.total = 0
        self.started = 0.0
        self.setAcceptDrops(True)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Choose, drop or type a folder of images, then Enter")
        self.folder.returnPressed.connect(self.start)
        choose = QPushButton("Choose folder…")
        choose.clicked.connect(self.choose_folder)
        self.recursive = QCheckBox("Include subfolders")
        self.recursive.setChecked(True)
        self.number = QCheckBox("Numbers (several digits per image)")
        self.start_btn = QPushButton("Start")
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.status = QLabel("")
        self.filter_box = QComboBox()
        self.filter_box.addItems(ResultsFilter.MODES)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by file name")
        self.export_btn = QPushButton("Export…")
        self.export_btn.clicked.connect(self.export_dialog)
        self.model = ResultsModel(self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter_box.currentIndexChanged.connect(self.proxy.set_mode)
        self.search.textChanged.connect(self.proxy.set_text)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 4)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, THUMB + 8)
        self.table.doubleClicked.connect(self._double_clicked)

        row1 = QHBoxLayout()
        row1.addWidget(self.folder, 1)
        row1.addWidget(choose)
        row2 = QHBoxLayout()
        for w in (self.recursive, self.number):
            row2.addWidget(w)
        row2.addStretch()
        row2.addWidget(self.start_btn)
        row2.addWidget(self.cancel_btn)
        row3 = QHBoxLayout()
        row3.addWidget(self.progress, 1)
        row3.addWidget(self.status)
        row4 = QHBoxLayout()
        row4.addWidget(QLabel("Show"))
        row4.addWidget(self.filter_box)
        row4.addWidget(self.search, 1)
        row4.addWidget(self.export_btn)
        lay = QVBoxLayout(self)
        for r in (row1, row2, row3, row4):
            lay.addLayout(r)
        lay.addWidget(self.table, 1)

    def choose_folder(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Folder of images")
        if d:  # the user chose a folder to classify it: start at once
            self.folder.setText(d)
            self.start()

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        urls = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.folder.setText(urls[0])
            self.start()

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> None:
        folder = self.folder.text().strip()
        if self.running:
            return
        if not folder or not Path(folder).exists():
            self.status.setText("Choose a folder that exists.")
            return
        self.model.clear()
        self.total = 0
        self.progress.setRange(0, 0)  # busy until the files are counted
        self.started = time.perf_counter()
        self.thread = BatchThread([folder], self.recursive.isChecked(), self.number.isChecked(),
                                  self.state.model_path, self.state.workers, self)
        self.thread.counted.connect(self._counted)
        self.thread.rowsReady.connect(self._rows)
        self.thread.finished.connect(self._finished)
        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setText("Counting files…")
        self.thread.start()

    def cancel(self) -> None:
        if self.thread is not None:
            self.thread.cancel()
            self.status.setText("Cancelling…")

    def _counted(self, total: int) -> None:
        self.total = total
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)

    def _rows(self, rows: list) -> None:
        self.model.append(rows)
        n = len(self.model.rows)
        self.progress.setValue(n)
        rate = n / max(time.perf_counter() - self.started, 1e-6)
        self.status.setText(f"{n} / {self.total} files, {rate:.0f}/s")

    def _finished(self) -> None:
        t = self.thread
        n = len(self.model.rows)
        failed = sum(1 for r in self.model.rows if r.error)
        what = "Cancelled" if t and t.cancelled else "Done"
        flagged = {s: sum(1 for r in self.model.rows if r.status == s) for s in (NOT_A_DIGIT, UNSURE)}
        msg = f"{what}: {n} of {self.total} files, {failed} errors or no digit"
        msg += "".join(f", {v} {k}" for k, v in flagged.items() if v)
        if t and t.error:
            msg = f"Stopped: {t.error}"
        self.status.setText(msg)
        log.info("batch %s", msg)
        self.progress.setRange(0, max(self.total, 1))
        self.progress.setValue(n)
        self.start_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)

    def _double_clicked(self, index: QModelIndex) -> None:
        r = self.model.rows[self.proxy.mapToSource(index).row()]
        self.inspect.emit(r.path)

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export results", "results.csv",
                                              "CSV (*.csv);;JSON lines (*.jsonl)")
        if path:
            self.export(path)

    def export(self, path: str) -> bool:
        """Write all rows atomically (QSaveFile): a failed export never leaves half a file."""
        buf = io.StringIO()
        writer = RowWriter(buf, "jsonl" if path.endswith((".jsonl", ".json")) else "csv", write_header=True)
        writer.write(self.model.rows)
        f = QSaveFile(path)
        if not f.open(QSaveFile.OpenModeFlag.WriteOnly):
            QMessageBox.warning(self, "Export failed", f"{path} could not be written: {f.errorString()}")
            return False
        f.write(buf.getvalue().encode("utf-8"))
        if not f.commit():
            QMessageBox.warning(self, "Export failed", f"{path} could not be written: {f.errorString()}")
            return False
        self.status.setText(f"Exported {len(self.model.rows)} rows to {path}")
        return True
