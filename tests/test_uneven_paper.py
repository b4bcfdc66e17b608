"""Paper lit unevenly within the image, its sides alike: a shadow across a corner, a lamp's fall-off
reaching no side whole (preprocess._blocks_uneven). Every side's paper level was the same, the light
was taken as even, and the shadowed paper was read as ink. Such a photo is looked at a second time
as lit unevenly (preprocess.SHADED), and recognition decides (recognize.SECOND_LOOK_SURE)."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.engine.imageio import load_gray
from desktop.engine.preprocess import SHADED, _blocks_uneven, work_view
from desktop.engine.recognize import recognize_many

PATCHES = Path(__file__).parent / "fixtures" / "shaded_patches"


def _corner_shadow(digit: np.ndarray, rng: np.random.Generator, shade: float) -> np.ndarray:
    """An MNIST digit (white on black, 0..255) as dark ink on paper 110-150 px across, a shadow of
    ``shade`` (the light it leaves) cut straight across one corner, over 60-80% of two sides."""
    side = int(rng.integers(110, 151))
    size = int(side * rng.uniform(0.4, 0.55))
    ink = np.zeros((side, side), np.float32)
    top, left = (side - size) // 2 + rng.integers(-8, 9, 2)
    ink[top : top + size, left : left + size] = np.asarray(
        Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR), np.float32) / 255
    yy, xx = np.mgrid[:side, :side] / (side - 1)
    corner = int(rng.integers(4))
    u = (xx if corner < 2 else 1 - xx) + (yy if corner % 2 == 0 else 1 - yy)
    light = np.where(u < rng.uniform(0.6, 0.8), shade, 1.0)
    gray = 0.92 * light * (1 - 0.85 * ink) + rng.normal(0, 0.015, (side, side))
    return np.clip(gray, 0, 1).astype(np.float32)


def test_a_shadow_across_a_corner_is_no_ink(shipped, sample):
    """A shadow leaving 60% of the light across a corner: the digits were read with it as ink (none of
    100 right and sure); the shadowed paper is paper now (95%; 76% with blocks half way to the ink's
    tone taken for ink). At 50% of the light it is found, but none is read."""
    rng = np.random.default_rng(3)
    grays = [_corner_shadow(sample["x_test"][k], rng, 0.6) for k in range(60)]
    assert np.mean([_blocks_uneven(work_view(g).gray) for g in grays]) >= 0.9
    answers = recognize_many(shipped, grays)
    assert np.mean([a.second_look == SHADED for a in answers]) >= 0.85
    right = np.mean([a.digit == int(t) and a.status == "digit" for a, t in zip(answers, sample["y_test"][:60])])
    assert right >= 0.85, right


def test_photos_of_other_writers_lit_unevenly_read_right(shipped):
    """Eight photos and scans of an outside evaluation (hx_e: drawn digits photographed, MNIST digits on
    ruled paper, a scan), each read wrong or flagged with its shading as ink before."""
    photos = sorted(PATCHES.iterdir())
    assert len(photos) == 8
    answers = recognize_many(shipped, [load_gray(p) for p in photos])
    assert [(a.digit, a.status, a.second_look) for a in answers] == [(int(p.stem[-1]), "digit", SHADED) for p in photos]


@pytest.mark.parametrize("scale, resample", [(8, Image.Resampling.NEAREST), (4, Image.Resampling.BICUBIC)])
def test_a_digit_cropped_tight_is_not_taken_for_uneven_light(shipped, sample, scale, resample):
    """A digit cropped to its ink reaches the image's border, and its blocks are strokes and their grey
    edges: taken for uneven light, MNIST digits cropped tight and upscaled 8x nearest read 99.2% -> 81%."""
    grays, truth = [], []
    for k in range(80):
        im = sample["x_test"][k]
        rows, cols = np.flatnonzero(im.max(axis=1)), np.flatnonzero(im.max(axis=0))
        crop = Image.fromarray(255 - im[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
        grays.append(np.asarray(crop.resize((crop.width * scale, crop.height * scale), resample), np.float32) / 255)
        truth.append(int(sample["y_test"][k]))
    assert not any(_blocks_uneven(work_view(g).gray) for g in grays)
    answers = recognize_many(shipped, grays)
    assert np.mean([a.digit == t for a, t in zip(answers, truth)]) >= 0.97
