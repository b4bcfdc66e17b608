"""The main window: four tabs, menus, toolbar, status bar, remembered geometry, About."""
from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QMessageBox, QTabWidget

from desktop.app.about import AboutDialog, about_html, help_action, run_modal
from desktop.app.batch_tab import BatchTab
from desktop.app.draw_tab import DrawTab
from desktop.app.images_tab import ImagesTab
from desktop.app.metrics_tab import MetricsTab
from desktop.app.places import accept_as_copy, local_paths, save_file, save_path
from desktop.app.settings_dialog import SettingsDialog
from desktop.app.state import AppState, remembered, settings


log = logging.getLogger("digits.window")
QUIT_AGAIN_S = 5.0  # a second close within this many seconds stops a running batch and quits


def shortcut_list(key: QKeySequence.StandardKey) -> list[QKeySequence]:
    return QKeySequence.keyBindings(key)


def redo_shortcuts() -> list[QKeySequence]:
    """The platform's Redo keys, plus Ctrl+Y on Linux and Windows; each key once, since a key
    bound twice is an ambiguous shortcut that Qt ignores."""
    keys = shortcut_list(QKeySequence.StandardKey.Redo)
    if sys.platform != "darwin":
        keys.append(QKeySequence("Ctrl+Y"))
    unique: list[QKeySequence] = []
    for k in keys:
        if k not in unique:
            unique.append(k)
    return unique


class WindowKeysFirst(QObject):
    """Lets the window's own shortcut win over a text field's binding of the same key. Under X11,
    Qt's line edits take Ctrl+E as "end of line" (an emacs key): typed in the Batch tab's folder or
    search field, where the focus stays after a run, Ctrl+E did not export."""

    def __init__(self, keys: list[QKeySequence], parent: QObject):
        super().__init__(parent)
        self.keys = keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and QKeySequence(event.keyCombination()) in self.keys:
            return True  # left unaccepted: the shortcut map goes on to the window's action
        return super().eventFilter(watched, event)


