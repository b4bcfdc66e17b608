"""A digit small in a large image (a phone photo of a page) is read from a closer look
(preprocess.work_view): before, a 150 px digit in a 4000x3000 photo was 6 px at work scale and
"no digit", 80 of 80 such photos made outside this project. An empty page, dust and specks stay
"no digit"."""
import numpy as np
import pytest
from PIL import Image

from desktop.app.locate import digit_box
from desktop.engine import preprocess as pre
from desktop.engine.batch import classify_rows
from desktop.engine.files import Found
from desktop.engine.recognize import DIGIT, NO_DIGIT, recognize

H, W = 1500, 2000  # a photo (a phone's 4000x3000 halved: the same reduction factor class, half the test's time)
PAPER = 0.92


def page() -> np.ndarray:
    return np.full((H, W), PAPER, np.float32)


def on_page(digit28: np.ndarray, side: int, top: int, left: int) -> np.ndarray:
    """An MNIST digit (white on black) written dark on the page, ``side`` px tall."""
    g = page()
    ink = np.asarray(Image.fromarray(digit28).resize((side, side), Image.Resampling.BILINEAR), np.float32) / 255
    g[top : top + side, left : left + side] = PAPER - 0.8 * ink
    return g


@pytest.mark.parametrize("side", [60, 100])  # 3% and 5% of the longest side: 5 and 8 px at work scale
def test_a_small_digit_in_a_large_photo_is_read(shipped, sample, side):
    rng = np.random.default_rng(side)
    right = 0
    for i in range(12):
        top, left = int(rng.integers(50, H - side - 50)), int(rng.integers(50, W - side - 50))
        p = recognize(shipped, on_page(sample["x_test"][i], side, top, left))
        right += p.status == DIGIT and p.digit == sample["y_test"][i]
    assert right >= 11


@pytest.mark.parametrize("side, top, left", [(80, 900, 300), (300, 600, 900), (300, 600, W - 300)])
def test_the_box_shown_is_where_the_small_digit_is(sample, side, top, left):
    # 80 px: its crop is read at full size; 300 px: reduced (by the crop's own factor); at the edge
    g = on_page(sample["x_test"][0], side, top, left)
    assert (pre.work_view(g).factor > 1) == (side == 300)
    box = digit_box(g)
    assert box is not None
    x, y, w, h = box
    assert left - 4 <= x and x + w <= min(left + side + 4, W) and top - 4 <= y and y + h <= top + side + 4
    assert w > 0.2 * side and h > 0.5 * side  # the digit's own box, not a work-scale pixel or the page


def test_a_folder_of_photos_reads_the_small_digit_too(shipped, sample, tmp_path):
    for i in range(3):
        Image.fromarray((on_page(sample["x_test"][i], 70, 400 + 100 * i, 900) * 255).astype(np.uint8)).save(tmp_path / f"{i}.png")
    rows = list(classify_rows([Found(str(tmp_path / f"{i}.png")) for i in range(3)], shipped))
    assert [r.digit for r in rows] == [str(d) for d in sample["y_test"][:3]]


