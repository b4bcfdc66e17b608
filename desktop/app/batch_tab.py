"""The Batch tab: classify a folder in the background, watch the table fill, filter, export."""
from __future__ import annotations

import bisect
import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, QPoint, QSortFilterProxyModel, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QMessageBox, QProgressBar, QPushButton, QTableView, QVBoxLayout,
                               QWidget)

from desktop.app.correction import Sample, digit_menu, keep
from desktop.app.places import (accept_as_copy, corrections_folder, local_paths, path_in_text, previous_results_path,
                                remember_dir, save_file, save_path, start_dir)
from desktop.app.batch_thread import BatchThread
from desktop.app.state import remembered, settings
from desktop.app.thumbnails import ThumbnailLoader
from desktop.engine.errors import DigitsError
from desktop.engine.files import natural_key
from desktop.engine.imageio import load_gray
from desktop.engine.recognize import DIGIT, ERROR, NO_DIGIT, NOT_A_DIGIT, STATUSES, UNSURE, format_confidence
from desktop.engine.results import Row, format_for, rows_bytes

log = logging.getLogger("digits.batch")

COLUMNS = ["", "file", "digit", "confidence", "unsure", "error", "status"]  # status last: indices stay
THUMB = 28
THUMB_KEY = "digits-batch-thumb:"  # QPixmapCache keys: this prefix and the path
FILE_COLUMN = 1
# The run's summary names every outcome apart (singular, plural): a failed read is not "no digit".
OUTCOMES = ((DIGIT, "answer", "answers"), (UNSURE, "unsure", "unsure"), (NOT_A_DIGIT, "not a digit", "not a digit"),
            (NO_DIGIT, "no digit", "no digit"), (ERROR, "error", "errors"))
EXPORT_CHOICES = ("rows shown", "all rows")
STATUS_TIPS = {DIGIT: "read as a digit (or a number)", UNSURE: "a guess: the model hesitates between two digits",
               NOT_A_DIGIT: "ink that no digit fits", NO_DIGIT: "no ink found: empty or too faint",
               ERROR: "the file could not be read"}


def summary(rows: list[Row]) -> str:
    """E.g. "298 answers, 2 errors": each status counted apart, those with none left out."""
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    parts = [f"{counts[s]} {one if counts[s] == 1 else many}" for s, one, many in OUTCOMES if counts.get(s)]
    return ", ".join(parts)


def relative(path: str, root: str) -> str:
    """The path as the table shows it: relative to the chosen folder, so files in subfolders differ."""
    if not root:
        return Path(path).name
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return path
    return Path(path).name if rel == "." else rel


KEPT_ON_CLOSE = "batch/kept_on_close"  # the note of rows kept as the window closed, for the next start

