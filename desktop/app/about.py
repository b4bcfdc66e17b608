"""About (versions, licences, the model's figures in words) and Help (F1: the shortcuts, the README)."""
from __future__ import annotations

import html
import platform
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from desktop import __version__

# What ships in the binary and under which licence (the packages' own metadata says the same).
LICENCES = (
    ("Digit Recognizer", "MIT"),
    ("Qt 6 and PySide6 (Qt for Python)", "LGPL-3.0"),
    ("LiteRT (ai-edge-litert, the TFLite interpreter)", "Apache-2.0"),
    ("NumPy", "BSD-3-Clause"),
    ("Pillow", "MIT-CMU (HPND)"),
    ("tqdm", "MPL-2.0 and MIT"),
    ("MNIST digits the model was trained on (LeCun, Cortes, Burges)", "CC BY-SA 3.0"),
)
README_NAME = "README.md"


def versions() -> list[tuple[str, str]]:
    """(component, version) of what is running now, not of what was built against."""
    import numpy
    import PIL
    import PySide6
    from PySide6.QtCore import qVersion

    try:
        from importlib.metadata import version

        litert = version("ai-edge-litert")
    except Exception:  # a frozen binary may carry the module without its metadata
        litert = "bundled"
    return [("Digit Recognizer", __version__), ("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", PySide6.__version__), ("LiteRT", litert), ("NumPy", numpy.__version__),
            ("Pillow", PIL.__version__)]


def model_in_words(manifest: dict, metrics: dict) -> list[str]:
    """The shipped model's figures as sentences a user can read."""
    if not manifest:
        return ["A model of your own is in use (Settings); the shipped model's figures do not apply to it."]
    name = manifest.get("source", {}).get("model", "the shipped model")
    variant = manifest.get("source", {}).get("variant", "int8")
    ver = manifest.get("verification", {}).get(variant, {})
    n_test = int(manifest.get("n_test") or metrics.get("n_test") or 10000)
    model = metrics.get("comparison", {}).get("models", {}).get(name, {})
    out = []
    size = manifest.get("bytes") or ver.get("bytes")
    params = model.get("params")
    first = f"The model is {name}, a small convolutional network"
    if params:
        first += f" with {params:,} weights"
    if size:
        first += f", stored as {variant} in {size / 1024:.0f} KB"
    out.append(first + ".")
    acc = ver.get("test_accuracy")
    if acc is not None:
        wrong = round((1 - acc) * n_test)
        out.append(f"It reads {100 * acc:.2f}% of the {n_test:,} MNIST test digits right: {wrong} mistakes, "
                   "on digits it never saw in training.")
    through = manifest.get("test_accuracy_through_preprocessing")
    if through is not None:
        out.append(f"Through the app's own preprocessing (as your drawings go) it reads {100 * through:.2f}% of them.")
    if ver.get("median_us"):
        out.append(f"One digit took {ver['median_us']:.0f} µs to classify on the machine that built it.")
    t = manifest.get("calibration", {}).get("temperature") or manifest.get("temperature")
    if t:
        out.append(f"Its percentages are calibrated (temperature {t:g}): of answers given as 90% sure, about 90% are right.")
    sha = manifest.get("sha256", "")
    if sha:
        out.append(f"File {manifest.get('model_file', '')}, checked at start against sha256 {sha[:16]}….")
    return out


def about_html(state) -> str:
    rows = " · ".join(f"{html.escape(k)}&nbsp;{html.escape(v)}" for k, v in versions())
    lic = "".join(f"<tr><td>{html.escape(k)}&nbsp;&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in LICENCES)
    words = "".join(f"<p>{html.escape(s)}</p>" for s in model_in_words(state.manifest, state.metrics))
    return (f"<h3>Digit Recognizer {html.escape(__version__)}</h3>"
            "<p>Handwritten digits recognised offline, on this computer, with a small int8 network.</p>"
            f"<p><b>Model in use:</b> {html.escape(state.describe())}</p>{words}"
            f"<p><b>Versions:</b> {rows}</p>"
            f"<p><b>Licences</b></p><table cellspacing='0' cellpadding='1'>{lic}</table>")


class AboutDialog(QDialog):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Digit Recognizer")
        self.text = QLabel(about_html(state))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)


def readme_path() -> Path | None:
    """The README beside the sources (a checkout), else none (the binary carries no README)."""
    p = Path(__file__).resolve().parents[2] / README_NAME
    return p if p.is_file() else None


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, action) for every action of the window's menus that has a key: read from the actions
    themselves, so Help never lists a key the window does not have."""
    out, seen = [], set()
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for a in menu.actions() if menu else []:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
            if keys and a.text() not in seen:
                seen.add(a.text())
                out.append((" or ".join(keys), a.text().replace("&", "").rstrip("…")))
    return out


# Keys that belong to a widget, not to a menu action: listed by hand.
WIDGET_KEYS = (("Alt+W, then 0-9", "Wrong? Give the right digit (Draw and Images tabs)"),
               ("Right-click a row", "Open, copy the path, or give the right digit (Batch tab)"))


class HelpDialog(QDialog):
    def __init__(self, window: QWidget, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle("Digit Recognizer help")
        rows = shortcuts(window) + list(WIDGET_KEYS)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["keys", "does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab reaches the Close button (arrows move in the table)
        for i, (k, t) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(k))
            self.table.setItem(i, 1, QTableWidgetItem(t))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        readme = readme_path()
        link = (f"<a href='{QUrl.fromLocalFile(str(readme)).toString()}'>the README</a>" if readme
                else "the README of the project")
        self.intro = QLabel(
            "<p><b>Draw</b> a digit (or tick Number mode for several); <b>Images</b> reads files you open, drop "
            "or paste; <b>Batch</b> reads a whole folder; <b>Metrics</b> shows how good the model is. When an "
            "answer is wrong, <b>Wrong? ▾</b> (or right-click a Batch row) keeps the image with the right digit "
            "in your corrections folder (Settings), to score the model on and to train the next one.</p>"
            f"<p>Everything else, answers and statuses included, is in {link}.</p>")
        self.intro.setWordWrap(True)
        self.intro.setOpenExternalLinks(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(QLabel("<b>Keyboard shortcuts</b>"))
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(560, 520)


def run_modal(dialog: QDialog) -> int:
    """Show a dialog modally, then have Qt delete it: one left to the interpreter's exit crashed the
    app on quit ("shared QObject was deleted directly"), as the Settings dialog did."""
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def help_action(window: QWidget) -> QAction:
    """Help > Help… on F1 (the platform's Help key)."""
    a = QAction("&Help…", window)
    a.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.HelpContents) or [QKeySequence("F1")])
    a.triggered.connect(lambda: run_modal(HelpDialog(window)))
    return a
