"""Evaluate a TFLite file through the app's own inference code (Classifier; recognize_many in not_digit.py): accuracy,
agreement, size, latency."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop.engine.classifier import Classifier, measure_latency

BATCH = 256


def predict_all(clf: Classifier, x: np.ndarray) -> np.ndarray:
    """Probabilities for (n, 28, 28) floats in [0, 1], in batches of BATCH."""
    return np.concatenate([clf.predict(x[i : i + BATCH]) for i in range(0, len(x), BATCH)])


def verify(path: Path, x_test: np.ndarray, y_test: np.ndarray, keras_pred: np.ndarray, keras_acc: float) -> dict:
    clf = Classifier(path)
    probs = predict_all(clf, x_test)
    pred = probs.argmax(axis=1)
    acc = float((pred == y_test).mean())
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "input_dtype": clf.dtype_name,
        "test_accuracy": round(acc, 6),
        "drop_points": round(100 * (keras_acc - acc), 3),
        "disagreement": round(float((pred != keras_pred).mean()), 6),
        **measure_latency(clf, x_test),
    }


def fit_temperature(probs: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood on held-out (validation) digits."""
    logp = np.log(np.clip(probs, 1e-6, 1.0))
    best_t, best_nll = 1.0, np.inf
    for t in np.arange(0.5, 3.01, 0.05):
        z = logp / t
        z -= z.max(axis=1, keepdims=True)
        nll = -np.mean(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1)))
        if nll < best_nll:
            best_t, best_nll = float(round(t, 2)), nll
    return best_t


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs((pred[m] == y[m]).mean() - conf[m].mean())
    return float(ece)
