"""What the window shows and the user set: the model in use, its manifest and metrics, threads."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from desktop.engine.batch import default_workers
from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError
from desktop.engine.model_files import load_model, read_manifest, read_metrics

ORG, APP = "DigitRecognizer", "Digit Recognizer"


def settings() -> QSettings:
    return QSettings(ORG, APP)


def remembered(key: str, default, kind: type = str):
    """A choice the user made last time (pen width, modes), or ``default``.

    QSettings hands back strings from its INI file ("true", "18"), so the type is restored here;
    a value that no longer parses falls back to the default rather than failing the start.
    """
    value = settings().value(key, None)
    if value is None:
        return default
    try:
        if kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
        return kind(value)
    except (TypeError, ValueError):
        return default


def remember(key: str, value) -> None:
    """Written as the choice changes, not on close: a crash or a killed session keeps it."""
    settings().setValue(key, value)


@dataclass
class AppState:
    classifier: Classifier | None = None
    model_path: str | None = None  # None: the shipped model
    threads: int = 1
    workers: int = field(default_factory=default_workers)
    manifest: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    error: str = ""  # why no model is loaded, in plain words
    notice: str = ""  # something the user should know about the model in use (status bar)

    @classmethod
    def from_settings(cls) -> "AppState":
        s = settings()
        state = cls(model_path=s.value("model/path", None) or None, threads=max(1, min(16, remembered("model/threads", 1, int))))
        state.load()
        if state.classifier is None and state.model_path is not None:
            # The model chosen last time is gone or broken: carry on with the shipped one, say so.
            chosen, why = state.model_path, state.error
            state.model_path = None
            state.load()
            state.notice = f"Your model {chosen} could not be used ({why}); using the shipped model."
        return state

    def load(self) -> None:
        """(Re)load the model; on failure keep none and say why."""
        try:
            self.manifest = read_manifest() if self.model_path is None else {}
        except DigitsError:
            self.manifest = {}
        self.metrics = read_metrics()
        try:
            self.classifier = load_model(self.model_path, num_threads=self.threads)
            self.error = ""
        except DigitsError as e:
            self.classifier, self.error = None, str(e)

    def save(self) -> None:
        s = settings()
        s.setValue("model/path", self.model_path or "")
        s.setValue("model/threads", self.threads)
        s.sync()

    def describe(self) -> str:
        if self.classifier is None:
            return f"No model: {self.error}"
        size = self.classifier.path.stat().st_size
        name = "shipped model" if self.model_path is None else self.classifier.path.name
        return f"{name} ({self.classifier.dtype_name}, {size / 1024:.0f} KiB, {self.threads} thread(s))"
