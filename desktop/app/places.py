"""Where dialogs start and where corrections go: the user's Pictures folder or the last folder used;
and which files on this computer a drop or a paste names.

Every choice is remembered in the app's QSettings (state.settings), so the next dialog, and the
next session, starts where the user left off instead of in the working directory.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QSaveFile, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.app.install import APP_ID
from desktop.app.state import settings
from desktop.engine.corrections import DEFAULT_DIRNAME
from desktop.engine.files import is_image_name

CORRECTIONS_KEY = "corrections/folder"


def accept_as_copy(e: QDropEvent | QDragEnterEvent) -> None:
    """Take a drag or a drop as a copy, whatever the source proposed: a file manager proposes a move
    and, told it was one, may delete the files dropped here (an hour's soak: every drop was
    answered MoveAction)."""
    e.setDropAction(Qt.DropAction.CopyAction)
    e.accept()


def local_paths(mime: QMimeData) -> list[str]:
    """The files and folders on this computer that dropped or pasted data names (web links left out)."""
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]


MAX_PASTED_PATHS = 1000  # more lines of copied text are no list of files (and are not looked at)


def path_in_text(text: str) -> str:
    """The path one line of typed or copied text names: quotes (a file manager's "Copy path") and
    spaces around it dropped, a file:// address as its local file, ~ as the home folder (as in a shell).
    The Batch tab's folder field refused a pasted file:// address and a quoted path (a hostile pass)."""
    line = text.strip()
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "'\"":
        line = line[1:-1].strip()
    return QUrl(line).toLocalFile() if line.startswith("file://") else os.path.expanduser(line)


def image_paths_in_text(text: str) -> list[str]:
    """Image files named one per line in copied text (plain paths or file:// addresses), else []."""
    lines = text.strip().splitlines()
    if not lines or len(lines) > MAX_PASTED_PATHS:
        return []
    paths = [path_in_text(line) for line in lines]
    return paths if all(p and is_image_name(p) and os.path.isfile(p) for p in paths) else []


def pictures_dir() -> str:
    """The platform's Pictures folder (XDG's on Linux), else the home folder."""
    p = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return p if p and os.path.isdir(p) else str(Path.home())


def start_dir(key: str) -> str:
    """The folder the last dialog of this kind ended in, if it still exists, else Pictures."""
    last = settings().value(f"dialogs/{key}", "") or ""
    return last if last and os.path.isdir(last) else pictures_dir()


def remember_dir(key: str, path: str) -> None:
    """Remember the folder of a chosen file (or the chosen folder itself) for the next dialog."""
    if path:
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        settings().setValue(f"dialogs/{key}", folder)


def save_path(parent: QWidget, title: str, key: str, name: str, filters: list[str]) -> str:
    """A file name to save to, from the save dialog starting where the last one of ``key`` ended
    ("" when cancelled). A name typed without a suffix gets the chosen filter's first one ("results"
    with "JSON lines" chosen is results.jsonl, not a suffixless CSV), and a file already there under
    that name is only replaced once the user says so: the dialog asked about the name as typed."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, os.path.join(start_dir(key), name), ";;".join(filters))
    if not path:
        return ""
    if not os.path.splitext(os.path.basename(path))[1]:
        path += re.search(r"\*(\.\w+)", chosen if chosen in filters else filters[0]).group(1)
        if os.path.exists(path):
            answer = QMessageBox.question(parent, title, f"{os.path.basename(path)} already exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return ""
    remember_dir(key, path)
    return path


def save_file(path: str, data: bytes) -> str:
    """Write ``data`` to ``path`` whole or not at all (QSaveFile: a new file renamed over the old one
    once every byte is written): "" when written, else why not, in words. A full disk left a
    truncated drawing over the old one, saved without a word (QImage.save writes in place); a
    pipe would block the window until some program read it."""
    if os.path.isdir(path):
        return f"{path} is a folder: choose a file name in it."
    if os.path.exists(path) and not os.path.isfile(path):  # the rename would replace a device or a pipe
        return f"{path} is not a regular file (a device or a pipe): choose a file name."
    f = QSaveFile(path)
    # A file the user may write in a folder they may not (no temporary file there): written in place,
    # as before QSaveFile (a hostile pass: "Permission denied" for a file that is writable).
    f.setDirectWriteFallback(True)
    if not f.open(QSaveFile.OpenModeFlag.WriteOnly):
        return f"{path} could not be written: {f.errorString()}"
    if f.write(data) != len(data) or not f.commit():
        # The reason before anything else touches the file (cancelling first said "Writing canceled by
        # application"); a buffered write that fails at commit gives none. The temporary file goes with f.
        why = f.errorString()
        return f"{path} could not be written: {why if why and why != 'Unknown error' else 'the disk may be full'}"
    return ""


PREVIOUS_RESULTS = "previous-batch-results-{}.csv"  # {}: when they were kept


def previous_results_path() -> str:
    """A new file in which the Batch tab keeps a run's results that were not exported, before a new
    run replaces them in the table: in the app's own data folder, named by the time, so that the
    next run's kept results never replace these (a review: run A kept, then B written over it)."""
    base = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
                or Path.home() / f".{APP_ID}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = base / PREVIOUS_RESULTS.format(stamp), 1
    while path.exists():  # (two runs kept within a second)
        n += 1
        path = base / PREVIOUS_RESULTS.format(f"{stamp}-{n}")
    return str(path)


def default_corrections_folder() -> str:
    """Pictures/digit-corrections: a folder the user sees, owns and can take elsewhere."""
    pics = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return str(Path(pics or Path.home() / "Pictures") / DEFAULT_DIRNAME)


def corrections_folder() -> str:
    return settings().value(CORRECTIONS_KEY, "") or default_corrections_folder()


def set_corrections_folder(path: str) -> None:
    """An empty path goes back to the default. A relative one is kept absolute: resolved later, it
    depended on the folder the app was started from (a terminal's, or / from a desktop menu)."""
    settings().setValue(CORRECTIONS_KEY, os.path.abspath(os.path.expanduser(path)) if path else "")