def speck(g: np.ndarray, r: int, size: int) -> np.ndarray:
    g = g.copy()
    yy, xx = np.ogrid[:H, :W]
    g[(yy - H // 2) ** 2 + (xx - r) ** 2 < size**2] = 0.1
    return g


def test_an_empty_page_dust_and_a_dot_stay_no_digit(shipped):
    rng = np.random.default_rng(0)
    grain = np.clip(page() + rng.normal(0, 0.02, (H, W)), 0, 1).astype(np.float32)
    for g in (page(), grain, speck(page(), 700, 2), speck(page(), 700, 6), speck(grain, 1200, 10)):
        assert recognize(shipped, g).status == NO_DIGIT
        assert pre.work_view(g).factor == pre.work_factor(g.shape)  # no closer look at nothing


def test_a_digit_that_fills_the_photo_is_read_as_before(sample):
    g = on_page(sample["x_test"][0], 1200, 150, 400)
    view = pre.work_view(g)
    assert view.factor == pre.work_factor(g.shape) and np.array_equal(view.gray, pre.at_work_scale(g))


def test_a_small_number_in_a_large_photo_is_read_and_boxed_where_it_is(shipped, sample):
    """Number mode read a small number in a photo as "no digit" (its ink too few pixels at work
    scale): it looks closer the same way, and the window boxes each digit where it is."""
    from desktop.app.locate import number_boxes
    from desktop.engine.recognize import recognize_number

    g, top, left, side = page(), 700, 800, 70
    for k in range(3):
        ink = np.asarray(Image.fromarray(sample["x_test"][k]).resize((side, side), Image.Resampling.BILINEAR), np.float32) / 255
        view = g[top : top + side, left + k * side : left + (k + 1) * side]
        np.minimum(view, PAPER - 0.8 * ink, out=view)
    number = recognize_number(shipped, g)
    assert number.text == "".join(str(int(d)) for d in sample["y_test"][:3])
    boxes = number_boxes(g, number)
    assert all(b is not None for b in boxes) and [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    for x, y, w, h in boxes:
        assert left - 2 <= x and x + w <= left + 3 * side + 2 and top - 2 <= y and y + h <= top + side + 2


def test_the_desk_beside_the_page_is_no_digit(shipped, sample):
    """A blank page photographed beside a strip of desk read "1, 99.9%": ink that runs from one side
    of a photo to the other as a band of even width is an edge, and is left out of the look."""
    g = page()
    g[:, W - 150 :] = 0.25  # the desk along the right side
    assert recognize(shipped, g).status == NO_DIGIT
    g = on_page(sample["x_test"][1], 80, 600, 700)
    g[:, W - 150 :] = 0.25
    p = recognize(shipped, g)
    assert p.status == DIGIT and p.digit == sample["y_test"][1]


def test_a_digit_on_a_ruled_line_across_the_photo_is_still_read(shipped, sample):
    """The line runs edge to edge but is wider where the digit stands on it: not an edge."""
    right = 0
    for i in range(6):
        top, side = 600, 90
        g = on_page(sample["x_test"][i], side, top, 900)
        rows = np.flatnonzero((g[top : top + side] < 0.5).any(axis=1))
        base = top + int(rows[-1])  # the line under the digit, touching its lowest stroke
        g[base - 2 : base + 2, :] = np.minimum(g[base - 2 : base + 2, :], 0.3)
        p = recognize(shipped, g)
        right += p.status != NO_DIGIT and p.digit == sample["y_test"][i]
    assert right >= 5


def test_number_mode_reads_no_digit_beside_the_desk(shipped):
    from desktop.engine.recognize import recognize_number

    g = page()
    g[:, W - 150 :] = 0.25
    assert recognize_number(shipped, g).text == "" and recognize_number(shipped, g).status == NO_DIGIT


def test_a_page_photographed_on_the_desk_is_read(shipped, sample):
    """With the desk dark along every side, the page was taken for the ink: its small digit was "not
    a digit". The desk is painted the page's tone (preprocess.look_closer) in both modes."""
    from desktop.engine.recognize import recognize_number

    right = 0
    for i in range(4):
        g = on_page(sample["x_test"][i], 70, 500 + 60 * i, 600 + 150 * i)
        desk = np.full((H, W), 0.3, np.float32)
        desk[120 : H - 100, 160 : W - 140] = g[120 : H - 100, 160 : W - 140]  # the page, the desk around it
        p = recognize(shipped, desk)
        right += p.status == DIGIT and p.digit == sample["y_test"][i]
        right += recognize_number(shipped, desk).text == str(sample["y_test"][i])
    assert right >= 7
    empty = np.full((H, W), 0.3, np.float32)
    empty[120 : H - 100, 160 : W - 140] = PAPER
    assert recognize(shipped, empty).status == NO_DIGIT


def test_the_batch_reads_a_small_number_as_the_window_does(shipped, sample, tmp_path):
    """The batch read a number's file from a 640 px copy and looked at it again; a review found 13 of
    60 answers differing from the window's. Both now read the same crop, looked at once."""
    from desktop.engine.imageio import load_gray
    from desktop.engine.recognize import recognize_number

    paths = []
    for i, side in enumerate((30, 40, 60)):
        g = page()
        for k in range(2):
            ink = np.asarray(Image.fromarray(sample["x_test"][2 * i + k]).resize((side, side)), np.float32) / 255
            view = g[600 : 600 + side, 900 + k * side : 900 + (k + 1) * side]
            np.minimum(view, PAPER - 0.8 * ink, out=view)
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray((g * 255).astype(np.uint8)).save(paths[-1])
    rows = list(classify_rows([Found(str(p)) for p in paths], shipped, number=True))
    window = [recognize_number(shipped, load_gray(p)) for p in paths]
    assert [r.digit for r in rows] == [w.text for w in window]
    assert [r.status for r in rows] == [w.status for w in window]
