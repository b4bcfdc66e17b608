"""Digits that overlap are cut finer, and a digit may be made of up to eight of those pieces.

A run of ink wider than segment.FINE_ASPECT x its height holds overlapping digits; it is cut every
segment.FINE_PART x the height. A wide digit in it then spans seven pieces, and one more of it may
stand apart (segment.MAX_GROUP): at six, these numbers of scanned USPS digits (training split,
overlapping by a tenth of a digit's width, composed as benchmarks.numbers composes them) read
"3?5", "7?498" and "8062?". Each fixture is named by its number. benchmarks.numbers measures the
finer cuts on hundreds of numbers of held-out digits; tests/test_numbers.py on the MNIST sample.

A reading that rests on a cut only the finer cutting made is unsure (NumberPrediction.guessed):
which ink is whose, such a cut guesses.
"""
from pathlib import Path

import numpy as np
import pytest

from desktop.engine import recognize, segment
from desktop.engine.imageio import load_gray
from desktop.engine.recognize import DIGIT, recognize_number
from tests.test_numbers import sample_numbers

FIXTURES = Path(__file__).parent / "fixtures" / "overlapping_numbers"
NAMES = sorted(p.name for p in FIXTURES.glob("*.png"))


def test_the_fixtures_are_there():
    assert len(NAMES) == 3


@pytest.mark.parametrize("name", NAMES)
def test_a_wide_digit_cut_finely_is_read_whole(shipped, name):
    assert recognize_number(shipped, load_gray(FIXTURES / name)).text == Path(name).stem


def _overlapping(sample, n: int, seed: int):
    """``n`` numbers of the sample overlapping by a quarter, then ``n`` by a tenth (image, text)."""
    for gap in (-0.25, -0.1):
        yield from sample_numbers(sample, gap, n, seed)


def test_a_reading_that_rests_on_a_finer_cut_is_unsure(shipped, sample):
    """Numbers of the MNIST sample overlapping by a quarter and by a tenth: of 80, about 11 are read
    from finer cuts, most of them with every digit sure ("3998" at 0.993), and each of those is
    unsure or not read."""
    guessed, sure_digits = 0, 0
    for gray, _ in _overlapping(sample, 40, 7):
        number = recognize_number(shipped, gray)
        if number.guessed:
            guessed += 1
            sure_digits += all(d.status == DIGIT for d in number.digits)
            assert number.status != DIGIT and number.unsure
    assert guessed >= 8 and sure_digits >= 5


def test_a_reading_cut_finer_but_read_the_same_without_is_sure(shipped, sample, monkeypatch):
    """Digits parted by a finer cut, where the usual cuts alone read the same digits, are as sure as
    before: two of the 80 numbers above ("23323" overlapping by a quarter, "26056" by a tenth)."""
    cut_finer = []
    check = recognize._guessed

    def spy(n_pieces, cands, scores, far, path, surest):
        cut_finer.append(any(cands[k].guessed for k in path))
        return check(n_pieces, cands, scores, far, path, surest)

    monkeypatch.setattr(recognize, "_guessed", spy)
    same = 0
    for gray, text in _overlapping(sample, 40, 7):
        cut_finer.clear()
        number = recognize_number(shipped, gray)
        if any(cut_finer) and not number.guessed and number.text == text:
            same += 1
            assert number.status == DIGIT, text
    assert same >= 2


def test_the_finer_cuts_cost_no_right_and_sure_reading(shipped, sample):
    """160 other numbers of the sample overlapping by a quarter and by a tenth: 89 read right and
    sure and 9 wrong yet sure, against 87 and 9 before the finer cuts. The usual cuts' readings stay
    paths: finer cuts that replaced them read 80 right and sure (the right reading of the usual cuts
    then rests on finer cuts, and is unsure); so did a digit joined across a finer cut counted as
    parted by it."""
    sure_right = sure_wrong = 0
    for gray, text in _overlapping(sample, 80, 8):
        number = recognize_number(shipped, gray)
        sure_right += number.text == text and number.status == DIGIT
        sure_wrong += number.text != text and number.status == DIGIT
    assert sure_right >= 87 and sure_wrong <= 9


@pytest.mark.parametrize("cuts,expected", [
    ([(20, False), (40, True)], [[], [1], [1]]),  # a finer cut: both pieces beside it share it
    ([(20, True), (20, True), (40, False)], [[1], [1], []]),  # two cuts with no ink between: one boundary,
    ([(20, False), (20, True), (40, False)], [[], [], []]),  # a usual one if either cut is
    ([(20, True), (20, False), (40, False)], [[], [], []]),
    ([(5, True), (30, False)], [[], []]),  # a finer cut at the component's edge parts nothing
    ([(30, False), (55, True)], [[], []]),
])
def test_the_pieces_beside_a_finer_cut_share_it(monkeypatch, cuts, expected):
    """Which finer cuts part each piece from ink beside it: a digit joined across one is not parted by
    it (segment.Segment.guessed_cuts; a group's are those of its pieces no other piece shares)."""
    ink = np.zeros((30, 60), np.float32)
    ink[5:25, 5:55] = 1.0  # one component, columns 5-54
    monkeypatch.setattr(segment, "_cuts", lambda *_: [(np.full(ink.shape[0], c, np.int32), g) for c, g in cuts])
    pieces = segment.over_segment(ink)
    assert [sorted(p.guessed_cuts) for p in pieces] == expected
