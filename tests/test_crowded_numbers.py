"""Numbers whose digits crowd: the model's word against the priors, and wide digits read whole.

Each fixture is named by its number: MNIST test digits overlapping by a tenth of their width ("20",
"817180"), and scanned USPS zip-code digits (held out) as benchmarks.numbers composes them ("2" with a
long foot and a loose hook, "34026" with an open 4). With the model's log-probability counting as
much as the priors (segment.MODEL_WEIGHT 1), a merge of two overlapping digits won on its shape
although the model read it less surely than the halves ("817180" read "87180", "20" "21"); with at
most five pieces to a digit (segment.MAX_GROUP), a scanned 2 cut into five beside its hook was never
a candidate whole and read "2?". benchmarks.numbers measures both on hundreds of numbers.
"""
from pathlib import Path

import pytest

from desktop.engine.imageio import load_gray
from desktop.engine.recognize import recognize_number

FIXTURES = Path(__file__).parent / "fixtures" / "crowded_numbers"
NAMES = sorted(p.name for p in FIXTURES.glob("*.png"))


def test_the_fixtures_are_there():
    assert len(NAMES) == 4


@pytest.mark.parametrize("name", NAMES)
def test_a_crowded_number_is_read(shipped, name):
    assert recognize_number(shipped, load_gray(FIXTURES / name)).text == Path(name).stem
