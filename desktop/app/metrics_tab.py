"""The Metrics tab: how the trained models compare, float against int8, and speed here."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.app.widgets import Heatmap, LineChart


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            t.setItem(i, j, QTableWidgetItem(v))
    t.resizeColumnsToContents()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setMinimumHeight(min(60 + 30 * len(rows), 330))
    return t


class _SpeedSignals(QObject):
    done = Signal(str)


class _SpeedJob(QRunnable):
    """Times the loaded model on this computer, off the UI thread."""

    def __init__(self, clf):
        super().__init__()
        self.clf, self.signals = clf, _SpeedSignals()

    def run(self) -> None:
        from desktop.engine.classifier import measure_latency

        x = np.random.default_rng(0).random((256, 28, 28), dtype=np.float32)
        t = measure_latency(self.clf, x)
        self.signals.done.emit(f"One image: median {t['median_us']:.0f} us, 95th percentile {t['p95_us']:.0f} us; "
                               f"batched: {t['batch_us_per_image']:.1f} us per image.")


class MetricsTab(QWidget):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        metrics = state.metrics
        comparison = metrics.get("comparison", {}).get("models", {})
        histories = metrics.get("comparison", {}).get("histories", {})
        variants = metrics.get("variants", {})
        inner = QWidget()
        lay = QVBoxLayout(inner)
        if not comparison and not variants:
            lay.addWidget(QLabel("No metrics were shipped with this model."))
        self.comparison_table = _table(
            ["model", "parameters", "file", "test accuracy", "test error", "training", "1 image (Keras)"],
            [[k, f"{m['params']:,}", f"{m['file_bytes'] / 1024:.0f} KiB", f"{100 * m['test_accuracy']:.2f}%",
              f"{100 * m['test_error']:.2f}%", f"{m.get('train_seconds', 0):.0f} s", f"{m['latency_ms_one_image']:.2f} ms"]
             for k, m in comparison.items()])
        lay.addWidget(self._group("All trained models (MNIST test set)", self.comparison_table))
        self.variants_table = _table(
            ["variant", "size", "test accuracy", "drop", "disagreement", "1 image median", "p95", "batched"],
            [[k, f"{v['bytes'] / 1024:.1f} KiB", f"{100 * v['test_accuracy']:.2f}%", f"{v['drop_points']:+.2f}",
              f"{100 * v['disagreement']:.2f}%", f"{v['median_us']:.0f} us", f"{v['p95_us']:.0f} us",
              f"{v['batch_us_per_image']:.1f} us"] for k, v in variants.items()])
        lay.addWidget(self._group("Shipped model: float against int8 (TFLite)", self.variants_table))

        charts = QHBoxLayout()
        self.loss_chart = LineChart("Validation loss")
        self.loss_chart.set_series({k: h.get("val_loss", []) for k, h in histories.items()})
        self.err_chart = LineChart("Validation error")
        self.err_chart.set_series({k: [1 - a for a in h.get("val_accuracy", [])] for k, h in histories.items()})
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.err_chart)
        cw = QWidget()
        cw.setLayout(charts)
        lay.addWidget(self._group("Training curves", cw))

        shipped = state.manifest.get("source", {}).get("model", "")
        best = comparison.get(shipped) or (max(comparison.values(), key=lambda m: m["test_accuracy"]) if comparison else None)
        grid = QGridLayout()
        self.heatmap = Heatmap()
        self.heatmap.set_matrix(np.array(best["confusion_matrix"]) if best else None)
        grid.addWidget(self.heatmap, 0, 0)
        self.class_table = _table(
            ["digit", "precision", "recall"],
            [[str(d), f"{100 * best['precision'][d]:.2f}%", f"{100 * best['recall'][d]:.2f}%"] for d in range(10)]
            if best else [])
        grid.addWidget(self.class_table, 0, 1)
        gw = QWidget()
        gw.setLayout(grid)
        lay.addWidget(self._group(f"Confusion matrix and per-class figures: {shipped or 'best model'}", gw))

        speed = QHBoxLayout()
        self.speed_btn = QPushButton("Measure speed on this computer")
        self.speed_btn.clicked.connect(self.measure_speed)
        self.speed_label = QLabel("")
        speed.addWidget(self.speed_btn)
        speed.addWidget(self.speed_label, 1)
        sw = QWidget()
        sw.setLayout(speed)
        lay.addWidget(sw)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        QVBoxLayout(self).addWidget(scroll)

    @staticmethod
    def _group(title: str, w: QWidget) -> QGroupBox:
        g = QGroupBox(title)
        QVBoxLayout(g).addWidget(w)
        return g

    def measure_speed(self) -> None:
        if self.state.classifier is None:
            self.speed_label.setText("No model loaded.")
            return
        from desktop.engine.classifier import Classifier

        # A classifier of its own: the interpreter is not safe to share with the UI thread's.
        job = _SpeedJob(Classifier(self.state.classifier.path, self.state.threads))
        job.signals.done.connect(self._speed_done)
        self._job = job
        self.speed_btn.setEnabled(False)
        self.speed_label.setText("Measuring…")
        QThreadPool.globalInstance().start(job)

    def _speed_done(self, text: str) -> None:
        self.speed_label.setText(text)
        self.speed_btn.setEnabled(True)
