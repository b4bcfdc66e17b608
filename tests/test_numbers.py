"""Number mode on real handwriting: numbers composed from the committed MNIST test sample.

The thresholds are ones the segmentation before segmentation by recognition failed (measured on
the same seeded numbers: wide 38/40, touching 30, overlapping by 10% 14, broken strokes 25), and
the overlapping ones also ones the first segmentation by recognition (classifier score and
simple priors only, before digit_shapes) failed: overlapping by 10% 27, by 25% 14.
"""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from benchmarks.numbers import compose_mnist, drawn_numbers
from benchmarks.synthetic import Style, digit_strokes, render
from desktop.engine import digit_shapes, segment
from desktop.engine.explain import occlusion_maps
from desktop.engine.preprocess import NUMBER_MIN_HEIGHT, normalise_digit, to_ink, work_factor
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


def sample_numbers(sample, gap: float, n: int = N, seed: int = 7, damage=None):
    """``n`` (image, text) pairs: numbers of 2-5 digits of the committed sample at ``gap``, reproducible by seed."""
    x, y = sample["x_test"], sample["y_test"]
    rng = np.random.default_rng(seed)
    for _ in range(n):
        idx = rng.choice(len(x), int(rng.integers(2, 6)), replace=False)
        images = [x[i] if damage is None else damage(x[i]) for i in idx]
        yield compose_mnist(images, gap), "".join(str(int(y[i])) for i in idx)


def exact(shipped, sample, gap: float, damage=None) -> int:
    return sum(recognize_number(shipped, gray).text == text for gray, text in sample_numbers(sample, gap, damage=damage))


# Out of 40 numbers each. Set with the model of their time (old segmentation: 27 at -10%, 14 at
# -25%); the shipped product_cnn_tuned, which reads more of benchmarks.numbers at every gap, scores
# 29 at -10% and 21 with broken strokes (a broken digit's parts now fall below the not-a-digit
# threshold and show as "?"), so those two are set one under it. With each digit answered by its
# vote (recognize.VOTE), broken strokes read 19: two of these 40 changed (a "68" read "62" unsure,
# a 7 flagged "?"), while 600 numbers per gap read better at +25%, 0 and -10% (97.3 -> 97.7%,
# 93.8 -> 94.2%, 80.7 -> 81.2%; benchmarks.numbers' compose, seed 1), so it is set one under 19.
# Overlapping digits cut finer (segment.FINE_PART) read 33 at -10% and 21 at -25%, against 30 and 18
# cut as other ink is; set two and one under.
@pytest.mark.parametrize("gap,least", [(0.5, 38), (0.0, 34), (-0.1, 31), (-0.25, 20)])
def test_mnist_numbers_read_exactly(shipped, sample, gap, least):
    assert exact(shipped, sample, gap) >= least


def test_broken_strokes_are_one_digit(shipped, sample):
    assert exact(shipped, sample, 0.5, broken) >= 18


@pytest.mark.parametrize("gap,least", [(-0.25, 17), (0.0, 20)])
def test_drawn_numbers_read_exactly(shipped, gap, least):
    # Narrow digits of a thin pen, unlike MNIST's: the writer's own width and shape are learnt
    # from the number itself, so they are not merged for looking unlike MNIST (before: 15 at -25%).
    assert sum(recognize_number(shipped, im).text == t for im, t in drawn_numbers(20, gap, 3)) >= least


def _pair(a: np.ndarray, b: np.ndarray, overlap: float) -> np.ndarray:
    """Two digits' ink as one crop, overlapping by ``overlap`` of their mean width."""
    gray = compose_mnist([a, b], -overlap)
    ink = 1.0 - gray
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.1), np.flatnonzero(ink.max(axis=0) > 0.1)
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def test_two_digits_in_one_box_are_far_from_every_digit_shape(sample):
    """The second opinion the classifier lacks: one digit is near its own class's shape, two digits
    squeezed into one box are far from all ten (digit_shapes, fitted on MNIST training digits)."""
    x, y = sample["x_test"], sample["y_test"]
    ratio = digit_shapes.reference()[None, :]

    def nearest(crops):
        return (digit_shapes.distances(np.stack([normalise_digit(c) for c in crops])) / ratio).min(axis=1)

    singles = []
    for im in x[:60]:
        rows, cols = np.flatnonzero(im.max(axis=1) > 0), np.flatnonzero(im.max(axis=0) > 0)
        singles.append(im[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] / 255.0)
    own = digit_shapes.distances(np.stack([normalise_digit(c) for c in singles])) / ratio
    assert np.mean(own.argmin(axis=1) == y[:60]) >= 0.8  # the nearest shape is mostly the right class
    pairs = nearest([_pair(x[i], x[i + 1], 0.1) for i in range(60, 120, 2)])
    one = nearest(singles)
    assert np.median(pairs) > 2 * np.median(one)
    assert np.mean(pairs > np.median(one)) >= 0.9


