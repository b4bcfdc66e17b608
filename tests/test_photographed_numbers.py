"""Numbers photographed: a slip lit from one side, lying on a table of its own texture.

An outside evaluation's MNIST-digit numbers in three photo looks were read right 6 times in 91
(half A): the page's shaded end was darker than halfway between the table and the paper, so the
page was no sheet's shape and the table was taken for the paper ("73125810" read "888?8??"); one
tone painted over the table hid the shading from the paper's sides, so none was taken off; and
light falling off darkens ink and paper alike, so shaded digits subtracted fell under the floor
("9834534" read "?4534"). The page is now what is clearly lighter than the table
(preprocess.DESK_STEP), the table is painted with the page's own tones nearby (_page_tones), a row
of digits has its uneven light taken off from 32 px tall (ROW_BACKGROUND_SIDE), and on light paper
the ink is measured against the paper's own light (LIGHT_LEAST).
"""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.engine.imageio import load_gray
from desktop.engine.recognize import DIGIT, recognize_number

FIXTURES = Path(__file__).parent / "fixtures" / "photographed_numbers"
TABLE = 0.16


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.jpg")))
def test_an_outside_evaluations_photographed_numbers_are_read(shipped, name):
    truth = name.rsplit(".", 1)[0].split("_", 1)[1]
    n = recognize_number(shipped, load_gray(FIXTURES / name))
    assert (n.text, n.status) == (truth, DIGIT), (name, n.text, n.status)


def test_the_fixtures_are_there():
    assert len(list(FIXTURES.glob("*.jpg"))) == 6


def slip(digits: list[np.ndarray], falloff: float, seed: int) -> np.ndarray:
    """MNIST digits (white on black) written dark in a row on a slip lit from its left, lying on a
    grainy dark table: the light falls off by ``falloff`` across the slip, on ink and paper alike."""
    rng = np.random.default_rng(seed)
    row = np.concatenate([np.asarray(Image.fromarray(d).resize((72, 72), Image.Resampling.BILINEAR), np.float32) / 255
                          for d in digits], axis=1)
    h, w = row.shape[0] + 90, row.shape[1] + 60  # at work scale, 54 px tall: a page (preprocess.PAGE_SIDE)
    page = np.full((h, w), 0.9, np.float32)
    page[45 : 45 + row.shape[0], 30 : 30 + row.shape[1]] -= 0.8 * row
    page *= 1.0 - falloff * np.linspace(1.0, 0.0, w, dtype=np.float32)[None, :]
    image = np.full((h + 60, w + 80), TABLE, np.float32)
    image[30 : 30 + h, 40 : 40 + w] = page
    return (image + rng.normal(0, 0.03, image.shape)).clip(0, 1).astype(np.float32)


@pytest.mark.parametrize("falloff", [0.55, 0.7])
def test_a_number_on_a_slip_lit_from_one_side_is_read(shipped, sample, falloff):
    x, y = sample["x_test"], sample["y_test"]
    right = 0
    for k in range(8):
        idx = [4 * k + j for j in range(4)]
        n = recognize_number(shipped, slip([x[i] for i in idx], falloff, k))
        right += n.text == "".join(str(int(y[i])) for i in idx) and n.status == DIGIT
    assert right >= 7, right
