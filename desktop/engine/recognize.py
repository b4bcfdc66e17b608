"""From a grayscale image to an answer a person can trust: digit, confidence, unsure or no digit."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from desktop.engine.classifier import Classifier
from desktop.engine.preprocess import normalise_digit, preprocess, to_ink
from desktop.engine.segment import best_path, candidates

# A result is called unsure when the top probability is low or the runner-up is close: the
# app says so instead of presenting a coin toss as an answer.
UNSURE_TOP = 0.70
UNSURE_MARGIN = 0.30


@dataclass
class Prediction:
    digit: int | None  # None: no digit in the image
    probabilities: np.ndarray | None  # (10,), calibrated
    input28: np.ndarray | None  # what the model saw
    seconds: float = 0.0
    steps: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return self.digit is None

    @property
    def confidence(self) -> float:
        return 0.0 if self.probabilities is None else float(self.probabilities.max())

    @property
    def top3(self) -> list[tuple[int, float]]:
        if self.probabilities is None:
            return []
        order = np.argsort(self.probabilities)[::-1][:3]
        return [(int(i), float(self.probabilities[i])) for i in order]

    @property
    def unsure(self) -> bool:
        if self.probabilities is None:
            return False
        (_, p1), (_, p2) = self.top3[:2]
        return p1 < UNSURE_TOP or p1 - p2 < UNSURE_MARGIN


@dataclass
class NumberPrediction:
    digits: list[Prediction]
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "".join(str(d.digit) for d in self.digits if d.digit is not None)

    @property
    def confidence(self) -> float:
        """Probability that every digit is right, taking the digits as independent."""
        return float(np.prod([d.confidence for d in self.digits])) if self.digits else 0.0

    @property
    def unsure(self) -> bool:
        return any(d.unsure for d in self.digits)


def _prediction(probs: np.ndarray, x: np.ndarray, seconds: float, steps=None) -> Prediction:
    return Prediction(int(np.argmax(probs)), probs, x, seconds, steps or {})


def recognize(classifier: Classifier, gray: np.ndarray, keep_steps: bool = False) -> Prediction:
    """One digit: preprocess, classify, time the whole."""
    start = time.perf_counter()
    pre = preprocess(gray, keep_steps)
    if pre.blank:
        return Prediction(None, None, None, time.perf_counter() - start, pre.steps)
    probs = classifier.predict_one(pre.input28)
    return _prediction(probs, pre.input28, time.perf_counter() - start, pre.steps)


def recognize_number(classifier: Classifier, gray: np.ndarray) -> NumberPrediction:
    """Several digits in a row, read left to right: segmentation by recognition.

    Every candidate digit (runs of consecutive pieces of ink, see segment.py) goes through the
    model in one batch; the split whose digits the model is surest of, given their shapes, wins.
    Stray dots are left out (preprocess.is_speck).
    """
    start = time.perf_counter()
    ink = to_ink(gray)
    if ink.blank:
        return NumberPrediction([], time.perf_counter() - start)
    n_pieces, cands = candidates(ink.ink)
    digits = [k for k, c in enumerate(cands) if not c.speck]
    if not digits:
        return NumberPrediction([], time.perf_counter() - start)
    inputs = np.stack([normalise_digit(cands[k].crop) for k in digits])
    probs = classifier.predict(inputs)
    scores = np.zeros(len(cands))
    scores[digits] = np.log(np.clip(probs.max(axis=1), 1e-6, 1.0))
    row = {k: r for r, k in enumerate(digits)}
    chosen = [row[k] for k in best_path(n_pieces, cands, scores)]
    seconds = time.perf_counter() - start
    return NumberPrediction([_prediction(probs[r], inputs[r], 0.0) for r in chosen], seconds)