def test_slanted_gap_is_found_by_a_leaning_cut():
    # Two strokes slanting the same way, one stroke's width apart: no straight column is blank.
    cost = np.zeros((20, 20))
    for r in range(20):
        cost[r, 2 + r // 2 : 6 + r // 2] = 1.0
        cost[r, 8 + r // 2 : 12 + r // 2] = 1.0
    paths, total = segment._seams(cost, band=6)
    start = 11  # the gap's column at the middle row (10): columns 11 and 12
    assert total[start] == pytest.approx(segment.SIDE_COST * np.abs(np.diff(paths[start])).sum())
    assert all(cost[r, paths[start][r]] == 0 for r in range(20))
    straight, _ = segment._seams(cost, band=0)
    assert all((straight[c] == c).all() for c in range(20))


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


def test_joining_components_and_cutting_strokes_cost():
    ink = np.zeros((40, 90), np.float32)
    ink[5:35, 10:14] = 1.0  # a stroke alone
    ink[5:35, 40:44] = 1.0  # two strokes joined by a bar: one component, wide enough to be cut
    ink[5:35, 66:70] = 1.0
    ink[18:22, 40:70] = 1.0
    n, cands = candidates(ink)
    by_span = {(c.first, c.last): c for c in cands}
    assert by_span[(0, 1)].alone and by_span[(0, 1)].prior == pytest.approx(0.0)
    assert not by_span[(0, 2)].alone  # the stroke and the half of its neighbour: two components
    assert by_span[(0, 2)].prior <= by_span[(1, 2)].prior - segment.JOIN_COST + 1e-6
    whole = [c for c in cands if c.first == 1 and c.last == n]
    cut = [c for c in cands if c.first == 1 and c.last < n]
    assert whole and cut and all(c.prior < 0 for c in cut)  # a piece cut from the H pays for the cut


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


def test_each_digit_read_comes_with_the_box_it_was_read_from(shipped, sample):
    """The engine says where each digit lies (work scale), also for overlapping digits: the window
    boxes and explains each digit there, without searching for it again."""
    x = sample["x_test"]
    for gap in (0.5, -0.25):
        gray = compose_mnist([x[0], x[1], x[2]], gap)
        number = recognize_number(shipped, gray)
        assert len(number.boxes) == len(number.digits) >= 2
        lefts = [b[2] for b in number.boxes]
        assert lefts == sorted(lefts) and all(b[1] > b[0] and b[3] > b[2] for b in number.boxes)
        width = to_ink(gray, number.factor).ink.shape[1]
        assert number.boxes[0][2] <= 0.2 * width and number.boxes[-1][3] >= 0.8 * width  # from end to end
        if gap > 0:  # apart: each box ends before the next begins
            assert all(a[3] <= b[2] for a, b in zip(number.boxes, number.boxes[1:]))


@pytest.mark.parametrize("digit,seed", [(0, 3), (5, 1), (2, 0)])
def test_a_wide_digit_stays_one_digit(shipped, digit, seed):
    """A digit drawn nearly twice as wide as it is tall is ink wide enough for two. Crops of its
    halves reaching into each other (tried for overlapping digits) read "07", "53", "22"."""
    strokes, _ = digit_strokes(digit, np.random.default_rng(seed), Style(rotation=0),
                               box=(40 + 190 * 1.9 / 2, 140, 190 * 1.9, 190))
    gray = np.asarray(render(strokes, 14, (int(190 * 1.9 + 80), 280)), np.float32) / 255
    assert recognize_number(shipped, gray).text == str(digit)


def test_a_field_of_dots_is_no_number(shipped):
    """Thousands of dots (dust, noise) made thousands of candidates: seconds on the window's
    thread. Then only the 48 largest were kept: a row of 100 digits read "888", status digit.
    Ink in more than MAX_COMPONENTS pieces is no number: one "not a digit" for all of it."""
    rng = np.random.default_rng(0)
    gray = np.ones((160, 160), np.float32)
    ys, xs = rng.integers(0, 159, 1600), rng.integers(0, 159, 1600)
    gray[ys, xs] = gray[ys + 1, xs] = 0.0  # dots of about the same size: none is a speck of the others
    with pytest.raises(segment.TooManyPieces):
        segment.over_segment(to_ink(gray).ink)
    n = recognize_number(shipped, gray)
    assert (n.text, n.status, len(n.boxes)) == ("?", "not a digit", 1)


def test_a_row_longer_than_number_mode_reads_is_not_a_confident_number(shipped, sample):
    """100 MNIST digits in a row (hostile test): "888", status digit, at 64%; scaled 3x, "8" at 97%.
    200 in a row, as tall as the digits alone: "no digit", as if the image were empty (third pass)."""
    for count, scale in ((100, 1), (100, 3), (200, 1)):
        x = sample["x_test"][:count]
        row = np.pad(np.hstack(list(x)), 10 if count == 100 else 0).astype(np.float32) / 255
        gray = np.asarray(Image.fromarray(1 - row).resize((row.shape[1] * scale, row.shape[0] * scale)), np.float32)
        n = recognize_number(shipped, gray)
        assert n.status == "not a digit" and n.text == "?", (scale, n.text, n.status)
        # "Why?" reads each digit's model input: the unreadable answer has one (None raised TypeError)
        assert len(occlusion_maps(shipped, [d.input28 for d in n.digits], [d.digit for d in n.digits])) == 1


@pytest.mark.parametrize("length", [60, 200])
def test_a_dash_is_not_a_row_of_ones(shipped, length):
    """One stroke across (a dash, a minus, an underline alone) was cut every quarter of its
    height: forty-five 1s. A row no taller than a few strokes is not cut."""
    gray = np.ones((112, length + 40), np.float32)
    gray[52:60, 20 : 20 + length] = 0.0
    n = recognize_number(shipped, gray)
    assert len(n.digits) == 1 and n.status == "not a digit", (n.text, n.status)


def test_a_long_number_keeps_its_digits_tall_enough_to_read(shipped, sample):
    """A 20-digit number was shrunk to 160 px wide with the rest of the images: its digits 8 px tall,
    and not one such number read right (hostile test). Number mode keeps the row NUMBER_MIN_HEIGHT
    tall at work scale, and gives its boxes' scale with the answer."""
    x, y = sample["x_test"], sample["y_test"]
    rng = np.random.default_rng(4)
    right = 0
    for _ in range(6):
        idx = rng.choice(len(x), 20, replace=False)
        gray = compose_mnist([x[i] for i in idx], 0.5)
        number = recognize_number(shipped, gray)
        right += number.text == "".join(str(int(y[i])) for i in idx)
        assert number.factor < work_factor(gray.shape) and gray.shape[0] / number.factor >= NUMBER_MIN_HEIGHT
    assert right >= 3


def test_a_number_on_a_large_page_is_read_at_its_own_height(shipped, sample):
    """A number photographed on a page: the page is tall, the row of digits is not. Reduced by the
    page's size to 160 px, "0645" in a 1000x1000 image was 11 px tall and read "0445" (hostile test)."""
    x, y = sample["x_test"], sample["y_test"]
    page = np.ones((1000, 1000), np.float32)
    row = compose_mnist([x[i] for i in range(4)], 0.5)
    page[460 : 460 + row.shape[0], 300 : 300 + row.shape[1]] = row
    number = recognize_number(shipped, page)
    assert number.text == "".join(str(int(d)) for d in y[:4])
    assert number.factor < work_factor(page.shape)  # finer than the page's own reduction


@pytest.mark.parametrize("y", [262, 20], ids=["underline", "overline"])
def test_a_line_under_or_over_a_number_is_left_out(shipped, y):
    """An underline (not touching the digits) joined a 2 and the 0 of "2024" as one digit: "224"
    (hostile test). Ink spanning most of the row's width and far wider than tall is no digit."""
    from PIL import ImageDraw

    strokes, centre = [], 40 + 57
    for d in (2, 0, 2, 4):
        s, _ = digit_strokes(d, np.random.default_rng(d + 7), Style(rotation=0), box=(centre, 140, 114, 190))
        strokes += s
        centre += 114 * 1.3
    size = (int(centre - 114 * 1.3 + 57 + 40), 280)
    plain = render(strokes, 14, size)
    assert recognize_number(shipped, np.asarray(plain, np.float32) / 255).text == "2024"
    ImageDraw.Draw(plain).line((30, y, size[0] - 30, y), fill=0, width=8)
    gray = np.asarray(plain, np.float32) / 255
    assert recognize_number(shipped, gray).text == "2024"
    assert sum(p.right - p.left for p in segment.over_segment(to_ink(gray).ink)) < 0.8 * to_ink(gray).ink.shape[1]


def _with_dots(sample, digits_idx, dots, gap=0.6):
    """MNIST test digits in a row (benchmarks.numbers' layout, 2x) with round dots drawn in the gaps:
    ``dots`` maps a gap's index to the dot's height (0 = the digits' top, 1 = their bottom)."""
    from benchmarks.numbers import MARGIN, SCALE, row_layout

    images = [sample["x_test"][i] for i in digits_idx]
    gray = compose_mnist(images, gap)
    parts, lefts, _ = row_layout(images, gap)
    for k, height in dots.items():
        cx = (lefts[k] + parts[k].shape[1] + lefts[k + 1]) / 2 * SCALE
        cy = (MARGIN + 4 + height * 20) * SCALE
        yy, xx = np.mgrid[: gray.shape[0], : gray.shape[1]]
        gray[(yy - cy) ** 2 + (xx - cx) ** 2 <= (1.6 * SCALE) ** 2] = 0.0
    return gray, "".join(str(sample["y_test"][i]) for i in digits_idx)


def test_a_decimal_point_is_read(shipped, sample):
    """ "14.79" was read 1479, a price 100 times off, with nothing said: the point was left out as a
    speck (a pass with inputs made outside this project: 38 of 40 prices)."""
    idx = [i for i in range(200) if sample["y_test"][i] != 1][:8]
    read = []
    for a in range(0, 8, 4):
        gray, digits = _with_dots(sample, idx[a : a + 4], {1: 0.95})
        read.append(recognize_number(shipped, gray).text == digits[:2] + "." + digits[2:])
    assert all(read)


def test_a_dot_high_in_a_gap_makes_no_point_and_two_points_make_the_number_unsure(shipped, sample):
    idx = [i for i in range(200) if sample["y_test"][i] != 1][:4]
    high, digits = _with_dots(sample, idx, {1: 0.3})
    assert "." not in recognize_number(shipped, high).text
    two, _ = _with_dots(sample, idx, {0: 0.95, 2: 0.95})  # "1.2.3", a date: shown as written, unsure
    n = recognize_number(shipped, two)
    assert n.text == f"{digits[0]}.{digits[1:3]}.{digits[3]}" and n.status == "unsure"
    plain, _ = _with_dots(sample, idx, {})
    assert recognize_number(shipped, plain).text == digits


def test_an_underline_is_no_decimal_point(shipped, sample):
    """Its slice in a gap between two digits looked like a dot: "18" underlined read 1.8 (a
    regression hunt with inputs built outside). A point is ink that stays inside the gap."""
    found = []
    for k in range(6):
        idx = [k * 3 + j for j in range(2)]
        page = np.ones((200, 300), np.float32)
        x = 30
        for i in idx:
            a = sample["x_test"][i]
            rows, cols = np.flatnonzero(a.max(1)), np.flatnonzero(a.max(0))
            crop = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
            w = max(1, crop.shape[1] * 70 // crop.shape[0])
            big = np.asarray(Image.fromarray(crop).resize((w, 70), Image.Resampling.BILINEAR), np.float32) / 255
            page[80:150, x : x + w] = np.minimum(page[80:150, x : x + w], 1 - big)
            x += w + 12
        im = Image.fromarray((page * 255).astype(np.uint8))
        ImageDraw.Draw(im).line([(15, 160), (x + 10, 160)], fill=0, width=5)
        found.append(recognize_number(shipped, np.asarray(im, np.float32) / 255).text)
    assert not any("." in t for t in found), found


def test_dust_a_dash_and_two_points_are_no_decimal_point(shipped, sample):
    """A hostile pass: two 1 px specks in one gap read "9099" as 90.99 (their one box was as wide as
    a pen), a pen-lift dash 97.62, and "1.2.3" read 123 as sure as any number. Now a point is the one
    round, solid piece of stray ink in its gap, and dots in two gaps make the number unsure."""
    from benchmarks.numbers import MARGIN, SCALE, row_layout

    idx = [i for i in range(200) if sample["y_test"][i] != 1][:4]
    images = [sample["x_test"][i] for i in idx]
    digits = "".join(str(sample["y_test"][i]) for i in idx)
    parts, lefts, _ = row_layout(images, 0.6)
    gap_x = [round((lefts[k] + parts[k].shape[1] + lefts[k + 1]) / 2 * SCALE) for k in range(3)]
    y = (MARGIN + 23) * SCALE

    specks = compose_mnist(images, 0.6)
    specks[y, gap_x[1] - 2] = specks[y + 1, gap_x[1] + 2] = 0.0
    assert recognize_number(shipped, specks).text == digits

    dash = compose_mnist(images, 0.6)
    dash[y : y + 2, gap_x[1] - 4 : gap_x[1] + 4] = 0.0
    assert "." not in recognize_number(shipped, dash).text

    two, _ = _with_dots(sample, idx, {0: 0.95, 2: 0.95})
    n = recognize_number(shipped, two)
    assert n.text.count(".") == 2 and n.status == "unsure"

    below, _ = _with_dots(sample, idx, {1: 1.1})  # hanging just under the line
    assert recognize_number(shipped, below).text == digits[:2] + "." + digits[2:]


def test_a_date_with_points_is_sure_and_other_points_in_two_gaps_are_not(shipped, sample):
    """Dates were the numbers with two points that an outside evaluation wrote most, and every one
    read exactly right was called unsure ("13.10.2011", "08.06.2020": 14 of 18), as "1.2.3" is.
    A date (number_marks.is_date) is sure; the same digits with their points elsewhere are not."""
    labels = list(sample["y_test"][:300])
    used: set[int] = set()

    def first(d: int) -> int:  # a different MNIST test digit for each place
        i = next(i for i, y in enumerate(labels) if y == d and i not in used)
        used.add(i)
        return i

    idx = [first(d) for d in (2, 5, 0, 8, 2, 0, 2, 6)]
    date, digits = _with_dots(sample, idx, {1: 0.95, 3: 0.95})
    n = recognize_number(shipped, date)
    assert (n.text, n.status) == ("25.08.2026", "digit")
    other, _ = _with_dots(sample, idx, {0: 0.95, 3: 0.95})
    n = recognize_number(shipped, other)
    assert (n.text, n.status) == ("2.508.2026", "unsure")


def test_an_oval_point_hanging_under_the_line_stays_a_point(shipped, sample):
    """A point drawn as an upright oval (1.3 x taller than wide) hanging 0.15 of the line under its
    foot: a point, not a comma (a review: 16 of 24 such read as commas once hanging ovals were)."""
    idx = [i for i in range(200) if sample["y_test"][i] != 1][:3]
    row = compose_mnist([sample["x_test"][i] for i in idx], 1.0)
    ink = row < 0.5
    rows, cols = np.flatnonzero(ink.any(1)), ink.any(0)
    h = rows[-1] + 1 - rows[0]
    k = np.flatnonzero(cols)[0]
    while cols[k]:
        k += 1
    k2 = k
    while not cols[k2]:
        k2 += 1
    cx, w = (k + k2) / 2, 0.12 * h
    foot = rows[-1] + 1 + 0.15 * h
    im = Image.fromarray((row * 255).astype(np.uint8))
    ImageDraw.Draw(im).ellipse([cx - w / 2, foot - 1.3 * w, cx + w / 2, foot], fill=0)
    n = recognize_number(shipped, np.asarray(im, np.float32) / 255)
    digits = "".join(str(sample["y_test"][i]) for i in idx)
    assert n.text == digits[0] + "." + digits[1:], n.text


def test_a_point_too_small_to_tell_from_dust_makes_the_number_unsure(shipped, sample):
    """A fine pen's point, under half a stroke across once the row is at the scale it is read at:
    "5.0" and "444.97" on an outside evaluation's photos read a sure 50 and 44497. Read without it
    (it may be dust), and unsure; with no fleck there, the same digits are sure."""
    idx = [i for i in range(200) if sample["y_test"][i] != 1][:3]
    digits = "".join(str(sample["y_test"][i]) for i in idx)
    clean, _ = _with_dots(sample, idx, {})
    assert (recognize_number(shipped, clean).text, recognize_number(shipped, clean).status) == (digits, "digit")
    from benchmarks.numbers import MARGIN, SCALE, row_layout
    parts, lefts, _ = row_layout([sample["x_test"][i] for i in idx], 0.6)
    cx = round((lefts[0] + parts[0].shape[1] + lefts[1]) / 2 * SCALE)
    cy = round((MARGIN + 4 + 0.95 * 20) * SCALE)
    speck = clean.copy()
    speck[cy : cy + 3, cx : cx + 3] = 0.0  # 3 x 3 px: a stroke here is 4-5 px
    n = recognize_number(shipped, speck)
    assert (n.text, n.status) == (digits, "unsure")
