"""Preprocessing invariants: whatever the drawing looks like, the model sees an MNIST-like digit."""
import numpy as np
import pytest

from benchmarks.synthetic import Style, pen_digit
from desktop.engine.preprocess import (BBOX_LEVEL, BOX, FINE, MNIST_STROKE, SIZE, THICK, THIN, ink_bbox, preprocess,
                                      stroke_width, to_ink)


def gray(im) -> np.ndarray:
    return np.asarray(im, dtype=np.float32) / 255.0


def centre_of_mass(a):
    t = a.sum()
    return (a.sum(1) @ np.arange(a.shape[0])) / t, (a.sum(0) @ np.arange(a.shape[1])) / t


@pytest.mark.parametrize("style", [Style(), Style(scale=(0.2, 0.25), offset=0.3), Style(scale=(0.9, 0.95))])
def test_box_and_centre(style):
    rng = np.random.default_rng(1)
    for d in range(10):
        x = preprocess(gray(pen_digit(d, rng, style))).input28
        assert x.shape == (SIZE, SIZE) and 0 <= x.min() and x.max() <= 1
        top, bottom, left, right = ink_bbox(x, 0.05)
        assert max(bottom - top, right - left) in (BOX - 1, BOX, BOX + 1)  # longest side fills the 20 px box
        cy, cx = centre_of_mass(x)
        assert abs(cy - 14) < 1.0 and abs(cx - 14) < 1.0


def test_polarity_either_way_gives_same_input():
    rng = np.random.default_rng(2)
    g = gray(pen_digit(3, rng))
    a, b = preprocess(g), preprocess(1.0 - g)
    assert to_ink(g).inverted and not to_ink(1.0 - g).inverted
    assert np.abs(a.input28 - b.input28).max() < 1e-5


@pytest.mark.parametrize("value", [0.0, 1.0, 0.5])
def test_blank_images_are_no_digit(value):
    assert preprocess(np.full((280, 280), value, np.float32)).blank


def test_paper_noise_alone_is_no_digit():
    rng = np.random.default_rng(3)
    paper = np.clip(0.9 + rng.normal(0, 0.02, (280, 280)), 0, 1).astype(np.float32)
    assert preprocess(paper).blank


def test_a_speck_is_no_digit():
    a = np.ones((280, 280), np.float32)
    a[100:102, 100:102] = 0
    assert preprocess(a).blank


def test_a_dot_is_no_digit():
    # A click on the pad: a round dot, plenty of ink, but no longer than its own stroke is wide.
    yy, xx = np.mgrid[:280, :280]
    a = np.where((yy - 140) ** 2 + (xx - 140) ** 2 <= 10**2, 0.0, 1.0).astype(np.float32)
    assert not to_ink(a).blank  # enough ink: it is its shape that makes it no digit
    assert preprocess(a).blank


@pytest.mark.parametrize("side,scratch", [(280, 20), (28, 5)])
def test_a_scratch_of_a_few_pixels_is_an_empty_canvas(side, scratch):
    a, line = np.ones((2, side, side), np.float32)
    a[side // 4 : side // 4 + scratch, side // 2] = 0  # a few pixels of a hairline: too little for a digit
    line[side // 4 : 3 * side // 4, side // 2] = 0  # the same pen, a whole stroke: a 1
    assert preprocess(a).blank and not preprocess(line).blank


@pytest.mark.parametrize("digit,width,scale", [(7, 2, (0.55, 0.85)), (7, 40, (0.3, 0.3)), (4, 40, (0.3, 0.3))])
def test_stroke_width_normalised(digit, width, scale):
    # A hairline and a marker on a small digit: both outside the range preprocessing leaves alone.
    g = gray(pen_digit(digit, np.random.default_rng(4), Style(width=(width, width), scale=scale)))
    ink = to_ink(g).ink
    top, bottom, left, right = ink_bbox(ink, BBOX_LEVEL)
    drawn = stroke_width(ink) * FINE * BOX / max(bottom - top, right - left)  # at the scale it is normalised
    assert not THIN * MNIST_STROKE <= drawn <= THICK * MNIST_STROKE, drawn  # a case that must change
    seen = FINE * stroke_width(preprocess(g).input28)  # what the model gets, at the same scale
    assert 0.5 * MNIST_STROKE < seen < 2.2 * MNIST_STROKE, (drawn, seen)


def test_mnist_digit_nearly_unchanged(sample):
    x = sample["x_test"][:200].astype(np.float32) / 255
    diffs = [np.abs(preprocess(i).input28 - i).mean() for i in x]
    assert np.median(diffs) < 0.04  # MNIST is already what preprocessing aims at (mean |diff| per pixel)


def test_preprocess_many_is_preprocess_of_each(sample):
    # Same-sized images find their ink together; the result is what each gets alone, blank ones included.
    from desktop.engine.preprocess import preprocess_many

    rng = np.random.default_rng(9)
    grays = [*(sample["x_test"][:8].astype(np.float32) / 255), 1.0 - sample["x_test"][8].astype(np.float32) / 255,
             np.full((28, 28), 0.5, np.float32), gray(pen_digit(2, rng)), gray(pen_digit(7, rng, Style(width=(2, 3)))),
             np.ones((280, 280), np.float32), gray(pen_digit(1, rng)).T.copy()[:200]]
    many = preprocess_many(grays)
    for g, x in zip(grays, many):
        alone = preprocess(g).input28
        assert (x is None) == (alone is None)
        if x is not None:
            assert np.array_equal(x, alone)
    assert many[9] is None and many[12] is None and all(x is not None for x in many[:9])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 5.0])
def test_one_bad_pixel_in_a_float_file_changes_nothing(sample, tmp_path, bad):
    """A float TIFF may hold NaN, inf or values past white; one such pixel set the paper's level and
    the contrast for the whole image, and a clear digit (or number) became "no digit"."""
    from PIL import Image

    from desktop.engine.imageio import load_gray

    gray = 1.0 - np.kron(sample["x_test"][0], np.ones((4, 4))).astype(np.float32) / 255  # dark on white
    spoilt = gray.copy()
    spoilt[2, 2] = bad
    path = tmp_path / "digit.tif"
    Image.fromarray(spoilt, mode="F").save(path)
    loaded = load_gray(path)
    assert np.isnan(loaded[2, 2]) == (not np.isfinite(bad))  # the loader passes an unknown pixel on...
    clean = preprocess(gray).input28
    for image in (spoilt, loaded):  # ...and preprocessing reads the digit as if it were not there
        assert np.abs(preprocess(image).input28 - clean).max() < 0.02
