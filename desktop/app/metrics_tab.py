"""The Metrics tab: how the trained models compare, float against int8, speed here, and how the model
in use does on the user's own corrections."""
from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.app.charts import ConfusionMatrix, LineChart
from desktop.app.places import corrections_folder
from desktop.engine.errors import DigitsError
from desktop.engine.model_files import read_manifest
from desktop.engine.recognize import format_confidence

US = "µs"


def _share(right: int, count: int) -> str:
    """``right`` of ``count`` as a share: "0%" and "100%" only when exact, else format_confidence's
    (never a rounded "0.0%" or "100.0%"). format_confidence alone said "< 0.1%" for 0 of 1."""
    if right == 0:
        return "0%"
    return "100%" if right == count else format_confidence(right / count)


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)  # row numbers beside a digit column read as digits
    fill_table(t, rows)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    # Tab leaves the table (arrows move between its cells): Tab cycled through the cells for good, and
    # the buttons below were out of the keyboard's reach.
    t.setTabKeyNavigation(False)
    return t


def fill_table(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            t.setItem(i, j, QTableWidgetItem(v))
    t.resizeColumnsToContents()
    # As tall as its rows, no empty box below them (the tab scrolls as a whole).
    t.setFixedHeight(t.horizontalHeader().sizeHint().height() + t.verticalHeader().defaultSectionSize() * len(rows)
                     + 2 * t.frameWidth() + 2)


def _us(v: float, decimals: int = 0) -> str:
    return f"{v:.{decimals}f} {US}"


class _Signals(QObject):
    done = Signal(object)


class _Job(QRunnable):
    """Runs ``fn`` off the UI thread and hands its result (or the error) back through a signal."""

    def __init__(self, fn):
        super().__init__()
        self.fn, self.signals = fn, _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as e:  # shown in the tab in words; the UI thread never sees a traceback
            result = e
        try:
            self.signals.done.emit(result)
        except RuntimeError:  # the window closed meanwhile: nobody is left to tell
            pass


def _shipped_manifest() -> dict:
    try:
        return read_manifest()
    except DigitsError:
        return {}


def speed_text(t: dict) -> str:
    return (f"One image: median {_us(t['median_us'])}, 95th percentile {_us(t['p95_us'])}; "
            f"batched: {_us(t['batch_us_per_image'], 1)} per image.")


class MetricsTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._jobs: list[_Job] = []
        self._settings_seen = 0  # Settings applied so far: a job started before the last says nothing
        metrics = state.metrics
        comparison = metrics.get("comparison", {}).get("models", {})
        histories = metrics.get("comparison", {}).get("histories", {})
        variants = metrics.get("variants", {})
        inner = QWidget()
        lay = QVBoxLayout(inner)
        # Which model the figures are of, when another is in use (Settings): they are the shipped
        # model's and its fellows', and said nothing of it while Measure speed and Score used the other.
        self.model_note = QLabel("")
        self.model_note.setWordWrap(True)
        lay.addWidget(self.model_note)
        if not comparison and not variants:
            lay.addWidget(QLabel("No metrics were shipped with this model."))
        self.comparison_table = _table(
            ["model", "parameters", "file", "test accuracy", "test error", "training", "1 image (Keras)"],
            [[k, f"{m['params']:,}", f"{m['file_bytes'] / 1024:.0f} KiB", f"{100 * m['test_accuracy']:.2f}%",
              f"{100 * m['test_error']:.2f}%", f"{m.get('train_seconds', 0):.0f} s", f"{m['latency_ms_one_image']:.2f} ms"]
             for k, m in comparison.items()])
        lay.addWidget(self._group("All trained models (MNIST test set, 10,000 digits)", self.comparison_table))
        self.variants_table = _table(
            ["variant", "size", "test accuracy", "change", "answers differing", "1 image median", "95th percentile",
             "batched, per image"],
            [[k, f"{v['bytes'] / 1024:.1f} KiB", f"{100 * v['test_accuracy']:.2f}%", f"{v['drop_points']:+.2f} points",
              f"{100 * v['disagreement']:.2f}%", _us(v['median_us']), _us(v['p95_us']),
              _us(v['batch_us_per_image'], 1)] for k, v in variants.items()])
        lay.addWidget(self._group("Shipped model: float against int8 (TFLite)", self.variants_table))

        charts = QHBoxLayout()
        self.loss_chart = LineChart("Validation loss", "loss")
        self.loss_chart.set_series({k: h.get("val_loss", []) for k, h in histories.items()})
        self.err_chart = LineChart("Validation error", "share wrong")
        self.err_chart.set_series({k: [1 - a for a in h.get("val_accuracy", [])] for k, h in histories.items()})
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.err_chart)
        cw = QWidget()
        cw.setLayout(charts)
        lay.addWidget(self._group("Training curves", cw))

        # The figures are the shipped run's: its manifest (the state holds it while the shipped model is in use).
        shipped = (state.manifest or _shipped_manifest()).get("source", {}).get("model", "")
        best = comparison.get(shipped) or (max(comparison.values(), key=lambda m: m["test_accuracy"]) if comparison else None)
        grid = QGridLayout()
        self.heatmap = ConfusionMatrix()
        self.heatmap.set_matrix(np.array(best["confusion_matrix"]) if best else None)
        grid.addWidget(self.heatmap, 0, 0)
        self.class_table = _table(
            ["digit", "precision", "recall"],
            [[str(d), f"{100 * best['precision'][d]:.2f}%", f"{100 * best['recall'][d]:.2f}%"] for d in range(10)]
            if best else [])
        grid.addWidget(self.class_table, 0, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        gw = QWidget()
        gw.setLayout(grid)
        lay.addWidget(self._group(f"Confusion matrix and per-class figures: {shipped or 'best model'} "
                                  "(rows: the true digit, columns: the model's answer)", gw))

        speed = QHBoxLayout()
        self.speed_btn = QPushButton("Measure speed on this computer")
        self.speed_btn.clicked.connect(self.measure_speed)
        self.speed_label = QLabel("")
        speed.addWidget(self.speed_btn)
        speed.addWidget(self.speed_label, 1)
        sw = QWidget()
        sw.setLayout(speed)
        lay.addWidget(sw)
        lay.addWidget(self._corrections_group())
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        QVBoxLayout(self).addWidget(scroll)

    def showEvent(self, e) -> None:
        super().showEvent(e)
        self.show_corrections_folder()  # Settings may have moved it since
        self.show_model_in_use()

    def model_changed(self) -> None:
        """Settings were applied (another model, threads or corrections folder): the speed and the
        corrections' score shown were the old ones' (a hostile pass: "reads 1 of 2 right" stayed, the
        new model read 0 of 2)."""
        self.show_model_in_use()
        # A measurement or a score under way is the old model's (its own copy): dropped when done
        # (_start), its button given back then.
        self._settings_seen += 1
        self.speed_label.setText("")
        self.corrections_result.setText("")
        self.corrections_table.hide()

    def show_model_in_use(self) -> None:
        path = self.state.model_path
        self.model_note.setVisible(path is not None)
        if path is not None:
            # Short: the tab scrolls sideways for its tables, and a long wrapped line ran past the view.
            self.model_note.setText(f"In use: {os.path.basename(path)} (Settings). The figures below are the "
                                    "shipped model's, not its own.")

    @staticmethod
    def _group(title: str, w: QWidget) -> QGroupBox:
        g = QGroupBox(title)
        QVBoxLayout(g).addWidget(w)
        return g

    def _start(self, fn, on_done, button: QPushButton) -> None:
        """``fn`` off the UI thread, then ``on_done`` with its result, unless Settings were applied
        meanwhile (the result is the old model's or folder's); ``button`` is enabled again either way."""
        job, seen = _Job(fn), self._settings_seen
        job.signals.done.connect(lambda result: on_done(result) if seen == self._settings_seen else None)
        job.signals.done.connect(lambda _=None: button.setEnabled(True))
        self._jobs.append(job)  # kept until done: a collected job's signals would never arrive
        job.signals.done.connect(lambda _=None, j=job: self._jobs.remove(j) if j in self._jobs else None)
        QThreadPool.globalInstance().start(job)

    def _own_classifier(self):
        # A classifier of its own: the interpreter is not safe to share with the UI thread's.
        from desktop.engine.classifier import Classifier

        return Classifier(self.state.classifier.path, self.state.threads)

    # --- speed -------------------------------------------------------------------------
    def measure_speed(self) -> None:
        if self.state.classifier is None:
            self.speed_label.setText("No model loaded.")
            return
        from desktop.engine.classifier import measure_latency

        clf = self._own_classifier()
        x = np.random.default_rng(0).random((256, 28, 28), dtype=np.float32)
        self.speed_btn.setEnabled(False)
        self.speed_label.setText("Measuring…")
        self._start(lambda: measure_latency(clf, x), self._speed_done, self.speed_btn)

    def _speed_done(self, result) -> None:
        self.speed_label.setText(f"Could not measure: {result}" if isinstance(result, Exception) else speed_text(result))

    # --- the user's corrections --------------------------------------------------------
    def _corrections_group(self) -> QGroupBox:
        self.corrections_label = QLabel()
        self.corrections_label.setWordWrap(True)
        self.corrections_btn = QPushButton("Score the model on my corrections")
        self.corrections_btn.clicked.connect(self.score_corrections)
        self.corrections_result = QLabel("")
        self.corrections_result.setWordWrap(True)
        self.corrections_table = _table(["digit", "corrections", "read right", "accuracy"], [])
        self.corrections_table.hide()
        row = QHBoxLayout()
        row.addWidget(self.corrections_btn)
        row.addWidget(self.corrections_result, 1)
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(self.corrections_label)
        v.addLayout(row)
        v.addWidget(self.corrections_table)
        self.show_corrections_folder()
        return self._group("Your corrections (images you gave the right digit for)", w)

    def show_corrections_folder(self) -> None:
        self.corrections_label.setText(
            f"Folder: {corrections_folder()} (Settings). Add to it with “Wrong? ▾” on the Draw and Images tabs "
            "or by right-clicking a Batch row; train on it with digits-train run --corrections FOLDER.")

    def score_corrections(self) -> None:
        """How the model in use reads the corrections, counted off the UI thread."""
        if self.state.classifier is None:
            self.corrections_result.setText("No model loaded.")
            return
        from desktop.engine.corrections import score

        folder, clf = corrections_folder(), self._own_classifier()
        self.show_corrections_folder()
        self.corrections_btn.setEnabled(False)
        self.corrections_result.setText("Scoring…")
        self._start(lambda: score(clf, folder), self._scored, self.corrections_btn)

    def _scored(self, s) -> None:
        if isinstance(s, Exception):
            self.corrections_result.setText(f"Could not score: {s}")
            return
        if not s.count:
            self.corrections_result.setText("No corrections yet in this folder.")
            self.corrections_table.hide()
            return
        self.corrections_result.setText(
            f"The model in use reads {s.correct} of {s.count} corrections right "
            f"({_share(s.correct, s.count)}).")
        fill_table(self.corrections_table, [
            [str(d), str(n), str(right), f"{100 * right / n:.0f}%" if n else "–"]
            for d, (n, right) in s.per_digit.items()])
        self.corrections_table.show()
