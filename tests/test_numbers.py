"""Number mode on real handwriting: numbers composed from the committed MNIST test sample.

The thresholds are ones the segmentation before segmentation by recognition failed (measured on
the same seeded numbers: wide 38/40, touching 30, overlapping by 10% 14, broken strokes 25).
"""
import numpy as np
import pytest

from benchmarks.numbers import compose_mnist
from desktop.engine.recognize import recognize_number
from desktop.engine.segment import best_path, candidates

N = 40


def broken(im: np.ndarray) -> np.ndarray:
    """The digit with a gap cut across the middle of its ink: two pieces, one digit."""
    im = im.copy()
    rows = np.flatnonzero(im.max(axis=1) > 0)
    mid = (rows[0] + rows[-1]) // 2
    im[mid - 1 : mid + 1] = 0
    return im


def exact(shipped, sample, gap: float, damage=None) -> int:
    x, y = sample["x_test"], sample["y_test"]
    rng = np.random.default_rng(7)
    right = 0
    for _ in range(N):
        idx = rng.choice(len(x), int(rng.integers(2, 6)), replace=False)
        images = [x[i] if damage is None else damage(x[i]) for i in idx]
        text = "".join(str(int(y[i])) for i in idx)
        right += recognize_number(shipped, compose_mnist(images, gap)).text == text
    return right


@pytest.mark.parametrize("gap,least", [(0.5, 39), (0.0, 33), (-0.1, 24)])
def test_mnist_numbers_read_exactly(shipped, sample, gap, least):
    assert exact(shipped, sample, gap) >= least


def test_broken_strokes_are_one_digit(shipped, sample):
    assert exact(shipped, sample, 0.5, broken) >= 29


def test_dot_between_digits_is_ignored(shipped, sample):
    x, y = sample["x_test"], sample["y_test"]
    gray = compose_mnist([x[0], x[1]], 0.8)
    h, w = gray.shape
    centre = (w // 2, h // 2)
    yy, xx = np.ogrid[:h, :w]
    gray[(yy - centre[1]) ** 2 + (xx - centre[0]) ** 2 <= 4] = 0.0  # a pen dot, 5 px across
    n = recognize_number(shipped, gray)
    assert n.text == f"{y[0]}{y[1]}"
    assert all(d.probabilities.shape == (10,) and d.input28.shape == (28, 28) for d in n.digits)


def test_best_path_prefers_the_surer_split():
    # Two pieces: read apart, each is sure; read together the model hesitates.
    ink = np.zeros((40, 60), np.float32)
    ink[5:35, 10:14] = 1.0
    ink[5:35, 40:44] = 1.0
    n, cands = candidates(ink)
    assert n == 2
    scores = np.array([np.log(0.99) if c.last - c.first == 1 else np.log(0.3) for c in cands])
    assert [(cands[k].first, cands[k].last) for k in best_path(n, cands, scores)] == [(0, 1), (1, 2)]
    together = np.array([np.log(0.2) if c.last - c.first == 1 else 0.0 for c in cands])
    # The gap between the pieces is a prior against one digit, however sure the model is of it.
    assert len(best_path(n, cands, together)) == 2


def test_empty_and_speck_only_ink_read_nothing(shipped):
    assert recognize_number(shipped, np.ones((80, 200), np.float32)).digits == []
    gray = np.ones((80, 200), np.float32)
    gray[40:43, 100:103] = 0.0
    assert recognize_number(shipped, gray).digits == []
