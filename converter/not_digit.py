"""The "not a digit" rule written into the manifest: the shipped model's top calibrated probability
below a threshold chosen on validation data only.

The model was trained with outlier exposure (a flat softmax on generated non-digits), so a low
top probability is its "none of the ten". The threshold is the largest value that flags at most
MAX_FLAGGED_DIGITS of the MNIST validation digits (never the test set); other writers' validation
digits and the validation non-digits are reported with it, the non-digits' test part too.
The engine reads ``manifest["not_digit"]`` (rule and threshold) and applies it to
``Classifier.predict``'s calibrated probabilities.
"""
from __future__ import annotations

import numpy as np

RULE = "max_probability"  # one of the rules desktop.engine.recognize knows
MAX_FLAGGED_DIGITS = 0.01  # share of MNIST validation digits the rule may flag


def choose_threshold(top_prob_val_digits: np.ndarray, max_flagged: float = MAX_FLAGGED_DIGITS) -> float:
    """Largest T (a value the model can give) with share(top probability < T) <= ``max_flagged``."""
    p = np.sort(np.asarray(top_prob_val_digits, np.float64))
    k = int(np.floor(max_flagged * len(p)))  # digits that may be flagged
    t = float(p[min(k, len(p) - 1)])  # strictly below the (k+1)-th smallest: at most k are flagged
    return float(np.floor(t * 1e4) / 1e4)  # rounded down: never flags more than chosen


def flagged_share(probs: np.ndarray, threshold: float) -> float:
    return round(float((probs.max(axis=1) < threshold).mean()), 5) if len(probs) else float("nan")


def summary(threshold: float, parts: dict[str, np.ndarray], mnist_test: tuple[np.ndarray, np.ndarray]) -> dict:
    """The manifest's ``not_digit`` entry: the rule, its threshold, what it flags on each part."""
    probs_test, y_test = mnist_test
    accepted = probs_test.max(axis=1) >= threshold
    return {
        "rule": RULE,
        "threshold": threshold,
        "applies_to": "the highest calibrated probability (Classifier.predict, manifest temperature)",
        "chosen_on": f"MNIST validation digits: at most {100 * MAX_FLAGGED_DIGITS:g}% flagged",
        "flagged": {name: flagged_share(p, threshold) for name, p in parts.items()}
        | {"mnist_test": flagged_share(probs_test, threshold)},
        "mnist_test_accuracy_accepted": round(float((probs_test[accepted].argmax(1) == y_test[accepted]).mean()), 6),
        "mnist_test_accepted": int(accepted.sum()),
    }
