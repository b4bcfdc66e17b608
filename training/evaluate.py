"""Test-set metrics of a trained model: the numbers the comparison table and plots are made of."""
from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

PREDICT_BATCH = 1000  # test images per predict() call
MOST_CONFUSED = 8  # (true, predicted) pairs listed per model
LATENCY_REPEATS = 50  # one-image calls timed; the median is reported


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int = 10) -> np.ndarray:
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true.astype(int), y_pred.astype(int)), 1)
    return cm


def per_class(cm: np.ndarray) -> tuple[list[float], list[float]]:
    tp = np.diag(cm).astype(float)
    precision = tp / np.maximum(cm.sum(axis=0), 1)
    recall = tp / np.maximum(cm.sum(axis=1), 1)
    return precision.round(5).tolist(), recall.round(5).tolist()


def most_confused(cm: np.ndarray, k: int = MOST_CONFUSED) -> list[dict]:
    off = cm.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None)[::-1][:k]
    return [{"true": int(i // 10), "pred": int(i % 10), "count": int(off.flat[i])} for i in order if off.flat[i] > 0]


def one_image_latency_ms(model: keras.Model, x: np.ndarray, repeats: int = LATENCY_REPEATS) -> float:
    """Median time of one image through Keras (not the app's path: that is the converter's table)."""
    one = x[:1]
    model(one, training=False)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        model(one, training=False)
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1e3)


def evaluate(model: keras.Model, x_test: np.ndarray, y_test: np.ndarray, model_file: Path) -> tuple[dict, np.ndarray]:
    """Metrics dict (JSON-ready) and the predicted classes of every test image."""
    probs = model.predict(x_test, batch_size=PREDICT_BATCH, verbose=0)
    pred = probs.argmax(axis=1)
    cm = confusion_matrix(y_test, pred)
    precision, recall = per_class(cm)
    acc = float((pred == y_test).mean())
    return {
        "params": int(model.count_params()),
        "file_bytes": model_file.stat().st_size,
        "test_accuracy": round(acc, 6),
        "test_error": round(1 - acc, 6),
        "errors": int((pred != y_test).sum()),
        "precision": precision,
        "recall": recall,
        "confusion_matrix": cm.tolist(),
        "most_confused": most_confused(cm),
        "latency_ms_one_image": round(one_image_latency_ms(model, x_test), 3),
    }, pred
