"""A manifest's not-a-digit rule with its own unsure band (converter/not_digit.py chooses both)."""
import numpy as np

from desktop.engine.recognize import (DIGIT, NOT_A_DIGIT, UNSURE, NotDigitRule, Prediction, rule_from_manifest)


def bar() -> np.ndarray:
    """A 28x28 input shaped like a 1: the shape check passes it."""
    x = np.zeros((28, 28), np.float32)
    x[4:24, 13:16] = 1.0
    return x


def answer(p_digit: float, rule: NotDigitRule) -> Prediction:
    probs = np.full(10, (1 - p_digit) / 9)
    probs[1] = p_digit
    return Prediction(1, probs, bar(), jitter=np.tile(probs, (3, 1)), rule=rule)


def test_the_manifest_band_decides_unsure_and_not_a_digit():
    rule = rule_from_manifest({"rule": "mean_jitter_probability", "threshold": 0.3, "unsure_below": 0.45})
    assert rule == NotDigitRule("mean_jitter_probability", 0.3, 0.45)
    assert answer(0.25, rule).status == NOT_A_DIGIT
    assert answer(0.40, rule).status == UNSURE
    # 0.5 with a runner-up far behind: the engine's own rule would call it unsure (top < 0.7); the band does not
    assert answer(0.50, rule).status == DIGIT
    assert answer(0.50, NotDigitRule("mean_jitter_probability", 0.3)).status == UNSURE


def test_a_band_that_makes_no_sense_is_ignored():
    for bad in (0.2, 1.5, True, "0.5"):  # below the threshold, above 1, not a number
        rule = rule_from_manifest({"rule": "max_probability", "threshold": 0.3, "unsure_below": bad})
        assert rule == NotDigitRule("max_probability", 0.3, None)
