"""A manifest's not-a-digit rule with its own unsure band (converter/not_digit.py chooses both), and the
shipped model's answers on the plainest digit there is."""
import numpy as np
import pytest

from desktop.engine.recognize import (DIGIT, NOT_A_DIGIT, UNSURE, NotDigitRule, Prediction, recognize,
                                      rule_from_manifest)


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


def test_a_coin_toss_is_unsure_whatever_the_band():
    """1 at 46% beside 7 at 44% (a font's 1 in an outside evaluation) clears a band of 0.45, but two
    classes that close are a coin toss: unsure. With the runner-up far behind, the same 46% is a digit."""
    rule = NotDigitRule("max_probability", 0.3, 0.45)
    probs = np.full(10, 0.1 / 8)
    probs[1], probs[7] = 0.46, 0.44
    tossed = Prediction(1, probs, bar(), jitter=np.tile(probs, (3, 1)), rule=rule)
    assert tossed.status == UNSURE and tossed.rival[0] == 7
    assert answer(0.46, rule).status == DIGIT


def test_a_band_that_makes_no_sense_is_ignored():
    for bad in (0.2, 1.5, True, "0.5"):  # below the threshold, above 1, not a number
        rule = rule_from_manifest({"rule": "max_probability", "threshold": 0.3, "unsure_below": bad})
        assert rule == NotDigitRule("max_probability", 0.3, None)


def line_drawing(x0: float, x1: float, width: int) -> np.ndarray:
    from PIL import Image, ImageDraw

    im = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(im).line((x0, 40, x1, 240), fill=0, width=width)
    return np.asarray(im, np.float32) / 255


@pytest.mark.parametrize("width", [6, 12, 18, 30])
@pytest.mark.parametrize("lean", [0, 20, 40, -30])
def test_a_ruler_straight_line_is_a_1(shipped, width, lean):
    """The 1 most people draw: one straight upright stroke. A model trained with bar-shaped
    non-digits and no crisp digits gave it a flat softmax ("not a digit", 10% for every class).
    A line exactly on the pixel grid (lean 0: crisp edges no MNIST digit has) may still be unsure."""
    p = recognize(shipped, line_drawing(140 - lean / 2, 140 + lean / 2, width))
    assert p.digit == 1 and p.status in ((DIGIT, UNSURE) if lean == 0 else (DIGIT,)), (p.status, p.top3)


def test_training_leaves_bar_shaped_non_digits_out_of_the_second_stage():
    from training.train import is_bar

    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 13:16] = 255
    box = np.zeros((28, 28), np.uint8)
    box[4:24, 6:22] = 255
    assert is_bar(bar) and not is_bar(box) and not is_bar(np.zeros((28, 28), np.uint8))


def test_a_final_answer_is_the_vote_of_the_input_and_its_turned_copies(shipped, monkeypatch, sample):
    """Every final answer classifies the input and its turned copies in one call (and the shrunk copy
    when the rule needs it), and its probabilities are the geometric mean over the input and its two
    turned copies (VOTE); a live guess is the input alone."""
    import desktop.engine.recognize as rec

    seen = []
    predict = shipped.predict
    monkeypatch.setattr(shipped, "predict", lambda x: seen.append(len(x)) or predict(x))
    drawing = line_drawing(130, 150, 18)
    for rule, inputs in ((NotDigitRule("max_probability", 0.2, 0.5), 3), (NotDigitRule("max_probability", 0.2), 4),
                         (NotDigitRule("mean_jitter_probability", 0.2, 0.5), 4),
                         (NotDigitRule("vote_and_input_probability", 0.2, 0.5), 3)):
        monkeypatch.setattr(shipped, "not_digit", rule)
        seen.clear()
        p = rec.recognize(shipped, drawing)
        assert seen == [inputs] and p.jitter.shape == (inputs - 1, 10) and p.alone.shape == (10,)
    seen.clear()
    assert rec.recognize(shipped, drawing, live=True).jitter is None and seen == [1]
    # The vote, from the model's own views of each input: not the input's probabilities alone.
    grays = list(sample["x_test"][:40].astype(np.float32) / 255)
    answers = rec.recognize_many(shipped, grays)
    views = predict(rec.jittered(np.stack([a.input28 for a in answers])).reshape(-1, 28, 28)).reshape(40, 4, 10)
    logs = np.log(views[:, [0, 1, 2]]).mean(axis=1)
    vote = np.exp(logs) / np.exp(logs).sum(axis=1, keepdims=True)  # the views' geometric mean
    assert np.allclose([a.probabilities for a in answers], vote, atol=1e-6)
    assert [a.digit for a in answers] == list(vote.argmax(axis=1))
    assert not np.allclose(vote, views[:, 0], atol=1e-3)  # the copies move it: the test can tell
    # Number mode answers the digits of its path the same way.
    row = np.hstack([np.pad(sample["x_test"][i], 4) for i in range(3)]).astype(np.float32) / 255
    number = rec.recognize_number(shipped, row)
    assert number.text == "".join(str(int(d)) for d in sample["y_test"][:3])
    for d in number.digits:
        own = predict(rec.jittered(d.input28[None], False).reshape(-1, 28, 28))
        mean = np.exp(np.log(own[[0, 1, 2]]).mean(axis=0))
        assert np.allclose(d.probabilities, mean / mean.sum(), atol=1e-6) and d.jitter.shape == (2, 10)


def test_a_shape_only_its_turned_copies_read_as_a_digit_is_flagged():
    """vote_and_input_probability scores the lower of the vote's and the input alone's probability
    of the answer: a printed ">" turned 15 degrees is a 7 (77% in the vote, 12% alone)."""
    rule = NotDigitRule("vote_and_input_probability", 0.2, 0.5)
    vote = np.full(10, 0.23 / 9)
    vote[7] = 0.77
    alone = np.full(10, 0.88 / 9)
    alone[7] = 0.12
    shape = Prediction(7, vote, bar(), jitter=np.tile(vote, (2, 1)), rule=rule, alone=alone)
    assert shape.cautious == pytest.approx(0.12) and shape.status == NOT_A_DIGIT
    assert NotDigitRule("max_probability", 0.2, 0.5).score(shape) == pytest.approx(0.77)  # the vote alone passes it
    alone[7], alone[:7] = 0.45, 0.55 / 9
    assert Prediction(7, vote, bar(), rule=rule, alone=alone).status == UNSURE
    sure = Prediction(7, vote, bar(), rule=rule, alone=vote)
    assert sure.status == DIGIT and sure.cautious == pytest.approx(0.77)


def test_an_unusable_entry_is_one_short_warning(caplog):
    """A damaged entry printed the whole manifest entry (900 characters), even with --quiet."""
    entry = {"rule": "max_probability", "threshold": 1.5, "notes": "x" * 900}
    with caplog.at_level("WARNING"):
        assert rule_from_manifest(entry) == NotDigitRule()
    assert len(caplog.records) == 1 and "threshold" in caplog.text and len(caplog.records[0].getMessage()) < 200
