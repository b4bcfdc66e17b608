"""Settings: choose another .tflite model (validated before it is used), the thread count and the
folder corrections are kept in."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from desktop.app.places import (corrections_folder, default_corrections_folder, remember_dir, set_corrections_folder,
                                start_dir)
from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError


def _breakable(text: str, every: int = 30) -> str:
    """``text`` with a zero-width space after every ``every`` characters of a word that long: a file
    name of 240 characters in the message made the dialog 1,756 px wide (a word-wrapped label breaks
    only between words)."""
    return " ".join("\u200b".join(w[i : i + every] for i in range(0, len(w), every)) for w in text.split(" "))


class SettingsDialog(QDialog):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.state = state
        self.path = QLineEdit(state.model_path or "")
        self.path.setPlaceholderText("shipped model")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        reset = QPushButton("Use shipped")
        reset.clicked.connect(self.path.clear)
        self.threads = QSpinBox()
        self.threads.setRange(1, 16)
        self.threads.setValue(state.threads)
        self.corrections = QLineEdit(corrections_folder())
        self.corrections.setPlaceholderText(default_corrections_folder())
        self.corrections.setToolTip("Images you corrected (PNG) and labels.csv; digits-train run --corrections "
                                    "FOLDER trains on them")
        browse_corr = QPushButton("Browse…")
        browse_corr.clicked.connect(self._browse_corrections)
        default_corr = QPushButton("Default")
        default_corr.clicked.connect(self._default_corrections)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(reset)
        form = QFormLayout(self)
        form.addRow("Model (.tflite)", row)
        form.addRow("Interpreter threads", self.threads)
        corr = QHBoxLayout()
        corr.addWidget(self.corrections, 1)
        corr.addWidget(browse_corr)
        corr.addWidget(default_corr)
        form.addRow("Corrections folder", corr)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _default_corrections(self) -> None:
        self.corrections.setText(default_corrections_folder())

    def _browse(self) -> None:
        f, _ = QFileDialog.getOpenFileName(self, "Choose a model", start_dir("model"),
                                           "TFLite models (*.tflite);;All files (*)")
        if f:
            remember_dir("model", f)
            self.path.setText(f)

    def _browse_corrections(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Folder for corrections", self.corrections.text().strip()
                                             or start_dir("corrections"))
        if d:
            self.corrections.setText(d)

    def accept(self) -> None:
        """Refuse a model that does not load as a 28x28 digit classifier, saying why."""
        path = self.path.text().strip() or None
        if path is not None:
            try:
                Classifier(path)
            except DigitsError as e:
                self.message.setText(_breakable(str(e)))
                # The dialog grows to the wrapped message: in the height it had, both lines were cut.
                self.layout().activate()
                self.adjustSize()
                return
        folder = self.corrections.text().strip()
        set_corrections_folder("" if folder == default_corrections_folder() else folder)
        self.state.model_path = path
        self.state.threads = self.threads.value()
        self.state.load()
        self.state.notice = ""  # a model chosen now replaces any fallback notice
        self.state.save()
        super().accept()
