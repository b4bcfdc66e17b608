"""Settings: choose another .tflite model (validated before it is used) and the thread count."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError


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
        reset.clicked.connect(lambda: self.path.setText(""))
        self.threads = QSpinBox()
        self.threads.setRange(1, 16)
        self.threads.setValue(state.threads)
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
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        f, _ = QFileDialog.getOpenFileName(self, "Choose a model", "", "TFLite models (*.tflite);;All files (*)")
        if f:
            self.path.setText(f)

    def accept(self) -> None:
        """Refuse a model that does not load as a 28x28 digit classifier, saying why."""
        path = self.path.text().strip() or None
        if path is not None:
            try:
                Classifier(path)
            except DigitsError as e:
                self.message.setText(str(e))
                return
        self.state.model_path = path
        self.state.threads = self.threads.value()
        self.state.load()
        self.state.notice = ""  # a model chosen now replaces any fallback notice
        self.state.save()
        super().accept()
