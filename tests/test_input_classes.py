"""Every kind of input a user gives is read: real MNIST test digits rendered as each input class.

Each class is rendered from the same 300 held-out MNIST digits cropped to their ink and read
through `recognize()`, the app's own path. Thresholds sit a few points under what the product
reads and above what the median-tone polarity of the previous preprocessing read (there a digit
that fills its frame flipped: the paper became the digit).
"""
import numpy as np
import pytest
from PIL import Image

from benchmarks.synthetic import Style, pen_digit, photo
from desktop.engine import preprocess as pre
from desktop.engine.recognize import recognize
from training.other_writers import coloured, tight

N = 300


def _resize(a: np.ndarray, size: tuple[int, int], smooth: bool) -> np.ndarray:
    resample = Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST
    return np.clip(np.asarray(Image.fromarray(a).resize(size, resample), np.float32), 0, 1)


def _low_res(a: np.ndarray, side: int, factor: int, smooth: bool) -> np.ndarray:
    """A side x side source whose digit touches its frame (as in USPS, optdigits), upscaled factor x."""
    h, w = a.shape
    s = side / max(h, w)
    fit = (max(1, round(w * s)), max(1, round(h * s)))
    small = np.zeros((side, side), np.float32)
    top, left = (side - fit[1]) // 2, (side - fit[0]) // 2
    small[top : top + fit[1], left : left + fit[0]] = np.asarray(Image.fromarray(a).resize(fit, Image.Resampling.BOX))
    small = small / max(float(small.max()), 1e-6)
    return _resize(small, (side * factor, side * factor), smooth)


# name -> (ink of a tight crop, 0..1 -> grayscale file image, white = 1), least accuracy
CLASSES = {
    "tight crop, dark on light": (lambda a: 1 - a, 0.97),
    "tight crop, white on black": (lambda a: a, 0.97),
    "tight crop upscaled 4x, nearest": (lambda a: 1 - _resize(a, (a.shape[1] * 4, a.shape[0] * 4), False), 0.97),
    "16x16 touching the frame, upscaled 8x nearest": (lambda a: 1 - _low_res(a, 16, 8, False), 0.97),
    "16x16 touching the frame, upscaled 8x smooth": (lambda a: 1 - _low_res(a, 16, 8, True), 0.97),
    "8x8 touching the frame, upscaled 8x smooth": (lambda a: 1 - _low_res(a, 8, 8, True), 0.93),
    "8x8 touching the frame, upscaled 16x nearest": (lambda a: 1 - _low_res(a, 8, 16, False), 0.85),
    "binary (thresholded) tight crop, 4x": (lambda a: 1 - (_resize(a, (a.shape[1] * 4, a.shape[0] * 4), True) > 0.5), 0.97),
    "coloured ink and paper, tight": (coloured, 0.97),
}


@pytest.fixture(scope="module")
def crops(sample):
    x = sample["x_test"][:N].astype(np.float32) / 255.0
    return [tight(a) for a in x], sample["y_test"][:N]


@pytest.mark.parametrize("name", list(CLASSES))
def test_input_class_is_read(name, crops, shipped):
    render, least = CLASSES[name]
    images, labels = crops
    right = sum(recognize(shipped, np.asarray(render(a), np.float32)).digit == y for a, y in zip(images, labels))
    assert right / len(labels) >= least, f"{name}: {right}/{len(labels)}"


def test_digit_covering_most_of_its_frame_keeps_its_polarity():
    # A bold 0 cropped to its ink: ink covers well over half of the pixels, the border is paper.
    yy, xx = np.mgrid[0:40, 0:30]
    r = np.hypot((yy - 19.5) / 20, (xx - 14.5) / 15)
    ink = ((r < 1.0) & (r > 0.35)).astype(np.float32)
    assert ink.mean() > 0.6
    gray = 1.0 - ink  # dark on light
    assert pre.find_paper(gray).light and pre.to_ink(gray).inverted
    assert not pre.find_paper(ink).light and not pre.to_ink(ink).inverted
    assert np.abs(pre.to_ink(gray).ink - ink).max() < 1e-6


def test_photos_still_read(shipped):
    rng = np.random.default_rng(11)
    labels = [d for d in range(10) for _ in range(3)]
    right = sum(recognize(shipped, np.asarray(photo(pen_digit(d, rng, Style()), rng).convert("L"), np.float32) / 255)
                .digit == d for d in labels)
    assert right >= 28  # 30 photos with a shadow and uneven light