class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []
        self.root = ""  # the chosen folder (a file: its folder); the file column is relative to it
        # Per row, made once as it arrives: the path shown, lower-cased for the filter, and the sort
        # keys. The rows are kept in the order shown and sorted here, by Python's sort: sorted by the
        # proxy, each comparison called data() (3,000 rows froze the window 0.6-2 s: a hostile pass).
        self.shown: list[str] = []
        self.lowered: list[str] = []
        self.keys: list[tuple] = []
        self.sorted_by: tuple[int, bool] | None = None  # (column, descending)
        self._row_of: dict[str, int] | None = None  # path -> row, made when a thumbnail arrives after a change
        self.thumbnails = ThumbnailLoader(THUMB, THUMB_KEY, self)
        self.thumbnails.ready.connect(self._thumbnail_ready)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "thumbnail" if section == 0 else "path relative to the chosen folder" if section == 1 else None
        return None

    def shown_path(self, r: Row) -> str:
        return relative(r.path, self.root)

    def _made(self, r: Row) -> tuple[str, tuple]:
        """What is made once for a row: the path shown, and its sort keys by column."""
        shown = self.shown_path(r)
        path_key = natural_key(shown)  # scan_2 before scan_10, as the folder was read
        return shown, (path_key, path_key, r.digit, -1.0 if r.confidence is None else r.confidence, r.unsure,
                       r.error, STATUSES.index(r.status) if r.status in STATUSES else len(STATUSES))

    def _insert(self, at: int, r: Row, made: tuple[str, tuple]) -> None:
        self._row_of = None
        shown, key = made
        for per_row, value in zip(self._per_row, (r, shown, shown.lower(), key)):
            per_row.insert(at, value)

    @property
    def _per_row(self) -> tuple[list, list, list, list]:
        return self.rows, self.shown, self.lowered, self.keys

    def append(self, rows: list[Row]) -> None:
        """New rows, each where the current sort puts it (after the rows that sort equal)."""
        if not rows:
            return
        if self.sorted_by is None:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            for r in rows:
                self._insert(len(self.rows), r, self._made(r))
            self.endInsertRows()
            return
        col, descending = self.sorted_by
        by = (lambda k: _Reversed(k[col])) if descending else (lambda k: k[col])
        for r in rows:
            made = self._made(r)
            at = bisect.bisect_right(self.keys, by(made[1]), key=by)
            self.beginInsertRows(QModelIndex(), at, at)
            self._insert(at, r, made)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        self.sorted_by = (column, descending)
        if not self.rows:
            return
        self.layoutAboutToBeChanged.emit()
        new_order = sorted(range(len(self.rows)), key=lambda i: self.keys[i][column], reverse=descending)
        where = {old: new for new, old in enumerate(new_order)}
        for per_row in self._per_row:
            per_row[:] = [per_row[i] for i in new_order]
        self._row_of = None
        before = self.persistentIndexList()
        self.changePersistentIndexList(before, [self.index(where[i.row()], i.column()) for i in before])
        self.layoutChanged.emit()

    def clear(self) -> None:
        self.beginResetModel()
        for per_row in self._per_row:
            per_row.clear()
        self._row_of = None
        self.thumbnails.clear()  # a new run: files may have changed since their thumbnails were made
        self.endResetModel()

    def _thumbnail_ready(self, path: str) -> None:
        # Its row alone: a change to the whole column made the filter look at every row again, 37 ms
        # a thumbnail in a table of 15,000 (a hostile pass: the window froze 0.6-1 s a screenful).
        if self._row_of is None:
            self._row_of = {r.path: i for i, r in enumerate(self.rows)}
        row = self._row_of.get(path)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Qt.ItemDataRole.DecorationRole])

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and r.status != ERROR:  # a blank page shows too
            return self.thumbnails.get(r.path)
        if role == Qt.ItemDataRole.DisplayRole:
            return [None, self.shown[index.row()], r.digit,
                    None if r.confidence is None else format_confidence(r.confidence),
                    "yes" if r.unsure else "", r.error, r.status][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole text of cells a column may cut (the error, the path); the status in words.
            if col == COLUMNS.index("error") and r.error:
                return r.error
            if col == COLUMNS.index("status"):
                return f"{r.status}: {STATUS_TIPS.get(r.status, '')}"
            if col == COLUMNS.index("digit") and r.top3:
                return f"top 3: {r.top3}"
            return r.path
        return None


class _Reversed:
    """A key that sorts the other way (bisect knows only ascending lists)."""

    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __lt__(self, other: "_Reversed") -> bool:
        return other.k < self.k


class ResultsFilter(QSortFilterProxyModel):
    # The first three are the original filters (kept at their indices); then one per status.
    MODES = ["All", "Unsure only", "Error or no digit", *(f"Status: {s}" for s in STATUSES)]
    FIRST_STATUS = 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = 0
        self.text = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the source model (ResultsModel.sort); the filter keeps its order."""
        self.sourceModel().sort(column, order)

    def set_mode(self, mode: int) -> None:
        self.mode = mode
        self.invalidateFilter()

    def set_text(self, text: str) -> None:
        # Spaces around the text are no part of a name looked for: a space typed into the box hid
        # every row with no hint (an hour's soak).
        self.text = text.strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        r = self.sourceModel().rows[source_row]
        if self.mode == 1 and not r.unsure:
            return False
        if self.mode == 2 and not r.error:
            return False
        if self.mode >= self.FIRST_STATUS and r.status != STATUSES[self.mode - self.FIRST_STATUS]:
            return False
        # What the user sees: the relative path, never the names of folders above the chosen one.
        return not self.text or self.text in self.sourceModel().lowered[source_row]


class BatchTab(QWidget):
    inspect = Signal(object)  # a path (object: a name that is not UTF-8 keeps its bytes, which a QString drops)
    inspectNumber = Signal(object)  # a row read as a number: the Images tab opens it in number mode
    pasteImage = Signal()  # Ctrl+V with an image in the clipboard, caught by the folder field

    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.thread: BatchThread | None = None
        self._start_after: list[str] | None = None  # a run asked for while the last one was cancelling
        self.unexported = False  # rows came in that no export has written since (keep_unexported)
        self.total = 0
        self.started = 0.0
        self.where = ""  # what the run reads, in words: its folder, or "the 3 files and folders dropped"
        self.setAcceptDrops(True)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Choose, drop or type a folder of images, then Enter")
        self.folder.returnPressed.connect(self.start)
        self.folder.installEventFilter(self)  # Ctrl+V of an image (eventFilter); the search field's too, below
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
        # Esc cancels a running batch, as the tab's notes say (it did nothing: a 40-minute soak). On
        # this tab only; the Draw tab's Esc clears the drawing.
        self.cancel_btn.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_btn.setToolTip("Stop the batch (Esc); the rows read so far are kept")
        self.progress = QProgressBar()
        self.status = QLabel("")
        self.filter_box = QComboBox()
        self.filter_box.addItems(ResultsFilter.MODES)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by path")
        self.search.installEventFilter(self)  # Ctrl+V of an image there did nothing (a soak)
        self.export_what = QComboBox()
        self.export_what.addItems(EXPORT_CHOICES)
        self.export_what.setToolTip("Export only the rows the filter shows, in the order shown, or every row")
        self.export_btn = QPushButton("Export…")
        self.export_btn.clicked.connect(self.export_dialog)
        self.note = QLabel("")  # export and correction messages: the run summary above stays
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray")
        self.run_number = False  # the last run read numbers (double-click opens them in number mode)
        self.model = ResultsModel(self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter_box.currentIndexChanged.connect(self.proxy.set_mode)
        self.search.textChanged.connect(self.proxy.set_text)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for Export (arrows move in it)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 4)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, THUMB + 8)
        self.table.setColumnWidth(COLUMNS.index("error"), 220)  # the path gets the room; the whole error is its tooltip
        self.table.sortByColumn(FILE_COLUMN, Qt.SortOrder.AscendingOrder)  # by path, not the thumbnails
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._restore_choices()

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
        row4.addWidget(QLabel("Export"))
        row4.addWidget(self.export_what)
        row4.addWidget(self.export_btn)
        lay = QVBoxLayout(self)
        for r in (row1, row2, row3, row4):
            lay.addLayout(r)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)

    # --- remembered choices (QSettings) ------------------------------------------------
    def _restore_choices(self) -> None:
        s = settings()
        self.folder.setText(s.value("batch/folder", "") or "")
        self.recursive.setChecked(s.value("batch/recursive", "true") in (True, "true"))
        self.number.setChecked(s.value("batch/number", "false") in (True, "true"))
        self.export_what.setCurrentIndex(remembered("batch/export", 0, int) % len(EXPORT_CHOICES))
        self.export_what.currentIndexChanged.connect(lambda i: settings().setValue("batch/export", i))
        # Rows kept when the window closed (MainWindow.closeEvent): said once, at the next start.
        self.note.setText(s.value(KEPT_ON_CLOSE, "") or "")
        s.remove(KEPT_ON_CLOSE)

    def _remember_run(self, folder: str) -> None:
        s = settings()
        s.setValue("batch/folder", folder)
        s.setValue("batch/recursive", self.recursive.isChecked())
        s.setValue("batch/number", self.number.isChecked())
        remember_dir("batch", folder)

    def eventFilter(self, watched, event) -> bool:
        """Ctrl+V in the folder or search field (where the focus stays after a folder is typed, or a
        name looked for) with an image and no text in the clipboard: the image is pasted as
        everywhere else, not dropped without a word (two soaks)."""
        if (watched in (self.folder, self.search) and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                and event.matches(QKeySequence.StandardKey.Paste)):
            mime = QApplication.clipboard().mimeData()  # None where a platform has no clipboard data
            if mime is not None and mime.hasImage() and not mime.hasText():
                if event.type() == QEvent.Type.KeyPress:
                    self.pasteImage.emit()
                event.accept()
                return event.type() == QEvent.Type.KeyPress
        return super().eventFilter(watched, event)

    def choose_folder(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Folder of images", self.folder.text().strip() or start_dir("batch"))
        if d:  # the user chose a folder to classify it: start at once
            self.folder.setText(d)
            self.start()

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            accept_as_copy(e)

    def dropEvent(self, e: QDropEvent) -> None:
        accept_as_copy(e)
        paths = local_paths(e.mimeData())
        if not paths:
            return
        # While a cancelled run stops, a drop waits for it as Enter does (start_paths): it was lost,
        # with the advice to cancel (a hostile pass). The note: the status line is rewritten as rows arrive.
        if self.running and not self.thread.isInterruptionRequested():
            self.note.setText("A batch is running: cancel it (Esc) before dropping more.")
            return
        # Several files and folders are one batch (only the first was read, without a word). The field
        # keeps naming one folder: their common folder there would be run whole by the next Enter.
        if len(paths) == 1:
            self.folder.setText(paths[0])
        self.start_paths(paths)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> None:
        """Classify the folder (or file) in the field."""
        self.start_paths([])

    def start_paths(self, paths: list[str]) -> None:
        """Classify ``paths`` (files and folders dropped together), or, when empty, what the field names."""
        if self.running:
            if self.thread.isInterruptionRequested():
                # Enter right after Cancel was dropped without a word (a hostile pass): it starts
                # when the cancelled run has stopped.
                self._start_after = list(paths)
                self.status.setText("Cancelling… the next run starts when this one has stopped.")
            else:
                self.note.setText("A batch is running: cancel it (Esc) before starting another.")
            return
        if len(paths) > 1:
            try:
                folder = os.path.commonpath(paths)  # the table shows paths relative to it
            except ValueError:  # no common folder (two Windows drives)
                folder = os.path.dirname(paths[0])
            self.where = f"the {len(paths)} files and folders dropped"
        else:
            folder = path_in_text(self.folder.text())  # ~/scans typed, a quoted path or a file:// address pasted
            if not folder or not os.path.exists(folder):  # os.path: Path.exists raised on a name too long
                self.status.setText("Choose a folder that exists.")
                return
            paths, self.where = [folder], folder
            self._remember_run(folder)
        if self.state.classifier is None:
            # Before the table is cleared and the bar set busy: it stayed busy for ever, the rows gone
            # to the kept file for a run that never started (a hostile pass).
            self.status.setText("No model loaded: see Settings.")
            return
        kept = self.keep_unexported()
        if kept is None:
            return
        self.model.clear()
        self.model.root = folder if os.path.isdir(folder) else str(Path(folder).parent)
        self.run_number = self.number.isChecked()
        self.note.setText(kept)
        self.total = 0
        self.progress.setRange(0, 0)  # busy until the files are counted
        self.started = time.perf_counter()
        if self.thread is not None:
            # The last run's thread has ended (running is false): each run's stayed as a child of the
            # tab, with its list of paths, for as long as the window was open (a soak: 20 runs, 20
            # threads). isRunning() is false while the thread is still emitting finished(): wait()
            # makes sure that signal is queued before the deletion is, so it comes from a live sender
            # that _stale drops (from a deleted one, sender() is None: it ended the new run).
            self.thread.wait()
            self.thread.deleteLater()
        self.thread = BatchThread(paths, self.recursive.isChecked(), self.number.isChecked(),
                                  self.state.classifier.spec, self.state.workers, self)
        self.thread.counted.connect(self._counted)
        self.thread.rowsReady.connect(self._rows)
        self.thread.finished.connect(self._finished)
        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setText("Counting files…")
        self.thread.start()

    def keep_on_close(self) -> bool:
        """As the window closes: rows not exported kept as keep_unexported keeps them, and the note
        saying where shown at the next start; False when they could not be kept (the status says
        why). One Ctrl+Q after a finished run of 5,031 files threw its rows away (a hostile pass)."""
        # Rows a run stopped by the close had sent, not yet delivered: queued calls to this tab.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        note = self.keep_unexported("When the window last closed, its batch's")
        if note:
            settings().setValue(KEPT_ON_CLOSE, note)
        return note is not None

    def keep_unexported(self, whose: str = "The last run's") -> str | None:
        """Before a new run replaces the table: its rows not exported since they came, kept in a file
        (places.previous_results_path), and a note saying where, of ``whose`` rows ("" when there was nothing to keep);
        None, and the status says why, when they could not be kept: the run does not start. A
        finished run of 2,167 files was gone with the next run, without a word (a hostile pass)."""
        if not (self.model.rows and self.unexported):
            return ""
        path = previous_results_path()
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            problem = save_file(path, rows_bytes(self.model.rows, "csv"))
        except OSError as e:
            problem = f"{os.path.dirname(path)} could not be made: {e.strerror or e}"
        if problem:
            self.status.setText(f"The last run's results were not exported and could not be kept ({problem}); "
                                "export them before starting another run.")
            return None
        self.unexported = False
        return f"{whose} {len(self.model.rows)} results, not exported, are kept in {path}"

    def cancel(self) -> None:
        if self.thread is not None:
            self.thread.requestInterruption()
            self.status.setText("Cancelling…")

    def _stale(self) -> bool:
        """A signal of an earlier run's thread, delivered after a new run started (Enter pressed as a
        run ended): its rows went into the new run's table, and its end ended the new run's buttons."""
        sender = self.sender()
        return sender is not None and sender is not self.thread

    def _counted(self, total: int) -> None:
        if self._stale():
            return
        self.total = total
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        if total:  # workers take a second or two to start: not "Counting files…" meanwhile
            self.status.setText(f"{total} files to read; starting…")

    def _rows(self, rows: list) -> None:
        if self._stale():
            return
        self.model.append(rows)
        self.unexported = True
        n = len(self.model.rows)
        self.progress.setValue(n)
        if self.thread is not None and self.thread.isInterruptionRequested():
            # The rows already read still come in: "Cancelling…" stays (it was overwritten at once).
            self.status.setText(f"Cancelling… {n} / {self.total} files"
                                + ("; the next run starts when this one has stopped" if self._start_after is not None else ""))
            return
        rate = n / max(time.perf_counter() - self.started, 1e-6)
        self.status.setText(f"{n} / {self.total} files, {rate:.0f}/s")

    def _finished(self) -> None:
        if self._stale():
            return
        t = self.thread
        n = len(self.model.rows)
        # A cancel pressed as the last rows came in stopped nothing: "Done", not "Cancelled: 602 of 602".
        what = "Cancelled" if t and t.cancelled and n < self.total else "Done"
        msg = f"{what}: {n} of {self.total} file{'' if self.total == 1 else 's'}"
        if n:
            msg += f": {summary(self.model.rows)}"
        if t and t.error:
            msg = f"Stopped: {t.error}"
        elif t and t.cancelled and self.total == 0 and n == 0:
            msg = "Cancelled before the files were counted"  # not "0 of 0": the folder was never counted
        elif self.total == 0 and not (t and t.cancelled):
            msg = f"No images found in {self.where}" + ("" if self.recursive.isChecked()
                                                        else " (subfolders not included)")
        self.status.setText(msg)
        log.info("batch %s", msg)
        self.progress.setRange(0, max(self.total, 1))
        self.progress.setValue(n)
        self.start_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if self._start_after is not None:
            paths, self._start_after = self._start_after, None
            if t is not None:
                # finished() comes as the thread ends, and isRunning() may still be true for a moment:
                # the queued start was queued again, and never made (Esc then Enter at once: a soak).
                t.wait(5000)
            QTimer.singleShot(0, lambda: self.start_paths(paths))

    def _row_at(self, index: QModelIndex) -> Row:
        return self.model.rows[self.proxy.mapToSource(index).row()]

    def read_as_number(self, r: Row) -> bool:
        return r.status != ERROR and (self.run_number or len(r.digit) > 1)

    def _double_clicked(self, index: QModelIndex) -> None:
        self._open_row(self._row_at(index))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        menu = self.row_menu(self._row_at(index))
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()  # a child of the tab: each right-click's menu stayed for the session

    def row_menu(self, r: Row) -> QMenu:
        """Open it, copy its path, or give the right digit (kept in the corrections folder)."""
        m = QMenu(self)
        m.addAction("Open in the Images tab", lambda: self._open_row(r))
        m.addAction("Copy path", lambda: QApplication.clipboard().setText(r.path))
        fix = digit_menu(m, lambda d: self.correct(r, d), "Wrong? The right digit is")
        # One digit per correction: an unreadable file or a number cannot be kept as one label.
        fix.setEnabled(r.status != ERROR and not self.read_as_number(r))
        m.addMenu(fix)
        return m

    def _open_row(self, r: Row) -> None:
        (self.inspectNumber if self.read_as_number(r) else self.inspect).emit(r.path)

    def correct(self, r: Row, label: int) -> bool:
        """Keep this file as ``label`` in the corrections folder; the note says where, or why not."""
        try:
            gray = load_gray(r.path)
        except DigitsError as e:
            self.note.setText(f"Not kept: {e}")
            return False
        row, message = keep(Sample(gray, None, r.digit if r.status != NOT_A_DIGIT else "?"), label,
                            f"batch:{r.path}")
        self.note.setText(f"{message[:-1]}: {corrections_folder()}" if row is not None else message)
        return row is not None

    def export_dialog(self) -> None:
        path = save_path(self, "Export results", "export", "results.csv", ["CSV (*.csv)", "JSON lines (*.jsonl *.ndjson)"])
        if path:
            self.export(path)

    def shown_rows(self) -> list[Row]:
        """The rows the filter lets through, in the order the table shows them."""
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(i, 0)).row()]
                for i in range(self.proxy.rowCount())]

    def _export_failed(self, message: str) -> None:
        self.note.setText(f"Not exported: {message}")  # not the last export's success, still on show
        QMessageBox.warning(self, "Export failed", message)

    def export(self, path: str, shown: bool | None = None) -> bool:
        """Write the rows shown (or all, as chosen beside the button) atomically (QSaveFile): a
        failed export never leaves half a file. The format follows the name (format_for)."""
        if shown is None:
            shown = self.export_what.currentIndex() == 0
        rows = self.shown_rows() if shown else self.model.rows
        problem = save_file(path, rows_bytes(rows, format_for(path)))
        if problem:
            self._export_failed(problem)
            return False
        what = f"{len(rows)} rows shown" if shown and len(rows) != len(self.model.rows) else f"{len(rows)} rows"
        self.unexported = self.unexported and len(rows) != len(self.model.rows)
        self.note.setText(f"Exported {what} to {path}")
        return True