class MainWindow(QMainWindow):
    def __init__(self, state: AppState):
        super().__init__()
        self._close_when_stopped = False  # closing waits for a batch that did not stop in time
        self._quit_asked = float("-inf")  # when a close during a batch was last refused (time.monotonic)
        self._geometry_timer = QTimer(self, singleShot=True, interval=500)
        self._geometry_timer.timeout.connect(self._remember_geometry)
        self.state = state
        self.setWindowTitle("Digit Recognizer")
        self.setAcceptDrops(True)  # images dropped on any tab open in the Images tab (its own and Batch's take theirs)
        self.tabs = QTabWidget()
        self.draw = DrawTab(state)
        self.images = ImagesTab(state)
        self.batch = BatchTab(state)
        self.metrics = MetricsTab(state)
        for w, name in ((self.draw, "&Draw"), (self.images, "&Images"), (self.batch, "&Batch"), (self.metrics, "&Metrics")):
            self.tabs.addTab(w, name)
        self.setCentralWidget(self.tabs)
        self.batch.inspect.connect(self._inspect)
        self.batch.inspectNumber.connect(self._inspect_number)
        self.batch.pasteImage.connect(self._paste)
        self._make_actions()
        self.model_label = QLabel()
        self.statusBar().addWidget(self.model_label, 1)
        self._update_status()
        s = settings()
        if s.value("window/geometry"):
            self.restoreGeometry(s.value("window/geometry"))
        else:
            self.resize(980, 640)
        self.fit_to_screen()
        self.tabs.setCurrentIndex(remembered("window/tab", 0, int))  # a damaged value: the first tab
        # Settings are written as they change, not only on a clean close: a crash or a killed
        # session keeps them.
        self.tabs.currentChanged.connect(self._remember_tab)

    def _action(self, text: str, slot, shortcut=None, menu=None, toolbar=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        a.triggered.connect(slot)
        if menu is not None:
            menu.addAction(a)
        if toolbar is not None:
            toolbar.addAction(a)
        return a

    def _make_actions(self) -> None:
        K = QKeySequence
        tb = self.addToolBar("Main")
        tb.setObjectName("main-toolbar")
        # The drawing actions have a toolbar of their own, shown on the Draw tab only.
        self.drawing_toolbar = dtb = self.addToolBar("Drawing")
        dtb.setObjectName("drawing-toolbar")
        file = self.menuBar().addMenu("&File")
        self._action("&Open images…", self._open, K(K.StandardKey.Open), file, tb)
        self._action("Open &folder for batch…", self._open_folder, K("Ctrl+Shift+O"), file)
        self.save_action = self._action("&Save drawing…", self.save_drawing, K(K.StandardKey.Save), file, dtb)
        export = self._action("&Export batch results…", self.batch.export_dialog, K("Ctrl+E"), file)
        keys_first = WindowKeysFirst(export.shortcuts(), self)
        for field in self.findChildren(QLineEdit):
            field.installEventFilter(keys_first)
        file.addSeparator()
        self._action("Se&ttings…", self.open_settings, K("Ctrl+,"), file)
        file.addSeparator()
        self._action("&Quit", self.close, K("Ctrl+Q"), file)
        edit = self.menuBar().addMenu("&Edit")
        stack = self.draw.canvas.undo_stack
        self._action("&Paste image", self._paste, K(K.StandardKey.Paste), edit, tb)
        self.undo_action = self._action("&Undo stroke", self.draw.canvas.undo, shortcut_list(K.StandardKey.Undo), edit, dtb)
        self.redo_action = self._action("&Redo stroke", self.draw.canvas.redo, redo_shortcuts(), edit, dtb)
        self.clear_action = self._action("&Clear drawing", self.draw.canvas.clear,
                                         [K(Qt.Key.Key_Escape), K(Qt.Key.Key_Delete)], edit, dtb)
        # Drawing actions act only on the Draw tab: elsewhere Esc belongs to a filter field and
        # Ctrl+Z to a text box, and the hidden drawing must not change.
        self._drawing_actions = (self.undo_action, self.redo_action, self.clear_action, self.save_action)
        stack.canUndoChanged.connect(self._update_drawing_actions)
        stack.canRedoChanged.connect(self._update_drawing_actions)
        self.tabs.currentChanged.connect(self._update_drawing_actions)
        self._update_drawing_actions()
        # Ctrl+Tab goes round the tabs (QTabWidget's own); Ctrl+PgDown and Ctrl+PgUp, a browser's
        # keys for it, did nothing (a soak: 0 of 81).
        view = self.menuBar().addMenu("&View")
        self._action("&Next tab", lambda: self._step_tab(1), K("Ctrl+PgDown"), view)
        self._action("&Previous tab", lambda: self._step_tab(-1), K("Ctrl+PgUp"), view)
        help_ = self.menuBar().addMenu("&Help")
        help_.addAction(help_action(self))
        self._action("&About", self.about, None, help_)

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _update_drawing_actions(self, *_) -> None:
        on_draw = self.tabs.currentWidget() is self.draw
        stack = self.draw.canvas.undo_stack
        self.undo_action.setEnabled(on_draw and stack.canUndo())
        self.redo_action.setEnabled(on_draw and stack.canRedo())
        self.clear_action.setEnabled(on_draw)
        self.save_action.setEnabled(on_draw)
        self.drawing_toolbar.setVisible(on_draw)

    def fit_to_screen(self) -> None:
        """Never larger than the screen's free area (a remembered size from a larger screen, a
        2x scale, number mode): shrink to it and move inside it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        w = min(self.width(), avail.width() - extra_w)
        h = min(self.height(), avail.height() - extra_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(max(w, self.minimumSizeHint().width()), max(h, self.minimumSizeHint().height()))
        frame = self.frameGeometry()
        x = min(max(frame.x(), avail.x()), avail.right() + 1 - frame.width())
        y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, avail.x()), max(y, avail.y()))

    def _update_status(self) -> None:
        # A widget, not showMessage(): a menu's status tips would erase a message for good.
        notice = f"{self.state.notice} " if self.state.notice else ""
        self.model_label.setText(notice + self.state.describe())

    def _remember_tab(self, index: int) -> None:
        settings().setValue("window/tab", index)
        log.info("tab %s", self.tabs.tabText(index).replace("&", ""))

    def _remember_geometry(self) -> None:
        settings().setValue("window/geometry", self.saveGeometry())

    def showEvent(self, e) -> None:
        super().showEvent(e)
        QTimer.singleShot(0, self._shown)  # the frame's size is known once shown

    def _shown(self) -> None:
        self.fit_to_screen()
        # Where things are, in screen pixels, for --verbose diagnostics (and the soak test, which
        # clicks into the tabs of a real window it cannot otherwise look inside).
        k = self.devicePixelRatioF()
        page = self.tabs.currentWidget().mapToGlobal(QPoint(0, 0))
        log.info("shown: window %dx%d px, tab pages at %d,%d px", round(self.width() * k), round(self.height() * k),
                 round(page.x() * k), round(page.y() * k))

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._geometry_timer.start()

    def moveEvent(self, e) -> None:
        super().moveEvent(e)
        self._geometry_timer.start()

    def _inspect(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.images)
        self.images.open(path, number=False)

    def _inspect_number(self, path: str) -> None:
        """A batch row read as a number opens in the Images tab's number mode."""
        self.tabs.setCurrentWidget(self.images)
        self.images.open(path, number=True)

    def _open(self) -> None:
        self.tabs.setCurrentWidget(self.images)
        self.images.open_dialog()

    def _open_folder(self) -> None:
        self.tabs.setCurrentWidget(self.batch)
        self.batch.choose_folder()

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls() or e.mimeData().hasImage():
            accept_as_copy(e)

    def dropEvent(self, e: QDropEvent) -> None:
        """A drop on the Draw or Metrics tab (refused there before: a "forbidden" cursor): images open
        in the Images tab, folders (only folders) run in the Batch tab."""
        accept_as_copy(e)
        paths = local_paths(e.mimeData())
        if paths and all(os.path.isdir(p) for p in paths):
            self.tabs.setCurrentWidget(self.batch)
            self.batch.dropEvent(e)
            return
        self.tabs.setCurrentWidget(self.images)
        self.images.dropEvent(e)

    def _paste(self) -> None:
        self.tabs.setCurrentWidget(self.images)
        self.images.paste()

    def save_drawing(self) -> None:
        path = save_path(self, "Save drawing", "drawing", "digit.png", ["PNG (*.png)"])
        if not path:
            return
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.draw.canvas.image().save(buf, "PNG"):  # (never an empty file over the old drawing)
            QMessageBox.warning(self, "Save failed", "The drawing could not be encoded as PNG.")
            return
        problem = save_file(path, bytes(buf.data()))
        if problem:
            QMessageBox.warning(self, "Save failed", problem)

    def open_settings(self) -> None:
        if run_modal(SettingsDialog(self.state, self)):  # (its OK loads the model again)
            self._update_status()
            # Every answer shown is read again with the model now in use (the Images tab's stayed
            # the old model's, and its Wrong? would record that answer: a hostile pass).
            self.draw.predict()
            self.images.read()
            self.metrics.model_changed()

    def about_text(self) -> str:
        return about_html(self.state)

    def about(self) -> None:
        run_modal(AboutDialog(self.state, self))

    def _quit_confirmed(self, kept: bool = True) -> bool:
        """Closing during a batch takes a second close within QUIT_AGAIN_S: one Ctrl+Q (beside Ctrl+W
        and Ctrl+A) threw away a long run's rows at once. The first says so, on the Batch tab. So does
        closing with rows not exported that could not be kept (``kept`` False: the status says why)."""
        now = time.monotonic()
        if now - self._quit_asked <= QUIT_AGAIN_S:
            return True
        self._quit_asked = now
        self.tabs.setCurrentWidget(self.batch)
        if not kept:
            self.batch.note.setText(f"Close again within {QUIT_AGAIN_S:.0f} s to quit without them.")
            return False
        # The note, not the status line: the status is rewritten as rows arrive, ten times a second.
        # No count of files read here: the note stays while the run goes on, and a count froze in it.
        self.batch.note.setText(f"A batch is running (its progress is below). Close again within {QUIT_AGAIN_S:.0f} s "
                                "to stop it and quit (Export keeps the rows so far).")
        return False

    def closeEvent(self, e: QCloseEvent) -> None:
        if self.batch.running and not self._close_when_stopped and not self._quit_confirmed():
            e.ignore()
            return
        if self.batch.running and not self.batch.thread.stop():
            # The run did not end within the wait (rows come in order: one slow file holds them
            # all). Destroying a running QThread aborts the process: stay until the run has ended.
            self.tabs.setCurrentWidget(self.batch)
            self.batch.status.setText("Stopping the batch: the window closes when the file being read is done…")
            if not self._close_when_stopped:
                self._close_when_stopped = True
                self.batch.thread.finished.connect(self.close)
            e.ignore()
            return
        if not self.batch.running and not self.batch.keep_on_close() and not self._quit_confirmed(kept=False):
            e.ignore()  # the rows could not be kept: the status says why; a second close quits
            return
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", self.tabs.currentIndex())
        super().closeEvent(e)
