"""A photo whose border says light ink on dark paper but whose thin strokes are dark is read a second
time as dark ink on light paper, and recognition decides (preprocess.Found.other,
recognize.SECOND_LOOK_SURE): a shadow over the page's edges or a dim room's vignette made its paper
the ink."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import desktop.engine.recognize as recognize
from desktop.app.locate import digit_box
from desktop.engine.imageio import load_gray
from desktop.engine.preprocess import LIGHT_PAPER, find_digits, find_paper, work_view
from desktop.engine.recognize import recognize_many

PHOTOS = Path(__file__).parent / "fixtures" / "dark_bordered_photos"


def test_photos_with_a_dark_border_are_read_as_dark_ink(shipped, monkeypatch):
    """Seven photos of an outside evaluation (hx_e, hx_f: drawn digits and MNIST digits photographed,
    a phone photo), each read as light ink on dark paper and flagged or read wrong before."""
    photos = sorted(PHOTOS.iterdir())
    grays = [load_gray(p) for p in photos]
    truth = [(int(p.stem[-1]), "digit") for p in photos]
    assert not any(find_paper(work_view(g).gray).light for g in grays)  # what the border says
    answers = recognize_many(shipped, grays)
    assert [(a.digit, a.status) for a in answers] == truth
    assert all(a.second_look == LIGHT_PAPER for a in answers)
    monkeypatch.setattr(recognize, "SECOND_LOOK_SURE", 2.0)  # the second look never taken
    before = recognize_many(shipped, grays)
    assert not any((a.digit, a.status) == t for a, t in zip(before, truth))


def test_the_second_looks_digit_box_is_around_its_dark_ink(shipped):
    """The window draws the box the answer was read from: read as light ink, the box was the lit
    page around the digit."""
    gray = load_gray(PHOTOS / "d_stroke_photo_0215_d5.jpg")
    answer = recognize_many(shipped, [gray])[0]
    x, y, w, h = digit_box(gray, answer.second_look)
    first = digit_box(gray)
    assert w * h < 0.5 * gray.size and (first is None or first[2] * first[3] > w * h)
    dark = gray[int(y) : int(y + h), int(x) : int(x + w)]
    assert dark.min() < 0.5 * float(np.median(gray))  # the strokes are in it


@pytest.mark.parametrize("cut", ["tight", "margin"])
def test_white_digits_on_black_are_read_as_they_are(shipped, sample, cut):
    """A bold white digit cropped tight has thin dark gaps between its strokes: such crops are looked
    at a second time, and their first reading, a sure digit, stands."""
    grays, truth = [], []
    for k in range(120):
        im = sample["x_test"][k]
        rows, cols = np.flatnonzero(im.max(axis=1)), np.flatnonzero(im.max(axis=0))
        crop = im[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        if cut == "margin":
            crop = np.pad(crop, 4)
        big = Image.fromarray(crop).resize((crop.shape[1] * 4, crop.shape[0] * 4), Image.Resampling.BICUBIC)
        grays.append(np.asarray(big, np.float32) / 255)
        truth.append(int(sample["y_test"][k]))
    found = find_digits(grays)
    answers = recognize_many(shipped, grays)
    assert not any(a.second_look for a in answers)
    assert np.mean([a.digit == t and a.status == "digit" for a, t in zip(answers, truth)]) >= 0.97
    if cut == "tight":
        assert sum(f is not None and f.other is not None for f in found) >= 10  # looked at again, kept


def test_the_second_look_answers_only_for_a_flagged_first_reading(shipped, sample, monkeypatch):
    """Recognition decides between the two readings: the second is the answer only where the first
    is flagged and the second is a sure digit (SECOND_LOOK_SURE); a sure first reading stands."""
    from desktop.engine.preprocess import Found, normalise_digit

    def mnist(k):
        return normalise_digit(sample["x_test"][k].astype(np.float32) / 255)

    noise = np.random.default_rng(0).uniform(0, 1, (28, 28)).astype(np.float32)
    seven, two = mnist(0), mnist(1)  # sure digits, a 7 and a 2
    doubtful = mnist(41)  # a 7 answered "digit" at 0.76: under SECOND_LOOK_SURE
    cases = {"sure first": (seven, two), "flagged first": (noise, two), "both flagged": (noise, noise),
             "a second less sure": (noise, doubtful)}
    found = [Found(first, first, Found(other, other, look=LIGHT_PAPER)) for first, other in cases.values()]
    monkeypatch.setattr(recognize, "find_digits", lambda grays, at_work=False: found)
    monkeypatch.setattr(recognize.shape_checks, "CHECKS", {})
    answers = recognize_many(shipped, [np.ones((28, 28), np.float32)] * len(found))
    assert [(a.digit, a.status, a.second_look) for a in answers[:2]] == [(7, "digit", ""), (2, "digit", LIGHT_PAPER)]
    assert all(a.status != "digit" and not a.second_look for a in answers[2:])
