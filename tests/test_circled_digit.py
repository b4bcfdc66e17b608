"""One-digit mode: a digit drawn in a ring is no "0". At 28x28 the ring is what the model sees, and a
hostile pass found 25 of 60 circled digits read "0" with status digit at up to 99.9%. The ring is
now left out and the digit read where it stands clear of it (clutter.py); else the ring check
flags it. A zero's own marks (a dot, a short bar, a second ring) keep it a 0.
"""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from desktop.engine.recognize import recognize, recognize_many
from tests.test_not_a_number import drawn

RING = ((130, 20, 320, 260), False)


def circled_mnist(images: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """MNIST digits, dark on white, each in a pen ring of varying width, size and centring."""
    rng = np.random.default_rng(seed)
    out = []
    for a in images:
        side = int(rng.uniform(140, 280))
        im = Image.new("L", (side, side), 255)
        m = rng.uniform(3, 20)
        ImageDraw.Draw(im).ellipse((m, m, side - m, side - m), outline=0, width=int(rng.uniform(3, 10)))
        s = int(rng.uniform(0.5, 0.7) * side)
        digit = Image.fromarray(a).resize((s, s))
        im.paste(0, ((side - s) // 2, (side - s) // 2), digit)
        out.append(np.asarray(im, np.float32) / 255.0)
    return out


@pytest.mark.parametrize("name,lines", [
    ("7", [[(190, 80), (260, 80), (215, 190)]]),
    ("4", [[(240, 80), (190, 160), (265, 160)], [(245, 120), (245, 200)]]),
    ("1", [[(225, 80), (225, 200)]]),
])
def test_a_digit_drawn_in_a_ring_is_not_a_sure_zero(shipped, name, lines):
    """The ring round one digit is left out and the digit read (clutter._round_one_digit); a lone
    straight stroke in a ring is no digit drawn round (a 0's slash is as straight) and the ring check
    calls it not a digit, as it called every circled digit before."""
    p = recognize(shipped, drawn(lines, ellipses=[RING], size=(450, 280)))
    if name == "1":
        assert p.status == "not a digit", (name, p.digit, p.status)
    else:
        assert (str(p.digit), p.status) == (name, "digit"), (name, p.digit, p.status)


def test_circled_mnist_digits_are_not_read_as_zero(shipped, sample):
    x, y = sample["x_test"][:120], sample["y_test"][:120]
    answers = recognize_many(shipped, circled_mnist(x))
    # A circled 0 may stay a 0. Of the other 111, 76 were a sure 0 before; one is left, a 5 that
    # touches its ring (one piece of ink: nothing lies inside the loop).
    wrong = [int(t) for p, t in zip(answers, y) if p.digit == 0 and p.status == "digit" and t != 0]
    assert len(wrong) <= 2, wrong


@pytest.mark.parametrize("name,lines,ellipses", [
    ("dotted", [], [((150, 40, 300, 240), False), ((218, 133, 232, 147), True)]),
    ("short bar", [[(225, 115), (225, 165)]], [((150, 40, 300, 240), False)]),
    ("gone over twice", [], [((150, 40, 300, 240), False), ((172, 62, 278, 218), False)]),
    ("plain", [], [((150, 40, 300, 240), False)]),
])
def test_a_zero_with_its_own_marks_stays_a_zero(shipped, name, lines, ellipses):
    p = recognize(shipped, drawn(lines, ellipses=ellipses, size=(450, 280)))
    assert p.digit == 0 and p.status in ("digit", "unsure"), (name, p.digit, p.status)


def test_mnist_zeros_stay_zeros(shipped, sample):
    """Of the sample's 271 0s, one was flagged before the ring check, one more since the D check
    (a triangle, its left side straight: shape_checks.straight_backed), and one since the C check
    (drawn as a C, open to the right: shape_checks.open_right)."""
    x, y = sample["x_test"], sample["y_test"]
    zeros = list(x[y == 0].astype(np.float32) / 255.0)
    answers = recognize_many(shipped, zeros)
    assert sum(p.status == "not a digit" for p in answers) <= 3
