"""The "not a digit" rule written into the manifest, chosen through the app's own path.

The model was trained with outlier exposure (a flat softmax on generated non-digits), so low
evidence is its "none of the ten". Every validation image goes through ``recognize()`` (the app's
preprocessing, jittered copies and shape rule). For each score the engine knows, two thresholds:
below ``unsure_below`` the answer is flagged (unsure), the largest value that keeps the share of
validation digits flagged within MAX_FLAGGED on MNIST and on the other writers' digits alike; below
``threshold`` it is "not a digit", within MAX_NOT_A_DIGIT (a digit called "not a digit" costs more
than one called unsure). Of those scores, the one that flags the most validation non-digits is
written. One score for both keeps the two statuses inside one budget: the engine's fixed unsure
rule (top probability < 0.7, margin < 0.3, copies disagreeing) alone flagged 2.4% of MNIST
validation digits and 5.4% of the other writers'. Chosen on validation data only: the MNIST test set and the
non-digits' test part are only reported. Choosing on the model's raw MNIST inputs instead set a
threshold that flagged 1.2% of raw MNIST test digits but 4% of the same digits through the app.
The engine reads ``manifest["not_digit"]`` (rule and threshold) through model_files.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from converter.verify import BATCH
from desktop.engine.recognize import KNOWN_RULES, NotDigitRule, recognize_many

# Shares of validation digits the app may flag (not a digit or unsure), per part; the issue's
# targets are 1% of MNIST and 3% of other writers' digits, on test data.
MAX_FLAGGED = {"mnist_val": 0.008, "other_writers_val": 0.02}
MAX_NOT_A_DIGIT = {"mnist_val": 0.003, "other_writers_val": 0.008}
MAX_FLAGGED_DIGITS = MAX_FLAGGED["mnist_val"]


@dataclass(frozen=True)
class AppScores:
    """What the app makes of each image, whatever the threshold."""
    scores: dict[str, np.ndarray]  # per rule: the score the thresholds apply to
    flagged_anyway: dict[str, np.ndarray]  # per rule, bool: no digit, or a shape no digit has (the fill
    # rule, which applies under FILL_SURE of the rule's own score)
    answers: np.ndarray  # the digit read, -1 for no digit


def app_scores(clf, grays: Sequence[np.ndarray]) -> AppScores:
    """Each image through the app's path (``recognize_many``, in batches), with each rule's score kept
    apart from the threshold."""
    preds = [p for i in range(0, len(grays), BATCH) for p in recognize_many(clf, grays[i : i + BATCH])]
    # A threshold of 0 flags nothing: what is left is the shape rule, judged on each rule's own score
    rejected = {r: np.array([p.digit is None or replace(p, rule=NotDigitRule(r, 0.0)).not_a_digit for p in preds], bool)
                for r in KNOWN_RULES}
    scores = {r: np.array([NotDigitRule(r).score(p) for p in preds], np.float64) for r in KNOWN_RULES}
    answers = np.array([-1 if p.digit is None else p.digit for p in preds], np.int64)
    return AppScores(scores, rejected, answers)


def choose_threshold(scores: np.ndarray, max_flagged: float = MAX_FLAGGED_DIGITS,
                     flagged_anyway: np.ndarray | None = None) -> float:
    """Largest T (a value the model can give) with share(flagged anyway, or score < T) <= ``max_flagged``."""
    s = np.asarray(scores, np.float64)
    anyway = np.zeros(len(s), bool) if flagged_anyway is None else np.asarray(flagged_anyway, bool)
    k = int(np.floor(max_flagged * len(s))) - int(anyway.sum())  # digits the threshold may still flag
    rest = np.sort(s[~anyway])
    if k < 0 or not len(rest):
        return 0.0
    t = float(rest[min(k, len(rest) - 1)])  # strictly below the (k+1)-th smallest: at most k are flagged
    return float(np.floor(t * 1e4) / 1e4)  # rounded down: never flags more than chosen


def flagged(a: AppScores, rule: str, threshold: float) -> np.ndarray:
    return a.flagged_anyway[rule] | (a.scores[rule] < threshold)


def share(mask: np.ndarray) -> float:
    return round(float(mask.mean()), 5) if len(mask) else float("nan")


def _threshold(parts: dict[str, AppScores], rule: str, budgets: dict[str, float]) -> float:
    return min(choose_threshold(parts[name].scores[rule], budget, parts[name].flagged_anyway[rule])
               for name, budget in budgets.items() if name in parts)


def choose(parts: dict[str, AppScores]) -> tuple[str, float, float, dict[str, dict]]:
    """Score, not-a-digit and unsure thresholds: within the budgets on every digit part, the most
    validation non-digits flagged."""
    tried = {}
    for rule in KNOWN_RULES:
        unsure = _threshold(parts, rule, MAX_FLAGGED)
        nd = min(_threshold(parts, rule, MAX_NOT_A_DIGIT), unsure)
        caught = share(flagged(parts["non_digits_val"], rule, unsure)) if "non_digits_val" in parts else 0.0
        tried[rule] = {"threshold": nd, "unsure_below": unsure, "non_digits_val_flagged": caught}
    best = max(KNOWN_RULES, key=lambda r: tried[r]["non_digits_val_flagged"])  # ties: the first
    return best, tried[best]["threshold"], tried[best]["unsure_below"], tried


def summary(parts: dict[str, AppScores], mnist_test: AppScores, y_test: np.ndarray) -> dict:
    """The manifest's ``not_digit`` entry: the score, its thresholds, what the app flags on each part."""
    rule, threshold, unsure_below, tried = choose(parts)
    t = mnist_test
    accepted = ~flagged(t, rule, threshold)  # unsure digits are answered: accepted
    confident = ~flagged(t, rule, unsure_below)  # what the app gives as a digit, neither unsure nor rejected
    every = {**parts, "mnist_test": t}
    return {
        "rule": rule,
        "threshold": threshold,
        "unsure_below": unsure_below,
        "applies_to": KNOWN_RULES[rule],
        "chosen_on": "validation images through recognize(): flagged (unsure or not a digit) at most "
                     + ", ".join(f"{100 * v:g}% of {k}" for k, v in MAX_FLAGGED.items()) + "; not a digit at most "
                     + ", ".join(f"{100 * v:g}% of {k}" for k, v in MAX_NOT_A_DIGIT.items()),
        "rules_tried": tried,
        "flagged": {name: share(flagged(a, rule, unsure_below)) for name, a in every.items()},
        "not_a_digit": {name: share(flagged(a, rule, threshold)) for name, a in every.items()},
        "mnist_test_accuracy": round(float((t.answers == y_test).mean()), 6),
        "mnist_test_accuracy_accepted": round(float((t.answers[accepted] == y_test[accepted]).mean()), 6),
        "mnist_test_accepted": int(accepted.sum()),
        "mnist_test_accuracy_confident": round(float((t.answers[confident] == y_test[confident]).mean()), 6),
        "mnist_test_confident": int(confident.sum()),
    }
