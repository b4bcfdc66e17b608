"""Numbers written with a thin pen: read at a scale where their strokes hold together.

An outside evaluation's numbers of pen-path digits by other writers (UCI pendigits, held out),
drawn with a pen 2-3 px wide per 100 px of height: at the scale number mode first finds a row at,
such a stroke is under a pixel wide and breaks into dashes wherever it is faint. "19" fell into 23
pieces and read "?1??9", "63193" read "653?93". A row whose ink is broken so (many more pieces than
once gaps of a pixel close) is found again at a finer scale (recognize._read_number).
"""
from pathlib import Path

import numpy as np
import pytest

from desktop.engine.components import grown, label
from desktop.engine.imageio import load_gray
from desktop.engine.preprocess import BROKEN_GAPS, to_ink, work_factor
from desktop.engine.recognize import DIGIT, _broken, recognize_number

FIXTURES = Path(__file__).parent / "fixtures" / "thin_pen_numbers"
NAMES = sorted(p.name for p in FIXTURES.glob("*.png"))


def test_the_fixtures_are_there():
    assert len(NAMES) == 3


@pytest.mark.parametrize("name", NAMES)
def test_a_number_in_a_thin_pen_is_read(shipped, name):
    gray = load_gray(FIXTURES / name)
    # As the first scale finds it, its strokes are broken (what this test is about)...
    first = to_ink(gray, work_factor(gray.shape), row=True).ink > 0.3
    assert _broken(first)
    n = recognize_number(shipped, gray)
    truth = name.rsplit(".", 1)[0].split("_", 1)[1]
    assert (n.text, n.status) == (truth, DIGIT), (name, n.text, n.status)
    assert n.factor < work_factor(gray.shape)  # ...and it was read at a finer one


def test_broken_means_many_more_pieces_than_once_pixel_gaps_close():
    line = np.zeros((20, 60), bool)
    line[10, ::2] = True  # a dashed line: 30 pieces, one once its gaps close
    assert label(line)[1] == 30 and label(grown(line))[1] == 1 and _broken(line)
    solid = np.zeros((20, 60), bool)
    for left in range(2, 60, 10):  # six solid strokes, well apart
        solid[3:17, left : left + 4] = True
    assert not _broken(solid)
    solid[10, ::2] = True  # with a dashed line through them: as many pieces more as BROKEN_GAPS says
    assert _broken(solid) == (label(solid)[1] - label(grown(solid))[1] >= BROKEN_GAPS)
